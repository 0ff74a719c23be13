#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA

/// The lock behind `Lock` and the TUF refresh lock: each open of the file is a separate `flock`
/// holder, as another process would be.
@Suite("Support: FileLock, an exclusive flock recording its holder's pid")
struct FileLockTests {
    /// A new `FileLock` on its own open of `path`.
    static func open(_ path: String) throws -> FileLock {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        return FileLock(descriptor: fd, path: path)
    }

    @Test("the first holder locks and writes its pid; a second is refused until the first releases")
    func exclusive() throws {
        let temp = try TemporaryDirectory()
        let path = temp.url("lock")
        try temp.write("lock", "999999999 left over by a dead holder\n")
        let first = try Self.open(path)
        #expect(try first.tryLock())
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "\(getpid())\n")

        let second = try Self.open(path)
        #expect(try !second.tryLock())
        #expect(second.holderPID == getpid())
        first.release()
        first.release()
        #expect(try second.tryLock())
    }

    @Test("the lock is free once its object goes away")
    func freedWithTheObject() throws {
        let temp = try TemporaryDirectory()
        let path = temp.url("lock")
        do {
            let first = try Self.open(path)
            #expect(try first.tryLock())
        }
        #expect(try Self.open(path).tryLock())
    }

    @Test("waiting reports the holder once and gives up at the deadline; it takes a lock that is free")
    func waiting() async throws {
        let temp = try TemporaryDirectory()
        let path = temp.url("lock")
        let holder = try Self.open(path)
        #expect(try holder.tryLock())

        let waiter = try Self.open(path)
        var reported: [Int32?] = []
        let taken = try await waiter.lock(waitingUntil: .now + .milliseconds(50)) { reported.append($0) }
        #expect(!taken)
        #expect(reported == [getpid()])

        holder.release()
        reported = []
        #expect(try await waiter.lock(waitingUntil: .now) { reported.append($0) })
        #expect(reported.isEmpty)
    }

    @Test("a descriptor that cannot be locked is a lockFailed error naming the file")
    func badDescriptor() throws {
        let lock = FileLock(descriptor: -1, path: "/state/lock")
        let error = try #require(throws: StateError.self) { try lock.tryLock() }
        #expect(error.code == .lockFailed)
        #expect(error.message.contains("cannot lock /state/lock"))
    }
}
