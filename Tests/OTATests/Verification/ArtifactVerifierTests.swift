import Foundation
import Testing
@testable import OTA

@Suite("Artifact verification")
struct ArtifactVerifierTests {
    func failure(_ verifier: ArtifactVerifier, _ downloaded: DownloadedArtifact, _ material: VerificationMaterial = .init()) throws -> VerificationError {
        try #require(throws: VerificationError.self) { try verifier.verify(downloaded, material: material) }
    }

    func sums(_ data: Data, _ name: String = "SHA256SUMS") -> VerificationMaterial.NamedFile {
        .init(name: name, contents: data)
    }

    // MARK: Failures

    @Test("a size other than the announced one is refused, whether counted or on disk")
    func sizeMismatch() throws {
        let fixture = try ReleaseFixture()
        let announced = try failure(ArtifactVerifier(), fixture.downloaded(size: fixture.contents.count + 1))
        #expect(announced.code == .sizeMismatch)
        #expect(announced.message.contains("\(fixture.contents.count + 1) bytes"))
        let counted = try failure(ArtifactVerifier(), fixture.downloaded(downloadedSize: fixture.contents.count - 1))
        #expect(counted.code == .sizeMismatch)
    }

    @Test("a SHA-256 other than GitHub's digest is refused")
    func digestMismatch() throws {
        let fixture = try ReleaseFixture()
        let error = try failure(ArtifactVerifier(), fixture.downloaded(digest: "sha256:" + String(repeating: "0", count: 64)))
        #expect(error.code == .digestMismatch)
        #expect(error.message.contains(fixture.sha256))
    }

    @Test("a malformed GitHub digest is refused", arguments: ["sha256:abc", "sha256:" + String(repeating: "z", count: 64), ":00", "nocolon"])
    func malformedDigest(digest: String) throws {
        let fixture = try ReleaseFixture()
        #expect(try failure(ArtifactVerifier(), fixture.downloaded(digest: digest)).code == .malformedDigest)
    }

    @Test("a checksums file listing another hash is refused")
    func checksumsMismatch() throws {
        let fixture = try ReleaseFixture()
        let material = VerificationMaterial(checksumsFile: sums(fixture.checksums(hash: String(repeating: "1", count: 64))))
        #expect(try failure(ArtifactVerifier(), fixture.downloaded(), material).code == .checksumsMismatch)
    }

    @Test("an artifact missing from the release's checksums file is refused")
    func missingFromChecksums() throws {
        let fixture = try ReleaseFixture()
        let material = VerificationMaterial(checksumsFile: sums(fixture.checksums(listing: false), "checksums.txt"))
        let error = try failure(ArtifactVerifier(), fixture.downloaded(), material)
        #expect(error.code == .missingFromChecksums)
        #expect(error.message.contains("checksums.txt") && error.message.contains(fixture.name))
    }

    @Test("with a key configured, an unsigned release is refused")
    func unsigned() throws {
        let fixture = try ReleaseFixture()
        let verifier = try ArtifactVerifier(publicKey: fixture.minisign.publicKey)
        let bare = try failure(verifier, fixture.downloaded())
        #expect(bare.code == .releaseNotSigned)
        #expect(bare.message.contains("\(fixture.name).minisig"))
        // A checksums file without its own signature does not count as a signature.
        let withSums = try failure(verifier, fixture.downloaded(), VerificationMaterial(checksumsFile: sums(fixture.checksums())))
        #expect(withSums.code == .releaseNotSigned)
        #expect(withSums.message.contains("SHA256SUMS.minisig"))
    }

    @Test("a signature by another key is refused")
    func otherKey() throws {
        let fixture = try ReleaseFixture()
        let other = try MinisignFixture("other", directory: fixture.minisign.directory)
        let material = VerificationMaterial(signatures: ["\(fixture.name).minisig": try fixture.artifactSignature()])
        #expect(try failure(ArtifactVerifier(publicKey: other.publicKey), fixture.downloaded(), material).code == .keyIDMismatch)
    }

    @Test("an artifact replaced after signing is refused even when the checksums file was updated to match")
    func replacedArtifact() throws {
        let fixture = try ReleaseFixture()
        let signature = try fixture.signature(of: fixture.checksums(), as: "SHA256SUMS")
        // The attacker swaps the file and rewrites SHA256SUMS, but cannot re-sign it.
        try fixture.minisign.write(fixture.name, Data("evil payload!!!\n".utf8))
        let evilHash = try ReleaseFixture.sha256(ofFileAt: fixture.path)
        let material = VerificationMaterial(checksumsFile: sums(fixture.checksums(hash: evilHash)), signatures: ["SHA256SUMS.minisig": signature])
        let error = try failure(ArtifactVerifier(publicKey: fixture.minisign.publicKey), fixture.downloaded(sha256: evilHash), material)
        #expect(error.code == .invalidSignature)
    }

    @Test("an invalid <asset>.minisig is refused even when a valid signed checksums file is present")
    func noFallbackFromBadAssetSignature() throws {
        let fixture = try ReleaseFixture()
        let sumsData = fixture.checksums()
        let material = VerificationMaterial(
            checksumsFile: sums(sumsData),
            signatures: ["SHA256SUMS.minisig": try fixture.signature(of: sumsData, as: "SHA256SUMS"),
                         "\(fixture.name).minisig": try fixture.signature(of: Data("another file".utf8), as: "another")])
        #expect(try failure(ArtifactVerifier(publicKey: fixture.minisign.publicKey), fixture.downloaded(), material).code == .invalidSignature)
    }

    @Test("a signed checksums file that does not list the artifact is refused")
    func signedChecksumsWithoutArtifact() throws {
        let fixture = try ReleaseFixture()
        let sumsData = fixture.checksums(listing: false)
        let material = VerificationMaterial(checksumsFile: sums(sumsData), signatures: ["SHA256SUMS.minisig": try fixture.signature(of: sumsData, as: "SHA256SUMS")])
        let key = try fixture.minisign.publicKey
        // The full chain stops at the checksums check; the signature check alone names the signature.
        #expect(try failure(ArtifactVerifier(publicKey: key), fixture.downloaded(), material).code == .missingFromChecksums)
        let alone = ArtifactVerifier(verifiers: [MinisignVerifier(publicKey: key)])
        #expect(try failure(alone, fixture.downloaded(), material).code == .signedChecksumsMissingArtifact)
    }

    @Test("a signed checksums file listing another hash is refused by the signature check too")
    func signedChecksumsOtherHash() throws {
        let fixture = try ReleaseFixture()
        let sumsData = fixture.checksums(hash: String(repeating: "2", count: 64))
        let material = VerificationMaterial(checksumsFile: sums(sumsData), signatures: ["SHA256SUMS.minisig": try fixture.signature(of: sumsData, as: "SHA256SUMS")])
        let alone = ArtifactVerifier(verifiers: [MinisignVerifier(publicKey: try fixture.minisign.publicKey)])
        #expect(try failure(alone, fixture.downloaded(), material).code == .signedChecksumsMismatch)
    }

    @Test("a malformed checksums file or signature stops verification with its code")
    func malformedCompanions() throws {
        let fixture = try ReleaseFixture()
        let badSums = VerificationMaterial(checksumsFile: sums(Data("not a checksum line\n".utf8)))
        #expect(try failure(ArtifactVerifier(), fixture.downloaded(), badSums).code == .malformedChecksums)
        let badSignature = VerificationMaterial(signatures: ["\(fixture.name).minisig": Data("untrusted comment: x\n".utf8)])
        #expect(try failure(ArtifactVerifier(publicKey: fixture.minisign.publicKey), fixture.downloaded(), badSignature).code == .malformedSignature)
    }

    @Test("a custom verifier in the chain can refuse, and stops the later checks")
    func customVerifier() throws {
        struct Refusing: Verifier {
            func verify(_ artifact: DownloadedArtifact, material: VerificationMaterial) throws(VerificationError) -> [VerificationCheck] {
                throw VerificationError(.sizeMismatch, "refused by policy")
            }
        }
        let fixture = try ReleaseFixture()
        let verifier = ArtifactVerifier(verifiers: [Refusing(), DigestVerifier()])
        let error = try failure(verifier, fixture.downloaded(digest: "sha256:" + String(repeating: "0", count: 64)))
        #expect(error.message == "refused by policy")
    }
}
