import Logging

/// Calls back with every message logged at info level or above.
struct CallbackLogHandler: LogHandler {
    let callback: @Sendable (String) -> Void
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(_ callback: @escaping @Sendable (String) -> Void) { self.callback = callback }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { callback(event.message.description) }
}
