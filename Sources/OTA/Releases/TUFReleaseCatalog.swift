import Foundation
import Logging

/// Which releases of a signed repository's catalog a device is offered, and the artifact of each.
///
/// A target at `<product>/<version>/<file>` with `custom.ota` is a release file of the device when its
/// signed `version` is SemVer and equals the path's version (otherwise it is skipped with a warning) and
/// its `platform` is the device's or `any`. It is offered when, besides, the device's channel is listed,
/// it is not yanked and its rollout reaches the device now (``withholding(_:deviceID:at:)``); the others
/// are listed as withheld, with the reason, so that a yanked installed version is recognised and a pin can
/// name them. Pre-releases are left to ``ReleaseSelector`` (`include_prereleases`). Where a version has
/// several files for the device, an offered one wins over a withheld one, then one for its own platform
/// over one for `any`, then the first path in order.
public struct TUFReleaseCatalog: Sendable {
    /// The product's name, the first segment of its target paths.
    public var product: String
    /// The device's platform (`linux-aarch64`).
    public var platform: String
    /// The channel the device follows.
    public var channel: String

    public init(product: String, platform: String, channel: String) {
        self.product = product
        self.platform = platform
        self.channel = channel
    }

    /// A release of the device's platform, with the target it installs.
    struct Offer: Sendable {
        var release: Release
        var entry: TUFReleaseEntry
        var target: TUFTargetFile
        /// The role that signs the target.
        var role: String
    }

    /// Why the release `info` is not offered to `deviceID` at `now`, `nil` when it is. The rollout is decided
    /// by ``TUFReleaseInfo/reaches(deviceID:at:)``, the rule `ota publish status` counts devices with.
    public func withholding(_ info: TUFReleaseInfo, deviceID: String, at now: Date) -> ReleaseWithholding? {
        if info.yanked { return .yanked }
        if !info.channels.contains(channel) { return .otherChannel }
        if info.rollout?.halted == true { return .halted }
        if !info.reaches(deviceID: deviceID, at: now) { return .outsideRollout(effectivePercent: info.rollout?.effectivePercent(at: now) ?? 100) }
        return nil
    }

    /// The releases of the device's platform, newest first, from the targets under the product's folder;
    /// those not offered to `deviceID` at `now` carry the reason in ``Release/withheld``.
    /// - Parameter url: where a target is downloaded from.
    func offers(_ targets: [(target: TUFTargetFile, role: String)], deviceID: String, at now: Date,
                url: (TUFTargetFile) -> URL, logger: Logger) -> [Offer] {
        var best: [SemanticVersion: Offer] = [:]
        for (target, role) in targets.sorted(by: { $0.target.path < $1.target.path }) {
            guard let (entry, version) = entry(of: target, logger: logger) else { continue }
            guard entry.info.platform == platform || entry.info.platform == "any" else { continue }
            let withheld = withholding(entry.info, deviceID: deviceID, at: now)
            if let reason = withheld {
                logger.debug("TUF target not offered to this device", metadata: ["ota.target": "\(target.path)", "ota.reason": "\(reason)"])
            }
            if let chosen = best[version], rank(chosen.release.withheld, chosen.entry) >= rank(withheld, entry) { continue }
            let address = url(target).absoluteString
            let asset = ReleaseAsset(id: 0, name: entry.fileName, size: target.length, digest: target.hashes["sha256"].map { "sha256:" + $0 },
                                     apiURL: address, browserDownloadURL: address)
            let release = Release(tag: entry.info.version, version: version, name: nil, notes: entry.info.notes, publishedAt: entry.info.publishedAt,
                                  isPrerelease: version.isPrerelease, assets: [asset], withheld: withheld)
            best[version] = Offer(release: release, entry: entry, target: target, role: role)
        }
        return best.values.sorted { $0.release.version > $1.release.version }
    }

    /// The platforms other than the device's (and `any`) that well-formed release files of each version are
    /// published for: what tells a pin on a version the device is not offered why. Logs nothing.
    func otherPlatforms(_ targets: [(target: TUFTargetFile, role: String)]) -> [SemanticVersion: [String]] {
        let quiet = Logger(label: "ota.catalog") { _ in SwiftLogNoOpLogHandler() }
        var platforms: [SemanticVersion: Set<String>] = [:]
        for (target, _) in targets {
            guard let (entry, version) = entry(of: target, logger: quiet), entry.info.platform != platform, entry.info.platform != "any" else { continue }
            platforms[version, default: []].insert(entry.info.platform)
        }
        return platforms.mapValues { $0.sorted() }
    }

    /// The release entry of `target` and its version; `nil` (with a warning when it is malformed) when it is none.
    private func entry(of target: TUFTargetFile, logger: Logger) -> (TUFReleaseEntry, SemanticVersion)? {
        let entry: TUFReleaseEntry
        do {
            guard let parsed = try TUFReleaseEntry.parse(path: target.path, custom: target.custom, product: product) else { return nil }
            entry = parsed
        } catch {
            logger.warning("skipping a TUF target whose custom.ota is malformed", metadata: ["ota.target": "\(target.path)", "ota.reason": "\(error.reason)"])
            return nil
        }
        guard let version = SemanticVersion(entry.info.version) else {
            logger.warning("skipping a TUF target whose signed version is not a semantic version", metadata: ["ota.target": "\(target.path)", "ota.version": "\(entry.info.version)"])
            return nil
        }
        guard SemanticVersion(entry.pathVersion) == version, entry.pathVersion == entry.info.version else {
            logger.warning("skipping a TUF target whose signed version differs from the version in its path",
                           metadata: ["ota.target": "\(target.path)", "ota.version": "\(entry.info.version)"])
            return nil
        }
        return (entry, version)
    }

    /// Which of two files of one version the device takes: offered before withheld, then its own platform before `any`.
    private func rank(_ withheld: ReleaseWithholding?, _ entry: TUFReleaseEntry) -> Int {
        (withheld == nil ? 2 : 0) + (entry.info.platform == platform ? 1 : 0)
    }
}
