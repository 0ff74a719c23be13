import Foundation
import Testing
@testable import OTA
import OTATestSupport

/// A signed index that breaks the archive safety rules is a hostile release: refused outright, nothing
/// installed, and no fallback to the archive it describes. (The repository is made by python-tuf, so the
/// index is signed like any target.)
@Suite("Delta updates: a hostile signed index", .timeLimit(.minutes(10)))
struct HostileIndexTests {
    static let digest = String(repeating: "ab", count: 32)
    static func old(_ number: Int) -> String { String(repeating: "0\(number)", count: 32) }

    @Test("an index with ../escape, a duplicate path, an absurd size, a link out of the tree or a hostile patch section is refused; nothing is installed", arguments: [
        "f\t0644\t5\t\(digest)\t../escape",
        "f\t0644\t5\t\(digest)\tsrc/app.sh\nf\t0644\t5\t\(digest)\tsrc/app.sh",
        "f\t0644\t9223372036854775807\t\(digest)\tsrc/app.sh",
        "l\t../../../etc/passwd\tsrc/app.sh",
        // Hostile patch sections: a content the index lacks, an absurd length, unsorted, a duplicate.
        "f\t0644\t11\t\(digest)\tsrc/app.sh\nota-patch 1\n\(old(1))\t\(old(2))\t10",
        "f\t0644\t11\t\(digest)\tsrc/app.sh\nota-patch 1\n\(old(1))\t\(digest)\t9223372036854775807",
        "f\t0644\t11\t\(digest)\tsrc/app.sh\nota-patch 1\n\(old(2))\t\(digest)\t10\n\(old(1))\t\(digest)\t10",
        "f\t0644\t11\t\(digest)\tsrc/app.sh\nota-patch 1\n\(old(1))\t\(digest)\t10\n\(old(1))\t\(digest)\t10",
    ])
    func refused(entry: String) async throws {
        let archive = try TUFCatalogRepository.tarball(prefix: "monitor-1.1.0", files: ["src/app.sh": "echo 1.1.0\n", "config/settings.yaml": "level: 2\n"])
        var release = TUFCatalogRepository.release("monitor", "1.1.0", file: "monitor-1.1.0.tar.gz", contents: archive)
        var ota = release.custom!["ota"] as! [String: Any]
        ota["index"] = "monitor/1.1.0/monitor-1.1.0.tar.gz.index.gz"
        release.custom = ["ota": ota]
        let index = TUFCatalogRepository.Target(path: "monitor/1.1.0/monitor-1.1.0.tar.gz.index.gz",
                                                contents: Data(Gzip.compress(Array("ota-index 1\n\(entry)\n".utf8))))
        let repository = try TUFCatalogRepository([release, index])
        let device = try TUFDevice(repository)
        try repository.nginx.clearRequests()

        let thrown = await #expect(throws: DeltaError.self) { try await device.updater().update() }
        #expect(thrown?.code == .refusedIndex)
        #expect(thrown?.message.contains("refused") == true)
        #expect(try device.tree().filter { !$0.key.hasPrefix(".") } == TUFDevice.oldFiles, "nothing was installed")
        #expect(try !repository.nginx.requests().contains { $0.uri.hasSuffix(".tar.gz") }, "no fallback to the archive")
    }
}
