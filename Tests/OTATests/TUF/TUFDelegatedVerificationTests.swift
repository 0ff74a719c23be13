import Foundation
import Testing
@testable import OTA

@Suite("TUF delegated metadata: verified against the delegator of each lookup path")
struct TUFDelegatedVerificationTests {
    let teamKey = TUFTestKey.ed25519()
    let sharedKey = TUFTestKey.ed25519()
    let strangerKey = TUFTestKey.p256()

    /// targets → team-a (a/*) → shared (a/*, signed by sharedKey: trusted);
    /// targets → team-b (b/*) → shared (b/*, but team-b trusts only strangerKey for it).
    /// `shared` lists a target under each path and is signed by sharedKey only.
    func repository() -> TUFTestRepository {
        var repository = TUFTestRepository()
        repository.targetFiles = [:]
        repository.delegations = TUFBuild.delegations(keys: [teamKey], roles: [
            TUFBuild.delegatedRole("team-a", keys: [teamKey], paths: ["a/*"]),
            TUFBuild.delegatedRole("team-b", keys: [teamKey], paths: ["b/*"]),
        ])
        repository.setDelegated("team-a", delegations: TUFBuild.delegations(keys: [sharedKey], roles: [
            TUFBuild.delegatedRole("shared", keys: [sharedKey], paths: ["a/*"]),
        ]), signers: [teamKey])
        repository.setDelegated("team-b", delegations: TUFBuild.delegations(keys: [strangerKey], roles: [
            TUFBuild.delegatedRole("shared", keys: [strangerKey], paths: ["b/*"]),
        ]), signers: [teamKey])
        repository.setDelegated("shared", targets: ["a/file": Data("a".utf8), "b/file": Data("b".utf8)], signers: [sharedKey])
        return repository
    }

    @Test("metadata loaded through one delegator is verified again through another, and refused when that one's keys did not sign it")
    func reverifiedPerPath() throws {
        let repository = repository()
        var trust = try repository.refreshed()
        #expect(try repository.find("a/file", in: &trust)?.role == "shared")
        #expect(trust.targets(role: "shared", verifiedBy: "team-a") != nil)
        #expect(trust.targets(role: "shared", verifiedBy: "team-b") == nil)
        // Through team-b, `shared` must be signed by strangerKey: the copy trusted through team-a is not enough.
        let error = try #require(throws: TUFError.self) { try repository.find("b/file", in: &trust) }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message == "The TUF metadata shared.json is signed by 0 of the 1 keys of role shared required by delegating role team-b: it was forged, altered or signed with the wrong keys, so it is refused; the repository's publisher must sign it with the role's keys.")
        #expect(trust.targets(role: "shared", verifiedBy: "team-b") == nil)
        // Searched first through team-b on a fresh trust set, it is refused the same way.
        var fresh = try repository.refreshed()
        #expect(throws: TUFError.self) { try repository.find("b/file", in: &fresh) }
    }

    @Test("when both delegators' keys signed it, the second path verifies it again and finds the target")
    func reverifiedAndAccepted() throws {
        var repository = repository()
        repository.setDelegated("shared", targets: ["a/file": Data("a".utf8), "b/file": Data("b".utf8)], signers: [sharedKey, strangerKey])
        var trust = try repository.refreshed()
        #expect(try repository.find("a/file", in: &trust)?.role == "shared")
        var search = TUFTargetSearch(targetPath: "b/file")
        var loaded: [String] = []
        while true {
            switch try search.next(in: &trust) {
            case .found(let target, let role):
                #expect(role == "shared" && target.path == "b/file")
                // `shared` was not fetched again: its trusted copy was verified against team-b's keys.
                #expect(loaded == ["team-b"])
                #expect(trust.targets(role: "shared", verifiedBy: "team-b") != nil)
                return
            case .notFound:
                Issue.record("b/file must be found")
                return
            case .load(let role, let delegator, _):
                loaded.append(role)
                try trust.updateDelegatedTargets(repository.delegatedData(role)!, role: role, delegator: delegator)
            }
        }
    }

    @Test("a delegated role under its threshold is refused")
    func underSignedDelegatedRole() throws {
        var repository = TUFTestRepository()
        repository.delegations = TUFBuild.delegations(keys: [teamKey, sharedKey], roles: [
            TUFBuild.delegatedRole("pair", keys: [teamKey, sharedKey], threshold: 2, paths: ["*"]),
        ])
        repository.setDelegated("pair", targets: ["x": Data("x".utf8)], signers: [teamKey, teamKey])
        var trust = try repository.refreshed()
        let error = try #require(throws: TUFError.self) { try repository.find("x", in: &trust) }
        #expect(error.code == .thresholdNotMet)
        #expect(error.message.contains("signed by 1 of the 2 keys of role pair required by delegating role targets"))
        repository.setDelegated("pair", targets: ["x": Data("x".utf8)], signers: [teamKey, sharedKey])
        var good = try repository.refreshed()
        #expect(try repository.find("x", in: &good)?.role == "pair")
    }

    @Test("a role not delegated by the named delegator, or not in the snapshot, is refused")
    func notDelegatedOrMissing() throws {
        var repository = repository()
        var trust = try repository.refreshed()
        let notDelegated = try #require(throws: TUFError.self) {
            try trust.updateDelegatedTargets(repository.delegatedData("shared")!, role: "shared", delegator: "targets")
        }
        #expect(notDelegated.code == .notDelegated)
        #expect(notDelegated.message == "The TUF role targets does not delegate to role shared, so its metadata cannot be trusted through targets.")
        let beforeDelegator = try #require(throws: TUFError.self) {
            try trust.updateDelegatedTargets(repository.delegatedData("shared")!, role: "shared", delegator: "team-a")
        }
        #expect(beforeDelegator.code == .outOfOrder)

        repository.delegated.removeAll { $0.name == "team-a" }
        var missing = try repository.refreshed()
        let error = try #require(throws: TUFError.self) { try missing.findTarget("a/file") { _, _ in Data() } }
        #expect(error.code == .missingFromSnapshot)
        #expect(error.message.hasPrefix("The TUF snapshot does not list team-a.json, which targets delegates a/file to"))
    }

    @Test("expired delegated metadata is refused")
    func expiredDelegated() throws {
        var repository = repository()
        repository.setDelegated("team-a", delegations: TUFBuild.delegations(keys: [sharedKey], roles: [
            TUFBuild.delegatedRole("shared", keys: [sharedKey], paths: ["a/*"]),
        ]), signers: [teamKey], expires: TUFBuild.past)
        var trust = try repository.refreshed()
        let error = try #require(throws: TUFError.self) { try repository.find("a/file", in: &trust) }
        #expect(error.code == .expired)
        #expect(error.message.hasPrefix("The TUF metadata team-a.json expired at 2001-01-01T00:00:00Z"))
    }

    @Test("other content for a role already trusted in this refresh is refused, the same content adds the delegator")
    func conflictingContent() throws {
        var repository = repository()
        repository.setDelegated("shared", targets: ["a/file": Data("a".utf8)], signers: [sharedKey, strangerKey])
        let first = repository.delegatedData("shared")!
        var trust = try TUFTrustedMetadata(trustedRoot: repository.roots[0], now: TUFBuild.now)
        // A snapshot without hashes for `shared`: two different files of version 1 both pass it.
        let keys = repository.roleKeys
        let snapshot = TUFBuild.envelope(TUFBuild.snapshot(version: 1, meta: [("targets", 1, repository.targets), ("team-a", 1, nil),
                                                                              ("team-b", 1, nil), ("shared", 1, nil)]), signers: keys[.snapshot]!)
        try trust.updateTimestamp(TUFBuild.envelope(TUFBuild.timestamp(version: 1, snapshotVersion: 1, snapshot: snapshot), signers: keys[.timestamp]!))
        try trust.updateSnapshot(snapshot)
        try trust.updateTargets(repository.targets)
        try trust.updateDelegatedTargets(repository.delegatedData("team-a")!, role: "team-a", delegator: "targets")
        try trust.updateDelegatedTargets(repository.delegatedData("team-b")!, role: "team-b", delegator: "targets")
        try trust.updateDelegatedTargets(first, role: "shared", delegator: "team-a")
        repository.setDelegated("shared", targets: ["b/file": Data("b".utf8)], signers: [sharedKey, strangerKey])
        let error = try #require(throws: TUFError.self) {
            try trust.updateDelegatedTargets(repository.delegatedData("shared")!, role: "shared", delegator: "team-b")
        }
        #expect(error.code == .conflictingMetadata)
        try trust.updateDelegatedTargets(first, role: "shared", delegator: "team-b")
        #expect(trust.targets(role: "shared", verifiedBy: "team-b")?.targets["a/file"] != nil)
    }
}
