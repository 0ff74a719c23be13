import Foundation
import Logging

/// Collects the messages an updater logs (with `withMetadata`, each followed by its metadata, see ``CallbackLogHandler``).
final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    private let withMetadata: Bool
    var messages: [String] { lock.withLock { recorded } }

    init(withMetadata: Bool = false) {
        self.withMetadata = withMetadata
    }

    var logger: Logger {
        Logger(label: "test") { [withMetadata] _ in CallbackLogHandler(withMetadata: withMetadata) { [self] message in lock.withLock { recorded.append(message) } } }
    }
}
