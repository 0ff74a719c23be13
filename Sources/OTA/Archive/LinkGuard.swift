/// Keeps every symbolic link of the archive and proves that none can lead outside the tree.
///
/// Targets are resolved the way the kernel would: relative to the link's folder, component by
/// component, substituting links of the archive (at most 40 hops, like `MAXSYMLINKS`), and a `..`
/// at the root is an escape. Each link is checked when it arrives and all of them again at the end,
/// when links that appeared later are known too.
struct LinkGuard {
    /// Normalized path → target components (relative to the link's folder).
    private(set) var links: [String: [String]] = [:]

    var isEmpty: Bool { links.isEmpty }

    enum Resolution: Equatable {
        case inside([String])
        case escapes
        case loop
    }

    func isLink(_ path: String) -> Bool { links[path] != nil }

    /// Whether any proper prefix of `components` is a link (an entry would be written through it).
    func linkPrefix(of components: [String]) -> String? {
        guard !links.isEmpty, components.count > 1 else { return nil }
        var prefix = ""
        for component in components.dropLast() {
            prefix = prefix.isEmpty ? component : prefix + "/" + component
            if links[prefix] != nil { return prefix }
        }
        return nil
    }

    mutating func add(_ path: String, target: [String]) { links[path] = target }

    /// Where `target` (relative to the folder `base`) ends up.
    func resolve(from base: [String], _ target: [String]) -> Resolution {
        var current = base
        var pending = Array(target.reversed())
        var hops = 0
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                guard !current.isEmpty else { return .escapes }
                current.removeLast()
                continue
            }
            current.append(component)
            if let next = links[current.joined(separator: "/")] {
                hops += 1
                guard hops <= 40 else { return .loop }
                current.removeLast()
                pending.append(contentsOf: next.reversed())
            }
        }
        return .inside(current)
    }

    /// Checks one link; `name` is the entry name for the error.
    func check(_ path: [String], target: [String], name: String) throws(ArchiveError) -> [String] {
        switch resolve(from: Array(path.dropLast()), target) {
        case .inside(let resolved): return resolved
        case .escapes: throw ArchiveError(.linkEscape, entry: name, "the symbolic link's target leaves the extracted tree")
        case .loop: throw ArchiveError(.linkEscape, entry: name, "the symbolic link is part of a loop of links")
        }
    }

    /// Re-checks every link once all are known; with `prefix`, targets must stay inside that folder.
    func verifyAll(insideFolder prefix: String?) throws(ArchiveError) {
        for (path, target) in links.sorted(by: { $0.key < $1.key }) {
            let components = path.split(separator: "/").map(String.init)
            let resolved = try check(components, target: target, name: path)
            if let prefix, resolved.first != prefix {
                throw ArchiveError(.linkEscape, entry: path, "the symbolic link's target leaves the top-level folder \"\(prefix)\" that is stripped")
            }
        }
    }
}
