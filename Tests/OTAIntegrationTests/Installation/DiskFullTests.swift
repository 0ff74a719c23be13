#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// A small tmpfs (mode 0755, as a trusted folder must be) mounted for one test (needs root; the tests
/// are skipped where `mount` is refused).
struct SmallFilesystem {
    let path: String

    static func mount(at path: String, size: String) -> SmallFilesystem? {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", path]) == 0 else { return nil }
        return SmallFilesystem(path: path)
    }

    func unmount() { _ = Self.run("/bin/umount", [path]) }

    static let canMount: Bool = {
        let probe = FileManager.default.temporaryDirectory.path + "/ota-mount-probe-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard let mounted = mount(at: probe, size: "64k") else { return false }
        mounted.unmount()
        return true
    }()

    private static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

@Suite("Disk full", .serialized, .enabled(if: SmallFilesystem.canMount, "needs root to mount a small tmpfs"))
struct DiskFullTests {
    @Test("a backup that fills its filesystem fails with ENOSPC, leaves no partial backup and changes nothing")
    func backupFillsDisk() throws {
        let fixture = try InstallFixture()
        var old = TreeFixture.release("old")
        old["src/big.bin"] = .file(String(repeating: "x", count: 600_000))
        try fixture.installInitial("1.0.0", old)
        let disk = try #require(SmallFilesystem.mount(at: fixture.config.installation.backupDirectory, size: "256k"))
        defer { disk.unmount() }
        let before = try fixture.snapshot()
        let staged = try fixture.stage("2.0.0", TreeFixture.release("new"))
        let error = try #require(throws: InstallationError.self) { try fixture.installer.install(staged) }
        #expect(error.code == .backupFailed)
        #expect(error.underlying?.errno == ENOSPC)
        #expect(error.message.contains("nothing was changed"))
        #expect(try fixture.snapshot() == before)
        #expect(try FileSystem.names(in: fixture.config.installation.backupDirectory).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.state + "/journal.json"))
        #expect(try fixture.installer.currentVersion() == SemanticVersion(1, 0, 0))
    }

    @Test("a journal that cannot be written (state_dir full) stops the update before the first step")
    func journalFillsDisk() throws {
        let fixture = try InstallFixture()
        fixture.config.installation.backupEnabled = false
        try fixture.installInitial("1.0.0", TreeFixture.release("old"))
        fixture.config.installation.stateDir = fixture.temp.url("state")
        let disk = try #require(SmallFilesystem.mount(at: fixture.temp.url("state"), size: "4k"))
        defer { disk.unmount() }
        try Data(String(repeating: "f", count: 4096).utf8).write(to: URL(fileURLWithPath: fixture.temp.url("state/filler")))
        let before = try fixture.snapshot()
        // The staged tree must be on the install's filesystem, so it lives outside the full state_dir here.
        let root = fixture.install + "/.staging/2.0.0"
        try TreeFixture.make(root, TreeFixture.release("new"))
        let error = try #require(throws: InstallationError.self) {
            try fixture.installer.install(StagedTree(root: root, version: SemanticVersion(2, 0, 0)))
        }
        #expect(error.code == .journalFailed)
        #expect(error.underlying?.errno == ENOSPC)
        #expect(try TreeFixture.snapshot(fixture.install, excluding: [".ota", ".staging"]) == before)
        #expect(!FileManager.default.fileExists(atPath: root), "the staged tree belongs to the failed transaction and is removed")
        #expect(try fixture.installer.currentVersion() == SemanticVersion(1, 0, 0))
    }
}
