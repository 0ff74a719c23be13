import Testing
@testable import OTA

@Suite("ProgressMilestones: where a download earns a log line")
struct ProgressMilestonesTests {
    func lines(_ steps: [(Int64, Int64?)]) -> [String] {
        var milestones = ProgressMilestones()
        return steps.compactMap { milestones.line(for: Downloader.Progress(received: $0.0, total: $0.1)) }
    }

    @Test("a known size: one line at each 10 % reached, a jump over several steps gives one line")
    func knownSize() {
        #expect(lines([(5, 100), (9, 100), (10, 100), (15, 100), (20, 100), (29, 100), (100, 100), (100, 100)]) == [
            "download 10% (10/100 bytes)", "download 20% (20/100 bytes)", "download 100% (100/100 bytes)",
        ])
    }

    @Test("an unknown size: one line at each 10 MiB passed, with the MiB received")
    func unknownSize() {
        let mebibyte: Int64 = 1 << 20
        #expect(lines([(5 * mebibyte, nil), (10 * mebibyte, nil), (19 * mebibyte, nil), (25 * mebibyte, nil), (0, 0)]) == [
            "download 10 MiB so far", "download 25 MiB so far",
        ])
    }

    @Test("another size is another download, counted from 0; a retry from fewer bytes is reported as it passes the steps again")
    func newDownload() {
        #expect(lines([(100, 100), (50, 1000), (100, 1000), (450, 1000), (430, 1000), (440, 1000), (450, 1000), (0, 1000), (100, 1000)]) == [
            "download 100% (100/100 bytes)", "download 10% (100/1000 bytes)", "download 40% (450/1000 bytes)",
            "download 10% (100/1000 bytes)",
        ])
    }
}
