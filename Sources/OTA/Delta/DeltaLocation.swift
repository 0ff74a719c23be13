import Foundation

/// Where a release's delta index and objects are published, and what proves the index.
public struct DeltaLocation: Sendable {
    /// The index file's URL.
    public var indexURL: String
    /// Its file name (for the downloads folder).
    public var indexName: String
    /// Its signed length in bytes.
    public var indexLength: Int
    /// Checks the downloaded index (its signed length and hashes, or a signature).
    public var verifier: any Verifier
    /// The objects folder's URL: objects are `<objectsURL>/<first two hex digits>/<sha256>`.
    public var objectsURL: URL

    public init(indexURL: String, indexName: String, indexLength: Int, verifier: any Verifier, objectsURL: URL) {
        self.indexURL = indexURL
        self.indexName = indexName
        self.indexLength = indexLength
        self.verifier = verifier
        self.objectsURL = objectsURL
    }
}

/// A release source that can say where an artifact's delta index is.
public protocol DeltaLocating: Sendable {
    /// The delta index of `artifact` and its objects, or `nil` when the release publishes none.
    func deltaLocation(for artifact: Artifact) -> DeltaLocation?
}
