import Foundation
import Testing
@testable import OTA

@Suite("Artifact verification: what passes, and the companion files")
struct ArtifactVerifierPassingTests {
    @Test("without a key: size, GitHub digest and checksums file are checked and listed")
    func unsignedChecks() throws {
        let fixture = try ReleaseFixture()
        let downloaded = fixture.downloaded(digest: "SHA256:" + fixture.sha256.uppercased())
        let material = VerificationMaterial(checksumsFile: .init(name: "SHA256SUMS", contents: fixture.checksums()))
        let verified = try ArtifactVerifier().verify(downloaded, material: material)
        #expect(verified.downloaded == downloaded)
        #expect(verified.checks == ["size (\(fixture.contents.count) bytes)", "sha256 (GitHub digest)", "sha256 (SHA256SUMS)"])
    }

    @Test("a release offering nothing but its size passes with only the size checked")
    func sizeOnly() throws {
        let fixture = try ReleaseFixture()
        #expect(try ArtifactVerifier().verify(fixture.downloaded(), material: .init()).checks == ["size (\(fixture.contents.count) bytes)"])
    }

    @Test("a digest of another algorithm is skipped and said so, the other checks still apply")
    func otherDigestAlgorithm() throws {
        let fixture = try ReleaseFixture()
        let verified = try ArtifactVerifier().verify(fixture.downloaded(digest: "sha512:" + String(repeating: "ab", count: 64)), material: .init())
        #expect(verified.checks == ["size (\(fixture.contents.count) bytes)", "not checked: GitHub digest uses sha512, only sha256 is supported"])
    }

    @Test("with a key: <asset>.minisig from the real tool passes in both formats", arguments: [false, true])
    func assetSignature(legacy: Bool) throws {
        let fixture = try ReleaseFixture()
        let key = try fixture.minisign.publicKey
        let material = VerificationMaterial(signatures: ["\(fixture.name).minisig": try fixture.artifactSignature(legacy: legacy, trustedComment: "release 1.2.0\tfile:\(fixture.name)")])
        let verified = try ArtifactVerifier(publicKey: key).verify(fixture.downloaded(digest: "sha256:" + fixture.sha256), material: material)
        #expect(verified.checks.last == "minisign (key \(key.keyIDString), \(fixture.name).minisig, trusted comment: release 1.2.0\tfile:\(fixture.name))")
        #expect(verified.checks.count == 3)
    }

    @Test("with a key: a signed checksums file listing the artifact passes", arguments: ["SHA256SUMS", "checksums.txt"], [false, true])
    func signedChecksums(name: String, legacy: Bool) throws {
        let fixture = try ReleaseFixture()
        let sumsData = fixture.checksums()
        let material = VerificationMaterial(checksumsFile: .init(name: name, contents: sumsData),
                                            signatures: ["\(name).minisig": try fixture.signature(of: sumsData, as: name, legacy: legacy)])
        let verified = try ArtifactVerifier(publicKey: fixture.minisign.publicKey).verify(fixture.downloaded(), material: material)
        #expect(verified.checks.count == 3)
        #expect(verified.checks[1] == "sha256 (\(name))")
        #expect(verified.checks[2].hasPrefix("minisign (key ") && verified.checks[2].contains("\(name).minisig"))
    }

    @Test("the generated source tarball: no size or digest to check; the checksums file does not apply")
    func sourceTarball() throws {
        let fixture = try ReleaseFixture(name: "octo-monitor-v1.2.0.tar.gz")
        let release = fixture.release()
        let artifact = Artifact(release: release, kind: .sourceTarball, fileName: fixture.name, url: "https://api.example/tarball/v1.2.0")
        let downloaded = DownloadedArtifact(artifact: artifact, path: fixture.path, size: fixture.contents.count + 5, sha256: fixture.sha256)
        let material = VerificationMaterial(checksumsFile: .init(name: "SHA256SUMS", contents: fixture.checksums(listing: false)))
        #expect(try ArtifactVerifier().verify(downloaded, material: material).checks == ["not checked: SHA256SUMS does not apply to the generated source tarball"])
        let unsigned = try #require(throws: VerificationError.self) {
            try ArtifactVerifier(publicKey: fixture.minisign.publicKey).verify(downloaded, material: material)
        }
        #expect(unsigned.code == .releaseNotSigned)
    }

    // MARK: Companion files

    @Test("companion assets: the checksums file always, signatures only with a key, absent ones never")
    func companions() throws {
        let fixture = try ReleaseFixture()
        let all = [fixture.name + ".minisig", "checksums.txt", "SHA256SUMS", "SHA256SUMS.minisig", "checksums.txt.minisig", "notes.txt"]
        let artifact = fixture.downloaded(companions: all).artifact
        #expect(VerificationMaterial.companionAssets(for: artifact, includingSignatures: false).map(\.name) == ["SHA256SUMS"])
        #expect(VerificationMaterial.companionAssets(for: artifact, includingSignatures: true).map(\.name)
            == ["SHA256SUMS", fixture.name + ".minisig", "SHA256SUMS.minisig"])
        let onlySums = fixture.downloaded(companions: ["checksums.txt"]).artifact
        #expect(try ArtifactVerifier(publicKey: fixture.minisign.publicKey).companionAssets(for: onlySums).map(\.name) == ["checksums.txt"])
        #expect(ArtifactVerifier().companionAssets(for: fixture.downloaded().artifact).isEmpty)
        // An artifact that is itself a checksums file is not its own checksums file.
        let sumsFixture = try ReleaseFixture(name: "SHA256SUMS")
        #expect(VerificationMaterial.companionAssets(for: sumsFixture.downloaded(companions: ["checksums.txt"]).artifact, includingSignatures: false)
            .map(\.name) == ["checksums.txt"])
    }

    @Test("fetched companion files are sorted into the checksums file and signatures")
    func materialFromFetched() throws {
        let fixture = try ReleaseFixture()
        let artifact = fixture.downloaded().artifact
        let material = VerificationMaterial(artifact: artifact, fetched: [
            "checksums.txt": Data("b".utf8), "SHA256SUMS": Data("a".utf8),
            "SHA256SUMS.minisig": Data("s".utf8), "\(fixture.name).minisig": Data("t".utf8),
        ])
        #expect(material.checksumsFile == .init(name: "SHA256SUMS", contents: Data("a".utf8)))
        #expect(Set(material.signatures.keys) == ["SHA256SUMS.minisig", "\(fixture.name).minisig"])
        #expect(VerificationMaterial(artifact: artifact, fetched: [:]) == VerificationMaterial())
    }

    // MARK: Configuration

    @Test("the key comes from public_key, or from public_key_file relative to install_dir")
    func fromConfiguration() throws {
        let fixture = try ReleaseFixture()
        let key = try fixture.minisign.publicKey
        var config = OTAConfiguration(githubRepo: "octo/monitor")
        #expect(try ArtifactVerifier(source: config.source, installDirectory: config.installation.installDirectory).publicKey == nil)
        config.source.publicKey = key.base64
        #expect(try ArtifactVerifier(source: config.source, installDirectory: config.installation.installDirectory).publicKey == key)
        #expect(try ArtifactVerifier(source: config.source, installDirectory: config.installation.installDirectory).verifiers.count == 4)
        config.source.publicKey = nil
        config.installation.installDir = fixture.minisign.directory.path
        config.source.publicKeyFile = (fixture.minisign.publicKeyPath as NSString).lastPathComponent
        #expect(try ArtifactVerifier(source: config.source, installDirectory: config.installation.installDirectory).publicKey == key)
        config.source.publicKeyFile = "missing.pub"
        let missing = try #require(throws: VerificationError.self) { try ArtifactVerifier(source: config.source, installDirectory: config.installation.installDirectory) }
        #expect(missing.code == .unreadableFile)
    }
}
