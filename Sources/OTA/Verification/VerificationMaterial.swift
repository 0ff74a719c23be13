import Foundation

/// The small companion files of a release that verification needs besides the artifact itself:
/// its checksums file and its minisign signatures, fetched by the downloader by asset name.
///
/// ```swift
/// let companions = VerificationMaterial.companionAssets(for: artifact, includingSignatures: key != nil)
/// var fetched: [String: Data] = [:]
/// for asset in companions { fetched[asset.name] = try await download(asset, upTo: VerificationMaterial.maximumCompanionByteCount) }
/// let material = VerificationMaterial(artifact: artifact, fetched: fetched)
/// ```
public struct VerificationMaterial: Sendable, Equatable {
    /// A companion file's asset name and bytes.
    public struct NamedFile: Sendable, Equatable {
        /// The asset name (`SHA256SUMS`).
        public var name: String
        /// Its bytes, at most ``VerificationMaterial/maximumCompanionByteCount``.
        public var contents: Data

        /// A companion file fetched by asset name.
        public init(name: String, contents: Data) {
            self.name = name
            self.contents = contents
        }
    }

    /// The most bytes a companion file may have; the downloader should refuse larger ones.
    public static let maximumCompanionByteCount = 1024 * 1024

    /// The release's checksums file (`SHA256SUMS`, `checksums.txt`), if it has one.
    public var checksumsFile: NamedFile?
    /// The `.minisig` files fetched, by asset name (`app.tar.gz.minisig`, `SHA256SUMS.minisig`).
    public var signatures: [String: Data]

    /// Material given directly (tests, or a caller that sorted the files itself).
    public init(checksumsFile: NamedFile? = nil, signatures: [String: Data] = [:]) {
        self.checksumsFile = checksumsFile
        self.signatures = signatures
    }

    /// Sorts fetched companion files (by asset name, as ``companionAssets(for:includingSignatures:)``
    /// listed them) into a checksums file and signatures.
    public init(artifact: Artifact, fetched: [String: Data]) {
        let checksumsName = ChecksumsFile.recognizedNames.first { fetched[$0] != nil && $0 != artifact.fileName }
        checksumsFile = checksumsName.map { NamedFile(name: $0, contents: fetched[$0]!) }
        signatures = fetched.filter { $0.key.hasSuffix(".minisig") }
    }

    /// The assets of the artifact's release that verification uses, to be fetched before verifying:
    /// the checksums file (the first of ``ChecksumsFile/recognizedNames`` the release has), and when
    /// `includingSignatures`, `<artifact>.minisig` and `<checksums file>.minisig` if present.
    ///
    /// Assets that are absent are not listed; an unsigned release yields no `.minisig` and then fails
    /// verification with ``VerificationError/Code/releaseNotSigned`` when a key is configured.
    public static func companionAssets(for artifact: Artifact, includingSignatures: Bool) -> [ReleaseAsset] {
        let release = artifact.release
        var names: [String] = []
        let checksumsName = ChecksumsFile.recognizedNames.first { $0 != artifact.fileName && release.asset(named: $0) != nil }
        if let checksumsName { names.append(checksumsName) }
        if includingSignatures {
            names.append(artifact.fileName + ".minisig")
            if let checksumsName { names.append(checksumsName + ".minisig") }
        }
        return names.compactMap { release.asset(named: $0) }
    }
}
