import Foundation

/// Checks and preparations both installers share.
enum InstallationSupport {
    /// `staged` with an absolute root without `.` components or a trailing slash.
    static func normalized(_ staged: StagedTree) -> StagedTree {
        StagedTree(root: OTAConfiguration.absolute(staged.root, against: FileManager.default.currentDirectoryPath), version: staged.version)
    }

    /// `path` if it is a clean relative path inside the installation, else an error naming `key`.
    static func relative(_ path: String, key: String) throws(InstallationError) -> String {
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains("..") else {
            throw InstallationError(.invalidPath, "\(key) entry '\(path)' must be a relative path inside install_dir without '..'")
        }
        return parts.joined(separator: "/")
    }

    /// True when `path` is `container` or lies inside it.
    static func isInside(_ path: String, _ container: String) -> Bool {
        path == container || path.hasPrefix(container + "/")
    }

    /// The paths to preserve: `preserve_paths`, plus the device's own files inside `roots`
    /// (``deviceFiles(_:roots:)``), all relative to their root, without duplicates.
    static func preservedPaths(_ preservePaths: [String], deviceFiles: [String], roots: [String]) throws(InstallationError) -> [String] {
        var result: [String] = []
        for path in preservePaths { result.append(try relative(path, key: "preserve_paths")) }
        result += self.deviceFiles(deviceFiles, roots: roots)
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    /// The device's own files (``OTAConfiguration/deviceFiles``, absolute) that lie inside one of `roots`,
    /// relative to it. They always come from the device, never from a release.
    static func deviceFiles(_ files: [String], roots: [String]) -> [String] {
        files.compactMap { file in
            roots.first { isInside(file, $0) && file != $0 }.map { String(file.dropFirst($0.count + 1)) }
        }
    }

    /// Copies each of `paths` that exists under `oldRoot` over the same path in the staged tree; each
    /// of `deviceOnly` that the device lacks is removed from the staged tree (never taken from a release).
    static func carryOver(_ paths: [String], from oldRoot: String, into staged: String, deviceOnly: [String] = []) throws(InstallationError) {
        for path in paths {
            let kept = FileSystem.exists(oldRoot + "/" + path)
            guard kept || deviceOnly.contains(path) else { continue }
            do {
                try FileSystem.removeTree(staged + "/" + path)
                guard kept else { continue }
                try FileSystem.makeDirectories(FileSystem.parent(staged + "/" + path))
                try FileSystem.copyTree(oldRoot + "/" + path, to: staged + "/" + path)
            } catch {
                throw InstallationError(.invalidStagedTree, "cannot carry the preserved path \(path) into the new version: \(error.message); nothing was changed", underlying: error)
            }
        }
    }

    /// Checks that the staged tree exists on the installation's filesystem and that its own VERSION, if it
    /// has one, is the release's version (a signed archive of another version relabelled under a newer
    /// tag is refused here); writes its VERSION if missing.
    static func prepare(_ staged: StagedTree, installDirectory: String, versionFile: String) throws(InstallationError) {
        guard FileSystem.isDirectory(staged.root) else {
            throw InstallationError(.invalidStagedTree, "the staged release \(staged.root) is not a directory")
        }
        do { try FileSystem.makeDirectories(installDirectory) } catch {
            throw InstallationError(.invalidStagedTree, "cannot create install_dir: \(error.message)", underlying: error)
        }
        guard FileSystem.device(of: staged.root) == FileSystem.device(of: installDirectory) else {
            throw InstallationError(.invalidStagedTree, "the staged release \(staged.root) is not on the filesystem of \(installDirectory); put state_dir on the same filesystem so the update can be applied by rename")
        }
        let versionPath = staged.root + "/" + versionFile
        guard !FileSystem.exists(versionPath) else {
            try requireVersion(staged.version, inFileAt: versionPath, named: versionFile)
            return
        }
        do {
            try FileSystem.makeDirectories(FileSystem.parent(versionPath))
            try AtomicFile.write(Array((staged.version.description + "\n").utf8), to: versionPath)
        } catch {
            throw InstallationError(.invalidStagedTree, "cannot write VERSION into the staged release: \(error.message)", underlying: error)
        }
    }

    /// Checks that the release's own version file says `version`; the error names both versions.
    static func requireVersion(_ version: SemanticVersion, inFileAt path: String, named name: String) throws(InstallationError) {
        let shipped: SemanticVersion
        do { shipped = try VersionManager(versionFile: path).currentVersion() } catch {
            throw InstallationError(.invalidStagedTree, "the release \(version) ships a \(name) that cannot be read: \(error.message); nothing was changed")
        }
        guard shipped == version else {
            throw InstallationError(.invalidStagedTree, "the release \(version) ships \(name) \(shipped): its archive was built for \(shipped), not \(version) (relabelled or mispackaged), so it is refused; nothing was changed")
        }
    }

    /// Creates the holding folder beside the staged tree (same filesystem) and, with `flush`, flushes
    /// staging with one `syncfs` (else the caller must, e.g. with a ``Flush``).
    static func makeHolding(for staged: StagedTree, id: String, flush: Bool = true) throws(InstallationError) -> String {
        let holding = staged.root + ".old-" + id
        do {
            try FileSystem.makeDirectories(holding, mode: 0o700)
            if flush { try FileSystem.syncFilesystem(staged.root) }
        } catch {
            try? FileSystem.removeTree(holding)
            throw InstallationError(.invalidStagedTree, "cannot prepare the staged release: \(error.message); nothing was changed", underlying: error)
        }
        return holding
    }

    /// One `syncfs` of the filesystem holding a path, run on its own thread so that the caller can
    /// work meanwhile (hash the old tree while the staged one is written out); ``wait()`` joins it.
    final class Flush: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var error: SystemError?  // written by the thread before `done` is signalled
        private var joined = false

        init(_ path: String) {
            Thread.detachNewThread { [self] in
                do throws(SystemError) { try FileSystem.syncFilesystem(path) } catch { self.error = error }
                done.signal()
            }
        }

        /// Waits until the flush is over (at once if it was already waited for); throws its error.
        func wait() throws(InstallationError) {
            if !joined {
                done.wait()
                joined = true
            }
            if let error {
                throw InstallationError(.invalidStagedTree, "cannot prepare the staged release: \(error.message); nothing was changed", underlying: error)
            }
        }
    }
}
