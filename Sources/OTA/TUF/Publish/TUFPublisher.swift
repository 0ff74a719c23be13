import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Builds and maintains a signed TUF release repository in a folder (`ota publish`): every verb
/// checks all of its input, signs everything in memory, then writes the files atomically in an order
/// that a static host can serve at any moment — target files, then targets metadata, then roots,
/// then the snapshot, and the timestamp last — so no client is ever pointed at a file not yet there.
///
/// Keys are Ed25519, kept in a ``TUFKeyStore`` outside the repository. The clock is injected.
public struct TUFPublisher: Sendable {
    public let layout: TUFRepositoryLayout
    public let settings: TUFPublishSettings
    /// The keys folder (`--keys`); `nil` for the verbs that sign nothing (`status`). It is read again
    /// by each verb, so keys a rotation adds are used by the next one.
    public let keysPath: String?
    let now: @Sendable () -> Date

    /// Opens the repository `repository` made by ``initialize(repository:keys:product:thresholds:expiry:now:)``.
    public init(repository: String, keys: String?, now: @escaping @Sendable () -> Date = Date.init) throws(TUFPublishError) {
        layout = TUFRepositoryLayout(path: repository)
        settings = try TUFPublishSettings.load(repository: layout.path)
        if let keys { _ = try TUFKeyStore(path: keys, repository: repository) }
        keysPath = keys
        self.now = now
    }

    /// The time of this change, whole seconds (metadata dates have no fractions).
    func timeNow() -> Date {
        Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
    }

    /// The keys folder, read now.
    func signingKeys() throws(TUFPublishError) -> TUFKeyStore {
        guard let keysPath else { throw TUFPublishError(.keys, "This change must be signed: pass the keys folder with --keys DIR.") }
        return try TUFKeyStore(path: keysPath, repository: layout.path)
    }

    // MARK: init

    /// Creates a repository in `repository` (absent or empty): settings, a new Ed25519 key per
    /// threshold unit of each role in `keys` (0600, folder 0700), root version 1 and empty targets.
    /// - Parameters:
    ///   - repository: the folder to create the repository in.
    ///   - keysPath: the keys folder, outside `repository`.
    ///   - product: the first segment of every target path.
    ///   - thresholds: signatures each role needs (default 1); that many keys are made.
    ///   - expiry: seconds each role's metadata stays valid (defaults: ``TUFPublishSettings/defaultExpiry``).
    ///   - now: the clock the expiry dates are counted from.
    @discardableResult
    public static func initialize(repository: String, keys keysPath: String, product: String,
                                  thresholds: [TUFTopLevelRole: Int] = [:], expiry: [TUFTopLevelRole: Int] = [:],
                                  now: @escaping @Sendable () -> Date = Date.init) throws(TUFPublishError) -> TUFPublisher {
        guard TUFPublishSettings.isValidSegment(product) else {
            throw TUFPublishError(.invalidInput, "The product \"\(product)\" is not a valid name; use letters, digits, '.', '_', '-' or '+' (it becomes the first segment of every target path).")
        }
        for (role, threshold) in thresholds where !(1...16).contains(threshold) {
            throw TUFPublishError(.invalidInput, "The threshold of role \(role.rawValue) must be between 1 and 16, got \(threshold).")
        }
        let layout = TUFRepositoryLayout(path: repository)
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: layout.path)) ?? []
        guard existing.isEmpty else {
            throw TUFPublishError(.repository, "The folder \(layout.path) is not empty (it holds \(existing.sorted().prefix(3).joined(separator: ", "))); init makes a new repository in an empty or missing folder, so pass another --repo.")
        }
        var keyStore = try TUFKeyStore(path: keysPath, repository: layout.path, create: true)
        let settings = TUFPublishSettings(product: product, expiry: expiry)
        do {
            try FileManager.default.createDirectory(atPath: layout.metadataDirectory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: layout.targetsDirectory, withIntermediateDirectories: true)
            try AtomicFile.write(settings.encoded(), to: layout.path + "/" + TUFPublishSettings.fileName)
        } catch {
            throw TUFPublishError(.io, "Cannot create the repository in \(layout.path) (\(error)); check the path and its permissions.")
        }
        var keyMembers: [TUFJSON.Member] = [], roles: [TUFTopLevelRole: TUFRoleKeys] = [:]
        for role in TUFTopLevelRole.allCases {
            let threshold = thresholds[role] ?? 1
            var ids: [String] = []
            for _ in 0..<threshold {
                let key = TUFSigningKey()
                try keyStore.add(key, role: role.rawValue)
                keyMembers.append(.init(key.keyID, key.publicJSON))
                ids.append(key.keyID)
            }
            roles[role] = TUFRoleKeys(keyIDs: ids, threshold: threshold)
        }
        let publisher = TUFPublisher(layout: layout, settings: settings, keysPath: keysPath, now: now)
        let time = publisher.timeNow()
        let root = TUFPublishedRoot(version: 1, expires: time + TimeInterval(settings.expiry(of: .root)), keys: keyMembers, roles: roles)
        var state = TUFRepositoryState(root: root, targets: [:], targetsVersion: 0, targetsExpires: time, delegations: nil,
                                       snapshotVersion: 0, snapshotExpires: time, otherSnapshotMeta: [], timestampVersion: 0,
                                       timestampExpires: time)
        try publisher.publish(&state, keys: keyStore, rootChanged: true, targetsChanged: true)
        return publisher
    }

    init(layout: TUFRepositoryLayout, settings: TUFPublishSettings, keysPath: String?, now: @escaping @Sendable () -> Date) {
        self.layout = layout
        self.settings = settings
        self.keysPath = keysPath
        self.now = now
    }

    // MARK: Signing and writing

    /// Signs and writes a new version of the repository from `state`: new snapshot and timestamp
    /// versions always; a new targets version when `targetsChanged`; `N.root.json` and `root.json`
    /// when `rootChanged` (signed also by `previousRootSigners`, the old root's keys, on a rotation).
    /// `targetFiles` (archive path, target) are copied first. Nothing is written unless everything signs.
    func publish(_ state: inout TUFRepositoryState, keys: TUFKeyStore, rootChanged: Bool = false, previousRootSigners: [TUFSigningKey] = [],
                 targetsChanged: Bool, targetFiles: [(source: String, target: TUFPublishedTarget)] = []) throws(TUFPublishError) {
        let time = timeNow()
        if targetsChanged {
            state.targetsVersion += 1
            state.targetsExpires = time + TimeInterval(settings.expiry(of: .targets))
        }
        state.snapshotVersion += 1
        state.snapshotExpires = time + TimeInterval(settings.expiry(of: .snapshot))
        state.timestampVersion += 1
        state.timestampExpires = time + TimeInterval(settings.expiry(of: .timestamp))

        let rootData = rootChanged ? try state.sign(state.root.signed, role: .root, keys: keys, alsoBy: previousRootSigners) : nil
        let targetsData = targetsChanged ? try state.sign(state.targetsSigned, role: .targets, keys: keys)
            : try layout.read(layout.metadata(.targets, version: state.targetsVersion))
        let snapshotData = try state.sign(state.snapshotSigned(targetsFile: targetsData), role: .snapshot, keys: keys)
        let timestampData = try state.sign(state.timestampSigned(snapshotFile: snapshotData), role: .timestamp, keys: keys)

        for (source, target) in targetFiles { try copyTarget(source, to: layout.target(target.storedPath)) }
        if targetsChanged { try write(targetsData, to: layout.metadata(.targets, version: state.targetsVersion)) }
        if let rootData {
            try write(rootData, to: layout.metadata(.root, version: state.root.version))
            try write(rootData, to: layout.metadata(TUFTopLevelRole.root.fileName))
        }
        try write(snapshotData, to: layout.metadata(.snapshot, version: state.snapshotVersion))
        try write(timestampData, to: layout.metadata(.timestamp, version: state.timestampVersion))
    }

    /// Writes `file` atomically. A file rewritten in place (`timestamp.json`, `root.json`) gets a modification
    /// time in a later second than the one it replaces: static hosts derive validators from the whole-second
    /// modification time and the size (nginx's ETag, `aws s3 sync`), so two versions written within one second
    /// would otherwise look unchanged to a device's conditional request or to a sync, and a halt published right
    /// after a release could be missed.
    private func write(_ data: Data, to file: String) throws(TUFPublishError) {
        var previous = stat()
        let replacing = stat(file, &previous) == 0
        do {
            try AtomicFile.write(data, to: file)
        } catch {
            throw TUFPublishError(.io, "Cannot write \(file): \(error.message).")
        }
        var written = stat()
        guard replacing, stat(file, &written) == 0, written.st_mtim.tv_sec <= previous.st_mtim.tv_sec else { return }
        let later = timespec(tv_sec: previous.st_mtim.tv_sec + 1, tv_nsec: 0)
        let times = [later, later]
        guard utimensat(AT_FDCWD, file, times, 0) == 0 else {
            throw TUFPublishError(.io, "Cannot set the modification time of \(file): \(SystemError.last("utimensat").message).")
        }
    }

    /// Copies an archive to its consistent-snapshot name (atomically: a reader sees all of it or nothing).
    private func copyTarget(_ source: String, to destination: String) throws(TUFPublishError) {
        do {
            try FileManager.default.createDirectory(atPath: PathName.deletingLastComponent(of: destination), withIntermediateDirectories: true)
            let data = try Data(contentsOf: URL(fileURLWithPath: source), options: .alwaysMapped)
            try AtomicFile.write(data, to: destination)
        } catch let error as SystemError {
            throw TUFPublishError(.io, "Cannot copy \(source) to \(destination): \(error.message).")
        } catch {
            throw TUFPublishError(.io, "Cannot copy \(source) to \(destination) (\(error.localizedDescription)); check both paths and the free space.")
        }
    }

    /// The repository's current metadata.
    func loadState() throws(TUFPublishError) -> TUFRepositoryState {
        try TUFRepositoryState.load(layout)
    }
}
