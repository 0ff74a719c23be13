import Foundation
import OTA

/// A settable clock for the publisher.
final class PublishClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date = Date(timeIntervalSince1970: 1_900_000_000)) {
        current = start
    }

    var now: Date { lock.withLock { current } }

    func advance(_ seconds: TimeInterval) {
        lock.withLock { current += seconds }
    }

    func set(_ date: Date) {
        lock.withLock { current = date }
    }

    var function: @Sendable () -> Date { { [self] in now } }
}

/// A temporary folder with a repository (`repo`), a keys folder beside it (`keys`) and release archives.
struct PublishFixture {
    let directory: TemporaryDirectory
    let clock = PublishClock()
    var repo: String { directory.url("repo") }
    var keys: String { directory.url("keys") }

    init() throws {
        directory = try TemporaryDirectory("ota-publish")
    }

    /// `init` with product `monitor` at the clock's time.
    @discardableResult
    func initialize(thresholds: [TUFTopLevelRole: Int] = [:], expiry: [TUFTopLevelRole: Int] = [:]) throws -> TUFPublisher {
        try TUFPublisher.initialize(repository: repo, keys: keys, product: "monitor", thresholds: thresholds, expiry: expiry, now: clock.function)
    }

    /// The publisher of the repository at the clock's time.
    func publisher() throws -> TUFPublisher {
        try TUFPublisher(repository: repo, keys: keys, now: clock.function)
    }

    /// Writes an archive `name` with `content` and returns its path.
    func archive(_ name: String, _ content: String) throws -> String {
        try directory.write("build/\(name)", content)
    }

    /// The bytes of `relative` inside the repository.
    func file(_ relative: String) -> Data? {
        FileManager.default.contents(atPath: repo + "/" + relative)
    }

    /// Every file of the repository with its bytes, to show that a refused change wrote nothing.
    func snapshotOfFiles() -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: repo)
        while let relative = enumerator?.nextObject() as? String {
            if let data = FileManager.default.contents(atPath: repo + "/" + relative) { files[relative] = data }
        }
        return files
    }

    /// The permission bits of `path`.
    static func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
