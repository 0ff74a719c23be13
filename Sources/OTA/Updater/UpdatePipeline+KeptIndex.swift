import Foundation

extension UpdatePipeline {
    /// The kept index of the installed release in the form of the release offered (`packed`: GitHub assets,
    /// else the folder form), when the device keeps one: the base of an index patch.
    func keptIndexPath(_ kept: KeptIndexes, packed: Bool) -> String? {
        guard let version = try? installer.currentVersion() else { return nil }
        return kept.all().first { $0.version == version.description && $0.packed == packed }.map { kept.path + "/" + $0.name }
    }
}
