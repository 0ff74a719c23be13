import Foundation

/// The search for one target path through the delegation graph, in the specification's order:
/// preorder depth-first from the top-level targets, delegated roles in the order listed, a
/// `terminating` role ending the search when it is reached, every succinct hash bin terminating,
/// each role visited once, and at most ``TUFLimits/maximumVisitedRoles`` roles read.
///
/// Every role on the path is verified against the role that delegates to it on *this* path: metadata
/// already loaded through another delegator is verified again against this one's keys before it is used.
///
/// Free of I/O: ``next(in:)`` says which role's metadata it needs; the caller loads it with
/// ``TUFTrustedMetadata/updateDelegatedTargets(_:role:delegator:)`` (stored copy first, then the
/// repository's) and calls ``next(in:)`` again:
/// ```swift
/// var search = TUFTargetSearch(targetPath: "app/1.2.0/app.tar.gz")
/// while true {
///     switch try search.next(in: &trust) {
///     case .found(let target, _): return target
///     case .notFound: return nil
///     case .load(let role, let delegator, let meta): try trust.updateDelegatedTargets(fetch(role, meta), role: role, delegator: delegator)
///     }
/// }
/// ```
public struct TUFTargetSearch: Sendable {
    /// What the search needs or found.
    public enum Step: Sendable, Equatable {
        /// The target, and the role that signs it.
        case found(TUFTargetFile, role: String)
        /// No role on the search path lists the target; `stoppedAtLimit` when roles were left unvisited
        /// because the bound on visited roles was reached.
        case notFound(stoppedAtLimit: Bool)
        /// Load `role`'s metadata as delegated by `delegator`; `meta` is its snapshot entry (version,
        /// length, hashes: the file name under consistent snapshots is `<version>.<role>.json`).
        case load(role: String, delegator: String, meta: TUFMetaFile)
    }

    /// The target path searched for.
    public let targetPath: String
    /// Roles still to visit, the next one last, each with the role that delegated to it on this path.
    private var toVisit: [(role: String, delegator: String)]
    /// Roles already visited (never visited twice: delegation cycles end).
    private var visited: Set<String> = []

    /// A search for `targetPath`, starting at the top-level targets role.
    public init(targetPath: String) {
        self.targetPath = targetPath
        toVisit = [(TUFTopLevelRole.targets.rawValue, TUFTopLevelRole.root.rawValue)]
    }

    /// Advances the search until it finds the target, ends, or needs metadata.
    /// - Throws: when a role on the path fails verification against its delegator, or the snapshot
    ///   does not list a role the search must read.
    public mutating func next(in trust: inout TUFTrustedMetadata) throws(TUFError) -> Step {
        while visited.count < trust.limits.maximumVisitedRoles, let (role, delegator) = toVisit.last {
            if visited.contains(role) {
                toVisit.removeLast()
                continue
            }
            guard let targets = try trust.verifiedTargets(role: role, delegator: delegator) else {
                let snapshot = try trust.finalSnapshot()
                guard let meta = snapshot.meta(forRole: role) else {
                    throw TUFError(.missingFromSnapshot, "The TUF snapshot does not list \(role).json, which \(delegator) delegates \(targetPath) to; the repository is incomplete, so report it to its publisher.")
                }
                return .load(role: role, delegator: delegator, meta: meta)
            }
            toVisit.removeLast()
            if let target = targets.targets[targetPath] {
                return .found(target, role: role)
            }
            visited.insert(role)
            var children: [(role: String, delegator: String)] = []
            for child in targets.delegations?.roles(for: targetPath) ?? [] {
                children.append((child.name, role))
                if child.terminating {
                    toVisit.removeAll()
                    break
                }
            }
            toVisit.append(contentsOf: children.reversed())
        }
        return .notFound(stoppedAtLimit: !toVisit.isEmpty)
    }
}

extension TUFTrustedMetadata {
    /// Searches `targetPath` (see ``TUFTargetSearch``), calling `load` for each role's metadata it needs.
    /// - Parameters:
    ///   - targetPath: the target's path (`app/1.2.0/app.tar.gz`).
    ///   - load: returns the bytes of `role`'s metadata file (from storage or the repository).
    /// - Returns: the target and its signing role, or `nil` when no role on the search path lists it.
    public mutating func findTarget(
        _ targetPath: String, load: (_ role: String, _ meta: TUFMetaFile) throws -> Data
    ) throws -> (target: TUFTargetFile, role: String)? {
        var search = TUFTargetSearch(targetPath: targetPath)
        while true {
            switch try search.next(in: &self) {
            case .found(let target, let role): return (target, role)
            case .notFound: return nil
            case .load(let role, let delegator, let meta):
                try updateDelegatedTargets(try load(role, meta), role: role, delegator: delegator)
            }
        }
    }
}
