import Foundation
import Testing
@testable import OTA

@Suite("Support: path names split like Foundation's path methods")
struct PathNameTests {
    @Test("the last component and the rest match NSString's",
          arguments: ["", "/", "/a", "/a/", "/a//", "a/b", "a/b/", "/a/b", "/a/b/", "a//b", "/a//b", "//a", "//a/b", "./a", "..",
                      "../a", "/a/./b", "a/b//", "/var/lib/ota/state.json", "/opt/app/releases/1.2.0/", "état/ü.txt"])
    func matchesFoundation(path: String) {
        #expect(PathName.lastComponent(of: path) == (path as NSString).lastPathComponent)
        #expect(PathName.deletingLastComponent(of: path) == (path as NSString).deletingLastPathComponent)
    }

    @Test("a one-character relative name has an empty parent; slashes only are the root")
    func edges() {
        #expect(PathName.deletingLastComponent(of: "a") == "")
        #expect(PathName.deletingLastComponent(of: "a/") == "")
        #expect(PathName.deletingLastComponent(of: ".") == "")
        #expect(PathName.lastComponent(of: "a/") == "a")
        #expect(PathName.lastComponent(of: "//") == "/")
        #expect(PathName.deletingLastComponent(of: "//") == "/")
    }

    @Test("the parent folder of a relative file name is the working folder")
    func relativeParent() {
        #expect(FileSystem.parent("x") == ".")
        #expect(FileSystem.parent("/x") == "/")
        #expect(FileSystem.parent("/a/x/") == "/a")
    }
}
