import Crypto
import Foundation

extension TUFPublisher {
    /// The target path of an archive's delta index: `<archive target>.index.gz`.
    static func indexPath(ofArchiveTarget path: String) -> String { path + ".index.gz" }

    /// Adds a delta index to each archive of `files` (tar, tar.gz or zip; other files are left as they are):
    /// its objects go to `targets/objects/`, its zstd patches from the archives of the releases `patchBases`
    /// (``patchBases(for:platform:versions:in:)``) to `targets/patches/`, the index becomes a target beside
    /// the archive, and the archive's `custom.ota.index` names it; the index patches from those releases' indexes
    /// (``indexPatches(of:indexPath:from:targets:scratch:)``) become targets beside it. `targets` are the
    /// repository's targets. `scratch` is an existing folder for temporary files.
    func withDeltaIndexes(_ files: [(source: String, target: TUFPublishedTarget)], info: TUFReleaseInfo,
                          patchBases: [[TUFPublishedTarget]] = [], targets: [String: TUFPublishedTarget] = [:],
                          scratch: String) throws(TUFPublishError) -> [(source: String, target: TUFPublishedTarget)] {
        var result: [(source: String, target: TUFPublishedTarget)] = []
        for (source, target) in files {
            guard (try? ArchiveFormat.detect(fileAt: source)) != nil else {
                result.append((source, target))
                continue
            }
            let output: DeltaIndexBuilder.Output
            let name = PathName.lastComponent(of: target.path)
            let oldTargets = patchBases.compactMap { Self.patchBase(for: name, version: info.version, among: $0) }
            do {
                let olds = oldTargets.map { layout.target($0.storedPath) }.filter { FileSystem.exists($0) }
                output = try DeltaIndexBuilder().build(archiveAt: source, objectsDirectory: layout.target("objects"), patchFrom: olds,
                                                       patchesDirectory: layout.target("patches"), scratch: scratch)
            } catch let error as ArchiveError {
                throw TUFPublishError(.invalidInput, "The archive \(source) cannot be published: \(error.message).")
            } catch {
                throw TUFPublishError(.io, "Cannot write the delta objects and patches of \(source) into \(layout.target("objects")) and \(layout.target("patches")): \(error.localizedMessage).")
            }
            let indexPath = Self.indexPath(ofArchiveTarget: target.path)
            let indexFile = scratch + "/" + UUID().uuidString + ".index.gz"
            let bytes = output.index.encoded()
            guard FileManager.default.createFile(atPath: indexFile, contents: Data(bytes)) else {
                throw TUFPublishError(.io, "Cannot write a temporary file in \(scratch); check the free space.")
            }
            var release = info
            release.index = indexPath
            result.append((source, target.with(release)))
            let indexTarget = TUFPublishedTarget(path: indexPath, length: bytes.count,
                                                 hashes: ["sha256": Hex.lowercase(SHA256.hash(data: bytes))], custom: nil)
            result.append((indexFile, indexTarget))
            result += try indexPatches(of: Array(output.index.text().utf8), indexPath: indexPath, from: oldTargets, targets: targets, scratch: scratch)
        }
        return result
    }
}

extension TUFPublisher {
    /// The archive targets (with a delta index) of each release patches are made from, for release `version`
    /// of `platform`: of each of `versions`, or when `nil`, of the newest release of the platform below `version`.
    /// - Throws: for a version of `versions` that is not a release of the platform with a delta index.
    static func patchBases(for version: SemanticVersion, platform: String, versions: [String]?,
                           in state: TUFRepositoryState) throws(TUFPublishError) -> [[TUFPublishedTarget]] {
        let archives = state.targets.values.filter { $0.release?.platform == platform && $0.release?.index != nil }
        let byVersion = Dictionary(grouping: archives) { SemanticVersion($0.release?.version ?? "") }
        guard let versions else {
            let previous = byVersion.keys.compactMap { $0 }.filter { $0 < version }.max()
            return previous.flatMap { byVersion[$0] }.map { [$0] } ?? []
        }
        var result: [[TUFPublishedTarget]] = []
        for text in versions {
            let wanted = try semanticVersion(text)
            guard let targets = byVersion[wanted], wanted != version else {
                throw TUFPublishError(.invalidInput, "--patch-from \(text): no release \(text) for platform \(platform) with a delta index is published; name a published version (ota publish status lists them).")
            }
            result.append(targets)
        }
        return result
    }

    /// The archive of `olds` (one release's) that the archive `name` of release `version` is patched from:
    /// the only one, or the one named alike with the version changed.
    static func patchBase(for name: String, version: String, among olds: [TUFPublishedTarget]) -> TUFPublishedTarget? {
        if olds.count == 1 { return olds[0] }
        return olds.first { old in
            guard let oldVersion = old.release?.version else { return false }
            return PathName.lastComponent(of: old.path).replacingOccurrences(of: oldVersion, with: version) == name
        }
    }

    /// A fresh folder for temporary files (an extracted archive, an index before it is copied).
    static func makeScratch() throws(TUFPublishError) -> String {
        let path = FileManager.default.temporaryDirectory.path + "/ota-publish-" + UUID().uuidString
        guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])) != nil else {
            throw TUFPublishError(.io, "Cannot create a temporary folder at \(path); check TMPDIR and the free space.")
        }
        return path
    }
}
