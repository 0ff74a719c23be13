import Foundation
import Yams

extension OTAConfiguration {
    /// Where the configuration file is: `explicitPath` (`--config`), else `$OTA_CONFIG`,
    /// else `config/ota_config.yaml` under the working directory.
    public static func resolvePath(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicitPath, !explicitPath.isEmpty { return explicitPath }
        if let fromEnvironment = environment["OTA_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return "config/ota_config.yaml"
    }

    /// Loads, substitutes and validates a YAML configuration file.
    ///
    /// ```swift
    /// let config = try OTAConfiguration.load(from: "config/ota_config.yaml")
    /// ```
    ///
    /// - Parameters:
    ///   - path: the file; relative paths are taken from `workingDirectory`.
    ///   - environment: variables for `${VAR}`; by default the process environment plus `.env`
    ///     in the working directory.
    ///   - workingDirectory: what `install_dir` and a relative `path` are relative to.
    /// - Throws: ``ConfigurationError`` naming the file and the key.
    public static func load(
        from path: String,
        environment: ConfigurationEnvironment? = nil,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigurationError) -> OTAConfiguration {
        let filePath = absolute(path, against: workingDirectory)
        guard FileManager.default.fileExists(atPath: filePath) else {
            throw ConfigurationError(.fileNotFound, "configuration file \(filePath) not found; pass --config PATH, set OTA_CONFIG, or create config/ota_config.yaml")
        }
        try checkTrusted(filePath, what: "the configuration file")
        guard let data = FileManager.default.contents(atPath: filePath), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadableFile, "cannot read the configuration file \(filePath) as UTF-8 text; check its permissions")
        }
        let variables: ConfigurationEnvironment
        if let environment {
            variables = environment
        } else {
            try checkTrusted(workingDirectory + "/.env", what: "the .env file")
            variables = try ConfigurationEnvironment.current(dotEnvPath: workingDirectory + "/.env")
        }
        var configuration = try parse(yaml: text, environment: variables, fileName: filePath)
        configuration.installation.installDir = absolute(configuration.installation.installDir, against: workingDirectory)
        configuration.sourceFile = filePath
        return configuration
    }

    /// Parses and validates configuration YAML (paths are left as written).
    ///
    /// Error messages never quote the `GITHUB_TOKEN` of `environment`, even when it was substituted
    /// into a key where it does not belong.
    public static func parse(yaml text: String, environment: ConfigurationEnvironment, fileName: String = "configuration") throws(ConfigurationError) -> OTAConfiguration {
        do {
            return try parseUnredacted(yaml: text, environment: environment, fileName: fileName)
        } catch {
            guard let token = environment.variables["GITHUB_TOKEN"].map(Secret.init) else { throw error }
            throw ConfigurationError(error.code, key: error.key, token.redacting(in: error.message))
        }
    }

    private static func parseUnredacted(yaml text: String, environment: ConfigurationEnvironment, fileName: String) throws(ConfigurationError) -> OTAConfiguration {
        let root: Node?
        do {
            // The basic resolver tags every scalar as a string; each key reads its own type. Yams'
            // default resolver compiles NSRegularExpressions, which loads ICU's regex engine and
            // Unicode tables: about 6 MB of resident memory and milliseconds on every start.
            root = try Yams.compose(yaml: text, .basic)
        } catch {
            let firstLine = String(describing: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            throw ConfigurationError(.syntax, "\(fileName) is not valid YAML: \(firstLine)")
        }
        var configuration = OTAConfiguration(githubRepo: "")
        var seen: Set<String> = []
        if let root {
            guard case .mapping(let mapping) = root else {
                throw ConfigurationError(.syntax, "\(fileName) must be a mapping of keys to values (key: value lines)")
            }
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw ConfigurationError(.syntax, "\(fileName): every key must be a plain name")
                }
                let key = keyScalar.string
                guard let definition = Self.keyTable[key] else {
                    let hint = ConfigurationKeys.suggestion(for: key).map { "; did you mean '\($0)'?" } ?? "; see docs/configuration.md for the keys"
                    throw ConfigurationError(.unknownKey, key: key, "unknown configuration key '\(key)' in \(fileName)\(hint)")
                }
                let value = ConfigurationValue(key: key, node: valueNode, environment: environment)
                seen.insert(key)
                if value.isNull { continue }
                try definition.read(&configuration, value)
            }
        }
        if !seen.contains("github_token") {
            configuration.source.githubToken = try tokenFromFiles(source: configuration.source, environment: environment)
                ?? environment.variables["GITHUB_TOKEN"].flatMap { $0.isEmpty ? nil : Secret($0) }
        }
        guard !configuration.source.githubRepo.isEmpty || configuration.source.kind == .tuf else {
            throw ConfigurationError(.missingKey, key: "github_repo", "github_repo is required in \(fileName): set it to the repository to watch, e.g. github_repo: owner/repo")
        }
        try configuration.validate()
        return configuration
    }

    /// The token from `github_token_file`, else from systemd's `$CREDENTIALS_DIRECTORY/github_token`
    /// (`LoadCredential=github_token:…`), trimmed of surrounding white space.
    static func tokenFromFiles(source: Source, environment: ConfigurationEnvironment) throws(ConfigurationError) -> Secret? {
        var candidates: [(path: String, required: Bool)] = []
        if let file = source.githubTokenFile {
            candidates.append((absolute(file, against: FileManager.default.currentDirectoryPath), true))
        }
        if let credentials = environment.variables["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            candidates.append((credentials + "/github_token", false))
        }
        for candidate in candidates {
            guard FileManager.default.fileExists(atPath: candidate.path) else {
                if candidate.required {
                    throw ConfigurationError(.invalidValue, key: "github_token_file", "github_token_file \(candidate.path) does not exist; create it (mode 0600) or remove the key")
                }
                continue
            }
            if candidate.required { try checkPrivate(tokenFile: candidate.path) }
            guard let data = FileManager.default.contents(atPath: candidate.path), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(.unreadableFile, key: "github_token_file", "cannot read the token file \(candidate.path); check its owner and permissions")
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return Secret(token) }
        }
        return nil
    }

    /// Refuses a file that decides what runs (hooks, keys, paths) when another user could change it:
    /// it must belong to root or the running user, and neither it nor a folder above it may be writable by
    /// group or others, as OpenSSH's `StrictModes` asks of `~/.ssh`.
    static func checkTrusted(_ path: String, what: String) throws(ConfigurationError) {
        do {
            try PathTrust.checkFile(path)
        } catch {
            throw ConfigurationError(.untrustedFile, "\(what) \(path) cannot be trusted: \(error.path) \(error.reason)")
        }
    }

    /// Refuses a token file that group or others may read or write, as OpenSSH refuses such a private key.
    static func checkPrivate(tokenFile path: String) throws(ConfigurationError) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        guard info.st_mode & 0o077 == 0 else {
            throw ConfigurationError(.invalidValue, key: "github_token_file",
                                     "github_token_file \(path) is accessible by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run 'chmod 600 \(path)'")
        }
    }
}
