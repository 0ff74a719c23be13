import Foundation
import Synchronization

/// Creates the folders of a delta index under a staged tree's root on a thread of its own, in index order, while
/// the files are placed into them: the kernel's work for thousands of new folders (`mkdir`) and for the files'
/// hard links (`link`) then runs on two cores.
///
/// Nothing waits for the thread. A folder's entries come after it in the index (paths are sorted), so the placer
/// asks, before a file at position `p`, whether the thread has made every folder before `p`
/// (``makeFolders(before:)``); when it has not (it is behind, or stopped), the placer makes the file's folder
/// itself. Both tolerate a folder the other made. ``finish()`` makes whatever the thread did not, so a folder that
/// cannot be made fails there, on the caller's thread.
final class DeltaFolderMaker: Sendable {
    private let index: DeltaIndex
    private let root: String
    /// Every folder before this position exists.
    private let made: Atomic<Int>
    private let stopping = Atomic<Bool>(false)
    /// Signalled once when the thread ends.
    private let ended = DispatchSemaphore(value: 0)

    /// Starts creating the folders of `index` under `root` (which exists), each with mode 0700 (modes are set
    /// when the tree is finished).
    init(index: DeltaIndex, root: String) {
        self.index = index
        self.root = root
        made = Atomic((0..<index.count).first { index.records[$0].type == .directory } ?? index.count)
        let thread = Thread { [self] in
            run()
            ended.signal()
        }
        thread.name = "ota-delta-folders"
        thread.start()
    }

    private func run() {
        var position = made.load(ordering: .acquiring)
        while position < index.count && !stopping.load(ordering: .relaxed) {
            // A folder that cannot be made is made again by finish(), which reports why.
            guard (try? FileSystem.makeDirectories(root + "/" + index.path(position), mode: 0o700)) != nil else { return }
            position += 1
            while position < index.count && index.records[position].type != .directory { position += 1 }
            made.store(position, ordering: .releasing)
        }
    }

    /// Makes sure the folder of the entry at `position` exists: made by the thread (with every folder before
    /// `position`), or made here.
    func makeFolders(before position: Int) throws(SystemError) {
        guard made.load(ordering: .acquiring) < position else { return }
        let path = index.path(position)
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return }
        try FileSystem.makeDirectories(root + "/" + path[..<slash], mode: 0o700)
    }

    /// Waits for the thread to end and makes the folders it did not.
    /// - Throws: the error of a folder that cannot be made.
    func finish() throws(SystemError) {
        ended.wait()
        ended.signal()
        for position in made.load(ordering: .acquiring)..<index.count where index.records[position].type == .directory {
            try FileSystem.makeDirectories(root + "/" + index.path(position), mode: 0o700)
        }
    }

    /// Stops the thread and waits until it no longer touches the tree (before the tree is removed).
    func stop() {
        stopping.store(true, ordering: .relaxed)
        ended.wait()
        ended.signal()
    }
}
