import Foundation

/// Where releases come from: `source`, and the keys of a signed TUF repository.
extension OTAConfiguration {
    /// The kind of release source (`source`).
    public enum Source: String, Sendable, CaseIterable {
        /// GitHub's Releases API, GitHub Enterprise, Gitea, Forgejo or an `ota serve` mirror.
        case github
        /// A signed TUF repository on any static host.
        case tuf
    }

    /// The signed repository's metadata URL: `tuf_metadata_url`, else `<tuf_url>/metadata`.
    public var tufMetadataURLResolved: String? { tufMetadataURL ?? tufURL.map { Self.joined($0, "metadata") } }
    /// The signed repository's targets URL: `tuf_targets_url`, else `<tuf_url>/targets`.
    public var tufTargetsURLResolved: String? { tufTargetsURL ?? tufURL.map { Self.joined($0, "targets") } }
    /// The absolute path of ``tufRoot``, if set.
    public var tufRootPath: String? { tufRoot.map { Self.absolute($0, against: installDirectory) } }
    /// The product's name in target paths: `product`, else the repository's name of `github_repo`.
    public var productName: String { product ?? String(githubRepo.split(separator: "/").last ?? "") }
    /// The device's platform: `platform`, else `linux-<arch>` with `uname -m` normalised
    /// (`x86_64`, `aarch64`, `armv7`, `armv6`).
    public var devicePlatform: String { platform ?? "linux-" + Self.normalisedArchitecture(AssetPattern.machineArchitecture) }

    /// `uname -m` as platforms name it: `arm64` → `aarch64`, `armv7l` → `armv7`, `armv6l` → `armv6`.
    static func normalisedArchitecture(_ machine: String) -> String {
        switch machine.lowercased() {
        case "arm64", "aarch64": "aarch64"
        case "amd64", "x86_64": "x86_64"
        case "armv7l", "armv7", "armhf": "armv7"
        case "armv6l", "armv6": "armv6"
        case let other: other
        }
    }

    private static func joined(_ base: String, _ folder: String) -> String {
        (base.hasSuffix("/") ? base : base + "/") + folder
    }

    /// The keys of this extension, in ``keys``.
    static let tufKeys: [ConfigurationKey] = [
        ConfigurationKey("source", read: { config, value throws(ConfigurationError) in
            let text = try value.string()
            guard let source = Source(rawValue: text) else {
                throw ConfigurationError(.invalidValue, key: "source", "source must be github or tuf, got '\(text)'")
            }
            config.source = source
        }, show: { $0.source.rawValue }),
        .optionalText("tuf_url", \.tufURL),
        .optionalText("tuf_metadata_url", \.tufMetadataURL),
        .optionalText("tuf_targets_url", \.tufTargetsURL),
        .optionalText("tuf_root", \.tufRoot, problem: { $0.tufRoot?.isEmpty == true ? "must not be empty" : nil }),
        .optionalText("product", \.product),
        .optionalText("platform", \.platform),
        .text("channel", \.channel),
    ]

    /// Checks the TUF keys: with `source: tuf`, a repository URL, `tuf_root` and a product name.
    func validateTUF() throws(ConfigurationError) {
        for (key, value) in [("tuf_url", tufURL), ("tuf_metadata_url", tufMetadataURL), ("tuf_targets_url", tufTargetsURL)] {
            if let value { try validateURL(value, key: key, example: "https://updates.example.com/monitor") }
        }
        for (key, value) in [("product", product), ("platform", platform), ("channel", channel as String?)] {
            if let value, value.isEmpty || value.contains("/") {
                throw ConfigurationError(.invalidValue, key: key, "\(key) must be a non-empty name without '/', got '\(value)'")
            }
        }
        guard source == .tuf else { return }
        guard tufMetadataURLResolved != nil, tufTargetsURLResolved != nil else {
            throw ConfigurationError(.missingKey, key: "tuf_url", "tuf_url is required with source: tuf: set it to the repository's base URL (metadata/ and targets/ below it)")
        }
        guard tufRoot != nil else {
            throw ConfigurationError(.missingKey, key: "tuf_root", "tuf_root is required with source: tuf: set it to the trusted initial root.json shipped with the device")
        }
        guard !productName.isEmpty else {
            throw ConfigurationError(.missingKey, key: "product", "product is required with source: tuf when github_repo is not set: set it to the product's name in target paths (<product>/<version>/<file>)")
        }
    }
}
