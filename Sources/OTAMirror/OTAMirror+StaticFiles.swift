extension OTAMirror {
    /// A server of the folder `staticRoot` as plain static files — a TUF repository made by
    /// `ota publish` (`ota serve --tuf DIR`) — with strong ETags, conditional requests and ranges,
    /// and the same timeouts, connection cap and optional token as the release mirror.
    /// Throws `MirrorError` if `staticRoot` is not a directory or the configuration is invalid.
    public init(staticRoot: String, configuration: Configuration = Configuration()) throws(MirrorError) {
        self.configuration = try configuration.validated()
        do {
            self.catalog = try ReleaseCatalog(root: staticRoot, logger: configuration.logger)
        } catch {
            throw MirrorError(.rootNotFound, "The folder \(staticRoot) does not exist or is not a directory; pass the repository folder that `ota publish init` made.")
        }
        self.boundAddress = BoundAddress(host: Self.reachableHost(configuration.host))
        self.servesStaticFiles = true
    }

    /// The URL the served folder is at (`http://127.0.0.1:PORT`); waits until the server is listening.
    public func baseURL() async throws -> String {
        try await apiURL()
    }
}
