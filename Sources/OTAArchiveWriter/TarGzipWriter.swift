import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OTA

/// Packs a folder into a `.tar.gz` (ustar): what a publisher attaches to a release.
///
/// Used by `ota demo` and the end-to-end tests to publish releases; regular files, folders and
/// symlinks are written with their permission bits, in sorted order, with `mtime` 0 so the same tree
/// always gives the same bytes. Paths longer than ustar's 255 bytes are refused.
public enum TarGzipWriter {
    /// Writes the tree under `directory` to `archivePath`, every entry under `prefix/` when given
    /// (like GitHub's `owner-repo-sha/` source tarballs).
    public static func write(directory: String, to archivePath: String, prefix: String? = nil) throws {
        var tar = [UInt8]()
        let base = prefix.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        if !base.isEmpty { tar += try header(name: base, mode: 0o755, size: 0, type: "5", link: "") }
        for relative in try entries(under: directory) {
            let path = directory + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { throw SystemError.last("lstat \(path)") }
            let mode = Int(info.st_mode) & 0o7777
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                tar += try header(name: base + relative + "/", mode: mode, size: 0, type: "5", link: "")
            case S_IFLNK:
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
                tar += try header(name: base + relative, mode: 0o777, size: 0, type: "2", link: target)
            case S_IFREG:
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                tar += try header(name: base + relative, mode: mode, size: data.count, type: "0", link: "")
                tar += data
                tar += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
            default:
                throw SystemError("pack \(path): not a file, folder or symlink", errno: EINVAL)
            }
        }
        tar += [UInt8](repeating: 0, count: 1024)
        try AtomicFile.write(Gzip.compress(tar, level: 6), to: archivePath)
    }

    /// Relative paths of everything under `directory`, parents before children, sorted.
    static func entries(under directory: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw SystemError("read \(directory)", errno: ENOENT)
        }
        return (enumerator.allObjects as? [String] ?? []).sorted()
    }

    static func header(name: String, mode: Int, size: Int, type: Character, link: String) throws -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        var nameBytes = Array(name.utf8), prefixBytes: [UInt8] = []
        if nameBytes.count > 100 {
            guard let split = nameBytes.indices.reversed().first(where: { nameBytes[$0] == UInt8(ascii: "/") && $0 <= 155 && nameBytes.count - $0 - 1 <= 100 }) else {
                throw SystemError("pack \(name): path too long for ustar", errno: ENAMETOOLONG)
            }
            prefixBytes = Array(nameBytes[..<split])
            nameBytes = Array(nameBytes[(split + 1)...])
        }
        func put(_ bytes: [UInt8], at offset: Int) { block.replaceSubrange(offset..<(offset + bytes.count), with: bytes) }
        func octal(_ value: Int, width: Int) -> [UInt8] { Array(String(format: "%0\(width - 1)o", value).utf8) + [0] }
        put(nameBytes, at: 0)
        put(octal(mode, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148)
        block[156] = type.asciiValue!
        put(Array(link.utf8.prefix(100)), at: 157)
        put(Array("ustar\u{0}00".utf8), at: 257)
        put(prefixBytes, at: 345)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(Array(String(format: "%06o", checksum).utf8) + [0, UInt8(ascii: " ")], at: 148)
        return block
    }
}
