import COTASystem
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks that a staged tree is exactly what an index lists: the same paths, types, modes, sizes and link
/// targets, nothing more and nothing less. (Contents are checked as they are staged.)
///
/// Two workers share the folders still to read. Each reads a folder's names (`getdents64`), checks each entry
/// (`fstatat`) against the index, looked up by path (it is sorted), and adds the subfolders to the shared list:
/// nothing but the index and the paths of the folders waiting is held in memory, however large the release. A
/// folder is opened by its path below the root and must be the folder (device and inode) its parent's listing
/// found, so nothing can stand in for it (a link swapped in on the way) while the tree is read.
enum DeltaTreeCheck {
    static func check(root: String, against index: DeltaIndex, workers: Int = 2,
                      openingFolder: (@Sendable (String) -> Void)? = nil) throws(DeltaError) {
        let top = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        var info = stat()
        guard top >= 0, fstat(top, &info) == 0 else {
            if top >= 0 { close(top) }
            throw DeltaError(.stagingFailed, "cannot read the staged tree \(root): \(SystemError.last("open").message)")
        }
        defer { close(top) }
        let walk = StagedTreeWalk(root: root, top: top, index: index, openingFolder: openingFolder,
                                  first: .init(path: "", identity: FileIdentity(of: info)))
        DispatchQueue.concurrentPerform(iterations: max(1, workers)) { _ in walk.run() }
        if let failure = walk.failure { throw DeltaError(.stagingFailed, failure) }
        // Paths are unique in a folder and in the index: as many entries as the index lists means all of them.
        guard walk.found == index.count else {
            throw DeltaError(.stagingFailed, "the staged tree has \(walk.found) entries where the index lists \(index.count)")
        }
    }
}

/// The shared state of a ``DeltaTreeCheck``: the folders still to read, the entries found, the first mismatch.
private final class StagedTreeWalk: @unchecked Sendable {
    struct Folder {
        /// Relative to the root ("" for the root itself).
        var path: String
        /// The folder its parent's listing found.
        var identity: FileIdentity
    }

    let root: String
    /// The root, open: folders are opened below it.
    let top: Int32
    let index: DeltaIndex
    let openingFolder: (@Sendable (String) -> Void)?
    /// Guards everything below.
    private let condition = NSCondition()
    private var waiting: [Folder]
    /// Workers reading a folder now (which may add more).
    private var reading = 0
    private var foundSoFar = 0
    private var firstFailure: String?

    init(root: String, top: Int32, index: DeltaIndex, openingFolder: (@Sendable (String) -> Void)?, first: Folder) {
        self.root = root
        self.top = top
        self.index = index
        self.openingFolder = openingFolder
        waiting = [first]
    }

    var found: Int {
        condition.lock()
        defer { condition.unlock() }
        return foundSoFar
    }

    var failure: String? {
        condition.lock()
        defer { condition.unlock() }
        return firstFailure
    }

    /// Reads folders until none is left (or one failed).
    func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 << 10, alignment: 8)
        defer { buffer.deallocate() }
        while let folder = next() {
            var subfolders: [Folder] = []
            var count = 0
            let problem = read(folder, buffer: buffer, subfolders: &subfolders, count: &count)
            done(subfolders, count: count, failure: problem)
        }
    }

    /// The next folder to read; `nil` when every folder is read or one failed.
    private func next() -> Folder? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && reading > 0 && firstFailure == nil { condition.wait() }
        guard firstFailure == nil, let folder = waiting.popLast() else { return nil }
        reading += 1
        return folder
    }

    private func done(_ subfolders: [Folder], count: Int, failure: String?) {
        condition.lock()
        defer { condition.unlock() }
        reading -= 1
        foundSoFar += count
        if firstFailure == nil { firstFailure = failure }
        waiting += subfolders
        condition.broadcast()
    }

    /// Checks the entries of `folder` against the index; the reason it does not match, or `nil`.
    private func read(_ folder: Folder, buffer: UnsafeMutableRawBufferPointer, subfolders: inout [Folder], count: inout Int) -> String? {
        openingFolder?(folder.path)
        let shown = folder.path.isEmpty ? root : root + "/" + folder.path
        let fd = openat(top, folder.path.isEmpty ? "." : folder.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return "cannot read the staged tree \(root): \(SystemError.last("read directory \(shown)").message)" }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, FileIdentity(of: info) == folder.identity else {
            return "the staged folder \(shown) changed while the tree was checked"
        }
        while true {
            let length = ota_getdents64(fd, buffer.baseAddress, buffer.count)
            guard length >= 0 else { return "cannot read the staged tree \(root): \(SystemError.last("read directory \(shown)").message)" }
            if length == 0 { return nil }
            var offset = 0
            while offset < length {
                // struct linux_dirent64: d_ino (8 bytes), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated).
                let record = buffer.baseAddress! + offset
                offset += Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                let name = (record + 19).assumingMemoryBound(to: CChar.self)
                if name[0] == 0x2E && (name[1] == 0 || (name[1] == 0x2E && name[2] == 0)) { continue }
                if let problem = check(name, in: fd, folder: folder, subfolders: &subfolders) { return problem }
                count += 1
            }
        }
    }

    /// Checks one entry, `name` in the folder open as `fd`.
    private func check(_ name: UnsafePointer<CChar>, in fd: Int32, folder: Folder, subfolders: inout [Folder]) -> String? {
        let path = folder.path.isEmpty ? String(cString: name) : folder.path + "/" + String(cString: name)
        var info = stat()
        guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            return "cannot read the staged tree \(root): \(SystemError.last("stat \(root)/\(path)").message)"
        }
        guard let position = index.position(of: path.utf8) else { return "the staged tree has \(path), which the index does not list" }
        let record = index.records[position]
        let kind = FileSystem.kind(of: info), mode = UInt32(info.st_mode & 0o7777)
        let matches: Bool
        switch record.type {
        case .file: matches = kind == .file && Int64(info.st_size) == record.size && mode == UInt32(record.mode)
        case .directory: matches = kind == .directory && mode == UInt32(record.mode)
        case .symbolicLink: matches = kind == .symlink && (try? FileSystem.readLink(at: fd, String(cString: name), shown: path)) == index.target(position)
        }
        guard matches else { return "the staged entry \(path) differs from the index's (type, mode, size or link target)" }
        if kind == .directory { subfolders.append(Folder(path: path, identity: FileIdentity(of: info))) }
        return nil
    }
}
