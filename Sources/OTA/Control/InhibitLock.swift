#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `state_dir/inhibit.lock`: an application that holds a shared `flock` on it (`flock -s`, `LOCK_SH`)
/// during critical work holds installs back, for as long as it holds it (the kernel drops the lock when
/// the application exits, even by a crash).
///
/// The agent looks when an install is about to start: an exclusive `LOCK_NB` attempt that fails means
/// someone holds it; the attempt is undone at once, so an application blocking in `LOCK_SH` waits only an
/// instant. An install that has started is not stopped by a lock taken later.
///
/// ```sh
/// flock -s /home/pi/monitoring/.ota/inhibit.lock ./calibrate.sh   # no install starts while it runs
/// ```
public struct InhibitLock: Sendable {
    /// Who holds the lock: the processes `/proc/locks` names (empty when it names none).
    public struct Holders: Sendable, Equatable {
        public let pids: [Int32]

        /// `state_dir/inhibit.lock is held (process 1234 kiosk)`, as messages show it.
        public func summary(path: String) -> String {
            let named = pids.map { pid in
                let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                return "process \(pid)" + (name.map { " \($0)" } ?? "")
            }
            return "an application holds \(path)" + (named.isEmpty ? "" : " (\(named.joined(separator: ", ")))")
        }
    }

    /// The state folder holding `inhibit.lock`.
    public let directory: StateDirectory

    public init(directory: StateDirectory) {
        self.directory = directory
    }

    /// Who holds the lock now; `nil` when nobody does. Creates the file (mode 0644) when it is missing.
    public func holders() throws(InhibitError) -> Holders? {
        let fd: Int32
        do {
            fd = try directory.open(StateDirectory.Entry.inhibitLock, flags: O_RDONLY | O_CREAT, mode: 0o644)
        } catch where error.errno == ENOENT {
            return nil   // no state_dir yet: nobody can hold a lock in it
        } catch {
            throw InhibitError(.storeFailed, "cannot open \(directory.inhibitLockPath): \(error.message)")
        }
        defer { close(fd) }
        if Syscall.retryingInterrupts({ flock(fd, LOCK_EX | LOCK_NB) }) == 0 {
            _ = Syscall.retryingInterrupts { flock(fd, LOCK_UN) }
            return nil
        }
        guard errno == EWOULDBLOCK else {
            throw InhibitError(.storeFailed, "cannot test \(directory.inhibitLockPath): \(SystemError.last("flock").message)")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return Holders(pids: []) }
        return Holders(pids: Self.sharedHolders(in: table, device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }

    /// The pids of the shared `FLOCK` entries of `/proc/locks` on the file `device`:`inode`.
    ///
    /// A line reads `1: FLOCK  ADVISORY  READ  1234 08:01:5678 0 EOF` (device numbers in hex); waiting
    /// requests (`1: -> FLOCK …`) are not holders.
    static func sharedHolders(in table: String, device: UInt64, inode: UInt64) -> [Int32] {
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff)
        let minor = (device & 0xff) | ((device >> 12) & ~0xff)
        var pids: [Int32] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", fields[3] == "READ", let pid = Int32(fields[4]) else { continue }
            let file = fields[5].split(separator: ":")
            guard file.count == 3, UInt64(file[0], radix: 16) == major, UInt64(file[1], radix: 16) == minor,
                  UInt64(file[2]) == inode else { continue }
            if !pids.contains(pid) { pids.append(pid) }
        }
        return pids
    }
}
