import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// Nothing changes on a refusal: for each defect of a role's next version (made by python-tuf, the roles above
/// re-signed over it, served by nginx) and of a target, `ota update` fails with a message naming the file and
/// why, the installation stays as it was, and so does the trusted metadata in `state_dir/tuf` — the refused
/// role's and every role below it, byte for byte. A role above the refused one that verified (a new
/// timestamp naming a bad snapshot) is kept, as the TUF client workflow persists each role once verified.
@Suite("TUF refusals: nothing installed, the stored metadata unchanged", .timeLimit(.minutes(10)))
struct TUFRefusalTests {
    static let target = "monitor/1.1.0/monitor-1.1.0-any.tar.gz"
    @Test("a refused timestamp, snapshot, targets or target names the file and why; state_dir/tuf and the installation are unchanged", arguments: [
        ("timestamp", "oversized", ["The TUF metadata timestamp.json", "larger than the 16384 bytes allowed for it"]),
        ("timestamp", "malformed", ["The TUF metadata timestamp.json is not valid JSON"]),
        ("timestamp", "wrong-key-type", ["The TUF metadata timestamp.json is signed by 0 of the 1 keys of role timestamp"]),
        ("snapshot", "oversized", ["The TUF metadata snapshot.json is 2000001 bytes, over the limit of 2000000 bytes for role snapshot"]),
        ("snapshot", "malformed", ["The TUF metadata snapshot.json is not valid JSON"]),
        ("snapshot", "wrong-key-type", ["The TUF metadata snapshot.json is signed by 0 of the 1 keys of role snapshot"]),
        ("snapshot", "wrong-length", ["The TUF metadata snapshot.json is ", " bytes where its signed length is "]),
        ("snapshot", "wrong-hash", ["The TUF metadata snapshot.json has sha256 ", " where its signed hash is "]),
        ("targets", "oversized", ["The TUF metadata 2.targets.json", "larger than the 5000000 bytes allowed for it"]),
        ("targets", "malformed", ["The TUF metadata targets.json is not valid JSON"]),
        ("targets", "wrong-key-type", ["The TUF metadata targets.json is signed by 0 of the 1 keys of role targets"]),
        ("targets", "wrong-length", ["The TUF metadata targets.json is ", " bytes where its signed length is "]),
        ("targets", "wrong-hash", ["The TUF metadata targets.json has sha256 ", " where its signed hash is "]),
        ("target", "wrong-length", [" bytes for monitor-1.1.0-any.tar.gz, but the release says ", "; refusing it"]),
    ])
    func refused(role: String, defect: String, fragments: [String]) async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let device = try TUFDevice(repository)
        _ = try await device.source().releases()
        let stored = try device.storedMetadata()

        if role == "target" {
            let served = try repository.servedTargetFile(Self.target)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: served))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("one byte too many".utf8))
            try handle.close()
        } else {
            try repository.change("tamper", [role, defect])
        }
        let updater = try device.updater()
        let error = await #expect(throws: (any Error).self) { try await updater.update() }
        await updater.shutdown()
        let message = (error as? any OTAError)?.message ?? "\(String(describing: error))"
        for fragment in fragments {
            #expect(message.contains(fragment), "\(role) \(defect): \(message)")
        }
        #expect(try device.tree() == TUFDevice.oldFiles, "\(role) \(defect): the installation is unchanged")

        // The refused role and those below it are as they were; a verified role above it is the repository's.
        var expected = stored
        let order = ["timestamp", "snapshot", "targets"]
        let above = role == "target" ? [] : Array(order.prefix { $0 != role })
        if above.contains("timestamp") { expected["timestamp.json"] = try repository.metadata("timestamp.json") }
        if above.contains("snapshot") { expected["snapshot.json"] = try repository.metadata(Self.newest("snapshot", in: repository)) }
        var now = try device.storedMetadata()
        if role == "target" {
            // The refresh itself passed (an unchanged timestamp): it raised the time floor, as every verified refresh does.
            #expect(now.removeValue(forKey: "time-floor") != nil)
            expected.removeValue(forKey: "time-floor")
        }
        if above.contains("timestamp") {
            #expect(now.removeValue(forKey: "timestamp.etag") != nil)
            expected.removeValue(forKey: "timestamp.etag")
        }
        #expect(now == expected, "\(role) \(defect): state_dir/tuf holds \(now.keys.sorted()); changed: \(now.keys.filter { now[$0] != expected[$0] }.sorted())")
    }

    /// The served name of the newest version of `role` (`N.snapshot.json`).
    static func newest(_ role: String, in repository: TUFCatalogRepository) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: repository.path + "/metadata").filter { $0.hasSuffix(".\(role).json") }
        let version = try #require(names.compactMap { Int($0.prefix { $0.isNumber }) }.max())
        return "\(version).\(role).json"
    }
}
