import Foundation

/// Targets metadata, top-level or delegated: the target files it signs and the roles it delegates to.
public struct TUFTargets: Sendable {
    public let header: TUFSignedHeader
    /// The signed target files by target path.
    public let targets: [String: TUFTargetFile]
    /// The roles this role delegates to, if any.
    public let delegations: TUFDelegations?
    let envelope: TUFEnvelope

    package init(_ data: Data, file: String) throws(TUFError) {
        try self.init(envelope: TUFEnvelope(parsing: data, file: file), file: file)
    }

    init(envelope: TUFEnvelope, file: String) throws(TUFError) {
        self.envelope = envelope
        let signed = try TUFFields(envelope.signed, file: file, path: "signed")
        header = try TUFSignedHeader(signed, type: "targets")
        var targets: [String: TUFTargetFile] = [:]
        for (path, target) in try signed.object("targets").eachObject({ path, fields throws(TUFError) in try TUFTargetFile(path: path, fields: fields) }) {
            targets[path] = target
        }
        self.targets = targets
        delegations = try signed.optional("delegations").map { value throws(TUFError) in
            try TUFDelegations(fields: TUFFields(value, file: file, path: "signed.delegations"))
        }
    }
}

/// One signed target file: its length, hashes and `custom` data.
public struct TUFTargetFile: Sendable, Equatable {
    /// The target path (`app/1.2.0/app-1.2.0-linux-aarch64.tar.gz`), relative to the targets base URL.
    public let path: String
    /// The signed length and hashes (both always present for a target).
    public let fileInfo: TUFFileInfo
    /// `custom`, as signed, or `nil`.
    public let custom: TUFJSON?

    /// The signed length.
    public var length: Int { fileInfo.length ?? 0 }
    /// The signed hashes.
    public var hashes: [String: String] { fileInfo.hashes ?? [:] }

    init(path: String, fields: TUFFields) throws(TUFError) {
        self.path = path
        fileInfo = try TUFFileInfo(fields: fields, required: true)
        custom = fields.optional("custom")
    }

    /// Throws unless `data` has the signed length and hashes.
    public func verify(_ data: Data) throws(TUFError) {
        try fileInfo.verify(data, what: "The target \(path)")
    }
}
