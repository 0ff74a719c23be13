/// What a journal may name: only paths inside `install_dir`, `state_dir` or `backup_path`.
///
/// Recovery runs at the start of every command, as root on most devices, from a file on disk: a
/// journal naming anything else (or reaching it through a symlink inside those folders) is refused
/// before a single step is undone.
extension Journal {
    /// Throws ``InstallationError/Code/journalFailed`` naming the first path of `transaction` that
    /// lies outside ``allowedRoots``, passes through a symlink below its root, or is not a clean absolute path.
    /// With `saving`, the error is about a transaction about to start (nothing was changed).
    func checkConfined(_ transaction: Transaction, saving: Bool = false) throws(InstallationError) {
        func refused(_ reason: String) -> InstallationError {
            guard saving else {
                return InstallationError(.journalFailed, "the journal \(path) is refused and nothing it describes was done: \(reason); check the installation, then delete the file")
            }
            return InstallationError(.journalFailed, "cannot journal the installation: \(reason); stage releases under state_dir; nothing was changed")
        }
        var paths: [String] = transaction.removeOnCommit + transaction.removeOnRollback
        paths += [transaction.backupPath, transaction.backupPartial].compactMap { $0 }
        for step in transaction.steps {
            switch step.action {
            case let .exchange(path, other, _): paths += [path, other]
            case let .move(from, to, _): paths += [from, to]
            case let .moveOn(from, to, _, origin): paths += [from, to, origin]
            case let .makeDirectory(path): paths.append(path)
            case let .pointLink(link, target, previous):
                paths.append(link)
                for linkTarget in [target, previous].compactMap({ $0 }) where !Self.isRelativeInside(linkTarget) {
                    throw refused("the link target \(linkTarget) of \(link) leaves its folder")
                }
            }
        }
        for path in paths {
            guard path.hasPrefix("/"), OTAConfiguration.absolute(path, against: "/") == path,
                  !path.split(separator: "/").contains("..") else {
                throw refused("\(path) is not a clean absolute path")
            }
            guard let root = allowedRoots.filter({ InstallationSupport.isInside(path, $0) && path != $0 }).max(by: { $0.count < $1.count }) else {
                throw refused("\(path) lies outside install_dir, state_dir and backup_path")
            }
            var folder = FileSystem.parent(path)
            while folder.count > root.count {
                if let info = FileSystem.lstatInfo(folder), FileSystem.kind(of: info) == .symlink {
                    throw refused("\(path) passes through the symlink \(folder)")
                }
                folder = FileSystem.parent(folder)
            }
        }
    }

    /// A relative link target without `..`: it stays in the link's folder.
    private static func isRelativeInside(_ target: String) -> Bool {
        !target.hasPrefix("/") && !target.split(separator: "/").contains("..")
    }
}
