import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// Extraction into a real, full file system (a 1 MiB tmpfs; needs root to mount).
@Suite("Archive: disk full on a real file system", .serialized)
struct ExtractionDiskFullTests {
    static let bigArchive = TarBuilder.archive {
        $0.file("small", "fits")
        $0.add(TarBuilder.Header(name: "big.bin", size: 3 << 20), data: [UInt8](repeating: 0x42, count: 3 << 20))
    }

    @Test("a real full tmpfs (1 MiB) gives a diskFull error and leaves the filesystem empty")
    func realTmpfs() throws {
        let fixture = try ExtractionFixture()
        let mountPoint = fixture.dir.url("s")
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]
        mount.standardError = FileHandle.nullDevice
        try mount.run()
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else {
            print("skipped: mounting a tmpfs needs root (mount exited \(mount.terminationStatus)); the injected ENOSPC test covers the path")
            return
        }
        defer { _ = try? run("/bin/umount", [mountPoint]) }
        let path = try fixture.write(Gzip.compress(Self.bigArchive), name: "big.tgz")
        let error = try fixture.expectRejection(archiveAt: path, code: .diskFull, entry: "big.bin")
        #expect(error.underlying?.errno == ENOSPC)
        #expect(try FileManager.default.contentsOfDirectory(atPath: mountPoint).isEmpty)
    }
}
