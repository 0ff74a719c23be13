/// The compression function F of RFC 7693 §3.2.
///
/// The twelve rounds are written out with their message schedule (`SIGMA`) as literal offsets, so that
/// after inlining every message word is a direct load and the working vector lives in registers.
extension BLAKE2b {
    /// The working vector `v[0..15]`, as sixteen fields so that the optimizer keeps it in registers.
    struct WorkingVector {
        var v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15: UInt64
    }

    /// A message schedule row: the order in which one round reads the block's sixteen words.
    typealias Schedule = (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int)

    /// Counts `byteCount` more input bytes and mixes the 128-byte block at `block` into the state.
    mutating func compress(_ block: UnsafeRawPointer, byteCount: Int, isFinal: Bool) {
        let (low, overflow) = countLow.addingReportingOverflow(UInt64(byteCount))
        countLow = low
        if overflow { countHigh &+= 1 }
        let h = state, iv = Self.iv
        var v = WorkingVector(
            v0: h.h0, v1: h.h1, v2: h.h2, v3: h.h3, v4: h.h4, v5: h.h5, v6: h.h6, v7: h.h7,
            v8: iv.h0, v9: iv.h1, v10: iv.h2, v11: iv.h3,
            v12: iv.h4 ^ countLow, v13: iv.h5 ^ countHigh, v14: isFinal ? ~iv.h6 : iv.h6, v15: iv.h7)
        round(&v, block, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
        round(&v, block, (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3))
        round(&v, block, (11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4))
        round(&v, block, (7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8))
        round(&v, block, (9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13))
        round(&v, block, (2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9))
        round(&v, block, (12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11))
        round(&v, block, (13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10))
        round(&v, block, (6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5))
        round(&v, block, (10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0))
        // Rounds 10 and 11 reuse the schedules of rounds 0 and 1.
        round(&v, block, (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
        round(&v, block, (14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3))
        state.h0 ^= v.v0 ^ v.v8
        state.h1 ^= v.v1 ^ v.v9
        state.h2 ^= v.v2 ^ v.v10
        state.h3 ^= v.v3 ^ v.v11
        state.h4 ^= v.v4 ^ v.v12
        state.h5 ^= v.v5 ^ v.v13
        state.h6 ^= v.v6 ^ v.v14
        state.h7 ^= v.v7 ^ v.v15
    }

    /// One round: the mixing function G on the four columns, then on the four diagonals.
    @inline(__always)
    private func round(_ v: inout WorkingVector, _ block: UnsafeRawPointer, _ s: Schedule) {
        @inline(__always) func m(_ index: Int) -> UInt64 {
            UInt64(littleEndian: block.loadUnaligned(fromByteOffset: index &* 8, as: UInt64.self))
        }
        mix(&v.v0, &v.v4, &v.v8, &v.v12, m(s.0), m(s.1))
        mix(&v.v1, &v.v5, &v.v9, &v.v13, m(s.2), m(s.3))
        mix(&v.v2, &v.v6, &v.v10, &v.v14, m(s.4), m(s.5))
        mix(&v.v3, &v.v7, &v.v11, &v.v15, m(s.6), m(s.7))
        mix(&v.v0, &v.v5, &v.v10, &v.v15, m(s.8), m(s.9))
        mix(&v.v1, &v.v6, &v.v11, &v.v12, m(s.10), m(s.11))
        mix(&v.v2, &v.v7, &v.v8, &v.v13, m(s.12), m(s.13))
        mix(&v.v3, &v.v4, &v.v9, &v.v14, m(s.14), m(s.15))
    }

    /// The mixing function G of RFC 7693 §3.1, rotation constants R1…R4 = 32, 24, 16, 63.
    @inline(__always)
    private func mix(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64, _ x: UInt64, _ y: UInt64) {
        a = a &+ b &+ x
        d = rotateRight(d ^ a, 32)
        c = c &+ d
        b = rotateRight(b ^ c, 24)
        a = a &+ b &+ y
        d = rotateRight(d ^ a, 16)
        c = c &+ d
        b = rotateRight(b ^ c, 63)
    }

    @inline(__always)
    private func rotateRight(_ x: UInt64, _ n: UInt64) -> UInt64 {
        (x &>> n) | (x &<< (64 &- n))
    }
}
