import Foundation

/// Finding targets through the delegations, and where a target is downloaded from.
extension TUFClient {
    /// The most targets roles read to list the targets under a folder.
    static let maximumListedRoles = 1024

    /// Searches target `path` in the specification's order (see ``TUFTargetSearch``), loading each role
    /// it needs (stored copy first, then the repository's).
    /// - Returns: the target and the role that signs it, or `nil` when no role on the search path lists it.
    public func target(_ path: String, in trust: inout TUFTrustedMetadata) async throws -> (target: TUFTargetFile, role: String)? {
        var search = TUFTargetSearch(targetPath: path)
        while true {
            switch try search.next(in: &trust) {
            case .found(let target, let role): return (target, role)
            case .notFound: return nil
            case .load(let role, let delegator, _): _ = try await targets(of: role, delegatedBy: delegator, in: &trust)
            }
        }
    }

    /// Every target whose path lies under `folder` (`monitor` lists `monitor/1.2.0/monitor.tar.gz`), as
    /// the search for its own path finds it: roles that may sign paths under `folder` are read to list
    /// candidates (at most 1,024 roles), and each candidate is then searched for, so the
    /// delegation order, `terminating` and each delegator's keys decide as they do for a single target.
    public func targets(under folder: String, in trust: inout TUFTrustedMetadata) async throws -> [(target: TUFTargetFile, role: String)] {
        let prefix = folder + "/"
        var candidates: Set<String> = []
        var toVisit = [(role: TUFTopLevelRole.targets.rawValue, delegator: TUFTopLevelRole.root.rawValue)]
        var visited: Set<String> = []
        while let (role, delegator) = toVisit.popLast() {
            guard visited.insert(role).inserted else { continue }
            guard visited.count <= Self.maximumListedRoles else {
                logger.warning("TUF repository lists too many roles; releases in the rest are not seen",
                               metadata: ["ota.tuf.roles": "\(Self.maximumListedRoles)"])
                break
            }
            let metadata = try await targets(of: role, delegatedBy: delegator, in: &trust)
            candidates.formUnion(metadata.targets.keys.filter { $0.hasPrefix(prefix) })
            guard let delegations = metadata.delegations else { continue }
            let children = delegations.roles.map { roles in roles.filter { Self.mayDelegate($0, under: folder) }.map(\.name) }
                ?? delegations.succinctRoles.map { bins in (0..<min(1 << bins.bitLength, Self.maximumListedRoles)).map(bins.binName) } ?? []
            toVisit += children.reversed().map { ($0, role) }
        }
        var found: [(target: TUFTargetFile, role: String)] = []
        for path in candidates.sorted() {
            if let target = try await target(path, in: &trust) { found.append(target) }
        }
        return found
    }

    /// Whether `role` may sign some path under `folder`: a path pattern whose first segment matches
    /// `folder`, or path hash prefixes (any path may hash into them).
    static func mayDelegate(_ role: TUFDelegatedRole, under folder: String) -> Bool {
        guard let paths = role.paths else { return true }
        return paths.contains { pattern in
            let segments = pattern.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            return segments.count == 2 && TUFPathPattern.matches(folder, pattern: String(segments[0]))
        }
    }

    /// Where `target` is downloaded from: `<targets>/<path>`, or under consistent snapshots
    /// `<targets>/<folder>/<hash>.<name>` with its SHA-256 (else the first of its hashes by name), as
    /// python-tuf names target files.
    public func url(of target: TUFTargetFile, consistentSnapshot: Bool) -> URL {
        var segments = target.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if consistentSnapshot, let name = segments.last,
           let hash = target.hashes["sha256"] ?? target.hashes.sorted(by: { $0.key < $1.key }).first?.value {
            segments[segments.count - 1] = hash + "." + name
        }
        let encoded = segments.map { Self.isUnreserved($0) ? $0 : $0.addingPercentEncoding(withAllowedCharacters: Self.segmentCharacters) ?? $0 }
        return Self.url(encoded.joined(separator: "/"), under: targetsURL)
    }

    /// Whether `segment` is made of letters, digits and `-._~` only, which percent-encoding leaves as they
    /// are (the common case, checked first: encoding is the costly part of listing a large catalog).
    static func isUnreserved(_ segment: String) -> Bool {
        segment.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
            default: false
            }
        }
    }

    /// Characters left as they are in a URL path segment.
    private static let segmentCharacters = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/;"))
}
