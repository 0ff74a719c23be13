import Foundation
import Testing
@testable import OTA

@Suite("SemanticVersion parsing")
struct SemanticVersionParsingTests {
    /// Valid versions from semver.org and its regex test suite, each with how it prints.
    static let valid: [String] = [
        "0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid",
        "1.0.0-alpha", "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1",
        "1.0.0-alpha0.valid", "1.0.0-alpha.0valid", "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
        "1.0.0-rc.1+build.1", "2.0.0-rc.1+build.123", "1.2.3-beta", "10.2.3-DEV-SNAPSHOT",
        "1.2.3-SNAPSHOT-123", "1.0.0", "2.0.0", "1.1.7", "2.0.0+build.1848", "2.0.1-alpha.1227",
        "1.0.0-alpha+beta", "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", "1.2.3----R-S.12.9.1--.12+meta",
        "1.2.3----RC-SNAPSHOT.12.9.1--.12", "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
        "99999999999999999999999.999999999999999999.99999999999999999", "1.0.0-0A.is.legal",
        "1.0.0-x.7.z.92", "1.0.0-0.3.7", "1.0.0+20130313144700", "1.0.0+exp.sha.5114f85",
        "1.0.0+001", "0.0.0", "1.0.0--", "1.0.0-a-",
    ]

    @Test("accepts valid SemVer 2.0.0 and prints it back unchanged", arguments: valid)
    func acceptsValid(_ text: String) throws {
        let version = try SemanticVersion(parsing: text)
        #expect(version.description == text)
        #expect(VersionManager.isValidVersion(text))
    }

    /// Invalid versions, each with a word the error message must contain.
    static let invalid: [(String, String)] = [
        ("", "empty"), ("1", "three"), ("1.2", "three"), ("1.2.3.4", "three"), ("1.2.3-0123", "leading zero"),
        ("1.2.3-0123.0123", "leading zero"), ("1.1.2+.123", "empty"), ("+invalid", "three"), ("-invalid", "three"),
        ("-invalid+invalid", "three"), ("-invalid.01", "three"), ("alpha", "three"), ("alpha.beta", "three"),
        ("alpha.beta.1", "not a number"), ("alpha.1", "three"), ("alpha+beta", "three"), ("alpha_beta", "three"),
        ("alpha.", "three"), ("alpha..", "not a number"), ("beta", "three"), ("1.0.0-alpha_beta", "[0-9A-Za-z-]"),
        ("-alpha.", "three"), ("1.0.0-alpha..", "empty"), ("1.0.0-alpha..1", "empty"), ("1.0.0-alpha...1", "empty"),
        ("1.0.0-alpha....1", "empty"), ("1.0.0-alpha.....1", "empty"), ("1.0.0-alpha......1", "empty"),
        ("1.0.0-alpha.......1", "empty"), ("01.1.1", "leading zero"), ("1.01.1", "leading zero"), ("1.1.01", "leading zero"),
        ("1.2.3.DEV", "three"), ("1.2-SNAPSHOT", "three"), ("1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", "three"),
        ("1.2-RC-SNAPSHOT", "three"), ("-1.0.3-gamma+b7718", "three"), ("+justmeta", "three"), ("9.8.7+meta+meta", "[0-9A-Za-z-]"),
        ("9.8.7-whatever+meta+meta", "[0-9A-Za-z-]"), ("v1.2.3", "not a number"), ("V1.2.3", "not a number"),
        ("1.2.3 ", "not a number"), (" 1.2.3", "not a number"), ("1.2.3-", "empty"), ("1.2.3+", "empty"),
        ("1.2.3-rc.", "empty"), ("1.2.3-rc+", "empty"), ("1.2.٣", "non-ASCII"), ("１.2.3", "non-ASCII"),
        ("1.2.3-ünicode", "non-ASCII"), ("1.2.3+bü", "non-ASCII"), ("1.2.-3", "empty"), ("1..3", "empty"),
        ("1.2.3\n", "not a number"), ("1.2.3-a\u{0}", "[0-9A-Za-z-]"), ("0x1.2.3", "not a number"), ("1.2.+3", "empty"),
    ]

    @Test("rejects invalid versions with a reason", arguments: invalid)
    func rejectsInvalid(_ text: String, reasonFragment: String) {
        #expect(SemanticVersion(text) == nil)
        #expect(!VersionManager.isValidVersion(text))
        do {
            _ = try SemanticVersion(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect(error.code == .invalidVersion)
            #expect(error.message.contains(reasonFragment), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("tags accept one leading v or V, nothing else", arguments: [
        ("v1.2.3", "1.2.3"), ("V1.2.3", "1.2.3"), ("1.2.3", "1.2.3"), ("v1.0.0-rc.1+b", "1.0.0-rc.1+b"),
    ])
    func tagParsing(_ tag: String, expected: String) throws {
        let version = try #require(SemanticVersion(tag: tag))
        #expect(version.description == expected)
    }

    @Test("tags with two v's, other prefixes or non-SemVer text are refused", arguments: [
        "vv1.2.3", "release-1.2.3", "v", "v1.2", "version1.2.3", "v 1.2.3", "latest", "v01.2.3",
    ])
    func badTags(_ tag: String) {
        #expect(SemanticVersion(tag: tag) == nil)
    }

    @Test("components are exposed as arbitrarily large numbers")
    func components() throws {
        let version = try SemanticVersion(parsing: "18446744073709551616.2.3-rc.1+b.7")
        #expect(version.major.digits == "18446744073709551616")
        #expect(version.major.intValue == nil)
        #expect(version.minor.intValue == 2)
        #expect(version.patch == 3)
        #expect(version.prerelease == [.alphanumeric("rc"), .numeric(1)])
        #expect(version.build == ["b", "7"])
        #expect(version.isPrerelease)
        #expect(!SemanticVersion(1, 2, 3).isPrerelease)
        #expect(NumericIdentifier("42")?.intValue == 42)
        #expect(NumericIdentifier("042") == nil)
        #expect(NumericIdentifier("") == nil)
        #expect(NumericIdentifier("4a") == nil)
    }

    @Test("Codable as a plain JSON string, invalid strings rejected")
    func codable() throws {
        let version = try SemanticVersion(parsing: "1.2.3-beta.2+exp")
        let data = try JSONEncoder().encode([version])
        #expect(String(decoding: data, as: UTF8.self) == #"["1.2.3-beta.2+exp"]"#)
        let decoded = try JSONDecoder().decode([SemanticVersion].self, from: data)
        #expect(decoded[0].isIdentical(to: version))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([SemanticVersion].self, from: Data(#"["1.2"]"#.utf8)) }
    }
}

@Suite("SemanticVersion precedence")
struct SemanticVersionOrderingTests {
    /// semver.org item 11's examples, in ascending order, plus numeric/alphanumeric and length cases.
    static let ascending: [String] = [
        "0.0.0", "0.0.1", "0.1.0", "0.9.9", "1.0.0-0", "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-alpha", "1.0.0-alpha.1",
        "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-beta.11.a", "1.0.0-rc.1", "1.0.0",
        "1.0.1", "1.1.0", "1.9.0", "1.10.0", "1.11.0", "2.0.0-RC", "2.0.0-rc", "2.0.0", "2.1.0", "2.1.1",
        "9.0.0", "10.0.0", "18446744073709551615.0.0", "18446744073709551616.0.0", "99999999999999999999999.0.0",
    ]

    static var adjacentPairs: [(String, String)] { zip(ascending, ascending.dropFirst()).map { ($0, $1) } }

    @Test("each version precedes the next one", arguments: adjacentPairs)
    func adjacent(_ lower: String, _ higher: String) throws {
        let a = try SemanticVersion(parsing: lower), b = try SemanticVersion(parsing: higher)
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
        #expect(try VersionManager.compareVersions(lower, higher) == -1)
        #expect(try VersionManager.compareVersions(higher, lower) == 1)
        #expect(try VersionManager.isNewer(higher, than: lower))
        #expect(try !VersionManager.isNewer(lower, than: higher))
    }

    @Test("sorting a shuffled list restores precedence order")
    func sorting() throws {
        var generator = SystemRandomNumberGenerator()
        let versions = try Self.ascending.shuffled(using: &generator).map { try SemanticVersion(parsing: $0) }
        #expect(versions.sorted().map(\.description) == Self.ascending)
    }

    @Test("build metadata is ignored for precedence and equality but kept for display", arguments: [
        ("1.0.0+build.1", "1.0.0+build.2"), ("1.0.0", "1.0.0+x"), ("1.0.0-rc.1+a", "1.0.0-rc.1+b.c"),
    ])
    func buildMetadata(_ a: String, _ b: String) throws {
        let left = try SemanticVersion(parsing: a), right = try SemanticVersion(parsing: b)
        #expect(left == right)
        #expect(!(left < right) && !(right < left))
        #expect(left.hashValue == right.hashValue)
        #expect(!left.isIdentical(to: right))
        #expect(left.description == a)
        #expect(try VersionManager.compareVersions(a, b) == 0)
        #expect(Set([left, right]).count == 1)
    }

    @Test("numeric identifiers compare as numbers, never overflowing", arguments: [
        ("1.0.0-beta.2", "1.0.0-beta.11"), ("1.0.0-9", "1.0.0-10"),
        ("1.0.0-99999999999999999999", "1.0.0-100000000000000000000"), ("1.0.0-1", "1.0.0-a"),
        ("1.0.0-100", "1.0.0-1a"), ("1.0.0-Z", "1.0.0-a"), ("1.0.0-a", "1.0.0-a.0"),
    ])
    func numericVersusAlphanumeric(_ lower: String, _ higher: String) throws {
        #expect(try SemanticVersion(parsing: lower) < SemanticVersion(parsing: higher))
    }
}

@Suite("SemanticVersion bumping")
struct SemanticVersionBumpTests {
    @Test("bumping increments one part and clears the lower parts, pre-release and build", arguments: [
        ("1.2.3", SemanticVersion.Component.major, "2.0.0"), ("1.2.3", .minor, "1.3.0"), ("1.2.3", .patch, "1.2.4"),
        ("1.2.3-rc.1+b7", .patch, "1.2.4"), ("1.2.3-rc.1+b7", .minor, "1.3.0"), ("0.9.9", .minor, "0.10.0"),
        ("0.0.9", .patch, "0.0.10"), ("9.9.9", .major, "10.0.0"), ("1.99.0", .minor, "1.100.0"),
        ("18446744073709551615.0.0", .major, "18446744073709551616.0.0"), ("1.0.99999999999999999999", .patch, "1.0.100000000000000000000"),
    ])
    func bump(_ version: String, _ component: SemanticVersion.Component, _ expected: String) throws {
        #expect(try SemanticVersion(parsing: version).bumped(component).description == expected)
        #expect(try VersionManager.nextVersion(version, bump: component) == expected)
    }
}
