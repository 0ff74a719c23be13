import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// Delta updates from GitHub release assets: the index signed with minisign, the contents byte ranges of
/// one pack, fetched with coalesced `Range` requests — or the full archive when anything is wrong.
@Suite("Delta updates: GitHub release assets, one pack fetched by ranges", .timeLimit(.minutes(10)))
struct GitHubDeltaTests {
    /// The entries the device manages (the archive's), for comparing trees.
    static func managed(_ tree: [String: String]) -> [String: String] {
        tree.filter { $0.key == "VERSION" || $0.key.hasPrefix("assets") }
    }

    @Test("a patch release fetches the index and only the changed objects' ranges, adjacent ones in one request; the tree equals the archive's")
    func patchRelease() async throws {
        let fixture = try GitHubDeltaFixture()
        try await fixture.provision()
        let files = GitHubDeltaFixture.newTree(changing: [3, 5, 9])
        let archive = try fixture.publish("1.1.0", files)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let served = fixture.server.takeServed()
        let ranges = served.filter { $0.name == "app-1.1.0.tar.gz.pack" }
        let changed = try fixture.objects("1.1.0", files, paths: ["VERSION", GitHubDeltaFixture.name(3), GitHubDeltaFixture.name(5), GitHubDeltaFixture.name(9)])
        let gap = try fixture.objects("1.1.0", files, paths: [GitHubDeltaFixture.name(4)])
        let floor = changed.reduce(0) { $0 + Int($1.length) }
        // VERSION alone; blob03 and blob05 with the 1 KiB of blob04 between them; blob09 alone.
        #expect(Set(ranges.compactMap(\.range)) == [
            "bytes=\(changed[0].offset)-\(changed[0].range.upperBound - 1)",
            "bytes=\(changed[1].offset)-\(changed[2].range.upperBound - 1)",
            "bytes=\(changed[3].offset)-\(changed[3].range.upperBound - 1)",
        ])
        #expect(ranges.allSatisfy { $0.status == 206 })
        #expect(ranges.reduce(0) { $0 + $1.bytes } == floor + Int(gap[0].length), "the changed objects and the one gap coalesced over")
        #expect(!served.contains { $0.name == "app-1.1.0.tar.gz" }, "the archive is never downloaded: \(served.map(\.name))")
        #expect(served.filter { $0.name == "app-1.1.0.tar.gz.index.gz" }.count == 1)
        #expect(served.contains { $0.name == "app-1.1.0.tar.gz.index.gz.minisig" })
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
        #expect(fixture.log.contains("by delta: index "), "\(fixture.log)")
        #expect(fixture.log.contains(", 4 objects \(floor + Int(gap[0].length)) bytes, 0 patches 0 bytes in 3 requests; "), "\(fixture.log)")
    }

    @Test("the bytes a delta reports fetched (log line, ota_download_bytes_total{method=\"delta\"}) are exactly the index, its signature and the pack ranges served")
    func fetchedBytes() async throws {
        let fixture = try GitHubDeltaFixture()
        try await fixture.provision()
        try fixture.publish("1.1.0", GitHubDeltaFixture.newTree(changing: [3, 5, 9]))
        let metrics = AgentMetrics()
        #expect(try await DeltaFixture.update(fixture.configuration, activity: UpdateActivity(metrics: metrics.factory))
            == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let served = fixture.server.takeServed()
        #expect(Set(served.map(\.name)) == ["app-1.1.0.tar.gz.index.gz", "app-1.1.0.tar.gz.index.gz.minisig", "app-1.1.0.tar.gz.pack"])
        func bytes(_ name: String) -> Int { served.filter { $0.name == name }.reduce(0) { $0 + $1.bytes } }
        let signature = bytes("app-1.1.0.tar.gz.index.gz.minisig")
        let index = bytes("app-1.1.0.tar.gz.index.gz"), ranges = bytes("app-1.1.0.tar.gz.pack")
        #expect(signature == (try FileManager.default.attributesOfItem(atPath: fixture.work.url("releases/v1.1.0/app-1.1.0.tar.gz.index.gz.minisig"))[.size] as? Int))
        let line = try #require(fixture.log.split(separator: "\n").first { $0.contains("fetched 1.1.0 by delta") })
        let match = try #require(String(line).firstMatch(of: /index (\d+) bytes, \d+ objects (\d+) bytes/))
        #expect(Int(match.1) == index + signature, "\(line)")
        #expect(Int(match.2) == ranges, "\(line)")
        let text = try await PrometheusText.parse(metrics.registry.emitToString())
        #expect(text.value("ota_download_bytes_total", ["method": "delta"]) == Double(index + signature + ranges))
    }

    @Test("a corrupt pack, a server that ignores Range or answers another range, a pack of another size: the full archive installs, and the log says why",
          arguments: ["corrupt", "range ignored", "wrong Content-Range", "truncated"])
    func brokenPackFallsBack(damage: String) async throws {
        let fixture = try GitHubDeltaFixture()
        try await fixture.provision()
        let files = GitHubDeltaFixture.newTree(changing: [3, 5, 9])
        let archive = try fixture.build("1.1.0", files)
        let pack = fixture.work.url("releases/v1.1.0/app-1.1.0.tar.gz.pack")
        let why: [String]
        switch damage {
        case "corrupt":
            let object = try #require(try fixture.objects("1.1.0", files, paths: [GitHubDeltaFixture.name(5)]).first)
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: pack)))
            bytes[Int(object.offset + object.length / 2)] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: pack))
            why = ["is corrupt", "SHA-256"]
        case "range ignored":
            fixture.server.answerRanges(.ignored)
            why = ["ignored the Range request"]
        case "wrong Content-Range":
            fixture.server.answerRanges(.wrongContentRange)
            why = ["with another range"]
        default:
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: pack))
            try handle.truncate(atOffset: UInt64(try fixture.table("1.1.0").size - 10))
            try handle.close()
            why = ["describes a pack of"]
        }
        try fixture.server.publish("v1.1.0")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        #expect(fixture.server.takeServed().contains { $0.name == "app-1.1.0.tar.gz" }, "the full archive was fetched")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
        let line = fixture.log.split(separator: "\n").first { $0.contains("delta update of 1.1.0 failed, fetching the full archive") }
        #expect(why.contains { line?.contains($0) == true }, "\(fixture.log)")
        #expect(fixture.log.contains("fetched 1.1.0 as the full archive"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: fixture.work.url("state/staging"))) ?? []).isEmpty, "no staged leftovers")
    }

    @Test("an index signature that is missing, by another key, or of another file (relabelled) is not trusted: no range is fetched, the full archive installs",
          arguments: ["missing", "other key", "relabelled"])
    func untrustedIndexFallsBack(signature: String) async throws {
        let fixture = try GitHubDeltaFixture()
        try await fixture.provision()
        let archive = try fixture.build("1.1.0", GitHubDeltaFixture.newTree(changing: [3]))
        let index = fixture.work.url("releases/v1.1.0/app-1.1.0.tar.gz.index.gz")
        let why: String
        switch signature {
        case "missing":
            try FileManager.default.removeItem(atPath: index + ".minisig")
            why = "not signed"
        case "other key":
            try FileManager.default.removeItem(atPath: index + ".minisig")
            try fixture.sign(index, key: "other")
            why = "another key"
        default:
            // 1.0.0's own index and signature, uploaded under 1.1.0's names.
            let old = fixture.work.url("releases/v1.0.0/app-1.0.0.tar.gz.index.gz")
            for suffix in ["", ".minisig"] {
                try FileManager.default.removeItem(atPath: index + suffix)
                try FileManager.default.copyItem(atPath: old + suffix, toPath: index + suffix)
            }
            why = "app-1.0.0.tar.gz.index.gz"
        }
        try fixture.server.publish("v1.1.0")
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let served = fixture.server.takeServed()
        #expect(!served.contains { $0.name.hasSuffix(".pack") }, "nothing of the pack is fetched on an untrusted index")
        #expect(served.contains { $0.name == "app-1.1.0.tar.gz" })
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
        let line = fixture.log.split(separator: "\n").first { $0.contains("delta update of 1.1.0 failed, fetching the full archive") }
        #expect(line?.contains(why) == true, "\(fixture.log)")
    }

    @Test("without public_key the index is never used (an unsigned index is not trusted): the full archive is fetched")
    func noKeyNoDelta() async throws {
        let fixture = try GitHubDeltaFixture(publicKeyLine: false)
        try await fixture.provision()
        try fixture.publish("1.1.0", GitHubDeltaFixture.newTree(changing: [3]))
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        let served = fixture.server.takeServed().map(\.name)
        #expect(!served.contains { $0.contains(".index.gz") || $0.hasSuffix(".pack") }, "\(served)")
        #expect(served.contains("app-1.1.0.tar.gz"))
        #expect(!fixture.log.contains("delta update"), "no delta was tried: \(fixture.log)")
    }

    @Test("a signed index with ../escape, or a pack section whose lengths do not add up to the pack, is refused outright: nothing installed, no fallback",
          arguments: ["index", "pack section"])
    func hostileSignedIndex(part: String) async throws {
        let fixture = try GitHubDeltaFixture()
        try await fixture.provision()
        let files = GitHubDeltaFixture.newTree(changing: [3])
        try fixture.build("1.1.0", files)
        let indexPath = fixture.work.url("releases/v1.1.0/app-1.1.0.tar.gz.index.gz")
        let text = String(decoding: try Gzip.decompress(Array(Data(contentsOf: URL(fileURLWithPath: indexPath))), limit: 1 << 20), as: UTF8.self)
        let hostile: String
        if part == "index" {
            let digest = SHA256Hex.of(files["VERSION"]!)
            hostile = text.replacingOccurrences(of: "ota-index 1\n", with: "ota-index 1\nf\t0644\t6\t\(digest)\t../escape\n")
        } else {
            // The first object one byte longer than it is: every range after it would be shifted.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let first = try #require(lines.firstIndex { $0.hasPrefix("ota-pack") }) + 1
            lines[first] = String(Int(lines[first])! + 1)
            hostile = lines.joined(separator: "\n")
        }
        try Data(Gzip.compress(Array(hostile.utf8))).write(to: URL(fileURLWithPath: indexPath))
        try FileManager.default.removeItem(atPath: indexPath + ".minisig")
        try fixture.sign(indexPath)
        try fixture.server.publish("v1.1.0")

        let thrown = await #expect(throws: DeltaError.self) { try await fixture.update() }
        #expect(thrown?.code == .refusedIndex)
        #expect(thrown?.message.contains("refused") == true)
        let served = fixture.server.takeServed().map(\.name)
        #expect(!served.contains("app-1.1.0.tar.gz") && !served.contains { $0.hasSuffix(".pack") }, "no fallback, no objects: \(served)")
        #expect(try String(contentsOfFile: fixture.work.url("install/VERSION"), encoding: .utf8) == "1.0.0\n", "nothing was installed")
    }

    @Test("a range that fails once (503) is retried and the update still goes by delta")
    func transientRangeFailureRetried() async throws {
        let fixture = try GitHubDeltaFixture(retries: 1)
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", GitHubDeltaFixture.newTree(changing: [3, 5, 9]))
        fixture.server.failNextRanges(1)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let ranges = fixture.server.takeServed().filter { $0.name.hasSuffix(".pack") }
        #expect(ranges.map(\.status).sorted() == [206, 206, 206, 503])
        #expect(fixture.log.contains("objects") && fixture.log.contains(" in 4 requests; "), "three ranges and one retry: \(fixture.log)")
        #expect(!fixture.log.contains("delta update of 1.1.0 failed"))
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
    }

    @Test("at most 4 range requests are open at once, and 4 are when more ranges are wanted")
    func fourConnectionsAtMost() async throws {
        let fixture = try GitHubDeltaFixture()
        try await fixture.provision()
        // VERSION with blob00 (adjacent), then blob02, 05, 07, 09 and 11 apart: six ranges.
        let archive = try fixture.publish("1.1.0", GitHubDeltaFixture.newTree(changing: [0, 2, 5, 7, 9, 11]))
        fixture.server.holdRanges(width: 4, total: 6)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        #expect(fixture.server.takeServed().filter { $0.name.hasSuffix(".pack") }.count == 6)
        let concurrency = fixture.server.concurrency
        #expect(concurrency.max == 4)
        #expect(!concurrency.gateTimedOut, "the client kept 4 requests open while more were wanted")
        #expect(Self.managed(try fixture.installed()) == Self.managed(try fixture.extracted(archive)))
    }
}
