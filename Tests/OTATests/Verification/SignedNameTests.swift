import Foundation
import Testing
@testable import OTA

@Suite("What a signature binds: the signed file's name")
struct SignedNameTests {
    @Test("a validly signed app-1.0.0 file relabelled as app-3.0.0 is refused, naming both files")
    func relabelledArtifact() throws {
        let fixture = try ReleaseFixture(name: "app-3.0.0-linux-x86_64.tar.gz")
        let original = "app-1.0.0-linux-x86_64.tar.gz"
        let signature = try fixture.signature(of: fixture.contents, as: original)
        let material = VerificationMaterial(signatures: ["\(fixture.name).minisig": signature])
        let verifier = try ArtifactVerifier(publicKey: fixture.minisign.publicKey)
        let error = try #require(throws: VerificationError.self) { try verifier.verify(fixture.downloaded(), material: material) }
        #expect(error.code == .signedNameMismatch)
        #expect(error.message.contains(original) && error.message.contains(fixture.name))
    }

    @Test("a signature whose trusted comment names no file binds nothing and is refused")
    func commentWithoutFile() throws {
        let fixture = try ReleaseFixture()
        let material = VerificationMaterial(signatures: ["\(fixture.name).minisig": try fixture.artifactSignature(trustedComment: "release 1.2.0")])
        let verifier = try ArtifactVerifier(publicKey: fixture.minisign.publicKey)
        let error = try #require(throws: VerificationError.self) { try verifier.verify(fixture.downloaded(), material: material) }
        #expect(error.code == .signedNameMissing)
        #expect(error.message.contains(fixture.name))
    }

    @Test("a signed checksums file of another name (another product's) is refused")
    func checksumsSignedUnderAnotherName() throws {
        let fixture = try ReleaseFixture()
        let sums = fixture.checksums()
        let material = VerificationMaterial(checksumsFile: .init(name: "SHA256SUMS", contents: sums),
                                            signatures: ["SHA256SUMS.minisig": try fixture.signature(of: sums, as: "checksums-other.txt")])
        let verifier = try ArtifactVerifier(publicKey: fixture.minisign.publicKey)
        let error = try #require(throws: VerificationError.self) { try verifier.verify(fixture.downloaded(), material: material) }
        #expect(error.code == .signedNameMismatch)
        #expect(error.message.contains("checksums-other.txt") && error.message.contains("SHA256SUMS"))
    }

    @Test("the signed name is read from minisign's and other trusted comments", arguments: [
        ("timestamp:1796575361\tfile:app 1.tar.gz\thashed", "app 1.tar.gz"),
        ("timestamp:1 file:app.tar.gz version:1.2.0", "app.tar.gz"),
        ("file:dist/app.tar.gz", "app.tar.gz"),
        ("version:1.2.0", nil),
        ("file:", nil),
    ] as [(String, String?)])
    func signedFileName(comment: String, expected: String?) throws {
        let fixture = try ReleaseFixture()
        let signature = try MinisignSignature(contents: fixture.artifactSignature(trustedComment: comment), fileName: "x.minisig")
        #expect(signature.signedFileName == expected)
    }
}
