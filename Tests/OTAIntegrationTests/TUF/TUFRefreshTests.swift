import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// Bad metadata from a python-tuf repository on nginx: refused with the role and the reason, nothing
/// installed, and the metadata in `state_dir/tuf` left as it was.
@Suite("TUF refresh: expired, rolled back, forged and rotated metadata from python-tuf on nginx", .timeLimit(.minutes(10)))
struct TUFRefreshTests {
    @Test("an expired timestamp is refused with a clear error: nothing installed, the stored metadata unchanged")
    func expiredTimestamp() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let device = try TUFDevice(repository, extra: "auto_update: false")
        _ = try await device.source().releases()
        let stored = try device.storedMetadata()
        try repository.publish([try TUFDevice.release("1.1.0"), try TUFDevice.release("1.2.0")])
        try repository.change("timestamp", ["--expires-in", "-60"])

        let updater = try device.updater()
        let error = await #expect(throws: TUFError.self) { try await updater.update() }
        await updater.shutdown()
        #expect(error?.code == .expired)
        #expect(error?.message.hasPrefix("The TUF metadata timestamp.json expired at ") == true, "\(error?.message ?? "")")
        #expect(try device.tree() == TUFDevice.oldFiles)
        #expect(try device.storedMetadata() == stored)
    }

    @Test("a rolled-back timestamp, and a timestamp naming an older snapshot, are refused; the stored metadata unchanged")
    func rolledBack() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        try repository.publish([try TUFDevice.release("1.2.0")])
        let device = try TUFDevice(repository)
        let source = try device.source()
        #expect(try await source.releases().map(\.version) == [SemanticVersion(1, 2, 0)])
        let stored = try device.storedMetadata()

        try repository.change("timestamp", ["--version", "1"])
        let timestamp = await #expect(throws: TUFError.self) { try await source.releases() }
        #expect(timestamp?.code == .rolledBack && timestamp?.message.contains("gives timestamp version 1, older than the trusted version 2") == true,
                "\(timestamp?.message ?? "")")
        #expect(try device.storedMetadata() == stored)

        try repository.change("timestamp", ["--version", "5", "--snapshot-version", "1"])
        let snapshot = await #expect(throws: TUFError.self) { try await source.releases() }
        #expect(snapshot?.code == .rolledBack && snapshot?.message.contains("gives snapshot version 1, older than the trusted version 2") == true,
                "\(snapshot?.message ?? "")")
        #expect(try device.storedMetadata() == stored)
    }

    @Test("targets signed by a key root does not trust are refused: nothing installed, the stored targets unchanged")
    func forgedTargets() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let device = try TUFDevice(repository)
        _ = try await device.source().releases()
        let stored = try device.storedMetadata()
        try repository.change("forge-targets")

        let updater = try device.updater()
        let error = await #expect(throws: TUFError.self) { try await updater.update() }
        await updater.shutdown()
        #expect(error?.code == .thresholdNotMet)
        #expect(error?.message.contains("targets.json is signed by 0 of the 1 keys of role targets required by root version 1") == true, "\(error?.message ?? "")")
        #expect(try device.tree() == TUFDevice.oldFiles)
        #expect(try device.storedMetadata()["targets.json"] == stored["targets.json"])
    }

    @Test("a root rotation between two polls: the device trusts root 2 and the rotated timestamp key, and finds the new release")
    func rootRotationWhilePolling() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let device = try TUFDevice(repository)
        let source = try device.source()
        _ = try await source.releases()
        try repository.change("rotate-root", ["--timestamp-key"])
        try repository.publish([try TUFDevice.release("1.1.0"), try TUFDevice.release("1.2.0")])
        try repository.nginx.clearRequests()

        #expect(try await source.releases().map(\.version) == [SemanticVersion(1, 2, 0), SemanticVersion(1, 1, 0)])
        let requests = try repository.nginx.requests().map(\.description)
        #expect(Array(requests.prefix(3)) == ["GET /metadata/2.root.json 200", "GET /metadata/3.root.json 404", "GET /metadata/timestamp.json 200"],
                "\(requests)")
        let stored = try device.storedMetadata()
        #expect(stored["root.json"] == (try repository.metadata("2.root.json")))
        #expect(stored["timestamp.json"] == (try repository.metadata("timestamp.json")))
    }

    @Test("the time floor: a device whose clock fell back to 1970 refuses a timestamp that expired after a time it has seen, and still accepts a fresh one")
    func timeFloor() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let device = try TUFDevice(repository)
        let before = Date()
        _ = try await device.source().releases()
        let after = Date()
        let floor = try #require(TUFMetadataStore(stateDirectory: StateDirectory(installation: device.configuration.installation)).timeFloor())
        // The floor is the device's clock at the refresh, kept to the second.
        #expect(floor >= before.addingTimeInterval(-1) && floor <= after, "floor \(floor), refresh between \(before) and \(after)")

        // Expired a minute before the floor, however long this machine took since the refresh.
        try repository.change("timestamp", ["--expires-at", UTCTime.iso8601(floor.addingTimeInterval(-60))])
        let in1970: @Sendable () -> Date = { Date(timeIntervalSince1970: 0) }
        let error = await #expect(throws: TUFError.self) { try await device.source(clock: in1970).releases() }
        #expect(error?.code == .expired)

        // Without a time floor, the same clock would have accepted it: the floor makes the difference.
        let fresh = try TUFDevice(repository)
        #expect(try await fresh.source(clock: in1970).releases().map(\.version) == [SemanticVersion(1, 1, 0)])

        try repository.change("timestamp")
        #expect(try await device.source(clock: in1970).releases().map(\.version) == [SemanticVersion(1, 1, 0)])
    }
}
