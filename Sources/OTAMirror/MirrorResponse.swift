import Foundation
import Hummingbird
import OTA

/// Builders for the mirror's JSON answers: GitHub's headers, strong ETags, 304s and error bodies.
enum MirrorResponse {
    static let jsonContentType = "application/json; charset=utf-8"
    static let documentationURL = "https://docs.github.com/rest"

    /// GitHub's error body: `{"message": …, "documentation_url": …, "status": "404"}`.
    struct ErrorBody: Encodable {
        var message: String
        var documentationURL: String
        var status: String

        enum CodingKeys: String, CodingKey {
            case message, status
            case documentationURL = "documentation_url"
        }
    }

    /// The encoder of every answer: sorted keys (so equal content gives equal bytes and ETags), and
    /// URLs without `\/` escapes, like GitHub's.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return encoder
    }

    /// A JSON answer for `value` with a strong ETag; 304 without a body when `If-None-Match` matches.
    static func json(_ value: some Encodable, for request: Request, headers extra: HTTPFields = [:]) throws -> Response {
        try json(data: encoder.encode(value), for: request, headers: extra)
    }

    /// A JSON answer for already-encoded `data`, with a strong ETag and 304 handling.
    static func json(data: Data, for request: Request, headers extra: HTTPFields = [:]) -> Response {
        let etag = EntityTag.forBody(data)
        var headers = extra
        headers[.eTag] = etag
        headers[.cacheControl] = "private, max-age=60, s-maxage=60"
        headers[.vary] = "Accept, Authorization"
        if EntityTag.noneMatchHits(request.headers[.ifNoneMatch], etag: etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = jsonContentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A GitHub-shaped error answer, e.g. 404 `{"message":"Not Found",…,"status":"404"}`.
    static func error(_ status: HTTPResponse.Status, _ message: String? = nil, headers extra: HTTPFields = [:]) -> Response {
        let body = ErrorBody(message: message ?? status.reasonPhrase, documentationURL: documentationURL, status: String(status.code))
        let data = (try? encoder.encode(body)) ?? Data()
        var headers = extra
        headers[.contentType] = jsonContentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static var notFound: Response { error(.notFound, "Not Found") }

    /// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`) for `Last-Modified`.
    static func httpDate(_ date: Date) -> String {
        UTCTime.httpDate(date)
    }
}
