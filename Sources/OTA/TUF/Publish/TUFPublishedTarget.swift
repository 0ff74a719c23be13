import Foundation

/// One target of the repository's top-level targets role, as the publisher keeps it.
struct TUFPublishedTarget: Sendable, Equatable {
    /// `<product>/<version>/<file>`.
    var path: String
    var length: Int
    var hashes: [String: String]
    /// `custom`, as signed (other members than `ota` are kept).
    var custom: TUFJSON?

    var sha256: String? { hashes["sha256"] }

    /// `custom.ota`, when the target is a release with a well-formed one.
    var release: TUFReleaseInfo? { (try? TUFReleaseInfo(custom: custom)) ?? nil }

    /// This target with `custom.ota` replaced by `release`.
    func with(_ release: TUFReleaseInfo) -> TUFPublishedTarget {
        var members = custom?.members ?? []
        if let index = members.firstIndex(where: { $0.key == "ota" }) {
            members[index].value = release.json
        } else {
            members.append(.init("ota", release.json))
        }
        var copy = self
        copy.custom = .object(members)
        return copy
    }

    /// The file's name under consistent snapshots: `<dir>/<sha256>.<name>`, relative to `targets/`.
    var storedPath: String {
        let name = PathName.lastComponent(of: path), directory = PathName.deletingLastComponent(of: path)
        let hashed = "\(sha256 ?? "").\(name)"
        return directory.isEmpty ? hashed : directory + "/" + hashed
    }

    /// The `targets` entry.
    var json: TUFJSON {
        var members: [TUFJSON.Member] = [
            .init("length", .integer(length)),
            .init("hashes", .object(hashes.sorted { $0.key < $1.key }.map { TUFJSON.Member($0.key, .string($0.value)) })),
        ]
        if let custom { members.append(.init("custom", custom)) }
        return .object(members)
    }

    init(path: String, length: Int, hashes: [String: String], custom: TUFJSON?) {
        self.path = path
        self.length = length
        self.hashes = hashes
        self.custom = custom
    }

    init(_ file: TUFTargetFile) {
        self.init(path: file.path, length: file.length, hashes: file.hashes, custom: file.custom)
    }
}
