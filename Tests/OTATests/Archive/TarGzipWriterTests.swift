import Foundation
import Testing
@testable import OTA
import OTAArchiveWriter

@Suite("TarGzipWriter")
struct TarGzipWriterTests {
    @Test("GNU tar reads what it writes: files, modes, folders, symlinks, long paths, a top-level prefix")
    func readableByGNUTar() throws {
        let directory = try TemporaryDirectory()
        try directory.write("tree/src/app.sh", "#!/bin/sh\necho hi\n")
        chmod(directory.url("tree/src/app.sh"), 0o755)
        try directory.write("tree/VERSION", "1.0.0\n")
        let long = String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60) + "/file.txt"
        try directory.write("tree/" + long, "deep\n")
        try FileManager.default.createSymbolicLink(atPath: directory.url("tree/link"), withDestinationPath: "src/app.sh")
        try TarGzipWriter.write(directory: directory.url("tree"), to: directory.url("out.tar.gz"), prefix: "octo-app-abc123")
        try FileManager.default.createDirectory(atPath: directory.url("x"), withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-xzf", directory.url("out.tar.gz"), "-C", directory.url("x")]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let root = "x/octo-app-abc123/"
        #expect(try directory.read(root + "VERSION") == "1.0.0\n")
        #expect(try directory.read(root + long) == "deep\n")
        #expect(FileManager.default.isExecutableFile(atPath: directory.url(root + "src/app.sh")))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: directory.url(root + "link")) == "src/app.sh")
    }

    @Test("the same tree gives the same bytes")
    func deterministic() throws {
        let directory = try TemporaryDirectory()
        try directory.write("tree/a", "x")
        try TarGzipWriter.write(directory: directory.url("tree"), to: directory.url("1.tar.gz"))
        try TarGzipWriter.write(directory: directory.url("tree"), to: directory.url("2.tar.gz"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.url("1.tar.gz"))) == Data(contentsOf: URL(fileURLWithPath: directory.url("2.tar.gz"))))
    }

    @Test("a path too long for ustar is refused")
    func tooLong() throws {
        let directory = try TemporaryDirectory()
        try directory.write("tree/" + String(repeating: "n", count: 120), "x")
        #expect(throws: SystemError.self) { try TarGzipWriter.write(directory: directory.url("tree"), to: directory.url("o.tar.gz")) }
    }
}
