import Foundation
import Testing
@testable import OTA
import OTAArchiveWriter

@Suite("Verified artifact handed to the extractor")
struct VerifiedHandoffTests {
    @Test("the file extracted is the file verified: an artifact replaced after downloadUpdate is refused and nothing is installed")
    func replacedAfterVerification() async throws {
        let fixture = try UpdateFixture()
        try fixture.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        let updater = try fixture.updater()
        _ = try #require(try await updater.checkForUpdates())
        let verified = try await updater.downloadUpdate()

        try fixture.directory.write("evil/src/app.sh", "echo evil\n")
        try fixture.directory.write("evil/VERSION", "1.1.0\n")
        let replacement = fixture.directory.url("replacement.tar.gz")
        try TarGzipWriter.write(directory: fixture.directory.url("evil"), to: replacement, prefix: "app-1.1.0")
        try FileSystem.rename(replacement, verified.downloaded.path)

        let error = try await #require(throws: VerificationError.self) { try await updater.applyUpdate(verified) }
        #expect(error.message.contains("changed after it was verified"))
        #expect(try fixture.tree() == UpdateFixture.oldFiles)
        await updater.shutdown()
    }
}
