extension OTAConfiguration {
    /// The commands run around an update (`sh -c`, in `install_dir`), and how long they may take.
    ///
    /// Read by ``HookRunner``.
    public struct Hooks: Sendable, Equatable {
        /// Run before anything changes; a non-zero exit cancels the update (`pre_update`).
        public var preUpdate: String?
        /// Run after the new version is in place, before the restart (`post_update`).
        public var postUpdate: String?
        /// Run after applying, and after a rollback (`restart_command`).
        public var restartCommand: String?
        /// Run after the restart; a non-zero exit or a time-out rolls the update back (`health_check`).
        public var healthCheck: String?
        /// How long each hook may take (`health_check_timeout`).
        public var healthCheckTimeout: Duration = .seconds(60)

        /// No hooks.
        public init() {}

        /// The command configured for `hook`, if any.
        public func command(for hook: HookRunner.Hook) -> String? {
            switch hook {
            case .preUpdate: preUpdate
            case .postUpdate: postUpdate
            case .restart: restartCommand
            case .healthCheck: healthCheck
            }
        }

        /// How long `hook` may run: `health_check_timeout`, for every hook.
        public func timeout(for hook: HookRunner.Hook) -> Duration {
            healthCheckTimeout
        }
    }
}
