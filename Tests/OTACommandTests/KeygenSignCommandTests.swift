import Foundation
import OTA
import OTATestSupport
import Testing

/// Runs the real `minisign` tool; a missing tool fails the test with how to install it.
func minisign(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Int32 {
    try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/minisign"), "minisign is not installed: apt-get install -y minisign",
                 sourceLocation: sourceLocation)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/minisign")
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite("ota keygen and ota sign, checked against the minisign tool", .serialized)
struct KeygenSignCommandTests {
    @Test("keygen writes a 0600 secret key and the .pub beside it, which minisign signs and verifies with; no overwrite without --force")
    func keygen() async throws {
        let directory = try TemporaryDirectory("ota-keygen")
        let keygen = try await CommandRunner.run(["keygen", "--output", "release.key"], in: directory.path)
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let publicKey = try MinisignPublicKey(fromFile: directory.url("release.pub"))
        #expect(keygen.stdout.contains("public_key: \(publicKey.base64)"))
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.url("release.key"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        try directory.write("app.tar.gz", "payload\n")
        #expect(try minisign(["-S", "-s", directory.url("release.key"), "-m", directory.url("app.tar.gz")]) == 0, "minisign signs with our secret key")
        #expect(try minisign(["-V", "-p", directory.url("release.pub"), "-m", directory.url("app.tar.gz")]) == 0, "minisign verifies with our public key")
        let theirs = try MinisignSignature(contents: Data(contentsOf: URL(fileURLWithPath: directory.url("app.tar.gz.minisig"))), fileName: "app.tar.gz.minisig")
        try publicKey.verify(theirs, fileAt: directory.url("app.tar.gz"), signatureName: "app.tar.gz.minisig")
        #expect(theirs.signedFileName == "app.tar.gz")

        let again = try await CommandRunner.run(["keygen", "--output", "release.key"], in: directory.path)
        #expect(again.status == 1 && again.stderr.contains("release.key already exists"))
        #expect(try MinisignPublicKey(fromFile: directory.url("release.pub")) == publicKey)
        let forced = try await CommandRunner.run(["keygen", "--output", "release.key", "--force"], in: directory.path)
        #expect(forced.status == 0)
        #expect(try MinisignPublicKey(fromFile: directory.url("release.pub")) != publicKey)
    }

    @Test("sign writes FILE.minisig with file:NAME that minisign -V accepts, with our key or one from minisign -G -W")
    func sign() async throws {
        let directory = try TemporaryDirectory("ota-sign")
        #expect(try await CommandRunner.run(["keygen"], in: directory.path).status == 0)
        #expect(try minisign(["-G", "-W", "-p", directory.url("theirs.pub"), "-s", directory.url("theirs.key")]) == 0)
        try directory.write("dist/app-1.2.0.tar.gz", "release bytes\n")
        try directory.write("dist/SHA256SUMS", "checksums\n")
        for (key, publicKey) in [("minisign.key", "minisign.pub"), ("theirs.key", "theirs.pub")] {
            let signed = try await CommandRunner.run(["sign", "--key", key, "dist/app-1.2.0.tar.gz", "dist/SHA256SUMS"], in: directory.path)
            #expect(signed.status == 0, "\(signed.stderr)")
            for file in ["dist/app-1.2.0.tar.gz", "dist/SHA256SUMS"] {
                #expect(try minisign(["-V", "-p", directory.url(publicKey), "-m", directory.url(file)]) == 0, "minisign -V accepts our signature of \(file) by \(key)")
            }
            let signature = try MinisignSignature(contents: Data(contentsOf: URL(fileURLWithPath: directory.url("dist/app-1.2.0.tar.gz.minisig"))), fileName: "x")
            #expect(signature.signedFileName == "app-1.2.0.tar.gz")
            #expect(signature.trustedComment.hasPrefix("timestamp:") && signature.trustedComment.hasSuffix("\tfile:app-1.2.0.tar.gz\thashed"))
        }
        try directory.write("dist/app-1.2.0.tar.gz", "altered bytes\n")
        #expect(try minisign(["-V", "-p", directory.url("theirs.pub"), "-m", directory.url("dist/app-1.2.0.tar.gz")]) != 0)

        let missing = try await CommandRunner.run(["sign", "--key", "nothing.key", "dist/SHA256SUMS"], in: directory.path)
        #expect(missing.status == 1 && missing.stderr.hasPrefix("error: "))
        let notAKey = try await CommandRunner.run(["sign", "--key", "dist/SHA256SUMS", "dist/SHA256SUMS"], in: directory.path)
        #expect(notAKey.status == 1 && notAKey.stderr.contains("is not a minisign secret key"))
    }
}
