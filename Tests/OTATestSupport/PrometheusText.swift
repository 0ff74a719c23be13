import Foundation

/// Prometheus text read by a real parser: prometheus_client's `text_string_to_metric_families`
/// (`scripts/metrics-parse.py`), run on a thread of its own, off the concurrency pool.
public struct PrometheusText: Sendable {
    public struct Sample: Sendable, Decodable {
        public let name: String
        public let labels: [String: String]
        public let value: Double
    }

    public struct Family: Sendable, Decodable {
        public let name: String
        public let type: String
        public let samples: [Sample]
    }

    public struct ParseFailed: Error, CustomStringConvertible {
        public let description: String
    }

    public let families: [Family]

    /// Parses `text`; throws when the parser rejects it.
    public static func parse(_ text: String) async throws -> PrometheusText {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try parseBlocking(text) }) }.start()
        }
    }

    /// The family called `name` (a counter's family name has no `_total`).
    public func family(_ name: String) -> Family? {
        families.first { $0.name == name }
    }

    /// The value of the sample `name` whose labels include `labels`.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.lazy.flatMap(\.samples).first { sample in
            sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value }
        }?.value
    }

    private struct Output: Decodable {
        let families: [Family]
    }

    private static func parseBlocking(_ text: String) throws -> PrometheusText {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/metrics-parse.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorText = LockedData()
        let reader = Thread { errorText.data = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ParseFailed(description: "metrics-parse.py exited \(process.terminationStatus): \(String(decoding: errorText.wait(), as: UTF8.self))")
        }
        return PrometheusText(families: try JSONDecoder().decode(Output.self, from: data).families)
    }
}

/// Data filled in by another thread.
private final class LockedData: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    var data = Data() { didSet { done.signal() } }
    func wait() -> Data {
        done.wait()
        return data
    }
}
