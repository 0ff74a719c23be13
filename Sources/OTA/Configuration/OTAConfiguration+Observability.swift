extension OTAConfiguration {
    /// Where the agent's status API listens and its metrics file goes.
    ///
    /// Read by `ota run` (the ``StatusServer`` and the metrics text file) and `ota status`.
    public struct Observability: Sendable, Equatable {
        /// The status API's socket, relative to `install_dir` (`status_socket`); `nil`: `<state_dir>/ota.sock`;
        /// `none` turns the API off.
        public var statusSocket: String?
        /// A Prometheus text file rewritten after every cycle, relative to `install_dir` (`metrics_textfile`); `nil`: none.
        public var metricsTextfile: String?

        /// The status API at its default place, no metrics file.
        public init() {}
    }

    /// The absolute path of the status API's socket: `status_socket` (relative to `install_dir`), else
    /// `<state_dir>/ota.sock`; `nil` when `status_socket` is `none`.
    public var statusSocketPath: String? {
        guard let socket = observability.statusSocket else { return StateDirectory(installation: installation).statusSocketPath }
        return socket == "none" ? nil : Self.absolute(socket, against: installation.installDirectory)
    }

    /// The absolute path of `metrics_textfile` (relative to `install_dir`), if set.
    public var metricsTextfilePath: String? {
        observability.metricsTextfile.map { Self.absolute($0, against: installation.installDirectory) }
    }
}
