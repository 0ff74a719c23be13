import Foundation
import Testing
@testable import OTA

@Suite("TUF timestamp and snapshot: freshness, rollback, fast-forward recovery")
struct TUFTimestampSnapshotTests {
    static func startedTrust(_ repository: TUFTestRepository) throws -> TUFTrustedMetadata {
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        for root in repository.roots.dropFirst() { try trust.updateRoot(root) }
        return trust
    }

    @Test("expired timestamp, snapshot or targets end the refresh, naming the role", arguments: ["timestamp", "snapshot", "targets"])
    func expired(role: String) throws {
        var repository = TUFTestRepository()
        repository.expires[role] = TUFBuild.past
        let error = try #require(throws: TUFError.self) { try repository.refreshed() }
        #expect(error.code == .expired)
        #expect(error.message.hasPrefix("The TUF metadata \(role).json expired at 2001-01-01T00:00:00Z"))
    }

    @Test("a timestamp older than the trusted one is refused; the same version keeps the trusted one")
    func timestampRollback() throws {
        var repository = TUFTestRepository()
        repository.timestampVersion = 5
        var trust = try Self.startedTrust(repository)
        #expect(try trust.loadStoredTimestamp(repository.timestamp) == .trusted)
        #expect(try trust.updateTimestamp(repository.timestamp) == .unchanged)
        repository.timestampVersion = 4
        let error = try #require(throws: TUFError.self) { try trust.updateTimestamp(repository.timestamp) }
        #expect(error.code == .rolledBack)
        #expect(error.message.hasPrefix("The TUF metadata timestamp.json gives timestamp version 4, older than the trusted version 5"))
        #expect(trust.timestamp?.header.version == 5)
        repository.timestampVersion = 6
        #expect(try trust.updateTimestamp(repository.timestamp) == .updated)
    }

    @Test("a timestamp naming an older snapshot than the trusted timestamp does is refused")
    func snapshotVersionRollbackInTimestamp() throws {
        var repository = TUFTestRepository()
        repository.snapshotVersion = 3
        var trust = try Self.startedTrust(repository)
        _ = try trust.loadStoredTimestamp(repository.timestamp)
        repository.timestampVersion = 2
        repository.snapshotVersion = 2
        let error = try #require(throws: TUFError.self) { try trust.updateTimestamp(repository.timestamp) }
        #expect(error.code == .rolledBack)
        #expect(error.message.contains("gives snapshot version 2, older than the trusted version 3"))
    }

    @Test("an expired stored timestamp still guards against rollback, and cannot serve as the current one")
    func expiredStoredTimestamp() throws {
        var repository = TUFTestRepository()
        repository.timestampVersion = 5
        repository.expires["timestamp"] = TUFBuild.past
        var trust = try Self.startedTrust(repository)
        guard case .rollbackReference(let reason) = try trust.loadStoredTimestamp(repository.timestamp) else {
            Issue.record("an expired stored timestamp must be kept as the rollback reference")
            return
        }
        #expect(reason.code == .expired)
        #expect(throws: TUFError.self) { try trust.updateSnapshot(repository.snapshot) }
        repository.expires["timestamp"] = TUFBuild.future
        repository.timestampVersion = 4
        #expect(throws: TUFError.self) { try trust.updateTimestamp(repository.timestamp) }
        repository.timestampVersion = 6
        #expect(try trust.updateTimestamp(repository.timestamp) == .updated)
    }

    @Test("the snapshot must have the length and hashes the timestamp signs, and its version")
    func snapshotHashesAndVersion() throws {
        var repository = TUFTestRepository()
        var trust = try Self.startedTrust(repository)
        try trust.updateTimestamp(repository.timestamp)
        var padded = repository.snapshot
        padded.append(0x20)
        #expect(throws: TUFError.self) { try trust.updateSnapshot(padded) }
        let lengthError = try #require(throws: TUFError.self) { try trust.updateSnapshot(padded) }
        #expect(lengthError.code == .lengthMismatch)
        #expect(lengthError.message.hasPrefix("The TUF metadata snapshot.json is \(padded.count) bytes where its signed length is \(padded.count - 1)"))
        let timestampSnapshot = repository.snapshot
        repository.targetsVersion = 2
        let other = repository.snapshot
        #expect(other.count == timestampSnapshot.count)
        let hashError = try #require(throws: TUFError.self) { try trust.updateSnapshot(other) }
        #expect(hashError.code == .hashMismatch)
        #expect(trust.snapshot == nil)
    }

    @Test("without hashes in the timestamp, a snapshot of another version is refused by its version")
    func snapshotVersionMismatch() throws {
        var repository = TUFTestRepository()
        var trust = try Self.startedTrust(repository)
        let keys = repository.roleKeys[.timestamp]!
        try trust.updateTimestamp(TUFBuild.envelope(TUFBuild.timestamp(version: 1, snapshotVersion: 2, snapshot: nil), signers: keys))
        let error = try #require(throws: TUFError.self) { try trust.updateSnapshot(repository.snapshot) }
        #expect(error.code == .unexpectedVersion)
        #expect(error.message.hasPrefix("The TUF metadata snapshot.json is version 1 where the timestamp names version 2"))
        repository.snapshotVersion = 2
        try trust.updateSnapshot(repository.snapshot)
    }

    @Test("a new snapshot may not lower a targets role's version, drop a role, or lower its own version")
    func snapshotRollback() throws {
        var repository = TUFTestRepository()
        repository.targetsVersion = 4
        repository.setDelegated("bins", version: 2, signers: repository.roleKeys[.targets]!)
        let storedTimestamp = repository.timestamp, storedSnapshot = repository.snapshot
        func trustWithStored() throws -> TUFTrustedMetadata {
            var trust = try Self.startedTrust(repository)
            _ = try trust.loadStoredTimestamp(storedTimestamp)
            return trust
        }
        repository.timestampVersion = 2
        repository.snapshotVersion = 2
        repository.targetsVersion = 3
        var trust = try trustWithStored()
        try trust.updateTimestamp(repository.timestamp)
        #expect(try trust.loadStoredSnapshot(storedSnapshot) != .trusted)
        let rollback = try #require(throws: TUFError.self) { try trust.updateSnapshot(repository.snapshot) }
        #expect(rollback.code == .rolledBack)
        #expect(rollback.message.contains("gives targets version 3, older than the trusted version 4"))

        repository.targetsVersion = 4
        repository.delegated.removeAll()
        trust = try trustWithStored()
        try trust.updateTimestamp(repository.timestamp)
        _ = try trust.loadStoredSnapshot(storedSnapshot)
        let removed = try #require(throws: TUFError.self) { try trust.updateSnapshot(repository.snapshot) }
        #expect(removed.code == .roleRemoved)
        #expect(removed.message.hasPrefix("The TUF metadata snapshot.json no longer lists bins.json"))
    }

    @Test("a current stored snapshot is used as is; an outdated one is a reference and the new one is fetched")
    func storedSnapshot() throws {
        var repository = TUFTestRepository()
        var trust = try Self.startedTrust(repository)
        _ = try trust.loadStoredTimestamp(repository.timestamp)
        #expect(try trust.loadStoredSnapshot(repository.snapshot) == .trusted)
        try trust.updateTargets(repository.targets)

        let stored = repository.snapshot
        repository.timestampVersion = 2
        repository.snapshotVersion = 2
        trust = try Self.startedTrust(repository)
        try trust.updateTimestamp(repository.timestamp)
        guard case .rollbackReference(let reason) = try trust.loadStoredSnapshot(stored) else {
            Issue.record("an outdated stored snapshot must be kept as the rollback reference")
            return
        }
        #expect(reason.code == .unexpectedVersion)
        try trust.updateSnapshot(repository.snapshot)
        try trust.updateTargets(repository.targets)
    }

    @Test("fast-forward recovery: after the root rotates the timestamp key, a stored timestamp with a huge version is dropped")
    func fastForwardRecovery() throws {
        var repository = TUFTestRepository()
        // An attacker with the old timestamp key pushed the device to timestamp and snapshot version 1000.
        repository.timestampVersion = 1000
        repository.snapshotVersion = 1000
        let inflatedTimestamp = repository.timestamp, inflatedSnapshot = repository.snapshot
        // The repository recovers: new timestamp key in root 2, honest versions.
        repository.roleKeys[.timestamp] = [.p256()]
        repository.publishRoot()
        repository.timestampVersion = 7
        repository.snapshotVersion = 7
        var trust = try Self.startedTrust(repository)
        guard case .discarded(let reason) = try trust.loadStoredTimestamp(inflatedTimestamp) else {
            Issue.record("the stored timestamp must be discarded after a timestamp key rotation")
            return
        }
        #expect(reason.code == .keysRotated)
        #expect(reason.message == "The stored TUF metadata timestamp.json was dropped because the new root rotated the timestamp or snapshot keys (recovery from a fast-forward attack); the current file is fetched instead.")
        #expect(try trust.updateTimestamp(repository.timestamp) == .updated)
        // The snapshot key was not rotated, so the inflated snapshot still verifies: kept, it would
        // refuse every honest snapshot below version 1000.
        guard case .discarded(let snapshotReason) = try trust.loadStoredSnapshot(inflatedSnapshot) else {
            Issue.record("the stored snapshot must be discarded after a timestamp key rotation")
            return
        }
        #expect(snapshotReason.code == .keysRotated)
        try trust.updateSnapshot(repository.snapshot)
        try trust.updateTargets(repository.targets)
        #expect(trust.timestamp?.header.version == 7)
    }

    @Test("without a key rotation the inflated stored timestamp keeps refusing lower versions")
    func noRotationNoRecovery() throws {
        var repository = TUFTestRepository()
        repository.timestampVersion = 1000
        let inflated = repository.timestamp
        repository.publishRoot()
        repository.timestampVersion = 7
        var trust = try Self.startedTrust(repository)
        #expect(try trust.loadStoredTimestamp(inflated) == .trusted)
        #expect(throws: TUFError.self) { try trust.updateTimestamp(repository.timestamp) }
    }

    @Test("a stored timestamp that no longer verifies is discarded; a forged remote one is refused")
    func forgedTimestamp() throws {
        var repository = TUFTestRepository()
        let honestKeys = repository.roleKeys[.timestamp]!
        repository.roleKeys[.timestamp] = [TUFTestKey.ed25519().renamed(honestKeys[0].id)]
        let forged = repository.timestamp
        repository.roleKeys[.timestamp] = honestKeys
        var trust = try Self.startedTrust(repository)
        guard case .discarded(let reason) = try trust.loadStoredTimestamp(forged) else {
            Issue.record("a forged stored timestamp must be discarded")
            return
        }
        #expect(reason.code == .thresholdNotMet)
        let error = try #require(throws: TUFError.self) { try trust.updateTimestamp(forged) }
        #expect(error.code == .thresholdNotMet)
        #expect(trust.timestamp == nil)
        try trust.updateTimestamp(repository.timestamp)
    }

    @Test("the workflow's order is enforced")
    func order() throws {
        let repository = TUFTestRepository()
        var trust = try Self.startedTrust(repository)
        #expect(throws: TUFError.self) { try trust.updateSnapshot(repository.snapshot) }
        #expect(throws: TUFError.self) { try trust.updateTargets(repository.targets) }
        try trust.updateTimestamp(repository.timestamp)
        #expect(throws: TUFError.self) { try trust.updateTargets(repository.targets) }
        try trust.updateSnapshot(repository.snapshot)
        #expect(throws: TUFError.self) { try trust.loadStoredTimestamp(repository.timestamp) }
        try trust.updateTargets(repository.targets)
        let error = try #require(throws: TUFError.self) { try trust.updateSnapshot(repository.snapshot) }
        #expect(error.code == .outOfOrder)
    }

    @Test("an oversized timestamp is refused before it is parsed")
    func oversizedTimestamp() throws {
        let repository = TUFTestRepository()
        var trust = try Self.startedTrust(repository)
        let error = try #require(throws: TUFError.self) { try trust.updateTimestamp(Data(repeating: 0x20, count: 16_385)) }
        #expect(error.code == .tooLarge)
        #expect(error.message.hasPrefix("The TUF metadata timestamp.json is 16385 bytes, over the limit of 16384 bytes for role timestamp"))
    }
}
