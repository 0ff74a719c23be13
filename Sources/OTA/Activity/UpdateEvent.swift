import Foundation

/// One change of what the agent does: a line of the status API's `GET /v1/events`.
///
/// Encodes to `{"time", "state", "progress": {"bytes", "total"} | null, "version"?, "message"?}`
/// (`version` and `message` only when known; `total` is `null` when the size is unknown).
public struct UpdateEvent: Sendable, Equatable, Codable {
    /// How far a download is: bytes on disk so far, and the size when it is known.
    public struct Progress: Sendable, Equatable, Codable {
        public var bytes: Int64
        public var total: Int64?

        public init(bytes: Int64, total: Int64?) {
            self.bytes = bytes
            self.total = total
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(bytes, forKey: .bytes)
            try container.encode(total, forKey: .total)
        }
    }

    /// When it happened.
    public var time: Date
    public var state: AgentState
    /// The download's progress while `downloading`; `nil` otherwise.
    public var progress: Progress?
    /// The release being worked on, when there is one.
    public var version: String?
    /// What happened, in words (an error, or what an install waits for).
    public var message: String?

    public init(time: Date, state: AgentState, progress: Progress? = nil, version: String? = nil, message: String? = nil) {
        self.time = time
        self.state = state
        self.progress = progress
        self.version = version
        self.message = message
    }

    enum CodingKeys: String, CodingKey {
        case time, state, progress, version, message
    }

    /// Writes `progress` as `null` when absent, and leaves `version` and `message` out when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(state, forKey: .state)
        try container.encode(progress, forKey: .progress)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encodeIfPresent(message, forKey: .message)
    }

    /// One line of `GET /v1/events`: the JSON object and a newline.
    public func jsonLine() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .utcISO8601
        return ((try? encoder.encode(self)).map(Array.init) ?? []) + [UInt8(ascii: "\n")]
    }
}
