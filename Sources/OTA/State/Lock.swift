#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One update at a time per state directory: an exclusive `flock` on `state_dir/lock`.
///
/// The holder's pid is written into the file so that a second caller's error can name it.
/// The kernel releases the lock when the holder exits or dies (even by SIGKILL), so a stale
/// lock never needs cleaning up; a leftover pid in the file is just overwritten.
///
/// A child process being spawned by another thread shares the lock's open file until its `exec`
/// (which closes it, `O_CLOEXEC`): releasing therefore unlocks explicitly (`LOCK_UN`) before closing,
/// so the lock is free at once even while such a child still holds a copy of the descriptor.
///
/// ```swift
/// let lock = try Lock.acquire(in: StateDirectory(installation: config.installation))
/// defer { lock.release() }
/// ```
package final class Lock: @unchecked Sendable {
    /// `state_dir/lock`.
    public let path: String

    private let directory: StateDirectory
    private let state = NSLock()
    private var descriptor: Int32

    private init(directory: StateDirectory, descriptor: Int32) {
        self.directory = directory
        self.path = directory.lockPath
        self.descriptor = descriptor
    }

    /// ``acquire(in:)`` for the state folder `stateDirectory` (its backups at `stateDirectory/backups`).
    public static func acquire(stateDirectory: String) throws(StateError) -> Lock {
        try acquire(in: StateDirectory(path: stateDirectory))
    }

    /// Takes the lock without waiting; throws ``StateError/Code/locked`` naming the holder's pid when it is taken.
    ///
    /// Creates and checks the folder first (``StateDirectory/prepare()``): an untrusted `state_dir` or
    /// `backup_path` throws ``StateError/Code/untrusted``.
    public static func acquire(in directory: StateDirectory) throws(StateError) -> Lock {
        Lock(directory: directory, descriptor: try take(in: directory))
    }

    /// Takes the lock again after ``release()``, without waiting (nothing happens while it is held);
    /// throws as ``acquire(in:)`` does.
    package func retake() throws(StateError) {
        state.lock()
        defer { state.unlock() }
        guard descriptor < 0 else { return }
        descriptor = try Self.take(in: directory)
    }

    /// Locks `state_dir/lock` and writes the pid into it; returns the locked descriptor.
    private static func take(in directory: StateDirectory) throws(StateError) -> Int32 {
        try directory.prepare()
        let path = directory.lockPath
        let fd: Int32
        do { fd = try directory.open(StateDirectory.Entry.lock, flags: O_RDWR | O_CREAT) } catch {
            throw StateError(.lockFailed, "cannot open the lock file: \(error.message)", underlying: error)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &buffer, buffer.count, 0)
            guard code == EWOULDBLOCK else {
                close(fd)
                let error = SystemError("lock \(path)", errno: code)
                throw StateError(.lockFailed, "cannot lock \(path): \(error.message)", underlying: error)
            }
            let pid = Int32(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            close(fd)
            let holder = pid.map { "process \($0)" } ?? "another process"
            throw StateError(.locked, "another update is running (\(holder) holds \(path)); wait for it to finish", holderPID: pid)
        }
        let text = Array("\(getpid())\n".utf8)
        guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
            let error = SystemError.last("write \(path)")
            close(fd)
            throw StateError(.lockFailed, "cannot write the lock file: \(error.message)", underlying: error)
        }
        return fd
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    public func release() {
        state.lock()
        defer { state.unlock() }
        guard descriptor >= 0 else { return }
        Self.unlockAndClose(descriptor)
        descriptor = -1
    }

    deinit {
        if descriptor >= 0 { Self.unlockAndClose(descriptor) }
    }

    private static func unlockAndClose(_ descriptor: Int32) {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
