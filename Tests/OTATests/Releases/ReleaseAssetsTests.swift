import Foundation
import Testing
@testable import OTA
import OTASigning

/// The asset policy of GitHub-style sources: which file is installed, and which companion files prove it,
/// fetched before the artifact and only as far as the policy allows.
@Suite("Release assets: artifact and proof")
struct ReleaseAssetsTests {
    /// Records the companion files asked for; answers from `files`, or fails for a missing one.
    final class Fetches: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        let files: [String: Data]
        init(_ files: [String: Data]) { self.files = files }
        var asked: [String] { lock.withLock { names } }
        var fetch: @Sendable (ReleaseAsset) async throws -> Data {
            { [self] asset in
                lock.withLock { names.append(asset.name) }
                guard let data = files[asset.name] else { throw TransferError(.connectionFailed, "the connection dropped while reading \(asset.name)") }
                return data
            }
        }
    }

    static let release = Release(tag: "v1.1.0", version: SemanticVersion(1, 1, 0), assets: [
        ReleaseAsset(id: 1, name: "app-1.1.0.tar.gz", size: 10, apiURL: "https://api.example.com/assets/1"),
        ReleaseAsset(id: 2, name: "app-1.1.0.tar.gz.minisig", size: 10, apiURL: "https://api.example.com/assets/2"),
        ReleaseAsset(id: 3, name: "SHA256SUMS", size: 10, apiURL: "https://api.example.com/assets/3"),
    ])

    static func source(key: String? = nil, allowUnsigned: Bool = false) -> OTAConfiguration.Source {
        var source = OTAConfiguration.Source()
        source.githubRepo = "octo/app"
        source.assetPattern = "app-{version}.tar.gz"
        source.publicKey = key
        source.allowUnsigned = allowUnsigned
        return source
    }

    @Test("without a key and without allow_unsigned nothing is fetched and the error names allow_unsigned")
    func unsignedRefusedBeforeFetching() async throws {
        let fetches = Fetches([:])
        let assets = ReleaseAssets(source: Self.source(), installDirectory: "/", fetch: fetches.fetch)
        let artifact = try assets.artifact(for: Self.release)
        #expect(artifact.fileName == "app-1.1.0.tar.gz")
        let error = try await #require(throws: VerificationError.self) { try await assets.proof(for: artifact) }
        #expect(error.code == .unsignedNotAllowed && error.message.contains("allow_unsigned"))
        #expect(fetches.asked.isEmpty)
    }

    @Test("with a key, the checksums file and the artifact's signature are fetched and sorted into the proof")
    func signedProof() async throws {
        let key = MinisignSigner().publicKey.base64
        let fetches = Fetches(["SHA256SUMS": Data("sums".utf8), "app-1.1.0.tar.gz.minisig": Data("signature".utf8)])
        let assets = ReleaseAssets(source: Self.source(key: key), installDirectory: "/", fetch: fetches.fetch)
        let proof = try await assets.proof(for: try assets.artifact(for: Self.release))
        #expect(fetches.asked == ["SHA256SUMS", "app-1.1.0.tar.gz.minisig"])
        #expect(proof.isSigned)
        #expect(proof.material.checksumsFile?.name == "SHA256SUMS")
        #expect(proof.material.signatures.keys.sorted() == ["app-1.1.0.tar.gz.minisig"])
    }

    @Test("a companion file whose download fails fails the proof, so the artifact is never downloaded")
    func droppedCompanion() async throws {
        let key = MinisignSigner().publicKey.base64
        let fetches = Fetches(["SHA256SUMS": Data("sums".utf8)])
        let assets = ReleaseAssets(source: Self.source(key: key), installDirectory: "/", fetch: fetches.fetch)
        let error = try await #require(throws: TransferError.self) { try await assets.proof(for: try assets.artifact(for: Self.release)) }
        #expect(error.message.contains("app-1.1.0.tar.gz.minisig"))
    }

    @Test("with allow_unsigned and no key, only the checksums file is fetched and the proof is not signed")
    func allowUnsigned() async throws {
        let fetches = Fetches(["SHA256SUMS": Data("sums".utf8)])
        let assets = ReleaseAssets(source: Self.source(allowUnsigned: true), installDirectory: "/", fetch: fetches.fetch)
        let proof = try await assets.proof(for: try assets.artifact(for: Self.release))
        #expect(fetches.asked == ["SHA256SUMS"])
        #expect(!proof.isSigned)
    }
}
