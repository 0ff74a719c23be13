import Crypto
import Foundation

/// A file's signed length and hashes (`length`, `hashes` of a snapshot's `meta` entry or of a target).
public struct TUFFileInfo: Sendable, Equatable {
    /// The hash algorithms this client computes.
    public static let supportedAlgorithms: Set<String> = ["sha256", "sha384", "sha512"]

    /// The file's length in bytes, when signed.
    public let length: Int?
    /// Hexadecimal digests by algorithm name (`sha256`), when signed; never empty when present.
    public let hashes: [String: String]?

    public init(length: Int?, hashes: [String: String]?) {
        self.length = length
        self.hashes = hashes
    }

    /// Reads `length` and `hashes` from `fields`; `required` makes both mandatory (targets).
    init(fields: TUFFields, required: Bool) throws(TUFError) {
        length = (required || fields.optional("length") != nil) ? try fields.integer("length", minimum: 0) : nil
        guard required || fields.optional("hashes") != nil else {
            hashes = nil
            return
        }
        let hashFields = try fields.object("hashes")
        var hashes: [String: String] = [:]
        for member in hashFields.members {
            guard let digest = member.value.stringValue else { throw fields.malformed("\(hashFields.field(member.key)) must be a string") }
            hashes[member.key] = digest
        }
        guard !hashes.isEmpty else { throw fields.malformed("\(fields.field("hashes")) must list at least one hash") }
        self.hashes = hashes
    }

    /// Throws unless `data` has the signed length and every signed hash; `what` names the file.
    ///
    /// A hash algorithm this client does not compute is an error rather than skipped: no signed
    /// hash goes unchecked.
    public func verify(_ data: Data, what: String) throws(TUFError) {
        if let length, data.count != length {
            throw TUFError(.lengthMismatch, "\(what) is \(data.count) bytes where its signed length is \(length): it was truncated, altered or replaced, so it is refused; try again, and report it to the repository's publisher if it persists.")
        }
        for (algorithm, expected) in (hashes ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let actual = Self.digest(of: data, algorithm: algorithm) else {
                throw TUFError(.unsupportedHashAlgorithm, "\(what) is signed with a \(algorithm) hash, which this client cannot check (it checks \(Self.supportedAlgorithms.sorted().joined(separator: ", "))); ask the repository's publisher to add a sha256 hash.")
            }
            guard actual == expected.lowercased() else {
                throw TUFError(.hashMismatch, "\(what) has \(algorithm) \(actual) where its signed hash is \(expected): it was altered or replaced, so it is refused; try again, and report it to the repository's publisher if it persists.")
            }
        }
    }

    /// The lowercase hexadecimal `algorithm` digest of `data`, `nil` for an unsupported algorithm.
    public static func digest(of data: Data, algorithm: String) -> String? {
        switch algorithm {
        case "sha256": Hex.lowercase(SHA256.hash(data: data))
        case "sha384": Hex.lowercase(SHA384.hash(data: data))
        case "sha512": Hex.lowercase(SHA512.hash(data: data))
        default: nil
        }
    }
}

/// A metadata file as the role above lists it: a snapshot's `meta` entry, or timestamp's `snapshot.json`.
public struct TUFMetaFile: Sendable, Equatable {
    /// The version the file must have.
    public let version: Int
    /// Its length and hashes, when signed (both optional in TUF).
    public let fileInfo: TUFFileInfo

    public init(version: Int, fileInfo: TUFFileInfo = .init(length: nil, hashes: nil)) {
        self.version = version
        self.fileInfo = fileInfo
    }

    init(fields: TUFFields) throws(TUFError) {
        version = try fields.integer("version", minimum: 1)
        fileInfo = try TUFFileInfo(fields: fields, required: false)
    }
}
