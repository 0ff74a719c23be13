import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Releases installer")
struct ReleasesInstallerTests {
    static let old = TreeFixture.release("old")
    static let new = TreeFixture.release("new", files: 40)

    @Test("install puts the release in releases/<version>, points current at it, and commit keeps max_backups releases")
    func installAndPrune() throws {
        let fixture = try InstallFixture(layout: .releases)
        fixture.config.installation.maxBackups = 2
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        #expect(try installer.currentVersion() == SemanticVersion(1, 0, 0))
        let staged = try fixture.stage("2.0.0", Self.new)
        var expected = Self.new
        expected["VERSION"] = .file("2.0.0\n")
        try TreeFixture.make(fixture.temp.url("expected"), expected)
        let transaction = try installer.install(staged)
        #expect(try FileSystem.readLink(fixture.install + "/current") == "releases/2.0.0")
        #expect(try TreeFixture.snapshot(fixture.install + "/releases/2.0.0") == TreeFixture.snapshot(fixture.temp.url("expected")))
        try installer.commit(transaction)
        #expect(try installer.currentVersion() == SemanticVersion(2, 0, 0))
        for version in ["2.1.0", "2.2.0", "2.3.0"] {
            try installer.commit(try installer.install(try fixture.stage(version, Self.new)))
            installer.pruneBackups()
        }
        #expect(try installer.backups().map(\.name) == ["2.2.0", "2.1.0"])
        #expect(try FileSystem.names(in: fixture.install + "/releases") == ["2.1.0", "2.2.0", "2.3.0"])
    }

    @Test("rollback points current back and removes the new release folder; a reinstalled version's folder comes back")
    func rollback() throws {
        let fixture = try InstallFixture(layout: .releases)
        try fixture.installInitial("1.0.0", Self.old)
        try TreeFixture.make(fixture.install + "/releases/2.0.0", ["stale.txt": .file("an earlier 2.0.0")])
        let before = try fixture.snapshot()
        let installer = fixture.installer
        let transaction = try installer.install(try fixture.stage("2.0.0", Self.new))
        #expect(!FileManager.default.fileExists(atPath: fixture.install + "/releases/2.0.0/stale.txt"))
        try installer.rollback(transaction)
        #expect(try fixture.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))
    }

    @Test("an empty install_dir is 0.0.0 and gets releases/ and current")
    func provisioning() throws {
        let fixture = try InstallFixture(layout: .releases)
        let installer = fixture.installer
        #expect(try installer.currentVersion() == SemanticVersion(0, 0, 0))
        try installer.commit(try installer.install(try fixture.stage("1.0.0", Self.new)))
        #expect(try installer.currentVersion() == SemanticVersion(1, 0, 0))
        #expect(try installer.backups().isEmpty)
        let before = try fixture.snapshot()
        let transaction = try installer.install(try fixture.stage("1.1.0", Self.new))
        try installer.rollback(transaction)
        #expect(try fixture.snapshot() == before)
    }

    @Test("preserve_paths and the configuration in use are carried from current into the new release")
    func preserve() throws {
        let fixture = try InstallFixture(layout: .releases)
        var old = Self.old
        old["config/local.yaml"] = .file("device")
        old["config/.env"] = .file("A=1\n")
        old["config/ota.yaml"] = .file("mine")
        try fixture.installInitial("1.0.0", old)
        fixture.config.installation.preservePaths = ["config/local.yaml"]
        fixture.config.sourceFile = fixture.install + "/current/config/ota.yaml"
        var nodes = Self.new
        nodes["config/local.yaml"] = .file("shipped")
        nodes["config/ota.yaml"] = .file("shipped")
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", nodes)))
        #expect(try fixture.temp.read("install/current/config/local.yaml") == "device")
        #expect(try fixture.temp.read("install/current/config/ota.yaml") == "mine")
        #expect(try fixture.temp.read("install/current/config/.env") == "A=1\n")
    }

    @Test("restore points current back at an older release; a release folder without VERSION is refused")
    func restore() throws {
        let fixture = try InstallFixture(layout: .releases)
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let backup = try #require(try installer.backups().first)
        #expect(backup.name == "1.0.0")
        try installer.commit(try installer.restore(backup: backup))
        #expect(try installer.currentVersion() == SemanticVersion(1, 0, 0))
        #expect(try installer.backups().map(\.name) == ["2.0.0"])
        let newer = try #require(try installer.backups().first)
        try FileManager.default.removeItem(atPath: newer.path + "/VERSION")
        let error = try #require(throws: InstallationError.self) { try installer.restore(backup: newer) }
        #expect(error.code == .corruptBackup)
        #expect(try FileSystem.readLink(fixture.install + "/current") == "releases/1.0.0")
    }

    @Test("a current that is a folder, not a link, is refused")
    func currentNotALink() throws {
        let fixture = try InstallFixture(layout: .releases)
        try TreeFixture.make(fixture.install + "/current", ["VERSION": .file("1.0.0\n")])
        let error = try #require(throws: InstallationError.self) { try fixture.installer.install(try fixture.stage("2.0.0", Self.new)) }
        #expect(error.code == .invalidPath)
    }
}
