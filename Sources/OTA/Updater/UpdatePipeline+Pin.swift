import Foundation

/// Pins: the release a pinned device installs, and whether a version can be pinned.
extension UpdatePipeline {
    /// The check of a device pinned to `pin`: up to date at `pin`, else that release, checked to have a file
    /// for this device.
    /// - Throws: ``SelectionError`` naming `pinned_version` when `releases` have no such release for this
    ///   device (and the platform it is published for, when the source knows).
    func choose(pinned pin: SemanticVersion, from releases: [Release], current: SemanticVersion) throws(SelectionError) -> UpdateCheck {
        let outcome: UpdateCheck
        do {
            outcome = try selector.check(releases, current: current, pinned: pin)
        } catch where error.code == .unknownVersion {
            guard let reason = source.unlistedReason(for: pin) else { throw error }
            throw SelectionError(.unknownVersion, "pinned_version \(pin) \(reason); pin a published version with `ota pin VERSION`, or follow new releases again with `ota unpin`")
        }
        if let release = outcome.availableRelease {
            do { _ = try source.artifact(for: release) } catch {
                throw SelectionError(error.code, "pinned_version \(pin): \(error.message)")
            }
            if release.withheld == .yanked {
                logger.warning("the pinned version is yanked by its publisher; installing it because it is pinned", metadata: ["ota.pinned": "\(pin)"])
            }
        }
        return outcome
    }

    /// The release a pin on `version` installs, from the source's releases now: published for this device
    /// with a file for it, wherever its rollout, channel, a halt or a yank stand.
    /// - Throws: ``SelectionError`` whose message starts with the version when there is none (naming the
    ///   platform it is published for, when the source knows); the source's error when it cannot be read.
    func pinnableRelease(_ version: SemanticVersion) async throws -> Release {
        let releases = try await releases()
        guard let release = releases.first(where: { !$0.isDraft && $0.version == version }) else {
            if let reason = source.unlistedReason(for: version) { throw SelectionError(.unknownVersion, "\(version) \(reason)") }
            let known = releases.filter { !$0.isDraft }.prefix(5).map(\.version.description).joined(separator: ", ")
            throw SelectionError(.unknownVersion, "\(version) is not a release published for this device\(known.isEmpty ? "" : " (newest: \(known))")")
        }
        do { _ = try source.artifact(for: release) } catch {
            throw SelectionError(error.code, "\(version): \(error.message)")
        }
        return release
    }
}
