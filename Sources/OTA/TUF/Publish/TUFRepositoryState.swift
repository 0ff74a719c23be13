import Crypto
import Foundation

/// The current metadata of an `ota publish` repository, read from its files, as the verbs edit it.
struct TUFRepositoryState: Sendable {
    var root: TUFPublishedRoot
    /// The top-level targets by path.
    var targets: [String: TUFPublishedTarget]
    var targetsVersion: Int
    var targetsExpires: Date
    /// `delegations` of the top-level targets, kept as written (roles delegated by other tools).
    var delegations: TUFJSON?
    var snapshotVersion: Int
    var snapshotExpires: Date
    /// Snapshot entries other than `targets.json` (delegated roles), kept as written.
    var otherSnapshotMeta: [TUFJSON.Member]
    var timestampVersion: Int
    var timestampExpires: Date

    /// Reads the repository's current metadata: the newest root, the timestamp, the snapshot it
    /// names and the targets that snapshot names. Signatures are not checked here (`verify` does).
    static func load(_ layout: TUFRepositoryLayout) throws(TUFPublishError) -> TUFRepositoryState {
        guard let newestRoot = layout.rootVersions().last else {
            throw TUFPublishError(.repository, "\(layout.path) has no metadata/N.root.json: it is not an ota publish repository; run `ota publish init` or pass the right --repo.")
        }
        func parse<T>(_ body: () throws(TUFError) -> T) throws(TUFPublishError) -> T {
            do {
                return try body()
            } catch {
                throw TUFPublishError(.repository, "The repository \(layout.path) has unreadable metadata: \(error.message)")
            }
        }
        let rootData = try layout.read(layout.metadata(.root, version: newestRoot))
        let root = try parse { () throws(TUFError) in try TUFPublishedRoot(rootData, file: "\(newestRoot).root.json") }
        let timestampData = try layout.read(layout.metadata("timestamp.json"))
        let timestamp = try parse { () throws(TUFError) in try TUFTimestamp(timestampData, file: "timestamp.json") }
        let snapshotFile = "\(timestamp.snapshotMeta.version).snapshot.json"
        let snapshotData = try layout.read(layout.metadata(snapshotFile))
        let snapshot = try parse { () throws(TUFError) in try TUFSnapshot(snapshotData, file: snapshotFile) }
        guard let targetsMeta = snapshot.meta(forRole: "targets") else {
            throw TUFPublishError(.repository, "The repository's snapshot \(snapshotFile) does not list targets.json; restore the metadata from a backup.")
        }
        let targetsFile = "\(targetsMeta.version).targets.json"
        let targetsData = try layout.read(layout.metadata(targetsFile))
        let targets = try parse { () throws(TUFError) in try TUFTargets(targetsData, file: targetsFile) }
        var entries: [String: TUFPublishedTarget] = [:]
        for (path, file) in targets.targets { entries[path] = TUFPublishedTarget(file) }
        return TUFRepositoryState(
            root: root, targets: entries, targetsVersion: targets.header.version, targetsExpires: targets.header.expires,
            delegations: targets.envelope.signed["delegations"], snapshotVersion: snapshot.header.version,
            snapshotExpires: snapshot.header.expires,
            otherSnapshotMeta: snapshot.envelope.signed["meta"]?.members?.filter { $0.key != "targets.json" } ?? [],
            timestampVersion: timestamp.header.version, timestampExpires: timestamp.header.expires)
    }

    /// The `signed` object of the top-level targets.
    var targetsSigned: TUFJSON {
        var members = TUFPublishedRoot.header("targets", version: targetsVersion, expires: targetsExpires)
        members.append(.init("targets", .object(targets.keys.sorted().map { TUFJSON.Member($0, targets[$0]!.json) })))
        if let delegations { members.append(.init("delegations", delegations)) }
        return .object(members)
    }

    /// The `signed` object of the snapshot listing the targets file `targetsFile`.
    func snapshotSigned(targetsFile: Data) -> TUFJSON {
        .object(TUFPublishedRoot.header("snapshot", version: snapshotVersion, expires: snapshotExpires) + [
            .init("meta", .object([.init("targets.json", Self.metaEntry(version: targetsVersion, file: targetsFile))] + otherSnapshotMeta)),
        ])
    }

    /// The `signed` object of the timestamp naming the snapshot file `snapshotFile`.
    func timestampSigned(snapshotFile: Data) -> TUFJSON {
        .object(TUFPublishedRoot.header("timestamp", version: timestampVersion, expires: timestampExpires) + [
            .init("meta", .object(["snapshot.json": Self.metaEntry(version: snapshotVersion, file: snapshotFile)])),
        ])
    }

    /// `{"version": N, "length": …, "hashes": {"sha256": …}}`.
    static func metaEntry(version: Int, file: Data) -> TUFJSON {
        .object(["version": .integer(version), "length": .integer(file.count),
                 "hashes": .object(["sha256": .string(Hex.lowercase(SHA256.hash(data: file)))])])
    }

    /// The metadata file of `signed`, signed by every key of `role` the key store holds (at least the threshold).
    func sign(_ signed: TUFJSON, role: TUFTopLevelRole, keys: TUFKeyStore, alsoBy extra: [TUFSigningKey] = []) throws(TUFPublishError) -> Data {
        var signers = try keys.signers(for: root.roles[role]!, role: role.rawValue)
        for key in extra where !signers.contains(where: { $0.keyID == key.keyID }) { signers.append(key) }
        let message = TUFCanonicalJSON.encode(signed)
        var signatures: [TUFJSON] = []
        for key in signers.sorted(by: { $0.keyID < $1.keyID }) {
            signatures.append(.object(["keyid": .string(key.keyID), "sig": .string(try key.sign(message))]))
        }
        return TUFJSONWriter.data(.object(["signatures": .array(signatures), "signed": signed]))
    }
}
