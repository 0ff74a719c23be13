import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// The automatic backup when backup_path is a bind mount (needs root to mount).
@Suite("Backup by move: bind-mounted backup_path")
struct BindMountBackupTests {
    static let old = TreeFixture.release("old")
    static let new = TreeFixture.release("new", files: 40)

    @Test("backup_path on a bind mount of the same filesystem (rename fails with EXDEV) is backed up by copy",
          .enabled(if: SmallFilesystem.canMount))
    func bindMountCopies() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let before = try fixture.snapshot()
        let source = fixture.temp.url("bind-source"), target = fixture.config.installation.backupDirectory
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["--bind", source, target]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0)
        defer {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = [target]
            try? umount.run()
            umount.waitUntilExit()
        }
        #expect(FileSystem.device(of: target) == FileSystem.device(of: fixture.install))
        let identity = try #require(FileIdentity.of(fixture.install + "/src/bin/run.sh"))
        let installer = fixture.installer
        try installer.commit(try installer.install(try fixture.stage("2.0.0", Self.new)))
        let backup = try #require(try installer.backups().first)
        #expect(FileIdentity.of(backup.path + "/src/bin/run.sh") != identity)
        #expect(try TreeFixture.snapshot(backup.path, excluding: ["backup.json"]) == before)
        try BackupStore(installation: fixture.config.installation).verify(backup)
        #expect(try FileSystem.names(in: target).filter { $0.hasPrefix(".") }.isEmpty, "no partial folder or probe left")
    }
}
