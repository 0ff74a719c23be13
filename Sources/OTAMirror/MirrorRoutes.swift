import Foundation
import Hummingbird
import OTA

/// The mirror's endpoints, each answering like GitHub's REST API.
///
/// Path parameters are percent-decoded and only ever looked up in the catalog (names that came from
/// directory listings), never joined into a file path, so `..`, `%2e%2e` or absolute names find nothing.
struct MirrorRoutes: Sendable {
    let catalog: ReleaseCatalog
    let configuration: OTAMirror.Configuration
    let boundAddress: BoundAddress
    let releaseCache = ReleaseJSONCache()
    var files: FileResponder { FileResponder(catalog: catalog) }

    func register(on router: Router<MirrorRequestContext>) {
        let api = configuration.pathPrefix.isEmpty ? router.group() : router.group(RouterPath(configuration.pathPrefix))
        api.get("/repos/:owner/:repo") { request, context in
            try withRepository(context) { repository in
                try MirrorResponse.json(GitHubRepositoryJSON(repository, urls: urls(for: request), isPrivate: configuration.token != nil),
                                        for: request)
            }
        }
        api.get("/repos/:owner/:repo/releases") { request, context in try list(request, context) }
        api.get("/repos/:owner/:repo/releases/latest") { request, context in
            try withRepository(context) { repository in
                guard let release = repository.latest else { return MirrorResponse.notFound }
                return try releaseJSON(release, repository, request)
            }
        }
        api.get("/repos/:owner/:repo/releases/tags/:tag") { request, context in
            try withRepository(context) { repository in
                guard let tag = Self.parameter("tag", context), let release = repository.release(tag: tag), !release.isDraft
                else { return MirrorResponse.notFound }
                return try releaseJSON(release, repository, request)
            }
        }
        api.get("/repos/:owner/:repo/releases/:id") { request, context in
            try withRepository(context) { repository in
                guard let id = Self.parameter("id", context).flatMap({ Int($0) }), let release = repository.release(id: id)
                else { return MirrorResponse.notFound }
                return try releaseJSON(release, repository, request)
            }
        }
        api.get("/repos/:owner/:repo/releases/:id/assets") { request, context in
            try withRepository(context) { repository in
                guard let id = Self.parameter("id", context).flatMap({ Int($0) }), let release = repository.release(id: id)
                else { return MirrorResponse.notFound }
                return try assetList(release, repository, request)
            }
        }
        api.get("/repos/:owner/:repo/releases/assets/:id") { request, context in try await asset(request, context) }
        api.get("/repos/:owner/:repo/tarball/:tag") { request, context in
            guard let repository = repository(context), let tag = Self.parameter("tag", context),
                  let release = repository.release(tag: tag), let tarball = release.tarball
            else { return MirrorResponse.notFound }
            return try await files.respond(to: request, context: context, file: tarball.file, sha256: tarball.sha256,
                                           contentType: "application/x-gzip",
                                           downloadName: "\(repository.repo)-\(release.tag).tar.gz")
        }
        router.get("/:owner/:repo/releases/download/:tag/:name") { request, context in
            guard let repository = repository(context), let tag = Self.parameter("tag", context),
                  let name = Self.parameter("name", context),
                  let release = repository.release(tag: tag), let asset = release.assets.first(where: { $0.name == name })
            else { return MirrorResponse.notFound }
            return try await files.respond(to: request, context: context, file: asset.file, sha256: asset.sha256,
                                           contentType: "application/octet-stream", downloadName: asset.name)
        }
    }

    private func list(_ request: Request, _ context: MirrorRequestContext) throws -> Response {
        try withRepository(context) { repository in
            let urls = urls(for: request)
            let (page, headers) = Self.page(of: repository.releases, listedAt: urls.releases(repository.owner, repository.repo), request)
            let encoded = try page.map { try releaseCache.data(for: $0, in: repository, urls: urls) }
            return MirrorResponse.json(data: ReleaseJSONCache.array(encoded), for: request, headers: headers)
        }
    }

    private func assetList(_ release: CatalogRelease, _ repository: CatalogRepository, _ request: Request) throws -> Response {
        let urls = urls(for: request)
        let listURL = urls.release(repository.owner, repository.repo, id: release.id) + "/assets"
        let (page, headers) = Self.page(of: release.assets, listedAt: listURL, request)
        let author = GitHubJSON.User(login: repository.owner, id: repository.ownerID, apiRoot: urls.api, webRoot: urls.web)
        return try MirrorResponse.json(page.map { GitHubJSON.Asset($0, of: release, in: repository, urls: urls, uploader: author) },
                                       for: request, headers: headers)
    }

    /// The page of `items` the request's `per_page`/`page` ask for, and its `Link` header when there are more pages.
    private static func page<Item>(of items: [Item], listedAt url: String, _ request: Request) -> (ArraySlice<Item>, HTTPFields) {
        let query = request.uri.queryParameters
        let pagination = Pagination(perPage: query.get("per_page"), page: query.get("page"))
        var headers: HTTPFields = [:]
        if let link = pagination.linkHeader(count: items.count, url: url) {
            headers[.init("Link")!] = link
        }
        return (pagination.slice(items), headers)
    }

    private func asset(_ request: Request, _ context: MirrorRequestContext) async throws -> Response {
        guard let repository = repository(context), let id = Self.parameter("id", context).flatMap({ Int($0) }),
              let found = repository.asset(id: id)
        else { return MirrorResponse.notFound }
        let (release, asset) = found
        if request.headers[.accept]?.lowercased().contains("application/octet-stream") == true {
            return try await files.respond(to: request, context: context, file: asset.file, sha256: asset.sha256,
                                           contentType: "application/octet-stream", downloadName: asset.name)
        }
        let urls = urls(for: request)
        let author = GitHubJSON.User(login: repository.owner, id: repository.ownerID, apiRoot: urls.api, webRoot: urls.web)
        return try MirrorResponse.json(GitHubJSON.Asset(asset, of: release, in: repository, urls: urls, uploader: author), for: request)
    }

    private func releaseJSON(_ release: CatalogRelease, _ repository: CatalogRepository, _ request: Request) throws -> Response {
        MirrorResponse.json(data: try releaseCache.data(for: release, in: repository, urls: urls(for: request)), for: request)
    }

    private func withRepository(_ context: MirrorRequestContext, _ body: (CatalogRepository) throws -> Response) throws -> Response {
        guard let repository = repository(context) else { return MirrorResponse.notFound }
        return try body(repository)
    }

    private func repository(_ context: MirrorRequestContext) -> CatalogRepository? {
        guard let owner = Self.parameter("owner", context), let repo = Self.parameter("repo", context) else { return nil }
        return catalog.repository(owner: owner, repo: repo)
    }

    private func urls(for request: Request) -> MirrorURLs {
        let base = MirrorURLs.base(publicBaseURL: configuration.publicBaseURL, host: request.head.authority,
                                   fallback: boundAddress.baseURL ?? "http://\(configuration.host):\(configuration.port)")
        return MirrorURLs(base: base, pathPrefix: configuration.pathPrefix)
    }

    /// A path parameter, percent-decoded; `nil` when absent or not decodable.
    static func parameter(_ name: String, _ context: MirrorRequestContext) -> String? {
        context.parameters.get(name)?.removingPercentEncoding
    }
}
