import Crypto
import Foundation

extension TUFPublisher {
    /// The target path of an archive's delta index: `<archive target>.index.gz`.
    static func indexPath(ofArchiveTarget path: String) -> String { path + ".index.gz" }

    /// Adds a delta index to each archive of `files` (tar, tar.gz or zip; other files are left as they are):
    /// its objects go to `targets/objects/`, the index becomes a target beside the archive, and the archive's
    /// `custom.ota.index` names it. `scratch` is an existing folder for temporary files.
    func withDeltaIndexes(_ files: [(source: String, target: TUFPublishedTarget)], info: TUFReleaseInfo,
                          scratch: String) throws(TUFPublishError) -> [(source: String, target: TUFPublishedTarget)] {
        var result: [(source: String, target: TUFPublishedTarget)] = []
        for (source, target) in files {
            guard (try? ArchiveFormat.detect(fileAt: source)) != nil else {
                result.append((source, target))
                continue
            }
            let output: DeltaIndexBuilder.Output
            do {
                output = try DeltaIndexBuilder().build(archiveAt: source, objectsDirectory: layout.target("objects"), scratch: scratch)
            } catch let error as ArchiveError {
                throw TUFPublishError(.invalidInput, "The archive \(source) cannot be published: \(error.message).")
            } catch {
                throw TUFPublishError(.io, "Cannot write the delta objects of \(source) into \(layout.target("objects")): \(error.localizedMessage).")
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
        }
        return result
    }
}

extension TUFPublisher {
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
