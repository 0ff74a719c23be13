import Foundation
import Testing
@testable import OTA

/// A downloaded artifact on disk, its release, and companion files signed by the real minisign tool.
struct ReleaseFixture {
    let minisign: MinisignFixture
    let name: String
    let contents: Data
    let path: String
    let sha256: String

    init(name: String = "app-1.2.0-linux-x86_64.tar.gz", contents: Data = Data("release payload\n".utf8)) throws {
        minisign = try MinisignFixture()
        self.name = name
        self.contents = contents
        path = try minisign.write(name, contents)
        sha256 = try Self.sha256(ofFileAt: path)
    }

    static func sha256(ofFileAt path: String) throws -> String {
        let tool = try ExternalTool("sha256sum", installHint: "it is part of coreutils")
        return String(try tool.succeed([path]).output.prefix(64))
    }

    /// The release holding the artifact (with `digest` and `size`) and assets named `companions`.
    func release(digest: String? = nil, size: Int? = nil, companions: [String] = []) -> Release {
        var assets = [ReleaseAsset(id: 1, name: name, size: size ?? contents.count, digest: digest, apiURL: "https://api.example/assets/1")]
        for (index, companion) in companions.enumerated() {
            assets.append(ReleaseAsset(id: index + 2, name: companion, size: 100, apiURL: "https://api.example/assets/\(index + 2)"))
        }
        return Release(tag: "v1.2.0", version: SemanticVersion(1, 2, 0), assets: assets)
    }

    /// The downloaded artifact as the downloader would hand it over.
    func downloaded(digest: String? = nil, size: Int? = nil, companions: [String] = [], downloadedSize: Int? = nil,
                    sha256 override: String? = nil) -> DownloadedArtifact {
        let release = release(digest: digest, size: size, companions: companions)
        let artifact = Artifact(release: release, kind: .asset(release.assets[0]), fileName: name, url: release.assets[0].apiURL)
        return DownloadedArtifact(artifact: artifact, path: path, size: downloadedSize ?? contents.count, sha256: override ?? sha256)
    }

    /// A `SHA256SUMS` listing the artifact with `hash` (its real SHA-256 by default) and another file.
    func checksums(hash: String? = nil, listing: Bool = true) -> Data {
        var text = "\(String(repeating: "e", count: 64))  other-asset.zip\n"
        if listing { text += "\(hash ?? sha256)  \(name)\n" }
        return Data(text.utf8)
    }

    /// Signs `data` saved as `fileName` with the real tool; returns the `.minisig` bytes.
    func signature(of data: Data, as fileName: String, legacy: Bool = false, trustedComment: String? = nil) throws -> Data {
        let path = try minisign.write(fileName, data)
        return try minisign.sign(path, legacy: legacy, trustedComment: trustedComment)
    }

    /// Signs the artifact itself.
    func artifactSignature(legacy: Bool = false, trustedComment: String? = nil) throws -> Data {
        try minisign.sign(path, legacy: legacy, trustedComment: trustedComment)
    }
}
