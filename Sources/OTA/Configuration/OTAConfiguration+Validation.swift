import Foundation

extension OTAConfiguration {
    /// Checks every value's range and form, and the rules between keys; the error names the key and says
    /// what is allowed. Loading a file runs it; a configuration built in code should too.
    public func validate() throws(ConfigurationError) {
        func invalid(_ key: String, _ problem: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, key: key, "\(key) \(problem)")
        }
        if !source.githubRepo.isEmpty || source.kind != .tuf { try Self.validateRepository(source.githubRepo) }
        for key in Self.keys {
            if let problem = key.problem(self) { throw invalid(key.name, problem) }
        }
        try validateURL(source.githubAPIURL, key: "github_api_url", example: "https://api.github.com")
        try Self.validateRelativePath(installation.versionFile, key: "version_file")
        if installation.layout == .inPlace && installation.managedPaths.isEmpty {
            throw invalid("managed_paths", "must list at least one path for the in_place layout")
        }
        for path in installation.managedPaths { try Self.validateRelativePath(path, key: "managed_paths") }
        for path in installation.preservePaths { try Self.validateRelativePath(path, key: "preserve_paths") }
        if source.publicKey != nil && source.publicKeyFile != nil {
            throw invalid("public_key", "and public_key_file are both set; keep only one")
        }
        if let publicKey = source.publicKey { try Self.validatePublicKey(publicKey) }
        try validateTUF()
    }

    static func validateRepository(_ repository: String) throws(ConfigurationError) {
        let parts = repository.split(separator: "/", omittingEmptySubsequences: false)
        let ownerBytes = UInt8(ascii: "-")
        func isName(_ part: Substring, extra: [UInt8]) -> Bool {
            !part.isEmpty && part != "." && part != ".." && part.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || extra.contains(byte)
            }
        }
        guard parts.count == 2, isName(parts[0], extra: [ownerBytes]),
              isName(parts[1], extra: [ownerBytes, UInt8(ascii: "."), UInt8(ascii: "_")]) else {
            throw ConfigurationError(.invalidValue, key: "github_repo", "github_repo must be owner/repo (e.g. octocat/Hello-World), got '\(repository)'")
        }
    }

    /// `text` (the value of `key`) as an http(s) URL: absolute, with a host, without query or fragment.
    static func parseURL(_ text: String, key: String, example: String) throws(ConfigurationError) -> URL {
        // The host as written: URLComponents' host getters run it through ICU's IDNA (megabytes
        // resident for the agent's life); a percent-encoded or punycode host is never taken for loopback.
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              let host = writtenHost(of: text), !host.isEmpty, components.query == nil, components.fragment == nil,
              let url = URL(string: text) else {
            throw ConfigurationError(.invalidValue, key: key, "\(key) must be an http(s) URL such as \(example), got '\(text)'")
        }
        guard scheme == "https" || scheme == "http" else {
            throw ConfigurationError(.invalidValue, key: key, "\(key) must use https (or http for a local mirror), got '\(scheme)'")
        }
        return url
    }

    /// Checks that `url` (the value of `key`) is https, or http to loopback or with `allow_insecure_http`.
    func validateURL(_ url: URL, key: String, example: String) throws(ConfigurationError) {
        let text = url.absoluteString
        _ = try Self.parseURL(text, key: key, example: example)
        guard url.scheme?.lowercased() == "http", let host = Self.writtenHost(of: text) else { return }
        guard Self.isLoopback(host: host) || transfer.allowInsecureHTTP else {
            throw ConfigurationError(.invalidValue, key: key, "\(key) uses plain http to \(host), which anyone on the network can tamper with; use https, or set allow_insecure_http: true for a trusted LAN mirror")
        }
    }

    /// The host of an absolute URL exactly as written (`http://user@[::1]:80/x` → `::1`): after the
    /// `//`, without user info and port, up to the first `/`, `?` or `#`.
    static func writtenHost(of url: String) -> String? {
        guard let start = url.range(of: "://") else { return nil }
        var authority = url[start.upperBound...]
        if let end = authority.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { authority = authority[..<end] }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.firstIndex(of: ":") { authority = authority[..<colon] }
        return String(authority)
    }

    /// True for `localhost`, `127.0.0.0/8` and `::1`.
    public static func isLoopback(host: String) -> Bool {
        let lowered = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if lowered == "localhost" || lowered == "::1" { return true }
        let octets = lowered.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    static func validateRelativePath(_ path: String, key: String) throws(ConfigurationError) {
        guard !path.isEmpty, !path.hasPrefix("/") else {
            throw ConfigurationError(.invalidValue, key: key, "\(key) entries must be paths relative to install_dir, got '\(path)'")
        }
        let parts = path.split(separator: "/")
        guard !parts.contains(".."), !parts.allSatisfy({ $0 == "." }) else {
            throw ConfigurationError(.invalidValue, key: key, "\(key) entries must stay inside install_dir, got '\(path)'")
        }
    }

    /// A minisign public key is base64 of 42 bytes: `Ed`, an 8-byte key id and the 32-byte Ed25519 key.
    static func validatePublicKey(_ key: String) throws(ConfigurationError) {
        let trimmed = key.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: trimmed), data.count == 42, data.prefix(2) == Data("Ed".utf8) else {
            throw ConfigurationError(.invalidValue, key: "public_key", "public_key must be the base64 line of a minisign public key (the second line of minisign.pub, 56 characters starting with RW)")
        }
    }
}

extension OTAConfiguration {
    /// Checks the TUF keys: with `source: tuf`, a repository URL, `tuf_root` and a product name.
    func validateTUF() throws(ConfigurationError) {
        for (key, value) in [("tuf_url", source.tufURL), ("tuf_metadata_url", source.tufMetadataURL), ("tuf_targets_url", source.tufTargetsURL)] {
            if let value { try validateURL(value, key: key, example: Self.tufExample) }
        }
        for (key, value) in [("product", source.product), ("platform", source.platform), ("channel", source.channel as String?)] {
            if let value, value.isEmpty || value.contains("/") {
                throw ConfigurationError(.invalidValue, key: key, "\(key) must be a non-empty name without '/', got '\(value)'")
            }
        }
        guard source.kind == .tuf else { return }
        guard source.tufMetadataURLResolved != nil, source.tufTargetsURLResolved != nil else {
            throw ConfigurationError(.missingKey, key: "tuf_url", "tuf_url is required with source: tuf: set it to the repository's base URL (metadata/ and targets/ below it)")
        }
        guard source.tufRoot != nil else {
            throw ConfigurationError(.missingKey, key: "tuf_root", "tuf_root is required with source: tuf: set it to the trusted initial root.json shipped with the device")
        }
        guard !source.productName.isEmpty else {
            throw ConfigurationError(.missingKey, key: "product", "product is required with source: tuf when github_repo is not set: set it to the product's name in target paths (<product>/<version>/<file>)")
        }
    }
}
