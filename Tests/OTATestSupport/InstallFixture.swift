import Foundation
@testable import OTA

/// An installation, a state directory, a backup folder and staging, all in one temporary folder.
final class InstallFixture: @unchecked Sendable {
    let temp: TemporaryDirectory
    var config: OTAConfiguration

    init(layout: OTAConfiguration.Installation.Layout = .inPlace, managed: [String] = ["src", "config", "lib", "VERSION"]) throws {
        temp = try TemporaryDirectory("ota-install")
        config = OTAConfiguration(githubRepo: "octo/app")
        config.installation.installDir = temp.url("install")
        config.installation.backupPath = temp.url("backups")
        config.installation.layout = layout
        config.installation.managedPaths = managed
        try FileManager.default.createDirectory(atPath: config.installation.installDir, withIntermediateDirectories: true)
    }

    var install: String { config.installation.installDirectory }
    var state: String { config.installation.stateDirectory }

    /// Writes a release tree into `state_dir/staging/<version>` (without VERSION unless the nodes have one).
    func stage(_ version: String, _ nodes: [String: TreeFixture.Node]) throws -> StagedTree {
        let root = state + "/staging/" + version
        try TreeFixture.make(root, nodes)
        return StagedTree(root: root, version: SemanticVersion(version)!)
    }

    /// Makes `nodes` + `VERSION` the installed tree (in_place), or `releases/<version>` + `current` (releases).
    func installInitial(_ version: String, _ nodes: [String: TreeFixture.Node]) throws {
        var tree = nodes
        tree["VERSION"] = .file(version + "\n")
        switch config.installation.layout {
        case .inPlace:
            try TreeFixture.make(install, tree)
        case .releases:
            try TreeFixture.make(install + "/releases/" + version, tree)
            try TreeFixture.make(install, ["current": .link("releases/" + version)])
        }
    }

    var installer: any Installer { makeInstaller(configuration: config) }

    func snapshot() throws -> String { try TreeFixture.snapshot(install) }
}
