/// A release already extracted into a plain folder on the installation's filesystem, ready to install.
///
/// The extractor produces it (typically `state_dir/staging/<version>`); an ``Installer`` consumes it:
/// after ``Installer/install(_:)`` the folder belongs to the transaction and is removed when the
/// transaction is committed or rolled back.
public struct StagedTree: Sendable, Hashable {
    /// Absolute path of the folder holding the release's files (its top level = `install_dir`'s).
    public var root: String
    /// The release's version; written to the tree's `VERSION` file when the release has none.
    public var version: SemanticVersion

    public init(root: String, version: SemanticVersion) {
        self.root = root
        self.version = version
    }
}
