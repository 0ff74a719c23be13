import Foundation

/// One metadata file as received: its signatures and its `signed` object, whose canonical JSON
/// (every member, known or not) is what the signatures cover.
public struct TUFEnvelope: Sendable {
    /// One entry of `signatures`.
    public struct Signature: Sendable, Equatable {
        /// `keyid`, as given.
        public let keyID: String
        /// `sig` decoded from hexadecimal; `nil` when it is not hexadecimal (such a signature never verifies).
        public let bytes: [UInt8]?
    }

    /// The signatures, in file order (one key may appear more than once: it still counts once).
    public let signatures: [Signature]
    /// The `signed` object as received.
    public let signed: TUFJSON
    /// The canonical JSON of ``signed``: the bytes the signatures sign.
    public let signedBytes: Data

    /// Parses a metadata file; `file` names it in errors (`2.root.json`).
    init(parsing data: Data, file: String) throws(TUFError) {
        let json = try TUFJSONParser.parse(data, what: file)
        let top = try TUFFields(json, file: file, path: "the file")
        guard case .array(let entries) = try top.required("signatures") else {
            throw TUFFields.malformed(file: file, "signatures must be a list")
        }
        var signatures: [Signature] = []
        for entry in entries {
            let fields = try TUFFields(entry, file: file, path: "signatures[]")
            let sig = try fields.string("sig")
            signatures.append(Signature(keyID: try fields.string("keyid"), bytes: TUFHex.bytes(sig)))
        }
        self.signatures = signatures
        signed = try top.required("signed")
        signedBytes = TUFCanonicalJSON.encode(signed)
        _ = try TUFFields(signed, file: file, path: "signed")
    }
}

/// The keys of a role and how many of them must sign: a top-level role in root, or a delegated role.
public struct TUFRoleKeys: Sendable, Equatable {
    /// The key ids allowed to sign, unique, in metadata order.
    public let keyIDs: [String]
    /// How many distinct keys must sign.
    public let threshold: Int

    public init(keyIDs: [String], threshold: Int) {
        self.keyIDs = keyIDs
        self.threshold = threshold
    }

    init(fields: TUFFields) throws(TUFError) {
        keyIDs = try fields.strings("keyids", unique: true)
        threshold = try fields.integer("threshold", minimum: 1)
    }

    /// The key ids whose keys validly signed `envelope`, counting each key once however many key ids or
    /// signatures name it. Invalid, unknown or undecodable signatures are not counted; nothing throws.
    func validSigners(of envelope: TUFEnvelope, keys: [String: TUFPublicKey]) -> [String] {
        var signers: [String] = []
        var counted: Set<Data> = []
        for keyID in keyIDs {
            guard let key = keys[keyID], !counted.contains(key.identity) else { continue }
            let signed = envelope.signatures.contains { signature in
                signature.keyID == keyID && signature.bytes.map { key.isValidSignature($0, for: envelope.signedBytes) } == true
            }
            if signed {
                signers.append(keyID)
                counted.insert(key.identity)
            }
        }
        return signers
    }

    /// Throws unless `envelope` is signed by at least ``threshold`` distinct keys of the role.
    /// - Parameters:
    ///   - role: the role's name, for the error.
    ///   - file: the file's name, for the error.
    ///   - by: who sets the keys (`root version 3`, `delegating role "bins"`), for the error.
    func verify(_ envelope: TUFEnvelope, keys: [String: TUFPublicKey], role: String, file: String, by delegator: String) throws(TUFError) {
        let signers = validSigners(of: envelope, keys: keys)
        guard signers.count < threshold else { return }
        let unsupported = keyIDs.filter { keys[$0].map { !$0.isSupported } ?? false }
        let note = unsupported.isEmpty ? "" : " (\(unsupported.count) of its keys use a type this client cannot verify)"
        throw TUFError(.thresholdNotMet, "The TUF metadata \(file) is signed by \(signers.count) of the \(threshold) keys of role \(role) required by \(delegator)\(note): it was forged, altered or signed with the wrong keys, so it is refused; the repository's publisher must sign it with the role's keys.")
    }
}
