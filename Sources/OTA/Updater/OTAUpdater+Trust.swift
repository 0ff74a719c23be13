import Foundation

/// What the updater requires before it installs anything: a signature policy and a version floor.
extension OTAUpdater {
    /// The verifier for the configured key; without a key, an error unless `allow_unsigned` is set.
    func signaturePolicy() throws(VerificationError) -> ArtifactVerifier {
        let verifier = try ArtifactVerifier(configuration: configuration)
        guard verifier.publicKey != nil || configuration.allowUnsigned else {
            throw VerificationError(.unsignedNotAllowed, "No public_key is configured, so nothing proves that a release of \(configuration.githubRepo) comes from its publisher and nothing was installed; set public_key (or public_key_file) to the publisher's minisign key, or set allow_unsigned: true to install unsigned releases.")
        }
        return verifier
    }

    /// The highest version ever installed (`state.json`), below which nothing installs without
    /// `--force` or `allow_downgrade`; `nil` when none is recorded.
    func versionFloor() -> SemanticVersion? {
        StateStore(stateDirectory: configuration.stateDirectory, logger: logger).load().highestInstalledVersion.flatMap { SemanticVersion($0) }
    }

    /// Refuses `version` when it is below the version floor, unless `force` or `allow_downgrade`.
    func requireAboveFloor(_ version: SemanticVersion, force: Bool) throws(SelectionError) {
        guard !force, !configuration.allowDowngrade, let floor = versionFloor(), version < floor else { return }
        throw SelectionError(.downgradeRefused, "\(version) is older than \(floor), the highest version this device has installed; pass --force (or set allow_downgrade: true) to install it anyway")
    }

    /// Logs what verification established; "verified" only when a signature was checked.
    func logVerification(_ verified: VerifiedArtifact, signed: Bool) {
        let file = verified.downloaded.artifact.fileName
        let checks = verified.checks.joined(separator: "; ")
        if signed {
            logger.info("verified", metadata: ["ota.file": "\(file)", "ota.checks": "\(checks)"])
        } else if verified.checks.isEmpty {
            logger.warning("not verified: unsigned release with nothing to check (allow_unsigned)", metadata: ["ota.file": "\(file)"])
        } else {
            logger.warning("checked but not signed (allow_unsigned)", metadata: ["ota.file": "\(file)", "ota.checks": "\(checks)"])
        }
    }
}

extension SemanticVersion {
    /// The highest of `versions` that parse, as text; `nil` when none does.
    static func highest(_ versions: String?...) -> String? {
        versions.compactMap { $0.flatMap { SemanticVersion($0) } }.max()?.description
    }
}
