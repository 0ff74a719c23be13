import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// Delta updates end to end: `ota publish add` writes the index and objects, nginx serves them, the device
/// fetches only what changed — or falls back to the full archive, and says so.
@Suite("Delta updates: a repository on nginx", .timeLimit(.minutes(10)))
struct DeltaUpdateTests {
    @Test("in_place: a patch release fetches only the changed contents and the index; the installed tree equals the archive's")
    func patchReleaseInPlace() async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let (objects, others, _) = try fixture.requests()
        #expect(Set(objects) == (try fixture.changedDigests()), "exactly the new contents, each once")
        #expect(objects.count == DeltaFixture.changedContents.count)
        #expect(!others.contains { $0.hasSuffix(".tar.gz") }, "the archive is never downloaded: \(others)")
        #expect(others.contains { $0.hasSuffix(".tar.gz.index.gz") })
        let installed = try DeltaFixture.describe(fixture.installedRoot).filter { ["src", "config", "VERSION"].contains(String($0.key.split(separator: "/")[0])) }
        let expected = try fixture.extracted(archive).filter { ["src", "config", "VERSION"].contains(String($0.key.split(separator: "/")[0])) }
        #expect(installed == expected)
        #expect(fixture.log.contains("fetched 1.1.0 by delta: index"))
    }

    @Test("a delta's index and object bytes count as ota_download_bytes_total{method=\"delta\"}, and its fetch is the downloading state")
    func deltaMetricsAndState() async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        let metrics = AgentMetrics()
        let activity = UpdateActivity(metrics: metrics.factory)
        let events = activity.events()
        #expect(try await DeltaFixture.update(fixture.configuration, activity: activity) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        var states: [AgentState] = []
        for await event in events {
            if states.last != event.state { states.append(event.state) }
            if event.state == .idle && states.count > 1 { break }
        }
        #expect(states.contains(.downloading) && states.firstIndex(of: .downloading)! < states.firstIndex(of: .installing)!, "\(states)")
        // The log line of the delta gives what it fetched: "index N bytes, K objects M bytes".
        let line = try #require(fixture.log.split(separator: "\n").first { $0.contains("fetched 1.1.0 by delta") })
        let match = try #require(String(line).firstMatch(of: /index (\d+) bytes, \d+ objects (\d+) bytes/))
        let (indexBytes, objectBytes) = (Double(match.1)!, Double(match.2)!)
        let text = try await PrometheusText.parse(metrics.registry.emitToString())
        #expect(text.value("ota_download_bytes_total", ["method": "delta"]) == indexBytes + objectBytes, "\(line)")
        #expect(text.value("ota_download_bytes_total", ["method": "full"]) == 0)
    }

    @Test("releases: unchanged files are hard links to the previous release; the tree equals the archive's entry for entry")
    func patchReleaseLinked() async throws {
        let fixture = try DeltaFixture(layout: "releases")
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        #expect(Set(try fixture.requests().objects) == (try fixture.changedDigests()))
        #expect(try DeltaFixture.describe(fixture.work.url("install/releases/1.1.0")) == (try fixture.extracted(archive)))
        let old = try #require(FileSystem.lstatInfo(fixture.work.url("install/releases/1.0.0/src/pkg3/module3.py")))
        let new = try #require(FileSystem.lstatInfo(fixture.work.url("install/releases/1.1.0/src/pkg3/module3.py")))
        #expect(old.st_ino == new.st_ino, "an unchanged file is the same inode")
        let renamed = try #require(FileSystem.lstatInfo(fixture.work.url("install/releases/1.1.0/src/moved/module8.py")))
        let original = try #require(FileSystem.lstatInfo(fixture.work.url("install/releases/1.0.0/src/pkg0/module8.py")))
        #expect(renamed.st_ino == original.st_ino, "a renamed file is found by its content")
        #expect(fixture.log.contains("hard links"))
    }

    @Test("releases: a folder of the installed tree replaced by a symbolic link is not looked into: its files' contents are fetched, not linked")
    func linkedFolderIsNotUsed() async throws {
        let fixture = try DeltaFixture(layout: "releases")
        try await fixture.provision()
        let folder = fixture.work.url("install/releases/1.0.0/src/pkg3")
        let outside = fixture.work.url("outside/pkg3")
        try FileManager.default.createDirectory(atPath: fixture.work.url("outside"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: folder, toPath: outside)
        #expect(symlink(outside, folder) == 0)
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        let throughLink = Set(DeltaFixture.newTree.filter { $0.key.hasPrefix("src/pkg3/") }.values)
        let expected = try Set(DeltaFixture.changedContents.union(throughLink).map { try fixture.sha256($0) })
        #expect(Set(try fixture.requests().objects) == expected, "the files under the linked folder are fetched")
        let staged = try #require(FileSystem.lstatInfo(fixture.work.url("install/releases/1.1.0/src/pkg3/module3.py")))
        let linkedTo = try #require(FileSystem.lstatInfo(outside + "/module3.py"))
        #expect(staged.st_ino != linkedTo.st_ino, "no hard link to a file outside the release tree")
        #expect(staged.st_nlink == 1)
    }

    @Test("contents the installed tree lacks but a backup has (a release that reverts files) are taken from the backup", arguments: ["in_place", "releases"])
    func contentsFromBackups(layout: String) async throws {
        let fixture = try DeltaFixture(layout: layout)
        try await fixture.provision()
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        var reverted = DeltaFixture.oldTree
        reverted["VERSION"] = "1.2.0\n"
        let archive = try fixture.publish("1.2.0", reverted)
        try fixture.nginx.clearRequests()
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 1, 0), to: SemanticVersion(1, 2, 0)))

        #expect(try fixture.requests().objects == [try fixture.sha256("1.2.0\n")], "only VERSION is new; 1.0.0's files come from its backup")
        let managed: (String) -> Bool = { ["src", "config", "VERSION"].contains(String($0.split(separator: "/")[0])) }
        #expect(try DeltaFixture.describe(fixture.installedRoot).filter { managed($0.key) } == (try fixture.extracted(archive)).filter { managed($0.key) })
    }

    @Test("a corrupt object, or a missing one, falls back to the full archive, which installs; the log says so", arguments: ["corrupt", "missing"])
    func brokenObjectFallsBack(damage: String) async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree)
        let object = fixture.objectPath(try fixture.sha256(DeltaFixture.newTree["src/pkg3/new.py"]!))
        if damage == "corrupt" {
            try Data(Gzip.compress(Array("print('forged')\n".utf8))).write(to: URL(fileURLWithPath: object))
        } else {
            try FileManager.default.removeItem(atPath: object)
        }
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))

        #expect(try fixture.requests().others.contains { $0.hasSuffix("monitor-1.1.0.tar.gz") }, "the full archive was fetched")
        let installed = try DeltaFixture.describe(fixture.installedRoot).filter { !$0.key.hasPrefix("data") }
        #expect(installed == (try fixture.extracted(archive)).filter { !$0.key.hasPrefix("data") })
        #expect(fixture.log.contains("delta update of 1.1.0 failed, fetching the full archive"))
        #expect(fixture.log.contains("fetched 1.1.0 as the full archive"))
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: fixture.work.url("state/staging"))) ?? []
        #expect(leftovers.isEmpty, "no staged leftovers")
    }

    @Test("an index replaced on the host fails its signed hash: the full archive is fetched and installs")
    func replacedIndexFallsBack() async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        let archive = try fixture.publish("1.1.0", DeltaFixture.newTree)
        let folder = fixture.work.url("repo/targets/monitor/1.1.0")
        let index = try #require(try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".index.gz") })
        try Data(DeltaIndex(entries: [.init(path: "VERSION", kind: .directory, mode: 0o755)]).encoded()).write(to: URL(fileURLWithPath: folder + "/" + index))
        #expect(try await fixture.update() == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(try fixture.requests().objects.isEmpty)
        #expect(try DeltaFixture.describe(fixture.installedRoot) == (try fixture.extracted(archive)).filter { !$0.key.hasPrefix("data") })
        #expect(fixture.log.contains("delta update of 1.1.0 failed, fetching the full archive"))
    }

    @Test("delta: false fetches the full archive although an index is published")
    func deltaOff() async throws {
        let fixture = try DeltaFixture()
        try await fixture.provision()
        try fixture.publish("1.1.0", DeltaFixture.newTree)
        var configuration = fixture.configuration
        configuration.transfer.delta = false
        #expect(try await DeltaFixture.update(configuration) == .updated(from: SemanticVersion(1, 0, 0), to: SemanticVersion(1, 1, 0)))
        #expect(try fixture.requests().objects.isEmpty)
        #expect(fixture.log.contains("fetched 1.1.0 as the full archive"))
    }
}
