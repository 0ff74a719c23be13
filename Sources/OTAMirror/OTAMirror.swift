import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// A GitHub-compatible release server for a directory of releases (`ota serve`).
///
/// `ROOT/OWNER/REPO/TAG/` holds one release: an optional `release.json`, an optional `source.tar.gz`
/// (the tarball) and its assets. The mirror answers `GET /repos/O/R` (the repository),
/// `…/releases` (paginated), `…/releases/latest`, `…/releases/tags/TAG`, `…/releases/ID`,
/// `…/releases/ID/assets` (paginated), `…/releases/assets/ID` (JSON, or the
/// bytes with `Accept: application/octet-stream`), `…/tarball/TAG` and
/// `/O/R/releases/download/TAG/NAME`, with GitHub's field names, strong ETags, `Range` and an
/// optional bearer token. The directory is re-read on each request, so releases can be added or
/// removed while it runs. Ids are derived from names and stay stable across restarts. Connections
/// that stall before or between requests are closed, and each client may hold only a few at once.
///
/// It is a ServiceLifecycle `Service`: run it in a `ServiceGroup`, call `runService()` to run it
/// until SIGINT/SIGTERM, or use `withRunning(_:)` to run code against it (tests, demos).
public struct OTAMirror: Service, Sendable {
    public let configuration: Configuration
    let catalog: ReleaseCatalog
    let boundAddress: BoundAddress
    /// Whether the root is served as plain static files (a TUF repository) rather than as a release API.
    let servesStaticFiles: Bool

    /// A mirror of `root`. Throws `MirrorError` if `root` is not a directory or the configuration is invalid.
    public init(root: String, configuration: Configuration = Configuration()) throws(MirrorError) {
        self.configuration = try configuration.validated()
        self.catalog = try ReleaseCatalog(root: root, logger: configuration.logger)
        self.boundAddress = BoundAddress(host: Self.reachableHost(configuration.host))
        self.servesStaticFiles = false
    }

    /// The resolved root directory being served.
    public var root: String { catalog.root }

    /// Runs the server until the task is cancelled or its `ServiceGroup` shuts down gracefully.
    public func run() async throws {
        try await listening { try await makeApplication().run() }
    }

    /// Runs the server until SIGINT or SIGTERM, then shuts down gracefully.
    public func runService() async throws {
        try await listening { try await makeApplication().runService(gracefulShutdownSignals: [.sigterm, .sigint]) }
    }

    /// Runs `server`, turning a failure before the server listens into a `MirrorError` naming the address.
    private func listening(_ server: () async throws -> Void) async throws {
        do {
            try await server()
        } catch {
            guard boundAddress.baseURL == nil else { throw error }
            let failure = MirrorError(.cannotListen, "Cannot listen on \(configuration.host):\(configuration.port) (\(error)); "
                + "choose another --host/--port or stop the program using it.")
            boundAddress.fail(failure)
            throw failure
        }
    }

    /// The TCP port the server listens on; waits until it is listening (useful with port 0).
    /// Throws `MirrorError` (`.cannotListen`) if the server failed to start.
    public func port() async throws -> Int {
        try await boundAddress.wait()
    }

    /// The URL clients use as `github_api_url` (`http://127.0.0.1:PORT` plus any path prefix);
    /// waits until the server is listening. A wildcard host (`0.0.0.0`, `::`) is shown as loopback.
    public func apiURL() async throws -> String {
        let port = try await port()
        if let publicBaseURL = configuration.publicBaseURL { return publicBaseURL + configuration.pathPrefix }
        return "http://\(BoundAddress.hostForURL(Self.reachableHost(configuration.host))):\(port)" + configuration.pathPrefix
    }

    /// Starts the server, runs `body` with its `github_api_url`, then shuts the server down.
    public func withRunning<Value: Sendable>(_ body: @Sendable (String) async throws -> Value) async throws -> Value {
        let group = ServiceGroup(configuration: .init(services: [self], logger: configuration.logger))
        return try await withThrowingTaskGroup(of: Value?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            do {
                let value = try await body(try await apiURL())
                await group.triggerGracefulShutdown()
                while let next = try await tasks.next() { if next != nil { break } }
                return value
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    func makeApplication() -> some ApplicationProtocol {
        let router = Router(context: MirrorRequestContext.self, options: [.autoGenerateHeadEndpoints])
        if !servesStaticFiles { router.add(middleware: GitHubHeadersMiddleware()) }
        if let token = configuration.token {
            router.add(middleware: TokenMiddleware(token: token))
        }
        if servesStaticFiles {
            StaticFileRoutes(catalog: catalog).register(on: router)
        } else {
            MirrorRoutes(catalog: catalog, configuration: configuration, boundAddress: boundAddress).register(on: router)
        }
        let bound = boundAddress
        let limiter = ClientConnectionLimiter(limit: configuration.maxConnectionsPerClient, released: configuration.connectionReleased)
        return Application(
            router: router,
            server: HTTPServerBuilder { responder in
                MirrorHTTPChannel(responder: responder, configuration: configuration, limiter: limiter)
            },
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                    serverName: "swift-ota-mirror"),
            onServerRunning: { channel in bound.resolve(port: channel.localAddress?.port ?? 0) },
            logger: configuration.logger
        )
    }

    /// `0.0.0.0` and `::` accept connections but are not addresses to connect to: use loopback in URLs.
    static func reachableHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "": return "127.0.0.1"
        case "::", "[::]": return "::1"
        default: return host
        }
    }
}
