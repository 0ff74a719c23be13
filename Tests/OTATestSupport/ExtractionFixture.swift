import Foundation
import Testing
@testable import OTA

/// A scratch area: `base/s/` is the staging parent; escapes land in `base/s/` or `base/`.
struct ExtractionFixture {
    let dir: TemporaryDirectory
    var staging: String { dir.url("s/staging") }

    init() throws {
        dir = try TemporaryDirectory("ota-archive")
        try FileManager.default.createDirectory(atPath: dir.url("s"), withIntermediateDirectories: true)
    }

    func write(_ bytes: [UInt8], name: String = "archive.tar") throws -> String {
        let path = dir.url(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func extract(_ bytes: [UInt8], name: String = "archive.tar", policy: ExtractionPolicy = ExtractionPolicy()) throws -> ExtractionResult {
        try Extractor(policy: policy).extract(archiveAt: try write(bytes, name: name), into: staging)
    }

    /// Whether anything (even a dangling symlink) exists at `relative` under the fixture base.
    func exists(_ relative: String) -> Bool {
        var info = stat()
        return lstat(dir.url(relative), &info) == 0
    }

    /// Extracts `path` expecting a rejection; checks the code, the entry in the message, and cleanup.
    @discardableResult
    func expectRejection(archiveAt path: String, code: ArchiveError.Code, entry: String?, escapes: [String] = [],
                         policy: ExtractionPolicy = ExtractionPolicy(), sourceLocation: SourceLocation = #_sourceLocation) throws -> ArchiveError {
        let error = try #require(throws: ArchiveError.self, sourceLocation: sourceLocation) {
            _ = try Extractor(policy: policy).extract(archiveAt: path, into: staging)
        }
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        if let entry {
            #expect(error.entry == ArchiveError.escaped(entry), "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.message.contains(ArchiveError.escaped(entry)), sourceLocation: sourceLocation)
        }
        #expect(!exists("s/staging"), "staging directory was not removed", sourceLocation: sourceLocation)
        for escape in escapes {
            #expect(!exists(escape), "\(escape) was created outside staging", sourceLocation: sourceLocation)
        }
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir.url("s"))) ?? []
        #expect(leftovers.filter { $0 != "outside" }.isEmpty, "files left next to staging: \(leftovers)", sourceLocation: sourceLocation)
        return error
    }
}

/// Runs a command and fails the test when it exits non-zero.
@discardableResult
func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "\(executable) \(arguments) failed: \(output)"])
    }
    return output
}
