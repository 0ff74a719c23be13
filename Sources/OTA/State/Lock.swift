#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One update at a time per state directory: an exclusive `flock` on `state_dir/lock`.
///
/// The holder's pid is written into the file so that a second caller's error can name it; the kernel
/// releases the lock when the holder exits or dies (``FileLock``).
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
    private var file: FileLock?

    private init(directory: StateDirectory, file: FileLock) {
        self.directory = directory
        self.path = directory.lockPath
        self.file = file
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
        Lock(directory: directory, file: try take(in: directory))
    }

    /// Takes the lock again after ``release()``, without waiting (nothing happens while it is held);
    /// throws as ``acquire(in:)`` does.
    package func retake() throws(StateError) {
        state.lock()
        defer { state.unlock() }
        guard file == nil else { return }
        file = try Self.take(in: directory)
    }

    /// Locks `state_dir/lock` and writes the pid into it.
    private static func take(in directory: StateDirectory) throws(StateError) -> FileLock {
        try directory.prepare()
        let path = directory.lockPath
        let file: FileLock
        do { file = FileLock(descriptor: try directory.open(StateDirectory.Entry.lock, flags: O_RDWR | O_CREAT), path: path) } catch {
            throw StateError(.lockFailed, "cannot open the lock file: \(error.message)", underlying: error)
        }
        guard try file.tryLock() else {
            let pid = file.holderPID
            file.release()
            let holder = pid.map { "process \($0)" } ?? "another process"
            throw StateError(.locked, "another update is running (\(holder) holds \(path)); wait for it to finish", holderPID: pid)
        }
        return file
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    public func release() {
        state.lock()
        defer { state.unlock() }
        file?.release()
        file = nil
    }
}
