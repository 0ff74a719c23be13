import Foundation
import Testing
@testable import OTA

@Suite("BLAKE2b (RFC 7693)")
struct BLAKE2bTests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Deterministic pseudo-random bytes (xorshift), so a failure is reproducible.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        var result = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            result[index] = UInt8(truncatingIfNeeded: state)
        }
        return result
    }

    @Test("RFC 7693 Appendix A: BLAKE2b-512(\"abc\")")
    func rfcVector() {
        #expect(Self.hex(BLAKE2b.hash(Array("abc".utf8))) == """
            ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1\
            7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923
            """)
    }

    @Test("the empty input has the published BLAKE2b-512 digest")
    func emptyInput() {
        let expected = """
            786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419\
            d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce
            """
        #expect(Self.hex(BLAKE2b.hash([UInt8]())) == expected)
        var hasher = BLAKE2b()
        hasher.update(Data())
        hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(Self.hex(hasher.finalize()) == expected)
    }

    @Test("the quick brown fox, and a one-character change, give the published digests")
    func knownPhrase() {
        #expect(Self.hex(BLAKE2b.hash(Array("The quick brown fox jumps over the lazy dog".utf8))) == """
            a8add4bdddfd93e4877d2746e62817b116364a1fa7bc148d95090bc7333b3673\
            f82401cf7aa2e4cb1ecd90296e3f14cb5413f8ed77be73045b13914cdcd6a918
            """)
        #expect(Self.hex(BLAKE2b.hash(Array("The quick brown fox jumps over the lazy dof".utf8))) == """
            ab6b007747d8068c02e25a6008db8a77c218d94f3b40d2291a7dc8a62090a744\
            c082ea27af01521a102e42f480a31e9844053f456b4b41e8aa78bbe5c12957bb
            """)
    }

    @Test("chunking never changes the digest", arguments: [1, 3, 64, 127, 128, 129, 255, 256, 1000])
    func chunkingInvariant(chunk: Int) {
        let data = Self.bytes(3 * 128 + 17, seed: UInt64(chunk))
        var hasher = BLAKE2b()
        var offset = 0
        while offset < data.count {
            hasher.update(data[offset..<min(offset + chunk, data.count)])
            offset += chunk
        }
        #expect(hasher.finalize() == BLAKE2b.hash(data))
    }

    @Test("shorter digests are their own hash, not a truncation (digest length is in the parameter block)")
    func digestLength() {
        let short = BLAKE2b.hash(Array("abc".utf8), digestByteCount: 32)
        #expect(short.count == 32)
        #expect(short != Array(BLAKE2b.hash(Array("abc".utf8)).prefix(32)))
        #expect(Self.hex(short) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
    }

    @Test("matches Python's hashlib.blake2b over many lengths, chunkings and digest sizes")
    func crossCheckWithPython() throws {
        let python = try ExternalTool.python()
        let directory = try TemporaryDirectory("blake2b")
        let lengths = [0, 1, 2, 63, 64, 65, 111, 112, 127, 128, 129, 255, 256, 257, 383, 384, 385, 1000, 4096, 65_537,
                       1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 77]
        var cases: [(path: String, data: [UInt8], digestSize: Int)] = []
        for (index, length) in lengths.enumerated() {
            let path = directory.url("input-\(index)")
            let data = Self.bytes(length, seed: UInt64(length) &* 7919 &+ 1)
            try Data(data).write(to: URL(fileURLWithPath: path))
            cases.append((path, data, index % 5 == 4 ? [1, 20, 32, 48][index % 4] : 64))
        }
        let script = """
            import hashlib, sys
            args = sys.argv[1:]
            for path, size in zip(args[0::2], args[1::2]):
                print(hashlib.blake2b(open(path, 'rb').read(), digest_size=int(size)).hexdigest())
            """
        let arguments = ["-c", script] + cases.flatMap { [$0.path, String($0.digestSize)] }
        let expected = try python.succeed(arguments).output.split(separator: "\n").map(String.init)
        try #require(expected.count == cases.count)
        for (index, testCase) in cases.enumerated() {
            let whole = BLAKE2b.hash(testCase.data, digestByteCount: testCase.digestSize)
            #expect(Self.hex(whole) == expected[index], "length \(testCase.data.count)")
            // The same input fed in irregular chunks (1…300 bytes, then larger runs).
            var hasher = BLAKE2b(digestByteCount: testCase.digestSize)
            var offset = 0, step = 1
            while offset < testCase.data.count {
                let end = min(offset + step, testCase.data.count)
                hasher.update(testCase.data[offset..<end])
                offset = end
                step = step < 300 ? step * 2 + 1 : 65_536 + step % 7
            }
            #expect(Self.hex(hasher.finalize()) == expected[index], "chunked, length \(testCase.data.count)")
        }
    }

    @Test("a file streamed in chunks hashes like b2sum would (checked via Python)")
    func streamedFile() throws {
        let python = try ExternalTool.python()
        let directory = try TemporaryDirectory("blake2b-file")
        let path = directory.url("big.bin")
        try Data(Self.bytes(5 * (1 << 20) + 123, seed: 42)).write(to: URL(fileURLWithPath: path))
        var hasher = BLAKE2b()
        try ChunkedFileReader.forEachChunk(ofFileAt: path) { hasher.update($0) }
        let expected = try python.succeed(["-c", "import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],'rb').read()).hexdigest())", path])
        #expect(Self.hex(hasher.finalize()) == expected.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
