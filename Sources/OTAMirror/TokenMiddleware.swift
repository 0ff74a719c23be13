import Foundation
import Hummingbird

/// Requires `Authorization: Bearer <token>` (or GitHub's older `token <token>`) on every request,
/// like a private GitHub repository.
///
/// No credentials: 404 `Not Found` (GitHub hides private repositories from anonymous callers).
/// Wrong credentials: 401 `Bad credentials`. The comparison takes the same time wherever the
/// tokens differ.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return MirrorResponse.notFound }
        guard let presented = Self.credential(in: header), Self.constantTimeEqual(presented, token) else {
            return MirrorResponse.error(.unauthorized, "Bad credentials")
        }
        return try await next(request, context)
    }

    /// The token of a `Bearer T` or `token T` header (scheme case-insensitive), or `nil`.
    static func credential(in header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, ["bearer", "token"].contains(parts[0].lowercased()) else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8), right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
