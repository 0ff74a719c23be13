import Logging

/// Calls back with every message logged at info level or above; with `withMetadata`, the message is
/// followed by its metadata as ` key=value` pairs, sorted by key.
struct CallbackLogHandler: LogHandler {
    let callback: @Sendable (String) -> Void
    let withMetadata: Bool
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    init(withMetadata: Bool = false, _ callback: @escaping @Sendable (String) -> Void) {
        self.withMetadata = withMetadata
        self.callback = callback
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard withMetadata else { return callback(event.message.description) }
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }
        callback(event.message.description + fields.joined())
    }
}
