import CZstd

/// zstd patches of one content against another, as `zstd --patch-from=OLD` makes them: one zstd frame of the
/// new content compressed with the old content as a prefix (``make(from:to:)``, the publisher's side);
/// `ZstdPatchDecoder` decodes one on the device.
///
/// A patch is made and used only when both contents are at most ``maxContentBytes``: the device holds the old
/// content and the decoder's window (at most the new content) while it decodes, for up to 4 patches at a time.
public enum ZstdPatch {
    /// The largest old or new content a patch is made for or decoded against (1 MiB).
    public static let maxContentBytes: Int64 = 1 << 20
    /// The largest window (log2) a patch may need: the old and new content together, rounded up.
    static let maxWindowLog: Int32 = 21
    /// The compression level of the patches `ota publish add` and `ota sign --index` make.
    static let level: Int32 = 19

    /// The patch that makes `new` from `old` (each at most ``maxContentBytes``): level 19, `old` as the prefix,
    /// a window covering both (as `zstd --patch-from` sets it), the content size in the frame header.
    /// - Throws: ``ArchiveError`` when libzstd fails.
    public static func make(from old: [UInt8], to new: [UInt8]) throws(ArchiveError) -> [UInt8] {
        try make(from: old, to: new, maxWindowLog: maxWindowLog)
    }

    /// The patch that makes `new` from `old` with a window covering both of at most 2^`maxWindowLog` bytes.
    static func make(from old: [UInt8], to new: [UInt8], maxWindowLog: Int32) throws(ArchiveError) -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { throw ArchiveError(.io, "libzstd could not create a compression context") }
        defer { ZSTD_freeCCtx(context) }
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level))
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, windowLog(forBytes: old.count + new.count, max: maxWindowLog)))
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(new.count))
        let capacity = output.count
        let written = old.withUnsafeBytes { prefix in
            new.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { destination -> Int in
                    let referenced = ZSTD_CCtx_refPrefix(context, prefix.baseAddress, prefix.count)
                    guard ZSTD_isError(referenced) == 0 else { return referenced }
                    return ZSTD_compress2(context, destination.baseAddress, capacity, source.baseAddress, source.count)
                }
            }
        }
        try check(written)
        output.removeSubrange(written...)
        return output
    }

    /// The window (log2) for `bytes` of old and new content together: the next power of two above them,
    /// at least libzstd's minimum, at most `max`.
    static func windowLog(forBytes bytes: Int, max: Int32 = maxWindowLog) -> Int32 {
        var log: Int32 = 10
        while log < max && (1 << log) < bytes { log += 1 }
        return log
    }

    /// Turns a libzstd result that is an error code into an ``ArchiveError``.
    static func check(_ result: Int) throws(ArchiveError) {
        guard ZSTD_isError(result) != 0 else { return }
        throw ArchiveError(.corruptCompression, "libzstd: \(String(cString: ZSTD_getErrorName(result)))")
    }
}
