import Foundation

/// Where an `ota publish` repository keeps its files: `DIR/metadata/` (`N.root.json`, `root.json`,
/// `N.targets.json`, `N.snapshot.json`, `timestamp.json`) and `DIR/targets/` (consistent-snapshot
/// names `<product>/<version>/<sha256>.<file>`), plus `DIR/ota-publish.json` (settings).
public struct TUFRepositoryLayout: Sendable {
    /// The repository folder.
    public let path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    public var metadataDirectory: String { path + "/metadata" }
    public var targetsDirectory: String { path + "/targets" }

    /// `metadata/<name>`.
    public func metadata(_ name: String) -> String { metadataDirectory + "/" + name }

    /// `metadata/N.<role>.json` (versioned name), or `metadata/timestamp.json`.
    public func metadata(_ role: TUFTopLevelRole, version: Int) -> String {
        role == .timestamp ? metadata(role.fileName) : metadata("\(version).\(role.fileName)")
    }

    /// `targets/<relative>`.
    public func target(_ relative: String) -> String { targetsDirectory + "/" + relative }

    /// The versions of the `N.root.json` files present, ascending.
    func rootVersions() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: metadataDirectory)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasSuffix(".root.json") else { return nil }
            return Int(name.dropLast(".root.json".count)).flatMap { $0 >= 1 ? $0 : nil }
        }.sorted()
    }

    /// The bytes of `file`; a missing file is an error naming it.
    func read(_ file: String) throws(TUFPublishError) -> Data {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TUFPublishError(.repository, "The repository file \(file) is missing or unreadable; restore it from a backup (or re-publish) before changing the repository.")
        }
        return data
    }
}
