import Foundation

/// One artifact of the release catalog in a signed TUF repository: a target at `<product>/<version>/<file>`
/// and what its `custom.ota` signs about it (``TUFReleaseInfo``).
public struct TUFReleaseEntry: Sendable, Equatable {
    /// The target path.
    public var path: String
    /// The version in the path (`<product>/<version>/<file>`).
    public var pathVersion: String
    /// The file name, the path's last segment.
    public var fileName: String
    /// The target's `custom.ota`.
    public var info: TUFReleaseInfo

    public init(path: String, pathVersion: String, fileName: String, info: TUFReleaseInfo) {
        self.path = path
        self.pathVersion = pathVersion
        self.fileName = fileName
        self.info = info
    }

    /// The entry of the target at `path` with `custom`; `nil` when `path` is not `<product>/<version>/<file>`
    /// or the target has no `custom.ota` (an index or another file beside the releases).
    /// - Throws: a sentence saying what is wrong when `custom.ota` is present but malformed.
    static func parse(path: String, custom: TUFJSON?, product: String) throws(CatalogProblem) -> TUFReleaseEntry? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 3, segments[0] == product, !segments[1].isEmpty, !segments[2].isEmpty else { return nil }
        guard let info = try TUFReleaseInfo(custom: custom) else { return nil }
        return TUFReleaseEntry(path: path, pathVersion: String(segments[1]), fileName: String(segments[2]), info: info)
    }
}
