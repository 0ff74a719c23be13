import Foundation
import Logging
import NIOHTTP1
import Synchronization

/// Releases from GitHub's REST API, GitHub Enterprise (`https://host/api/v3`), Gitea or Forgejo
/// (`https://host/api/v1`) or an `ota serve` mirror.
///
/// Lists `GET /repos/{owner}/{repo}/releases` page by page (following `Link: rel="next"`), because
/// `/releases/latest` is ordered by creation date, not by version. The first page is requested with
/// `If-None-Match`; a `304 Not Modified` reuses the cached list and, when authorized, costs no
/// rate-limit quota. Failed requests are retried. A rate limit fails with its reset time
/// (``TransferError/retryAfter``), and this source sends no request before it; ``OTAUpdater`` keeps that
/// time in `state.json`, so that no later run asks before it either. The list is read up to
/// 4 MiB of JSON across all pages: pages past that are left out with a warning, and a
/// first page larger than that is refused.
public final class GitHubReleaseSource: ReleaseSource {
    /// Pages fetched at most (100 releases each).
    static let maxPages = 20
    /// The most JSON read for one release list, all pages together.
    static let maxListBytes = 4 << 20
    /// The GitHub API version this client speaks.
    static let apiVersion = "2022-11-28"

    let repository: String
    let apiRoot: URL
    let transport: HTTPTransport
    let retry: RetryPolicy
    /// The `state_dir` whose `cache/releases.json` keeps the last list and its ETag.
    let directory: StateDirectory?
    /// Chooses each release's artifact and fetches what proves it.
    let assets: ReleaseAssets
    let logger: Logger
    /// The reset time of the last rate limit, before which this source sends no request.
    private let notBefore = Mutex<Date?>(nil)

    init(repository: String, apiRoot: URL, transport: HTTPTransport, retry: RetryPolicy, directory: StateDirectory?, assets: ReleaseAssets, logger: Logger) {
        self.repository = repository
        self.apiRoot = apiRoot
        self.transport = transport
        self.retry = retry
        self.directory = directory
        self.assets = assets
        self.logger = logger
    }

    /// The URL of the first page of the release list.
    var listURL: URL {
        let base = apiRoot.absoluteString.hasSuffix("/") ? String(apiRoot.absoluteString.dropLast()) : apiRoot.absoluteString
        return URL(string: "\(base)/repos/\(repository)/releases?per_page=100")!
    }

    public func releases() async throws -> [Release] {
        try await fetchReleases().compactMap { Self.release(from: $0, logger: logger) }
            .sorted { $0.version > $1.version }
    }

    /// The asset matching `asset_pattern`, else the source tarball.
    public func artifact(for release: Release) throws(SelectionError) -> Artifact {
        try assets.artifact(for: release)
    }

    /// The release's checksums file and, with a public key, the signatures; an error without a key unless `allow_unsigned`.
    public func proof(for artifact: Artifact) async throws -> ArtifactProof {
        try await assets.proof(for: artifact)
    }

    /// Without a key, an error unless `allow_unsigned` (no request is sent).
    public func requireProofPossible() throws {
        _ = try assets.verifier()
    }

    /// The raw release objects, from the network or, after a 304, from the cache.
    func fetchReleases() async throws(TransferError) -> [ReleaseEntry] {
        let first = listURL
        if let until = RateLimit.pending(notBefore.withLock { $0 }) {
            throw RateLimit.error(repository: repository, until: until, authenticated: transport.configuration.token != nil)
        }
        var cache = directory.map { ReleaseListCache.load(from: $0, url: first.absoluteString, logger: logger) } ?? ReleaseListCache(url: first.absoluteString)
        var all: [ReleaseEntry] = []
        var next: URL? = first
        var page = 0
        var budget = Self.maxListBytes
        while let url = next {
            page += 1
            guard page <= Self.maxPages else {
                logger.warning("release list truncated", metadata: ["ota.pages": "\(Self.maxPages)"])
                break
            }
            let etag = page == 1 ? cache.etag : nil
            let answer: PageAnswer
            do {
                answer = try await fetchPage(url, etag: etag, limit: budget)
            } catch where error.code == .responseTooLarge && page > 1 {
                logger.warning("release list truncated", metadata: ["ota.pages": "\(page - 1)", "ota.bytes": "\(Self.maxListBytes)"])
                break
            } catch where error.code == .rateLimited {
                notBefore.withLock { $0 = error.retryAfter }
                throw error
            }
            notBefore.withLock { $0 = nil }
            switch answer {
            case .notModified:
                logger.debug("release list not modified", metadata: ["ota.repo": "\(repository)"])
                return cache.releases
            case .page(let releases, let link, let newETag, let size):
                all += releases
                budget -= size
                if page == 1 { cache.etag = newETag }
                next = link
            }
        }
        cache.releases = all
        saveCache(cache)
        return all
    }

    private enum PageAnswer {
        case notModified
        case page([ReleaseEntry], next: URL?, etag: String?, bytes: Int)
    }

    private func fetchPage(_ url: URL, etag: String?, limit: Int) async throws(TransferError) -> PageAnswer {
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: "application/vnd.github+json")
        headers.add(name: "X-GitHub-Api-Version", value: Self.apiVersion)
        if let etag { headers.add(name: "If-None-Match", value: etag) }
        return try await retry.run(onRetry: { error, attempt, wait in
            logger.warning("retrying release list", metadata: ["ota.attempt": "\(attempt)", "ota.error": "\(error.message)", "ota.wait": "\(wait)"])
        }) { _ throws(TransferError) in
            let response = try await transport.get(url, headers: headers)
            return try await interpret(response, etag: etag, limit: limit)
        }
    }

    private func interpret(_ response: HTTPTransport.Response, etag: String?, limit: Int) async throws(TransferError) -> PageAnswer {
        let status = response.status
        if status == 304, etag != nil { return .notModified }
        if let until = RateLimit.nextAllowed(status: status, headers: response.headers) {
            let error = RateLimit.error(repository: repository, until: until, authenticated: transport.configuration.token != nil, status: status)
            if until.timeIntervalSinceNow <= RateLimit.shortWait {
                // A short wait is waited out by the retry loop.
                throw TransferError(.httpStatus, error.message, status: 429, retryAfter: until)
            }
            throw error
        }
        let body: Data
        do {
            body = try await HTTPTransport.collect(response.body, limit: limit, url: response.url)
        } catch where error.code == .responseTooLarge {
            throw TransferError(.responseTooLarge, "the release list of \(repository) from \(response.url.host ?? "the server") is larger than \(Self.maxListBytes) bytes of JSON; refusing it", status: status)
        }
        switch status {
        case 200:
            do {
                let releases = try JSONDecoder().decode([ReleaseEntry].self, from: body)
                return .page(releases, next: Self.nextLink(response.headers), etag: response.headers.first(name: "etag"), bytes: body.count)
            } catch {
                throw TransferError(.invalidResponse, "the release list of \(repository) from \(response.url.host ?? "") is not the JSON GitHub sends: \(Self.describe(error))", status: status)
            }
        case 401:
            throw TransferError(.unauthorized, "\(response.url.host ?? "the server") refused the token for \(repository) (401 Bad credentials); check github_token", status: status)
        case 404:
            let hint = transport.configuration.token == nil ? "; for a private repository set github_token" : ""
            throw TransferError(.notFound, "repository \(repository) not found at \(apiRoot.absoluteString) (404)\(hint)", status: status)
        default:
            throw TransferError(.httpStatus, "\(response.url.host ?? "the server") answered HTTP \(status) for the release list of \(repository)", status: status)
        }
    }

    private func saveCache(_ cache: ReleaseListCache) {
        guard let directory else { return }
        do {
            try cache.save(to: directory)
        } catch {
            logger.warning("cannot save the release cache", metadata: ["ota.path": "\(directory.releaseListPath)", "ota.error": "\(error.message)"])
        }
    }

    /// The `rel="next"` URL of a `Link` header.
    package static func nextLink(_ headers: HTTPHeaders) -> URL? {
        guard let link = headers.first(name: "link") else { return nil }
        for part in link.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count >= 2, pieces.dropFirst().contains(where: { $0 == "rel=\"next\"" || $0 == "rel=next" }),
                  pieces[0].hasPrefix("<"), pieces[0].hasSuffix(">") else { continue }
            return URL(string: String(pieces[0].dropFirst().dropLast()))
        }
        return nil
    }

    /// A ``Release`` for a release object, or `nil` (with a warning) when its tag is not SemVer.
    package static func release(from json: ReleaseEntry, logger: Logger) -> Release? {
        guard let version = SemanticVersion(tag: json.tagName) else {
            logger.warning("skipping release whose tag is not a semantic version", metadata: ["ota.tag": "\(json.tagName)"])
            return nil
        }
        let published = json.publishedAt.flatMap { UTCTime.date(iso8601: $0) }
        let assets = json.assets.map {
            ReleaseAsset(id: $0.id, name: $0.name, size: $0.size, digest: $0.digest, apiURL: $0.downloadURL,
                         browserDownloadURL: $0.browserDownloadURL, contentType: $0.contentType)
        }
        return Release(tag: json.tagName, version: version, name: json.name, notes: json.body, publishedAt: published,
                       isPrerelease: json.prerelease || version.isPrerelease, isDraft: json.draft, htmlURL: json.htmlURL,
                       tarballURL: json.tarballURL, assets: assets)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted: "invalid JSON"
        default: "\(error)"
        }
    }
}

extension GitHubReleaseSource {
    /// A source for `configuration`: the repository, API URL, token and release assets of its `source` part,
    /// the time-outs and retries of its `transfer` part.
    ///
    /// Call ``shutdown()`` when done with it.
    public convenience init(configuration: OTAConfiguration, logger: Logger = Logger(label: "ota.source")) throws(TransferError) {
        let transport = HTTPTransport(transfer: configuration.transfer, source: configuration.source, logger: logger)
        self.init(source: configuration.source, transfer: configuration.transfer, directory: StateDirectory(installation: configuration.installation),
                  installDirectory: configuration.installation.installDirectory, transport: transport, logger: logger)
    }

    /// A source for `source` (a relative `public_key_file` in `installDirectory`), caching into `directory`,
    /// retrying and fetching companion files as `transfer` says.
    convenience init(source: OTAConfiguration.Source, transfer: OTAConfiguration.Transfer, directory: StateDirectory, installDirectory: String,
                     transport: HTTPTransport, logger: Logger, sleep: (@Sendable (Duration) async throws -> Void)? = nil) {
        let companions = Downloader(transfer: transfer, directory: directory, transport: transport, logger: logger, sleep: sleep)
        self.init(repository: source.githubRepo, apiRoot: source.githubAPIURL, transport: transport,
                  retry: transfer.retryPolicy(sleep: sleep), directory: directory,
                  assets: ReleaseAssets(source: source, installDirectory: installDirectory, fetch: { asset in try await companions.fetchCompanion(asset) }),
                  logger: logger)
    }

    /// Closes the source's connections.
    public func shutdown() async {
        await transport.shutdown()
    }
}

extension HTTPTransport {
    /// A transport with the time-outs, rate floor and HTTP policy of `transfer`, and the token of `source`
    /// (sent to the origin of its API URL only).
    convenience init(transfer: OTAConfiguration.Transfer, source: OTAConfiguration.Source, logger: Logger) {
        var settings = Configuration()
        // Beyond 68 years a time-out means "none"; capping keeps the arithmetic on durations in range.
        let timeout = min(transfer.downloadTimeout, .seconds(Int32.max))
        settings.idleTimeout = timeout
        settings.minimumRate = transfer.minDownloadRate
        settings.rateWindow = timeout * 6
        settings.headTimeout = timeout * 6
        settings.redirectPolicy = RedirectPolicy(maxRedirects: 5, allowInsecureHTTP: transfer.allowInsecureHTTP)
        settings.apiOrigin = RedirectPolicy.origin(of: source.githubAPIURL)
        settings.token = source.githubToken
        self.init(configuration: settings, logger: logger)
    }
}
