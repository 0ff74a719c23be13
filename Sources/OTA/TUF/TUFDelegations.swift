import Crypto
import Foundation

/// A targets role's `delegations`: the keys, and either an ordered list of delegated roles or
/// succinct hash bins (TAP 15).
public struct TUFDelegations: Sendable {
    /// The keys the delegated roles use, by key id.
    public let keys: [String: TUFPublicKey]
    /// The delegated roles in order of trust (the order they are searched), or `nil` with ``succinctRoles``.
    public let roles: [TUFDelegatedRole]?
    /// Hash bins, or `nil` with ``roles``.
    public let succinctRoles: TUFSuccinctRoles?

    /// The roles responsible for `targetPath` in search order, with whether each is terminating
    /// (every hash bin is).
    public func roles(for targetPath: String) -> [(name: String, terminating: Bool)] {
        if let roles {
            return roles.filter { $0.isDelegated(targetPath) }.map { ($0.name, $0.terminating) }
        }
        return succinctRoles.map { [($0.role(for: targetPath), true)] } ?? []
    }

    /// The keys and threshold of delegated role `name`, `nil` when it is not delegated here.
    public func keys(forRole name: String) -> TUFRoleKeys? {
        if let roles { return roles.first { $0.name == name }?.keys }
        if let succinctRoles, succinctRoles.isBin(name) { return succinctRoles.keys }
        return nil
    }

    init(fields: TUFFields) throws(TUFError) {
        keys = try TUFRoot.keys(fields.object("keys"))
        switch (fields.optional("roles"), fields.optional("succinct_roles")) {
        case (let list?, nil):
            guard case .array(let entries) = list else { throw fields.malformed("\(fields.field("roles")) must be a list") }
            var roles: [TUFDelegatedRole] = []
            var names: Set<String> = []
            for entry in entries {
                let role = try TUFDelegatedRole(fields: TUFFields(entry, file: fields.file, path: fields.field("roles[]")))
                guard !role.name.isEmpty, TUFTopLevelRole(rawValue: role.name) == nil else {
                    throw fields.malformed("a delegated role is named \"\(role.name)\", which is empty or a top-level role's name")
                }
                guard names.insert(role.name).inserted else { throw fields.malformed("delegated role \"\(role.name)\" is listed twice") }
                roles.append(role)
            }
            self.roles = roles
            succinctRoles = nil
        case (nil, .some):
            roles = nil
            succinctRoles = try TUFSuccinctRoles(fields: fields.object("succinct_roles"))
        default:
            throw fields.malformed("\(fields.path) must have exactly one of roles and succinct_roles")
        }
    }
}

/// One delegated role: its keys, whether it ends the search, and which target paths it may sign
/// (path patterns or SHA-256 prefixes of the path).
public struct TUFDelegatedRole: Sendable {
    public let name: String
    public let keys: TUFRoleKeys
    /// When true, a search that reaches this role never continues to the roles after it.
    public let terminating: Bool
    /// Path patterns (`*` within one path segment, `?`, `[...]`, as python-tuf matches them), or `nil` with ``pathHashPrefixes``.
    public let paths: [String]?
    /// Lowercase hexadecimal prefixes of the SHA-256 of the target path, or `nil` with ``paths``.
    public let pathHashPrefixes: [String]?

    /// Whether this role may sign `targetPath`.
    public func isDelegated(_ targetPath: String) -> Bool {
        if let pathHashPrefixes {
            let hash = Hex.lowercase(SHA256.hash(data: Data(targetPath.utf8)))
            return pathHashPrefixes.contains { hash.hasPrefix($0) }
        }
        return (paths ?? []).contains { TUFPathPattern.matches(targetPath, pattern: $0) }
    }

    init(fields: TUFFields) throws(TUFError) {
        name = try fields.string("name")
        keys = try TUFRoleKeys(fields: fields)
        terminating = try fields.bool("terminating")
        switch (fields.optional("paths"), fields.optional("path_hash_prefixes")) {
        case (.some, nil):
            paths = try fields.strings("paths")
            pathHashPrefixes = nil
        case (nil, .some):
            paths = nil
            pathHashPrefixes = try fields.strings("path_hash_prefixes")
        default:
            throw fields.malformed("delegated role \"\(name)\" must have exactly one of paths and path_hash_prefixes")
        }
    }
}

/// Succinct hash bins (TAP 15): `2^bitLength` roles named `<namePrefix>-<hex>`, sharing keys and
/// threshold; a target belongs to the bin given by the first `bitLength` bits of the SHA-256 of its
/// path. Every bin is terminating.
public struct TUFSuccinctRoles: Sendable {
    public let keys: TUFRoleKeys
    /// 1 to 32.
    public let bitLength: Int
    public let namePrefix: String

    /// Hex digits in a bin's suffix: those of the last bin's number.
    var suffixLength: Int { String((1 << bitLength) - 1, radix: 16).count }

    /// The bin responsible for `targetPath`.
    public func role(for targetPath: String) -> String {
        let hash = Array(SHA256.hash(data: Data(targetPath.utf8)))
        let prefix = hash[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return binName(Int(prefix >> UInt32(32 - bitLength)))
    }

    /// The name of bin `number`.
    public func binName(_ number: Int) -> String {
        let digits = String(number, radix: 16)
        return "\(namePrefix)-" + String(repeating: "0", count: max(0, suffixLength - digits.count)) + digits
    }

    /// Whether `name` is one of the bins.
    public func isBin(_ name: String) -> Bool {
        let prefix = namePrefix + "-"
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.dropFirst(prefix.count)
        guard suffix.count == suffixLength, Hex.isHex(suffix, count: suffixLength), let number = Int(suffix, radix: 16) else { return false }
        return number < 1 << bitLength
    }

    init(fields: TUFFields) throws(TUFError) {
        keys = try TUFRoleKeys(fields: fields)
        bitLength = try fields.integer("bit_length", minimum: 1)
        guard bitLength <= 32 else { throw fields.malformed("\(fields.field("bit_length")) must be between 1 and 32") }
        namePrefix = try fields.string("name_prefix")
    }
}
