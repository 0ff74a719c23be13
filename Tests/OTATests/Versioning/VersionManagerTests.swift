import Foundation
import Testing
@testable import OTA

@Suite("VersionManager")
struct VersionManagerTests {
    @Test("reads the VERSION file, tolerating a trailing newline and surrounding spaces", arguments: [
        "1.2.3", "1.2.3\n", "  1.2.3  \n", "1.2.3\r\n", "1.2.3-rc.1+b\n",
    ])
    func readsVersion(_ content: String) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("VERSION", content)
        let version = try VersionManager(versionFile: file).currentVersion()
        #expect(version.description == content.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("a missing VERSION file counts as 0.0.0")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let version = try VersionManager(versionFile: directory.url("VERSION")).currentVersion()
        #expect(version == SemanticVersion(0, 0, 0))
    }

    @Test("a VERSION file with garbage is an error naming the file and its content", arguments: [
        "garbage", "1.2", "v1.2.3", "1.2.3\n1.2.4\n", "",
    ])
    func garbage(_ content: String) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("VERSION", content)
        let error = try #require(throws: VersionError.self) { try VersionManager(versionFile: file).currentVersion() }
        #expect(error.code == .invalidVersionFile)
        #expect(error.message.contains(file))
        #expect(error.message.contains("'\(content.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "\\n"))'"))
    }

    @Test("binary content is refused without dumping it")
    func binary() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url("VERSION")
        try Data([0xff, 0xfe, 0x00, 0x31]).write(to: URL(fileURLWithPath: file))
        let error = try #require(throws: VersionError.self) { try VersionManager(versionFile: file).currentVersion() }
        #expect(error.code == .invalidVersionFile)
    }

    @Test("a VERSION path that is a directory is a read error")
    func unreadable() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.url("VERSION"), withIntermediateDirectories: false)
        let error = try #require(throws: VersionError.self) { try VersionManager(versionFile: directory.url("VERSION")).currentVersion() }
        #expect(error.code == .unreadableVersionFile)
    }

    @Test("setCurrentVersion writes the version with a newline, atomically, leaving no temporary file")
    func writes() throws {
        let directory = try TemporaryDirectory()
        let manager = VersionManager(versionFile: directory.url("VERSION"))
        try manager.setCurrentVersion("1.0.0")
        try manager.setCurrentVersion("1.2.0-rc.1")
        #expect(try directory.read("VERSION") == "1.2.0-rc.1\n")
        #expect(try manager.currentVersion().description == "1.2.0-rc.1")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["VERSION"])
    }

    @Test("setCurrentVersion refuses an invalid version and leaves the file alone")
    func refusesInvalid() throws {
        let directory = try TemporaryDirectory()
        let manager = VersionManager(versionFile: directory.url("VERSION"))
        try manager.setCurrentVersion("1.0.0")
        #expect(throws: VersionError.self) { try manager.setCurrentVersion("1.0") }
        #expect(try directory.read("VERSION") == "1.0.0\n")
    }

    @Test("setCurrentVersion into a missing folder is a write error")
    func writeFailure() throws {
        let directory = try TemporaryDirectory()
        let manager = VersionManager(versionFile: directory.url("missing/VERSION"))
        let error = try #require(throws: VersionError.self) { try manager.setCurrentVersion("1.0.0") }
        #expect(error.code == .writeFailed)
        #expect(error.message.contains("missing"))
    }

    @Test("parseVersion gives the three numbers, and refuses numbers beyond Int")
    func parse() throws {
        let parts = try VersionManager.parseVersion("1.2.3-rc.1")
        #expect(parts.major == 1 && parts.minor == 2 && parts.patch == 3)
        let error = try #require(throws: VersionError.self) { try VersionManager.parseVersion("99999999999999999999.0.0") }
        #expect(error.code == .outOfRange)
        #expect(throws: VersionError.self) { try VersionManager.parseVersion("1.2") }
    }

    @Test("compareVersions and isNewer on equal and invalid input")
    func compare() throws {
        #expect(try VersionManager.compareVersions("1.0.0-alpha", "1.0.0") == -1)
        #expect(try VersionManager.compareVersions("1.0.0", "1.0.0+build") == 0)
        #expect(try !VersionManager.isNewer("1.0.0", than: "1.0.0"))
        #expect(throws: VersionError.self) { try VersionManager.compareVersions("1.0", "1.0.0") }
        #expect(throws: VersionError.self) { try VersionManager.nextVersion("x", bump: .major) }
    }
}
