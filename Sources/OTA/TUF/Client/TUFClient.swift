import Foundation
import Logging

/// The TUF client workflow around ``TUFTrustedMetadata``, as python-tuf's `ngclient.Updater` runs it:
/// fetches the metadata from a repository, hands it to the trust state in the specification's order,
/// and persists each file the trust state accepts in a ``TUFMetadataStore``.
///
/// A refresh: the stored `root.json`; `N+1.root.json` until the repository answers 404 (each new root
/// stored before the next is fetched); `timestamp.json` with `If-None-Match` (the stored copy's ETag),
/// so an unchanged repository costs one 304 besides the root probe; the snapshot, unless the stored one
/// is current; the top-level targets, stored copy first. Under consistent snapshots, snapshot and
/// targets are fetched as `N.snapshot.json` and `N.targets.json`. Each file is read up to the length the
/// role above signs, else the role's limit. A file refused leaves the store as it was; a refresh that
/// completes raises the time floor to the time it was checked at.
///
/// A refresh holds the store's lock (`refresh.lock`, a file lock) from start to end, and
/// ``refresh(then:)`` holds it through the lookups that follow: another process refreshing the same
/// store waits for it instead of interleaving its writes.
public final class TUFClient: Sendable {
    /// The repository's metadata folder (`…/metadata`).
    public let metadataURL: URL
    /// The repository's targets folder (`…/targets`).
    public let targetsURL: URL
    /// Where the trusted metadata is kept.
    public let store: TUFMetadataStore
    /// The bounds kept to.
    public let limits: TUFLimits
    let fetcher: TUFFetcher
    /// The device's clock (tests inject one).
    let clock: @Sendable () -> Date
    let logger: Logger
    /// How long a refresh waits at most for another process's refresh of the same store.
    let lockTimeout: Duration

    init(metadataURL: URL, targetsURL: URL, store: TUFMetadataStore, fetcher: TUFFetcher, limits: TUFLimits = TUFLimits(),
         clock: @escaping @Sendable () -> Date = { Date() }, lockTimeout: Duration = .seconds(600), logger: Logger) {
        self.metadataURL = metadataURL
        self.targetsURL = targetsURL
        self.store = store
        self.fetcher = fetcher
        self.limits = limits
        self.clock = clock
        self.lockTimeout = lockTimeout
        self.logger = logger
    }

    /// Stores `data` as the trusted root, after checking that it is root metadata signed by its own
    /// root keys: the anchor every refresh starts from (`tuf_root`, `ota tuf-client init`). The caller
    /// holds the store's lock when another process may refresh meanwhile.
    public func storeInitialRoot(_ data: Data) throws {
        _ = try TUFTrustedMetadata(trustedRoot: data, now: clock(), limits: limits)
        try store.storeMetadata(data, role: TUFTopLevelRole.root.rawValue)
    }

    /// Whether a trusted root is stored.
    public var hasTrustedRoot: Bool {
        (try? store.metadata(role: TUFTopLevelRole.root.rawValue, limit: limits.maximumRootBytes)) != nil
    }

    /// Runs the refresh and returns the trust state with the top-level targets loaded.
    /// - Throws: ``TUFError`` for a refused file (nothing stored changes), ``TransferError`` when the
    ///   repository cannot be read, ``StateError`` when the store cannot be.
    public func refresh() async throws -> TUFTrustedMetadata {
        try await refresh { $0 }
    }

    /// Runs the refresh, then `body` with the trust state (to look targets up, which may store delegated
    /// roles), holding the store's lock throughout.
    /// - Throws: as ``refresh()``, and what `body` throws.
    public func refresh<Value>(then body: (inout TUFTrustedMetadata) async throws -> Value) async throws -> Value {
        try await exclusively {
            var trust = try await refreshHoldingLock()
            return try await body(&trust)
        }
    }

    /// Runs `body` holding the store's lock, waiting (up to ``lockTimeout``) while another process holds it.
    package func exclusively<Value>(_ body: () async throws -> Value) async throws -> Value {
        let lock = try await TUFRefreshLock.acquire(store, timeout: lockTimeout) { holder in
            logger.info("waiting for \(holder.map { "process \($0)" } ?? "another process"), which is refreshing the TUF metadata in \(store.path)")
        }
        defer { lock.release() }
        return try await body()
    }

    /// The refresh; the caller holds the store's lock (``exclusively(_:)``).
    func refreshHoldingLock() async throws -> TUFTrustedMetadata {
        let rootRole = TUFTopLevelRole.root.rawValue
        guard let root = try store.metadata(role: rootRole, limit: limits.maximumRootBytes) else {
            throw StateError(.stateFailed, "no trusted TUF root is stored in \(store.path); give the device its initial root.json (tuf_root, or ota tuf-client init)")
        }
        var trust = try TUFTrustedMetadata(trustedRoot: root, now: clock(), timeFloor: store.timeFloor(), limits: limits)
        try await updateRoot(&trust)
        try await updateTimestamp(&trust)
        try await updateSnapshot(&trust)
        _ = try await targets(of: TUFTopLevelRole.targets.rawValue, delegatedBy: rootRole, in: &trust)
        try store.raiseTimeFloor(to: trust.referenceTime)
        return trust
    }

    /// Root rotation: `N+1.root.json` until the repository has none (or the rotation bound is reached).
    private func updateRoot(_ trust: inout TUFTrustedMetadata) async throws {
        for _ in 0..<limits.maximumRootRotations {
            let file = "\(trust.root.header.version + 1).root.json"
            guard case .file(let data, _) = try await fetcher.fetch(metadata(file), file: file, limit: limits.maximumRootBytes) else { return }
            let root = try trust.updateRoot(data)
            try store.storeMetadata(data, role: TUFTopLevelRole.root.rawValue)
            logger.info("trusted a new TUF root", metadata: ["ota.tuf.root_version": "\(root.header.version)"])
        }
    }

    /// The timestamp: the stored copy, then the repository's, asked for with the stored copy's ETag.
    private func updateTimestamp(_ trust: inout TUFTrustedMetadata) async throws {
        let role = TUFTopLevelRole.timestamp.rawValue
        let stored = try store.metadata(role: role, limit: limits.maximumTimestampBytes)
        var etag: String?
        if let stored {
            switch try trust.loadStoredTimestamp(stored) {
            case .trusted: etag = store.timestampETag()
            case .rollbackReference: break
            case .discarded(let why): try discard(role, why: why)
            }
        }
        let file = role + ".json"
        switch try await fetcher.fetch(metadata(file), file: file, limit: limits.maximumTimestampBytes, etag: etag) {
        case .notModified:
            logger.debug("TUF timestamp not modified", metadata: ["ota.tuf.timestamp_version": "\(trust.timestamp?.header.version ?? 0)"])
        case .notFound:
            throw TransferError(.notFound, "the TUF repository has no \(file) at \(metadata(file).absoluteString) (404); check tuf_url and that the repository is published", status: 404)
        case .file(let data, let newETag):
            switch try trust.updateTimestamp(data) {
            case .updated:
                try store.storeTimestampETag(nil)
                try store.storeMetadata(data, role: role)
                try store.storeTimestampETag(newETag)
            case .unchanged:
                try store.storeTimestampETag(data == stored ? newETag : nil)
            }
        }
    }

    /// The snapshot the timestamp names: the stored copy when it is that one, else the repository's.
    private func updateSnapshot(_ trust: inout TUFTrustedMetadata) async throws {
        let role = TUFTopLevelRole.snapshot.rawValue
        if let stored = try store.metadata(role: role, limit: limits.maximumSnapshotBytes) {
            switch try trust.loadStoredSnapshot(stored) {
            case .trusted: return
            case .rollbackReference: break
            case .discarded(let why): try discard(role, why: why)
            }
        }
        guard let meta = trust.timestamp?.snapshotMeta else { return }
        let file = trust.root.consistentSnapshot ? "\(meta.version).snapshot.json" : "snapshot.json"
        let data = try await fetcher.fetchRequired(metadata(file), file: file, limit: meta.fileInfo.length ?? limits.maximumSnapshotBytes)
        try trust.updateSnapshot(data)
        try store.storeMetadata(data, role: role)
    }

    /// The metadata of targets role `role` as `delegator` delegates it: already trusted, the stored copy,
    /// or (when that is not the version the snapshot names) the repository's, stored once accepted.
    func targets(of role: String, delegatedBy delegator: String, in trust: inout TUFTrustedMetadata) async throws -> TUFTargets {
        if let trusted = try trust.verifiedTargets(role: role, delegator: delegator) { return trusted }
        let limit = limits.maximumBytes(forRole: role)
        if let stored = try store.metadata(role: role, limit: limit) {
            do {
                return try trust.updateDelegatedTargets(stored, role: role, delegator: delegator)
            } catch {
                logger.debug("stored TUF metadata not current", metadata: ["ota.tuf.role": "\(role)", "ota.error": "\(error.message)"])
            }
        }
        guard let meta = try trust.finalSnapshot().meta(forRole: role) else {
            throw TUFError(.missingFromSnapshot, "The TUF snapshot does not list \(role).json, which \(delegator) delegates to; the repository is incomplete, so report it to its publisher.")
        }
        let name = String(TUFMetadataStore.fileName(forRole: role).dropLast(".json".count))
        let file = trust.root.consistentSnapshot ? "\(meta.version).\(name).json" : "\(name).json"
        let data = try await fetcher.fetchRequired(metadata(file), file: file, limit: meta.fileInfo.length.map { min($0, limit) } ?? limit)
        let targets = try trust.updateDelegatedTargets(data, role: role, delegator: delegator)
        try store.storeMetadata(data, role: role)
        return targets
    }

    /// Removes a stored copy the trust state refused.
    private func discard(_ role: String, why: TUFError) throws {
        logger.info("dropping stored TUF metadata", metadata: ["ota.tuf.role": "\(role)", "ota.reason": "\(why.message)"])
        try store.removeMetadata(role: role)
        if role == TUFTopLevelRole.timestamp.rawValue { try store.storeTimestampETag(nil) }
    }

    /// The URL of metadata file `file`.
    func metadata(_ file: String) -> URL {
        Self.url(file, under: metadataURL)
    }

    /// `relative` (already percent-encoded where needed) under the folder `base`.
    static func url(_ relative: String, under base: URL) -> URL {
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        // `relative` is made of percent-encoded segments, so the result is always a valid URL.
        return URL(string: text + "/" + relative)!
    }
}
