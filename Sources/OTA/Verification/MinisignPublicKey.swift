import Crypto
import Foundation

/// A minisign public key: the key that release signatures must be made with (`public_key` / `public_key_file`).
///
/// It is 42 bytes, base64-encoded on one line: the algorithm `Ed`, an 8-byte key id and the 32-byte
/// Ed25519 key. A `minisign.pub` file holds that line after an `untrusted comment:` line.
///
/// ```swift
/// let key = try MinisignPublicKey(base64: "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3")
/// let key2 = try MinisignPublicKey(fromFile: "/etc/ota/minisign.pub")
/// ```
public struct MinisignPublicKey: Sendable, Equatable {
    /// The 8-byte key id, as stored.
    public let keyID: [UInt8]
    /// The raw 32-byte Ed25519 public key.
    public let rawKey: [UInt8]

    /// The key id as minisign prints it (`minisign public key E7620F1842B4E81F`): the bytes read as a
    /// little-endian number, in uppercase hex without leading zeros.
    public var keyIDString: String { Self.display(keyID: keyID) }

    /// The key as its base64 line (what `minisign -P` takes).
    public var base64: String { Data(Array("Ed".utf8) + keyID + rawKey).base64EncodedString() }

    /// A key from its parts (a key id of 8 bytes, an Ed25519 key of 32).
    package init(keyID: [UInt8], rawKey: [UInt8]) {
        self.keyID = keyID
        self.rawKey = rawKey
    }

    /// Parses the base64 line of a key (the second line of `minisign.pub`).
    public init(base64: String) throws(VerificationError) {
        let line = base64.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: line) else {
            throw VerificationError(.malformedPublicKey, "The minisign public key is not valid base64; use the second line of minisign.pub (56 characters starting with RW).")
        }
        guard data.count == 42 else {
            throw VerificationError(.malformedPublicKey, "The minisign public key decodes to \(data.count) bytes instead of 42; use the second line of minisign.pub (56 characters starting with RW).")
        }
        let bytes = [UInt8](data)
        guard bytes[0] == UInt8(ascii: "E"), bytes[1] == UInt8(ascii: "d") else {
            throw VerificationError(.unsupportedKeyAlgorithm, "The minisign public key uses algorithm bytes '\(Self.printable(bytes[0..<2]))'; only Ed25519 keys ('Ed') are supported.")
        }
        keyID = Array(bytes[2..<10])
        rawKey = Array(bytes[10..<42])
    }

    /// Parses the contents of a `minisign.pub` file: an `untrusted comment:` line then the key line,
    /// or the key line alone. Blank lines around them are ignored.
    public init(fileContents: String, fileName: String = "the public key file") throws(VerificationError) {
        let lines = fileContents.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        switch lines.count {
        case 1 where !lines[0].hasPrefix("untrusted comment:"):
            try self.init(base64: lines[0])
        case 2 where lines[0].hasPrefix("untrusted comment:"):
            try self.init(base64: lines[1])
        default:
            throw VerificationError(.malformedPublicKey, "\(fileName) is not a minisign public key: expected an 'untrusted comment:' line followed by the base64 key line, as written by minisign -G.")
        }
    }

    /// Reads and parses a `minisign.pub` file (the configuration's `public_key_file`).
    public init(fromFile path: String) throws(VerificationError) {
        let bytes = try ChunkedFileReader.contents(ofFileAt: path, limit: 64 * 1024) { size in
            VerificationError(.malformedPublicKey, "\(path) is \(size) bytes, far too large for a minisign public key; check public_key_file.")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VerificationError(.malformedPublicKey, "\(path) is not text; public_key_file must name a minisign.pub file.")
        }
        try self.init(fileContents: text, fileName: path)
    }

    /// The Ed25519 key for swift-crypto.
    var signingKey: Curve25519.Signing.PublicKey {
        get throws(VerificationError) {
            do {
                return try Curve25519.Signing.PublicKey(rawRepresentation: rawKey)
            } catch {
                throw VerificationError(.malformedPublicKey, "The minisign public key \(keyIDString) is not a valid Ed25519 key.")
            }
        }
    }

    /// A key id as minisign prints it: little-endian number, uppercase hex, no leading zeros.
    static func display(keyID: [UInt8]) -> String {
        let number = keyID.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return String(number, radix: 16, uppercase: true)
    }

    /// Bytes shown in an error: ASCII letters as they are, anything else as hex.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        if bytes.allSatisfy({ (0x21...0x7E).contains($0) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return "0x" + Hex.lowercase(bytes)
    }
}
