import Foundation
import OTA
import NIOHTTP1

/// Response headers and release sizes: rate limits (`Retry-After`, `X-RateLimit-*`), `Content-Length`,
/// `Content-Range`, `ETag`/`Last-Modified`, `Link`, and the size arithmetic of downloads and resumes.
///
/// Input: `Name: value` lines (`\n` or `\r\n`); a first line of digits is the status (else 429).
/// Two lines feed the size arithmetic as a release would: `x-asset-size` (the asset's `size`, any
/// `Int`) and `x-resume-offset` (bytes already on disk).
///
/// Invariants: nothing traps; a rate-limit wait lies between now and one hour from now, for the stored
/// time and for the retry loop alike; lengths and ranges are non-negative and ordered; a length that
/// "fits" really fits; a companion read limit stays within 1 MiB; a negative size announces nothing.
enum HTTPHeadersHarness {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func run(_ input: [UInt8]) -> FuzzResult {
        var lines = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        var status = 429
        if let first = lines.first, let code = Int(first), (100...599).contains(code) {
            status = code
            lines.removeFirst()
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            // The HTTP parser admits only ASCII names (and HTTPHeaders traps on others).
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 < 0x80 }) else { continue }
            headers.add(name: name, value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        guard !headers.isEmpty else { return FuzzResult(accepted: false, rejection: "no header line") }
        var violations = rateLimitViolations(status: status, headers: headers)
        violations += lengthViolations(headers)
        violations += sizeViolations(headers)
        _ = GitHubReleaseSource.nextLink(headers)
        return FuzzResult(accepted: true, violations: violations)
    }

    static func rateLimitViolations(status: Int, headers: HTTPHeaders) -> [String] {
        var violations: [String] = []
        for code in Set([status, 403, 429]) {
            guard let until = RateLimit.nextAllowed(status: code, headers: headers, now: now) else { continue }
            if until < now || until > now.addingTimeInterval(RateLimit.longestWait) {
                violations.append("status \(code): the next request is allowed at \(until.timeIntervalSince1970), not within an hour of now")
            }
            _ = RateLimit.error(repository: "o/r", until: until, authenticated: false, status: code).message
            if RateLimit.pending(until, now: now).map({ $0 != until }) ?? false {
                violations.append("a stored time of \(until.timeIntervalSince1970) does not read back as itself")
            }
        }
        for value in headers[canonicalForm: "x-ratelimit-reset"] + headers[canonicalForm: "retry-after"] {
            // The retry loop's wait for any date a header can name.
            let seconds = Double(value) ?? 0
            let date = Date(timeIntervalSinceNow: seconds.isFinite ? max(min(seconds, 1e15), -1e15) : 0)
            if RetryPolicy.wait(until: date) > .seconds(RateLimit.longestWait) {
                violations.append("the retry loop would wait more than an hour for \(value)")
            }
        }
        return violations
    }

    static func lengthViolations(_ headers: HTTPHeaders) -> [String] {
        var violations: [String] = []
        if let length = HeaderValues.contentLength(headers), length < 0 {
            violations.append("Content-Length read as \(length)")
        }
        if let range = HeaderValues.contentRange(headers) {
            if range.first < 0 || range.first > range.last || range.total.map({ range.last >= $0 }) ?? false {
                violations.append("Content-Range read as \(range.first)-\(range.last)/\(range.total.map(String.init) ?? "*")")
            }
        }
        return violations
    }

    static func sizeViolations(_ headers: HTTPHeaders) -> [String] {
        var violations: [String] = []
        let size = headers.first(name: "x-asset-size").flatMap { Int($0) } ?? HeaderValues.contentLength(headers) ?? 0
        let offset = max(0, headers.first(name: "x-resume-offset").flatMap { Int($0) } ?? 0)
        let announced = HeaderValues.contentLength(headers) ?? max(size, 0)
        let asset = ReleaseAsset(id: 1, name: "app.tar.gz", size: size, apiURL: "https://example.invalid/a")
        let artifact = Artifact(release: Release(tag: "v1.0.0", version: SemanticVersion(1, 0, 0)), kind: .asset(asset),
                                fileName: asset.name, url: asset.apiURL)
        let expected = artifact.expectedSize
        if let expected, expected < 0 { violations.append("size \(size) is expected as \(expected)") }
        let limit = Downloader.companionLimit(announcedSize: size)
        if !(0...(1 << 20)).contains(limit) { violations.append("companion limit \(limit) for size \(size)") }
        for maximum in [1, 2 << 30, Int.max] {
            let verdict = Downloader.announcedSize(announced, after: offset, expected: expected, maxDownloadBytes: maximum)
            let bound = expected ?? maximum
            let (total, overflow) = offset.addingReportingOverflow(announced)
            if verdict == .fits, overflow || total > bound {
                violations.append("\(announced) bytes after \(offset) fit \(expected.map { "the release's \($0)" } ?? "max \(maximum)")")
            }
        }
        if let expected {
            let existing = Int64(min(offset, expected))
            _ = try? DiskSpace.require(Int64(expected) - existing, at: "/", for: asset.name)
        }
        return violations
    }
}
