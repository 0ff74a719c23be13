#if canImport(Glibc)
import Glibc
#endif

/// Extracts a `.tar`, `.tar.gz`/`.tgz` or `.zip` archive into a fresh staging directory under the
/// archive safety policy.
///
/// - Important: the archive is accepted or rejected as a whole. On any ``ArchiveError`` the staging
///   directory is removed, and nothing outside it was ever created: every path is created relative
///   to descriptors of the staging root without following symbolic links. The format is detected
///   from the content, not the file name. setuid/setgid/sticky bits are dropped, owners ignored,
///   execute bits and modification times kept. Files are not fsync'd: flush the filesystem once after.
///
/// ```swift
/// let result = try Extractor(policy: ExtractionPolicy(configuration: config))
///     .extract(archiveAt: "/var/lib/ota/downloads/app-1.2.0.tar.gz", into: "/var/lib/ota/staging/1.2.0")
/// // result.root is the release tree (the shared top-level folder already stripped)
/// ```
public struct Extractor: Sendable {
    /// The limits applied to every archive.
    public var policy: ExtractionPolicy

    /// An extractor applying `policy`.
    public init(policy: ExtractionPolicy = ExtractionPolicy()) {
        self.policy = policy
    }

    /// Extracts `archivePath` into `stagingPath`, which must not exist yet (its parent must).
    ///
    /// - Returns: where the tree is (``ExtractionResult/root``: the staging directory, or the stripped
    ///   top-level folder inside it) and what was written.
    /// - Throws: ``ArchiveError``; the staging directory is then removed.
    public func extract(archiveAt archivePath: String, into stagingPath: String) throws(ArchiveError) -> ExtractionResult {
        let format = try ArchiveFormat.detect(fileAt: archivePath)
        let fd = open(archivePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError(.io, "cannot open \(archivePath)", underlying: .last("open \(archivePath)")) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ArchiveError(.io, "cannot stat \(archivePath)", underlying: .last("fstat \(archivePath)")) }
        let compressedSize = Int64(info.st_size)

        let tree = try StagingTree(creating: stagingPath, fault: policy.writeFault)
        let session = ExtractionSession(policy: policy, tree: tree)
        do {
            switch format {
            case .tar, .tarGzip:
                let file = FileByteSource(fd: fd)
                // Inflating runs on its own thread, ahead of the parsing and writing of files.
                let source: ByteSource = format == .tar ? file : ReadAheadSource.wrapping(try GzipInflater(
                    file, outputLimit: policy.inflationLimit(compressedSize: compressedSize),
                    limitDescription: "\(policy.maxExpansionRatio):1 of the \(compressedSize)-byte archive"))
                let reader = TarReader(source: source)
                while let entry = try reader.next() {
                    try session.add(entry) { sink throws(ArchiveError) in try reader.readData(sink) }
                }
            case .zip:
                try ZipArchiveReader(path: archivePath, fileSize: compressedSize, policy: policy).extract(into: session)
            }
            let prefix = try session.finish()
            return ExtractionResult(
                root: prefix.map { stagingPath + "/" + $0 } ?? stagingPath,
                stagingDirectory: stagingPath,
                entryCount: session.entryCount,
                byteCount: session.byteCount,
                strippedPrefix: prefix.map { $0 + "/" },
                format: format)
        } catch {
            tree.remove()
            throw error
        }
    }
}
