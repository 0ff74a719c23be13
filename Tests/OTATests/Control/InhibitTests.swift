#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA

@Suite("Inhibits")
struct InhibitTests {
    static let now = wallClock(1, 12)

    @Test("--for takes 90s, 15m, 2h, 1d and combinations", arguments: [("90s", 90), ("15m", 900), ("2h", 7200), ("1d", 86_400), ("1h30m", 5400), (" 45s ", 45)])
    func durations(text: String, seconds: Int) throws {
        #expect(try InhibitDuration.seconds(parsing: text) == seconds)
    }

    @Test("--for of nonsense is a clear error saying how to write a duration", arguments: [
        ("soon", "is not a duration"), ("15", "has a number without a unit (s, m, h or d)"), ("m", "is not a duration"), ("0s", "is zero"),
        ("", "is empty"), ("-5m", "is not a duration"), ("2 h", "is not a duration"), ("400d", "is longer than 366 days"),
        ("99999999999s", "is too long"), ("1.5h", "is not a duration"), ("h2", "is not a duration"),
    ])
    func badDurations(text: String, problem: String) throws {
        let error = try #require(throws: InhibitError.self) { try InhibitDuration.seconds(parsing: text) }
        #expect(error.code == .invalidDuration)
        #expect(error.message.hasPrefix("--for '\(text)' \(problem)"), "\(error.message)")
        #expect(error.message.hasSuffix("write a duration such as 90s, 15m, 2h or 1d"))
    }

    @Test("an inhibit is kept in state_dir, read back by a new store (a reboot), and expires at its time")
    func persistAndExpire() throws {
        let temp = try TemporaryDirectory()
        let directory = StateDirectory(path: temp.url("state"))
        let added = try InhibitStore(directory: directory).add(reason: " kiosk demo ", seconds: 3600, now: Self.now)
        #expect(added.reason == "kiosk demo" && added.until == Self.now.addingTimeInterval(3600) && added.id.count == 8)
        let forever = try InhibitStore(directory: directory).add(reason: nil, seconds: nil, now: Self.now.addingTimeInterval(1))
        let file = temp.url("state/inhibits/\(added.id).json")
        var info = stat()
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let json = try temp.read("state/inhibits/\(added.id).json")
        #expect(json.contains("2024-01-01T13:00:00Z") && json.contains("kiosk demo"), "\(json)")

        let reread = InhibitStore(directory: StateDirectory(path: temp.url("state")))
        #expect(try reread.active(at: Self.now.addingTimeInterval(3599)) == [added, forever])
        // At its time it no longer holds, and the record is removed; the other stays.
        #expect(try reread.active(at: Self.now.addingTimeInterval(3600)) == [forever])
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(try reread.active(at: Self.now.addingTimeInterval(86_400 * 365)) == [forever])
    }

    @Test("--release ID releases that one, --release all of them, an unknown id is an error naming the active ones")
    func release() throws {
        let temp = try TemporaryDirectory()
        let store = InhibitStore(directory: StateDirectory(path: temp.url("state")))
        let first = try store.add(reason: "one", seconds: nil, now: Self.now)
        let second = try store.add(reason: "two", seconds: nil, now: Self.now.addingTimeInterval(1))
        let unknown = try #require(throws: InhibitError.self) { try store.release(id: "deadbeef", now: Self.now) }
        #expect(unknown.code == .unknownInhibit)
        #expect(unknown.message.contains("'deadbeef'") && unknown.message.contains(first.id) && unknown.message.contains(second.id))
        #expect(try store.release(id: first.id, now: Self.now) == [first])
        #expect(try store.active(at: Self.now) == [second])
        _ = try store.add(reason: "three", seconds: 60, now: Self.now)
        #expect(try store.release(id: nil, now: Self.now).count == 2)
        #expect(try store.active(at: Self.now).isEmpty)
        #expect(try store.release(id: nil, now: Self.now).isEmpty)
    }

    @Test("a record that is not an inhibit, or a symlink planted in inhibits/, is ignored, not followed")
    func strayFiles() throws {
        let temp = try TemporaryDirectory()
        let store = InhibitStore(directory: StateDirectory(path: temp.url("state")))
        let kept = try store.add(reason: "real", seconds: nil, now: Self.now)
        try temp.write("state/inhibits/garbage.json", "{not json")
        try temp.write("elsewhere.json", #"{"id":"planted1","reason":"x","created_at":"2024-01-01T00:00:00Z","until":null}"#)
        #expect(symlink(temp.url("elsewhere.json"), temp.url("state/inhibits/planted1.json")) == 0)
        #expect(try store.active(at: Self.now) == [kept])
    }
}

@Suite("Application inhibit lock")
struct InhibitLockTests {
    @Test("a shared flock held on another descriptor holds installs; /proc/locks names the holder; released, it is free")
    func inProcess() throws {
        let temp = try TemporaryDirectory()
        let directory = StateDirectory(path: temp.url("state"))
        try directory.prepare()
        let lock = InhibitLock(directory: directory)
        #expect(try lock.holders() == nil)
        let fd = open(directory.inhibitLockPath, O_RDONLY | O_CLOEXEC)
        #expect(flock(fd, LOCK_SH) == 0)
        let holders = try #require(try lock.holders())
        #expect(holders.pids == [getpid()])
        #expect(holders.summary(path: directory.inhibitLockPath).hasPrefix("an application holds \(directory.inhibitLockPath) (process \(getpid())"))
        // Unlocked before closing: a child another test spawns at this moment may hold a copy of the
        // descriptor until it execs, which would keep the lock after a close alone.
        flock(fd, LOCK_UN)
        close(fd)
        #expect(try lock.holders() == nil)
    }

    @Test("another process holding `flock -s` holds installs until it exits")
    func otherProcess() throws {
        let temp = try TemporaryDirectory()
        let directory = StateDirectory(path: temp.url("state"))
        try directory.prepare()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        process.arguments = ["-s", directory.inhibitLockPath, "-c", "echo locked; read line"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The holder says so once it has the lock.
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(line == "locked\n")
        let holders = try #require(try InhibitLock(directory: directory).holders())
        #expect(holders.pids == [process.processIdentifier])
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(try InhibitLock(directory: directory).holders() == nil)
    }

    @Test("/proc/locks: only shared FLOCK entries of this file count, not waiters or other files")
    func procLocksParsing() {
        let device = UInt64(0x08) << 8 | 0x01   // 08:01
        let table = """
            1: FLOCK  ADVISORY  READ  1234 08:01:5678 0 EOF
            1: -> FLOCK  ADVISORY  WRITE 999 08:01:5678 0 EOF
            2: FLOCK  ADVISORY  READ  2345 08:02:5678 0 EOF
            3: POSIX  ADVISORY  READ  3456 08:01:5678 0 EOF
            4: FLOCK  ADVISORY  READ  4567 08:01:9999 0 EOF
            5: FLOCK  ADVISORY  READ  5678 08:01:5678 0 EOF
            """
        #expect(InhibitLock.sharedHolders(in: table, device: device, inode: 5678) == [1234, 5678])
    }
}
