import Foundation
import OTA
import OTATestSupport

/// A GitHub-like API for `octo/app` on 127.0.0.1 whose release assets are files of a folder, served with
/// single `Range` requests as GitHub's storage serves them — or misbehaving as a test asks. It records every
/// asset request (path, range, status, body bytes) and how many were being answered at once.
final class GitHubPackServer: @unchecked Sendable {
    /// How asset requests with `Range` are answered.
    enum RangeBehaviour: Sendable {
        /// 206 with the bytes and `Content-Range` asked for.
        case honoured
        /// 200 with the whole file.
        case ignored
        /// 206 with the bytes asked for, but a `Content-Range` one byte further on.
        case wrongContentRange
    }

    /// One asset request.
    struct Served: Sendable {
        var name: String
        var range: String?
        var status: Int
        var bytes: Int
    }

    private let lock = NSCondition()
    private var releases: [(tag: String, files: [String])] = []
    private var served: [Served] = []
    private var behaviour = RangeBehaviour.honoured
    private var transientFailures = 0
    private var gate: (width: Int, total: Int)?
    private var started = 0
    private var inFlight = 0
    private var held = 0
    private var gateEpoch = 0
    private var maxInFlight = 0
    private var gateTimedOut = false
    private let folder: String
    private var server: FakeHTTPServer!

    /// Serves the assets in `folder/<tag>/`.
    init(folder: String) throws {
        self.folder = folder
        server = try FakeHTTPServer { [unowned self] request, connection in handle(request, connection) }
    }

    var baseURL: String { server.baseURL }

    /// Lists `tag` with the files now in `folder/<tag>/` as its assets (sizes as they are now).
    func publish(_ tag: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/" + tag).sorted()
        lock.withLock { releases.append((tag, files)) }
    }

    func answerRanges(_ behaviour: RangeBehaviour) { lock.withLock { self.behaviour = behaviour } }

    /// The next `count` range requests are answered 503 (a transient failure).
    func failNextRanges(_ count: Int) { lock.withLock { transientFailures = count } }

    /// Holds each range request until `width` are held at once, or until all `total` expected have come
    /// (then the rest are let through), so that the most requests a client sends at once shows.
    func holdRanges(width: Int, total: Int) { lock.withLock { gate = (width, total) } }

    /// The asset requests so far, and forgets them.
    func takeServed() -> [Served] {
        lock.withLock {
            defer { served = [] }
            return served
        }
    }

    /// The most asset requests being answered at once, and whether the gate gave up waiting.
    var concurrency: (max: Int, gateTimedOut: Bool) { lock.withLock { (maxInFlight, gateTimedOut) } }

    private func handle(_ request: FakeHTTPServer.Request, _ connection: FakeHTTPServer.Connection) {
        if request.path == "/repos/octo/app/releases" {
            let json = lock.withLock {
                FakeGitHub.json(releases.enumerated().reversed().map { number, release in
                    FakeGitHub.release(release.tag, base: baseURL, assets: release.files.map { name in
                        (name, Self.size(folder + "/" + release.tag + "/" + name), nil)
                    }, id: number + 1)
                })
            }
            connection.respond(status: 200, json: json)
            return
        }
        let prefix = "/repos/octo/app/releases/assets/"
        guard request.path.hasPrefix(prefix), let id = Int(request.path.dropFirst(prefix.count)) else {
            connection.respond(status: 404, reason: "Not Found")
            return
        }
        let (release, index) = (id / 100 - 1, id % 100)
        guard let listed = lock.withLock({ releases.indices.contains(release) ? releases[release] : nil }), listed.files.indices.contains(index),
              let bytes = FileManager.default.contents(atPath: folder + "/" + listed.tag + "/" + listed.files[index]).map(Array.init) else {
            connection.respond(status: 404, reason: "Not Found")
            return
        }
        let range = request.headers["range"]
        if range != nil { enterGate() }
        defer { if range != nil { leave() } }
        let (status, headers, body) = answer(bytes, range: range)
        lock.withLock { served.append(Served(name: listed.files[index], range: range, status: status, bytes: body.count)) }
        connection.respond(status: status, reason: status == 206 ? "Partial Content" : "OK", headers: headers, body: body)
    }

    /// The answer to a request for `bytes` with the `Range` header `range`.
    private func answer(_ bytes: [UInt8], range: String?) -> (Int, [String: String], [UInt8]) {
        let plain = ["Content-Type": "application/octet-stream"]
        guard let range, range.hasPrefix("bytes="), let dash = range.firstIndex(of: "-"),
              let first = Int(range[range.index(range.startIndex, offsetBy: 6)..<dash]), let last = Int(range[range.index(after: dash)...]),
              first <= last, last < bytes.count else { return (200, plain, bytes) }
        let (behaviour, failing) = lock.withLock {
            defer { transientFailures = max(0, transientFailures - 1) }
            return (self.behaviour, transientFailures > 0)
        }
        if failing { return (503, plain, []) }
        let part = Array(bytes[first...last])
        switch behaviour {
        case .honoured: return (206, plain.merging(["Content-Range": "bytes \(first)-\(last)/\(bytes.count)"]) { $1 }, part)
        case .ignored: return (200, plain, bytes)
        case .wrongContentRange: return (206, plain.merging(["Content-Range": "bytes \(first + 1)-\(last + 1)/\(bytes.count + 1)"]) { $1 }, part)
        }
    }

    private func enterGate() {
        lock.lock()
        defer { lock.unlock() }
        started += 1
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        guard let gate else { return }
        held += 1
        if started >= gate.total || held > gate.width {
            openGate()
            return
        }
        let epoch = gateEpoch
        if held == gate.width {
            // The gate is full: give a client that would open one more request the time to send it (one within
            // the limit never does). The request it sends then shows in `maxInFlight`; a loaded machine may
            // make this miss an extra request, never report one that was not sent.
            let overflowDeadline = Date().addingTimeInterval(0.5)
            while gateEpoch == epoch && lock.wait(until: overflowDeadline) {}
            if gateEpoch == epoch { openGate() }
            return
        }
        // A safety limit only: a client that keeps fewer requests open than the gate waits for fails the test instead of hanging it.
        let deadline = Date().addingTimeInterval(30)
        while gateEpoch == epoch {
            if !lock.wait(until: deadline) {
                gateTimedOut = true
                openGate()
            }
        }
    }

    /// Lets every held request through (the lock is held).
    private func openGate() {
        held = 0
        gateEpoch += 1
        lock.broadcast()
    }

    private func leave() {
        lock.withLock { inFlight -= 1 }
    }

    private static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }
}
