import Foundation
import Testing

/// Runs a command-line tool the verification tests compare against (`minisign`, `python3`).
///
/// A missing tool is a test failure that says how to install it, never a silent skip: CI installs them.
struct ExternalTool {
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    let name: String
    let path: String
    let installHint: String

    /// Finds `name` on `PATH`, or fails the test with `installHint`.
    init(_ name: String, installHint: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.name = name
        self.installHint = installHint
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        let found = directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        path = try #require(found, "\(name) is not installed: \(installHint)", sourceLocation: sourceLocation)
    }

    static func minisign() throws -> ExternalTool {
        try ExternalTool("minisign", installHint: "install it with `apt-get install -y minisign` (CI does this in .ci/run)")
    }

    static func python() throws -> ExternalTool {
        try ExternalTool("python3", installHint: "install it with `apt-get install -y python3`")
    }

    /// Runs the tool with `arguments` in `directory`, no standard input; returns status and outputs.
    @discardableResult
    func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read the pipes before waiting, so that the tool cannot block on a full pipe
        // (the tools used here write little to standard error).
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorOutput = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      output: String(decoding: outputData, as: UTF8.self),
                      errors: String(decoding: errorOutput, as: UTF8.self))
    }

    /// Runs the tool and fails the test unless it exits 0.
    @discardableResult
    func succeed(_ arguments: [String], in directory: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let result = try run(arguments, in: directory)
        try #require(result.status == 0, "\(name) \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.errors)", sourceLocation: sourceLocation)
        return result
    }
}
