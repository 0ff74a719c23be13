import Foundation
import Testing
@testable import OTA
import OTATestSupport

@Suite("FileSystem.makeDirectories: a folder and its parents, like mkdir -p")
struct MakeDirectoriesTests {
    @Test("missing parents are made with the mode; a folder already there, or a link to one, is kept")
    func makesAndKeeps() throws {
        let work = try TemporaryDirectory("make-directories")
        try FileSystem.makeDirectories(work.url("a/b/c"), mode: 0o700)
        let made = try #require(FileSystem.lstatInfo(work.url("a/b/c")))
        #expect(FileSystem.kind(of: made) == .directory && made.st_mode & 0o077 == 0)
        try FileSystem.makeDirectories(work.url("a/b/c"))
        try FileManager.default.createSymbolicLink(atPath: work.url("link"), withDestinationPath: work.url("a"))
        try FileSystem.makeDirectories(work.url("link"))
        try FileSystem.makeDirectories(work.url("link/b/d"))
        #expect(FileSystem.isDirectory(work.url("a/b/d")))
    }

    @Test("a file (or a link to one, or a dangling link) where the folder goes fails with EEXIST naming the path; a file above it with ENOTDIR")
    func fileInTheWay() throws {
        let work = try TemporaryDirectory("make-directories")
        try work.write("state", "a file")
        #expect(throws: SystemError("create directory \(work.url("state"))", errno: EEXIST)) {
            try FileSystem.makeDirectories(work.url("state"))
        }
        #expect(throws: SystemError("create directory \(work.url("state/below"))", errno: ENOTDIR)) {
            try FileSystem.makeDirectories(work.url("state/below"))
        }
        try FileManager.default.createSymbolicLink(atPath: work.url("to-file"), withDestinationPath: work.url("state"))
        #expect(throws: SystemError("create directory \(work.url("to-file"))", errno: EEXIST)) {
            try FileSystem.makeDirectories(work.url("to-file"))
        }
        try FileManager.default.createSymbolicLink(atPath: work.url("dangling"), withDestinationPath: work.url("nowhere"))
        #expect(throws: SystemError("create directory \(work.url("dangling"))", errno: EEXIST)) {
            try FileSystem.makeDirectories(work.url("dangling"))
        }
        #expect(try work.read("state") == "a file", "the file is left as it was")
    }
}
