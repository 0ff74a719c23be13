/// Where the agent's status API listens and its metrics file goes (`status_socket`, `metrics_textfile`).
extension OTAConfiguration {
    /// The absolute path of the status API's socket: `status_socket` (relative to `install_dir`), else
    /// `<state_dir>/ota.sock`; `nil` when `status_socket` is `none`.
    public var statusSocketPath: String? {
        guard let statusSocket else { return stateDirectory + "/ota.sock" }
        return statusSocket == "none" ? nil : Self.absolute(statusSocket, against: installDirectory)
    }

    /// The absolute path of `metrics_textfile` (relative to `install_dir`), if set.
    public var metricsTextfilePath: String? { metricsTextfile.map { Self.absolute($0, against: installDirectory) } }
}
