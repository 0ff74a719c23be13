#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA

@Suite("Update lock")
struct LockTests {
    @Test("a second acquire fails and names the holder's pid; release lets the next one in")
    func inProcess() throws {
        let temp = try TemporaryDirectory()
        let lock = try Lock.acquire(stateDirectory: temp.url("state"))
        let error = try #require(throws: StateError.self) { try Lock.acquire(stateDirectory: temp.url("state")) }
        #expect(error.code == .locked)
        #expect(error.holderPID == getpid())
        #expect(error.message.contains("process \(getpid())"))
        lock.release()
        let again = try Lock.acquire(stateDirectory: temp.url("state"))
        #expect(try temp.read("state/lock") == "\(getpid())\n")
        again.release()
    }

    @Test("a lock held by another process names its pid and is freed when that process is killed")
    func childProcess() throws {
        let temp = try TemporaryDirectory()
        let child = try Harness.start(["hold-lock", "state=\(temp.url("state"))"])
        let line = try Harness.readLine(child)
        #expect(line == "locked \(child.process.processIdentifier)")
        let error = try #require(throws: StateError.self) { try Lock.acquire(stateDirectory: temp.url("state")) }
        #expect(error.holderPID == child.process.processIdentifier)
        #expect(error.message.contains("\(child.process.processIdentifier)"))
        kill(child.process.processIdentifier, SIGKILL)
        child.process.waitUntilExit()
        let lock = try Lock.acquire(stateDirectory: temp.url("state"))
        lock.release()
    }

    @Test("release frees the lock even while a process being spawned still holds a copy of its descriptor")
    func releaseWithInheritedCopy() throws {
        let temp = try TemporaryDirectory()
        let lock = try Lock.acquire(stateDirectory: temp.url("state"))
        // A child that another thread is spawning holds a copy of every descriptor until it execs.
        let copy = dup(try #require(Self.descriptor(of: temp.url("state/lock"))))
        defer { close(copy) }
        lock.release()
        let again = try Lock.acquire(stateDirectory: temp.url("state"))
        again.release()
    }

    /// The descriptor of this process that has `path` open.
    static func descriptor(of path: String) -> Int32? {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.lazy.compactMap(Int32.init).first { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == target
        }
    }
}
