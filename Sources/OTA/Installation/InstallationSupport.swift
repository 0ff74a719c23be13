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

    /// The paths to preserve: `preserve_paths`, plus the configuration file in use and a `.env`
    /// beside it when they lie inside one of `roots` (SPEC §3), all relative to that root.
    static func preservedPaths(_ configuration: OTAConfiguration, roots: [String]) throws(InstallationError) -> [String] {
        var result: [String] = []
        for path in configuration.preservePaths { result.append(try relative(path, key: "preserve_paths")) }
        if let source = configuration.sourceFile {
            let absolute = OTAConfiguration.absolute(source, against: FileManager.default.currentDirectoryPath)
            for file in [absolute, FileSystem.parent(absolute) + "/.env"] {
                if let root = roots.first(where: { isInside(file, $0) && file != $0 }) {
                    result.append(String(file.dropFirst(root.count + 1)))
                }
            }
        }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }

    /// Copies each of `paths` that exists under `oldRoot` over the same path in the staged tree.
    static func carryOver(_ paths: [String], from oldRoot: String, into staged: String) throws(InstallationError) {
        for path in paths where FileSystem.exists(oldRoot + "/" + path) {
            do {
                try FileSystem.removeTree(staged + "/" + path)
                try FileSystem.makeDirectories(FileSystem.parent(staged + "/" + path))
                try FileSystem.copyTree(oldRoot + "/" + path, to: staged + "/" + path)
            } catch {
                throw InstallationError(.invalidStagedTree, "cannot carry the preserved path \(path) into the new version: \(error.message); nothing was changed", underlying: error)
            }
        }
    }

    /// Checks that the staged tree exists on the installation's filesystem and writes its VERSION if missing.
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
        guard !FileSystem.exists(versionPath) else { return }
        do {
            try FileSystem.makeDirectories(FileSystem.parent(versionPath))
            try AtomicFile.write(Array((staged.version.description + "\n").utf8), to: versionPath)
        } catch {
            throw InstallationError(.invalidStagedTree, "cannot write VERSION into the staged release: \(error.message)", underlying: error)
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
