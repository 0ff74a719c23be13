import Crypto
import Foundation

/// Numeric ids for releases, assets and users that stay the same across restarts of the mirror.
///
/// An id is the first 53 bits of SHA-256 over a key such as `release:owner/repo/tag`, so it is a
/// positive integer that JSON numbers (and JavaScript clients) represent exactly. A collision
/// inside one catalog is resolved by re-hashing with a counter suffix (`…#1`); keys are assigned in
/// sorted order, so the result is the same for the same directory tree.
struct StableID {
    /// The largest integer a JSON double represents exactly: 2^53 − 1.
    static let maximum: Int = (1 << 53) - 1

    /// The id for `key`, salted with `attempt` when a previous attempt collided.
    static func id(for key: String, attempt: Int = 0) -> Int {
        let input = attempt == 0 ? key : "\(key)#\(attempt)"
        let digest = SHA256.hash(data: Data(input.utf8))
        var value: UInt64 = 0
        for byte in digest.prefix(8) { value = value << 8 | UInt64(byte) }
        let id = Int(value & UInt64(maximum))
        return id == 0 ? 1 : id
    }

    /// Assigns ids to `keys` (in their sorted order), re-hashing on a collision with `taken` or each other.
    static func assign(_ keys: [String], avoiding taken: Set<Int> = []) -> [String: Int] {
        var used = taken
        var result: [String: Int] = [:]
        for key in keys.sorted() where result[key] == nil {
            var attempt = 0
            var candidate = id(for: key)
            while used.contains(candidate) {
                attempt += 1
                candidate = id(for: key, attempt: attempt)
            }
            used.insert(candidate)
            result[key] = candidate
        }
        return result
    }
}
