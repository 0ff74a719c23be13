import Foundation
import OTA

/// The inputs the benchmarks measure, made once per benchmark process in a temporary folder, the
/// archives by GNU `tar` and the signature by `minisign`, as a publisher would make them.
final class BenchmarkFixtures: Sendable {
    /// A release of 1,000 files under `app-1.0.0/` (90 % text-like, 10 % random bytes, 1–32 KiB each,
    /// 16 MiB in all), packed with `tar -czf`.
    let mediumRelease: String
    /// An uncompressed tar of 10,000 small entries, one in ten with a name too long for ustar (a GNU
    /// `L` record): what reading headers costs, with little data to move.
    let headerArchive: String
    /// 64 MiB of random bytes.
    let largeFile: String
    /// The minisign key and the signature of ``mediumRelease`` made with it (prehashed, as minisign signs by default).
    let publicKey: MinisignPublicKey
    let signature: MinisignSignature
    let signatureName: String
    /// Where each extraction gets a fresh staging folder.
    let scratch: String
    private let root: String

    static let mediumReleaseFiles = 1_000
    static let headerArchiveEntries = 10_000
    static let largeFileBytes = 64 << 20

    /// The fixtures of this process, made on first use.
    static let shared: Result<BenchmarkFixtures, FixtureError> = Result { () throws(FixtureError) in try BenchmarkFixtures() }

    private init() throws(FixtureError) {
        root = FileManager.default.temporaryDirectory.path + "/ota-benchmarks-\(getpid())"
        scratch = root + "/scratch"
        mediumRelease = root + "/app-1.0.0.tar.gz"
        headerArchive = root + "/headers.tar"
        largeFile = root + "/large.bin"
        signatureName = "app-1.0.0.tar.gz.minisig"
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            var random = SplitMix64(seed: 42)
            try Self.makeRelease(at: root + "/release/app-1.0.0", random: &random)
            try Self.tool("tar", ["-czf", mediumRelease, "-C", root + "/release", "app-1.0.0"])
            try Self.makeManyEntries(at: root + "/headers/many", random: &random)
            try Self.tool("tar", ["-cf", headerArchive, "-C", root + "/headers", "many"])
            try Data(random.bytes(Self.largeFileBytes)).write(to: URL(fileURLWithPath: largeFile))
            try Self.tool("minisign", ["-G", "-W", "-p", root + "/release.pub", "-s", root + "/release.key"])
            try Self.tool("minisign", ["-S", "-s", root + "/release.key", "-m", mediumRelease, "-x", root + "/" + signatureName])
            publicKey = try MinisignPublicKey(fromFile: root + "/release.pub")
            signature = try MinisignSignature(contents: Data(contentsOf: URL(fileURLWithPath: root + "/" + signatureName)),
                                              fileName: signatureName)
            try FileManager.default.removeItem(atPath: root + "/release")
            try FileManager.default.removeItem(atPath: root + "/headers")
        } catch let error as FixtureError {
            throw error
        } catch {
            throw FixtureError(description: "making the benchmark fixtures in \(root) failed: \(error)")
        }
        atexit { BenchmarkFixtures.removeAll() }
    }

    /// A staging path that does not exist yet, for one extraction.
    func freshStaging() -> String { scratch + "/staging-\(UUID().uuidString)" }

    /// Removes what a measured run left in the scratch folder and flushes the file systems, so that
    /// each run starts without the previous one's writes pending (as scripts/bench-extract does).
    func clearScratch() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: scratch) {
            try FileManager.default.removeItem(atPath: scratch + "/" + name)
        }
        sync()
    }

    private static func removeAll() {
        if case let .success(fixtures) = shared { try? FileManager.default.removeItem(atPath: fixtures.root) }
    }

    private static func makeRelease(at root: String, random: inout SplitMix64) throws {
        var words: [String] = []
        for _ in 0..<2_000 {
            let length = random.next(in: 3...9)
            words.append(String(decoding: (0..<length).map { _ in UInt8(ascii: "a") + UInt8(random.next(in: 0...25)) }, as: UTF8.self))
        }
        for index in 0..<mediumReleaseFiles {
            let folder = "\(root)/src/pkg\(index % 40)/mod\(index % 7)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let size = random.next(in: 1_024...32_768)
            let bytes: [UInt8]
            if index % 10 == 0 {
                bytes = random.bytes(size)
            } else {
                var text: [UInt8] = []
                var line = 0
                while text.count < size {
                    let word = words[random.next(in: 0...(words.count - 1))].utf8
                    text += word
                    line += word.count + 1
                    text.append(line > 72 ? UInt8(ascii: "\n") : UInt8(ascii: " "))
                    if line > 72 { line = 0 }
                }
                bytes = Array(text.prefix(size))
            }
            try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/file\(index).txt"))
        }
        try Data("1.0.0\n".utf8).write(to: URL(fileURLWithPath: root + "/VERSION"))
    }

    private static func makeManyEntries(at root: String, random: inout SplitMix64) throws {
        let longFolder = String(repeating: "nested-folder-name/", count: 6)
        for index in 0..<headerArchiveEntries {
            let folder = index % 10 == 0 ? "\(root)/\(longFolder)d\(index % 50)" : "\(root)/d\(index % 50)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let size = random.next(in: 0...100)
            try Data(random.bytes(size)).write(to: URL(fileURLWithPath: "\(folder)/entry\(index)"))
        }
    }

    private static func tool(_ name: String, _ arguments: [String]) throws {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let path = directories.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw FixtureError(description: "\(name) is not installed; the benchmarks make their archives and signatures with it (apt-get install \(name))")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError(description: "\(name) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus)")
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

/// A seeded generator, so every run measures the same bytes.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(count + 8)
        while result.count < count { withUnsafeBytes(of: next()) { result += $0 } }
        return Array(result.prefix(count))
    }
}
