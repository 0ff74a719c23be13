/// The version of swift-ota itself (sent in the `User-Agent` of every request).
public enum OTAInfo {
    /// swift-ota's own semantic version.
    public static let version = "0.1.0"
    /// The `User-Agent` header value: `swift-ota/<version>`.
    public static var userAgent: String { "swift-ota/\(version)" }
}
