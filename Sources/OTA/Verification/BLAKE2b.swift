import Foundation

/// BLAKE2b (RFC 7693), unkeyed, streaming: the hash minisign's prehashed `ED` signatures sign.
///
/// Feed the input in any number of ``update(_:)-(DataProtocol)`` calls of any size, then call ``finalize()`` once.
/// Memory stays constant whatever the input's length.
///
/// ```swift
/// var hasher = BLAKE2b()
/// hasher.update(Data("abc".utf8))
/// let digest = hasher.finalize()   // 64 bytes, starts ba 80 a5 3f …
/// ```
///
/// - Important: `swift-crypto` has no BLAKE2b, so this is our own implementation of RFC 7693 §3
///   (64-bit words, 12 rounds, 128-byte blocks), checked against the RFC's vector and Python's `hashlib`.
public struct BLAKE2b: Sendable {
    /// The block size in bytes.
    public static let blockByteCount = 128
    /// The largest (and default) digest size in bytes: BLAKE2b-512.
    public static let maximumDigestByteCount = 64

    /// The initialization vector of RFC 7693 §2.6 (the SHA-512 IV).
    static let iv = ChainValue(
        h0: 0x6A09_E667_F3BC_C908, h1: 0xBB67_AE85_84CA_A73B, h2: 0x3C6E_F372_FE94_F82B, h3: 0xA54F_F53A_5F1D_36F1,
        h4: 0x510E_527F_ADE6_82D1, h5: 0x9B05_688C_2B3E_6C1F, h6: 0x1F83_D9AB_FB41_BD6B, h7: 0x5BE0_CD19_137E_2179)

    /// Eight 64-bit words: the chained state `h[0..7]`, or the IV. Plain fields keep them in registers.
    struct ChainValue: Sendable {
        var h0, h1, h2, h3, h4, h5, h6, h7: UInt64

        var words: [UInt64] { [h0, h1, h2, h3, h4, h5, h6, h7] }
    }

    /// The digest size asked for at init, in bytes.
    public let digestByteCount: Int
    /// The chained state `h[0..7]`.
    var state: ChainValue
    /// Bytes not compressed yet: always the last 1…128 bytes seen, because the final block must be
    /// compressed with the final flag and is only known to be final at ``finalize()``.
    var buffer: [UInt8]
    var bufferCount = 0
    /// The 128-bit byte counter `t`, low and high words.
    var countLow: UInt64 = 0
    var countHigh: UInt64 = 0

    /// A fresh hasher producing `digestByteCount` bytes (1…64; 64 is BLAKE2b-512, what minisign uses).
    public init(digestByteCount: Int = BLAKE2b.maximumDigestByteCount) {
        precondition((1...Self.maximumDigestByteCount).contains(digestByteCount), "BLAKE2b digests are 1 to 64 bytes")
        self.digestByteCount = digestByteCount
        state = Self.iv
        // Parameter block (RFC 7693 §2.5): fanout 1, depth 1, no key, digest length nn.
        state.h0 ^= 0x0101_0000 ^ UInt64(digestByteCount)
        buffer = [UInt8](repeating: 0, count: Self.blockByteCount)
    }

    /// Hashes more input.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let total = bytes.count
        var offset = 0
        let room = Self.blockByteCount - bufferCount
        // The buffer is moved out while it is used, so that `compress` may mutate `self`.
        var pending = [UInt8]()
        swap(&pending, &buffer)
        defer { swap(&pending, &buffer) }
        if total > room {
            // The buffer fills up and more input follows, so its block is not the last one.
            pending.withUnsafeMutableBytes { raw in
                raw.baseAddress!.advanced(by: bufferCount).copyMemory(from: base, byteCount: room)
                compress(UnsafeRawPointer(raw.baseAddress!), byteCount: Self.blockByteCount, isFinal: false)
            }
            bufferCount = 0
            offset = room
            while total - offset > Self.blockByteCount {
                compress(base + offset, byteCount: Self.blockByteCount, isFinal: false)
                offset += Self.blockByteCount
            }
        }
        let rest = total - offset
        pending.withUnsafeMutableBytes { raw in
            raw.baseAddress!.advanced(by: bufferCount).copyMemory(from: base + offset, byteCount: rest)
        }
        bufferCount += rest
    }

    /// Hashes more input given as any byte collection (`Data`, `[UInt8]`, a `Data` slice, …).
    public mutating func update(_ data: some DataProtocol) {
        for region in data.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// Ends the hash and returns the digest (``digestByteCount`` bytes).
    ///
    /// - Important: call it once; the hasher is spent afterwards (copy it first to keep hashing).
    public mutating func finalize() -> [UInt8] {
        let last = bufferCount
        var pending = [UInt8]()
        swap(&pending, &buffer)
        defer { swap(&pending, &buffer) }
        pending.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            (base + last).initializeMemory(as: UInt8.self, repeating: 0, count: Self.blockByteCount - last)
            compress(UnsafeRawPointer(base), byteCount: last, isFinal: true)
        }
        bufferCount = 0
        var digest = [UInt8]()
        digest.reserveCapacity(Self.maximumDigestByteCount)
        for word in state.words {
            for shift in stride(from: 0, to: 64, by: 8) {
                digest.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return Array(digest.prefix(digestByteCount))
    }

    /// The BLAKE2b digest of `data` in one call.
    public static func hash(_ data: some DataProtocol, digestByteCount: Int = maximumDigestByteCount) -> [UInt8] {
        var hasher = BLAKE2b(digestByteCount: digestByteCount)
        hasher.update(data)
        return hasher.finalize()
    }
}
