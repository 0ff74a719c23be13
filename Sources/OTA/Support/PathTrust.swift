#if canImport(Glibc)
import Glibc
#endif

/// Whether a folder may hold what root relies on, checked as OpenSSH's `StrictModes` checks `~/.ssh`.
///
/// The folder and every parent up to `/` must be a real folder (not a symlink), owned by root or by
/// the running user, and not writable by group or others. A sticky folder writable by everyone (such
/// as `/tmp`) is accepted as a parent (never as the folder itself): the folder below it then belongs
/// to the running user or root, who alone can rename or remove it there. A symlink among the parents
/// is followed only when root or the running user owns it (its folder is checked already); its target
/// is checked the same way.
/// Components that do not exist yet are not checked: create the folder, then check it.
enum PathTrust {
    /// A reason not to trust a path: what is wrong and how to fix it.
    struct Problem: Error, Equatable {
        let path: String
        let reason: String
    }

    /// Throws the first ``Problem`` found in `path` (absolute) or its parents.
    static func checkDirectory(_ path: String, user: uid_t = geteuid()) throws(Problem) {
        let components = path.split(separator: "/").map(String.init)
        var prefix = ""
        for index in -1..<components.count {
            let current = index < 0 ? "/" : prefix + "/" + components[index]
            if index >= 0 { prefix = current }
            let isTarget = index == components.count - 1
            var info = stat()
            guard lstat(current, &info) == 0 else {
                if errno == ENOENT { return }
                throw Problem(path: current, reason: "cannot be examined (\(String(cString: strerror(errno))))")
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                guard !isTarget else {
                    throw Problem(path: current, reason: "is a symlink; name the real folder instead")
                }
                try checkOwner(info, current, user: user)
                guard let resolved = realPath(current) else { return }
                try checkDirectory(([resolved] + components[(index + 1)...]).joined(separator: "/"), user: user)
                return
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw Problem(path: current, reason: "is not a folder")
            }
            try checkOwner(info, current, user: user)
            if info.st_mode & 0o022 != 0 {
                guard info.st_mode & mode_t(S_ISVTX) != 0, info.st_mode & 0o002 != 0, !isTarget else {
                    throw Problem(path: current, reason: "is writable by group or others (mode \(Hex.octalMode(info.st_mode & 0o7777))); run 'chmod go-w \(current)'")
                }
            }
        }
    }

    /// Throws the first ``Problem`` of a file whose content decides what runs as root (the configuration,
    /// its `.env`, `public_key_file`): after symlinks, it must be owned by root or the running user and not
    /// writable by group or others, and its folders must pass ``checkDirectory(_:user:)``.
    static func checkFile(_ path: String, user: uid_t = geteuid()) throws(Problem) {
        guard let resolved = realPath(path) else { return }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return }
        try checkOwner(info, resolved, user: user)
        guard info.st_mode & 0o022 == 0 else {
            throw Problem(path: resolved, reason: "is writable by group or others (mode \(Hex.octalMode(info.st_mode & 0o7777))); run 'chmod go-w \(resolved)'")
        }
        let folder = resolved.split(separator: "/").dropLast().joined(separator: "/")
        try checkDirectory("/" + folder, user: user)
    }

    /// Owned by root or `user`.
    private static func checkOwner(_ info: stat, _ path: String, user: uid_t) throws(Problem) {
        guard info.st_uid == 0 || info.st_uid == user else {
            throw Problem(path: path, reason: "belongs to uid \(info.st_uid), neither root nor the running user (uid \(user)); run 'chown \(user == 0 ? "root" : "\(user)") \(path)' or choose another folder")
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
