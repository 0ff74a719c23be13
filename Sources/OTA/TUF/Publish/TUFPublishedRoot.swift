import Foundation

/// Root metadata as the publisher writes it: the keys and thresholds of the four top-level roles.
struct TUFPublishedRoot: Sendable {
    var version: Int
    var expires: Date
    /// The public key objects by key id, in order.
    var keys: [TUFJSON.Member]
    var roles: [TUFTopLevelRole: TUFRoleKeys]

    init(version: Int, expires: Date, keys: [TUFJSON.Member], roles: [TUFTopLevelRole: TUFRoleKeys]) {
        self.version = version
        self.expires = expires
        self.keys = keys
        self.roles = roles
    }

    /// Reads a root file of the repository.
    init(_ data: Data, file: String) throws(TUFError) {
        let root = try TUFRoot(data, file: file)
        version = root.header.version
        expires = root.header.expires
        keys = root.envelope.signed["keys"]?.members ?? []
        roles = root.roles
    }

    /// The `signed` object.
    var signed: TUFJSON {
        let usedKeys = Set(roles.values.flatMap(\.keyIDs))
        return .object(TUFPublishedRoot.header("root", version: version, expires: expires) + [
            .init("consistent_snapshot", .bool(true)),
            .init("keys", .object(keys.filter { usedKeys.contains($0.key) }.sorted { $0.key < $1.key })),
            .init("roles", .object(TUFTopLevelRole.allCases.map { role in
                let keys = roles[role]!
                return TUFJSON.Member(role.rawValue, .object(["keyids": .array(keys.keyIDs.map(TUFJSON.string)), "threshold": .integer(keys.threshold)]))
            })),
        ])
    }

    /// The TUF specification version written into every `signed` object.
    static let specVersion = "1.0.31"

    /// `_type`, `spec_version`, `version`, `expires`.
    static func header(_ type: String, version: Int, expires: Date) -> [TUFJSON.Member] {
        [.init("_type", .string(type)), .init("spec_version", .string(specVersion)), .init("version", .integer(version)),
         .init("expires", .string(UTCTime.iso8601(expires)))]
    }
}
