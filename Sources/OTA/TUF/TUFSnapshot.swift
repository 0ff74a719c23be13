import Foundation

/// Snapshot metadata: the version (and optionally length and hashes) of every targets role's file.
public struct TUFSnapshot: Sendable {
    public let header: TUFSignedHeader
    /// By file name: `targets.json`, `<delegated role>.json`.
    public let meta: [String: TUFMetaFile]
    let envelope: TUFEnvelope

    /// The entry of `role`'s metadata file.
    public func meta(forRole role: String) -> TUFMetaFile? {
        meta["\(role).json"]
    }

    package init(_ data: Data, file: String) throws(TUFError) {
        envelope = try TUFEnvelope(parsing: data, file: file)
        let signed = try TUFFields(envelope.signed, file: file, path: "signed")
        header = try TUFSignedHeader(signed, type: "snapshot")
        var meta: [String: TUFMetaFile] = [:]
        for (name, entry) in try signed.object("meta").eachObject({ _, fields throws(TUFError) in try TUFMetaFile(fields: fields) }) {
            meta[name] = entry
        }
        self.meta = meta
    }
}
