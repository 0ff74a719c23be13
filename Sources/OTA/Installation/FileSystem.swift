#if canImport(Glibc)
import Glibc
#endif
import COTASystem
import Foundation

/// The few POSIX file operations the installation engine is built from, each throwing a ``SystemError``.
///
/// Everything works on paths without following a final symlink (`lstat`, `rename`), so a
/// symlink inside a managed path is moved, copied and hashed as a link, never as its target.
enum FileSystem {
    /// What `lstat` says a path is.
    enum Kind: String, Codable, Sendable { case file, directory, symlink, other }

    /// One entry of a tree walk, relative to the walked root.
    struct Entry: Sendable, Equatable {
        var path: String
        var kind: Kind
        var mode: mode_t
        var size: Int
        var target: String?
    }

    static func lstatInfo(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    static func exists(_ path: String) -> Bool { lstatInfo(path) != nil }

    static func kind(of info: stat) -> Kind {
        switch info.st_mode & S_IFMT {
        case S_IFREG: .file
        case S_IFDIR: .directory
        case S_IFLNK: .symlink
        default: .other
        }
    }

    static func isDirectory(_ path: String) -> Bool { lstatInfo(path).map { kind(of: $0) == .directory } ?? false }

    static func parent(_ path: String) -> String {
        let parent = PathName.deletingLastComponent(of: path)
        return parent.isEmpty ? "." : parent
    }

    static func rename(_ from: String, _ to: String) throws(SystemError) {
        guard Glibc.rename(from, to) == 0 else { throw SystemError.last("rename \(from) to \(to)") }
    }

    /// Swaps two paths atomically with `renameat2(RENAME_EXCHANGE)`.
    static func exchange(_ a: String, _ b: String) throws(SystemError) {
        guard ota_rename_exchange(AT_FDCWD, a, AT_FDCWD, b) == 0 else { throw SystemError.last("exchange \(a) with \(b)") }
    }

    /// Creates `path` and any missing parents with `mode`; a folder already there (or a link to one) is kept,
    /// anything else there fails with `EEXIST`. One `mkdir` when the parent exists (a tree created parents first).
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        if mkdir(path, mode) == 0 { return }
        if errno == EEXIST { return try requireDirectory(path) }
        let parent = parent(path)
        guard errno == ENOENT, parent != path else { throw SystemError.last("create directory \(path)") }
        try makeDirectories(parent, mode: mode)
        if mkdir(path, mode) == 0 { return }
        guard errno == EEXIST else { throw SystemError.last("create directory \(path)") }
        try requireDirectory(path)
    }

    /// Checks that what `mkdir` found at `path` is a folder (or a link to one), as `mkdir -p` does.
    private static func requireDirectory(_ path: String) throws(SystemError) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw SystemError("create directory \(path)", errno: EEXIST) }
    }

    /// Removes a file, link or whole tree; a missing path is not an error.
    static func removeTree(_ path: String) throws(SystemError) {
        guard let info = lstatInfo(path) else { return }
        if kind(of: info) == .directory {
            if info.st_mode & 0o700 != 0o700 { chmod(path, 0o700) }
            for name in try names(in: path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw SystemError.last("remove directory \(path)") }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw SystemError.last("remove \(path)") }
        }
    }

    /// The names in a directory, sorted, without `.` and `..`.
    static func names(in directory: String) throws(SystemError) -> [String] {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("read directory \(directory)") }
        defer { close(fd) }
        return try names(of: fd, directory)
    }

    static func readLink(_ path: String) throws(SystemError) -> String {
        try readLink(at: AT_FDCWD, path, shown: path)
    }

    /// Every entry under `root` (not `root` itself), parents before children, sorted by path.
    static func walk(_ root: String, skipping skipped: Set<String> = []) throws(SystemError) -> [Entry] {
        var result: [Entry] = []
        try forEachEntry(under: root, skipping: skipped) { (entry) throws(SystemError) in result.append(entry) }
        return result
    }

    /// Hands each entry under `root` to `body` in the order of ``walk(_:skipping:)``, holding only the
    /// names of the folders being read: memory does not grow with the tree. Each folder is opened relative
    /// to its parent's descriptor without following a symbolic link, and its entries are read relative to it.
    static func forEachEntry(under root: String, skipping skipped: Set<String> = [],
                             _ body: (Entry) throws(SystemError) -> Void) throws(SystemError) {
        func visit(_ directory: Int32, _ relative: String) throws(SystemError) {
            let shown = relative.isEmpty ? root : root + "/" + relative
            for name in try names(of: directory, shown) {
                let path = relative.isEmpty ? name : relative + "/" + name
                if skipped.contains(path) { continue }
                var info = stat()
                guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw SystemError.last("stat \(root)/\(path)") }
                let kind = kind(of: info)
                try body(Entry(path: path, kind: kind, mode: info.st_mode & 0o7777, size: kind == .file ? Int(info.st_size) : 0,
                               target: kind == .symlink ? try readLink(at: directory, name, shown: root + "/" + path) : nil))
                guard kind == .directory else { continue }
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { throw SystemError.last("read directory \(root)/\(path)") }
                defer { close(child) }
                try visit(child, path)
            }
        }
        let top = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard top >= 0 else { throw SystemError.last("read directory \(root)") }
        defer { close(top) }
        try visit(top, "")
    }

    /// The names in the folder open as `directory` (read through a duplicate of it), sorted, without `.` and `..`;
    /// `shown` names the folder in errors.
    static func names(of directory: Int32, _ shown: String) throws(SystemError) -> [String] {
        let copy = dup(directory)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw SystemError.last("read directory \(shown)")
        }
        defer { closedir(stream) }
        var result: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != ".", name != ".." { result.append(name) }
        }
        return result.sorted()
    }

    /// The target of the symbolic link `name` in the folder open as `directory` (`AT_FDCWD`: relative to the
    /// working directory, or an absolute path).
    static func readLink(at directory: Int32, _ name: String, shown: String) throws(SystemError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(directory, name, &buffer, buffer.count - 1)
        guard count >= 0 else { throw SystemError.last("read link \(shown)") }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Copies a file, link or tree from `source` to `destination` (which must not exist), keeping
    /// modes (those of `modeMask`: `0o777` drops setuid, setgid and sticky bits) and link targets.
    ///
    /// With `hardLink`, regular files are hard-linked instead of copied when the kernel allows it
    /// (same filesystem); with `durable`, copied files are fsync'd.
    static func copyTree(_ source: String, to destination: String, hardLink: Bool = false, durable: Bool = false,
                         modeMask: mode_t = 0o7777) throws(SystemError) {
        guard let info = lstatInfo(source) else { throw SystemError.last("stat \(source)") }
        switch kind(of: info) {
        case .directory:
            guard mkdir(destination, 0o700) == 0 else { throw SystemError.last("create directory \(destination)") }
            for name in try names(in: source) {
                try copyTree(source + "/" + name, to: destination + "/" + name, hardLink: hardLink, durable: durable, modeMask: modeMask)
            }
            guard chmod(destination, info.st_mode & modeMask) == 0 else { throw SystemError.last("chmod \(destination)") }
            if durable { try AtomicFile.syncDirectory(destination) }
        case .symlink:
            guard symlink(try readLink(source), destination) == 0 else { throw SystemError.last("create link \(destination)") }
        case .file:
            if hardLink, info.st_mode & modeMask == info.st_mode & 0o7777, link(source, destination) == 0 { return }
            try copyFile(source, to: destination, mode: info.st_mode & modeMask, durable: durable)
        case .other:
            throw SystemError("copy \(source) (not a file, directory or symlink)", errno: EINVAL)
        }
    }

    /// Copies one regular file's bytes into a new file with `mode`.
    static func copyFile(_ source: String, to destination: String, mode: mode_t, durable: Bool) throws(SystemError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw SystemError.last("open \(source)") }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw SystemError.last("create \(destination)") }
        var closed = false
        defer { if !closed { close(output) } }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        try Syscall.forEachChunk(of: input, buffer: buffer, "read \(source)") { (chunk) throws(SystemError) in
            try Syscall.writeAll(output, chunk, "write \(destination)")
        }
        guard fchmod(output, mode) == 0 else { throw SystemError.last("chmod \(destination)") }
        if durable { guard fsync(output) == 0 else { throw SystemError.last("fsync \(destination)") } }
        closed = true
        guard close(output) == 0 else { throw SystemError.last("close \(destination)") }
    }

    /// Size of the (uninitialised, per call) read buffer of ``copyFile(_:to:mode:durable:)``.
    static let bufferSize = 256 << 10

    /// Flushes the whole filesystem holding `path` with one `syncfs`.
    static func syncFilesystem(_ path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open \(path)") }
        defer { close(fd) }
        guard ota_syncfs(fd) == 0 else { throw SystemError.last("syncfs \(path)") }
    }

    /// The device number of the filesystem holding `path` (following links).
    static func device(of path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_dev) : nil
    }
}

extension FileSystem {
    /// Whether a file can be renamed from the folder `source` into the folder `destination` (same
    /// filesystem *and* mount): a probe file is created in `source`, moved, and removed.
    ///
    /// `false` on `EXDEV`; any other failure is thrown.
    static func renameWorks(from source: String, to destination: String) throws(SystemError) -> Bool {
        let name = "/.rename-probe-\(getpid())"
        let fd = open(source + name, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.last("create \(source + name)") }
        close(fd)
        defer { unlink(source + name); unlink(destination + name) }
        guard Glibc.rename(source + name, destination + name) == 0 else {
            if errno == EXDEV { return false }
            throw SystemError.last("rename \(source + name) to \(destination + name)")
        }
        return true
    }
}
