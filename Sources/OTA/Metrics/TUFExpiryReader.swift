import Foundation
import Synchronization

/// When the trusted TUF metadata of `state_dir/tuf` expires, by top-level role: read from the stored
/// files (only verified metadata is stored), each parsed again only when it changed on disk.
final class TUFExpiryReader: Sendable {
    static let roles = ["root", "timestamp", "snapshot", "targets"]

    private struct Parsed {
        var modified: timespec
        var size: Int
        var expires: Date
    }

    private let cache = Mutex<[String: Parsed]>([:])

    /// The expiry of each top-level role whose metadata `store` holds.
    func expiries(in store: TUFMetadataStore) -> [String: Date] {
        var result: [String: Date] = [:]
        for role in Self.roles {
            var info = stat()
            guard lstat(store.path + "/" + TUFMetadataStore.fileName(forRole: role), &info) == 0 else {
                cache.withLock { _ = $0.removeValue(forKey: role) }
                continue
            }
            let cached = cache.withLock { $0[role] }
            if let cached, cached.modified.tv_sec == info.st_mtim.tv_sec, cached.modified.tv_nsec == info.st_mtim.tv_nsec,
               cached.size == Int(info.st_size) {
                result[role] = cached.expires
                continue
            }
            guard let expires = Self.expiry(of: role, in: store) else { continue }
            cache.withLock { $0[role] = Parsed(modified: info.st_mtim, size: Int(info.st_size), expires: expires) }
            result[role] = expires
        }
        return result
    }

    /// The `expires` of the stored metadata of `role`, `nil` when there is none or it cannot be read.
    private static func expiry(of role: String, in store: TUFMetadataStore) -> Date? {
        let file = role + ".json"
        guard let data = try? store.metadata(role: role, limit: TUFLimits().maximumBytes(forRole: role)),
              let envelope = try? TUFEnvelope(parsing: data, file: file),
              let fields = try? TUFFields(envelope.signed, file: file, path: "signed"),
              let header = try? TUFSignedHeader(fields, type: role) else { return nil }
        return header.expires
    }
}
