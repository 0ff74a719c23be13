import Foundation
@testable import OTA

/// A release source that answers from a script, one entry per call (the last one repeats).
final class ScriptedSource: ReleaseSource, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [Result<[Release], TransferError>]
    private(set) var calls = 0

    init(_ script: [Result<[Release], TransferError>]) { self.script = script }

    func releases() async throws -> [Release] {
        let next: Result<[Release], TransferError> = lock.withLock {
            calls += 1
            return script.count > 1 ? script.removeFirst() : script[0]
        }
        return try next.get()
    }
}
