import Foundation

/// The one rule for the external tools the tests use (nginx, faketime, minisign, python-tuf, moto): with
/// `OTA_REQUIRE_TOOLS=1` in the environment — `.ci/run` sets it when it could install them, as root — a
/// missing tool fails the test with what to install. Without it, a suite that can skip is skipped
/// (`.enabled(if: RequiredTools.run(ifInstalled: …))`); the helpers of nginx, minisign, python-tuf and moto
/// fail with what to install in any case.
public enum RequiredTools {
    /// Whether `OTA_REQUIRE_TOOLS=1` is set.
    public static var areRequired: Bool {
        ProcessInfo.processInfo.environment["OTA_REQUIRE_TOOLS"] == "1"
    }

    /// Whether a suite that needs a tool runs: when the tool is `installed`, or when tools are required (a
    /// missing one then fails the test, saying what to install).
    public static func run(ifInstalled installed: Bool) -> Bool {
        installed || areRequired
    }
}
