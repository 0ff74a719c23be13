/// What the agent is doing, as the status API, its events and the `ota_state` metric name it.
public enum AgentState: String, Sendable, Codable, CaseIterable {
    /// Nothing is running: between checks, or waiting for an install to be allowed.
    case idle
    /// Asking the release source for the newest release.
    case checking
    /// Fetching the release's proof and artifact.
    case downloading
    /// Checking the download against its size, hashes and signature.
    case verifying
    /// `pre_update`, extraction, backup, the swap, `post_update` and `restart_command`.
    case installing
    /// Running `health_check` on the new version.
    case healthCheck = "health_check"
    /// Putting the previous version back (an unhealthy update, or `rollback(to:)`).
    case rollingBack = "rolling_back"
}
