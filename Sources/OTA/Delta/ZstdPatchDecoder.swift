import CZstd
#if canImport(Glibc)
import Glibc
#endif

/// A zstd patch decoder fed chunk by chunk (from a network body), for one delta patch: the old content is
/// read from a local file (at most ``ZstdPatch/maxContentBytes``) and referenced as the frame's prefix.
///
/// Refuses corrupt data, a frame whose window is larger than ``ZstdPatch/maxWindowLog`` allows, output beyond
/// `limit` bytes, anything after the single frame, and an input that ends before the frame does (``finish()``).
final class ZstdPatchDecoder: ContentStreamDecoder {
    private let context: OpaquePointer
    private let old: UnsafeMutableRawBufferPointer
    private let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 128 << 10, alignment: 16)
    private let limit: Int64
    private var ended = false
    private(set) var totalOut: Int64 = 0

    /// A decoder of a patch against the content of the file at `oldPath`, making at most `limit` bytes.
    convenience init(oldContentAt oldPath: String, limit: Int64) throws {
        try self.init(prefix: try Self.read(oldPath, limit: Int(ZstdPatch.maxContentBytes)), windowLogMax: ZstdPatch.maxWindowLog, limit: limit)
    }

    /// A decoder of a patch against `prefix` (the old content, which the decoder owns and deallocates),
    /// accepting a window of at most 2^`windowLogMax` bytes and making at most `limit` bytes.
    init(prefix: UnsafeMutableRawBufferPointer, windowLogMax: Int32, limit: Int64) throws {
        self.limit = limit
        old = prefix
        guard let context = ZSTD_createDCtx() else {
            old.deallocate()
            output.deallocate()
            throw ArchiveError(.io, "libzstd could not create a decompression context")
        }
        self.context = context
        do {
            try ZstdPatch.check(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, windowLogMax))
            try ZstdPatch.check(ZSTD_DCtx_refPrefix(context, old.baseAddress, old.count))
        } catch {
            ZSTD_freeDCtx(context)
            old.deallocate()
            output.deallocate()
            throw error
        }
    }

    deinit {
        ZSTD_freeDCtx(context)
        old.deallocate()
        output.deallocate()
    }

    /// Decodes `input`, handing the output to `sink` chunk by chunk.
    func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let base = input.baseAddress, input.count > 0 else { return }
        guard !ended else { throw ArchiveError(.trailingData, "bytes follow the end of the patch") }
        var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        var filled = false
        repeat {
            var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
            let status = ZSTD_decompressStream(context, &destination, &source)
            guard ZSTD_isError(status) == 0 else {
                throw ArchiveError(.corruptCompression, "the patch is corrupt (libzstd: \(String(cString: ZSTD_getErrorName(status))))")
            }
            totalOut += Int64(destination.pos)
            guard totalOut <= limit else { throw ArchiveError(.expansionRatio, "the patch makes more than its \(limit) bytes") }
            if destination.pos > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[..<destination.pos])) }
            filled = destination.pos == destination.size
            if status == 0 { ended = true }
        } while !ended && (source.pos < source.size || filled)
        guard source.pos == source.size else { throw ArchiveError(.trailingData, "bytes follow the end of the patch") }
    }

    /// Checks that the frame ended.
    func finish() throws(ArchiveError) {
        guard ended else { throw ArchiveError(.truncated, "the patch ends early (\(totalOut) bytes made)") }
    }

    /// The content of the file at `path` (at most `limit` bytes) in a new buffer.
    private static func read(_ path: String, limit: Int) throws -> UnsafeMutableRawBufferPointer {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw DeltaError(.stagingFailed, SystemError.last("open \(path)").message) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else {
            throw DeltaError(.stagingFailed, "\(path) is no longer a file of at most \(limit) bytes, the old content of a patch")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, Int(info.st_size)), alignment: 16)
        var count = 0
        while count < Int(info.st_size) {
            let result = Glibc.read(fd, buffer.baseAddress! + count, Int(info.st_size) - count)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                buffer.deallocate()
                throw DeltaError(.stagingFailed, result < 0 ? SystemError.last("read \(path)").message : "\(path) became shorter while it was read")
            }
            count += result
        }
        return UnsafeMutableRawBufferPointer(rebasing: buffer[..<count])
    }
}

/// A decoder of one delta object or patch, fed its bytes as they arrive.
protocol ContentStreamDecoder: AnyObject {
    /// The bytes of content made so far.
    var totalOut: Int64 { get }
    /// Decodes the next bytes, handing the content to `sink` chunk by chunk.
    func feed(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Checks that the object or patch ended.
    func finish() throws
}

extension GzipStreamDecoder: ContentStreamDecoder {}
