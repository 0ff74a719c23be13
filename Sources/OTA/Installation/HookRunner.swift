import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Runs the configuration's hook commands (`pre_update`, `post_update`, `restart_command`, `health_check`).
///
/// Each runs as `sh -c COMMAND` in `install_dir`, in its own process group, with stdin from `/dev/null`,
/// the agent's environment plus `OTA_FROM_VERSION`, `OTA_TO_VERSION` (plain versions, no `v`) and
/// `OTA_INSTALL_DIR`, without its secrets (``hookEnvironment(from:)``). Its output (stdout and stderr)
/// goes to the log, line by line. A command still running at its time-out gets SIGTERM, then SIGKILL
/// two seconds later — the whole process group, so that children it started go too.
public struct HookRunner: Sendable {
    /// Which hook, for messages and logs.
    public enum Hook: String, Sendable {
        case preUpdate = "pre_update"
        case postUpdate = "post_update"
        case restart = "restart_command"
        case healthCheck = "health_check"

        /// The configuration key of the hook's time limit.
        public var timeoutKey: String { rawValue + "_timeout" }
    }

    /// Variables that hold or lead to a secret, removed from every hook's environment.
    public static let secretVariables: Set<String> = ["GITHUB_TOKEN", "CREDENTIALS_DIRECTORY", "OTA_SERVE_TOKEN"]

    /// The configured commands and their time-outs, for ``run(_:from:to:)``.
    public var hooks: OTAConfiguration.Hooks
    /// The folder hooks run in (`sh -c` with this working directory).
    public var installDirectory: String
    /// Secrets the agent holds: a variable whose value contains one (`github_token: ${MY_TOKEN}` makes
    /// `MY_TOKEN` one) is removed from hook environments as well.
    public var secrets: [Secret]
    /// The environment hooks start from, before it is scrubbed; the agent's own by default.
    public var baseEnvironment: [String: String]
    /// Where the hooks' output goes.
    public var logger: Logger

    /// A runner for the `hooks` of the installation in `installDirectory`; `secrets` (the token) and the fixed
    /// ``secretVariables`` are kept out of their environment, which starts from `baseEnvironment`.
    public init(hooks: OTAConfiguration.Hooks = OTAConfiguration.Hooks(), installDirectory: String, secrets: [Secret] = [],
                baseEnvironment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger = Logger(label: "ota.hooks")) {
        self.hooks = hooks
        self.installDirectory = installDirectory
        self.secrets = secrets
        self.baseEnvironment = baseEnvironment
        self.logger = logger
    }

    /// `environment` without ``secretVariables`` and without any variable whose value is one of
    /// ``secrets`` or, for secrets of 8 characters or more, contains one.
    public func hookEnvironment(from environment: [String: String]) -> [String: String] {
        let values = secrets.map(\.value).filter { !$0.isEmpty }
        return environment.filter { name, value in
            !Self.secretVariables.contains(name) && !values.contains { value == $0 || ($0.count >= 8 && value.contains($0)) }
        }
    }

    /// Runs the command configured for `hook` with its time-out; does nothing when none is configured.
    ///
    /// - Throws: ``HookError`` naming the hook, the exit status or the time-out, and the last output line.
    public func run(_ hook: Hook, from: SemanticVersion, to: SemanticVersion) async throws(HookError) {
        guard let command = hooks.command(for: hook) else { return }
        try await run(hook, command: command, from: from, to: to, timeout: hooks.timeout(for: hook))
    }

    /// Runs `command`; returns normally only when it exits 0 within `timeout`.
    ///
    /// - Throws: ``HookError`` naming the hook, the exit status or the time-out, and the last output line.
    public func run(_ hook: Hook, command: String, from: SemanticVersion, to: SemanticVersion, timeout: Duration) async throws(HookError) {
        var environment = hookEnvironment(from: baseEnvironment)
        environment["OTA_FROM_VERSION"] = from.description
        environment["OTA_TO_VERSION"] = to.description
        environment["OTA_INSTALL_DIR"] = installDirectory
        logger.info("running hook", metadata: ["ota.hook": "\(hook.rawValue)", "ota.command": "\(command)"])
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(["/bin/sh", "-c", command], directory: installDirectory, environment: environment)
        } catch {
            throw HookError(hook: hook, code: .couldNotStart, "\(hook.rawValue) could not be started: \(error.message)")
        }
        let outcome = await child.wait(timeout: timeout)
        let output = await child.collectedOutput()
        for line in output.split(separator: "\n", omittingEmptySubsequences: true).suffix(200) {
            logger.info("hook output", metadata: ["ota.hook": "\(hook.rawValue)", "ota.line": "\(line)"])
        }
        let lastLine = output.split(separator: "\n").last.map { ": \($0.prefix(200))" } ?? ""
        switch outcome {
        case .exited(0):
            return
        case .exited(let status):
            throw HookError(hook: hook, code: .failed, "\(hook.rawValue) failed with exit status \(status)\(lastLine)", status: status)
        case .signaled(let signal):
            throw HookError(hook: hook, code: .failed, "\(hook.rawValue) was killed by signal \(signal)\(lastLine)")
        case .cancelled:
            throw HookError(hook: hook, code: .cancelled, "\(hook.rawValue) was stopped because the agent is shutting down")
        case .timedOut:
            throw HookError(hook: hook, code: .timedOut, "\(hook.rawValue) did not finish within \(timeout.components.seconds) s and was stopped (raise \(hook.timeoutKey) if it needs longer)\(lastLine)")
        }
    }
}

/// A hook command that failed, timed out or could not start.
public struct HookError: OTAError {
    public enum Code: Sendable, Hashable {
        case couldNotStart
        case failed
        case timedOut
        /// The agent shut down while the hook ran.
        case cancelled
    }

    public let hook: HookRunner.Hook
    public let code: Code
    public let message: String
    /// The exit status, when the command exited.
    public var status: Int32?

    public init(hook: HookRunner.Hook, code: Code, _ message: String, status: Int32? = nil) {
        self.hook = hook
        self.code = code
        self.message = message
        self.status = status
    }
}
