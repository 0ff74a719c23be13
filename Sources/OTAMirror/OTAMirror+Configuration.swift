import Logging

extension OTAMirror {
    /// How the mirror listens and answers. Every value has a default.
    public struct Configuration: Sendable {
        /// Address to bind; `127.0.0.1` keeps the mirror local, `0.0.0.0` serves a LAN.
        public var host: String
        /// TCP port; 0 picks any free port (learn it from `OTAMirror.Server.port`).
        public var port: Int
        /// When set, every request needs `Authorization: Bearer <token>` (or `token <token>`):
        /// no credentials → 404, wrong ones → 401, like a private GitHub repository.
        public var token: String?
        /// The base URL written into JSON answers (`https://mirror.example`); by default it is
        /// `http://` + the request's `Host` header, so clients get URLs they can reach.
        public var publicBaseURL: String?
        /// A prefix for the REST endpoints, e.g. `/api/v3` to look like GitHub Enterprise. Downloads
        /// (`/OWNER/REPO/releases/download/…`) stay at the root, as on GitHub Enterprise.
        public var pathPrefix: String
        /// How long a client may take to send a complete request head, counted from the moment the
        /// connection opens (or, on a kept-alive connection, from the first byte of the next request).
        /// A connection that is silent or sends a partial head for longer is closed.
        public var requestHeaderTimeout: Duration
        /// How long a kept-alive connection may wait for its next request after a response ended.
        public var idleTimeout: Duration
        /// The most connections one client (remote IP address) may hold open at once; a connection
        /// beyond it is closed as soon as it is accepted.
        public var maxConnectionsPerClient: Int
        public var logger: Logger
        /// Called after the server closed a connection and released its slot in the per-client cap.
        var connectionReleased: (@Sendable () -> Void)?

        public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, publicBaseURL: String? = nil,
                    pathPrefix: String = "", requestHeaderTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60),
                    maxConnectionsPerClient: Int = 32, logger: Logger = Logger(label: "ota.mirror")) {
            self.host = host
            self.port = port
            self.token = token
            self.publicBaseURL = publicBaseURL
            self.pathPrefix = pathPrefix
            self.requestHeaderTimeout = requestHeaderTimeout
            self.idleTimeout = idleTimeout
            self.maxConnectionsPerClient = maxConnectionsPerClient
            self.logger = logger
        }

        /// The longest request-header or idle timeout accepted: one day.
        static let longestTimeout = Duration.seconds(86_400)

        /// Checks the values and normalises the prefix (`api/v3/` → `/api/v3`) and base URL (no trailing `/`).
        func validated() throws(MirrorError) -> Configuration {
            var copy = self
            guard (0...65535).contains(port) else {
                throw MirrorError(.invalidConfiguration, "The port \(port) is not between 0 and 65535; pass a valid --port.")
            }
            if let token, token.isEmpty || token.contains(where: \.isWhitespace) {
                throw MirrorError(.invalidConfiguration, "The token is empty or contains whitespace; pass a single word as the token.")
            }
            for (name, timeout) in [("request header", requestHeaderTimeout), ("idle", idleTimeout)]
            where timeout <= .zero || timeout > Self.longestTimeout {
                throw MirrorError(.invalidConfiguration, "The \(name) timeout \(timeout) is not between 0 and 1 day; "
                    + "pass a number of seconds greater than 0 and at most 86400.")
            }
            guard maxConnectionsPerClient > 0 else {
                throw MirrorError(.invalidConfiguration, "The connection limit per client must be at least 1; "
                    + "pass a positive --max-connections-per-client.")
            }
            let parts = pathPrefix.split(separator: "/")
            guard parts.allSatisfy({ $0 != ".." && $0 != "." && !$0.contains("?") && !$0.contains("%") }) else {
                throw MirrorError(.invalidConfiguration, "The path prefix \(pathPrefix) may only contain plain path segments like /api/v3.")
            }
            copy.pathPrefix = parts.isEmpty ? "" : "/" + parts.joined(separator: "/")
            if let base = publicBaseURL {
                guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
                    throw MirrorError(.invalidConfiguration, "The public base URL \(base) must start with http:// or https://.")
                }
                copy.publicBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
            }
            return copy
        }
    }
}
