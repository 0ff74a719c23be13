#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// Crash recovery run by `ota-install-harness` as another user than state_dir's owner (needs root).
@Suite("Local trust: crash recovery by another user")
struct RecoveryOwnerTests {
    static let old = TreeFixture.release("old", files: 8)
    static let otherUser: uid_t = 65534

    /// Writes `transaction` as `state_dir/journal.json` directly, as someone planting it would.
    func plant(_ transaction: Transaction, in fixture: InstallFixture) throws {
        try FileManager.default.createDirectory(atPath: fixture.state, withIntermediateDirectories: true)
        try Journal.encoder.encode(transaction).write(to: URL(fileURLWithPath: fixture.state + "/journal.json"))
    }

    /// A planted journal whose one done step moved `from` onto the existing `planted` file, with `removing` to clean up.
    func forged(from: String, planted: String, removing: [String]) throws -> Transaction {
        var transaction = Transaction(fromVersion: SemanticVersion(1, 0, 0), toVersion: SemanticVersion(2, 0, 0), layout: "in_place",
                                      steps: [.move(from: from, to: planted, identity: try #require(FileIdentity.of(planted)))],
                                      removeOnRollback: removing)
        transaction.steps[0].state = .done
        return transaction
    }

    @Test("a user other than state_dir's owner never runs crash recovery", .enabled(if: Harness.isBuilt && geteuid() == 0))
    func recoveryOnlyByOwner() throws {
        let fixture = try InstallFixture()
        try fixture.installInitial("1.0.0", Self.old)
        let planted = fixture.install + "/b"
        try TreeFixture.make(fixture.install, ["b": .file("moved\n")])
        for path in [fixture.install, planted] { chown(path, Self.otherUser, Self.otherUser) }
        // state_dir is root's but readable, with a lock anyone may take: only ownership stands in the way.
        try plant(try forged(from: fixture.install + "/a", planted: planted, removing: []), in: fixture)
        chmod(fixture.state, 0o755)
        chmod(fixture.state + "/journal.json", 0o644)
        try TreeFixture.make(fixture.state, ["lock": .file("", mode: 0o666)])

        let run = try Harness.run(["recover", "install=\(fixture.install)", "state=\(fixture.state)", "uid=\(Self.otherUser)"])
        #expect(run.status != 0)
        #expect(FileSystem.exists(planted) && !FileSystem.exists(fixture.install + "/a"), "the other user's recovery changed nothing")
        #expect(FileSystem.exists(fixture.state + "/journal.json"))

        #expect(try Journal(installation: fixture.config.installation).recoverIfNeeded() != .nothingToDo, "the owner recovers")
        #expect(FileSystem.exists(fixture.install + "/a") && !FileSystem.exists(planted))
    }
}
