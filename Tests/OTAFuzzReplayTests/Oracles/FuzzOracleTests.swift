import Foundation
import Testing
@testable import OTA
@testable import OTAFuzz
@testable import OTATestSupport

/// The fuzzers' invariant checks must catch what they claim to catch: trees that escape, mutated
/// signatures, archives that are refused without trace.
@Suite("Fuzz harness oracles")
struct FuzzOracleTests {
    @Test("the tree inspector reports links that leave the root, including through other links")
    func inspectorFindsEscapes() throws {
        let directory = try TemporaryDirectory()
        let root = directory.path + "/root"
        try FileManager.default.createDirectory(atPath: root + "/d", withIntermediateDirectories: true)
        #expect(TreeInspector(root: root).violations().isEmpty)
        // "dot -> ." is harmless alone, but "up -> dot/.." resolves to root/.. on the real filesystem.
        #expect(symlink(".", root + "/dot") == 0)
        #expect(TreeInspector(root: root).violations().isEmpty)
        #expect(symlink("../dot/..", root + "/d/up") == 0)
        let found = TreeInspector(root: root).violations()
        #expect(found.count == 1 && found[0].contains("d/up"), "\(found)")
    }

    @Test("the tree inspector reports absolute links, special files and setuid bits", arguments: ["absolute", "fifo", "setuid"])
    func inspectorFindsForbiddenEntries(kind: String) throws {
        let directory = try TemporaryDirectory()
        let root = directory.path + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        switch kind {
        case "absolute": #expect(symlink("/etc/passwd", root + "/link") == 0)
        case "fifo": #expect(mkfifo(root + "/pipe", 0o644) == 0)
        default:
            #expect(FileManager.default.createFile(atPath: root + "/tool", contents: Data("x".utf8)))
            #expect(chmod(root + "/tool", 0o4755) == 0)
        }
        #expect(TreeInspector(root: root).violations().count == 1)
    }

    @Test("an archive escaping its root is refused and leaves the sandbox as it was")
    func escapingArchiveIsRefusedCleanly() {
        let archive = TarBuilder.archive {
            $0.symlink("app/dot", to: ".")
            $0.symlink("app/up", to: "dot/..")
            $0.file("app/VERSION", "1.0.0")
        }
        for harness in [FuzzHarness.tar, .tarStructured] {
            let result = harness.run(archive)
            #expect(!result.accepted && result.violations.isEmpty, "\(harness): \(result)")
            #expect(result.rejection?.contains("app/up") == true, "\(result.rejection ?? "")")
        }
    }

    @Test("sealing recomputes header checksums and leaves pax data blocks alone")
    func sealingChecksums() {
        var archive = TarBuilder.archive {
            $0.pax([("path", "app/" + String(repeating: "x", count: 200))])
            $0.file("app/placeholder", "data")
        }
        archive[0] ^= 0x01          // breaks the first header's checksum
        archive[512 + 150] ^= 0x01  // a byte of the long pax path, at a checksum offset: 'x' -> 'y'
        let sealed = ArchiveHarness.sealingChecksums(archive)
        sealed.withUnsafeBytes { bytes in
            #expect(TarHeader.checksumMatches(UnsafeRawBufferPointer(rebasing: bytes[0..<512])))
        }
        #expect(sealed[512 + 150] == archive[512 + 150], "a data block was changed")
        #expect(!FuzzHarness.tar.run(archive).accepted)
        let result = FuzzHarness.tarStructured.run(archive)
        #expect(result.accepted && result.violations.isEmpty, "\(result)")
    }

    @Test("a signature with one flipped bit, another key or another message never verifies")
    func minisignRejectsMutations() {
        for seed in MinisignHarness.seeds {
            #expect(MinisignHarness.run(seed).accepted, "a real minisign file was refused")
            for index in stride(from: 1, to: seed.count, by: 7) {
                var mutated = seed
                mutated[index] ^= 0x04
                let result = MinisignHarness.run(mutated)
                #expect(result.violations.isEmpty)
            }
        }
        var message = MinisignHarness.seeds.last!
        message[3] ^= 0x20
        #expect(!MinisignHarness.run(message).accepted)
    }

    @Test("the config harness loads a token from the environment and never shows it")
    func configHarnessChecksRedaction() {
        let yaml = "github_repo: owner/app\ngithub_token: ${GITHUB_TOKEN}\n"
        let result = ConfigHarness.run(Array(yaml.utf8))
        #expect(result.accepted && result.violations.isEmpty, "\(result)")
        let bad = ConfigHarness.run(Array("github_repo: [1, 2".utf8))
        #expect(!bad.accepted && bad.violations.isEmpty && bad.rejection?.isEmpty == false)
    }

    @Test("the delta-pack harness reports a table whose objects leave a gap, pass their bound, miss a content or miss the pack's size")
    func packTableOracle() throws {
        let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64)
        let index = DeltaIndex(entries: [
            .init(path: "a", kind: .file(size: 100, sha256: a), mode: 0o644),
            .init(path: "b", kind: .file(size: 100, sha256: b), mode: 0o644),
            .init(path: "c", kind: .file(size: 100, sha256: a), mode: 0o644),
        ])
        let good = DeltaPackTable(size: 90, objects: [.init(sha256: a, offset: 0, length: 40), .init(sha256: b, offset: 40, length: 50)])
        #expect(DeltaPackHarness.tableViolations(good, of: index).isEmpty)
        let text = Array((index.text() + good.text()).utf8)
        #expect(FuzzHarness.deltaPack.run(text) == FuzzResult(accepted: true))
        for broken in [
            DeltaPackTable(size: 90, objects: [.init(sha256: a, offset: 0, length: 40), .init(sha256: b, offset: 41, length: 50)]),
            DeltaPackTable(size: 2000, objects: [.init(sha256: a, offset: 0, length: 1200), .init(sha256: b, offset: 1200, length: 800)]),
            DeltaPackTable(size: 40, objects: [.init(sha256: a, offset: 0, length: 40)]),
            DeltaPackTable(size: 89, objects: [.init(sha256: a, offset: 0, length: 40), .init(sha256: b, offset: 40, length: 50)]),
        ] {
            #expect(DeltaPackHarness.tableViolations(broken, of: index).count == 1, "\(broken)")
        }
    }
}
