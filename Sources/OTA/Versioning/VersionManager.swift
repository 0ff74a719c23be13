import Foundation
import Logging

/// Reads and writes the installation's `VERSION` file, and compares version strings.
///
/// The same capabilities as the original design's `VersionManager`:
///
/// ```swift
/// let manager = VersionManager(versionFile: "/home/pi/monitoring/VERSION")
/// let current = try manager.currentVersion()            // 0.0.0 when the file is missing
/// try manager.setCurrentVersion("1.2.0")                // written atomically
/// VersionManager.isValidVersion("1.2.3-rc.1")           // true
/// try VersionManager.compareVersions("1.0.0-alpha", "1.0.0")   // -1
/// try VersionManager.nextVersion("1.0.0", bump: .minor)        // "1.1.0"
/// ```
public struct VersionManager: Sendable {
    /// Path of the `VERSION` file.
    public let versionFile: String
    private let logger: Logger

    /// - Parameters:
    ///   - versionFile: path of the `VERSION` file (one version per file, trailing newline allowed).
    ///   - logger: receives the warning for a missing file.
    public init(versionFile: String, logger: Logger = Logger(label: "ota.version")) {
        self.versionFile = versionFile
        self.logger = logger
    }

    /// The version recorded in the `VERSION` file.
    ///
    /// A missing file counts as `0.0.0` (with a warning): a freshly provisioned device then installs
    /// the newest release. A file that holds anything but one valid version is an error naming the
    /// file and its content; leading and trailing white space (a trailing newline) is tolerated.
    public func currentVersion() throws(VersionError) -> SemanticVersion {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: versionFile))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            logger.warning("VERSION file missing; treating the installation as version 0.0.0",
                           metadata: ["ota.version_file": "\(versionFile)"])
            return SemanticVersion(0, 0, 0)
        } catch {
            throw VersionError(.unreadableVersionFile, "cannot read the version file \(versionFile): \(error.localizedDescription)")
        }
        guard data.count <= 1024, let text = String(data: data, encoding: .utf8) else {
            throw VersionError(.invalidVersionFile, "the version file \(versionFile) does not hold a version (\(data.count) bytes of binary or oversized content); write one line such as 1.2.0 into it")
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            return try SemanticVersion(parsing: trimmed)
        } catch {
            let shown = trimmed.count > 60 ? String(trimmed.prefix(60)) + "…" : trimmed
            throw VersionError(.invalidVersionFile, "the version file \(versionFile) holds '\(shown.debugDescription.dropFirst().dropLast())', which is not a semantic version; write one line such as 1.2.0 into it")
        }
    }

    /// Validates `version` and writes it, with a trailing newline, atomically (temporary file + rename).
    public func setCurrentVersion(_ version: String) throws(VersionError) {
        let parsed = try SemanticVersion(parsing: version)
        try setCurrentVersion(parsed)
    }

    /// Writes `version`, with a trailing newline, atomically (temporary file + fsync + rename).
    public func setCurrentVersion(_ version: SemanticVersion) throws(VersionError) {
        do {
            try AtomicFile.write(Array((version.description + "\n").utf8), to: versionFile)
        } catch {
            throw VersionError(.writeFailed, "cannot write the version file: \(error.message)")
        }
    }

    // MARK: Version strings

    /// True when `version` is a valid SemVer 2.0.0 string (no leading `v`).
    public static func isValidVersion(_ version: String) -> Bool {
        SemanticVersion(version) != nil
    }

    /// The `(major, minor, patch)` numbers of `version`.
    ///
    /// Throws for an invalid version, or when a number does not fit in an `Int`
    /// (use ``SemanticVersion`` for versions of any size).
    public static func parseVersion(_ version: String) throws(VersionError) -> (major: Int, minor: Int, patch: Int) {
        let parsed = try SemanticVersion(parsing: version)
        guard let major = parsed.major.intValue, let minor = parsed.minor.intValue, let patch = parsed.patch.intValue else {
            throw VersionError(.outOfRange, "'\(version)' has a number too large for a machine integer")
        }
        return (major, minor, patch)
    }

    /// `-1` when `a` precedes `b`, `0` when they have equal precedence, `1` when `a` is newer.
    public static func compareVersions(_ a: String, _ b: String) throws(VersionError) -> Int {
        let left = try SemanticVersion(parsing: a), right = try SemanticVersion(parsing: b)
        return left < right ? -1 : (left == right ? 0 : 1)
    }

    /// True when `version` has higher precedence than `other`.
    public static func isNewer(_ version: String, than other: String) throws(VersionError) -> Bool {
        try compareVersions(version, other) == 1
    }

    /// The next version after `version`: `1.2.3` → `2.0.0` / `1.3.0` / `1.2.4`.
    public static func nextVersion(_ version: String, bump: SemanticVersion.Component) throws(VersionError) -> String {
        try SemanticVersion(parsing: version).bumped(bump).description
    }
}
