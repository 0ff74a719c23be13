import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Writes one delta object into the staged tree as its compressed bytes arrive: inflates them (or decodes a
/// patch against its old content), hashes the content, and checks the size and SHA-256 the index gives when
/// the object ends (and a patch's length).
final class DeltaObjectWriter {
    /// The most compressed bytes a content of `size` bytes may take: gzip never grows content by more than a
    /// few bytes per 16 KiB block, plus its header and trailer.
    static func compressedLimit(forSize size: Int64) -> Int64 {
        let (limit, overflow) = size.addingReportingOverflow(size / 64 + 1024)
        return overflow ? Int64.max : limit
    }

    private let request: DeltaObjectFetcher.Request
    private let fd: Int32
    private let decoder: any ContentStreamDecoder
    private var hasher = SHA256()
    private let compressedLimit: Int64
    private var compressed: Int64 = 0

    /// Creates the staged file of `request` (it must not exist).
    init(_ request: DeltaObjectFetcher.Request) throws {
        self.request = request
        if let (patch, oldPath) = request.patch {
            compressedLimit = patch.length
            decoder = try ZstdPatchDecoder(oldContentAt: oldPath, limit: request.size)
        } else {
            compressedLimit = Self.compressedLimit(forSize: request.size)
            decoder = try GzipStreamDecoder(limit: request.size)
        }
        fd = open(request.destination, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DeltaError(.stagingFailed, SystemError.last("create \(request.destination)").message) }
    }

    deinit { close(fd) }

    /// The bytes of content written so far.
    var contentBytes: Int64 { decoder.totalOut }

    /// Inflates the next compressed bytes into the file.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        compressed += Int64(bytes.count)
        guard compressed <= compressedLimit else {
            throw DeltaError(.objectUnavailable, "the \(request.patch == nil ? "object" : "patch of") \(request.sha256) is larger than \(compressedLimit) bytes compressed")
        }
        try decoder.feed(bytes) { output in
            hasher.update(bufferPointer: output)
            try Syscall.writeAll(fd, output, "write \(request.destination)")
        }
    }

    /// Checks that the object ended with the index's size and SHA-256, and gives the file its mode.
    func finish() throws {
        try decoder.finish()
        if let patch = request.patch?.patch, compressed != patch.length {
            throw DeltaError(.objectUnavailable, "the patch \(patch.relativePath) is \(compressed) bytes, not the \(patch.length) bytes the index says")
        }
        let digest = Hex.lowercase(hasher.finalize())
        guard decoder.totalOut == request.size, digest == request.sha256 else {
            throw DeltaError(.objectUnavailable, "the \(request.patch == nil ? "object" : "patch of") \(request.sha256) makes \(decoder.totalOut) bytes with SHA-256 \(digest), not the \(request.size) bytes the index says")
        }
        guard fchmod(fd, mode_t(request.mode)) == 0 else { throw DeltaError(.stagingFailed, SystemError.last("chmod \(request.destination)").message) }
    }
}
