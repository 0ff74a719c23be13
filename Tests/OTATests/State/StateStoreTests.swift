import Foundation
import Testing
@testable import OTA

@Suite("State store and update log")
struct StateStoreTests {
    @Test("a corrupt state.json starts fresh and is kept aside as state.json.corrupt")
    func corrupt() throws {
        let temp = try TemporaryDirectory()
        try temp.write("state/state.json", "{not json")
        let store = StateStore(stateDirectory: temp.url("state"))
        #expect(store.load() == OTAState())
        #expect(try temp.read("state/state.json.corrupt") == "{not json")
        #expect(!FileManager.default.fileExists(atPath: temp.url("state/state.json")))
    }

    @Test("state.json round-trips every field with snake_case keys, mode 0600 in a 0700 folder")
    func roundTrip() throws {
        let temp = try TemporaryDirectory()
        let store = StateStore(stateDirectory: temp.url("state"))
        let date = Date(timeIntervalSince1970: 1_796_000_000)
        let state = OTAState(currentVersion: "1.0.0", latestVersion: "1.1.0", lastCheck: date, lastCheckError: "rate limited",
                             lastUpdate: UpdateStatus(fromVersion: "0.9.0", toVersion: "1.0.0", result: .rolledBack, startedAt: date,
                                                      finishedAt: date.addingTimeInterval(5), error: "health check failed"),
                             rateLimitNextAllowed: date, highestInstalledVersion: "1.0.0")
        try store.save(state)
        #expect(store.load() == state)
        #expect(FileSystem.lstatInfo(store.path).map { $0.st_mode & 0o777 } == 0o600)
        #expect(FileSystem.lstatInfo(temp.url("state")).map { $0.st_mode & 0o777 } == 0o700)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.path))) as? [String: Any])
        #expect(Set(json.keys) == ["current_version", "latest_version", "last_check", "last_check_error", "last_update",
                                   "rate_limit_next_allowed", "highest_installed_version"])
        let last = try #require(json["last_update"] as? [String: Any])
        #expect(Set(last.keys) == ["from_version", "to_version", "result", "started_at", "finished_at", "error"])
        #expect(last["result"] as? String == "rolled_back")
        #expect(json["last_check"] as? String == "2026-11-30T00:53:20Z")
    }

    @Test("a state.json an older version wrote, with its etag_cache, still loads every other field")
    func olderFileWithETagCache() throws {
        let temp = try TemporaryDirectory()
        try temp.write("state/state.json", """
            {"current_version": "1.0.0", "latest_version": "1.1.0", "last_check": "2026-11-30T00:53:20Z", "last_check_error": null,
             "last_update": null, "etag_cache": {"etag": "W/\\"abc\\"", "body_path": "/s/releases.json"},
             "rate_limit_next_allowed": "2026-11-30T01:00:00Z", "highest_installed_version": "1.0.0"}
            """)
        let store = StateStore(stateDirectory: temp.url("state"))
        #expect(store.load() == OTAState(currentVersion: "1.0.0", latestVersion: "1.1.0", lastCheck: Date(timeIntervalSince1970: 1_796_000_000),
                                         rateLimitNextAllowed: Date(timeIntervalSince1970: 1_796_000_400), highestInstalledVersion: "1.0.0"))
        #expect(!FileManager.default.fileExists(atPath: temp.url("state/state.json.corrupt")))
        try store.update { $0.latestVersion = "1.2.0" }
        #expect(try !temp.read("state/state.json").contains("etag_cache"))
    }

    @Test("an empty state writes every key as null")
    func nulls() throws {
        let temp = try TemporaryDirectory()
        let store = StateStore(stateDirectory: temp.url("state"))
        try store.update { $0.currentVersion = "0.0.0" }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.path))) as? [String: Any])
        #expect(json["last_update"] is NSNull)
        #expect(json["current_version"] as? String == "0.0.0")
        #expect(json.count == 7)
    }

    @Test("the update log rotates to ota.log.1 past its size limit and keeps every line of the last two files")
    func logRotation() throws {
        let temp = try TemporaryDirectory()
        let log = UpdateLog(directory: StateDirectory(path: temp.url("state")), maxBytes: 400)
        for index in 0..<30 { try log.append("line \(index)\nwith newline") }
        let current = try temp.read("state/ota.log"), previous = try temp.read("state/ota.log.1")
        #expect(current.utf8.count <= 400 && previous.utf8.count <= 400)
        #expect(current.hasSuffix("line 29 with newline\n"))
        let lines = (previous + current).split(separator: "\n")
        #expect(lines.allSatisfy { $0.contains("Z line ") })
        let numbers = lines.compactMap { $0.split(separator: " ")[2] }.compactMap { Int($0) }
        #expect(numbers == Array(numbers.first!...29))
        #expect(FileSystem.lstatInfo(temp.url("state/ota.log")).map { $0.st_mode & 0o777 } == 0o600)
    }
}
