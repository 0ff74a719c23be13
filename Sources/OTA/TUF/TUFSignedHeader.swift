import Foundation

/// The fields every role's `signed` object has: `_type`, `spec_version`, `version`, `expires`.
public struct TUFSignedHeader: Sendable, Equatable {
    /// `_type`: `root`, `timestamp`, `snapshot` or `targets`.
    public let type: String
    /// `spec_version`, `1.x` or `1.x.y`.
    public let specVersion: String
    /// `version`, at least 1.
    public let version: Int
    /// `expires`: the metadata is expired from this instant on.
    public let expires: Date

    /// Reads the header of `signed`, which must be of `type`.
    init(_ signed: TUFFields, type expectedType: String) throws(TUFError) {
        type = try signed.string("_type")
        guard type == expectedType else {
            throw TUFError(.wrongType, "The TUF metadata \(signed.file) is of type \"\(type)\" where \(expectedType) metadata was expected; the repository serves the wrong file under this name, so report it to its publisher.")
        }
        specVersion = try signed.string("spec_version")
        let parts = specVersion.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }) else {
            throw TUFFields.malformed(file: signed.file, "signed.spec_version \"\(specVersion)\" is not a version number")
        }
        guard parts[0] == "1" else {
            throw TUFError(.unsupportedSpecVersion, "The TUF metadata \(signed.file) follows version \(specVersion) of the TUF specification, but this client implements 1.x; update the client or ask the publisher for 1.x metadata.")
        }
        version = try signed.integer("version", minimum: 1)
        let expiresText = try signed.string("expires")
        guard let expires = Self.date(expiresText) else {
            throw TUFFields.malformed(file: signed.file, "signed.expires \"\(expiresText)\" is not a UTC time of the form 2030-01-31T23:59:59Z")
        }
        self.expires = expires
    }

    /// Whether the metadata is expired at `referenceTime` (expiry is inclusive, as in python-tuf).
    public func isExpired(at referenceTime: Date) -> Bool {
        referenceTime >= expires
    }

    /// The instant of `YYYY-MM-DDTHH:MM:SSZ`, the only form TUF metadata uses; `nil` for anything else.
    static func date(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard bytes[range].allSatisfy({ (48...57).contains($0) }) else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              second < 60, let date = UTCTime.date(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else { return nil }
        return date
    }
}
