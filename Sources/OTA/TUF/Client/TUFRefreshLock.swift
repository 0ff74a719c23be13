#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One refresh at a time per metadata store: an exclusive `flock` on `refresh.lock` in the store's folder
/// (`state_dir/tuf/refresh.lock`), held for a whole refresh and the target lookups after it (which store
/// delegated roles). Two processes sharing the store — `ota run` and an `ota check`, or two
/// `ota tuf-client` — never interleave their writes: the second waits until the first is done, then
/// starts from what the first stored.
///
/// The holder's pid is written into the file, for the message of a caller that waits. The kernel releases
/// the lock when the holder exits or dies, so a stale lock never needs cleaning up.
final class TUFRefreshLock: @unchecked Sendable {
    /// The lock file's name in the store's folder.
    static let fileName = "refresh.lock"

    private let state = NSLock()
    private var descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Takes the lock of `store`, waiting while another process holds it.
    /// - Parameters:
    ///   - timeout: how long to wait at most.
    ///   - waiting: called once when the lock is taken, with the holder's pid if it wrote one.
    /// - Throws: ``StateError`` (``StateError/Code/locked`` after `timeout`, naming the holder),
    ///   `CancellationError` when the task is cancelled while waiting.
    static func acquire(_ store: TUFMetadataStore, timeout: Duration, waiting: (Int32?) -> Void) async throws -> TUFRefreshLock {
        let path = store.path + "/" + fileName
        let fd = try store.openLockFile(fileName)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause = Duration.milliseconds(10)
        var reported = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else {
                close(fd)
                let error = SystemError("lock \(path)", errno: code)
                throw StateError(.lockFailed, "cannot lock \(path): \(error.message)", underlying: error)
            }
            let holder = holderPID(fd)
            if !reported {
                waiting(holder)
                reported = true
            }
            guard clock.now < deadline else {
                close(fd)
                throw StateError(.locked, "\(holder.map { "process \($0)" } ?? "another process") has held \(path) for more than \(Self.seconds(timeout)) while refreshing the TUF metadata; check for a hung ota process", holderPID: holder)
            }
            do {
                try await Task.sleep(for: pause)
            } catch {
                close(fd)
                throw error
            }
            pause = min(pause * 2, .milliseconds(250))
        }
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
            let error = SystemError.last("write \(path)")
            unlockAndClose(fd)
            throw StateError(.lockFailed, "cannot write the lock file: \(error.message)", underlying: error)
        }
        return TUFRefreshLock(descriptor: fd)
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    func release() {
        state.lock()
        defer { state.unlock() }
        guard descriptor >= 0 else { return }
        Self.unlockAndClose(descriptor)
        descriptor = -1
    }

    deinit {
        if descriptor >= 0 { Self.unlockAndClose(descriptor) }
    }

    /// `timeout` for messages: `600 s`, `0.2 s`.
    private static func seconds(_ timeout: Duration) -> String {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }

    /// The pid the holder wrote, if any.
    private static func holderPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        return Int32(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Unlocks before closing: a child being spawned may share the descriptor until its `exec`.
    private static func unlockAndClose(_ descriptor: Int32) {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
