import Foundation
import Logging

/// What an update leaves behind for `ota status` and for the next update: `state.json` (checks, the last
/// update, the version floor) and the lines of `ota.log`.
struct UpdateRecords: Sendable {
    let directory: StateDirectory
    let logger: Logger

    var store: StateStore { StateStore(directory: directory, logger: logger) }

    /// The highest version ever installed, below which nothing installs without `--force` or
    /// `allow_downgrade`; `nil` when none is recorded.
    func versionFloor() -> SemanticVersion? {
        store.load().highestInstalledVersion.flatMap { SemanticVersion($0) }
    }

    /// Records a check: `last_check`, `latest_version`, `last_check_error` and any rate limit's reset time.
    func recordCheck(latest: SemanticVersion?, error: (any Error)?) {
        do {
            _ = try store.update { state in
                state.lastCheck = Date()
                state.lastCheckError = error?.localizedMessage
                if let latest { state.latestVersion = latest.description }
                if let transfer = error as? TransferError, transfer.code == .rateLimited {
                    state.rateLimitNextAllowed = transfer.retryAfter
                } else if error == nil {
                    state.rateLimitNextAllowed = nil
                }
            }
        } catch {
            logger.warning("cannot record the check in state.json", metadata: ["ota.error": "\(error.message)"])
        }
    }

    /// Records `status` as `last_update`; `installed` is the version now in place when a rollback restored one.
    func record(_ status: UpdateStatus, installed: SemanticVersion? = nil) {
        do {
            _ = try store.update { state in
                state.lastUpdate = status
                if let installed { state.currentVersion = installed.description }
                if status.result == .succeeded {
                    state.currentVersion = status.toVersion
                    state.highestInstalledVersion = SemanticVersion.highest(state.highestInstalledVersion, status.toVersion, status.fromVersion)
                }
            }
        } catch {
            logger.warning("cannot record the update in state.json", metadata: ["ota.error": "\(error.message)"])
        }
    }

    /// Appends one line to `ota.log`; a failure to write it never fails an update.
    func log(_ line: String) {
        try? UpdateLog(directory: directory).append(line)
    }
}

extension SemanticVersion {
    /// The highest of `versions` that parse, as text; `nil` when none does.
    static func highest(_ versions: String?...) -> String? {
        versions.compactMap { $0.flatMap { SemanticVersion($0) } }.max()?.description
    }
}

extension Error {
    /// The user-facing sentence of any error.
    var localizedMessage: String {
        if self is CancellationError || (self as? TransferError)?.underlying is CancellationError {
            return "stopped before the swap (the agent or program was shutting down); nothing was changed"
        }
        return (self as? any OTAError)?.message ?? "\(self)"
    }
}
