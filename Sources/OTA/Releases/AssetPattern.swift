import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Picks the artifact of a release: the asset matching `asset_pattern`, or the source tarball.
///
/// The pattern is a shell glob (`*`, `?`, `[…]`) with placeholders: `{version}` (plain, `1.2.0`),
/// `{tag}` (`v1.2.0`), `{os}` (`linux`) and `{arch}`. `{arch}` matches this machine's architecture under
/// any of its usual names: `aarch64`/`arm64`, `x86_64`/`amd64`/`x64`, `armv7l`/`armv7`/`armhf`/`arm`,
/// `armv6l`/`armv6`/`armel`, `i686`/`i386`/`x86`, `riscv64`, `ppc64le`, `s390x` — as a whole token of
/// the file name only: on `i686`, `x86` does not match the start of `x86_64`.
/// An asset whose name holds another architecture's name is never chosen, whatever the pattern says.
/// Signature and checksum files (`.minisig`, `.sig`, `.asc`, `.sha256`, `SHA256SUMS`, `checksums.txt`) never match.
public struct AssetPattern: Sendable {
    public var pattern: String?
    public var os: String
    public var arch: String

    public init(pattern: String?, os: String = "linux", arch: String = AssetPattern.machineArchitecture) {
        self.pattern = pattern
        self.os = os
        self.arch = arch
    }

    /// The names this machine's architecture goes by, the kernel's own first.
    public static func architectureAliases(_ arch: String) -> [String] {
        let lowered = arch.lowercased()
        return [lowered] + ArchitectureNames.group(of: lowered).filter { $0 != lowered }
    }

    /// `uname -m` of this machine.
    public static var machineArchitecture: String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The artifact to download for `release` of `repository`.
    public func artifact(for release: Release, repository: String) throws(SelectionError) -> Artifact {
        guard let pattern else {
            guard let tarball = release.tarballURL else {
                throw SelectionError(.noMatchingAsset, "release \(release.tag) has no source tarball; set asset_pattern to choose an asset")
            }
            let repo = repository.split(separator: "/").last.map(String.init) ?? "source"
            return Artifact(release: release, kind: .sourceTarball, fileName: "\(repo)-\(release.tag).tar.gz", url: tarball)
        }
        let aliases = Self.architectureAliases(arch)
        let candidates = release.assets.filter { asset in
            !Self.isCompanion(asset.name) && !asset.name.utf8.contains(where: { $0 == Self.archMark || $0 == 0 })
                && ArchitectureNames.tokens(in: asset.name).allSatisfy { aliases.contains($0.name) }
        }
        let hasArch = pattern.contains("{arch}")
        let expanded = pattern.replacingPlaceholders(version: release.version.description, tag: release.tag, os: os,
                                                     arch: String(UnicodeScalar(Self.archMark)))
        for alias in hasArch ? aliases : [arch] {
            let match = candidates.first { asset in
                fnmatch(expanded, hasArch ? Self.marking(alias, in: asset.name) : asset.name, 0) == 0
            }
            if let asset = match {
                return Artifact(release: release, kind: .asset(asset), fileName: asset.name, url: asset.apiURL)
            }
        }
        let names = release.assets.map(\.name).prefix(8).joined(separator: ", ")
        throw SelectionError(.noMatchingAsset, "no asset of release \(release.tag) matches asset_pattern '\(pattern)' for \(os)/\(arch) (assets: \(names.isEmpty ? "none" : names))")
    }

    /// Stands for `{arch}` in the expanded pattern and for the alias's tokens in a name (a control
    /// character: names holding it, or a NUL, are never candidates).
    private static let archMark: UInt8 = 0x01

    /// `name` with every architecture token equal to `alias` replaced by ``archMark``.
    private static func marking(_ alias: String, in name: String) -> String {
        var bytes = Array(name.utf8)
        for token in ArchitectureNames.tokens(in: name).reversed() where token.name == alias {
            bytes.replaceSubrange(token.range, with: [archMark])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Checksums and signature files, which accompany an artifact but are never one.
    package static func isCompanion(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return [".minisig", ".sig", ".asc", ".sha256", ".sha256sum"].contains { lowered.hasSuffix($0) }
            || ["sha256sums", "checksums.txt", "sha256sums.txt"].contains(lowered)
    }
}

private extension String {
    func replacingPlaceholders(version: String, tag: String, os: String, arch: String) -> String {
        replacingOccurrences(of: "{version}", with: version).replacingOccurrences(of: "{tag}", with: tag)
            .replacingOccurrences(of: "{os}", with: os).replacingOccurrences(of: "{arch}", with: arch)
    }
}
