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
    /// The index patches published beside the index (``DeltaIndexPatch``): fetched instead of the index by a
    /// device that keeps the base text of one.
    public var indexPatches: [DeltaIndexPatchOffer]

    public init(indexURL: String, indexName: String, indexLength: Int, verifier: any Verifier, companions: [ReleaseAsset] = [],
                objects: DeltaObjectSource, indexPatches: [DeltaIndexPatchOffer] = []) {
        self.indexURL = indexURL
        self.indexName = indexName
        self.indexLength = indexLength
        self.verifier = verifier
        self.companions = companions
        self.objects = objects
        self.indexPatches = indexPatches
    }
}

/// An index patch a release publishes, and what proves it.
public struct DeltaIndexPatchOffer: Sendable {
    /// The first 16 hex digits of the SHA-256 of the base text it applies to (from its name).
    public var basePrefix: String
    /// The patch file's URL, name and length (signed, or announced by the release).
    public var url: String
    public var name: String
    public var length: Int
    /// Checks the downloaded patch (its signed length and hashes, or a signature).
    public var verifier: any Verifier
    /// The companion files ``verifier`` reads (the patch's `.minisig`), fetched before it runs.
    public var companions: [ReleaseAsset]

    public init(basePrefix: String, url: String, name: String, length: Int, verifier: any Verifier, companions: [ReleaseAsset] = []) {
        self.basePrefix = basePrefix
        self.url = url
        self.name = name
        self.length = length
        self.verifier = verifier
        self.companions = companions
    }
}

/// A release source that can say where an artifact's delta index is.
public protocol DeltaLocating: Sendable {
    /// The delta index of `artifact` and its objects, or `nil` when the release publishes none.
    func deltaLocation(for artifact: Artifact) -> DeltaLocation?
}
