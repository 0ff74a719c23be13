import Foundation
import Testing
@testable import OTA

@Suite("Release selection")
struct ReleaseSelectorTests {
    static func release(_ tag: String, draft: Bool = false, prerelease: Bool = false, assets: [String] = []) -> Release {
        Release(tag: tag, version: SemanticVersion(tag: tag)!, isPrerelease: prerelease || SemanticVersion(tag: tag)!.isPrerelease,
                isDraft: draft, tarballURL: "https://api.github.com/repos/o/r/tarball/\(tag)",
                assets: assets.enumerated().map { ReleaseAsset(id: $0.offset, name: $0.element, size: 1, apiURL: "https://api.github.com/a/\($0.offset)") })
    }

    let releases = [
        release("v3.0.0", draft: true), release("v2.1.0-beta.1"), release("v2.0.1", prerelease: true),
        release("v2.0.0"), release("v1.9.0"), release("v1.10.0"),
    ]

    @Test("the newest non-draft, non-pre-release by SemVer is offered when newer")
    func newestEligible() {
        let check = ReleaseSelector().check(releases, current: SemanticVersion(1, 9, 0))
        #expect(check.availableRelease?.tag == "v2.0.0")
    }

    @Test("with include_prereleases, pre-releases by flag or by tag are eligible; drafts never")
    func prereleases() {
        let check = ReleaseSelector(includePrereleases: true).check(releases, current: SemanticVersion(1, 0, 0))
        #expect(check.availableRelease?.tag == "v2.1.0-beta.1")
    }

    @Test("up to date when nothing is newer; latest is still reported")
    func upToDate() {
        let check = ReleaseSelector().check(releases, current: SemanticVersion(2, 0, 0))
        #expect(check == .upToDate(current: SemanticVersion(2, 0, 0), latest: releases[3]))
        #expect(check.availableRelease == nil)
        #expect(check.latestRelease?.tag == "v2.0.0")
    }

    @Test("a repository with no releases is up to date")
    func empty() {
        #expect(ReleaseSelector().check([], current: SemanticVersion(0, 0, 0)) == .upToDate(current: SemanticVersion(0, 0, 0), latest: nil))
    }

    @Test("--version picks that release; unknown versions and drafts are errors")
    func explicitVersion() throws {
        let selector = ReleaseSelector()
        #expect(try selector.release(SemanticVersion(1, 10, 0), in: releases, current: SemanticVersion(1, 0, 0)).tag == "v1.10.0")
        let unknown = try #require(throws: SelectionError.self) { try selector.release(SemanticVersion(9, 9, 9), in: releases, current: SemanticVersion(1, 0, 0)) }
        #expect(unknown.code == .unknownVersion)
        #expect(throws: SelectionError.self) { try selector.release(SemanticVersion(3, 0, 0), in: releases, current: SemanticVersion(1, 0, 0)) }
    }

    @Test("downgrades and reinstalls are refused unless forced or allowed")
    func downgrade() throws {
        let selector = ReleaseSelector()
        let error = try #require(throws: SelectionError.self) { try selector.release(SemanticVersion(1, 9, 0), in: releases, current: SemanticVersion(2, 0, 0)) }
        #expect(error.code == .downgradeRefused)
        #expect(error.message.contains("--force"))
        #expect(try selector.release(SemanticVersion(1, 9, 0), in: releases, current: SemanticVersion(2, 0, 0), force: true).tag == "v1.9.0")
        #expect(try ReleaseSelector(allowDowngrade: true).release(SemanticVersion(1, 9, 0), in: releases, current: SemanticVersion(2, 0, 0)).tag == "v1.9.0")
        #expect(throws: SelectionError.self) { try selector.release(SemanticVersion(2, 0, 0), in: releases, current: SemanticVersion(2, 0, 0)) }
    }
}

@Suite("Asset pattern")
struct AssetPatternTests {
    let release = ReleaseSelectorTests.release("v1.2.0", assets: [
        "app-1.2.0-linux-arm64.tar.gz", "app-1.2.0-linux-arm64.tar.gz.minisig", "app-1.2.0-linux-amd64.tar.gz",
        "app-1.2.0-linux-armhf.tar.gz", "SHA256SUMS", "app-1.2.0-darwin-arm64.zip",
    ])

    @Test("{arch} matches this machine's architecture under its usual aliases", arguments: [
        ("aarch64", "app-1.2.0-linux-arm64.tar.gz"), ("arm64", "app-1.2.0-linux-arm64.tar.gz"),
        ("x86_64", "app-1.2.0-linux-amd64.tar.gz"), ("armv7l", "app-1.2.0-linux-armhf.tar.gz"),
    ])
    func architectures(_ arch: String, _ expected: String) throws {
        let artifact = try AssetPattern(pattern: "app-{version}-{os}-{arch}.tar.gz", arch: arch).artifact(for: release, repository: "o/app")
        #expect(artifact.fileName == expected)
        #expect(artifact.expectedSize == 1)
    }

    @Test("globs and {tag} work; signature and checksum files never match")
    func globs() throws {
        #expect(try AssetPattern(pattern: "*-linux-arm64*", arch: "aarch64").artifact(for: release, repository: "o/app").fileName == "app-1.2.0-linux-arm64.tar.gz")
        #expect(try AssetPattern(pattern: "app-{tag}*", arch: "x86_64").artifact(for: ReleaseSelectorTests.release("v1.0.0", assets: ["app-v1.0.0.tgz"]), repository: "o/app").fileName == "app-v1.0.0.tgz")
        #expect(throws: SelectionError.self) { try AssetPattern(pattern: "*.minisig", arch: "aarch64").artifact(for: release, repository: "o/app") }
        #expect(throws: SelectionError.self) { try AssetPattern(pattern: "SHA256SUMS", arch: "aarch64").artifact(for: release, repository: "o/app") }
    }

    @Test("no matching asset is an error listing what the release has")
    func noMatch() throws {
        let error = try #require(throws: SelectionError.self) {
            try AssetPattern(pattern: "app-{version}-{os}-{arch}.tar.gz", arch: "riscv64").artifact(for: release, repository: "o/app")
        }
        #expect(error.code == .noMatchingAsset)
        #expect(error.message.contains("riscv64") && error.message.contains("app-1.2.0-linux-amd64.tar.gz"))
    }

    @Test("without a pattern the source tarball is the artifact")
    func sourceTarball() throws {
        let artifact = try AssetPattern(pattern: nil).artifact(for: release, repository: "octo/app")
        #expect(artifact.kind == .sourceTarball)
        #expect(artifact.fileName == "app-v1.2.0.tar.gz")
        #expect(artifact.url == "https://api.github.com/repos/o/r/tarball/v1.2.0")
        #expect(artifact.expectedSize == nil)
    }

    @Test("this machine's architecture is known")
    func machine() {
        #expect(!AssetPattern.machineArchitecture.isEmpty)
        #expect(AssetPattern.architectureAliases("AMD64") == ["amd64", "x86_64", "x64"])
    }
}
