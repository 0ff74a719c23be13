#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation
import Logging
import OTA

/// The releases found under the mirror root, read from disk.
///
/// Layout: `ROOT/OWNER/REPO/TAG/` per release, an optional `release.json`, an optional
/// `source.tar.gz` (the tarball) and any other regular file as an asset. Hidden names (`.x`) are
/// ignored. Every path is resolved and must stay inside the resolved root: a symlink that points
/// outside it is ignored, so no request can reach a file outside ROOT.
///
/// A repository is re-read on every request (a directory listing and a `stat` per file — about a
/// millisecond for a few hundred files); digests are cached by (path, size, mtime, inode), so only
/// new or changed files are hashed. A release folder with an invalid `release.json` is left out and
/// logged as an error.
struct ReleaseCatalog: Sendable {
    /// The resolved root directory (no trailing slash).
    let root: String
    let digests: DigestCache
    let logger: Logger

    init(root: String, logger: Logger, digests: DigestCache = DigestCache()) throws(MirrorError) {
        guard let resolved = Self.resolve(root), Self.isDirectory(resolved) else {
            throw MirrorError(.rootNotFound, "The mirror root \(root) does not exist or is not a directory; create it or pass another --root.")
        }
        self.root = resolved
        self.logger = logger
        self.digests = digests
    }

    /// The repository `owner/repo` (matched case-insensitively like GitHub), or `nil` when it does not exist.
    func repository(owner: String, repo: String) -> CatalogRepository? {
        guard let ownerName = child(of: root, matching: owner),
              let repoName = child(of: root + "/" + ownerName, matching: repo),
              let directory = insideRoot(root + "/" + ownerName + "/" + repoName), Self.isDirectory(directory),
              let modified = Self.modificationTime(directory)
        else { return nil }
        var releases: [(tag: String, path: String, created: Date)] = []
        for tag in listing(directory) {
            guard let path = insideRoot(directory + "/" + tag), Self.isDirectory(path), let modified = Self.modificationTime(path) else { continue }
            releases.append((tag, path, modified))
        }
        var scanned: [(tag: String, created: Date, metadata: ReleaseMetadata, files: [(String, CatalogFile)])] = []
        for (tag, path, created) in releases {
            var metadata = ReleaseMetadata()
            var files: [(String, CatalogFile)] = []
            if let metadataPath = insideRoot(path + "/release.json"), Self.regularFile(metadataPath) != nil {
                do {
                    metadata = try ReleaseMetadata.load(from: URL(fileURLWithPath: metadataPath))
                } catch {
                    logger.error("Leaving out release \(ownerName)/\(repoName)/\(tag): \(error.message)")
                    continue
                }
            }
            for name in listing(path) where name != "release.json" {
                guard let file = fileInside(directory: path, name: name) else { continue }
                files.append((name, file))
            }
            scanned.append((tag, created, metadata, files))
        }
        let prefix = "\(ownerName)/\(repoName)"
        var keys = scanned.map { "release:\(prefix)/\($0.tag)" }
        for release in scanned {
            keys += release.files.map { "asset:\(prefix)/\(release.tag)/\($0.0)" }
        }
        let ids = StableID.assign(keys)
        var result: [CatalogRelease] = []
        for release in scanned {
            var assets: [CatalogAsset] = []
            var tarball: (file: CatalogFile, sha256: String)?
            for (name, file) in release.files {
                guard let sha256 = digest(of: file) else { continue }
                if name == "source.tar.gz" {
                    tarball = (file, sha256)
                } else {
                    assets.append(CatalogAsset(id: ids["asset:\(prefix)/\(release.tag)/\(name)"]!, name: name, file: file,
                                               sha256: sha256, contentType: ContentType.forFile(named: name)))
                }
            }
            assets.sort { $0.name < $1.name }
            result.append(CatalogRelease(id: ids["release:\(prefix)/\(release.tag)"]!, tag: release.tag,
                                         version: SemanticVersion(tag: release.tag), metadata: release.metadata,
                                         created: release.created, assets: assets, tarball: tarball))
        }
        result.sort(by: CatalogRelease.newestFirst)
        return CatalogRepository(owner: ownerName, repo: repoName, ownerID: StableID.id(for: "user:\(ownerName)"), modified: modified,
                                 releases: result)
    }

    private func digest(of file: CatalogFile) -> String? {
        do {
            return try digests.sha256(of: file)
        } catch {
            logger.error("Leaving out \(file.path): \(error.message)")
            return nil
        }
    }

    /// The entry of `directory` named `name`, or its only case-insensitive match.
    private func child(of directory: String, matching name: String) -> String? {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/") else { return nil }
        let entries = listing(directory)
        if entries.contains(name) { return name }
        let matches = entries.filter { $0.lowercased() == name.lowercased() }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Visible entry names of `directory`, sorted.
    private func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The regular file `name` in the resolved `directory`: taken as is when it is not a symlink
    /// (a listed name has no `/` and is not `..`, so it stays inside), else resolved and checked.
    private func fileInside(directory: String, name: String) -> CatalogFile? {
        var info = stat()
        let path = directory + "/" + name
        guard lstat(path, &info) == 0 else { return nil }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = insideRoot(path) else { return nil }
            return Self.regularFile(resolved)
        }
        return (info.st_mode & S_IFMT) == S_IFREG ? Self.regularFile(path) : nil
    }

    /// `path` with symlinks resolved, if that stays inside the root; `nil` otherwise.
    func insideRoot(_ path: String) -> String? {
        guard let resolved = Self.resolve(path) else { return nil }
        return resolved == root || resolved.hasPrefix(root + "/") ? resolved : nil
    }

    static func resolve(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return statFollowingLinks(path, &info) && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func modificationTime(_ path: String) -> Date? {
        var info = stat()
        guard statFollowingLinks(path, &info) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
    }

    /// A `CatalogFile` for a regular file at the resolved `path`, or `nil` for anything else.
    static func regularFile(_ path: String) -> CatalogFile? {
        var info = stat()
        guard statFollowingLinks(path, &info), (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return CatalogFile(path: path, size: Int(info.st_size), modified: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)),
                           modifiedNanoseconds: nanoseconds, inode: UInt64(info.st_ino))
    }

    /// `stat(2)` (following symlinks); `true` on success.
    private static func statFollowingLinks(_ path: String, _ info: inout stat) -> Bool {
        stat(path, &info) == 0
    }
}
