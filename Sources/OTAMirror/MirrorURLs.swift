import Foundation

/// The absolute URLs a mirror answer contains, built from the base URL the client reached.
///
/// `api` is the REST root (`http://host:8080` or, with a path prefix, `http://host:8080/api/v3`);
/// `web` is the site root used for `html_url` and `browser_download_url`, like github.com is for
/// api.github.com (GitHub Enterprise serves downloads outside `/api/v3` too).
struct MirrorURLs: Sendable, Equatable {
    var web: String
    var api: String

    init(base: String, pathPrefix: String) {
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.web = trimmed
        self.api = trimmed + pathPrefix
    }

    func repository(_ owner: String, _ repo: String) -> String {
        api + "/repos/" + Self.segment(owner) + "/" + Self.segment(repo)
    }

    func release(_ owner: String, _ repo: String, id: Int) -> String { repository(owner, repo) + "/releases/\(id)" }

    func releases(_ owner: String, _ repo: String) -> String { repository(owner, repo) + "/releases" }

    func asset(_ owner: String, _ repo: String, id: Int) -> String { repository(owner, repo) + "/releases/assets/\(id)" }

    func tarball(_ owner: String, _ repo: String, tag: String) -> String { repository(owner, repo) + "/tarball/" + Self.segment(tag) }

    func repositoryPage(_ owner: String, _ repo: String) -> String {
        web + "/" + Self.segment(owner) + "/" + Self.segment(repo)
    }

    func releasePage(_ owner: String, _ repo: String, tag: String) -> String {
        web + "/" + Self.segment(owner) + "/" + Self.segment(repo) + "/releases/tag/" + Self.segment(tag)
    }

    func download(_ owner: String, _ repo: String, tag: String, name: String) -> String {
        web + "/" + Self.segment(owner) + "/" + Self.segment(repo) + "/releases/download/" + Self.segment(tag) + "/" + Self.segment(name)
    }

    /// Percent-encodes one path segment (a `/` inside a name is encoded, never a separator).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/;?#%")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The base URL for a request: the configured public URL, else `http://` + a well-formed `Host`, else `fallback`.
    static func base(publicBaseURL: String?, host: String?, fallback: String) -> String {
        if let publicBaseURL { return publicBaseURL }
        if let host, !host.isEmpty, host.utf8.count <= 255,
           host.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || ".-:[]_".unicodeScalars.contains($0) }),
           host.unicodeScalars.allSatisfy(\.isASCII) {
            return "http://" + host
        }
        return fallback
    }
}
