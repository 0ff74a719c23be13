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
        /// How long `health_check` may take, and every hook without a timeout of its own (`health_check_timeout`).
        public var healthCheckTimeout: Duration = .seconds(60)
        /// How long `pre_update` may take (`pre_update_timeout`; `nil`: ``healthCheckTimeout``).
        public var preUpdateTimeout: Duration?
        /// How long `post_update` may take (`post_update_timeout`; `nil`: ``healthCheckTimeout``).
        public var postUpdateTimeout: Duration?
        /// How long `restart_command` may take (`restart_command_timeout`; `nil`: ``healthCheckTimeout``).
        public var restartCommandTimeout: Duration?

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

        /// How long `hook` may run: its own timeout key, else `health_check_timeout`.
        public func timeout(for hook: HookRunner.Hook) -> Duration {
            switch hook {
            case .preUpdate: preUpdateTimeout ?? healthCheckTimeout
            case .postUpdate: postUpdateTimeout ?? healthCheckTimeout
            case .restart: restartCommandTimeout ?? healthCheckTimeout
            case .healthCheck: healthCheckTimeout
            }
        }
    }
}
