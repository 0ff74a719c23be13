extension OTAConfiguration {
    /// How requests and downloads behave on the network: time-outs, retries, size and rate limits, and
    /// whether plain `http://` is allowed.
    ///
    /// Read by the HTTP transport, ``Downloader`` and the release sources (their ``RetryPolicy``); ``CheckSchedule``
    /// also backs off from ``retryDelay`` after a failed check.
    public struct Transfer: Sendable, Equatable {
        /// No byte received for this long fails a request or download attempt (`download_timeout`).
        public var downloadTimeout: Duration = .seconds(30)
        /// Retries of a failed request or download (`max_retries`).
        public var maxRetries = 3
        /// The delay before the first retry; later ones back off exponentially, with jitter (`retry_delay`).
        public var retryDelay: Duration = .seconds(5)
        /// Largest download without an announced size (the source tarball), in bytes (`max_download_bytes`).
        public var maxDownloadBytes = 2 << 30
        /// Lowest average transfer rate in bytes per second over `download_timeout × 6`; 0: no floor (`min_download_rate`).
        public var minDownloadRate = 1024
        /// Whether `http://` may be used for hosts other than loopback (`allow_insecure_http`).
        public var allowInsecureHTTP = false
        /// Fetch only the changed files when the release publishes a delta index, falling back to the full
        /// archive on any failure but a hostile index (`delta`).
        public var delta = true

        /// Every key at its default.
        public init() {}

        /// The retry policy of `max_retries` and `retry_delay`; `sleep`, when given, waits between attempts.
        func retryPolicy(sleep: (@Sendable (Duration) async throws -> Void)? = nil) -> RetryPolicy {
            var policy = RetryPolicy(maxRetries: maxRetries, baseDelay: retryDelay)
            if let sleep { policy.sleep = sleep }
            return policy
        }
    }
}
