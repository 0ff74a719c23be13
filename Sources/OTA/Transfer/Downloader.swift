import Crypto
import Foundation
import Logging
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// Downloads release files to disk with constant memory, hashing them as they are written.
///
/// A download goes to `directory/<name>.part`, is SHA-256-hashed while it streams, and is fsync'd and
/// renamed to `directory/<name>` only when complete and of the announced size. A dropped connection is
/// retried (`max_retries`, backoff) and resumed with `Range` + `If-Range`; a server that ignores the range
/// makes it start over. A body longer than the announced size is refused as soon as it exceeds it; a
/// download of unknown size (the source tarball) is cut off beyond `max_download_bytes`.
public final class Downloader: Sendable {
    /// Progress of one download: bytes on disk so far, and the total when known.
    public struct Progress: Sendable {
        public var received: Int64
        public var total: Int64?
    }

    /// Largest companion file (checksums, signatures) read into memory.
    static let maxCompanionBytes = 1 << 20

    /// The folder whose `subfolder` (itself when `nil`) downloads go to. The `.part` files and their
    /// records are opened relative to it as `state_dir`'s entries are: a symlink planted under one of
    /// their names is not followed.
    let folder: StateDirectory
    let subfolder: String?
    let transport: HTTPTransport
    let retry: RetryPolicy
    /// The most bytes a download without an announced size may have (`max_download_bytes`).
    let maxDownloadBytes: Int
    let logger: Logger

    /// The folder downloads go to.
    var directory: String { subfolder.map { folder.path + "/" + $0 } ?? folder.path }

    init(folder: StateDirectory, subfolder: String?, transport: HTTPTransport, retry: RetryPolicy, maxDownloadBytes: Int = 2 << 30, logger: Logger) {
        self.folder = folder
        self.subfolder = subfolder
        self.transport = transport
        self.retry = retry
        self.maxDownloadBytes = maxDownloadBytes
        self.logger = logger
    }

    /// A downloader into the folder `directory`.
    convenience init(directory: String, transport: HTTPTransport, retry: RetryPolicy, maxDownloadBytes: Int = 2 << 30, logger: Logger) {
        self.init(folder: StateDirectory(path: directory), subfolder: nil, transport: transport, retry: retry, maxDownloadBytes: maxDownloadBytes, logger: logger)
    }

    /// Downloads `artifact` and returns the complete file with its SHA-256.
    public func download(_ artifact: Artifact, progress: (@Sendable (Progress) -> Void)? = nil) async throws(TransferError) -> DownloadedArtifact {
        guard !artifact.fileName.contains("/"), !artifact.fileName.hasPrefix("."), !artifact.fileName.isEmpty else {
            throw TransferError(.invalidResponse, "refusing to save a download under the name '\(artifact.fileName)'")
        }
        guard let url = URL(string: artifact.url) else { throw TransferError(.invalidURL, "the artifact URL '\(artifact.url)' is not a URL") }
        try createDirectory()
        let final = directory + "/" + artifact.fileName
        let part = final + ".part"
        let sidecar = part + ".json"
        unlink(final)
        if let expected = artifact.expectedSize {
            let existing = Int64(FileSystem.lstatInfo(part).flatMap { FileSystem.kind(of: $0) == .file ? Int($0.st_size) : nil } ?? 0)
            try DiskSpace.require(Int64(expected) - min(existing, Int64(expected)), at: directory, for: artifact.fileName)
        }
        let result = try await retry.run(onRetry: { error, attempt, wait in
            logger.warning("retrying download", metadata: ["ota.file": "\(artifact.fileName)", "ota.attempt": "\(attempt)",
                                                            "ota.error": "\(error.message)", "ota.wait": "\(wait)"])
        }) { _ throws(TransferError) in
            try await attempt(url: url, artifact: artifact, part: part, sidecar: sidecar, progress: progress)
        }
        guard rename(part, final) == 0 else {
            throw TransferError(.fileSystem, SystemError.last("rename \(part) to \(final)").message)
        }
        unlink(sidecar)
        try? AtomicFile.syncDirectory(directory)
        logger.info("downloaded", metadata: ["ota.file": "\(artifact.fileName)", "ota.bytes": "\(result.size)", "ota.sha256": "\(result.sha256)"])
        return DownloadedArtifact(artifact: artifact, path: final, size: result.size, sha256: result.sha256)
    }

    /// Reads a small companion file (a checksums file or a signature) into memory, at most 1 MiB.
    public func fetchCompanion(_ asset: ReleaseAsset) async throws(TransferError) -> Data {
        guard let url = URL(string: asset.apiURL) else { throw TransferError(.invalidURL, "the asset URL '\(asset.apiURL)' is not a URL") }
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/octet-stream")
        return try await retry.run { _ throws(TransferError) in
            let response = try await transport.get(url, headers: headers)
            guard response.status == 200 else {
                throw Self.statusError(response, name: asset.name)
            }
            return try await HTTPTransport.collect(response.body, limit: Self.companionLimit(announcedSize: asset.size), url: response.url)
        }
    }

    private struct Outcome: Sendable {
        var size: Int
        var sha256: String
    }

    /// One attempt: resume `part` if possible, else start over; stream the rest to disk.
    private func attempt(url: URL, artifact: Artifact, part: String, sidecar: String,
                         progress: (@Sendable (Progress) -> Void)?) async throws(TransferError) -> Outcome {
        let expected = artifact.expectedSize
        var hasher = SHA256()
        var offset = 0
        let saved = loadRecord(artifact.fileName + ".part.json")
        if let saved, saved.url == url.absoluteString, saved.validator != nil,
           let existing = try existingPart(artifact.fileName + ".part", upTo: expected ?? maxDownloadBytes) {
            hasher = existing.hasher
            offset = existing.size
        } else {
            unlink(part)
        }
        if let expected, offset == expected, offset > 0 {
            // Complete already: asking for a range at EOF would only earn a 416.
            return Outcome(size: offset, sha256: Hex.lowercase(hasher.finalize()))
        }

        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/octet-stream")
        if offset > 0, let validator = saved?.validator {
            headers.add(name: "Range", value: "bytes=\(offset)-")
            headers.add(name: "If-Range", value: validator)
        }
        let response = try await transport.get(url, headers: headers)
        switch response.status {
        case 206 where offset > 0:
            guard HeaderValues.contentRange(response.headers)?.first == offset else {
                throw TransferError(.invalidResponse, "\(response.url.host ?? "the server") answered the resume request with the wrong range; starting over next time")
            }
        case 200:
            if offset > 0 {
                logger.info("server ignored the range; starting the download over", metadata: ["ota.file": "\(artifact.fileName)"])
            }
            offset = 0
            hasher = SHA256()
        case 416:
            unlink(part)
            unlink(sidecar)
            // The partial file is gone; the next attempt (this error is transient) starts from the beginning.
            throw TransferError(.connectionFailed, "\(response.url.host ?? "the server") refused to resume \(artifact.fileName) (416); starting over", status: 416)
        default:
            throw Self.statusError(response, name: artifact.fileName)
        }
        let limit = expected ?? maxDownloadBytes
        if let announced = HeaderValues.contentLength(response.headers) {
            switch Self.announcedSize(announced, after: offset, expected: expected, maxDownloadBytes: maxDownloadBytes) {
            case .fits:
                break
            case .beyondRelease(let total):
                throw TransferError(.responseTooLarge, "\(response.url.host ?? "the server") announces \(total.map(String.init) ?? "more than \(Int.max)") bytes for \(artifact.fileName), but the release says \(expected ?? 0); refusing it")
            case .beyondLimit:
                unlink(part)
                unlink(sidecar)
                throw tooLarge(artifact.fileName, host: response.url.host)
            }
        }
        if offset == 0 {
            let record = PartialDownload(url: url.absoluteString, etag: response.headers.first(name: "etag"),
                                         lastModified: response.headers.first(name: "last-modified"), expectedSize: expected)
            do { try record.save(artifact.fileName + ".part.json", to: folder, in: subfolder) } catch {
                throw TransferError(.fileSystem, "cannot write \(sidecar): \(error.message)")
            }
        }
        let fd: Int32
        do { fd = try folder.open(artifact.fileName + ".part", in: subfolder, flags: O_WRONLY | O_CREAT | (offset == 0 ? O_TRUNC : O_APPEND)) } catch {
            throw TransferError(.fileSystem, error.message)
        }
        defer { close(fd) }
        var written = offset
        do {
            for try await chunk in response.body {
                if chunk.readableBytes > limit - written {
                    guard let expected else { throw tooLarge(artifact.fileName, host: response.url.host) }
                    throw TransferError(.responseTooLarge, "\(response.url.host ?? "the server") sent more than the \(expected) bytes announced for \(artifact.fileName); refusing it")
                }
                try chunk.withUnsafeReadableBytes { (buffer: UnsafeRawBufferPointer) throws(TransferError) in
                    hasher.update(bufferPointer: buffer)
                    do throws(SystemError) { try Syscall.writeAll(fd, buffer, "write \(part)") } catch { throw TransferError(.fileSystem, error.message) }
                }
                written += chunk.readableBytes
                progress?(Progress(received: Int64(written), total: expected.map(Int64.init)))
            }
        } catch let error as TransferError {
            if error.code == .responseTooLarge { unlink(part); unlink(sidecar) }
            throw error
        } catch {
            throw HTTPTransport.transferError(for: error, url: response.url)
        }
        if let expected, written != expected {
            throw TransferError(.connectionFailed, "the download of \(artifact.fileName) stopped at \(written) of \(expected) bytes")
        }
        guard fsync(fd) == 0 else { throw TransferError(.fileSystem, SystemError.last("fsync \(part)").message) }
        return Outcome(size: written, sha256: Hex.lowercase(hasher.finalize()))
    }

    /// The error for a download of unknown size that passes ``maxDownloadBytes``.
    private func tooLarge(_ name: String, host: String?) -> TransferError {
        TransferError(.responseTooLarge, "the download of \(name) from \(host ?? "the server") is larger than max_download_bytes (\(maxDownloadBytes) bytes); refusing it (raise max_download_bytes if the release really is that large)")
    }

    /// What a `Content-Length` of `announced` bytes after `offset` resumed ones means for a download.
    package enum AnnouncedSize: Equatable, Sendable {
        case fits
        /// More than the release announced (`total` is `nil` when the sum does not fit in `Int`).
        case beyondRelease(total: Int?)
        /// A download of unknown size beyond `max_download_bytes`.
        case beyondLimit
    }

    package static func announcedSize(_ announced: Int, after offset: Int, expected: Int?, maxDownloadBytes: Int) -> AnnouncedSize {
        let total = offset.adding(checked: announced)
        if let expected { return total.map { $0 > expected } ?? true ? .beyondRelease(total: total) : .fits }
        return total.map { $0 > maxDownloadBytes } ?? true ? .beyondLimit : .fits
    }

    /// The most bytes read for a companion file whose release announces `announcedSize`.
    package static func companionLimit(announcedSize: Int) -> Int {
        min(maxCompanionBytes, max(announcedSize, 0).adding(checked: 1) ?? maxCompanionBytes)
    }

    private func createDirectory() throws(TransferError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw TransferError(.fileSystem, "cannot create the download folder \(directory): \(error.localizedDescription)")
        }
    }

    /// The error for an unsuccessful answer; a rate limit or a 503 with `Retry-After` carries the time to come back.
    static func statusError(_ response: HTTPTransport.Response, name: String) -> TransferError {
        let status = response.status, server = response.url.host ?? "the server"
        if let until = RateLimit.nextAllowed(status: status, headers: response.headers) {
            return RateLimit.busy(host: response.url.host, status: status, for: "the download of \(name)", until: until)
        }
        switch status {
        case 401: return TransferError(.unauthorized, "\(server) refused the token while downloading \(name) (401); check github_token", status: status)
        case 404: return TransferError(.notFound, "\(name) not found on \(server) (404)", status: status)
        default: return TransferError(.httpStatus, "\(server) answered HTTP \(status) while downloading \(name)", status: status)
        }
    }

    static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// The record of the partial download (`name`), `nil` when there is none; one that cannot be opened
    /// safely (a symlink planted in its place) is ignored with a warning, and the download starts over.
    private func loadRecord(_ name: String) -> PartialDownload? {
        do { return try PartialDownload.load(name, from: folder, in: subfolder) } catch {
            if error.errno != ENOENT {
                logger.warning("ignoring the record of a partial download; starting it over",
                               metadata: ["ota.path": "\(directory)/\(name)", "ota.error": "\(error.message)"])
            }
            return nil
        }
    }

    /// The size and SHA-256 state of the partial file `name` when it can be resumed: a plain file of 1 to
    /// `limit` bytes; `nil` otherwise. One that cannot be opened safely (a symlink) is not read, with a warning.
    private func existingPart(_ name: String, upTo limit: Int) throws(TransferError) -> (size: Int, hasher: SHA256)? {
        let fd: Int32
        do { fd = try folder.open(name, in: subfolder, flags: O_RDONLY) } catch {
            if error.errno != ENOENT {
                logger.warning("not resuming a partial download that cannot be opened safely; starting it over",
                               metadata: ["ota.path": "\(directory)/\(name)", "ota.error": "\(error.message)"])
            }
            return nil
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0, Int(info.st_size) <= limit else { return nil }
        let size = Int(info.st_size)
        var hasher = SHA256()
        do throws(SystemError) {
            guard try FileDigest.update(&hasher, withDescriptor: fd, name: directory + "/" + name, limit: size) == size else {
                throw SystemError("\(directory)/\(name) ended early while hashing it", errno: EIO)
            }
        } catch {
            throw TransferError(.fileSystem, error.message)
        }
        return (size, hasher)
    }
}

extension Downloader {
    /// A downloader into `directory`'s `downloads` with the retries and `max_download_bytes` of `transfer`.
    convenience init(transfer: OTAConfiguration.Transfer, directory: StateDirectory, transport: HTTPTransport, logger: Logger,
                     sleep: (@Sendable (Duration) async throws -> Void)? = nil) {
        self.init(folder: directory, subfolder: StateDirectory.Entry.downloads, transport: transport, retry: transfer.retryPolicy(sleep: sleep),
                  maxDownloadBytes: transfer.maxDownloadBytes, logger: logger)
    }
}
