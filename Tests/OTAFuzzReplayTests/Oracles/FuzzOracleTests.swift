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

    @Test("the delta-index-patch harness reports a header of another base, a text above the limit, a file that is not the header's text, and leftovers of a refusal; one-bit changes keep its invariants")
    func indexPatchOracle() throws {
        let base = DeltaIndexPatchHarness.baseText
        let new = base + Array("d\t0755\tzz\n".utf8)
        let patch = try DeltaIndexPatch.make(from: base, to: new)
        #expect(FuzzHarness.deltaIndexPatch.run(patch) == FuzzResult(accepted: true))
        // Refused cleanly: a patch of another base, one whose header names another text, one cut short.
        let (read, frame) = try DeltaIndexPatch.Header.read(patch)
        var header = read
        var otherText = header
        otherText.text = String(repeating: "0", count: 64)
        for refused in [try DeltaIndexPatch.make(from: new, to: base), otherText.line + patch[frame...], Array(patch.dropLast(3))] {
            let result = FuzzHarness.deltaIndexPatch.run(refused)
            #expect(!result.accepted && result.violations.isEmpty && result.rejection != nil, "\(result)")
        }
        // Every one-bit change of the patch keeps the invariants (accepted only if the text made is still the header's).
        for index in patch.indices {
            var mutated = patch
            mutated[index] ^= 1 << UInt8(index % 8)
            #expect(FuzzHarness.deltaIndexPatch.run(mutated).violations.isEmpty, "bit \(index % 8) of byte \(index)")
        }

        let work = try TemporaryDirectory("fuzz-index-patch")
        let baseSHA256 = try DeltaIndexPatchHarness.baseSHA256.get()
        let made = try work.write("made.index.gz", Gzip.compress(new))
        #expect(DeltaIndexPatchHarness.acceptedViolations(patch, header: header, baseSHA256: baseSHA256, madeAt: made).isEmpty)
        // The file made holds another text, or is not there.
        let wrong = try work.write("wrong.index.gz", Gzip.compress(base))
        #expect(DeltaIndexPatchHarness.acceptedViolations(patch, header: header, baseSHA256: baseSHA256, madeAt: wrong).count == 1)
        #expect(DeltaIndexPatchHarness.acceptedViolations(patch, header: header, baseSHA256: baseSHA256, madeAt: work.url("missing")).count == 1)
        // The patch does not start with the header returned.
        #expect(DeltaIndexPatchHarness.acceptedViolations(otherText.line + patch[frame...], header: header, baseSHA256: baseSHA256, madeAt: made).count == 1)
        // A header of another base, and one of a text above the limit.
        var otherBase = header
        otherBase.baseLength += 1
        #expect(DeltaIndexPatchHarness.acceptedViolations(otherBase.line + patch[frame...], header: otherBase, baseSHA256: baseSHA256, madeAt: made).count == 1)
        header.textLength = DeltaIndexPatchHarness.limit + 1
        let large = DeltaIndexPatchHarness.acceptedViolations(header.line + patch[frame...], header: header, baseSHA256: baseSHA256, madeAt: made)
        #expect(large.contains { $0.contains("outside 1...") }, "\(large)")

        // A refusal leaves nothing beside the kept index.
        try work.write("sandbox/kept.index.gz", Gzip.compress(base))
        #expect(DeltaIndexPatchHarness.refusedViolations(in: work.url("sandbox")).isEmpty)
        try work.write("sandbox/made.index.gz", [UInt8]())
        #expect(DeltaIndexPatchHarness.refusedViolations(in: work.url("sandbox")) == ["the refused patch left \"made.index.gz\" behind"])
    }
}
