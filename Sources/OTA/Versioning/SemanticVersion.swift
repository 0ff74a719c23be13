/// A semantic version, exactly as SemVer 2.0.0 defines it.
///
/// Parsing is strict: ASCII only, no leading zeros, no empty identifiers and no leading `v`
/// (use ``init(tag:)`` for Git tags such as `v1.2.0`). Numeric identifiers may be arbitrarily long.
/// Equality and ordering follow SemVer precedence, so build metadata is ignored by `==` and `<`
/// but kept for display; ``isIdentical(to:)`` compares it too.
///
/// ```swift
/// let version = try SemanticVersion("1.0.0-beta.11+build.5")
/// version < SemanticVersion("1.0.0")!          // true: a pre-release precedes its release
/// version.bumped(.minor).description           // "1.1.0"
/// ```
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible, Codable {
    public var major: NumericIdentifier
    public var minor: NumericIdentifier
    public var patch: NumericIdentifier
    /// Pre-release identifiers (`alpha`, `1` in `-alpha.1`); empty for a release.
    public var prerelease: [PrereleaseIdentifier]
    /// Build metadata identifiers (`build`, `5` in `+build.5`); ignored for precedence.
    public var build: [String]

    /// Which part ``bumped(_:)`` increments.
    public enum Component: String, Sendable, CaseIterable {
        case major, minor, patch
    }

    /// Makes a version from its parts (no pre-release, no build metadata).
    public init(_ major: UInt, _ minor: UInt, _ patch: UInt) {
        self.major = NumericIdentifier(major)
        self.minor = NumericIdentifier(minor)
        self.patch = NumericIdentifier(patch)
        self.prerelease = []
        self.build = []
    }

    /// Parses a version string; `nil` if it is not valid SemVer 2.0.0.
    public init?(_ text: String) {
        guard let parsed = try? SemanticVersion(parsing: text) else { return nil }
        self = parsed
    }

    /// Parses a version string, throwing a ``VersionError`` that says what is wrong.
    public init(parsing text: String) throws(VersionError) {
        func invalid(_ reason: String) -> VersionError {
            VersionError(.invalidVersion, SemanticVersion.printable("'\(text)' is not a valid semantic version: \(reason) (expected MAJOR.MINOR.PATCH, e.g. 1.2.3 or 1.2.3-rc.1)"))
        }
        guard !text.isEmpty else { throw invalid("it is empty") }
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { throw invalid("it contains non-ASCII characters") }
        var rest = Substring(text)
        var buildPart: Substring?
        if let plus = rest.firstIndex(of: "+") {
            buildPart = rest[rest.index(after: plus)...]
            rest = rest[..<plus]
        }
        var prereleasePart: Substring?
        if let dash = rest.firstIndex(of: "-") {
            prereleasePart = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
        }
        let core = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3 else { throw invalid("it needs exactly three dot-separated numbers") }
        var numbers: [NumericIdentifier] = []
        for (name, part) in zip(["major", "minor", "patch"], core) {
            guard let number = NumericIdentifier(part) else {
                throw invalid(part.isEmpty ? "the \(name) number is empty"
                    : part.utf8.allSatisfy(NumericIdentifier.isDigit) ? "the \(name) number '\(part)' has a leading zero"
                    : "the \(name) number '\(part)' is not a number")
            }
            numbers.append(number)
        }
        var prerelease: [PrereleaseIdentifier] = []
        if let prereleasePart {
            for part in prereleasePart.split(separator: ".", omittingEmptySubsequences: false) {
                guard let identifier = PrereleaseIdentifier(part) else {
                    throw invalid(part.isEmpty ? "the pre-release has an empty identifier"
                        : part.utf8.allSatisfy(SemanticVersion.isIdentifierByte) ? "the pre-release identifier '\(part)' has a leading zero"
                        : "the pre-release identifier '\(part)' may only hold [0-9A-Za-z-]")
                }
                prerelease.append(identifier)
            }
        }
        var build: [String] = []
        if let buildPart {
            for part in buildPart.split(separator: ".", omittingEmptySubsequences: false) {
                guard !part.isEmpty else { throw invalid("the build metadata has an empty identifier") }
                guard part.utf8.allSatisfy(SemanticVersion.isIdentifierByte) else {
                    throw invalid("the build identifier '\(part)' may only hold [0-9A-Za-z-]")
                }
                build.append(String(part))
            }
        }
        self.major = numbers[0]
        self.minor = numbers[1]
        self.patch = numbers[2]
        self.prerelease = prerelease
        self.build = build
    }

    /// Parses a Git tag: a version with at most one leading `v` or `V` (`v1.2.0`); `nil` otherwise.
    public init?(tag: String) {
        var text = Substring(tag)
        if let first = text.first, first == "v" || first == "V" { text = text.dropFirst() }
        self.init(String(text))
    }

    /// True when this is a pre-release (`1.0.0-rc.1`).
    public var isPrerelease: Bool { !prerelease.isEmpty }

    /// The version with `component` incremented and the lower parts, pre-release and build cleared.
    ///
    /// `1.2.3-rc.1+b7` bumped by `.patch` is `1.2.4`; by `.minor`, `1.3.0`; by `.major`, `2.0.0`.
    public func bumped(_ component: Component) -> SemanticVersion {
        var next = SemanticVersion(0, 0, 0)
        switch component {
        case .major:
            next.major = major.incremented()
        case .minor:
            next.major = major
            next.minor = minor.incremented()
        case .patch:
            next.major = major
            next.minor = minor
            next.patch = patch.incremented()
        }
        return next
    }

    /// True when both versions are equal including build metadata.
    public func isIdentical(to other: SemanticVersion) -> Bool { self == other && build == other.build }

    /// `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`, exactly as parsed.
    public var description: String {
        var text = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { text += "-" + prerelease.map(\.description).joined(separator: ".") }
        if !build.isEmpty { text += "+" + build.joined(separator: ".") }
        return text
    }

    // MARK: Precedence (semver.org item 11)

    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.major == rhs.major && lhs.minor == rhs.minor && lhs.patch == rhs.patch && lhs.prerelease == rhs.prerelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if lhs.major != rhs.major { return lhs.major < rhs.major }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true), (true, false): return false
        case (false, true): return true
        case (false, false): return lhs.prerelease.lexicographicallyPrecedes(rhs.prerelease)
        }
    }

    // MARK: Codable, as a plain string

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try SemanticVersion(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// `text` with control characters escaped (`\n`, `\u{0}`), so an error message stays on one line.
    static func printable(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control {
                result += scalar.escaped(asASCII: true)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
