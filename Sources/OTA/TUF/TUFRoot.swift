import Foundation

/// The four top-level roles that root delegates to.
public enum TUFTopLevelRole: String, Sendable, CaseIterable {
    case root, timestamp, snapshot, targets

    /// The role's unversioned file name (`timestamp.json`).
    public var fileName: String { "\(rawValue).json" }
}

/// Root metadata: the keys and thresholds of the four top-level roles.
public struct TUFRoot: Sendable {
    public let header: TUFSignedHeader
    /// Whether metadata and targets are published under version- and hash-prefixed names.
    public let consistentSnapshot: Bool
    /// The keys by key id, as given.
    public let keys: [String: TUFPublicKey]
    /// The key ids and threshold of each top-level role.
    public let roles: [TUFTopLevelRole: TUFRoleKeys]
    /// The file as received, for checking its signatures again against another root.
    let envelope: TUFEnvelope

    /// The keys and threshold of `role`.
    public func keys(for role: TUFTopLevelRole) -> TUFRoleKeys {
        // Parsing guarantees the four roles.
        roles[role]!
    }

    /// Parses and checks the shape of root metadata; signatures are checked by the caller.
    package init(_ data: Data, file: String) throws(TUFError) {
        envelope = try TUFEnvelope(parsing: data, file: file)
        let signed = try TUFFields(envelope.signed, file: file, path: "signed")
        header = try TUFSignedHeader(signed, type: "root")
        if let flag = signed.optional("consistent_snapshot") {
            guard case .bool(let value) = flag else { throw signed.malformed("signed.consistent_snapshot must be true or false") }
            consistentSnapshot = value
        } else {
            consistentSnapshot = false
        }
        keys = try Self.keys(signed.object("keys"))
        let roleFields = try signed.object("roles")
        var roles: [TUFTopLevelRole: TUFRoleKeys] = [:]
        for (name, keys) in try roleFields.eachObject({ _, fields throws(TUFError) in try TUFRoleKeys(fields: fields) }) {
            guard let role = TUFTopLevelRole(rawValue: name) else {
                throw signed.malformed("signed.roles names \"\(name)\", which is not a top-level role")
            }
            roles[role] = keys
        }
        for role in TUFTopLevelRole.allCases where roles[role] == nil {
            throw signed.malformed("signed.roles has no \(role.rawValue) role")
        }
        self.roles = roles
    }

    /// Reads a `keys` object (root's, or a delegations' one).
    static func keys(_ fields: TUFFields) throws(TUFError) -> [String: TUFPublicKey] {
        var keys: [String: TUFPublicKey] = [:]
        for (keyID, key) in try fields.eachObject({ keyID, fields throws(TUFError) in try TUFPublicKey(keyID: keyID, fields: fields) }) {
            keys[keyID] = key
        }
        return keys
    }

    /// Throws unless `envelope` meets `role`'s threshold with this root's keys.
    func verify(_ envelope: TUFEnvelope, role: TUFTopLevelRole, file: String) throws(TUFError) {
        try keys(for: role).verify(envelope, keys: keys, role: role.rawValue, file: file, by: "root version \(header.version)")
    }

    /// Whether `role`'s keys (their ids or their material) differ from those in `other`: a key rotation.
    func rotatedKeys(of role: TUFTopLevelRole, since other: TUFRoot) -> Bool {
        func material(_ root: TUFRoot) -> Set<Data> { Set(root.keys(for: role).keyIDs.compactMap { root.keys[$0]?.identity }) }
        return Set(keys(for: role).keyIDs) != Set(other.keys(for: role).keyIDs) || material(self) != material(other)
    }
}
