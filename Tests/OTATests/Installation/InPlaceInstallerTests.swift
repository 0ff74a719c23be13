#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("In-place installer")
struct InPlaceInstallerTests {
    static let old = TreeFixture.release("old")
    static let new = TreeFixture.release("new", files: 40)

    func installer(_ fixture: InstallFixture, exchange: Bool) -> InPlaceInstaller {
        var installer = InPlaceInstaller(installation: fixture.config.installation, deviceFiles: fixture.config.deviceFiles)
        installer.usesRenameExchange = exchange
        return installer
    }

    @Test("a failing step rolls every earlier step back and leaves the old tree exactly", arguments: [true, false])
    func failingStepRollsBack(exchange: Bool) throws {
        let fixture = try InstallFixture(managed: ["src", "config", "lib/plugins/extra", "VERSION"])
        // The release needs lib/plugins/ to be a folder, but here it is a file: the third step fails (ENOTDIR).
        try fixture.installInitial("1.0.0", Self.old.filter { !$0.key.hasPrefix("lib/") })
        try TreeFixture.make(fixture.install, ["lib/plugins": .file("a file where the release needs a folder")])
        let before = try fixture.snapshot()
        var nodes = Self.new
        nodes["lib/plugins/extra/x.txt"] = .file("x")
        let staged = try fixture.stage("2.0.0", nodes)
        let error = try #require(throws: InstallationError.self) { try installer(fixture, exchange: exchange).install(staged) }
        #expect(error.code == .stepFailed, "\(error.message)")
        #expect(error.message.contains("rolled back"))
        #expect(try fixture.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))
        #expect(try BackupStore(installation: fixture.config.installation).list().isEmpty)
    }

    @Test("a managed path that is absolute, has '..' or nests in another is refused before anything changes",
          arguments: [["/etc"], ["../outside"], ["src", "src/core"], [""]])
    func badManagedPaths(paths: [String]) throws {
        let fixture = try InstallFixture(managed: paths)
        try fixture.installInitial("1.0.0", Self.old)
        let before = try fixture.snapshot()
        let staged = try fixture.stage("2.0.0", Self.new)
        let error = try #require(throws: InstallationError.self) { try fixture.installer.install(staged) }
        #expect(error.code == .invalidPath)
        #expect(try fixture.snapshot() == before)
    }

    @Test("a missing staged tree is refused", arguments: [true, false])
    func missingStagedTree(exchange: Bool) throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let error = try #require(throws: InstallationError.self) {
            try installer(fixture, exchange: exchange).install(StagedTree(root: fixture.temp.url("nowhere"), version: SemanticVersion(2, 0, 0)))
        }
        #expect(error.code == .invalidStagedTree)
    }

    @Test("install swaps in exactly the staged managed paths, writes VERSION and leaves the rest alone", arguments: [true, false])
    func installReplacesManagedPaths(exchange: Bool) throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        try TreeFixture.make(fixture.install, ["data/keep.db": .file("device data")])
        var nodes = Self.new
        nodes["docs/unmanaged.md"] = .file("not a managed path: stays in staging")
        let staged = try fixture.stage("2.0.0", nodes)
        var expectedNodes = Self.new
        expectedNodes["VERSION"] = .file("2.0.0\n")
        expectedNodes["data/keep.db"] = .file("device data")
        let expected = fixture.temp.url("expected")
        try TreeFixture.make(expected, expectedNodes)

        let installer = installer(fixture, exchange: exchange)
        let transaction = try installer.install(staged)
        #expect(transaction.fromVersion == SemanticVersion(1, 0, 0))
        #expect(transaction.toVersion == SemanticVersion(2, 0, 0))
        #expect(transaction.steps.allSatisfy { $0.state == .done })
        #expect(transaction.steps.contains { if case .exchange = $0.action { true } else { false } } == exchange)
        #expect(try fixture.snapshot() == TreeFixture.snapshot(expected))
        #expect(try installer.currentVersion() == SemanticVersion(2, 0, 0))
        #expect(FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))
        try installer.commit(transaction)
        #expect(try fixture.snapshot() == TreeFixture.snapshot(expected))
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))
        #expect(!FileManager.default.fileExists(atPath: staged.root))
    }

    @Test("rollback puts back exactly the old tree and removes the backup made for it", arguments: [true, false])
    func rollbackRestoresOldTree(exchange: Bool) throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let before = try fixture.snapshot()
        let installer = installer(fixture, exchange: exchange)
        let transaction = try installer.install(try fixture.stage("2.0.0", Self.new))
        #expect(try fixture.snapshot() != before)
        try installer.rollback(transaction)
        #expect(try fixture.snapshot() == before)
        #expect(try installer.backups().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))
        let again = try #require(throws: InstallationError.self) { try installer.commit(transaction) }
        #expect(again.code == .noTransaction)
    }

    @Test("managed paths missing in the old tree are created, those missing in the new one are removed; rollback undoes both")
    func createdAndRemovedPaths() throws {
        let fixture = try InstallFixture(managed: ["src", "config", "vendor/tools/bin", "VERSION"])
        var old = Self.old
        old["config/app.yaml"] = nil
        old = old.filter { !$0.key.hasPrefix("config/") }
        try fixture.installInitial("1.0.0", old)
        let before = try fixture.snapshot()
        var nodes = Self.new.filter { !$0.key.hasPrefix("src/") }
        nodes["vendor/tools/bin/tool"] = .file("#!/bin/sh\n", mode: 0o755)
        let installer = fixture.installer
        let transaction = try installer.install(try fixture.stage("2.0.0", nodes))
        #expect(!FileManager.default.fileExists(atPath: fixture.install + "/src"))
        #expect(FileManager.default.fileExists(atPath: fixture.install + "/config/app.yaml"))
        #expect(FileManager.default.isExecutableFile(atPath: fixture.install + "/vendor/tools/bin/tool"))
        try installer.rollback(transaction)
        #expect(try fixture.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: fixture.install + "/vendor"))
    }

    @Test("an empty install_dir is version 0.0.0 and is provisioned without a backup")
    func provisioning() throws {
        let fixture = try InstallFixture()
        let installer = fixture.installer
        #expect(try installer.currentVersion() == SemanticVersion(0, 0, 0))
        let transaction = try installer.install(try fixture.stage("1.0.0", Self.new))
        try installer.commit(transaction)
        #expect(try installer.currentVersion() == SemanticVersion(1, 0, 0))
        #expect(try installer.backups().isEmpty)
        #expect(try fixture.temp.read("install/src/bin/run.sh") == "#!/bin/sh\necho new\n")
    }

    @Test("preserve_paths, the configuration file in use and its .env survive the update")
    func preservedPaths() throws {
        let fixture = try InstallFixture()
        var old = Self.old
        old["config/local.yaml"] = .file("device-specific", mode: 0o600)
        old["config/ota_config.yaml"] = .file("github_repo: octo/app\n")
        old["config/.env"] = .file("TOKEN=x\n", mode: 0o600)
        old["src/core/deep/state"] = .directory(mode: 0o700)
        try fixture.installInitial("1.0.0", old)
        fixture.config.installation.preservePaths = ["config/local.yaml", "src/core/deep/state", "config/absent.yaml"]
        fixture.config.sourceFile = fixture.install + "/config/ota_config.yaml"
        var nodes = Self.new
        nodes["config/ota_config.yaml"] = .file("github_repo: shipped/default\n")
        nodes["config/local.yaml"] = .file("shipped default")
        nodes["config/absent.yaml"] = .file("shipped, kept because the old install has none")
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", nodes)))
        #expect(try fixture.temp.read("install/config/local.yaml") == "device-specific")
        #expect(try fixture.temp.read("install/config/ota_config.yaml") == "github_repo: octo/app\n")
        #expect(try fixture.temp.read("install/config/.env") == "TOKEN=x\n")
        #expect(try fixture.temp.read("install/config/absent.yaml") == "shipped, kept because the old install has none")
        #expect(FileSystem.isDirectory(fixture.install + "/src/core/deep/state"))
        #expect(try fixture.temp.read("install/src/bin/run.sh") == "#!/bin/sh\necho new\n")
    }

    @Test("a VERSION shipped in the release is kept; otherwise the staged version is written")
    func versionFile() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        var nodes = Self.new
        nodes["VERSION"] = .file("2.0.0-rc.1\n")
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0-rc.1", nodes)))
        #expect(try installer.currentVersion() == SemanticVersion("2.0.0-rc.1"))
    }

    @Test("restoring a backup brings back exactly the backed-up tree; a tampered backup is refused before anything changes")
    func restoreBackup() throws {
        let fixture = try InstallFixture()
        fixture.config.installation.maxBackups = 2
        try fixture.installInitial("1.0.0", Self.old)
        let original = try fixture.snapshot()
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let updated = try fixture.snapshot()
        let backup = try #require(try installer.backups().first)
        #expect(backup.version == SemanticVersion(1, 0, 0))
        #expect(backup.name.hasPrefix("backup_1.0.0_"))

        try Data("evil".utf8).write(to: URL(fileURLWithPath: backup.path + "/src/bin/run.sh"))
        let refused = try #require(throws: InstallationError.self) { try installer.restore(backup: backup) }
        #expect(refused.code == .corruptBackup)
        #expect(refused.message.contains("src/bin/run.sh"))
        #expect(try fixture.snapshot() == updated)

        try Data("#!/bin/sh\necho old\n".utf8).write(to: URL(fileURLWithPath: backup.path + "/src/bin/run.sh"))
        let transaction = try installer.restore(backup: backup)
        try installer.commit(transaction)
        #expect(try fixture.snapshot() == original)
        #expect(try installer.currentVersion() == SemanticVersion(1, 0, 0))
        #expect(try installer.backups().map(\.name) == [backup.name])
    }

    @Test("backups are pruned to max_backups after each committed update, newest first")
    func pruning() throws {
        let fixture = try InstallFixture()
        fixture.config.installation.maxBackups = 2
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        for version in ["1.1.0", "1.2.0", "1.3.0", "1.4.0"] {
            try installer.commit(try installer.install(try fixture.stage(version, Self.new)))
            installer.pruneBackups()
        }
        #expect(try installer.backups().map(\.version.description) == ["1.3.0", "1.2.0"])
        #expect(try FileSystem.names(in: fixture.config.installation.backupDirectory).count == 2)
    }
}
