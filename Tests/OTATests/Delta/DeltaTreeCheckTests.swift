import Foundation
import Testing
@testable import OTA
import OTATestSupport

@Suite("DeltaTreeCheck: a staged tree read by two workers against its index", .timeLimit(.minutes(10)))
struct DeltaTreeCheckTests {
    static let digest = String(repeating: "a", count: 64)

    /// An index of `folders` folders (two levels, modes 0755 and 0750), each with a file of 3 bytes, plus a
    /// file and a link at the top.
    static func index(folders: Int = 300) -> DeltaIndex {
        var entries: [DeltaIndex.Entry] = [
            .init(path: "VERSION", kind: .file(size: 6, sha256: digest), mode: 0o644),
            .init(path: "latest", kind: .symbolicLink(target: "f0000/inner/file"), mode: 0),
        ]
        for number in 0..<folders {
            let folder = String(format: "f%04d", number)
            entries.append(.init(path: folder, kind: .directory, mode: 0o755))
            entries.append(.init(path: folder + "/inner", kind: .directory, mode: 0o750))
            entries.append(.init(path: folder + "/inner/file", kind: .file(size: 3, sha256: digest), mode: 0o600))
        }
        return DeltaIndex(entries: entries)
    }

    /// Makes the tree `index` lists under `root` (contents of the listed sizes).
    static func make(_ index: DeltaIndex, at root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
        for entry in index.entries {
            let path = root + "/" + entry.path
            switch entry.kind {
            case .directory:
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                chmod(path, mode_t(entry.mode))
            case .file(let size, _):
                try Data(repeating: 0x61, count: Int(size)).write(to: URL(fileURLWithPath: path))
                chmod(path, mode_t(entry.mode))
            case .symbolicLink(let target):
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
            }
        }
    }

    static func failure(_ root: String, _ index: DeltaIndex, workers: Int = 2) -> String? {
        do {
            try DeltaTreeCheck.check(root: root, against: index, workers: workers)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("a tree exactly as its index lists passes, read by one, two or four workers", arguments: [1, 2, 4])
    func matchingTreePasses(workers: Int) throws {
        let work = try TemporaryDirectory("tree-check")
        let index = Self.index()
        try Self.make(index, at: work.url("root"))
        #expect(Self.failure(work.url("root"), index, workers: workers) == nil)
    }

    @Test("an entry more, less, of another mode, size, type or link target fails, naming the entry", arguments: [
        ("extra", "the staged tree has f0123/inner/extra, which the index does not list"),
        ("missing", "the staged tree has 901 entries where the index lists 902"),
        ("mode", "the staged entry f0200/inner/file differs from the index's"),
        ("folder mode", "the staged entry f0201 differs from the index's"),
        ("size", "the staged entry f0202/inner/file differs from the index's"),
        ("link target", "the staged entry latest differs from the index's"),
        ("link for a folder", "the staged entry f0299/inner differs from the index's"),
    ])
    func mismatchFails(change: String, message: String) throws {
        let work = try TemporaryDirectory("tree-check")
        let index = Self.index()
        let root = work.url("root")
        try Self.make(index, at: root)
        switch change {
        case "extra": try work.write("root/f0123/inner/extra", "x")
        case "missing": try FileManager.default.removeItem(atPath: root + "/f0042/inner/file")
        case "mode": chmod(root + "/f0200/inner/file", 0o644)
        case "folder mode": chmod(root + "/f0201", 0o700)
        case "size": try work.write("root/f0202/inner/file", "four")
        case "link target":
            try FileManager.default.removeItem(atPath: root + "/latest")
            try FileManager.default.createSymbolicLink(atPath: root + "/latest", withDestinationPath: "f0001/inner/file")
        default:
            try FileManager.default.moveItem(atPath: root + "/f0299/inner", toPath: work.url("moved"))
            try FileManager.default.createSymbolicLink(atPath: root + "/f0299/inner", withDestinationPath: work.url("moved"))
        }
        let failure = try #require(Self.failure(root, index))
        #expect(failure.hasPrefix(message), "\(failure)")
    }

    @Test("a folder swapped for a link to an identical copy after its parent was read is refused: it is not the folder listed")
    func folderSwappedWhileRead() throws {
        let work = try TemporaryDirectory("tree-check")
        let index = Self.index()
        let root = work.url("root")
        try Self.make(index, at: root)
        try FileSystem.copyTree(root + "/f0150", to: work.url("copy"))
        let swap: @Sendable (String) -> Void = { path in
            guard path == "f0150/inner" else { return }
            // The listing of f0150 found its folder; now a link to the copy takes its place.
            _ = rename(root + "/f0150", work.url("original"))
            _ = symlink(work.url("copy"), root + "/f0150")
        }
        var failure: String?
        do { try DeltaTreeCheck.check(root: root, against: index, openingFolder: swap) } catch { failure = error.message }
        #expect(FileSystem.lstatInfo(root + "/f0150").map(FileSystem.kind(of:)) == .symlink, "the folder was swapped")
        #expect(failure == "the staged folder \(root)/f0150/inner changed while the tree was checked")
    }

    @Test("a folder that cannot be opened after its parent was read fails the check with the system's reason")
    func folderGoneWhileRead() throws {
        let work = try TemporaryDirectory("tree-check")
        let index = Self.index()
        let root = work.url("root")
        try Self.make(index, at: root)
        let remove: @Sendable (String) -> Void = { path in
            guard path == "f0150/inner" else { return }
            _ = rename(root + "/f0150/inner", work.url("gone"))
        }
        var failure: String?
        do { try DeltaTreeCheck.check(root: root, against: index, openingFolder: remove) } catch { failure = error.message }
        #expect(failure == "cannot read the staged tree \(root): read directory \(root)/f0150/inner failed: No such file or directory")
    }
}
