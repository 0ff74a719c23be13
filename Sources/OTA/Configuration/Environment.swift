import Foundation

/// The variables that `${VAR}` and `${VAR:-default}` in the configuration are taken from.
///
/// The process environment wins; a `.env` file only adds variables that are not already set.
public struct ConfigurationEnvironment: Sendable {
    /// Variable names and values.
    public var variables: [String: String]

    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// The process environment, plus the variables of `dotEnvPath` (default: `.env` in the working
    /// directory) that the process does not set. A missing `.env` is fine; a malformed one is an error.
    public static func current(dotEnvPath: String? = ".env") throws(ConfigurationError) -> ConfigurationEnvironment {
        var environment = ConfigurationEnvironment(ProcessInfo.processInfo.environment)
        if let dotEnvPath {
            try environment.addDotEnv(at: dotEnvPath)
        }
        return environment
    }

    /// Adds the variables of a `.env` file that are not set yet.
    ///
    /// Lines are `NAME=value` or `export NAME=value`; `#` starts a comment line; values may be
    /// wrapped in single quotes (taken literally) or double quotes (`\n`, `\"`, `\\` escapes).
    public mutating func addDotEnv(at path: String) throws(ConfigurationError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(.unreadableFile, "cannot read \(path) as UTF-8 text; fix or remove that .env file")
        }
        for (name, value) in try Self.parseDotEnv(text, path: path) where variables[name] == nil {
            variables[name] = value
        }
    }

    /// Parses `.env` text into ordered name/value pairs.
    static func parseDotEnv(_ text: String, path: String) throws(ConfigurationError) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "="), Self.isValidName(line[..<equals].trimmingCharacters(in: .whitespaces)) else {
                throw ConfigurationError(.syntax, "\(path):\(index + 1): expected NAME=value, got '\(line.prefix(40))'")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") {
                value = String(value.dropFirst().dropLast())
            } else if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = Self.unescapeDoubleQuoted(value.dropFirst().dropLast())
            } else if value.hasPrefix("'") || value.hasPrefix("\"") {
                throw ConfigurationError(.syntax, "\(path):\(index + 1): the value of \(name) has an unclosed quote")
            } else if let comment = value.range(of: " #") {
                value = String(value[..<comment.lowerBound]).trimmingCharacters(in: .whitespaces)
            }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func unescapeDoubleQuoted(_ text: Substring) -> String {
        var result = ""
        var escaping = false
        for character in text {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
    }

    /// Replaces `${NAME}` and `${NAME:-default}` in `text`; `$$` stands for a literal `$`.
    ///
    /// `${NAME:-default}` takes the default when `NAME` is unset or empty, as in the shell.
    /// - Parameters:
    ///   - text: the value as written in the file.
    ///   - key: the configuration key the text belongs to, named in errors.
    public func substitute(_ text: String, key: String) throws(ConfigurationError) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            let afterDollar = rest.index(after: dollar)
            if afterDollar < rest.endIndex, rest[afterDollar] == "$" {
                result += "$"
                rest = rest[rest.index(after: afterDollar)...]
                continue
            }
            guard afterDollar < rest.endIndex, rest[afterDollar] == "{" else {
                result += "$"
                rest = rest[afterDollar...]
                continue
            }
            guard let close = rest[afterDollar...].firstIndex(of: "}") else {
                throw ConfigurationError(.syntax, key: key, "\(key): '${' without a closing '}' in '\(text)'")
            }
            let body = rest[rest.index(after: afterDollar)..<close]
            let name: Substring
            var fallback: Substring?
            if let separator = body.range(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
            }
            guard Self.isValidName(name) else {
                throw ConfigurationError(.syntax, key: key, "\(key): '${\(body)}' is not a valid variable reference (use ${NAME} or ${NAME:-default})")
            }
            if let value = variables[String(name)], !(fallback != nil && value.isEmpty) {
                result += value
            } else if let fallback {
                result += fallback
            } else {
                throw ConfigurationError(.unsetVariable, key: key, "\(key): the environment variable \(name) is not set; set it (in the environment or .env) or write ${\(name):-default}")
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result
    }
}
