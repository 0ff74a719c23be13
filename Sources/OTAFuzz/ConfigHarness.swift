import OTA

/// YAML configuration loading with a fixed environment holding a token.
///
/// Invariants: loading either returns a configuration or throws a `ConfigurationError` with a
/// message (typed throws: never another error, never a trap); the token from the environment never
/// appears in the configuration's description or in the error, wherever it was substituted.
enum ConfigHarness {
    static let token = "ghp_FuzzSecretToken0123456789abcdefABCD"
    static let environment = ConfigurationEnvironment([
        "GITHUB_TOKEN": token, "OTA_HOME": "/srv/app", "EMPTY": "", "INTERVAL": "600",
    ])

    static func run(_ input: [UInt8]) -> FuzzResult {
        let text = String(decoding: input, as: UTF8.self)
        do {
            let configuration = try OTAConfiguration.parse(yaml: text, environment: environment, fileName: "fuzz.yaml")
            let shown = String(describing: configuration) + String(reflecting: configuration)
            let leaks = shown.split(separator: "\n").filter { $0.contains(token) }
            return FuzzResult(accepted: true, violations: leaks.map { "the token appears in the configuration's description: \($0)" })
        } catch {
            var violations = error.message.isEmpty ? ["a configuration error without a message"] : []
            if error.message.contains(token) { violations.append("the token appears in the error: \(error.message)") }
            return FuzzResult(accepted: false, violations: violations, rejection: error.message)
        }
    }
}
