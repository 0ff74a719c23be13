import OTA

/// Delta index parsing (the text form, under small limits so that they are reached).
///
/// Invariants when accepted: at most the policy's entries and file bytes; paths strictly sorted by their
/// bytes, each in normalized form (no empty, `.` or `..` component, not absolute, no control character);
/// nothing below a file or a link; every link resolves inside the tree (through the other links, as the
/// kernel would); patches strictly sorted by old then new SHA-256, none into its own content, each making a
/// file content of the index of at most the patch cap, with a length above 0 and within that content's
/// object bound; and the text written back parses to the same index, also through the gzip form.
enum DeltaIndexHarness {
    static let policy = ExtractionPolicy(maxEntries: 64, maxExtractedBytes: 1 << 20)

    static func run(_ input: [UInt8]) -> FuzzResult {
        let parser = DeltaIndexParser(policy: policy)
        let index: DeltaIndex
        do { index = try parser.parse(text: input) } catch { return FuzzResult(accepted: false, rejection: error.message) }
        return FuzzResult(accepted: true, violations: violations(of: index))
    }

    /// The invariants an accepted `index` breaks (see the type's description).
    static func violations(of index: DeltaIndex) -> [String] {
        let parser = DeltaIndexParser(policy: policy)
        var violations: [String] = []
        if index.entries.count > policy.maxEntries { violations.append("more than \(policy.maxEntries) entries") }
        if index.totalFileBytes > policy.maxExtractedBytes { violations.append("more than \(policy.maxExtractedBytes) bytes of files") }
        var leaves: [String: DeltaIndex.Kind] = [:]
        var previous: String?
        for entry in index.entries {
            let path = entry.path
            if let previous, !previous.utf8.lexicographicallyPrecedes(path.utf8) { violations.append("\(path.debugDescription) is not after \(previous.debugDescription)") }
            previous = path
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                violations.append("\(path.debugDescription) is not a plain relative path")
            }
            if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { violations.append("\(path.debugDescription) holds a control character") }
            for end in parts.indices.dropLast() where leaves[parts[...end].joined(separator: "/")] != nil {
                violations.append("\(path.debugDescription) lies below a file or link")
            }
            if entry.kind != .directory { leaves[path] = entry.kind }
        }
        violations += patchViolations(index)
        for (path, kind) in leaves {
            guard case .symbolicLink = kind else { continue }
            if !resolvesInside(path, leaves) { violations.append("the link \(path.debugDescription) leaves the tree") }
        }
        do {
            if try parser.parse(text: Array(index.text().utf8)) != index { violations.append("the index changes when written back and parsed again") }
            if try parser.parse(compressed: index.encoded()) != index { violations.append("the gzip form parses to another index") }
        } catch {
            violations.append("the index written back does not parse: \(error.message)")
        }
        return violations
    }

    /// What the patch section of an accepted index breaks.
    static func patchViolations(_ index: DeltaIndex) -> [String] {
        var violations: [String] = []
        if index.patches.count > policy.maxEntries { violations.append("more than \(policy.maxEntries) patches") }
        var sizes: [String: Int64] = [:]
        for entry in index.entries { if case .file(let size, let sha256) = entry.kind { sizes[sha256] = size } }
        for (previous, next) in zip(index.patches, index.patches.dropFirst())
        where !((previous.oldSHA256, previous.newSHA256) < (next.oldSHA256, next.newSHA256)) {
            violations.append("the patch \(next.relativePath) is not after \(previous.relativePath)")
        }
        for patch in index.patches {
            if patch.oldSHA256 == patch.newSHA256 { violations.append("the patch \(patch.relativePath) makes its own content") }
            guard let size = sizes[patch.newSHA256] else {
                violations.append("the patch \(patch.relativePath) makes a content no file has")
                continue
            }
            if size > ZstdPatch.maxContentBytes { violations.append("the patch \(patch.relativePath) makes \(size) bytes, above the cap") }
            if patch.length <= 0 || patch.length > size + size / 64 + 1024 { violations.append("the patch \(patch.relativePath) has the length \(patch.length)") }
        }
        return violations
    }

    /// Resolves a link of the index component by component (at most 40 links), as the kernel would.
    static func resolvesInside(_ path: String, _ leaves: [String: DeltaIndex.Kind]) -> Bool {
        var current = path.split(separator: "/").dropLast().map(String.init)
        guard case .symbolicLink(let first)? = leaves[path] else { return true }
        var pending = Array(first.split(separator: "/").map(String.init).reversed())
        var hops = 0
        while let part = pending.popLast() {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if current.isEmpty { return false }
                current.removeLast()
                continue
            }
            current.append(part)
            if case .symbolicLink(let target)? = leaves[current.joined(separator: "/")] {
                hops += 1
                if hops > 40 { return true }  // a loop: refused as such, not an escape
                current.removeLast()
                pending += target.split(separator: "/").map(String.init).reversed()
            }
        }
        return true
    }
}
