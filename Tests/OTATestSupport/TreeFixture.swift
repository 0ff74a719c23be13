#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
@testable import OTA

/// Builds file trees for the installation tests and describes them exactly.
enum TreeFixture {
    enum Node {
        case file(String, mode: mode_t = 0o644)
        case link(String)
        case directory(mode: mode_t = 0o755)
    }

    /// Creates `nodes` (relative path → node) under `root`, parents first.
    static func make(_ root: String, _ nodes: [String: Node]) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (path, node) in nodes.sorted(by: { $0.key < $1.key }) {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: FileSystem.parent(full), withIntermediateDirectories: true)
            switch node {
            case let .file(text, mode):
                try Data(text.utf8).write(to: URL(fileURLWithPath: full))
                chmod(full, mode)
            case let .link(target):
                guard symlink(target, full) == 0 else { throw SystemError.last("symlink \(full)") }
            case let .directory(mode):
                try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
                chmod(full, mode)
            }
        }
    }

    /// One line per entry (path, type, mode, SHA-256 or link target), sorted: equal strings = identical trees.
    static func snapshot(_ root: String, excluding excluded: Set<String> = [".ota"]) throws -> String {
        try FileSystem.walk(root).filter { entry in
            !excluded.contains { entry.path == $0 || entry.path.hasPrefix($0 + "/") }
        }.map { entry in
            var line = "\(entry.path) \(entry.kind.rawValue)"
            switch entry.kind {
            case .file: line += " \(String(entry.mode, radix: 8)) \(try FileDigest.sha256(ofFileAt: root + "/" + entry.path))"
            case .symlink: line += " -> \(entry.target ?? "")"
            default: line += " \(String(entry.mode, radix: 8))"
            }
            return line
        }.joined(separator: "\n")
    }

    /// A release tree of about `count` files: nested folders, executables, symlinks (to files and folders).
    static func release(_ tag: String, files count: Int = 50, size: Int = 64) -> [String: Node] {
        var nodes: [String: Node] = [:]
        let body = String(repeating: "\(tag)-", count: max(1, size / (tag.count + 1)))
        for index in 0..<count {
            let folder = ["src", "src/core", "src/core/deep/er", "config", "lib/plugins"][index % 5]
            nodes["\(folder)/file\(index).txt"] = .file("\(tag) \(index) \(body)", mode: index % 7 == 0 ? 0o755 : 0o644)
        }
        nodes["src/bin/run.sh"] = .file("#!/bin/sh\necho \(tag)\n", mode: 0o755)
        nodes["src/latest"] = .link("core/file1.txt")
        nodes["src/coredir"] = .link("core")
        nodes["src/empty"] = .directory(mode: 0o750)
        nodes["config/app.yaml"] = .file("release: \(tag)\n", mode: 0o600)
        return nodes
    }
}
