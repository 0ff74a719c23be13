import Foundation
import Testing
@testable import OTA

@Suite("minisign signatures made by the real tool")
struct MinisignTests {
    static let payload = Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })

    func error(_ body: () throws -> Void) throws -> VerificationError {
        try #require(throws: VerificationError.self) { try body() }
    }

    @Test("both formats verify, with the trusted comment read back", arguments: [false, true])
    func validSignature(legacy: Bool) throws {
        let fixture = try MinisignFixture()
        let path = try fixture.write("app.tar.gz", Self.payload)
        let data = try fixture.sign(path, legacy: legacy, trustedComment: "timestamp:1 file:app.tar.gz version:1.2.0")
        let signature = try MinisignSignature(contents: data, fileName: "app.tar.gz.minisig")
        #expect(signature.algorithm == (legacy ? .legacy : .prehashed))
        #expect(signature.trustedComment == "timestamp:1 file:app.tar.gz version:1.2.0")
        #expect(signature.untrustedComment.hasPrefix("signature from minisign secret key"))
        let key = try fixture.publicKey
        #expect(signature.keyID == key.keyID)
        try key.verify(signature, fileAt: path, signatureName: "app.tar.gz.minisig")
        try key.verify(signature, data: Self.payload, dataName: "app.tar.gz", signatureName: "app.tar.gz.minisig")
    }

    @Test("the default signature of this minisign is prehashed (ED)")
    func defaultIsPrehashed() throws {
        let fixture = try MinisignFixture()
        let path = try fixture.write("f", Self.payload)
        let signature = try MinisignSignature(contents: fixture.sign(path), fileName: "f.minisig")
        #expect(signature.algorithm == .prehashed)
    }

    @Test("an empty file and a multi-block file verify in both formats", arguments: [0, 128, 129, 3 * 1024 * 1024 + 5], [false, true])
    func sizes(count: Int, legacy: Bool) throws {
        let fixture = try MinisignFixture()
        let path = try fixture.write("f", Data(BLAKE2bTests.bytes(count, seed: 9)))
        let signature = try MinisignSignature(contents: fixture.sign(path, legacy: legacy), fileName: "f.minisig")
        try fixture.publicKey.verify(signature, fileAt: path, signatureName: "f.minisig")
    }

    @Test("the key id is printed as minisign prints it, and the key reads from a file or its base64 line")
    func keyID() throws {
        let fixture = try MinisignFixture()
        let contents = try fixture.publicKeyFileContents
        let lines = contents.split(separator: "\n")
        let key = try fixture.publicKey
        #expect(lines[0] == "untrusted comment: minisign public key \(key.keyIDString)")
        #expect(try MinisignPublicKey(base64: String(lines[1])) == key)
        #expect(try MinisignPublicKey(fileContents: String(lines[1]) + "\n") == key)
        #expect(key.base64 == String(lines[1]))
        #expect(MinisignPublicKey.display(keyID: [0x1F, 0xE8, 0xB4, 0x42, 0x18, 0x0F, 0x62, 0x07]) == "7620F1842B4E81F")
    }

    @Test("a signature by another key pair is refused with both key ids")
    func wrongKey() throws {
        let fixture = try MinisignFixture()
        let other = try MinisignFixture("other", directory: fixture.directory)
        let path = try fixture.write("f", Self.payload)
        let signature = try MinisignSignature(contents: fixture.sign(path), fileName: "f.minisig")
        let otherKey = try other.publicKey
        let failure = try error { try otherKey.verify(signature, fileAt: path, signatureName: "f.minisig") }
        #expect(failure.code == .keyIDMismatch)
        #expect(failure.message.contains(try fixture.publicKey.keyIDString))
        #expect(failure.message.contains(otherKey.keyIDString))
        // minisign itself names the same ids.
        let toolError = try fixture.tool.run(["-V", "-p", other.publicKeyPath, "-m", path]).errors
        #expect(toolError.contains(signature.keyIDString) && toolError.contains(otherKey.keyIDString))
    }

    @Test("a key with the signer's id but other key bytes is refused: the signature does not verify")
    func forgedKeyID() throws {
        let fixture = try MinisignFixture()
        let other = try MinisignFixture("other", directory: fixture.directory)
        let path = try fixture.write("f", Self.payload)
        let signature = try MinisignSignature(contents: fixture.sign(path), fileName: "f.minisig")
        let forged = try MinisignPublicKey(base64: Data(Array("Ed".utf8) + fixture.publicKey.keyID + other.publicKey.rawKey).base64EncodedString())
        #expect(try error { try forged.verify(signature, fileAt: path, signatureName: "f.minisig") }.code == .invalidSignature)
    }

    @Test("one flipped bit in the file is refused, in both formats", arguments: [false, true], [0, 2500, 4999])
    func tamperedFile(legacy: Bool, index: Int) throws {
        let fixture = try MinisignFixture()
        let path = try fixture.write("f", Self.payload)
        let signature = try MinisignSignature(contents: fixture.sign(path, legacy: legacy), fileName: "f.minisig")
        try fixture.write("f", Self.payload.flippingBit(3, at: index))
        let failure = try error { try fixture.publicKey.verify(signature, fileAt: path, signatureName: "f.minisig") }
        #expect(failure.code == .invalidSignature)
        #expect(try !fixture.toolAccepts(path, signature: path + ".minisig"))
    }

    @Test("an altered trusted comment is refused, in both formats", arguments: [false, true])
    func tamperedTrustedComment(legacy: Bool) throws {
        let fixture = try MinisignFixture()
        let path = try fixture.write("f", Self.payload)
        let original = String(decoding: try fixture.sign(path, legacy: legacy, trustedComment: "version:1.2.0"), as: UTF8.self)
        let altered = original.replacingOccurrences(of: "trusted comment: version:1.2.0", with: "trusted comment: version:9.9.9")
        #expect(altered != original)
        let signature = try MinisignSignature(contents: Data(altered.utf8), fileName: "f.minisig")
        let failure = try error { try fixture.publicKey.verify(signature, fileAt: path, signatureName: "f.minisig") }
        #expect(failure.code == .invalidTrustedCommentSignature)
    }

    @Test("an altered global signature is refused")
    func tamperedGlobalSignature() throws {
        let fixture = try MinisignFixture()
        let path = try fixture.write("f", Self.payload)
        var lines = String(decoding: try fixture.sign(path), as: UTF8.self).split(separator: "\n").map(String.init)
        let global = try #require(Data(base64Encoded: lines[3]))
        lines[3] = global.flippingBit(at: 10).base64EncodedString()
        let signature = try MinisignSignature(contents: Data(lines.joined(separator: "\n").utf8), fileName: "f.minisig")
        let failure = try error { try fixture.publicKey.verify(signature, fileAt: path, signatureName: "f.minisig") }
        #expect(failure.code == .invalidTrustedCommentSignature)
    }

    @Test("a valid signature of another file is refused", arguments: [false, true])
    func swappedSignature(legacy: Bool) throws {
        let fixture = try MinisignFixture()
        let first = try fixture.write("first", Self.payload)
        let second = try fixture.write("second", Data("another release".utf8))
        try fixture.sign(first, legacy: legacy)
        let signatureOfSecond = try MinisignSignature(contents: fixture.sign(second, legacy: legacy), fileName: "second.minisig")
        let failure = try error { try fixture.publicKey.verify(signatureOfSecond, fileAt: first, signatureName: "second.minisig") }
        #expect(failure.code == .invalidSignature)
    }

    @Test("a legacy signature over a file above the cap is refused with advice, before reading it")
    func legacyCap() throws {
        let fixture = try MinisignFixture()
        let small = try fixture.write("small", Self.payload)
        let signature = try MinisignSignature(contents: fixture.sign(small, legacy: true), fileName: "big.minisig")
        let big = fixture.directory.url("big")
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.truncate(atOffset: UInt64(MinisignPublicKey.legacyMaximumFileByteCount + 1))
        try handle.close()
        let failure = try error { try fixture.publicKey.verify(signature, fileAt: big, signatureName: "big.minisig") }
        #expect(failure.code == .legacySignatureFileTooLarge)
        #expect(failure.message.contains("without -l"))
    }

    @Test("a missing file is an unreadable-file error naming it")
    func missingFile() throws {
        let fixture = try MinisignFixture()
        let path = try fixture.write("f", Self.payload)
        let signature = try MinisignSignature(contents: fixture.sign(path), fileName: "f.minisig")
        let failure = try error { try fixture.publicKey.verify(signature, fileAt: path + ".gone", signatureName: "f.minisig") }
        #expect(failure.code == .unreadableFile)
        #expect(failure.message.contains("f.gone"))
        #expect(failure.underlying?.errno == ENOENT)
    }
}
