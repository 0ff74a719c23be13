import Foundation

extension OTAConfiguration {
    /// The installation being updated: where it is, how an update is laid onto it, and where its state and
    /// backups go.
    ///
    /// Read by the installers (``makeInstaller(configuration:logger:)``), ``StateDirectory``, the journal,
    /// ``BackupStore`` and the `VERSION` file's ``VersionManager``.
    ///
    /// Relative paths: ``installDir`` is relative to the working directory (made absolute when a file is
    /// loaded); the other paths are relative to ``installDir``.
    public struct Installation: Sendable, Equatable {
        /// How an update is laid onto the disk (`layout`).
        public enum Layout: String, Sendable, CaseIterable {
            /// The original layout: each managed path in `install_dir` is swapped by rename.
            case inPlace = "in_place"
            /// `install_dir/releases/<version>/` plus a `current` symlink swapped atomically.
            case releases
        }

        /// The installation being updated (`install_dir`).
        public var installDir = "."
        /// The `VERSION` file, relative to ``installDir`` (`version_file`).
        public var versionFile = "VERSION"
        /// The installation layout (`layout`).
        public var layout: Layout = .inPlace
        /// What a backup holds and an `in_place` update replaces, relative to ``installDir`` (`managed_paths`).
        public var managedPaths = ["src", "config", "VERSION"]
        /// Files carried from the current install into the new one, relative to ``installDir`` (`preserve_paths`).
        public var preservePaths: [String] = []
        /// State, journal, downloads, staging and log; `nil` means `<install_dir>/.ota` (`state_dir`).
        public var stateDir: String?
        /// Whether to back up the installation before applying (`backup_enabled`).
        public var backupEnabled = true
        /// Where backups go; `nil` means `<state_dir>/backups` (`backup_path`).
        public var backupPath: String?
        /// How many of the newest backups are kept; 0 keeps none after a successful update (`max_backups`).
        public var maxBackups = 3

        /// An installation in the working directory with every key at its default.
        public init() {}

        /// ``installDir`` as an absolute path (relative to the working directory).
        public var installDirectory: String { OTAConfiguration.absolute(installDir, against: FileManager.default.currentDirectoryPath) }
        /// The absolute path of the installed `VERSION` file: `install_dir/<version_file>` for `in_place`,
        /// `install_dir/current/<version_file>` for `releases`.
        public var versionFilePath: String {
            switch layout {
            case .inPlace: OTAConfiguration.absolute(versionFile, against: installDirectory)
            case .releases: OTAConfiguration.absolute("current/" + versionFile, against: installDirectory)
            }
        }
        /// The absolute state directory.
        public var stateDirectory: String { OTAConfiguration.absolute(stateDir ?? ".ota", against: installDirectory) }
        /// The absolute backup directory (`<state_dir>/backups` by default).
        public var backupDirectory: String {
            backupPath.map { OTAConfiguration.absolute($0, against: installDirectory) } ?? StateDirectory(path: stateDirectory).backupPath
        }
    }
}
