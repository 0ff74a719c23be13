extension OTAConfiguration {
    /// When the background checker runs, whether it installs what it finds, and when installs may start.
    ///
    /// Read by ``CheckSchedule`` and ``UpdateService``; ``maintenance`` by ``InstallGate``.
    public struct Schedule: Sendable, Equatable {
        /// Time between background checks (`check_interval`).
        public var checkInterval: Duration = .seconds(3600)
        /// Random spread of the check interval, as a fraction: 0.1 = ±10 % (`check_jitter`).
        public var checkJitter = 0.1
        /// Whether the background checker applies the updates it finds (`auto_update`).
        public var autoUpdate = true
        /// The windows of the device's local time in which installs may start (`maintenance_window`); no
        /// windows: at any time. Checks and downloads happen outside them too.
        public var maintenance = MaintenanceSchedule()

        /// Every key at its default.
        public init() {}
    }
}
