import Foundation
import Hummingbird
import Logging

/// Adds the headers GitHub sends on every answer (`X-RateLimit-*`, media type) and turns any thrown
/// error into GitHub's JSON error body, so that even an unknown path answers
/// `{"message":"Not Found","documentation_url":…,"status":"404"}`.
///
/// The rate limit is static and generous (5000 per hour, never exhausted): a mirror does not limit.
struct GitHubHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var rateLimit: Int { 5000 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            response = MirrorResponse.error(error.status, error.status == .notFound ? "Not Found" : error.body)
        } catch {
            context.logger.error("Request \(request.uri.path) failed: \(error)")
            response = MirrorResponse.error(.internalServerError, "Internal Server Error")
        }
        let reset = Int(Date().timeIntervalSince1970) / 3600 * 3600 + 3600
        response.headers[.init("X-RateLimit-Limit")!] = String(Self.rateLimit)
        response.headers[.init("X-RateLimit-Remaining")!] = String(Self.rateLimit - 1)
        response.headers[.init("X-RateLimit-Used")!] = "1"
        response.headers[.init("X-RateLimit-Reset")!] = String(reset)
        response.headers[.init("X-RateLimit-Resource")!] = "core"
        response.headers[.init("X-GitHub-Media-Type")!] = "github.v3; format=json"
        return response
    }
}
