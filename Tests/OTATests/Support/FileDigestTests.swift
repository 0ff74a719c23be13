import Crypto
import Foundation
import Testing
@testable import OTA

@Suite("Support: SHA-256 of a file, streamed in chunks")
struct FileDigestTests {
    @Test("the digest is sha256sum's for files around the chunk size",
          arguments: [0, 1, FileDigest.chunkSize - 1, FileDigest.chunkSize, FileDigest.chunkSize + 1, 3 * FileDigest.chunkSize + 17])
    func digest(size: Int) throws {
        let temp = try TemporaryDirectory()
        let bytes = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) })
        let path = try temp.write("file", bytes)
        let expected = Hex.lowercase(SHA256.hash(data: bytes))
        #expect(try FileDigest.sha256(ofFileAt: path) == expected)
        let small = UnsafeMutableRawBufferPointer.allocate(byteCount: 4093, alignment: 16)
        defer { small.deallocate() }
        #expect(try FileDigest.sha256(ofFileAt: path, reusing: small) == expected)
    }

    @Test("SHA-384 and SHA-512 digests are sha384sum's and sha512sum's")
    func otherFunctions() throws {
        let temp = try TemporaryDirectory()
        let bytes = Data((0..<(FileDigest.chunkSize + 5)).map { UInt8(truncatingIfNeeded: $0 &* 13) })
        let path = try temp.write("file", bytes)
        #expect(try FileDigest.hex(ofFileAt: path, using: SHA384.self) == Hex.lowercase(SHA384.hash(data: bytes)))
        #expect(try FileDigest.hex(ofFileAt: path, using: SHA512.self) == Hex.lowercase(SHA512.hash(data: bytes)))
    }

    @Test("update hashes only the first limit bytes and reports fewer when the file is shorter")
    func prefix() throws {
        let temp = try TemporaryDirectory()
        let bytes = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0) })
        let path = try temp.write("file", bytes)
        var hasher = SHA256()
        #expect(try FileDigest.update(&hasher, withFileAt: path, limit: 100_001) == 100_001)
        #expect(hasher.finalize() == SHA256.hash(data: bytes.prefix(100_001)))
        var whole = SHA256()
        #expect(try FileDigest.update(&whole, withFileAt: path, limit: 400_000) == 300_000)
    }

    @Test("a missing file is an error naming it")
    func missing() throws {
        let temp = try TemporaryDirectory()
        let path = temp.url("absent")
        #expect(throws: SystemError("open \(path)", errno: ENOENT)) { try FileDigest.sha256(ofFileAt: path) }
    }
}
