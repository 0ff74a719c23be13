import Foundation
import OTA
import OTATestSupport
import Testing

/// Two real `ota check` processes on one `state_dir`: the second waits for the first's refresh of
/// `state_dir/tuf` instead of interleaving its metadata writes, then starts from what the first stored.
@Suite("Two ota processes refreshing one state_dir/tuf take turns", .timeLimit(.minutes(10)))
struct TUFConcurrentCommandTests {
    @Test("while the first ota check is held inside its refresh, a second one waits (naming the first's pid) and sends nothing; both then succeed")
    func secondWaitsForFirst() async throws {
        let work = try TemporaryDirectory("tuf-concurrent")
        let publisher = try TUFPublisher.initialize(repository: work.url("repo"), keys: work.url("keys"), product: "monitor")
        let archive = try TUFCatalogRepository.tarball(prefix: "monitor-0.2.0", files: ["VERSION": "0.2.0\n"])
        try publisher.add(version: "0.2.0", platform: "any", archives: [try work.write("monitor-0.2.0.tar.gz", archive)])

        let (server, held, release, config) = try Self.heldRepository(work)
        let first = try StartedOTA(["check", "--config", config])
        await held.wait()
        #expect(server.requests.map(\.path) == ["/metadata/2.root.json", "/metadata/timestamp.json"])

        let second = try StartedOTA(["check", "--config", config])
        let waited = await second.stderrLine { $0.contains("waiting for process \(first.pid), which is refreshing the TUF metadata in \(work.url("install/.ota/tuf"))") }
        #expect(waited, "the second check did not wait: \(second.finish().stderr)")
        #expect(server.requests.count == 2, "the second check sent requests while the first refreshed: \(server.requests.map(\.path))")

        release.signal()
        let firstEnd = first.finish(), secondEnd = second.finish()
        #expect(firstEnd.status == 100, "\(firstEnd.stderr)")
        #expect(secondEnd.status == 100, "\(secondEnd.stderr)")
        // The first refresh ran to its end before the second began; the second reused the snapshot and targets it stored.
        let paths = server.requests.map(\.path)
        #expect(paths.count == 6 && paths[2].hasSuffix(".snapshot.json") && paths[3].hasSuffix(".targets.json")
                && Array(paths[4...]) == ["/metadata/2.root.json", "/metadata/timestamp.json"], "\(paths)")
    }

    @Test("ota tuf-client init on a directory an ota check is refreshing waits for it, then stores the root")
    func initWaitsForRefresh() async throws {
        let work = try TemporaryDirectory("tuf-init-lock")
        _ = try TUFPublisher.initialize(repository: work.url("repo"), keys: work.url("keys"), product: "monitor")
        let (_, held, release, config) = try Self.heldRepository(work)
        let check = try StartedOTA(["check", "--config", config])
        await held.wait()

        let metadata = work.url("install/.ota/tuf")
        let initialise = try StartedOTA(["tuf-client", "--metadata-dir", metadata, "--verbose", "init", work.url("repo/metadata/1.root.json")])
        let waited = await initialise.stderrLine { $0.contains("waiting for process \(check.pid), which is refreshing the TUF metadata in \(metadata)") }
        #expect(waited, "init did not wait for the refresh: \(initialise.finish().stderr)")

        release.signal()
        let checkEnd = check.finish(), initEnd = initialise.finish()
        #expect(checkEnd.status == 0, "\(checkEnd.stderr)")
        #expect(initEnd.status == 0, "\(initEnd.stderr)")
        #expect(FileManager.default.contentsEqual(atPath: metadata + "/root.json", andPath: work.url("repo/metadata/1.root.json")))
    }

    /// Serves `work/repo`, except that the first request for `timestamp.json` is held until `release` is
    /// signalled (`held` fires when it arrives); and writes a device configuration at 0.1.0 that reads it.
    static func heldRepository(_ work: TemporaryDirectory) throws -> (FakeHTTPServer, AsyncSignal, DispatchSemaphore, String) {
        let held = AsyncSignal(), release = DispatchSemaphore(value: 0)
        let server = try FakeHTTPServer { request, connection in
            if request.path == "/metadata/timestamp.json", !held.hasFired {
                held.fire()
                release.wait()
            }
            guard !request.path.contains(".."), let data = FileManager.default.contents(atPath: work.url("repo") + request.path) else {
                return connection.respond(status: 404, reason: "Not Found")
            }
            connection.respond(status: 200, body: Array(data))
        }
        try work.write("install/VERSION", "0.1.0\n")
        // An hour's download_timeout: the held request must not time out while the test holds it.
        let config = try work.write("ota.yaml", """
            source: tuf
            tuf_url: \(server.baseURL)
            tuf_root: \(work.url("repo/metadata/1.root.json"))
            product: monitor
            install_dir: \(work.url("install"))
            max_retries: 0
            download_timeout: 3600
            """)
        return (server, held, release, config)
    }
}

/// An `ota` process started in the background, its standard error read line by line.
final class StartedOTA: @unchecked Sendable {
    let process = Process()
    private let errors = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var ended = false
    private var watchers: [(match: (String) -> Bool, continuation: CheckedContinuation<Bool, Never>)] = []
    private var output = Data()

    var pid: Int32 { process.processIdentifier }

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: CommandRunner.executable)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread { [self] in readErrors() }.start()
    }

    /// Waits until a line of standard error matches (`true`), or the process closed it without one (`false`).
    func stderrLine(where match: @escaping (String) -> Bool) async -> Bool {
        await withCheckedContinuation { continuation in
            let answer: Bool? = lock.withLock {
                if lines.contains(where: match) { return true }
                if ended { return false }
                watchers.append((match, continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// Waits for the process to exit; its status and all it wrote to standard error.
    func finish() -> (status: Int32, stderr: String) {
        process.waitUntilExit()
        return lock.withLock { (process.terminationStatus, lines.joined(separator: "\n")) }
    }

    private func readErrors() {
        let handle = errors.fileHandleForReading
        while true {
            let chunk = handle.availableData
            let resumed: [(CheckedContinuation<Bool, Never>, Bool)] = lock.withLock {
                if chunk.isEmpty {
                    ended = true
                } else {
                    output.append(chunk)
                    var complete = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                    output = Data(complete.removeLast())
                    lines += complete.map { String(decoding: $0, as: UTF8.self) }
                }
                var done: [(CheckedContinuation<Bool, Never>, Bool)] = []
                watchers.removeAll { watcher in
                    if lines.contains(where: watcher.match) { done.append((watcher.continuation, true)); return true }
                    if ended { done.append((watcher.continuation, false)); return true }
                    return false
                }
                return done
            }
            for (continuation, answer) in resumed { continuation.resume(returning: answer) }
            if chunk.isEmpty { return }
        }
    }
}
