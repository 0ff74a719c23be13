import Foundation
import Testing
@testable import OTA
import OTATestSupport

@Suite("DeltaFolderMaker: a delta index's folders made on another thread", .timeLimit(.minutes(10)))
struct DeltaFolderMakerTests {
    static let digest = String(repeating: "a", count: 64)

    /// An index of `folders` folders, each with one file, and a file at the top.
    static func index(folders: Int) -> DeltaIndex {
        var entries: [DeltaIndex.Entry] = [.init(path: "VERSION", kind: .file(size: 1, sha256: digest), mode: 0o644)]
        for number in 0..<folders {
            let folder = String(format: "f%04d", number)
            entries.append(.init(path: folder, kind: .directory, mode: 0o755))
            entries.append(.init(path: folder + "/inner", kind: .directory, mode: 0o755))
            entries.append(.init(path: folder + "/inner/file", kind: .file(size: 1, sha256: digest), mode: 0o644))
        }
        return DeltaIndex(entries: entries.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) })
    }

    @Test("before each file its folder exists, made by the thread or by the caller; at the end all do")
    func foldersBeforeAFileExist() throws {
        let work = try TemporaryDirectory("folder-maker")
        try work.makeDirectory("root")
        let index = Self.index(folders: 300)
        let maker = DeltaFolderMaker(index: index, root: work.url("root"))
        defer { maker.stop() }
        for position in 0..<index.count where index.records[position].type == .file {
            try maker.makeFolders(before: position)
            let path = index.path(position)
            if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
                #expect(FileSystem.lstatInfo(work.url("root/" + path[..<slash])).map(FileSystem.kind(of:)) == .directory, "\(path)")
            }
        }
        try maker.finish()
        #expect(index.records.indices.allSatisfy { index.records[$0].type != .directory || FileSystem.exists(work.url("root/" + index.path($0))) })
    }

    @Test("a folder that cannot be made fails the file placed into it and the finish, on the caller's thread")
    func failureSurfacesToTheCaller() throws {
        let work = try TemporaryDirectory("folder-maker")
        try work.makeDirectory("root")
        try work.write("root/f0100", "a file where a folder goes")
        let index = Self.index(folders: 300)
        let file = try #require((0..<index.count).first { index.path($0) == "f0100/inner/file" })
        let later = try #require((0..<index.count).first { index.path($0) == "f0200/inner/file" })
        let maker = DeltaFolderMaker(index: index, root: work.url("root"))
        defer { maker.stop() }
        try maker.makeFolders(before: file - 3)
        #expect(throws: SystemError.self) { try maker.makeFolders(before: file) }
        try maker.makeFolders(before: later)
        #expect(FileSystem.exists(work.url("root/f0200/inner")), "a later folder is made by the caller")
        #expect(throws: SystemError.self) { try maker.finish() }
    }

    @Test("stopping midway leaves no thread making folders: the tree can be removed")
    func stopMidway() throws {
        let work = try TemporaryDirectory("folder-maker")
        try work.makeDirectory("root")
        let maker = DeltaFolderMaker(index: Self.index(folders: 2000), root: work.url("root"))
        maker.stop()
        try FileSystem.removeTree(work.url("root"))
        #expect(!FileSystem.exists(work.url("root")), "removed, and not made again")
    }
}
