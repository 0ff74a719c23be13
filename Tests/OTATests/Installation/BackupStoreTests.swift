#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Backups")
struct BackupStoreTests {
    static let tree = TreeFixture.release("backed-up", files: 30)

    /// An installation with `tree` and a store whose clock returns `dates` in turn.
    func makeStore(_ temp: TemporaryDirectory, max: Int = 3, dates: [Date] = [Date(timeIntervalSince1970: 1_796_000_000)]) throws -> BackupStore {
        try TreeFixture.make(temp.url("install"), Self.tree)
        let clock = Clock(dates)
        return BackupStore(stateDirectory: StateDirectory(path: temp.url("state"), backupPath: temp.url("backups")), maxBackups: max, now: { clock.next() })
    }

    final class Clock: @unchecked Sendable {
        private var dates: [Date]
        private let lock = NSLock()
        init(_ dates: [Date]) { self.dates = dates }
        func next() -> Date {
            lock.lock(); defer { lock.unlock() }
            return dates.count > 1 ? dates.removeFirst() : dates[0]
        }
    }

    func corrupt(_ change: (String) throws -> Void) throws -> InstallationError {
        let temp = try TemporaryDirectory()
        let store = try makeStore(temp)
        let backup = try store.create(version: SemanticVersion(1, 0, 0), installDirectory: temp.url("install"), paths: ["src", "config"])
        try change(backup.path)
        return try #require(throws: InstallationError.self) { try store.verify(backup) }
    }

    @Test("a changed file is refused, naming the file")
    func changedContent() throws {
        let error = try corrupt { try Data("tampered".utf8).write(to: URL(fileURLWithPath: $0 + "/src/core/file1.txt")) }
        #expect(error.code == .corruptBackup)
        #expect(error.message.contains("src/core/file1.txt"))
    }

    @Test("a same-size change is caught by the SHA-256")
    func sameSizeChange() throws {
        let error = try corrupt { path in
            let file = path + "/config/app.yaml"
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file)))
            bytes[0] ^= 1
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        }
        #expect(error.message.contains("SHA-256 of config/app.yaml"))
    }

    @Test("missing, extra, re-pointed and re-moded entries and a missing record of the manifest are refused",
          arguments: ["missing", "extra", "link", "mode", "manifest"])
    func structuralDamage(kind: String) throws {
        let error = try corrupt { path in
            switch kind {
            case "missing": try FileManager.default.removeItem(atPath: path + "/src/bin/run.sh")
            case "extra": try Data("x".utf8).write(to: URL(fileURLWithPath: path + "/src/intruder"))
            case "link":
                unlink(path + "/src/latest")
                symlink("/etc/passwd", path + "/src/latest")
            case "mode": chmod(path + "/src/bin/run.sh", 0o644)
            default: unlink(FileSystem.parent(FileSystem.parent(path)) + "/state/backup-manifests/\((path as NSString).lastPathComponent).json")
            }
        }
        #expect(error.code == (kind == "manifest" ? .backupNotFound : .corruptBackup))
        let named = ["missing": "src/bin/run.sh", "extra": "src/intruder", "link": "src/latest", "mode": "src/bin/run.sh", "manifest": "was not made by this agent"]
        #expect(error.message.contains(named[kind]!), "\(error.message)")
    }

    @Test("a backup holds the managed paths and a backup.json with path, mode, size and SHA-256 of every file, mode 0700")
    func contents() throws {
        let temp = try TemporaryDirectory()
        let store = try makeStore(temp)
        let backup = try store.create(version: SemanticVersion(1, 2, 0), installDirectory: temp.url("install"), paths: ["src", "config", "absent"])
        #expect(backup.name == "backup_1.2.0_" + Backup.stamp(Date(timeIntervalSince1970: 1_796_000_000)))
        #expect(FileSystem.lstatInfo(backup.path).map { $0.st_mode & 0o777 } == 0o700)
        #expect(try TreeFixture.snapshot(backup.path, excluding: ["backup.json"]) == TreeFixture.snapshot(temp.url("install"), excluding: ["lib"]))
        let manifest = try store.verify(backup)
        #expect(manifest.version == "1.2.0")
        let run = try #require(manifest.files.first { $0.path == "src/bin/run.sh" })
        #expect(run.mode == "0755" && run.type == "file" && run.size == "#!/bin/sh\necho backed-up\n".utf8.count)
        #expect(run.sha256 == (try FileDigest.sha256(ofFileAt: temp.url("install/src/bin/run.sh"))))
        #expect(manifest.files.first { $0.path == "src/latest" }?.target == "core/file1.txt")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: backup.path + "/backup.json"))) as? [String: Any]
        #expect(Set(json?.keys.map { $0 } ?? []) == ["version", "created_at", "files"])
        #expect((json?["created_at"] as? String)?.hasSuffix("Z") == true)
    }

    @Test("on the same filesystem files are hard-linked, not copied")
    func hardLinks() throws {
        let temp = try TemporaryDirectory()
        let store = try makeStore(temp)
        let backup = try store.create(version: SemanticVersion(1, 0, 0), installDirectory: temp.url("install"), paths: ["src"])
        #expect(FileIdentity.of(backup.path + "/src/bin/run.sh") == FileIdentity.of(temp.url("install/src/bin/run.sh")))
    }

    @Test("two backups in one second get a suffix; listing is newest first; pruning keeps max_backups")
    func namingListingPruning() throws {
        let temp = try TemporaryDirectory()
        let base = Date(timeIntervalSince1970: 1_796_000_000)
        let store = try makeStore(temp, max: 2, dates: [base, base, base.addingTimeInterval(61), base.addingTimeInterval(3600)])
        var made: [Backup] = []
        for version in ["1.0.0", "1.0.0", "1.1.0", "1.2.0"] {
            made.append(try store.create(version: SemanticVersion(version)!, installDirectory: temp.url("install"), paths: ["config"]))
        }
        #expect(made[1].name == made[0].name + "_2")
        #expect(try store.list().map(\.name) == made.reversed().map(\.name))
        try FileManager.default.createDirectory(atPath: temp.url("backups/.backup_9.9.9_20200101_000000.partial"), withIntermediateDirectories: true)
        let removed = try store.prune()
        #expect(removed.map(\.name) == [made[1].name, made[0].name])
        #expect(try store.list().map(\.name) == [made[3].name, made[2].name])
        #expect(try FileSystem.names(in: temp.url("backups")).count == 2)
        #expect(try store.backup(named: made[2].name).version == SemanticVersion(1, 1, 0))
        #expect(throws: InstallationError.self) { try store.backup(named: "backup_0.0.1_20000101_000000") }
    }
}
