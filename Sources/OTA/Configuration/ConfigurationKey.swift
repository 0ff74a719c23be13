/// One key of the configuration file: its name, how it is read, how it is shown, and its own range rule.
///
/// ``OTAConfiguration/keys`` lists every key once; parsing, `validate()`, the description and the
/// "did you mean" suggestions all read that table.
struct ConfigurationKey: Sendable {
    typealias Read = @Sendable (inout OTAConfiguration, ConfigurationValue) throws(ConfigurationError) -> Void

    /// The name in the file (`check_interval`).
    let name: String
    /// Stores a value read from the file.
    let read: Read
    /// The value as `ota config` shows it (the token redacted).
    let show: @Sendable (OTAConfiguration) -> String
    /// What is wrong with the value, completing "`name` …", or `nil` when it is in range.
    let problem: @Sendable (OTAConfiguration) -> String?

    init(_ name: String, read: @escaping Read, show: @escaping @Sendable (OTAConfiguration) -> String,
         problem: @escaping @Sendable (OTAConfiguration) -> String? = { _ in nil }) {
        self.name = name
        self.read = read
        self.show = show
        self.problem = problem
    }

    /// A text key.
    static func text(_ name: String, _ path: WritableKeyPath<OTAConfiguration, String> & Sendable,
                     problem: @escaping @Sendable (OTAConfiguration) -> String? = { _ in nil }) -> ConfigurationKey {
        ConfigurationKey(name, read: { config, value throws(ConfigurationError) in config[keyPath: path] = try value.string() },
                         show: { $0[keyPath: path].debugDescription }, problem: problem)
    }

    /// An optional text key (`null` or absent: unset).
    static func optionalText(_ name: String, _ path: WritableKeyPath<OTAConfiguration, String?> & Sendable,
                             problem: @escaping @Sendable (OTAConfiguration) -> String? = { _ in nil }) -> ConfigurationKey {
        ConfigurationKey(name, read: { config, value throws(ConfigurationError) in config[keyPath: path] = try value.string() },
                         show: { $0[keyPath: path].map(\.debugDescription) ?? "null" }, problem: problem)
    }

    /// A list of texts.
    static func textList(_ name: String, _ path: WritableKeyPath<OTAConfiguration, [String]> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name, read: { config, value throws(ConfigurationError) in config[keyPath: path] = try value.stringList() },
                         show: { "[" + $0[keyPath: path].map(\.debugDescription).joined(separator: ", ") + "]" })
    }

    /// A boolean.
    static func flag(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Bool> & Sendable) -> ConfigurationKey {
        ConfigurationKey(name, read: { config, value throws(ConfigurationError) in config[keyPath: path] = try value.bool() },
                         show: { "\($0[keyPath: path])" })
    }

    /// A whole number in `range`; `unit` names it in the error ("second", "byte").
    static func integer(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Int> & Sendable, _ range: PartialRangeFrom<Int>,
                        unit: String? = nil, zero: String? = nil, bytes: Bool = false) -> ConfigurationKey {
        ConfigurationKey(name, read: { config, value throws(ConfigurationError) in config[keyPath: path] = try bytes ? value.bytes() : value.int() },
                         show: { "\($0[keyPath: path])" },
                         problem: { config in
                             let number = config[keyPath: path]
                             guard !range.contains(number) else { return nil }
                             let what = range.lowerBound == 0
                                 ? "0\(zero.map { " (\($0))" } ?? "") or more\(unit.map { " \($0)s" } ?? "")"
                                 : "at least \(range.lowerBound)\(unit.map { " \($0)" } ?? "")"
                             return "must be \(what), got \(number)"
                         })
    }
}
