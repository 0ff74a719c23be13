import Foundation

/// Where a release's delta index and objects are published, and what proves the index.
public struct DeltaLocation: Sendable {
    /// The index file's URL.
    public var indexURL: String
    /// Its file name (for the downloads folder).
    public var indexName: String
    /// Its length in bytes (signed, or announced by the release).
    public var indexLength: Int
    /// Checks the downloaded index (its signed length and hashes, or a signature).
    public var verifier: any Verifier
    /// The companion files ``verifier`` reads (the index's `.minisig`), fetched before it runs.
    public var companions: [ReleaseAsset]
    /// Where the objects are.
    public var objects: DeltaObjectSource

    public init(indexURL: String, indexName: String, indexLength: Int, verifier: any Verifier, companions: [ReleaseAsset] = [],
                objects: DeltaObjectSource) {
        self.indexURL = indexURL
        self.indexName = indexName
        self.indexLength = indexLength
        self.verifier = verifier
        self.companions = companions
        self.objects = objects
    }
}

/// A release source that can say where an artifact's delta index is.
public protocol DeltaLocating: Sendable {
    /// The delta index of `artifact` and its objects, or `nil` when the release publishes none.
    func deltaLocation(for artifact: Artifact) -> DeltaLocation?
}
