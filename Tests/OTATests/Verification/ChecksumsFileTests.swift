import Foundation
import Testing
@testable import OTA

@Suite("Checksums files (sha256sum format)")
struct ChecksumsFileTests {
    static let a = String(repeating: "a", count: 64)
    static let b = String(repeating: "0123456789abcdef", count: 4)

    func parse(_ text: String) throws(VerificationError) -> ChecksumsFile {
        try ChecksumsFile(contents: Data(text.utf8), fileName: "SHA256SUMS")
    }

    @Test("text mode, binary marker, ./ prefix, CRLF, blank lines and uppercase hex are read")
    func forms() throws {
        let sums = try parse("""
            \(Self.a)  app-1.0.tar.gz
            \(Self.b) *app-1.0.zip\r

            \(Self.a.uppercased())  ./sub dir/notes with spaces.txt
            \t
            """)
        #expect(sums.sha256(for: "app-1.0.tar.gz") == Self.a)
        #expect(sums.sha256(for: "app-1.0.zip") == Self.b)
        #expect(sums.sha256(for: "sub dir/notes with spaces.txt") == Self.a)
        #expect(sums.sha256(for: "./app-1.0.zip") == Self.b)
        #expect(sums.sha256(for: "app-1.0") == nil)
        #expect(sums.entries.count == 3)
    }

    @Test("the real sha256sum's output, escaped names included, parses to the right hashes")
    func realTool() throws {
        let directory = try TemporaryDirectory("sums")
        try directory.write("plain.tar.gz", "one")
        try directory.write("back\\slash.bin", "two")
        try directory.write("new\nline.bin", "three")
        let tool = try ExternalTool("sha256sum", installHint: "it is part of coreutils")
        let text = try tool.succeed(["plain.tar.gz", "back\\slash.bin", "new\nline.bin"], in: directory.path).output
        let binary = try tool.succeed(["-b", "plain.tar.gz"], in: directory.path).output
        let sums = try parse(text)
        #expect(sums.sha256(for: "plain.tar.gz") == "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed")
        #expect(sums.sha256(for: "back\\slash.bin") == "3fc4ccfe745870e2c0d99f71f30ff0656c8dedd41cc1d7d3d376b0dbe685e2f3")
        #expect(sums.sha256(for: "new\nline.bin") == "8b5b9db0c13db24256c829aa364aa90c6d2eba318b9232a4ab9313b954d3555f")
        #expect(try parse(binary).sha256(for: "plain.tar.gz") == sums.sha256(for: "plain.tar.gz"))
    }

    @Test("a name listed twice with the same hash is fine, with different hashes it is refused")
    func duplicates() throws {
        #expect(try parse("\(Self.a)  x\n\(Self.a) *./x\n").sha256(for: "x") == Self.a)
        let failure = try #require(throws: VerificationError.self) { try parse("\(Self.a)  x\n\(Self.b)  y\n\(Self.b)  x\n") }
        #expect(failure.code == .conflictingChecksums)
        #expect(failure.message.contains("line 3"))
    }

    static let malformed: [(String, String, Int)] = [
        ("short hash", "\(a)  ok\n\(String(a.dropLast()))  x\n", 2),
        ("long hash", "\(a)a  x\n", 1),
        ("not hex", String(repeating: "g", count: 64) + "  x\n", 1),
        ("one space only", "\(a) x\n", 1),
        ("garbage after blank lines", "\n\ngarbage\n", 3),
        ("tab separator", "\(a)\t\tx\n", 1),
        ("no name", "\(a)  \n", 1),
        ("name only ./", "\(a)  ./\n", 1),
        ("BSD style", "SHA256 (x) = \(a)\n", 1),
        ("bad escape", "\\\(a)  a\\tb\n", 1),
        ("comment", "# checksums\n", 1),
    ]

    @Test("a malformed line is refused with its line number", arguments: malformed)
    func malformedLine(name: String, text: String, line: Int) throws {
        let failure = try #require(throws: VerificationError.self) { try parse(text) }
        #expect(failure.code == .malformedChecksums, "\(name)")
        #expect(failure.message.contains("Line \(line) of the checksums file SHA256SUMS"), "\(name): \(failure.message)")
    }

    @Test("a file that is not UTF-8 is refused; an empty one lists nothing")
    func binaryAndEmpty() throws {
        let failure = try #require(throws: VerificationError.self) {
            try ChecksumsFile(contents: Data([0xC3, 0x28]), fileName: "checksums.txt")
        }
        #expect(failure.code == .malformedChecksums)
        #expect(try parse("").entries.isEmpty)
    }
}
