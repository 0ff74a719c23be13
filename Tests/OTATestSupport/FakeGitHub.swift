import Foundation
import OTA

/// GitHub-shaped JSON for tests, built with the same types the client decodes.
package enum FakeGitHub {
    package static func release(_ tag: String, base: String, repo: String = "octo/app", draft: Bool = false, prerelease: Bool = false,
                        assets: [(name: String, size: Int, digest: String?)] = [], id: Int = 1) -> GitHubJSON.Release {
        let user = GitHubJSON.User(login: "octo", id: 1, apiRoot: base, webRoot: base)
        let jsonAssets = assets.enumerated().map { index, asset in
            GitHubJSON.Asset(url: "\(base)/repos/\(repo)/releases/assets/\(id * 100 + index)",
                             browserDownloadURL: "\(base)/\(repo)/releases/download/\(tag)/\(asset.name)",
                             id: id * 100 + index, nodeID: "A\(id)", name: asset.name, label: nil, contentType: "application/gzip",
                             size: asset.size, digest: asset.digest, createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z",
                             uploader: user)
        }
        return GitHubJSON.Release(url: "\(base)/repos/\(repo)/releases/\(id)", htmlURL: "\(base)/\(repo)/releases/tag/\(tag)",
                                  assetsURL: "\(base)/repos/\(repo)/releases/\(id)/assets", uploadURL: "\(base)/upload",
                                  tarballURL: "\(base)/repos/\(repo)/tarball/\(tag)", zipballURL: nil, id: id, nodeID: "R\(id)",
                                  tagName: tag, targetCommitish: "main", name: "Release \(tag)", body: "Notes for \(tag)",
                                  draft: draft, prerelease: prerelease, createdAt: "2026-01-01T00:00:00Z",
                                  publishedAt: "2026-01-02T03:04:05Z", author: user, assets: jsonAssets)
    }

    package static func json(_ releases: [GitHubJSON.Release]) -> String {
        String(decoding: try! JSONEncoder().encode(releases), as: UTF8.self)
    }
}
