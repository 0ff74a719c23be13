#if canImport(Glibc)
import Glibc
#endif
import OTA

/// Index patches (``DeltaIndexPatch``), as a device applies them: the input is a whole patch file (the
/// `ota-index-patch 1` header line, then one zstd frame), applied to a fixed small index text kept gzip-compressed
/// as the device keeps it, under a limit of 64 KiB of text made.
///
/// Invariants: the patch is accepted, or refused with ``DeltaError/Code/indexUnavailable`` leaving no destination
/// file and nothing else in the sandbox beside the kept index. When accepted: the input starts with exactly the
/// header line of the header returned; that header names the kept text's SHA-256 and length as its base, and a
/// text length of at most the limit; the file written is a gzip file whose text has the header's SHA-256 and
/// length (so it can be kept as the base of the next patch).
enum DeltaIndexPatchHarness {
    /// The most text a patch may make (and the most the kept text may be).
    static let limit: Int64 = 64 << 10

    /// The kept index text every input is applied to: a small release tree (`Fuzz/make-seeds` writes the same
    /// bytes with printf to make the seeds).
    static let baseText: [UInt8] = Array(DeltaIndex(entries: [
        .init(path: "app", kind: .directory, mode: 0o755),
        .init(path: "app/VERSION", kind: .file(size: 6, sha256: "1e5b51cde515396a9fa762909cf8ca6584ccc564b325d2eebeea76175fe95c4d"), mode: 0o644),
        .init(path: "app/main.py", kind: .file(size: 12, sha256: "0ca9091eb4e31fb1ab24c8c5de92a08e4e5f402919f82ea3ca784f38534f03f3"), mode: 0o755),
        .init(path: "app/version-link", kind: .symbolicLink(target: "VERSION"), mode: 0o777),
    ]).text().utf8)

    /// ``baseText`` gzip-compressed: the kept index file.
    static let keptIndex: [UInt8] = Gzip.compress(baseText)

    /// The SHA-256 of ``baseText``, hashed from a plain file (not through the inflater the device uses).
    static let baseSHA256: Result<String, FuzzSandbox.Failure> = {
        do throws(FuzzSandbox.Failure) {
            let sandbox = try FuzzSandbox()
            defer { sandbox.remove() }
            let path = sandbox.path + "/base.txt"
            try write(baseText, to: path)
            do throws(SystemError) { return .success(try FileDigest.sha256(ofFileAt: path)) } catch {
                throw FuzzSandbox.Failure(description: error.message)
            }
        } catch {
            return .failure(error)
        }
    }()

    static func run(_ input: [UInt8]) -> FuzzResult {
        let sandbox: FuzzSandbox, expectedBase: String
        do throws(FuzzSandbox.Failure) {
            expectedBase = try baseSHA256.get()
            sandbox = try FuzzSandbox()
            try write(keptIndex, to: sandbox.path + "/kept.index.gz")
        } catch {
            return FuzzResult(accepted: false, violations: ["the sandbox cannot be set up: \(error.description)"])
        }
        defer { sandbox.remove() }
        let kept = sandbox.path + "/kept.index.gz", destination = sandbox.path + "/made.index.gz"
        let base: DeltaIndexBase
        do throws(ArchiveError) { base = try DeltaIndexBase(keptIndexAt: kept, limit: limit) } catch {
            return FuzzResult(accepted: false, violations: ["the kept index cannot be read: \(error.message)"])
        }
        var violations: [String] = []
        if base.sha256 != expectedBase || base.length != Int64(baseText.count) {
            violations.append("the kept index reads as \(base.length) bytes of \(base.sha256), not \(baseText.count) bytes of \(expectedBase)")
        }
        let header: DeltaIndexPatch.Header
        do throws(DeltaError) {
            header = try DeltaIndexPatch.apply(input, to: base, writingTo: destination, limit: limit)
        } catch {
            if error.code != .indexUnavailable { violations.append("refused with \(error.code.rawValue), not indexUnavailable: \(error.message)") }
            violations += refusedViolations(in: sandbox.path)
            return FuzzResult(accepted: false, violations: violations, rejection: error.message)
        }
        violations += acceptedViolations(input, header: header, baseSHA256: expectedBase, madeAt: destination)
        return FuzzResult(accepted: true, violations: violations)
    }

    /// What an accepted patch `input` breaks, given the `header` apply returned and the file it wrote at `path`.
    static func acceptedViolations(_ input: [UInt8], header: DeltaIndexPatch.Header, baseSHA256: String, madeAt path: String) -> [String] {
        var violations: [String] = []
        let line = "ota-index-patch 1\t\(header.base)\t\(header.baseLength)\t\(header.text)\t\(header.textLength)\n"
        if !input.starts(with: line.utf8) { violations.append("the patch does not start with the header line of the header returned (\(line.debugDescription))") }
        if header.base != baseSHA256 || header.baseLength != Int64(baseText.count) {
            violations.append("applied to the kept text (\(baseText.count) bytes of \(baseSHA256)), the header names \(header.baseLength) bytes of \(header.base)")
        }
        if header.textLength <= 0 || header.textLength > limit { violations.append("the header's text length \(header.textLength) is outside 1...\(limit)") }
        // Read back as the device reads a kept index: the text the file holds, hashed as it inflates.
        do throws(ArchiveError) {
            let made = try DeltaIndexBase(keptIndexAt: path, limit: limit)
            if made.length != header.textLength || made.sha256 != header.text {
                violations.append("the file made holds \(made.length) bytes of \(made.sha256), not the header's \(header.textLength) bytes of \(header.text)")
            }
        } catch {
            violations.append("the file made does not read back as a kept index of at most \(limit) bytes: \(error.message)")
        }
        return violations
    }

    /// What a refusal left in the sandbox at `path` beyond the kept index: nothing, the destination included.
    static func refusedViolations(in path: String) -> [String] {
        guard let directory = opendir(path) else { return ["the sandbox \(path) cannot be listed"] }
        defer { closedir(directory) }
        var left: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != "..", name != "kept.index.gz" { left.append(name) }
        }
        return left.sorted().map { "the refused patch left \($0.debugDescription) behind" }
    }

    /// Writes `bytes` to a new file at `path`.
    static func write(_ bytes: [UInt8], to path: String) throws(FuzzSandbox.Failure) {
        guard let file = fopen(path, "wbx") else { throw FuzzSandbox.Failure(description: "cannot create \(path)") }
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard fclose(file) == 0, written == bytes.count else { throw FuzzSandbox.Failure(description: "cannot write \(path)") }
    }
}
