#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// What the installation engine refuses to take from files other local users could have written:
/// journals naming foreign paths, backups the agent did not make, special mode bits.
@Suite("Local trust in journals and backups")
struct LocalTrustTests {
    static let old = TreeFixture.release("old", files: 8)
    static let new = TreeFixture.release("new", files: 8)

    /// Writes `transaction` as `state_dir/journal.json` directly, as someone planting it would.
    func plant(_ transaction: Transaction, in fixture: InstallFixture) throws {
        try FileManager.default.createDirectory(atPath: fixture.state, withIntermediateDirectories: true)
        try Journal.encoder.encode(transaction).write(to: URL(fileURLWithPath: fixture.state + "/journal.json"))
    }

    /// A planted journal whose one done step moved `from` onto the existing `planted` file, with `removing` to clean up.
    func forged(from: String, planted: String, removing: [String]) throws -> Transaction {
        var transaction = Transaction(fromVersion: SemanticVersion(1, 0, 0), toVersion: SemanticVersion(2, 0, 0), layout: "in_place",
                                      steps: [.move(from: from, to: planted, identity: try #require(FileIdentity.of(planted)))],
                                      removeOnRollback: removing)
        transaction.steps[0].state = .done
        return transaction
    }

    @Test("a journal naming paths outside install_dir, state_dir and backup_path is refused and nothing it names is touched")
    func journalOutsideRoots() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let outside = fixture.temp.url("root-only")
        try TreeFixture.make(outside, ["keep/file": .file("root's\n")])
        let planted = fixture.install + "/planted"
        try TreeFixture.make(fixture.install, ["planted": .file("anything\n")])
        try plant(try forged(from: outside + "/moved-in", planted: planted, removing: [outside + "/keep"]), in: fixture)

        let error = try #require(throws: InstallationError.self) { try Journal(installation: fixture.config.installation).recoverIfNeeded() }
        #expect(error.code == .journalFailed)
        #expect(error.message.contains("lies outside install_dir, state_dir and backup_path"))
        #expect(error.message.contains("nothing it describes was done"))
        #expect(FileSystem.exists(outside + "/keep/file"))
        #expect(FileSystem.exists(planted) && !FileSystem.exists(outside + "/moved-in"))
        #expect(FileSystem.exists(fixture.state + "/journal.json"), "left for inspection")
    }

    @Test("a journal reaching outside through a symlink inside install_dir is refused")
    func journalThroughSymlink() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let outside = fixture.temp.url("root-only")
        try TreeFixture.make(outside, ["keep/file": .file("root's\n")])
        try TreeFixture.make(fixture.install, ["planted": .file("anything\n"), "link": .link(outside)])
        let planted = fixture.install + "/planted"
        try plant(try forged(from: fixture.install + "/link/moved-in", planted: planted, removing: [fixture.install + "/link/keep"]), in: fixture)

        let error = try #require(throws: InstallationError.self) { try Journal(installation: fixture.config.installation).recoverIfNeeded() }
        #expect(error.message.contains("passes through the symlink \(fixture.install)/link"))
        #expect(FileSystem.exists(outside + "/keep/file"))
        #expect(FileSystem.exists(planted))
    }

    @Test("the audit's planted backup_1.0.0_20991231_235959 with a setuid file and a matching backup.json is never listed or restored")
    func plantedBackup() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let real = try #require(try installer.backups().first)

        let name = "backup_1.0.0_20991231_235959"
        let planted = fixture.config.installation.backupDirectory + "/" + name
        try TreeFixture.make(planted, ["VERSION": .file("1.0.0\n"), "src/.keep": .file("")])
        try FileSystem.copyFile("/usr/bin/id", to: planted + "/src/id", mode: 0o4755, durable: false)
        let createdAt = try #require(UTCTime.date(stamp: "20991231_235959"))
        let writer = try ManifestWriter(path: planted + "/" + BackupManifest.fileName, version: SemanticVersion(1, 0, 0), createdAt: createdAt)
        for entry in ["VERSION", "src"] { try writer.add(planted + "/" + entry, as: entry) }
        try writer.finish()

        #expect(try installer.backups() == [real])
        let forged = Backup(name: name, path: planted, version: SemanticVersion(1, 0, 0), createdAt: createdAt)
        let error = try #require(throws: InstallationError.self) { try installer.restore(backup: forged) }
        #expect(error.code == .backupNotFound)
        #expect(error.message.contains("was not made by this agent"))
        #expect(!FileSystem.exists(fixture.install + "/src/id"))
        #expect(try installer.currentVersion() == SemanticVersion(2, 0, 0))
    }

    @Test("a recorded backup whose files were changed afterwards is refused, whatever its own backup.json says")
    func tamperedBackup() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let backup = try #require(try installer.backups().first)
        try FileSystem.copyFile("/usr/bin/id", to: backup.path + "/src/id", mode: 0o4755, durable: false)
        unlink(backup.path + "/" + BackupManifest.fileName)
        let writer = try ManifestWriter(path: backup.path + "/" + BackupManifest.fileName, version: backup.version, createdAt: backup.createdAt)
        for entry in try FileSystem.names(in: backup.path) where entry != BackupManifest.fileName { try writer.add(backup.path + "/" + entry, as: entry) }
        try writer.finish()

        let error = try #require(throws: InstallationError.self) { try installer.restore(backup: backup) }
        #expect(error.code == .corruptBackup)
        #expect(error.message.contains("src/id"))
    }

    @Test("restoring a backup drops setuid, setgid and sticky bits")
    func restoreDropsSpecialBits() throws {
        let fixture = try InstallFixture()
        var tree = Self.old
        tree["src/tool"] = .file("#!/bin/sh\n", mode: 0o6755)
        tree["src/shared"] = .directory(mode: 0o1755)
        try fixture.installInitial("1.0.0", tree)
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let backup = try #require(try installer.backups().first)
        try installer.commit(try installer.restore(backup: backup))
        #expect(try installer.currentVersion() == SemanticVersion(1, 0, 0))
        #expect(FileSystem.lstatInfo(fixture.install + "/src/tool").map { $0.st_mode & 0o7777 } == 0o755)
        #expect(FileSystem.lstatInfo(fixture.install + "/src/shared").map { $0.st_mode & 0o7777 } == 0o755)
    }
}
