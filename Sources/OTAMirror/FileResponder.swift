import Foundation
import Hummingbird

/// Serves a catalog file with `ETag`, `If-None-Match`, `Range` and `If-Range` handled here rather
/// than by Hummingbird's `FileMiddleware`, which gets suffix ranges and ranges at EOF wrong (docs/security.md,
/// "The mirror": the mirror answers `Range` itself).
///
/// The body is streamed from disk in 64 KiB chunks with back-pressure (`FileStream`), so memory
/// stays constant whatever the file size. The path is re-resolved just before opening and must still be inside the
/// root; a file that changed since the catalog was read is answered with 404 rather than mixed bytes.
struct FileResponder: Sendable {
    let catalog: ReleaseCatalog

    func respond(to request: Request, context: MirrorRequestContext, file: CatalogFile, sha256: String,
                 contentType: String, downloadName: String) async throws -> Response {
        guard let path = catalog.insideRoot(file.path), path == file.path,
              let current = ReleaseCatalog.regularFile(path), current == file
        else { return MirrorResponse.notFound }
        let etag = EntityTag.forFile(sha256: sha256)
        let lastModified = MirrorResponse.httpDate(file.modified)
        var headers: HTTPFields = [:]
        headers[.eTag] = etag
        headers[.lastModified] = lastModified
        headers[.acceptRanges] = "bytes"
        headers[.contentType] = contentType
        headers[.contentDisposition] = "attachment; filename=\"\(downloadName.replacingOccurrences(of: "\"", with: "_"))\""
        if EntityTag.noneMatchHits(request.headers[.ifNoneMatch], etag: etag) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        var range = ByteRange(header: request.headers[.range], size: file.size)
        if range != .full, !EntityTag.ifRangeAllowsPartial(request.headers[.ifRange], etag: etag, lastModified: lastModified) {
            range = .full
        }
        switch range {
        case .unsatisfiable:
            var errorHeaders: HTTPFields = [:]
            errorHeaders[.contentRange] = "bytes */\(file.size)"
            errorHeaders[.acceptRanges] = "bytes"
            errorHeaders[.eTag] = etag
            return MirrorResponse.error(.rangeNotSatisfiable, "Range Not Satisfiable", headers: errorHeaders)
        case .partial(let bytes):
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(file.size)"
            let body = FileStream.body(path: path, range: bytes, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        case .full:
            guard file.size > 0 else { return Response(status: .ok, headers: headers, body: ResponseBody()) }
            let body = FileStream.body(path: path, range: 0...(file.size - 1), context: context)
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
