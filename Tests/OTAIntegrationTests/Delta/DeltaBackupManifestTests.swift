import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// In the `in_place` layout a delta update finds contents in the recorded backups by the SHA-256s their
/// manifests keep: it hashes only what it must, and never trusts a backup file changed since its manifest.
@Suite("Delta updates: contents from backups by their manifests", .timeLimit(.minutes(10)))
struct DeltaBackupManifestTests {
    /// 1.2.0 reverts 1.1.0's changes to 1.0.0's files: those contents are in 1.0.0's backup only.
    static let reverted: [String: String] = {
        var files = DeltaFixture.oldTree
        files["VERSION"] = "1.2.0\n"
        return files
    }()

    /// A device at 1.1.0 (in_place) whose recorded backup holds 1.0.0, with 1.2.0 published.
    static func deviceWithBackup() async throws -> DeltaFixture {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        try fixture.publish("1.2.0", reverted)
        try fixture.nginx.clearRequests()
        return fixture
    }

    /// The numbers of the log line "… N files reused (L hard links, V on recorded hashes), H bytes hashed".
    static func reuse(in log: String) throws -> (vouched: Int, hashed: Int) {
        let line = try #require(log.split(separator: "\n").first { $0.contains("fetched 1.2.0 by delta") })
        let match = try #require(String(line).firstMatch(of: /(\d+) on recorded hashes\), (\d+) bytes hashed/))
        return (Int(match.1)!, Int(match.2)!)
    }

    @Test("contents found in a backup by its manifest are copied without being hashed; only same-size files at the same path are")
    func hashesOnlyWhatItMust() async throws {
        let fixture = try await Self.deviceWithBackup()
        let archive = fixture.work.url("build/monitor-1.2.0.tar.gz")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))

        #expect(try fixture.requests().objects == [try fixture.sha256("1.2.0\n")], "only VERSION is new")
        let managed: (String) -> Bool = { ["src", "config", "VERSION"].contains(String($0.split(separator: "/")[0])) }
        #expect(try DeltaFixture.describe(fixture.installedRoot).filter { managed($0.key) } == (try fixture.extracted(archive)).filter { managed($0.key) })
        // Read and hashed: each file of 1.2.0 whose path holds a file of the same size in the installed 1.1.0
        // (copied while hashed, or VERSION, hashed and refused). Not the backup's files, nor any other.
        let sameSize = Self.reverted.filter { DeltaFixture.newTree[$0.key]?.utf8.count == $0.value.utf8.count }
        let fromBackup = Self.reverted.filter { DeltaFixture.newTree[$0.key] != $0.value && $0.key != "VERSION" }
        let (vouched, hashed) = try Self.reuse(in: fixture.log)
        #expect(hashed == sameSize.values.reduce(0) { $0 + $1.utf8.count })
        #expect(vouched == fromBackup.count && vouched == 4, "module1, module2, module4 and pkg0/module8 come from the backup")
    }

    @Test("a backup file changed since its manifest was recorded (same size) is hashed, refused, and its content fetched")
    func changedBackupFileIsNotTrusted() async throws {
        let fixture = try await Self.deviceWithBackup()
        let backup = try #require(try BackupStore(installation: fixture.configuration.installation).list().first)
        #expect(backup.version == SemanticVersion(1, 0, 0))
        let path = "src/pkg1/module1.py"
        let original = try #require(DeltaFixture.oldTree[path])
        let forged = String(repeating: "#", count: original.utf8.count)
        let fd = open(backup.path + "/" + path, O_WRONLY)
        #expect(fd >= 0)
        _ = forged.withCString { write(fd, $0, original.utf8.count) }
        close(fd)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))

        #expect(Set(try fixture.requests().objects) == [try fixture.sha256("1.2.0\n"), try fixture.sha256(original)],
                "the changed file's content is fetched, not taken from the backup")
        #expect(try String(contentsOfFile: fixture.installedRoot + "/" + path, encoding: .utf8) == original)
        let (vouched, hashed) = try Self.reuse(in: fixture.log)
        #expect(vouched == 3)
        let sameSize = Self.reverted.filter { DeltaFixture.newTree[$0.key]?.utf8.count == $0.value.utf8.count }
        #expect(hashed == sameSize.values.reduce(0) { $0 + $1.utf8.count } + original.utf8.count, "the changed file was hashed")
    }
}
