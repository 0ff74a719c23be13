import Foundation

extension UpdatePipeline {
    /// The verified delta index of the installed release, when the device keeps one
    /// (`state_dir/kept-indexes/<version>.index.gz`): the base of an index patch.
    func keptIndexPath() -> String? {
        guard let version = try? currentVersion() else { return nil }
        let path = directory.path + "/kept-indexes/\(version).index.gz"
        return FileSystem.exists(path) ? path : nil
    }
}
