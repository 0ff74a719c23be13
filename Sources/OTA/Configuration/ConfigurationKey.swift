import Foundation

/// One key of the configuration file: its name, the part and field it fills, how its value is converted
/// and shown, and its own range rule.
///
/// ``OTAConfiguration/keys`` lists every key once; parsing, `validate()`, the description and the
/// "did you mean" suggestions all read that table. Rows are made with the builders below (``value(_:_:parse:show:problem:)``
/// and its short forms for text, numbers, durations, URLs, choices…), each given the key path of its field
/// (`\.transfer.maxRetries`).
struct ConfigurationKey: Sendable {
    typealias Read = @Sendable (inout OTAConfiguration, ConfigurationValue) throws(ConfigurationError) -> Void

    /// The name in the file (`check_interval`).
    let name: String
    /// Converts a value read from the file and stores it in its part.
    let read: Read
    /// The value as the file would spell it (the token redacted).
    let show: @Sendable (OTAConfiguration) -> String
    /// What is wrong with the value, completing "`name` …", or `nil` when it is in range.
    let problem: @Sendable (OTAConfiguration) -> String?

    /// The general form: `parse` converts the file's value into the field at `path` (once, when the file
    /// is read), `show` spells it as the file would, `problem` checks its range.
    static func value<Value>(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Value> & Sendable,
                             parse: @escaping @Sendable (ConfigurationValue) throws(ConfigurationError) -> Value,
                             show: @escaping @Sendable (Value) -> String,
                             problem: @escaping @Sendable (Value) -> String? = { _ in nil }) -> ConfigurationKey {
        ConfigurationKey(name: name,
                         read: { config, value throws(ConfigurationError) in config[keyPath: path] = try parse(value) },
                         show: { show($0[keyPath: path]) },
                         problem: { problem($0[keyPath: path]) })
    }

    /// An optional value: `null` or absent leaves it unset (`nil`, shown as `null`).
    static func optional<Value>(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Value?> & Sendable,
                                parse: @escaping @Sendable (ConfigurationValue) throws(ConfigurationError) -> Value,
                                show: @escaping @Sendable (Value) -> String,
                                problem: @escaping @Sendable (Value) -> String? = { _ in nil }) -> ConfigurationKey {
        value(name, path, parse: { value throws(ConfigurationError) in try parse(value) },
              show: { $0.map(show) ?? "null" }, problem: { $0.flatMap(problem) })
    }

    /// A text key.
    static func text(_ name: String, _ path: WritableKeyPath<OTAConfiguration, String> & Sendable,
                     problem: @escaping @Sendable (String) -> String? = { _ in nil }) -> ConfigurationKey {
        value(name, path, parse: { value throws(ConfigurationError) in try value.string() }, show: \.debugDescription, problem: problem)
    }

    /// An optional text key.
    static func optionalText(_ name: String, _ path: WritableKeyPath<OTAConfiguration, String?> & Sendable,
                             problem: @escaping @Sendable (String) -> String? = { _ in nil }) -> ConfigurationKey {
        optional(name, path, parse: { value throws(ConfigurationError) in try value.string() }, show: \.debugDescription, problem: problem)
    }

    /// A list of texts (a single text is a list of one).
    static func textList(_ name: String, _ path: WritableKeyPath<OTAConfiguration, [String]> & Sendable) -> ConfigurationKey {
        value(name, path, parse: { value throws(ConfigurationError) in try value.stringList() }, show: showList)
    }

    /// A boolean.
    static func flag(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Bool> & Sendable) -> ConfigurationKey {
        value(name, path, parse: { value throws(ConfigurationError) in try value.bool() }, show: { "\($0)" })
    }

    /// A whole number from `range`; `unit` names it in the error ("byte"), `zero` says what 0 means;
    /// with `bytes`, a size such as `4GiB` is accepted.
    static func integer(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Int> & Sendable, _ range: PartialRangeFrom<Int>,
                        unit: String? = nil, zero: String? = nil, bytes: Bool = false) -> ConfigurationKey {
        value(name, path, parse: { value throws(ConfigurationError) in try bytes ? value.bytes() : value.int() }, show: { "\($0)" },
              problem: { range.contains($0) ? nil : outOfRange("\($0)", range, unit: unit, zero: zero) })
    }

    /// A duration written in whole seconds, at least `range.lowerBound` seconds.
    static func seconds(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Duration> & Sendable,
                        _ range: PartialRangeFrom<Int>) -> ConfigurationKey {
        value(name, path, parse: { value throws(ConfigurationError) in .seconds(try value.int()) }, show: showSeconds,
              problem: { $0 >= .seconds(range.lowerBound) ? nil : outOfRange(showSeconds($0), range, unit: "second", zero: nil) })
    }

    /// An optional duration written in whole seconds, at least `range.lowerBound` seconds.
    static func optionalSeconds(_ name: String, _ path: WritableKeyPath<OTAConfiguration, Duration?> & Sendable,
                                _ range: PartialRangeFrom<Int>) -> ConfigurationKey {
        optional(name, path, parse: { value throws(ConfigurationError) in .seconds(try value.int()) }, show: showSeconds,
                 problem: { $0 >= .seconds(range.lowerBound) ? nil : outOfRange(showSeconds($0), range, unit: "second", zero: nil) })
    }

    /// An http(s) URL; its form is checked when it is read, whether plain http is allowed by `validate()`.
    static func url(_ name: String, _ path: WritableKeyPath<OTAConfiguration, URL> & Sendable, example: String) -> ConfigurationKey {
        value(name, path, parse: { value throws(ConfigurationError) in try value.url(example: example) }, show: \.absoluteString.debugDescription)
    }

    /// An optional http(s) URL.
    static func optionalURL(_ name: String, _ path: WritableKeyPath<OTAConfiguration, URL?> & Sendable, example: String) -> ConfigurationKey {
        optional(name, path, parse: { value throws(ConfigurationError) in try value.url(example: example) }, show: \.absoluteString.debugDescription)
    }

    /// One of the raw values of `Choice` (`layout: releases`).
    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ path: WritableKeyPath<OTAConfiguration, Choice> & Sendable
    ) -> ConfigurationKey where Choice.RawValue == String {
        value(name, path, parse: { value throws(ConfigurationError) in
            let text = try value.string()
            guard let choice = Choice(rawValue: text) else {
                let choices = Choice.allCases.map(\.rawValue).joined(separator: " or ")
                throw ConfigurationError(.invalidValue, key: name, "\(name) must be \(choices), got '\(text)'")
            }
            return choice
        }, show: \.rawValue)
    }

    /// `[a, b]` with each item quoted.
    static func showList(_ items: [String]) -> String {
        "[" + items.map(\.debugDescription).joined(separator: ", ") + "]"
    }

    /// A duration in seconds as the file spells it: `30`, or `0.5` for what only code can set.
    static func showSeconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return attoseconds == 0 ? "\(seconds)" : "\(Double(seconds) + Double(attoseconds) / 1e18)"
    }

    /// "must be at least 1 second, got 0", "must be 0 (no floor) or more bytes, got -1".
    static func outOfRange(_ shown: String, _ range: PartialRangeFrom<Int>, unit: String?, zero: String?) -> String {
        let what = range.lowerBound == 0
            ? "0\(zero.map { " (\($0))" } ?? "") or more\(unit.map { " \($0)s" } ?? "")"
            : "at least \(range.lowerBound)\(unit.map { " \($0)" } ?? "")"
        return "must be \(what), got \(shown)"
    }
}
