import Foundation
import Testing
@testable import OTA

@Suite("Updater backups", .timeLimit(.minutes(10)))
struct UpdaterBackupTests {
    @Test("after each update the backups are pruned to max_backups, and a rollback restores the newest one exactly")
    func pruneThenRollback() async throws {
        var fixture = try UpdateFixture()
        fixture.configuration.installation.maxBackups = 1
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        _ = try await updater.update()
        let afterFirst = try fixture.tree()
        try fixture.server.publish("v1.2.0", files: ["src/app.sh": "echo 1.2.0\n", "config/settings.yaml": "level: 3\n"])
        #expect(try await updater.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))
        let names = try FileSystem.names(in: fixture.configuration.installation.backupDirectory)
        #expect(names.count == 1 && names[0].hasPrefix("backup_1.1.0_"), "\(names)")
        let state = try fixture.state()
        #expect((state["last_update"] as? [String: Any])?["result"] as? String == "succeeded")
        #expect(try await updater.rollback() == SemanticVersion(1, 1, 0))
        #expect(try fixture.tree() == afterFirst)
        // state.json says what is installed now: the restored version.
        #expect(try fixture.state()["current_version"] as? String == "1.1.0")
        #expect(try fixture.state()["highest_installed_version"] as? String == "1.2.0")
        await updater.shutdown()
    }
}
