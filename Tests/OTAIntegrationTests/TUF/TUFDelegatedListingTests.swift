import Foundation
import Logging
import Testing
@testable import OTA
import OTATestSupport

/// Delegated roles read over HTTP: the repository of `scripts/tuf-interop.py` (three root versions, a
/// role delegated by path pattern, succinct hash bins), made by python-tuf and served by nginx.
@Suite("TUF client: delegated roles and hash bins from python-tuf on nginx", .timeLimit(.minutes(10)))
struct TUFDelegatedListingTests {
    @Test("targets under a folder are found through delegations and bins, each role stored once and read from storage on the next refresh")
    func listingThroughDelegations() async throws {
        let work = try TemporaryDirectory("tuf-delegated")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/tuf-interop.py").path
        let process = try Process.run(URL(fileURLWithPath: "/usr/bin/env"), arguments: ["python3", script, "repository", work.url("repo")])
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(TUFCatalogRepository.installHint)")
        let nginx = try NginxServer(root: work.url("repo"))
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let client = TUFClient(metadataDirectory: work.url("device"), metadataURL: URL(string: nginx.baseURL + "/metadata")!,
                               targetBaseURL: URL(string: nginx.baseURL + "/targets")!, logger: logger)
        try client.storeInitialRoot(Data(contentsOf: URL(fileURLWithPath: work.url("repo/metadata/1.root.json"))))

        var trust = try await client.refresh()
        #expect(trust.root.header.version == 3)
        let app = try await client.targets(under: "app", in: &trust).map { "\($0.target.path) \($0.role)" }
        #expect(app == ["app/1.0.0/app.tar.gz targets", "app/2.0.0/app.tar.gz releases"])
        let data = try await client.targets(under: "data", in: &trust)
        #expect(data.map(\.target.path) == ["data/blob.bin"] && data.first?.role.hasPrefix("bin-") == true)
        let fetched = try nginx.requests().filter { $0.status == 200 }.map(\.uri)
        #expect(fetched.filter { $0.contains(".bin-") }.count == 8, "every bin is read to list what is under data/: \(fetched)")
        #expect(Set(fetched).count == fetched.count, "each file fetched once: \(fetched)")

        try nginx.clearRequests()
        var again = try await client.refresh()
        _ = try await client.targets(under: "app", in: &again)
        _ = try await client.targets(under: "data", in: &again)
        #expect(try nginx.requests().map(\.description) == ["GET /metadata/4.root.json 404", "GET /metadata/timestamp.json 304"])
        await client.shutdown()
    }
}
