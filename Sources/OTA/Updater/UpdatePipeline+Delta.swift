import Foundation
import Logging

/// What the download stage hands to the install stage: a verified archive to extract, or a tree already
/// staged from a delta index.
enum ReleaseDelivery: Sendable {
    case archive(VerifiedArtifact)
    case delta(DeltaStagedRelease)

    var release: Release {
        switch self {
        case .archive(let verified): verified.downloaded.artifact.release
        case .delta(let staged): staged.release
        }
    }

    /// Removes what was delivered (a delta's staged tree) when it will not be installed.
    func discard() {
        if case .delta(let staged) = self { try? FileSystem.removeTree(staged.container) }
    }
}

extension UpdatePipeline {
    /// Fetches `release`: by its delta index when `delta` is on and the source publishes one, else (or when
    /// the delta fails for any reason but a hostile index) as the full archive. The log says which.
    func deliver(_ release: Release, progress: (@Sendable (Downloader.Progress) -> Void)?) async throws -> ReleaseDelivery {
        if deltaEnabled, let locating = source as? any DeltaLocating,
           let artifact = try? source.artifact(for: release), let location = locating.deltaLocation(for: artifact) {
            activity.enter(.downloading, version: release.version)
            do {
                let staged = try await stageDelta(artifact, location: location) { [activity] advanced in
                    activity.progress(advanced, method: .delta)
                    progress?(advanced)
                }
                activity.deltaFetched(bytes: Int64(staged.indexBytes) + staged.objectBytes + staged.patchBytes)
                let message = "fetched \(release.version) by delta: index \(staged.indexBytes) bytes, \(staged.objectsFetched) objects \(staged.objectBytes) bytes, \(staged.patchesFetched) patches \(staged.patchBytes) bytes in \(staged.objectRequests) request\(staged.objectRequests == 1 ? "" : "s"); \(staged.reusedFiles) files reused (\(staged.linkedFiles) hard links, \(staged.vouchedFiles) on recorded hashes), \(staged.hashedBytes) bytes hashed"
                logger.info("delta update staged", metadata: [
                    "ota.method": "delta", "ota.index_bytes": "\(staged.indexBytes)", "ota.objects": "\(staged.objectsFetched)",
                    "ota.object_bytes": "\(staged.objectBytes)", "ota.patches": "\(staged.patchesFetched)", "ota.patch_bytes": "\(staged.patchBytes)",
                    "ota.object_requests": "\(staged.objectRequests)", "ota.reused_files": "\(staged.reusedFiles)", "ota.linked_files": "\(staged.linkedFiles)",
                    "ota.vouched_files": "\(staged.vouchedFiles)", "ota.hashed_bytes": "\(staged.hashedBytes)",
                    "ota.index_method": "\(staged.indexByPatch ? "patch" : "full")",
                ])
                if let note = staged.indexNote { records.log("delta index of \(release.version): \(note)") }
                records.log(message)
                return .delta(staged)
            } catch let error as DeltaError where !error.fallsBack {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("delta update failed; fetching the full archive", metadata: ["ota.method": "full", "ota.error": "\(error.localizedMessage)"])
                records.log("delta update of \(release.version) failed, fetching the full archive: \(error.localizedMessage)")
            }
        }
        let verified = try await download(release, progress: progress)
        records.log("fetched \(release.version) as the full archive: \(verified.downloaded.size) bytes")
        return .archive(verified)
    }

    /// Stages the release from its delta index into a fresh folder under `state_dir/staging`.
    private func stageDelta(_ artifact: Artifact, location: DeltaLocation,
                            progress: @escaping @Sendable (Downloader.Progress) -> Void) async throws -> DeltaStagedRelease {
        let stagingRoot = directory.stagingPath
        try FileManager.default.createDirectory(atPath: stagingRoot, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let container = directory.stagingPath(for: "\(artifact.release.version)-delta")
        let keptIndexes = KeptIndexes(directory: directory)
        let staged = try await DeltaUpdate(hardLinks: layout == .releases, policy: extraction, downloader: downloader, logger: logger,
                                           keptIndexes: keptIndexes)
            .stage(artifact, location: location, container: container, localRoots: localTrees(), recordedBackups: recordedBackups(),
                   keptIndex: keptIndexPath(keptIndexes, packed: location.objects.isPack), progress: progress)
        keptIndexes.prune(keeping: heldVersions().union([artifact.release.version.description]))
        return staged
    }

    /// The versions whose trees the device holds: the installed one and (`releases`) the previous release folders.
    func heldVersions() -> Set<String> {
        var versions = Set<String>()
        if let current = try? installer.currentVersion() { versions.insert(current.description) }
        if layout == .releases {
            for backup in (try? installer.backups()) ?? [] { versions.insert(String(backup.path.split(separator: "/").last ?? "")) }
        }
        return versions
    }

    /// The backups whose manifests the agent recorded (`in_place`), newest first: their contents are found
    /// by the manifests' SHA-256s rather than by hashing them.
    func recordedBackups() -> [RecordedBackup] {
        guard layout == .inPlace else { return [] }
        return ((try? installer.backups()) ?? []).map {
            RecordedBackup(folder: $0.path, name: $0.name, directory: directory)
        }
    }

    /// The trees whose files a delta may reuse at the same path: the installed one first, then (`releases`)
    /// the previous release folders (newest first).
    func localTrees() -> [String] {
        var roots: [String] = []
        switch layout {
        case .inPlace:
            // Recorded backups are searched by their manifests (recordedBackups()).
            return [installDirectory]
        case .releases:
            let current = installDirectory + "/current"
            if let target = try? FileSystem.readLink(current) { roots.append(OTAConfiguration.absolute(target, against: installDirectory)) }
        }
        roots += ((try? installer.backups()) ?? []).map(\.path)
        return roots
    }
}

extension ReleaseDelivery {
    /// The downloaded archive, deleted once the release is committed; `nil` for a delta.
    var downloadPath: String? {
        if case .archive(let verified) = self { return verified.downloaded.path }
        return nil
    }
}
