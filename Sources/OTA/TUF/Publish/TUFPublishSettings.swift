import Foundation

/// What `ota publish init` chose for a repository and every later verb reuses: the product name and
/// how long each role's metadata stays valid. Kept in `DIR/ota-publish.json` (nothing secret).
public struct TUFPublishSettings: Codable, Sendable, Equatable {
    /// The file's name inside the repository folder.
    public static let fileName = "ota-publish.json"
    /// The expiry periods used when `init` is given none: a year for root, three months for targets,
    /// a week for snapshot and a day for timestamp (refreshed from cron).
    public static let defaultExpiry: [TUFTopLevelRole: Int] = [.root: 365 * 86_400, .targets: 90 * 86_400, .snapshot: 7 * 86_400, .timestamp: 86_400]

    /// The product: targets are published at `<product>/<version>/<file>`.
    public var product: String
    /// Seconds each role's metadata stays valid after it is signed, by role name.
    public var expiresSeconds: [String: Int]

    public init(product: String, expiry: [TUFTopLevelRole: Int] = [:]) {
        self.product = product
        var seconds: [String: Int] = [:]
        for role in TUFTopLevelRole.allCases { seconds[role.rawValue] = expiry[role] ?? Self.defaultExpiry[role] }
        expiresSeconds = seconds
    }

    enum CodingKeys: String, CodingKey {
        case product
        case expiresSeconds = "expires_seconds"
    }

    /// How long `role`'s metadata stays valid.
    public func expiry(of role: TUFTopLevelRole) -> Int {
        expiresSeconds[role.rawValue] ?? Self.defaultExpiry[role]!
    }

    /// `product` is one path segment of letters, digits, `.`, `_`, `-` (not `.` or `..`).
    static func isValidSegment(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && name.utf8.count <= 128
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-+".unicodeScalars.contains($0)) }
    }

    static func load(repository: String) throws(TUFPublishError) -> TUFPublishSettings {
        let file = repository + "/" + fileName
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TUFPublishError(.repository, "\(repository) is not an ota publish repository (no \(fileName)); run `ota publish init --repo \(repository) --product NAME --keys DIR` first, or pass the right --repo.")
        }
        do {
            return try JSONDecoder().decode(TUFPublishSettings.self, from: data)
        } catch {
            throw TUFPublishError(.repository, "The repository settings \(file) are not valid (\(error)); restore the file from a backup.")
        }
    }

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }
}
