#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA

/// The update lock between processes: held by a real `ota-install-harness` process, then SIGKILLed.
@Suite("Update lock across processes")
struct LockProcessTests {
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
}
