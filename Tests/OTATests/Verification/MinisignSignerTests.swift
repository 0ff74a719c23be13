import Foundation
import Testing
@testable import OTA

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
