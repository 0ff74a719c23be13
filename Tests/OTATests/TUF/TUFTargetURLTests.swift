import Foundation
import Logging
import Testing
@testable import OTA

/// Where a target is downloaded from: its path segments percent-encoded as python-tuf's client does,
/// under consistent snapshots with the SHA-256 before the file name.
@Suite("TUF client: target URLs")
struct TUFTargetURLTests {
    static func target(_ path: String) throws -> TUFTargetFile {
        let fields = try TUFFields(.object(["length": .integer(1), "hashes": .object(["sha256": .string(String(repeating: "ab", count: 32))])]),
                                   file: "targets.json", path: "targets.\(path)")
        return try TUFTargetFile(path: path, fields: fields)
    }

    @Test("plain segments are kept, others percent-encoded (space, ';', '%', non-ASCII), consistent snapshots prefix the hash",
          arguments: [
            ("app/1.2.0/app-1.2.0_x86~64.tar.gz", false, "app/1.2.0/app-1.2.0_x86~64.tar.gz"),
            ("app/1.2.0/app-1.2.0.tar.gz", true, "app/1.2.0/\(String(repeating: "ab", count: 32)).app-1.2.0.tar.gz"),
            ("docs/read me;v=1%.txt", false, "docs/read%20me%3Bv=1%25.txt"),
            ("döcs/ä b", true, "d%C3%B6cs/\(String(repeating: "ab", count: 32)).%C3%A4%20b"),
          ])
    func targetURL(path: String, consistent: Bool, expected: String) throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let client = TUFClient(metadataDirectory: "/nonexistent", metadataURL: URL(string: "http://127.0.0.1:1/metadata")!,
                               targetBaseURL: URL(string: "http://127.0.0.1:1/repo/targets/")!, logger: logger)
        let url = client.url(of: try Self.target(path), consistentSnapshot: consistent)
        #expect(url.absoluteString == "http://127.0.0.1:1/repo/targets/" + expected)
    }

    @Test("a segment counted as plain is one percent-encoding leaves as it is")
    func plainMeansUnchanged() {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/;"))
        for scalar in (0x20...0x7e).compactMap(Unicode.Scalar.init) {
            let segment = "a\(Character(scalar))b"
            if TUFClient.isUnreserved(segment) { #expect(segment.addingPercentEncoding(withAllowedCharacters: allowed) == segment, "\(segment)") }
        }
        #expect(TUFClient.isUnreserved("0123456789abcdef.app-1.2.0+build_7~x.tar.gz") == false, "'+' goes the encoding path")
        #expect(TUFClient.isUnreserved("app-1.2.0_7~x.tar.gz"))
    }
}
