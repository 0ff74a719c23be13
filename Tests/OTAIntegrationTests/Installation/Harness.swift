import Foundation

/// Runs the test-only `ota-install-harness` executable built next to the test bundle.
enum Harness {
    struct Child {
        let process: Process
        let output: Pipe
    }

    static let executable: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("ota-install-harness").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }()

    static var isBuilt: Bool { executable != nil }

    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Child {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? "/nonexistent/ota-install-harness")
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Child(process: process, output: output)
    }

    /// Runs to the end; returns whether it was killed by a signal, and its output.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (killed: Bool, status: Int32, output: String) {
        let child = try start(arguments, environment: environment)
        let data = child.output.fileHandleForReading.readDataToEndOfFile()
        child.process.waitUntilExit()
        return (child.process.terminationReason == .uncaughtSignal, child.process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// The first line the child prints.
    static func readLine(_ child: Child) throws -> String {
        var bytes: [UInt8] = []
        while true {
            let data = child.output.fileHandleForReading.readData(ofLength: 1)
            if data.isEmpty || data.first == 10 { break }
            bytes += data
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
