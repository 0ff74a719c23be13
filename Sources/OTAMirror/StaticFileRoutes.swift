import Foundation
import Hummingbird
import OTA

/// Serves every regular file under a folder as a static file (`ota serve --tuf DIR`), with strong
/// ETags, `If-None-Match` → 304, `Range`/`If-Range` → 206, as any static host would serve a TUF repository.
///
/// A request path is percent-decoded segment by segment; a path with an empty, `.`, `..` or hidden
/// (`.name`, e.g. a temporary file being written) segment is refused (404), and the file, with symlinks
/// resolved, must be a regular file inside the folder, so nothing outside it can be reached.
struct StaticFileRoutes: Sendable {
    let catalog: ReleaseCatalog

    func register(on router: Router<MirrorRequestContext>) {
        router.get("**") { request, context in try await respond(request, context) }
    }

    private func respond(_ request: Request, _ context: MirrorRequestContext) async throws -> Response {
        guard let relative = Self.relativePath(request.uri.path), let resolved = catalog.insideRoot(catalog.root + "/" + relative),
              let file = ReleaseCatalog.regularFile(resolved)
        else { return Self.notFound }
        let sha256: String
        do { sha256 = try catalog.digests.sha256(of: file) } catch { return Self.notFound }
        var response = try await FileResponder(catalog: catalog).respond(
            to: request, context: context, file: file, sha256: sha256,
            contentType: ContentType.forFile(named: PathName.lastComponent(of: relative)), downloadName: PathName.lastComponent(of: relative))
        response.headers[.contentDisposition] = nil
        // Metadata changes in place (timestamp.json): caches must revalidate, which the ETag makes cheap.
        response.headers[.cacheControl] = "no-cache"
        return response
    }

    /// The folder-relative path of a request path (`/metadata/1.root.json` → `metadata/1.root.json`);
    /// `nil` for a path that could leave the folder or name a hidden file.
    static func relativePath(_ path: String) -> String? {
        guard path.hasPrefix("/") else { return nil }
        var segments: [String] = []
        for raw in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let segment = String(raw).removingPercentEncoding, !segment.isEmpty, !segment.hasPrefix("."),
                  !segment.contains("/"), !segment.contains("\0") else { return nil }
            segments.append(segment)
        }
        return segments.isEmpty ? nil : segments.joined(separator: "/")
    }

    static var notFound: Response {
        Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: "Not Found\n")))
    }
}
