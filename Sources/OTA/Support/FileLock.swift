#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// An exclusive `flock` on an open lock file, with the holder's pid written into the file: the one
/// implementation behind ``Lock`` (`state_dir/lock`) and the TUF store's `refresh.lock`.
///
/// The object owns the descriptor it is given and closes it on ``release()`` or when it goes away. The
/// kernel releases the lock when the holder exits or dies (even by SIGKILL), so a stale lock never needs
/// cleaning up; a leftover pid in the file is just overwritten.
///
/// A child process being spawned by another thread shares the lock's open file until its `exec` (which
/// closes it, `O_CLOEXEC`): releasing therefore unlocks explicitly (`LOCK_UN`) before closing, so the lock
/// is free at once even while such a child still holds a copy of the descriptor.
package final class FileLock: @unchecked Sendable {
    /// The lock file, for messages.
    package let path: String

    private let state = NSLock()
    private var descriptor: Int32

    /// Takes over `descriptor`, the lock file at `path` opened for reading and writing (not locked yet).
    package init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        if descriptor >= 0 { Self.unlockAndClose(descriptor) }
    }

    /// Locks the file without waiting and writes this process's pid into it; `false` when another
    /// process holds the lock.
    /// - Throws: ``StateError/Code/lockFailed`` when the file cannot be locked or written (the file is
    ///   then closed).
    package func tryLock() throws(StateError) -> Bool {
        state.lock()
        defer { state.unlock() }
        let fd = descriptor
        if Syscall.retryingInterrupts({ flock(fd, LOCK_EX | LOCK_NB) }) != 0 {
            let code = errno
            if code == EWOULDBLOCK { return false }
            closeLocked()
            let error = SystemError("lock \(path)", errno: code)
            throw StateError(.lockFailed, "cannot lock \(path): \(error.message)", underlying: error)
        }
        do throws(SystemError) {
            _ = try Syscall.retryingInterrupts("write \(path)") { ftruncate(fd, 0) }
            try Syscall.writeAll(fd, Array("\(getpid())\n".utf8), at: 0, "write \(path)")
        } catch {
            closeLocked()
            throw StateError(.lockFailed, "cannot write the lock file: \(error.message)", underlying: error)
        }
        return true
    }

    /// Locks the file as ``tryLock()`` does, waiting while another process holds it, polling at growing
    /// intervals (10 ms up to 250 ms); `false` when `deadline` passes first.
    /// - Parameter waiting: called once, the first time the lock is found held, with the holder's pid.
    /// - Throws: as ``tryLock()``, and `CancellationError` when the task is cancelled while waiting.
    package func lock(waitingUntil deadline: ContinuousClock.Instant, _ waiting: (Int32?) -> Void) async throws -> Bool {
        var pause = Duration.milliseconds(10)
        var reported = false
        while try !tryLock() {
            if !reported {
                waiting(holderPID)
                reported = true
            }
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(250))
        }
        return true
    }

    /// The pid the holder wrote into the file, if any.
    package var holderPID: Int32? {
        state.lock()
        defer { state.unlock() }
        guard descriptor >= 0 else { return nil }
        let fd = descriptor
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { bytes in
            Syscall.retryingInterrupts { pread(fd, bytes.baseAddress, bytes.count, 0) }
        }
        return Int32(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Unlocks and closes the file (nothing happens the second time).
    package func release() {
        state.lock()
        defer { state.unlock() }
        closeLocked()
    }

    /// ``release()`` with `state` held.
    private func closeLocked() {
        guard descriptor >= 0 else { return }
        Self.unlockAndClose(descriptor)
        descriptor = -1
    }

    private static func unlockAndClose(_ descriptor: Int32) {
        _ = Syscall.retryingInterrupts { flock(descriptor, LOCK_UN) }
        close(descriptor)
    }
}
