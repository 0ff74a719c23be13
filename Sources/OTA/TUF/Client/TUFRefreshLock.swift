/// One refresh at a time per metadata store: an exclusive `flock` on `refresh.lock` in the store's folder
/// (`state_dir/tuf/refresh.lock`), held for a whole refresh and the target lookups after it (which store
/// delegated roles). Two processes sharing the store — `ota run` and an `ota check`, or two
/// `ota tuf-client` — never interleave their writes: the second waits until the first is done, then
/// starts from what the first stored.
///
/// The holder's pid is written into the file, for the message of a caller that waits; the kernel releases
/// the lock when the holder exits or dies (``FileLock``).
final class TUFRefreshLock: Sendable {
    /// The lock file's name in the store's folder.
    static let fileName = "refresh.lock"

    private let file: FileLock

    private init(file: FileLock) {
        self.file = file
    }

    /// Takes the lock of `store`, waiting while another process holds it.
    /// - Parameters:
    ///   - timeout: how long to wait at most.
    ///   - waiting: called once when the lock is taken, with the holder's pid if it wrote one.
    /// - Throws: ``StateError`` (``StateError/Code/locked`` after `timeout`, naming the holder),
    ///   `CancellationError` when the task is cancelled while waiting.
    static func acquire(_ store: TUFMetadataStore, timeout: Duration, waiting: (Int32?) -> Void) async throws -> TUFRefreshLock {
        let path = store.path + "/" + fileName
        let file = FileLock(descriptor: try store.openLockFile(fileName), path: path)
        guard try await file.lock(waitingUntil: .now + timeout, waiting) else {
            let holder = file.holderPID
            file.release()
            throw StateError(.locked, "\(holder.map { "process \($0)" } ?? "another process") has held \(path) for more than \(Self.seconds(timeout)) while refreshing the TUF metadata; check for a hung ota process", holderPID: holder)
        }
        return TUFRefreshLock(file: file)
    }

    /// Releases the lock (also done when the object goes away or the process exits).
    func release() {
        file.release()
    }

    /// `timeout` for messages: `600 s`, `0.2 s`.
    private static func seconds(_ timeout: Duration) -> String {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
