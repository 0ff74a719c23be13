/// The `content_type` GitHub would report for an asset, chosen from its file name.
///
/// GitHub stores whatever the uploader declared; the mirror guesses from the extension, falling
/// back to `application/octet-stream`. Checksum lists (`SHA256SUMS`, `checksums.txt`) are `text/plain`.
enum ContentType {
    private static let bySuffix: [(String, String)] = [
        (".tar.gz", "application/gzip"), (".tgz", "application/gzip"), (".gz", "application/gzip"),
        (".tar.xz", "application/x-xz"), (".xz", "application/x-xz"), (".tar.zst", "application/zstd"),
        (".zst", "application/zstd"), (".bz2", "application/x-bzip2"), (".tar", "application/x-tar"),
        (".zip", "application/zip"), (".json", "application/json"), (".txt", "text/plain"), (".md", "text/markdown"),
        (".sha256", "text/plain"), (".minisig", "text/plain"), (".sig", "application/pgp-signature"),
        (".asc", "application/pgp-signature"), (".deb", "application/vnd.debian.binary-package"),
        (".rpm", "application/x-rpm"), (".yaml", "application/yaml"), (".yml", "application/yaml"),
    ]
    private static let byName: [String: String] = [
        "sha256sums": "text/plain", "sha512sums": "text/plain", "checksums": "text/plain",
    ]

    /// The media type for a file called `name`.
    static func forFile(named name: String) -> String {
        let lowercased = name.lowercased()
        if let type = byName[lowercased] { return type }
        for (suffix, type) in bySuffix where lowercased.hasSuffix(suffix) { return type }
        return "application/octet-stream"
    }
}
