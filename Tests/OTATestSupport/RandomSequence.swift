import Foundation

/// Hands out fixed "random" numbers in turn, starting over at the end, so a schedule's waits are exact.
final class RandomSequence: @unchecked Sendable {
    private let lock = NSLock()
    private let values: [Double]
    private var index = 0

    init(_ values: [Double]) {
        precondition(!values.isEmpty)
        self.values = values
    }

    var next: @Sendable () -> Double {
        { [self] in
            lock.withLock {
                defer { index = (index + 1) % values.count }
                return values[index]
            }
        }
    }
}
