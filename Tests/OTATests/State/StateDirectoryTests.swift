#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA

/// Runs as root (tests chown folders to uid 65534 to stand for another local user); skipped otherwise.
@Suite("State directory trust", .enabled(if: geteuid() == 0))
struct StateDirectoryTests {
    static let otherUser: uid_t = 65534

    func untrusted(_ directory: StateDirectory) throws -> StateError {
        let error = try #require(throws: StateError.self) { try Lock.acquire(in: directory) }
        #expect(error.code == .untrusted)
        return error
    }

    @Test("a state_dir owned by another user is refused, naming it and the fix")
    func otherOwner() throws {
        let temp = try TemporaryDirectory()
        try temp.makeDirectory("state")
        chown(temp.url("state"), Self.otherUser, Self.otherUser)
        let error = try untrusted(StateDirectory(path: temp.url("state")))
        #expect(error.message.contains("state_dir \(temp.url("state"))"))
        #expect(error.message.contains("belongs to uid 65534"))
        #expect(error.message.contains("chown"))
        #expect(!FileSystem.exists(temp.url("state/lock")), "nothing is created in it")
    }

    @Test("a parent owned by another user is refused too")
    func otherOwnerAbove() throws {
        let temp = try TemporaryDirectory()
        try temp.makeDirectory("home/pi")
        chown(temp.url("home/pi"), Self.otherUser, Self.otherUser)
        let error = try untrusted(StateDirectory(path: temp.url("home/pi/app/.ota")))
        #expect(error.message.contains(temp.url("home/pi") + " belongs to uid 65534"))
    }

    @Test("a state_dir or parent writable by group or others is refused with 'chmod go-w'", arguments: [0o775, 0o757, 0o777])
    func writableByOthers(mode: Int) throws {
        let temp = try TemporaryDirectory()
        try temp.makeDirectory("parent/state")
        chmod(temp.url("parent"), mode_t(mode))
        let error = try untrusted(StateDirectory(path: temp.url("parent/state")))
        #expect(error.message.contains("chmod go-w \(temp.url("parent"))"))
    }

    @Test("a state_dir that is a symlink is refused")
    func symlinkedStateDirectory() throws {
        let temp = try TemporaryDirectory()
        try temp.makeDirectory("real")
        symlink(temp.url("real"), temp.url("state"))
        let error = try untrusted(StateDirectory(path: temp.url("state")))
        #expect(error.message.contains("\(temp.url("state")) is a symlink"))
    }

    @Test("a root-owned symlink among the parents is followed, and its target's folders are checked too")
    func symlinkedParent() throws {
        let temp = try TemporaryDirectory()
        try temp.makeDirectory("real")
        symlink(temp.url("real"), temp.url("link"))
        try Lock.acquire(in: StateDirectory(path: temp.url("link/state"))).release()
        #expect(FileSystem.isDirectory(temp.url("real/state")))
        chmod(temp.url("real"), 0o777)
        let error = try untrusted(StateDirectory(path: temp.url("link/state")))
        #expect(error.message.contains("chmod go-w \(temp.url("real"))"))
    }

    @Test("a sticky world-writable parent like /tmp is accepted above the running user's folder, not above another user's")
    func stickyParent() throws {
        let temp = try TemporaryDirectory()
        try temp.makeDirectory("tmp")
        chmod(temp.url("tmp"), 0o1777)
        let mine = StateDirectory(path: temp.url("tmp/mine"))
        try Lock.acquire(in: mine).release()
        #expect(FileSystem.lstatInfo(mine.path).map { $0.st_mode & 0o777 } == 0o700)

        try temp.makeDirectory("tmp/planted")
        chown(temp.url("tmp/planted"), Self.otherUser, Self.otherUser)
        _ = try untrusted(StateDirectory(path: temp.url("tmp/planted/state")))
        chmod(temp.url("tmp"), 0o777)
        _ = try untrusted(mine)
    }

    @Test("the audit's /tmp/monitoring_backup made first by another user is refused as backup_path")
    func plantedBackupPath() throws {
        let temp = try TemporaryDirectory()
        try temp.makeDirectory("tmp/monitoring_backup")
        chmod(temp.url("tmp"), 0o1777)
        chown(temp.url("tmp/monitoring_backup"), Self.otherUser, Self.otherUser)
        var config = OTAConfiguration(githubRepo: "octo/app")
        config.installation.installDir = temp.url("install")
        config.installation.backupPath = temp.url("tmp/monitoring_backup")
        let error = try untrusted(StateDirectory(installation: config.installation))
        #expect(error.message.contains("backup_path \(temp.url("tmp/monitoring_backup"))"))
    }

    @Test("a symlinked lock is refused: root never truncates or writes the file it points to")
    func symlinkedLock() throws {
        let temp = try TemporaryDirectory()
        let victim = try temp.write("victim", "precious\n")
        try temp.makeDirectory("state")
        symlink(victim, temp.url("state/lock"))
        let error = try #require(throws: StateError.self) { try Lock.acquire(stateDirectory: temp.url("state")) }
        #expect(error.code == .lockFailed)
        #expect(error.message.contains("symlink"))
        #expect(try temp.read("victim") == "precious\n")
    }

    @Test("a symlinked ota.log is refused: nothing is appended to the file it points to")
    func symlinkedLog() throws {
        let temp = try TemporaryDirectory()
        let victim = try temp.write("victim", "precious\n")
        try temp.makeDirectory("state")
        symlink(victim, temp.url("state/ota.log"))
        let log = UpdateLog(directory: StateDirectory(path: temp.url("state")))
        #expect(throws: StateError.self) { try log.append("line") }
        #expect(try temp.read("victim") == "precious\n")
    }

    @Test("a hard link named ota.log is refused as well")
    func hardLinkedLog() throws {
        let temp = try TemporaryDirectory()
        let victim = try temp.write("state/victim", "precious\n")
        link(victim, temp.url("state/ota.log"))
        #expect(throws: StateError.self) { try UpdateLog(directory: StateDirectory(path: temp.url("state"))).append("line") }
        #expect(try temp.read("state/victim") == "precious\n")
    }

    @Test("a symlinked state.json is not read through, and saving replaces the link, not its target")
    func symlinkedState() throws {
        let temp = try TemporaryDirectory()
        let victim = try temp.write("victim.json", #"{"current_version": "6.6.6"}"#)
        try temp.makeDirectory("state")
        symlink(victim, temp.url("state/state.json"))
        let store = StateStore(stateDirectory: temp.url("state"))
        #expect(store.load().currentVersion == nil)
        try store.save(OTAState(currentVersion: "1.0.0"))
        #expect(try temp.read("victim.json") == #"{"current_version": "6.6.6"}"#)
        #expect(store.load().currentVersion == "1.0.0")
    }

    @Test("backup_path defaults to <state_dir>/backups")
    func defaultBackupPath() {
        var config = OTAConfiguration(githubRepo: "octo/app")
        config.installation.installDir = "/srv/app"
        #expect(config.installation.backupDirectory == "/srv/app/.ota/backups")
        config.installation.stateDir = "/var/lib/ota"
        #expect(StateDirectory(installation: config.installation).backupPath == "/var/lib/ota/backups")
    }
}
