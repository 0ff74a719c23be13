import Foundation
import Logging
import OTA

/// The CLI's log handler: one line per event on stderr — `LEVEL label: message key=value …`, no timestamp
/// (journald adds its own) — and, once a state folder is known, the same line in `state_dir/ota.log`
/// (size-rotated to `ota.log.1`). Values with spaces are quoted.
struct AgentLogHandler: LogHandler {
    /// Where file logging goes, shared by every logger of the process.
    static let fileLog = FileLogTarget()

    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        let level = event.level, message = event.message
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted("\($0.value)"))" }.joined(separator: " ")
        // One line per event, whatever a server put into a release's tag or an error's text.
        let text = PrintableText.escaped("\(level.rawValue.uppercased()) \(label): \(message)\(fields.isEmpty ? "" : " " + fields)")
        Terminal.writeStandardError(text + "\n")
        Self.fileLog.append(text)
    }

    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) || value.isEmpty else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// The `ota.log` that log lines are copied to, once a command knows its state folder.
final class FileLogTarget: @unchecked Sendable {
    private let lock = NSLock()
    private var log: UpdateLog?

    /// Copies lines to `stateDirectory/ota.log` from now on, unless the folder cannot be trusted.
    func use(stateDirectory: StateDirectory) {
        guard (try? stateDirectory.checkTrust()) != nil else { return }
        lock.withLock { log = UpdateLog(directory: stateDirectory) }
    }

    func append(_ line: String) {
        lock.withLock { try? log?.append(line) }
    }
}
