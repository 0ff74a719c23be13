import Crypto
import Foundation
import Testing
@testable import OTA

/// Builds TUF metadata objects and signs them, for the trust-state tests.
enum TUFBuild {
    static let future = "2100-01-01T00:00:00Z"
    static let past = "2001-01-01T00:00:00Z"
    /// The tests' clock: after `past`, before `future`.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// `{"signatures": [...], "signed": signed}`, signed by `signers` over the canonical form.
    static func envelope(_ signed: TUFJSON, signers: [TUFTestKey]) -> Data {
        let message = TUFCanonicalJSON.encode(signed)
        return envelope(signed, signatures: signers.map { ($0.id, $0.sign(message)) })
    }

    /// An envelope with the given `(keyid, sig)` pairs.
    static func envelope(_ signed: TUFJSON, signatures: [(String, String)]) -> Data {
        let list = signatures.map { TUFJSON.object(["keyid": .string($0.0), "sig": .string($0.1)]) }
        return TUFJSONWriter.data(.object(["signatures": .array(list), "signed": signed]))
    }

    static func header(_ type: String, version: Int, expires: String) -> [TUFJSON.Member] {
        [.init("_type", .string(type)), .init("spec_version", .string("1.0.31")), .init("version", .integer(version)),
         .init("expires", .string(expires))]
    }

    static func keysObject(_ keys: [TUFTestKey]) -> TUFJSON {
        .object(keys.map { TUFJSON.Member($0.id, $0.publicJSON) })
    }

    static func roleKeys(_ keys: [TUFTestKey], threshold: Int) -> [TUFJSON.Member] {
        [.init("keyids", .array(keys.map { .string($0.id) })), .init("threshold", .integer(threshold))]
    }

    static func root(version: Int, expires: String = future, roles: [TUFTopLevelRole: (keys: [TUFTestKey], threshold: Int)],
                     extra: [TUFJSON.Member] = []) -> TUFJSON {
        var allKeys: [String: TUFTestKey] = [:]
        for (_, role) in roles { for key in role.keys { allKeys[key.id] = key } }
        let roleObjects = TUFTopLevelRole.allCases.compactMap { role in
            roles[role].map { TUFJSON.Member(role.rawValue, .object(roleKeys($0.keys, threshold: $0.threshold))) }
        }
        return .object(header("root", version: version, expires: expires) + [
            .init("consistent_snapshot", .bool(true)),
            .init("keys", keysObject(allKeys.values.sorted { $0.id < $1.id })),
            .init("roles", .object(roleObjects)),
        ] + extra)
    }

    /// A `meta` entry: version, and length and hashes of `file` when given.
    static func metaEntry(version: Int, file: Data?) -> TUFJSON {
        var members: [TUFJSON.Member] = [.init("version", .integer(version))]
        if let file {
            members.append(.init("length", .integer(file.count)))
            members.append(.init("hashes", .object(["sha256": .string(Hex.lowercase(SHA256.hash(data: file)))])))
        }
        return .object(members)
    }

    static func timestamp(version: Int, expires: String = future, snapshotVersion: Int, snapshot: Data?) -> TUFJSON {
        .object(header("timestamp", version: version, expires: expires) + [
            .init("meta", .object(["snapshot.json": metaEntry(version: snapshotVersion, file: snapshot)])),
        ])
    }

    static func snapshot(version: Int, expires: String = future, meta: [(name: String, version: Int, file: Data?)]) -> TUFJSON {
        .object(header("snapshot", version: version, expires: expires) + [
            .init("meta", .object(meta.map { TUFJSON.Member("\($0.name).json", metaEntry(version: $0.version, file: $0.file)) })),
        ])
    }

    static func targetEntry(_ data: Data, custom: TUFJSON? = nil) -> TUFJSON {
        var members: [TUFJSON.Member] = [.init("length", .integer(data.count)),
                                         .init("hashes", .object(["sha256": .string(Hex.lowercase(SHA256.hash(data: data)))]))]
        if let custom { members.append(.init("custom", custom)) }
        return .object(members)
    }

    static func targets(version: Int, expires: String = future, targets: [String: Data] = [:], delegations: TUFJSON? = nil) -> TUFJSON {
        var members = header("targets", version: version, expires: expires)
        members.append(.init("targets", .object(targets.sorted { $0.key < $1.key }.map { TUFJSON.Member($0.key, targetEntry($0.value)) })))
        if let delegations { members.append(.init("delegations", delegations)) }
        return .object(members)
    }

    /// One entry of `delegations.roles`: `paths` unless `hashPrefixes` is given.
    static func delegatedRole(_ name: String, keys: [TUFTestKey], threshold: Int = 1, terminating: Bool = false,
                              paths: [String] = [], hashPrefixes: [String]? = nil) -> TUFJSON {
        var members: [TUFJSON.Member] = [.init("name", .string(name)), .init("terminating", .bool(terminating))]
        members += roleKeys(keys, threshold: threshold)
        if let hashPrefixes {
            members.append(.init("path_hash_prefixes", .array(hashPrefixes.map { .string($0) })))
        } else {
            members.append(.init("paths", .array(paths.map { .string($0) })))
        }
        return .object(members)
    }

    static func delegations(keys: [TUFTestKey], roles: [TUFJSON]) -> TUFJSON {
        .object(["keys": keysObject(keys), "roles": .array(roles)])
    }

    static func succinctDelegations(keys: [TUFTestKey], bitLength: Int, prefix: String) -> TUFJSON {
        .object(["keys": keysObject(keys),
                 "succinct_roles": .object([TUFJSON.Member]([.init("bit_length", .integer(bitLength)), .init("name_prefix", .string(prefix))])
                                           + roleKeys(keys, threshold: 1))])
    }
}

/// A whole test repository: keys per role, a root history, and current timestamp, snapshot,
/// targets and delegated roles, re-signed on every read so a test changes one thing and reads the rest.
struct TUFTestRepository {
    var roleKeys: [TUFTopLevelRole: [TUFTestKey]] = [
        .root: [.ed25519()], .timestamp: [.ed25519()], .snapshot: [.ed25519()], .targets: [.ed25519()],
    ]
    var thresholds: [TUFTopLevelRole: Int] = [:]
    /// Signed roots, version 1 first.
    var roots: [Data] = []
    var timestampVersion = 1
    var snapshotVersion = 1
    var targetsVersion = 1
    var expires: [String: String] = [:]
    var targetFiles: [String: Data] = ["app/1.0.0/app.tar.gz": Data("release one".utf8)]
    var delegations: TUFJSON?
    /// Delegated roles' signed metadata and versions, as listed in the snapshot.
    var delegated: [(name: String, version: Int, data: Data)] = []

    init() {
        publishRoot()
    }

    func threshold(_ role: TUFTopLevelRole) -> Int { thresholds[role] ?? 1 }

    func rootSigned(version: Int) -> TUFJSON {
        var roles: [TUFTopLevelRole: (keys: [TUFTestKey], threshold: Int)] = [:]
        for role in TUFTopLevelRole.allCases { roles[role] = (roleKeys[role]!, threshold(role)) }
        return TUFBuild.root(version: version, expires: expires["root"] ?? TUFBuild.future, roles: roles)
    }

    /// Appends the next root version, signed by the previous root's keys and the current ones (or `signers`).
    mutating func publishRoot(signers: [TUFTestKey]? = nil) {
        let previous = roots.isEmpty ? [] : previousRootKeys
        let keys = signers ?? (previous + roleKeys[.root]!.filter { key in !previous.contains { $0.id == key.id } })
        roots.append(TUFBuild.envelope(rootSigned(version: roots.count + 1), signers: keys))
        previousRootKeys = roleKeys[.root]!
    }

    private var previousRootKeys: [TUFTestKey] = []

    var targets: Data {
        TUFBuild.envelope(TUFBuild.targets(version: targetsVersion, expires: expires["targets"] ?? TUFBuild.future,
                                           targets: targetFiles, delegations: delegations), signers: roleKeys[.targets]!)
    }

    var snapshot: Data {
        let meta = [("targets", targetsVersion, Optional(targets))] + delegated.map { ($0.name, $0.version, Optional($0.data)) }
        return TUFBuild.envelope(TUFBuild.snapshot(version: snapshotVersion, expires: expires["snapshot"] ?? TUFBuild.future,
                                                   meta: meta.map { (name: $0.0, version: $0.1, file: $0.2) }),
                                 signers: roleKeys[.snapshot]!)
    }

    var timestamp: Data {
        TUFBuild.envelope(TUFBuild.timestamp(version: timestampVersion, expires: expires["timestamp"] ?? TUFBuild.future,
                                             snapshotVersion: snapshotVersion, snapshot: snapshot),
                          signers: roleKeys[.timestamp]!)
    }

    /// Adds (or replaces) delegated role `name`'s metadata, signed by `signers`.
    mutating func setDelegated(_ name: String, version: Int = 1, targets: [String: Data] = [:], delegations: TUFJSON? = nil,
                               signers: [TUFTestKey], expires: String = TUFBuild.future) {
        let data = TUFBuild.envelope(TUFBuild.targets(version: version, expires: expires, targets: targets, delegations: delegations), signers: signers)
        delegated.removeAll { $0.name == name }
        delegated.append((name, version, data))
    }

    func delegatedData(_ name: String) -> Data? {
        delegated.first { $0.name == name }?.data
    }

    /// A trust set from root version 1, updated through every root, timestamp, snapshot and targets.
    func refreshed(now: Date = TUFBuild.now, timeFloor: Date? = nil) throws -> TUFTrustedMetadata {
        var trust = try TUFTrustedMetadata(trustedRoot: roots[0], now: now, timeFloor: timeFloor)
        for root in roots.dropFirst() { try trust.updateRoot(root) }
        try trust.updateTimestamp(timestamp)
        try trust.updateSnapshot(snapshot)
        try trust.updateTargets(targets)
        return trust
    }

    /// Searches `path`, loading delegated roles from this repository.
    func find(_ path: String, in trust: inout TUFTrustedMetadata) throws -> (target: TUFTargetFile, role: String)? {
        try trust.findTarget(path) { role, _ in
            if role == "targets" { return targets }
            return try #require(delegatedData(role), "no metadata for role \(role)")
        }
    }
}
