import Foundation

/// Which URLs swift-ota may talk to, and which redirects it follows.
///
/// - `https://` always; `http://` only to loopback (`localhost`, `127.0.0.0/8`, `::1`) unless
///   `allowInsecureHTTP`; any other scheme never.
/// - A redirect from HTTPS to HTTP is refused, whatever the host.
/// - At most ``maxRedirects`` hops, and no URL twice.
/// - Credentials are not part of this policy's state: ``HTTPTransport`` adds `Authorization`
///   to each hop on its own, and only when that hop's origin is the API origin.
struct RedirectPolicy: Sendable {
    var maxRedirects = 5
    var allowInsecureHTTP = false

    /// Checks that `url` may be requested at all.
    func checkAllowed(_ url: URL) throws(TransferError) {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw TransferError(.invalidURL, "'\(url.absoluteString)' is not an http(s) URL")
        }
        switch scheme {
        case "https":
            return
        case "http":
            guard allowInsecureHTTP || OTAConfiguration.isLoopback(host: host) else {
                throw TransferError(.insecureURL, "refusing plain http to \(host): use https, or set allow_insecure_http: true for a trusted LAN")
            }
        default:
            throw TransferError(.invalidURL, "refusing the '\(scheme)' URL scheme of \(url.absoluteString); only https (and http to loopback) are used")
        }
    }

    /// The URL a redirect leads to, after checking it against the policy.
    ///
    /// - Parameters:
    ///   - location: the `Location` header value (absolute or relative).
    ///   - current: the URL that answered with the redirect.
    ///   - visited: the URLs already requested in this chain (first one included).
    func follow(location: String?, from current: URL, visited: [URL]) throws(TransferError) -> URL {
        guard let location, !location.isEmpty, let next = URL(string: location, relativeTo: current)?.absoluteURL else {
            throw TransferError(.redirectRefused, "\(current.host ?? "the server") answered with a redirect without a usable Location")
        }
        guard visited.count <= maxRedirects else {
            throw TransferError(.redirectRefused, "too many redirects (more than \(maxRedirects)) starting at \(visited.first?.host ?? "")")
        }
        if current.scheme?.lowercased() == "https" && next.scheme?.lowercased() == "http" {
            throw TransferError(.redirectRefused, "refusing a redirect from https to plain http (\(next.host ?? "")): the download could be tampered with")
        }
        guard !visited.contains(where: { $0.absoluteString == next.absoluteString }) else {
            throw TransferError(.redirectRefused, "redirect loop at \(next.host ?? "")\(next.path)")
        }
        try checkAllowed(next)
        return next
    }

    /// `scheme://host:port` with the default port filled in, for comparing origins.
    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\((url.host ?? "").lowercased()):\(port)"
    }
}
