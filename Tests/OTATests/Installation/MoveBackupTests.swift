#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// The automatic backup of an update on the installation's filesystem: the swapped-out old paths are
/// moved into it by the journaled transaction (see ``BackupStore``).
@Suite("Backup by move")
struct MoveBackupTests {
    static let old = TreeFixture.release("old")
    static let new = TreeFixture.release("new", files: 40)

    func installer(_ fixture: InstallFixture, exchange: Bool) -> InPlaceInstaller {
        var installer = InPlaceInstaller(installation: fixture.config.installation, deviceFiles: fixture.config.deviceFiles)
        installer.usesRenameExchange = exchange
        return installer
    }

    @Test("the old tree's own inodes become the backup; it verifies, and restoring it brings back exactly the old tree",
          arguments: [true, false])
    func movedNotCopied(exchange: Bool) throws {
        let fixture = try InstallFixture(managed: ["src", "config", "lib", "vendor/tools/bin", "VERSION"])
        var old = Self.old
        old["vendor/tools/bin/tool"] = .file("#!/bin/sh\necho old tool\n", mode: 0o755)
        try fixture.installInitial("1.0.0", old)
        let before = try fixture.snapshot()
        let identity = try #require(FileIdentity.of(fixture.install + "/src/bin/run.sh"))
        let installer = installer(fixture, exchange: exchange)
        let transaction = try installer.install(try fixture.stage("2.0.0", Self.new))
        let partial = try #require(transaction.backupPartial)
        #expect(FileIdentity.of(partial + "/src/bin/run.sh") == identity, "moved, not copied or linked")
        #expect(try installer.backups().isEmpty, "not a backup before the commit")
        try installer.commit(transaction)
        let backup = try #require(try installer.backups().first)
        #expect(transaction.backupPath == backup.path)
        #expect(FileIdentity.of(backup.path + "/src/bin/run.sh") == identity)
        #expect(!FileSystem.exists(partial))
        #expect(FileSystem.lstatInfo(backup.path).map { $0.st_mode & 0o777 } == 0o700)
        #expect(try TreeFixture.snapshot(backup.path, excluding: ["backup.json"]) == before)
        let manifest = try BackupStore(installation: fixture.config.installation).verify(backup)
        #expect(manifest.version == "1.0.0")
        #expect(manifest.files.contains { $0.path == "vendor/tools" && $0.type == "directory" })
        #expect(manifest.files.first { $0.path == "src/bin/run.sh" }?.sha256 == (try FileDigest.sha256(ofFileAt: backup.path + "/src/bin/run.sh")))
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))

        let restore = try installer.restore(backup: backup)
        try installer.commit(restore)
        #expect(try fixture.snapshot() == before)
    }

    @Test("rollback moves every old path back out of the backup and leaves no backup folder behind", arguments: [true, false])
    func rollbackEmptiesBackup(exchange: Bool) throws {
        let fixture = try InstallFixture(managed: ["src", "config", "lib", "gone", "VERSION"])
        var old = Self.old
        old["gone/only-old.txt"] = .file("removed by the update")
        try fixture.installInitial("1.0.0", old)
        let before = try fixture.snapshot()
        let installer = installer(fixture, exchange: exchange)
        let transaction = try installer.install(try fixture.stage("2.0.0", Self.new))
        #expect(!FileManager.default.fileExists(atPath: fixture.install + "/gone"))
        try installer.rollback(transaction)
        #expect(try fixture.snapshot() == before)
        #expect(try FileSystem.names(in: fixture.config.installation.backupDirectory).isEmpty, "no backup and no partial folder")
    }

    @Test("what the old version writes into its moved tree before the commit is in the backup, which verifies")
    func staleWriterIncluded() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        let transaction = try installer.install(try fixture.stage("2.0.0", Self.new))
        // A process of the old version still working in its (moved) folder until restart_command stops it.
        let partial = try #require(transaction.backupPartial)
        try Data("late log line\n".utf8).write(to: URL(fileURLWithPath: partial + "/src/late.log"))
        try Data("rewritten".utf8).write(to: URL(fileURLWithPath: partial + "/config/file3.txt"))
        try installer.commit(transaction)
        let backup = try #require(try installer.backups().first)
        let manifest = try BackupStore(installation: fixture.config.installation).verify(backup)
        #expect(manifest.files.contains { $0.path == "src/late.log" && $0.size == 14 })
    }

    @Test("a backup changed after the update is refused by verify and by restore")
    func tamperedBackupRefused() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let backup = try #require(try installer.backups().first)
        let file = backup.path + "/config/file3.txt"
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
        bytes[0] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let error = try #require(throws: InstallationError.self) { try installer.restore(backup: backup) }
        #expect(error.code == .corruptBackup)
        #expect(error.message.contains("config/file3.txt"))
    }

    @Test("backup.json escapes quotes, backslashes and control characters in names, and still verifies")
    func oddNames() throws {
        let fixture = try InstallFixture()
        var old = Self.old
        old["src/a \"quoted\" \\ name\ttab.txt"] = .file("odd")
        old["src/ünïcødé.txt"] = .file("utf-8")
        try fixture.installInitial("1.0.0", old)
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let backup = try #require(try installer.backups().first)
        let manifest = try BackupStore(installation: fixture.config.installation).verify(backup)
        #expect(manifest.files.contains { $0.path == "src/a \"quoted\" \\ name\ttab.txt" })
        #expect(manifest.files.contains { $0.path == "src/ünïcødé.txt" })
    }

    @Test("created_at is ISO 8601 UTC, as the decoder reads it", arguments: [0.0, 1_796_000_000, 951_782_400, 4_102_444_799.9])
    func createdAt(seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let formatter = ISO8601DateFormatter()
        #expect(UTCTime.iso8601(date) == formatter.string(from: date))
    }

    @Test("a FIFO the old version leaves in its tree fails only the backup: the update stays committed")
    func fifoAtSeal() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let installer = fixture.installer
        let transaction = try installer.install(try fixture.stage("2.0.0", Self.new))
        #expect(mkfifo(try #require(transaction.backupPartial) + "/src/pipe", 0o600) == 0)
        try installer.commit(transaction)
        #expect(try installer.currentVersion() == SemanticVersion(2, 0, 0))
        #expect(try installer.backups().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))
        try BackupStore(installation: fixture.config.installation).prune()
        #expect(try FileSystem.names(in: fixture.config.installation.backupDirectory).isEmpty, "the partial folder is pruned")
    }
}
