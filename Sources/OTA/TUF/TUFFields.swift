/// Typed reading of one JSON object of TUF metadata, with errors that name the file and the field
/// (`signed.roles.root.threshold`).
struct TUFFields {
    /// The object's members.
    let members: [TUFJSON.Member]
    /// The file, for errors (`root.json`).
    let file: String
    /// Where the object is in the file (`signed.delegations`).
    let path: String

    /// Reads `value` as an object at `path` of `file`.
    init(_ value: TUFJSON, file: String, path: String) throws(TUFError) {
        guard let members = value.members else {
            throw Self.malformed(file: file, "\(path) must be a JSON object")
        }
        self.members = members
        self.file = file
        self.path = path
    }

    /// The error for a file whose `problem` makes it unusable.
    static func malformed(file: String, _ problem: String) -> TUFError {
        TUFError(.malformedMetadata, "The TUF metadata \(file) is malformed: \(problem); the repository served a damaged or incompatible file, so report it to its publisher.")
    }

    func field(_ key: String) -> String { "\(path).\(key)" }

    func malformed(_ problem: String) -> TUFError { Self.malformed(file: file, problem) }

    /// The member `key`, or `nil`.
    func optional(_ key: String) -> TUFJSON? {
        members.first { $0.key.utf8.elementsEqual(key.utf8) }?.value
    }

    /// The member `key`; an error when it is missing.
    func required(_ key: String) throws(TUFError) -> TUFJSON {
        guard let value = optional(key) else { throw malformed("\(field(key)) is missing") }
        return value
    }

    func string(_ key: String) throws(TUFError) -> String {
        guard let text = try required(key).stringValue else { throw malformed("\(field(key)) must be a string") }
        return text
    }

    /// An integer of at least `minimum` that fits an `Int`.
    func integer(_ key: String, minimum: Int) throws(TUFError) -> Int {
        guard let value = try required(key).intValue, value >= minimum else {
            throw malformed("\(field(key)) must be an integer of at least \(minimum)")
        }
        return value
    }

    func bool(_ key: String) throws(TUFError) -> Bool {
        guard case .bool(let flag) = try required(key) else { throw malformed("\(field(key)) must be true or false") }
        return flag
    }

    func object(_ key: String) throws(TUFError) -> TUFFields {
        try TUFFields(try required(key), file: file, path: field(key))
    }

    /// A list of strings; `unique` refuses a string listed twice.
    func strings(_ key: String, unique: Bool = false) throws(TUFError) -> [String] {
        guard case .array(let elements) = try required(key) else { throw malformed("\(field(key)) must be a list of strings") }
        var result: [String] = []
        for element in elements {
            guard let text = element.stringValue else { throw malformed("\(field(key)) must be a list of strings") }
            result.append(text)
        }
        if unique, Set(result).count != result.count { throw malformed("\(field(key)) lists a value twice") }
        return result
    }

    /// Each member `key: value` read as an object by `read`, in order.
    func eachObject<T>(_ read: (String, TUFFields) throws(TUFError) -> T) throws(TUFError) -> [(key: String, value: T)] {
        var result: [(key: String, value: T)] = []
        result.reserveCapacity(members.count)
        for member in members {
            let fields = try TUFFields(member.value, file: file, path: "\(path).\(member.key)")
            result.append((member.key, try read(member.key, fields)))
        }
        return result
    }
}
