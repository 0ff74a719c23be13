import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The fresh staging directory and every file system call that writes into it.
///
/// Everything is created relative to directory descriptors opened with `O_NOFOLLOW | O_DIRECTORY`
/// from the staging root, files with `O_CREAT | O_EXCL | O_NOFOLLOW`: no symbolic link is ever
/// followed and nothing can be created outside the root. Files are not fsync'd (the installer
/// flushes the filesystem once); every descriptor is closed.
final class StagingTree {
    let path: String
    private var rootFD: Int32
    /// Open descriptors of the folders of the last entry: `folderFDs[i]` is `folderPath[0...i]`.
    private var folderPath: [String] = []
    private var folderFDs: [Int32] = []
    private let fault: ExtractionPolicy.WriteFault?
    private var bytesWritten: Int64 = 0

    /// Creates `path` (which must not exist yet) with mode 0700.
    init(creating path: String, fault: ExtractionPolicy.WriteFault? = nil) throws(ArchiveError) {
        self.path = path
        self.fault = fault
        guard mkdir(path, 0o700) == 0 else {
            let error = SystemError.last("create staging directory \(path)")
            let why = error.errno == EEXIST ? "the staging directory already exists (it must be fresh)" : "the staging directory cannot be created"
            throw ArchiveError(.stagingUnavailable, why, underlying: error)
        }
        rootFD = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard rootFD >= 0 else {
            let error = SystemError.last("open \(path)")
            rmdir(path)
            throw ArchiveError(.stagingUnavailable, "the staging directory cannot be opened", underlying: error)
        }
    }

    deinit { closeAll() }

    func closeAll() {
        for fd in folderFDs { Glibc.close(fd) }
        folderFDs = []
        folderPath = []
        if rootFD >= 0 { Glibc.close(rootFD); rootFD = -1 }
    }

    /// Closes everything and deletes the staging directory (on any rejection).
    func remove() {
        closeAll()
        try? FileManager.default.removeItem(atPath: path)
    }

    static func failure(_ operation: String, entry: String) -> ArchiveError {
        failure(SystemError.last(operation), entry: entry)
    }

    static func failure(_ error: SystemError, entry: String) -> ArchiveError {
        switch error.errno {
        case ENOSPC, EDQUOT:
            return ArchiveError(.diskFull, entry: entry, "the disk is full", underlying: error)
        case EEXIST:
            return ArchiveError(.duplicateEntry, entry: entry, "the path already exists in the archive", underlying: error)
        case ENOTDIR, ELOOP:
            return ArchiveError(.duplicateEntry, entry: entry, "a parent of the path is not a folder", underlying: error)
        default:
            return ArchiveError(.io, entry: entry, "a system call failed", underlying: error)
        }
    }

    /// The descriptor of `folder` (relative to the root), creating missing folders with mode 0755.
    func folder(_ folder: ArraySlice<String>, entry: String) throws(ArchiveError) -> Int32 {
        var common = 0
        while common < min(folder.count, folderPath.count), folderPath[common] == folder[folder.startIndex + common] { common += 1 }
        while folderFDs.count > common { Glibc.close(folderFDs.removeLast()); folderPath.removeLast() }
        for component in folder.dropFirst(common) {
            let parent = folderFDs.last ?? rootFD
            var fd = openat(parent, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 && errno == ENOENT {
                guard mkdirat(parent, component, 0o755) == 0 || errno == EEXIST else { throw Self.failure("mkdir \(component)", entry: entry) }
                fd = openat(parent, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard fd >= 0 else { throw Self.failure("open folder \(component)", entry: entry) }
            folderFDs.append(fd)
            folderPath.append(component)
        }
        return folderFDs.last ?? rootFD
    }

    /// Creates an empty regular file (mode 0600 until ``closeFile(_:entry:mode:mtime:)``) and returns its descriptor.
    func openFile(_ components: [String], entry: String) throws(ArchiveError) -> Int32 {
        let parent = try folder(components.dropLast(), entry: entry)
        let fd = openat(parent, components.last!, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("create \(entry)", entry: entry) }
        return fd
    }

    /// Sets the permission bits and time of a file from ``openFile(_:entry:)`` and closes it.
    func closeFile(_ fd: Int32, entry: String, mode: UInt32, mtime: Int64) throws(ArchiveError) {
        defer { Glibc.close(fd) }
        guard fchmod(fd, mode_t(mode & 0o777)) == 0 else { throw Self.failure("chmod \(entry)", entry: entry) }
        var times = [timespec(tv_sec: Int(mtime), tv_nsec: 0), timespec(tv_sec: Int(mtime), tv_nsec: 0)]
        guard futimens(fd, &times) == 0 else { throw Self.failure("set the time of \(entry)", entry: entry) }
    }

    func write(_ fd: Int32, _ chunk: UnsafeRawBufferPointer, entry: String) throws(ArchiveError) {
        if let fault, bytesWritten + Int64(chunk.count) > fault.afterBytes {
            throw Self.failure(SystemError("write \(entry)", errno: fault.errno), entry: entry)
        }
        do { try Syscall.writeAll(fd, chunk, "write \(entry)") } catch { throw Self.failure(error, entry: entry) }
        bytesWritten += Int64(chunk.count)
    }

    /// Creates a folder (mode 0755 until ``applyFolderAttributes(_:)``); an implicit one may exist already.
    func createFolder(_ components: [String], entry: String) throws(ArchiveError) {
        let parent = try folder(components.dropLast(), entry: entry)
        guard mkdirat(parent, components.last!, 0o755) == 0 else {
            guard errno == EEXIST else { throw Self.failure("mkdir \(entry)", entry: entry) }
            var info = stat()
            guard fstatat(parent, components.last!, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                errno = EEXIST
                throw Self.failure("mkdir \(entry)", entry: entry)
            }
            return
        }
    }

    func createSymlink(_ components: [String], target: String, mtime: Int64, entry: String) throws(ArchiveError) {
        let parent = try folder(components.dropLast(), entry: entry)
        guard symlinkat(target, parent, components.last!) == 0 else { throw Self.failure("symlink \(entry)", entry: entry) }
        var times = [timespec(tv_sec: Int(mtime), tv_nsec: 0), timespec(tv_sec: Int(mtime), tv_nsec: 0)]
        _ = utimensat(parent, components.last!, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// Hard-links the earlier regular file `target` at `components` (never following links).
    func createHardLink(_ components: [String], target: [String], entry: String) throws(ArchiveError) {
        let targetFolder = try folder(target.dropLast(), entry: entry)
        let targetFD = fcntl(targetFolder, F_DUPFD_CLOEXEC, 0)
        guard targetFD >= 0 else { throw Self.failure("dup", entry: entry) }
        defer { Glibc.close(targetFD) }
        let parent = try folder(components.dropLast(), entry: entry)
        guard linkat(targetFD, target.last!, parent, components.last!, 0) == 0 else { throw Self.failure("link \(entry)", entry: entry) }
    }

    /// Sets the mode and time of explicit folders, deepest first (after all their contents exist).
    func applyFolderAttributes(_ folders: [(components: [String], mode: UInt32, mtime: Int64)]) throws(ArchiveError) {
        for item in folders.sorted(by: { $0.components.count > $1.components.count }) {
            let name = item.components.joined(separator: "/")
            let fd = item.components.isEmpty ? fcntl(rootFD, F_DUPFD_CLOEXEC, 0)
                : openat(try folder(item.components.dropLast(), entry: name), item.components.last!, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw Self.failure("open folder \(name)", entry: name) }
            defer { Glibc.close(fd) }
            var times = [timespec(tv_sec: Int(item.mtime), tv_nsec: 0), timespec(tv_sec: Int(item.mtime), tv_nsec: 0)]
            guard fchmod(fd, mode_t(item.mode & 0o777)) == 0, futimens(fd, &times) == 0 else {
                throw Self.failure("set the mode of \(name)", entry: name)
            }
        }
    }
}
