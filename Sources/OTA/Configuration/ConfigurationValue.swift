import Foundation
import Yams

/// One value of the YAML file, read as the type its key expects, with `${VAR}` substituted.
struct ConfigurationValue {
    let key: String
    let node: Node
    let environment: ConfigurationEnvironment

    /// True for `~`, `null`, or an empty plain value: the key falls back to its default.
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private func wrongType(_ expected: String) -> ConfigurationError {
        let shown: String
        switch node {
        case .scalar(let scalar): shown = "'\(scalar.string)'"
        case .sequence: shown = "a list"
        case .mapping: shown = "a mapping"
        case .alias: shown = "an alias"
        }
        return ConfigurationError(.wrongType, key: key, "\(key) must be \(expected), got \(shown)")
    }

    /// The scalar's text after substitution.
    private func text(expected: String) throws(ConfigurationError) -> String {
        guard case .scalar(let scalar) = node else { throw wrongType(expected) }
        return try environment.substitute(scalar.string, key: key)
    }

    func string() throws(ConfigurationError) -> String {
        try text(expected: "a string")
    }

    func int() throws(ConfigurationError) -> Int {
        let value = try text(expected: "a whole number").trimmingCharacters(in: .whitespaces)
        guard let number = Int(value.replacingOccurrences(of: "_", with: "")) else {
            throw ConfigurationError(.wrongType, key: key, "\(key) must be a whole number, got '\(value)'")
        }
        return number
    }

    func double() throws(ConfigurationError) -> Double {
        let value = try text(expected: "a number").trimmingCharacters(in: .whitespaces)
        guard let number = Double(value), number.isFinite else {
            throw ConfigurationError(.wrongType, key: key, "\(key) must be a number, got '\(value)'")
        }
        return number
    }

    func bool() throws(ConfigurationError) -> Bool {
        let value = try text(expected: "true or false").trimmingCharacters(in: .whitespaces)
        switch value.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigurationError(.wrongType, key: key, "\(key) must be true or false, got '\(value)'")
        }
    }

    /// A size in bytes: a whole number, optionally with a unit (`KB`, `MB`, `GB`, `KiB`, `MiB`, `GiB`, `TiB`).
    func bytes() throws(ConfigurationError) -> Int {
        let value = try text(expected: "a size in bytes").trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
                                      ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
                                      ("B", 1)]
        var number = value.replacingOccurrences(of: "_", with: "")
        var multiplier = 1
        if let unit = units.first(where: { number.hasSuffix($0.0) }) {
            number = String(number.dropLast(unit.0.count)).trimmingCharacters(in: .whitespaces)
            multiplier = unit.1
        }
        guard let count = Int(number) else {
            throw ConfigurationError(.wrongType, key: key, "\(key) must be a size in bytes such as 4294967296 or 4GiB, got '\(value)'")
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw ConfigurationError(.invalidValue, key: key, "\(key) is too large: '\(value)'") }
        return product
    }

    /// An http(s) URL such as `example`, absolute, with a host, without query or fragment.
    func url(example: String) throws(ConfigurationError) -> URL {
        try OTAConfiguration.parseURL(try string(), key: key, example: example)
    }

    /// A list of strings; a single string is accepted as a one-element list.
    func stringList() throws(ConfigurationError) -> [String] {
        switch node {
        case .sequence(let sequence):
            var result: [String] = []
            for item in sequence {
                guard case .scalar(let scalar) = item else {
                    throw ConfigurationError(.wrongType, key: key, "\(key) must be a list of paths, but an item is a list or mapping")
                }
                result.append(try environment.substitute(scalar.string, key: key))
            }
            return result
        case .scalar:
            return [try string()]
        default:
            throw wrongType("a list of strings")
        }
    }
}
