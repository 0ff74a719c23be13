import Foundation
import Testing

/// Runs `scripts/tuf-interop.py` with python-tuf. Missing python-tuf is a test failure that says how
/// to install it, never a skip: CI installs it (`.ci/run`).
enum TUFPythonTool {
    static let installHint = "python-tuf is not installed for python3: run `python3 -m pip install 'tuf>=6' 'securesystemslib[crypto]'` (CI does this in .ci/run)"

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/tuf-interop.py").path
    }

    /// Runs the script with `arguments` (and `input` on standard input); returns standard output.
    static func run(_ arguments: [String], input: Data = Data(), sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
        let check = try execute(["-c", "import tuf.api.metadata, securesystemslib.signer, cryptography"], input: Data())
        try #require(check.status == 0, "\(installHint)\n\(String(decoding: check.errors, as: UTF8.self))", sourceLocation: sourceLocation)
        let result = try execute([script] + arguments, input: input)
        try #require(result.status == 0, "tuf-interop.py \(arguments.joined(separator: " ")) failed (\(result.status)): \(String(decoding: result.errors, as: UTF8.self))",
                     sourceLocation: sourceLocation)
        return result.output
    }

    private static func execute(_ arguments: [String], input: Data) throws -> (status: Int32, output: Data, errors: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        // Small outputs: read standard error after standard output without risk of a full pipe.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output, errors)
    }
}
