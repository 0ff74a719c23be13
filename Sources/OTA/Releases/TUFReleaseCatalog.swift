import Foundation
import Logging

/// Which releases of a signed repository's catalog a device is offered, and the artifact of each.
///
/// A target at `<product>/<version>/<file>` with `custom.ota` is offered when its signed `version` is
/// SemVer and equals the path's version (otherwise it is skipped with a warning), its `platform` is
/// the device's or `any`, the device's channel is listed, it is not yanked, and its rollout admits the
/// device (``admits(_:)``). Pre-releases are left to ``ReleaseSelector`` (`include_prereleases`). Where a
/// version has several files for the device, one for its own platform wins over one for `any`, then the
/// first path in order.
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

    /// A release offered to the device, with the target it installs.
    struct Offer: Sendable {
        var release: Release
        var entry: TUFReleaseEntry
        var target: TUFTargetFile
        /// The role that signs the target.
        var role: String
    }

    /// Whether the device is inside `rollout`. A halted rollout admits no device.
    ///
    /// The one place a rollout is decided: the share (`percent`, the ramp from `start` over `ramp_hours`)
    /// and the device's bucket are to be decided here too; until then every device is inside a rollout
    /// that is not halted.
    public func admits(_ rollout: TUFRollout?) -> Bool {
        guard let rollout else { return true }
        return !rollout.halted
    }

    /// The releases offered, newest first, from the targets under the product's folder.
    /// - Parameter url: where a target is downloaded from.
    func offers(_ targets: [(target: TUFTargetFile, role: String)], url: (TUFTargetFile) -> URL, logger: Logger) -> [Offer] {
        var best: [SemanticVersion: Offer] = [:]
        for (target, role) in targets.sorted(by: { $0.target.path < $1.target.path }) {
            let entry: TUFReleaseEntry
            do {
                guard let parsed = try TUFReleaseEntry.parse(path: target.path, custom: target.custom, product: product) else { continue }
                entry = parsed
            } catch {
                logger.warning("skipping a TUF target whose custom.ota is malformed", metadata: ["ota.target": "\(target.path)", "ota.reason": "\(error.reason)"])
                continue
            }
            guard let version = SemanticVersion(entry.version) else {
                logger.warning("skipping a TUF target whose signed version is not a semantic version", metadata: ["ota.target": "\(target.path)", "ota.version": "\(entry.version)"])
                continue
            }
            guard SemanticVersion(entry.pathVersion) == version, entry.pathVersion == entry.version else {
                logger.warning("skipping a TUF target whose signed version differs from the version in its path",
                               metadata: ["ota.target": "\(target.path)", "ota.version": "\(entry.version)"])
                continue
            }
            if let reason = whyNotOffered(entry) {
                logger.debug("TUF target not offered to this device", metadata: ["ota.target": "\(target.path)", "ota.reason": "\(reason)"])
                continue
            }
            if let chosen = best[version], chosen.entry.platform == platform || entry.platform != platform { continue }
            let address = url(target).absoluteString
            let asset = ReleaseAsset(id: 0, name: entry.fileName, size: target.length, digest: target.hashes["sha256"].map { "sha256:" + $0 },
                                     apiURL: address, browserDownloadURL: address)
            let release = Release(tag: entry.version, version: version, name: nil, notes: entry.notes, publishedAt: entry.publishedAt,
                                  isPrerelease: version.isPrerelease, assets: [asset])
            best[version] = Offer(release: release, entry: entry, target: target, role: role)
        }
        return best.values.sorted { $0.release.version > $1.release.version }
    }

    /// Why `entry` is not offered to this device, `nil` when it is.
    func whyNotOffered(_ entry: TUFReleaseEntry) -> String? {
        if entry.platform != platform && entry.platform != "any" { return "for platform \(entry.platform), not \(platform)" }
        if !entry.channels.contains(channel) { return "not on channel \(channel)" }
        if entry.yanked { return "yanked" }
        if !admits(entry.rollout) { return "outside its rollout (halted)" }
        return nil
    }
}
