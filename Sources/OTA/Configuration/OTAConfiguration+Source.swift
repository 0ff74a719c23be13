import Foundation

extension OTAConfiguration {
    /// Where releases come from, which one is installed, and what proves it comes from the publisher.
    ///
    /// Read by the release sources (``GitHubReleaseSource`` with ``ReleaseAssets``, or a signed TUF
    /// repository), ``ReleaseSelector`` and ``ArtifactVerifier``; the API origin and the token also by the
    /// HTTP transport. Relative `public_key_file` and `tuf_root` are relative to `install_dir`
    /// (``publicKeyFilePath(in:)``, ``tufRootPath(in:)``).
    public struct Source: Sendable, Equatable {
        /// The kind of release source (`source`).
        public enum Kind: String, Sendable, CaseIterable {
            /// GitHub's Releases API, GitHub Enterprise, Gitea, Forgejo or an `ota serve` mirror.
            case github
            /// A signed TUF repository on any static host.
            case tuf
        }

        /// The kind of source (`source`).
        public var kind: Kind = .github

        // GitHub and compatible servers.
        /// `owner/repo` on GitHub or the mirror (`github_repo`); required unless ``kind`` is `tuf`.
        public var githubRepo = ""
        /// The API root: `https://api.github.com`, `https://host/api/v3` or an `ota serve` mirror (`github_api_url`).
        public var githubAPIURL = URL(string: "https://api.github.com")!
        /// Token for private repositories and higher rate limits (`github_token`; default: `$GITHUB_TOKEN`).
        public var githubToken: Secret?
        /// A file holding the token, relative to the working directory, read when the configuration is loaded
        /// (`github_token_file`). Without `github_token` and `github_token_file`, systemd's
        /// `$CREDENTIALS_DIRECTORY/github_token` is used when present, then `$GITHUB_TOKEN`.
        public var githubTokenFile: String?
        /// The release asset to install, with `{version}`, `{tag}`, `{os}`, `{arch}` placeholders (`asset_pattern`);
        /// `nil` installs the source tarball.
        public var assetPattern: String?

        // A signed TUF repository.
        /// The repository's base URL: `metadata/` and `targets/` below it (`tuf_url`).
        public var tufURL: URL?
        /// The metadata URL, when not `<tuf_url>/metadata` (`tuf_metadata_url`).
        public var tufMetadataURL: URL?
        /// The targets URL, when not `<tuf_url>/targets` (`tuf_targets_url`).
        public var tufTargetsURL: URL?
        /// The trusted initial `root.json` shipped with the device; never taken from a release (`tuf_root`).
        public var tufRoot: String?
        /// The product's name in target paths, `<product>/<version>/<file>` (`product`); `nil`: ``productName``.
        public var product: String?
        /// The platform whose artifacts this device installs (`platform`); `nil`: ``devicePlatform``.
        public var platform: String?
        /// The release channel the device follows (`channel`).
        public var channel = "stable"
        /// The device's id in rollout buckets (`device_id`); `nil`: `/etc/machine-id` (see ``DeviceIdentity``).
        public var deviceID: String?
        /// The one version the device installs (`pinned_version`); `nil`: the newest eligible release. Wins over `ota pin`.
        public var pinnedVersion: SemanticVersion?

        // Which release, and what proves it.
        /// Whether pre-releases are eligible (`include_prereleases`).
        public var includePrereleases = false
        /// Whether an older version may be installed (`allow_downgrade`).
        public var allowDowngrade = false
        /// The minisign public key, the base64 line of `minisign.pub` (`public_key`); when set, releases must be signed.
        public var publicKey: String?
        /// A `minisign.pub` file, as an alternative to ``publicKey`` (`public_key_file`).
        public var publicKeyFile: String?
        /// Whether releases may be installed without a signature when no key is configured (`allow_unsigned`);
        /// without it, updates are refused.
        public var allowUnsigned = false

        /// A GitHub source with every key at its default and no repository.
        public init() {}

        /// Whether a public key is configured, so that releases must be signed.
        public var requiresSignature: Bool { publicKey != nil || publicKeyFile != nil }
        /// The absolute path of ``publicKeyFile`` in the installation `installDirectory`, if set.
        public func publicKeyFilePath(in installDirectory: String) -> String? {
            publicKeyFile.map { OTAConfiguration.absolute($0, against: installDirectory) }
        }
        /// The absolute path of ``tufRoot`` in the installation `installDirectory`, if set.
        public func tufRootPath(in installDirectory: String) -> String? {
            tufRoot.map { OTAConfiguration.absolute($0, against: installDirectory) }
        }

        /// The signed repository's metadata URL: `tuf_metadata_url`, else `<tuf_url>/metadata`.
        public var tufMetadataURLResolved: URL? { tufMetadataURL ?? tufURL.flatMap { Self.joined($0, "metadata") } }
        /// The signed repository's targets URL: `tuf_targets_url`, else `<tuf_url>/targets`.
        public var tufTargetsURLResolved: URL? { tufTargetsURL ?? tufURL.flatMap { Self.joined($0, "targets") } }
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

        private static func joined(_ base: URL, _ folder: String) -> URL? {
            let text = base.absoluteString
            return URL(string: (text.hasSuffix("/") ? text : text + "/") + folder)
        }
    }
}
