import Foundation
import Testing
@testable import OTA
import OTASigning

@Suite("MinisignSigner")
struct MinisignSignerTests {
    @Test("our signatures verify with our verifier and with the real minisign tool; tampering is caught")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("release.tar.gz", String(repeating: "payload ", count: 10_000))
        let signer = MinisignSigner()
        let signature = try signer.signature(forFileAt: file, trustedComment: "timestamp:1 file:release.tar.gz")
        try signature.write(to: URL(fileURLWithPath: file + ".minisig"))
        let parsed = try MinisignSignature(contents: signature, fileName: "release.tar.gz.minisig")
        try signer.publicKey.verify(parsed, fileAt: file, signatureName: "release.tar.gz.minisig")
        #expect(parsed.trustedComment == "timestamp:1 file:release.tar.gz")

        let minisign = Process()
        minisign.executableURL = URL(fileURLWithPath: "/usr/bin/minisign")
        minisign.arguments = ["-V", "-q", "-P", signer.publicKey.base64, "-m", file]
        minisign.standardOutput = FileHandle.nullDevice
        minisign.standardError = FileHandle.nullDevice
        try minisign.run()
        minisign.waitUntilExit()
        #expect(minisign.terminationStatus == 0, "minisign -V accepts our signature")

        try directory.write("release.tar.gz", String(repeating: "payload ", count: 10_000) + "!")
        #expect(throws: VerificationError.self) { try signer.publicKey.verify(parsed, fileAt: file, signatureName: "x.minisig") }
        #expect(throws: VerificationError.self) { try MinisignSigner().publicKey.verify(parsed, fileAt: file, signatureName: "x.minisig") }
    }
}

@Suite("MinisignSecretKey")
struct MinisignSecretKeyTests {
    @Test("our key files read back; minisign -G -W's keys sign for minisign -V; a password-protected key is refused clearly")
    func keyFiles() throws {
        let key = MinisignSecretKey()
        let reread = try MinisignSecretKey(fileContents: key.fileContents, fileName: "k.key")
        #expect(reread.publicKey == key.publicKey)
        #expect(try MinisignPublicKey(fileContents: key.publicKeyFileContents) == key.publicKey)

        let fixture = try MinisignFixture()
        let theirs = try MinisignSecretKey(fromFile: fixture.secretKeyPath)
        #expect(theirs.publicKey == (try fixture.publicKey))
        let file = try fixture.write("app.tar.gz", Data("bytes".utf8))
        try MinisignSigner(secretKey: theirs).signature(forFileAt: file).write(to: URL(fileURLWithPath: file + ".minisig"))
        #expect(try fixture.toolAccepts(file, signature: file + ".minisig"))

        var damaged = [UInt8](Data(base64Encoded: String(key.fileContents.split(separator: "\n")[1]))!)
        damaged[100] ^= 1
        let damagedText = "untrusted comment: x\n\(Data(damaged).base64EncodedString())\n"
        #expect(throws: VerificationError.self) { try MinisignSecretKey(fileContents: damagedText, fileName: "k.key") }
        damaged[2] = UInt8(ascii: "S"); damaged[3] = UInt8(ascii: "c")
        let encrypted = "untrusted comment: x\n\(Data(damaged).base64EncodedString())\n"
        let error = try #require(throws: VerificationError.self) { try MinisignSecretKey(fileContents: encrypted, fileName: "k.key") }
        #expect(error.code == .encryptedSecretKey)
    }
}
