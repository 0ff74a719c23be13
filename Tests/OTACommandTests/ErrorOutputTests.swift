import Foundation
import OTATestSupport
import Testing

@Suite("Error output")
struct ErrorOutputTests {
    @Test("an error quoting text with terminal escape sequences prints them escaped, on one line")
    func escapedError() async throws {
        let directory = try TemporaryDirectory()
        // The unknown key is quoted in the error as written: ESC [2J clears a terminal, OSC 0 retitles it.
        try directory.write("ota_config.yaml", "github_repo: o/r\n\"x\\e[2J\\e]0;owned\\ay\": 1\n")
        let result = try await CommandRunner.run(["status", "--config", directory.url("ota_config.yaml")])
        #expect(result.status == 1)
        #expect(!result.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(result.stderr.contains(#"'x\u{1B}[2J\u{1B}]0;owned\u{7}y'"#))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
