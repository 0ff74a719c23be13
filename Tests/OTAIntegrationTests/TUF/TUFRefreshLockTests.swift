#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Testing
@testable import OTA
import OTATestSupport

/// One refresh at a time per `state_dir/tuf`: a refresh waits while another holds `refresh.lock`, touching
/// neither the repository nor the stored metadata, and goes on once it is released.
@Suite("TUF refresh lock: refreshes of one store take turns", .timeLimit(.minutes(10)))
struct TUFRefreshLockTests {
    /// Holds `refresh.lock` of the store in `folder` as another process would: its own open file, an
    /// exclusive `flock`, `pid` written into it.
    final class HeldLock {
        let descriptor: Int32

        init(folder: String, pid: Int32) throws {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            descriptor = open(folder + "/refresh.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            try #require(descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0)
            let text = Array("\(pid)\n".utf8)
            try #require(ftruncate(descriptor, 0) == 0 && pwrite(descriptor, text, text.count, 0) == text.count)
        }

        func release() {
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }

    enum First: Equatable {
        case waited, finished
    }

    @Test("a device's refresh waits for the holder of the lock (no request, nothing stored), then runs")
    func waitsForTheHolder() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let device = try TUFDevice(repository)
        let held = try HeldLock(folder: device.configuration.installation.stateDirectory + "/tuf", pid: 4242)
        let waiting = AsyncSignal()
        let lines = LogLines()
        let logger = Logger(label: "test") { _ in
            CallbackLogHandler { line in
                lines.append(line)
                if line.hasPrefix("waiting for process 4242") { waiting.fire() }
            }
        }
        let source = try TUFReleaseSource(source: device.configuration.source, transfer: device.configuration.transfer, directory: StateDirectory(installation: device.configuration.installation), installDirectory: device.configuration.installation.installDirectory, transport: HTTPTransport(transfer: device.configuration.transfer, source: device.configuration.source, logger: logger), logger: logger)
        let finished = AsyncSignal()
        let refresh = Task {
            defer { finished.fire() }
            return try await source.releases().map(\.version)
        }

        let first = await withTaskGroup(of: First.self) { group in
            group.addTask { await waiting.wait(); return .waited }
            group.addTask { await finished.wait(); return .finished }
            let first = await group.next()!
            waiting.fire()
            finished.fire()
            return first
        }
        #expect(first == .waited, "the refresh ran while another held the lock: \(lines.all)")
        #expect(lines.all.contains { $0.contains("which is refreshing the TUF metadata in \(device.configuration.installation.stateDirectory)/tuf") }, "\(lines.all)")
        #expect(try repository.nginx.requests().isEmpty, "no request while waiting")
        #expect(try FileManager.default.contentsOfDirectory(atPath: device.configuration.installation.stateDirectory + "/tuf") == ["refresh.lock"], "nothing stored while waiting")

        held.release()
        #expect(try await refresh.value == [SemanticVersion(1, 1, 0)])
        #expect(try device.storedMetadata()["timestamp.json"] == (try repository.metadata("timestamp.json")))
    }

    @Test("a holder that never lets go: after the wait bound, a one-sentence error naming the holder's pid; nothing fetched")
    func timesOut() async throws {
        let repository = try TUFCatalogRepository([try TUFDevice.release("1.1.0")])
        let work = try TemporaryDirectory("tuf-lock")
        let held = try HeldLock(folder: work.url("metadata"), pid: 4343)
        defer { held.release() }
        let logger = TUFDevice.logger(nil)
        let transport = HTTPTransport(configuration: HTTPTransport.Configuration(), logger: logger)
        let client = TUFClient(metadataURL: URL(string: repository.url + "/metadata")!, targetsURL: URL(string: repository.url + "/targets")!,
                               store: TUFMetadataStore(path: work.url("metadata")),
                               fetcher: TUFFetcher(transport: transport, retry: RetryPolicy(maxRetries: 0, baseDelay: .zero), logger: logger),
                               lockTimeout: .milliseconds(200), logger: logger)
        let error = await #expect(throws: StateError.self) { try await client.refresh() }
        await transport.shutdown()
        #expect(error?.code == .locked && error?.holderPID == 4343)
        #expect(error?.message == "process 4343 has held \(work.url("metadata"))/refresh.lock for more than 0.2 s while refreshing the TUF metadata; check for a hung ota process",
                "\(error?.message ?? "")")
        #expect(try repository.nginx.requests().isEmpty)
    }
}
