import Foundation
import Logging
import OTA

/// A "list releases" JSON body (GitHub, Gitea/Forgejo, the mirror): decoding, conversion to `Release`,
/// selection and asset matching.
///
/// Invariants: a decoded list encodes and decodes back to the same value; a converted release has
/// the version of its tag; the selected release is eligible and no eligible release is newer; the
/// chosen asset is never a checksums or signature file.
enum GitHubJSONHarness {
    static let logger = Logger(label: "ota.fuzz") { _ in SwiftLogNoOpLogHandler() }

    static func run(_ input: [UInt8]) -> FuzzResult {
        guard let decoded = try? JSONDecoder().decode([ReleaseEntry].self, from: Data(input)) else { return FuzzResult(accepted: false) }
        var violations: [String] = []
        do {
            let again = try JSONDecoder().decode([ReleaseEntry].self, from: JSONEncoder().encode(decoded))
            if again != decoded { violations.append("the releases change when encoded and decoded again") }
        } catch {
            violations.append("the decoded releases do not round-trip: \(error)")
        }
        let releases = decoded.compactMap { GitHubReleaseSource.release(from: $0, logger: logger) }
        for release in releases where SemanticVersion(tag: release.tag).map({ !$0.isIdentical(to: release.version) }) ?? true {
            violations.append("release \(release.tag) got version \(release.version)")
        }
        for includePrereleases in [false, true] {
            let selector = ReleaseSelector(includePrereleases: includePrereleases)
            guard case .available(_, let chosen) = selector.check(releases, current: SemanticVersion(0, 0, 0)) else { continue }
            if !selector.isEligible(chosen) { violations.append("the chosen release \(chosen.tag) is not eligible") }
            if let newer = releases.first(where: { selector.isEligible($0) && $0.version > chosen.version }) {
                violations.append("\(newer.tag) is newer than the chosen \(chosen.tag)")
            }
            let pattern = AssetPattern(pattern: "*{version}*{os}*{arch}*", os: "linux", arch: "x86_64")
            if let artifact = try? pattern.artifact(for: chosen, repository: "owner/app"),
               case .asset(let asset) = artifact.kind, AssetPattern.isCompanion(asset.name) {
                violations.append("the companion file \(asset.name) was chosen as the artifact")
            }
        }
        return FuzzResult(accepted: true, violations: violations)
    }
}
