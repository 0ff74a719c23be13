import Foundation
import NIOHTTP1

/// What the status API answers, by method and path:
///
/// | request | answer |
/// |---|---|
/// | `GET /v1/status` | the `ota status --json` object with `state` and `progress` |
/// | `GET /v1/events` | JSON lines, one per ``UpdateEvent``, as they happen |
/// | `POST /v1/check`, `POST /v1/update` | `202`: the agent checks (or updates) now |
/// | `GET /metrics` | the Prometheus text of ``AgentMetrics`` |
///
/// Another method on these paths is `405`, any other path `404`.
struct StatusRoutes: Sendable {
    let updater: OTAUpdater
    /// Where `POST /v1/check` and `POST /v1/update` go; `nil` when no ``UpdateService`` runs (they are then `503`).
    let requests: AgentRequests?
    let metrics: AgentMetrics

    /// An answer: a complete response, or the stream of events.
    enum Answer: Sendable {
        case response(StatusResponse)
        case events
    }

    func answer(_ method: HTTPMethod, _ uri: String) async -> Answer {
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        switch (path, method) {
        case ("/v1/status", .GET):
            return .response(await status())
        case ("/v1/events", .GET):
            return .events
        case ("/v1/check", .POST):
            return .response(accept(.check))
        case ("/v1/update", .POST):
            return .response(accept(.update))
        case ("/metrics", .GET):
            let text = await metrics.text(for: updater)
            return .response(StatusResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8)))
        case ("/v1/status", _), ("/v1/events", _), ("/metrics", _):
            return .response(.error(.methodNotAllowed, "\(path) answers GET only", allow: "GET"))
        case ("/v1/check", _), ("/v1/update", _):
            return .response(.error(.methodNotAllowed, "\(path) answers POST only", allow: "POST"))
        default:
            return .response(.error(.notFound, "no such endpoint: \(path); the status API has /v1/status, /v1/events, /v1/check, /v1/update and /metrics"))
        }
    }

    /// The status with the agent's live state and progress.
    private func status() async -> StatusResponse {
        var status = await updater.status()
        let current = updater.activity.current
        status.state = current.state
        status.progress = current.progress
        status.message = current.message
        guard let json = try? status.jsonString() else { return .error(.internalServerError, "the status could not be encoded") }
        return .json(.ok, Array(json.utf8) + [UInt8(ascii: "\n")])
    }

    private func accept(_ kind: AgentRequests.Kind) -> StatusResponse {
        guard let requests else { return .error(.serviceUnavailable, "this agent runs no background checker to take requests") }
        requests.submit(kind)
        return .json(.accepted, Array("{\"accepted\":\"\(kind.rawValue)\"}\n".utf8))
    }
}

/// A complete response of the status API.
struct StatusResponse: Sendable, Equatable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]
    /// `Allow`, for a `405`.
    var allow: String?

    static func json(_ status: HTTPResponseStatus, _ body: [UInt8]) -> StatusResponse {
        StatusResponse(status: status, contentType: "application/json", body: body)
    }

    /// `{"error": message}`.
    static func error(_ status: HTTPResponseStatus, _ message: String, allow: String? = nil) -> StatusResponse {
        let body = (try? JSONEncoder().encode(["error": message])).map(Array.init) ?? []
        return StatusResponse(status: status, contentType: "application/json", body: body + [UInt8(ascii: "\n")], allow: allow)
    }
}
