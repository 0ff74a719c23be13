import Foundation
import Testing
@testable import OTA
import OTATestSupport

@Suite("PlainFolders: paths reached without a symbolic link", .timeLimit(.minutes(10)))
struct PlainFoldersTests {
    @Test("a path is plain when every folder on the way is a folder; a link to a folder, a missing folder or a dot component is not")
    func plainAndNot() throws {
        let work = try TemporaryDirectory("plain-folders")
        try work.write("root/a/b/c.txt", "c")
        try work.write("root/top.txt", "t")
        try work.write("elsewhere/f.txt", "f")
        #expect(symlink(work.url("root/a/b"), work.url("root/a/link")) == 0)
        #expect(symlink(work.url("elsewhere"), work.url("root/x")) == 0)
        var folders = PlainFolders(root: work.url("root"))

        #expect(folders.contains("a/b/c.txt") == true)
        #expect(folders.contains("top.txt") == true)
        #expect(folders.contains("a/link/c.txt") == false, "a folder that is a link to a folder of the tree")
        #expect(folders.contains("x/f.txt") == false, "a folder that is a link out of the tree")
        #expect(folders.contains("missing/c.txt") == false)
        #expect(folders.contains("a/../a/b/c.txt") == false)
        #expect(folders.contains("a/./b/c.txt") == false)
        #expect(folders.contains("a//b/c.txt") == false)
        #expect(folders.contains("a/b/c.txt") == true, "asked again, from what it remembers")
    }

    @Test("the root may itself be reached through a link (the releases layout's current)")
    func rootThroughLink() throws {
        let work = try TemporaryDirectory("plain-folders")
        try work.write("releases/1.0.0/src/app.py", "a")
        #expect(symlink("releases/1.0.0", work.url("current")) == 0)
        var folders = PlainFolders(root: work.url("current"))
        #expect(folders.contains("src/app.py") == true)
    }
}
