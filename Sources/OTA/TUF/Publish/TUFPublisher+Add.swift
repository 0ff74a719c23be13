import Foundation

extension TUFPublisher {
    /// Publishes release `version` for `platform`: each archive becomes the target
    /// `<product>/<version>/<file name>` with `custom.ota` (channels, rollout percent, notes, not yanked).
    /// - Throws: for a version that is not SemVer, a platform or channel that is not a plain name, a
    ///   percent outside 0–100, a missing archive, two archives of the same name, or a version and
    ///   platform (or target path) already published.
    ///
    /// Each archive's delta index carries zstd patches from the archive of the same name (version aside) of the
    /// releases `patchFrom` names, or when `nil`, of the previous release of the platform; none for `[]`.
    /// - Returns: the target paths added.
    @discardableResult
    public func add(version text: String, platform: String, channels: [String] = ["stable"], rolloutPercent: Int = 100,
                    notes: String = "", patchFrom: [String]? = nil, archives: [String]) throws(TUFPublishError) -> [String] {
        let version = try Self.semanticVersion(text)
        guard TUFPublishSettings.isValidSegment(platform) else {
            throw TUFPublishError(.invalidInput, "The platform \"\(platform)\" is not a valid name; use letters, digits, '.', '_', '-' or '+' (e.g. linux-aarch64, or any).")
        }
        guard !channels.isEmpty else {
            throw TUFPublishError(.invalidInput, "A release needs at least one channel; pass --channel NAME (default stable).")
        }
        for channel in channels where !TUFPublishSettings.isValidSegment(channel) {
            throw TUFPublishError(.invalidInput, "The channel \"\(channel)\" is not a valid name; use letters, digits, '.', '_', '-' or '+' (e.g. stable, beta).")
        }
        try Self.checkPercent(rolloutPercent, option: "--rollout")
        guard !archives.isEmpty else {
            throw TUFPublishError(.invalidInput, "No archive to publish; pass the release's files after the options.")
        }
        let keys = try signingKeys()
        var state = try loadState()
        if let existing = state.targets.values.first(where: { target in
            target.release.map { SemanticVersion($0.version) == version && $0.platform == platform } ?? false
        }) {
            throw TUFPublishError(.release, "Version \(version) for platform \(platform) is already published (\(existing.path)); publish a new version, or `ota publish yank` this one.")
        }
        let time = timeNow()
        let info = TUFReleaseInfo(version: version.description, platform: platform, channels: channels, publishedAt: time, notes: notes,
                                  rollout: TUFRollout(id: version.description, percent: rolloutPercent))
        var files: [(source: String, target: TUFPublishedTarget)] = []
        for archive in archives {
            let name = PathName.lastComponent(of: archive)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: archive, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw TUFPublishError(.missingArchive, "The archive \(archive) does not exist or is not a file; pass the path of a built release file.")
            }
            guard TUFPublishSettings.isValidSegment(name) else {
                throw TUFPublishError(.invalidInput, "The archive name \"\(name)\" is not usable in a target path; rename it to letters, digits, '.', '_', '-' or '+'.")
            }
            let path = "\(settings.product)/\(version)/\(name)"
            guard state.targets[path] == nil, !files.contains(where: { $0.target.path == path }) else {
                throw TUFPublishError(.release, "The target \(path) is already published (or named twice); give each platform's archive its own file name, e.g. \(settings.product)-\(version)-\(platform).tar.gz.")
            }
            let digest: String, length: Int
            do {
                digest = try FileDigest.sha256(ofFileAt: archive)
                length = try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int ?? 0
            } catch let error as SystemError {
                throw TUFPublishError(.missingArchive, "Cannot read the archive \(archive): \(error.message).")
            } catch {
                throw TUFPublishError(.missingArchive, "Cannot read the archive \(archive) (\(error.localizedDescription)); check its permissions.")
            }
            let target = TUFPublishedTarget(path: path, length: length, hashes: ["sha256": digest], custom: nil).with(info)
            files.append((archive, target))
        }
        let scratch = try Self.makeScratch()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bases = try Self.patchBases(for: version, platform: platform, versions: patchFrom, in: state)
        files = try withDeltaIndexes(files, info: info, patchBases: bases, targets: state.targets, scratch: scratch)
        for (_, target) in files { state.targets[target.path] = target }
        try publish(&state, keys: keys, targetsChanged: true, targetFiles: files)
        return files.map(\.target.path)
    }

    static func semanticVersion(_ text: String) throws(TUFPublishError) -> SemanticVersion {
        do {
            return try SemanticVersion(parsing: text)
        } catch {
            throw TUFPublishError(.invalidInput, "The version \"\(text)\" is not a SemVer version (e.g. 1.2.0 or 2.0.0-rc.1, without a leading v); pass --version MAJOR.MINOR.PATCH.")
        }
    }

    static func checkPercent(_ percent: Int, option: String) throws(TUFPublishError) {
        guard (0...100).contains(percent) else {
            throw TUFPublishError(.invalidInput, "The rollout percent \(percent) (\(option)) is outside 0–100; pass a whole percentage of devices from 0 to 100.")
        }
    }
}
