#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Checks an extracted tree on the real filesystem, independently of the extractor's own checks.
struct TreeInspector {
    /// The release root (absolute).
    let root: String

    func violations() -> [String] {
        var found: [String] = []
        walk("", into: &found)
        return found
    }

    private func walk(_ relative: String, into found: inout [String]) {
        let folder = relative.isEmpty ? root : root + "/" + relative
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            found.append("cannot list \(folder)")
            return
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(root + "/" + path, &info) == 0 else { found.append("cannot lstat \(path)"); continue }
            if info.st_mode & 0o7000 != 0 { found.append("\(path) kept a setuid/setgid/sticky bit") }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: walk(path, into: &found)
            case S_IFREG: break
            case S_IFLNK:
                if let problem = linkProblem(path) { found.append(problem) }
            default: found.append("\(path) is neither a file, a folder nor a symbolic link")
            }
        }
    }

    /// Resolves the link at `path` the way the kernel would, following links of the tree
    /// (at most 40), and reports when it leaves the root. Missing components are walked lexically
    /// (stricter than the kernel: something created there later must not open a way out either).
    private func linkProblem(_ path: String) -> String? {
        var current = path.split(separator: "/").map(String.init).dropLast().map { $0 }
        guard let first = readLink(path) else { return "cannot read the link \(path)" }
        if first.hasPrefix("/") { return "\(path) is an absolute link to \(first)" }
        var pending = Array(first.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
        var hops = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                guard !current.isEmpty else { return "the link \(path) -> \(first) leaves the release root" }
                current.removeLast()
                continue
            }
            current.append(component)
            let joined = current.joined(separator: "/")
            var info = stat()
            guard lstat(root + "/" + joined, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFLNK {
                hops += 1
                guard hops <= 40, let target = readLink(joined) else { return nil }
                if target.hasPrefix("/") { return "the link \(path) goes through the absolute link \(joined) -> \(target)" }
                current.removeLast()
                pending.append(contentsOf: target.split(separator: "/", omittingEmptySubsequences: true).map(String.init).reversed())
            }
        }
        return nil
    }

    private func readLink(_ relative: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(root + "/" + relative, &buffer, 4096)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
