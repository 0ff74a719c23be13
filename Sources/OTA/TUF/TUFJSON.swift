/// A JSON value exactly as TUF metadata carries it: objects keep every member, in order, known or not,
/// so that the canonical form of what was received — and so its signatures — can be checked.
///
/// Numbers are integers only (canonical JSON has no floating point), kept as their decimal text;
/// strings are compared byte for byte (never by Unicode canonical equivalence).
public enum TUFJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer as decimal digits with an optional leading `-` (never `-0`), of any size.
    case integer(String)
    case string(String)
    case array([TUFJSON])
    /// The members in the order received; keys are unique.
    case object([Member])

    /// One `"key": value` of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: TUFJSON

        public init(_ key: String, _ value: TUFJSON) {
            self.key = key
            self.value = value
        }
    }

    /// The integer as an `Int`, when it is one and fits.
    public var intValue: Int? {
        if case .integer(let digits) = self { return Int(digits) }
        return nil
    }

    /// The string, when it is one.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The members, when this is an object.
    public var members: [Member]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The value of member `key` of an object (compared byte for byte), `nil` for a missing key or a non-object.
    public subscript(key: String) -> TUFJSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    /// A JSON object from `members`, in that order.
    public static func object(_ members: KeyValuePairs<String, TUFJSON>) -> TUFJSON {
        .object(members.map { Member($0.key, $0.value) })
    }

    /// An integer value.
    public static func integer(_ value: Int) -> TUFJSON {
        .integer(String(value))
    }
}
