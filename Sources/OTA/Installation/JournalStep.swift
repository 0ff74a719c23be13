#if canImport(Glibc)
import Glibc
#endif

/// Which object sits at a path: its device and inode, as `lstat` reports them.
///
/// Recovery decides whether a rename happened by looking for the moved object's identity, so
/// every undo can be run any number of times (recovery itself may be killed).
package struct FileIdentity: Codable, Sendable, Hashable {
    public let device: UInt64
    public let inode: UInt64

    /// The identity of what is at `path` now, `nil` when nothing is.
    public static func of(_ path: String) -> FileIdentity? {
        FileSystem.lstatInfo(path).map(FileIdentity.init(of:))
    }
}

extension FileIdentity {
    /// The identity of the file `info` describes.
    init(of info: stat) {
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

/// One journaled change to the installation: a single rename, exchange, mkdir or link switch.
///
/// Each action is atomic in the kernel, recorded as `started` before it runs and `done` after
/// it and the folders it touched are fsync'd.
package struct JournalStep: Codable, Sendable, Equatable {
    public enum Action: Codable, Sendable, Equatable {
        /// `renameat2(RENAME_EXCHANGE)` of `path` and `other`; `identity` is what was at `path` before.
        case exchange(path: String, other: String, identity: FileIdentity)
        /// `rename(from, to)`; `to` did not exist; `identity` is what was at `from`.
        case move(from: String, to: String, identity: FileIdentity)
        /// `rename(from, to)` of the object that the previous step (an exchange) moved from `origin` to
        /// `from`, e.g. the old tree on into the backup; `to` did not exist. Its undo also accepts finding the
        /// object back at `origin` (the exchange was undone too), so a rollback can run any number of times.
        case moveOn(from: String, to: String, identity: FileIdentity, origin: String)
        /// `mkdir(path)` of a folder that did not exist.
        case makeDirectory(path: String)
        /// Points the symlink `link` at `target` (via `link.tmp` + rename); `previous` is its old target, `nil` if none.
        case pointLink(link: String, target: String, previous: String?)
    }

    public enum State: String, Codable, Sendable {
        case pending, started, done
    }

    public var action: Action
    public var state: State

    public init(action: Action, state: State = .pending) {
        self.action = action
        self.state = state
    }
}

extension JournalStep.Action {
    /// Carries the change out.
    func perform() throws(SystemError) {
        switch self {
        case let .exchange(path, other, _):
            try FileSystem.exchange(path, other)
        case let .move(from, to, _), let .moveOn(from, to, _, _):
            try FileSystem.rename(from, to)
        case let .makeDirectory(path):
            guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw SystemError.last("create directory \(path)") }
        case let .pointLink(link, target, _):
            try Self.pointLink(link, at: target)
        }
    }

    /// Reverts the change if (and only if) it happened; safe to run again after it succeeded or was interrupted.
    func undo() throws(SystemError) {
        switch self {
        case let .exchange(path, other, identity):
            if FileIdentity.of(other) == identity {
                try FileSystem.exchange(path, other)
            } else if FileIdentity.of(path) != identity {
                throw SystemError("undo exchange of \(path): the original is neither at \(path) nor at \(other)", errno: ENOENT)
            }
        case let .move(from, to, identity):
            if FileIdentity.of(to) == identity {
                try FileSystem.rename(to, from)
            } else if FileIdentity.of(from) != identity {
                throw SystemError("undo move of \(from): it is neither there nor at \(to)", errno: ENOENT)
            }
        case let .moveOn(from, to, identity, origin):
            if FileIdentity.of(to) == identity {
                try FileSystem.rename(to, from)
            } else if FileIdentity.of(from) != identity, FileIdentity.of(origin) != identity {
                throw SystemError("undo move of \(from): it is neither there nor at \(to) or \(origin)", errno: ENOENT)
            }
        case let .makeDirectory(path):
            guard rmdir(path) == 0 || errno == ENOENT else { throw SystemError.last("remove directory \(path)") }
        case let .pointLink(link, target, previous):
            unlink(link + ".tmp")
            let current = try? FileSystem.readLink(link)
            guard current == target else { return }
            if let previous {
                try Self.pointLink(link, at: previous)
            } else {
                guard unlink(link) == 0 || errno == ENOENT else { throw SystemError.last("remove \(link)") }
            }
        }
    }

    /// The folders whose entries the change modifies (fsync'd after it).
    var touchedDirectories: [String] {
        switch self {
        case let .exchange(path, other, _): [FileSystem.parent(path), FileSystem.parent(other)]
        case let .move(from, to, _), let .moveOn(from, to, _, _): [FileSystem.parent(from), FileSystem.parent(to)]
        case let .makeDirectory(path): [FileSystem.parent(path)]
        case let .pointLink(link, _, _): [FileSystem.parent(link)]
        }
    }

    private static func pointLink(_ link: String, at target: String) throws(SystemError) {
        let temporary = link + ".tmp"
        guard unlink(temporary) == 0 || errno == ENOENT else { throw SystemError.last("remove \(temporary)") }
        guard symlink(target, temporary) == 0 else { throw SystemError.last("create link \(temporary)") }
        try FileSystem.rename(temporary, link)
    }
}
