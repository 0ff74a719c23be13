import Foundation
import Logging
import Testing
@testable import OTA

@Suite("DownloadProgressLog: the agent logs its download's progress", .timeLimit(.minutes(10)))
struct DownloadProgressLogTests {
    @Test("a cycle that installs logs the download's last step with its bytes, for the journal")
    func logsProgress() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let log = LogRecorder(withMetadata: true)
        let updater = try fixture.updater()
        let service = UpdateService(updater: updater, autoUpdate: true, logger: log.logger, sleep: { _ in }, maxCycles: 1)
        #expect(await service.cycle() == .updated(SemanticVersion(1, 1, 0)))
        await updater.shutdown()
        let lines = log.messages.filter { $0.hasPrefix("download ") }
        let match = try #require(try /download 100% \((\d+)\/(\d+) bytes\) ota.received_bytes=(\d+) ota.total_bytes=(\d+)/.wholeMatch(in: lines.last ?? ""),
                                 "\(log.messages)")
        #expect(Int(match.1)! > 0 && Set([match.1, match.2, match.3, match.4]).count == 1, "\(lines)")
    }
}
