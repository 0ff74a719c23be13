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

    @Test("a released lock is free at once even while a forked child still holds a copy of its descriptor")
    func releasedWhileForkedChildHoldsDescriptor() throws {
        let temp = try TemporaryDirectory()
        let lock = try Lock.acquire(stateDirectory: temp.url("state"))
        // The child is what a process spawned by another thread is between fork and exec: it holds a
        // copy of every descriptor, the lock's included, until the test lets it go.
        var gate: [Int32] = [0, 0]
        try #require(pipe(&gate) == 0)
        let child = fork()
        if child == 0 {
            close(gate[1])
            var byte: UInt8 = 0
            _ = read(gate[0], &byte, 1)
            _exit(0)
        }
        try #require(child > 0)
        close(gate[0])
        defer {
            close(gate[1])
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
        lock.release()
        let again = try Lock.acquire(stateDirectory: temp.url("state"))
        again.release()
    }
}
