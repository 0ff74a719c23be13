import Foundation
import Testing
@testable import OTA

@Suite("Redirect and URL policy")
struct RedirectPolicyTests {
    let policy = RedirectPolicy(maxRedirects: 3, allowInsecureHTTP: false)

    @Test("https is allowed; http only to loopback; other schemes never", arguments: [
        ("https://api.github.com/x", true), ("http://127.0.0.1:8080/x", true), ("http://localhost/x", true),
        ("http://[::1]:80/x", true), ("http://127.8.9.10/x", true), ("http://192.168.1.5/x", false),
        ("http://mirror.lan/x", false), ("ftp://example.com/x", false), ("file:///etc/passwd", false),
    ])
    func allowed(_ url: String, _ ok: Bool) {
        let result = Result { () throws(TransferError) in try policy.checkAllowed(URL(string: url)!) }
        #expect((try? result.get()) != nil ? ok : !ok)
    }

    @Test("allow_insecure_http permits plain http to other hosts")
    func insecureAllowed() throws {
        try RedirectPolicy(maxRedirects: 3, allowInsecureHTTP: true).checkAllowed(URL(string: "http://mirror.lan/x")!)
    }

    @Test("a redirect from https to http is refused, even to loopback and with allow_insecure_http")
    func httpsToHTTP() throws {
        for policy in [policy, RedirectPolicy(maxRedirects: 3, allowInsecureHTTP: true)] {
            let error = try #require(throws: TransferError.self) {
                try policy.follow(location: "http://127.0.0.1/file", from: URL(string: "https://api.github.com/a")!, visited: [URL(string: "https://api.github.com/a")!])
            }
            #expect(error.code == .redirectRefused)
            #expect(error.message.contains("https to plain http"))
        }
    }

    @Test("relative locations resolve against the current URL")
    func relative() throws {
        let current = URL(string: "http://127.0.0.1:9/a/b")!
        #expect(try policy.follow(location: "/c?d=1", from: current, visited: [current]).absoluteString == "http://127.0.0.1:9/c?d=1")
        #expect(try policy.follow(location: "e", from: current, visited: [current]).absoluteString == "http://127.0.0.1:9/a/e")
    }

    @Test("loops, missing locations and too many hops are refused")
    func refused() throws {
        let a = URL(string: "https://a.example/1")!, b = URL(string: "https://b.example/2")!
        #expect(throws: TransferError.self) { try policy.follow(location: a.absoluteString, from: b, visited: [a, b]) }
        #expect(throws: TransferError.self) { try policy.follow(location: nil, from: a, visited: [a]) }
        let many = (1...4).map { URL(string: "https://h\($0).example/")! }
        #expect(throws: TransferError.self) { try policy.follow(location: "https://next.example/", from: many[3], visited: many) }
    }

    @Test("origins compare scheme, host and port with default ports filled in")
    func origins() {
        #expect(RedirectPolicy.origin(of: URL(string: "https://API.github.com/x")!) == RedirectPolicy.origin(of: URL(string: "https://api.github.com:443/y")!))
        #expect(RedirectPolicy.origin(of: URL(string: "https://api.github.com/")!) != RedirectPolicy.origin(of: URL(string: "https://objects.githubusercontent.com/")!))
        #expect(RedirectPolicy.origin(of: URL(string: "http://127.0.0.1:80/")!) != RedirectPolicy.origin(of: URL(string: "http://127.0.0.1:81/")!))
        #expect(RedirectPolicy.origin(of: URL(string: "http://h/")!) != RedirectPolicy.origin(of: URL(string: "https://h/")!))
    }

    @Test("retry delays grow exponentially with jitter and are capped")
    func retryDelays() {
        let retry = RetryPolicy(maxRetries: 5, baseDelay: .seconds(2), maxDelay: .seconds(10))
        #expect(retry.delay(beforeRetry: 1, jitter: 1) == .seconds(2))
        #expect(retry.delay(beforeRetry: 2, jitter: 1) == .seconds(4))
        #expect(retry.delay(beforeRetry: 3, jitter: 1) == .seconds(8))
        #expect(retry.delay(beforeRetry: 4, jitter: 1) == .seconds(10))
        #expect(retry.delay(beforeRetry: 1, jitter: 0.5) == .seconds(1))
        for _ in 0..<50 {
            let delay = retry.delay(beforeRetry: 2)
            #expect(delay >= .seconds(2) && delay <= .seconds(6))
        }
    }

    @Test("rate-limit headers give the next allowed time")
    func rateLimitHeaders() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RateLimit.nextAllowed(status: 429, headers: ["Retry-After": "30"], now: now) == now.addingTimeInterval(30))
        #expect(RateLimit.nextAllowed(status: 403, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1700000600"], now: now)
            == Date(timeIntervalSince1970: 1_700_000_600))
        #expect(RateLimit.nextAllowed(status: 403, headers: ["X-RateLimit-Remaining": "12"], now: now) == nil)
        #expect(RateLimit.nextAllowed(status: 200, headers: ["Retry-After": "30"], now: now) == nil)
        #expect(RateLimit.nextAllowed(status: 429, headers: ["Retry-After": "Tue, 14 Nov 2023 23:00:00 GMT"], now: now)
            == Date(timeIntervalSince1970: 1_700_002_800))
    }
}
