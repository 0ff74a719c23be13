import Foundation

/// Timestamp metadata: the version (and optionally length and hashes) of the current snapshot.
public struct TUFTimestamp: Sendable {
    public let header: TUFSignedHeader
    /// `meta["snapshot.json"]`.
    public let snapshotMeta: TUFMetaFile
    let envelope: TUFEnvelope

    package init(_ data: Data, file: String) throws(TUFError) {
        envelope = try TUFEnvelope(parsing: data, file: file)
        let signed = try TUFFields(envelope.signed, file: file, path: "signed")
        header = try TUFSignedHeader(signed, type: "timestamp")
        snapshotMeta = try TUFMetaFile(fields: signed.object("meta").object("snapshot.json"))
    }
}
