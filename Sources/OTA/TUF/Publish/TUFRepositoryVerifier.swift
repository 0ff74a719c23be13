import Foundation

/// What ``TUFRepositoryVerifier/verify(now:)`` checked.
public struct TUFVerifyReport: Sendable, Equatable {
    /// The newest root version, reached by rotating from `1.root.json`.
    public let rootVersion: Int
    /// Each top-level role's version and expiry, as a client trusts them.
    public let expiries: [TUFTopLevelRole: Date]
    /// The targets roles read (`targets` and any delegated ones).
    public let rolesVerified: [String]
    /// The target files whose length and hashes were checked.
    public let targetsVerified: Int
}

/// Runs a TUF client's workflow on a repository folder, as a device would over HTTP: every root from
/// `1.root.json` on (each signed by the previous and by itself), the timestamp, the snapshot and the
/// targets it names (delegated roles too), expiry against the given time, and each target file's
/// length and hashes under its consistent-snapshot name. The first failure is the error.
public struct TUFRepositoryVerifier: Sendable {
    public let layout: TUFRepositoryLayout

    public init(repository: String) {
        layout = TUFRepositoryLayout(path: repository)
    }

    public func verify(now: Date = Date()) throws(TUFPublishError) -> TUFVerifyReport {
        do throws(TUFError) {
            var trust = try TUFTrustedMetadata(trustedRoot: try read("1.root.json"), now: now)
            var newest = 1
            let versions = layout.rootVersions()
            while versions.contains(newest + 1) {
                try trust.updateRoot(try read("\(newest + 1).root.json"))
                newest += 1
            }
            if let stray = versions.first(where: { $0 > newest }) {
                throw failure("metadata/\(stray).root.json exists but \(newest + 1).root.json is missing, so clients cannot rotate to it; restore the missing root")
            }
            guard try read("root.json") == read("\(newest).root.json") else {
                throw failure("metadata/root.json differs from \(newest).root.json, the newest root; copy \(newest).root.json to root.json")
            }
            try trust.updateTimestamp(try read("timestamp.json"))
            let snapshotVersion = trust.timestamp!.snapshotMeta.version
            let snapshot = try trust.updateSnapshot(try read("\(snapshotVersion).snapshot.json"))
            var rolesVerified: [String] = []
            var toVerify: [(role: String, delegator: String)] = [("targets", "root")]
            var targetFiles: [TUFTargetFile] = []
            while let (role, delegator) = toVerify.first {
                toVerify.removeFirst()
                guard let meta = snapshot.meta(forRole: role) else {
                    if role == "targets" { throw TUFError(.missingFromSnapshot, "The TUF snapshot does not list targets.json") }
                    continue
                }
                let targets = try trust.updateDelegatedTargets(try read("\(meta.version).\(role).json"), role: role, delegator: delegator)
                rolesVerified.append(role)
                targetFiles += targets.targets.values
                let delegated = (targets.delegations?.roles ?? []).map(\.name)
                    + (targets.delegations?.succinctRoles.map { bins in (0..<(1 << bins.bitLength)).map(bins.binName) } ?? [])
                for name in delegated where !rolesVerified.contains(name) && !toVerify.contains(where: { $0.role == name }) {
                    toVerify.append((name, role))
                }
            }
            for target in targetFiles.sorted(by: { $0.path < $1.path }) { try verifyTarget(target) }
            let state = trust
            return TUFVerifyReport(
                rootVersion: newest,
                expiries: [.root: state.root.header.expires, .timestamp: state.timestamp!.header.expires,
                           .snapshot: snapshot.header.expires, .targets: state.targets!.header.expires],
                rolesVerified: rolesVerified, targetsVerified: targetFiles.count)
        } catch {
            throw TUFPublishError(.verification, "The repository \(layout.path) fails verification: \(error.message)")
        }
    }

    /// Checks a target file's length and hashes, and that its `custom.ota` version matches its path.
    private func verifyTarget(_ target: TUFTargetFile) throws(TUFError) {
        let name = PathName.lastComponent(of: target.path), directory = PathName.deletingLastComponent(of: target.path)
        guard let prefix = target.hashes["sha256"] ?? target.hashes.sorted(by: { $0.key < $1.key }).first?.value else {
            throw failure("target \(target.path) has no hash")
        }
        let stored = (directory.isEmpty ? "" : directory + "/") + prefix + "." + name
        let file = layout.target(stored)
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) else {
            throw failure("the file of target \(target.path), targets/\(stored), is missing or unreadable; publish it again")
        }
        try target.verify(data)
        let info: TUFReleaseInfo?
        do { info = try TUFReleaseInfo(custom: target.custom) } catch { throw failure("target \(target.path) has a malformed custom.ota: \(error.reason)") }
        if let info {
            let segments = target.path.split(separator: "/")
            guard segments.count == 3, segments[1] == info.version, SemanticVersion(info.version) != nil else {
                throw failure("target \(target.path) signs version \(info.version), which is not SemVer or not the version in its path")
            }
        }
    }

    private func read(_ name: String) throws(TUFError) -> Data {
        guard let data = FileManager.default.contents(atPath: layout.metadata(name)) else {
            throw failure("metadata/\(name) is missing or unreadable; restore it or re-sign the repository (ota publish refresh)")
        }
        return data
    }

    private func failure(_ text: String) -> TUFError {
        TUFError(.malformedMetadata, text + ".")
    }
}
