#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The folder of signing keys (`--keys DIR`): one Ed25519 key per PKCS#8 PEM file (`<role>-<key id>.pem`),
/// the folder mode 0700 and every key file 0600, kept outside the published repository.
///
/// Which role a key signs for comes from the signed root (by key id), not from the file name: a
/// folder may hold only some roles' keys (e.g. the online timestamp and snapshot keys on a CI runner,
/// with root and targets keys offline).
public struct TUFKeyStore: Sendable {
    /// The folder.
    public let path: String
    /// The keys found, by key id.
    public internal(set) var keys: [String: TUFSigningKey]

    /// Opens the keys folder `path` of the repository `repository`; `create` makes it (mode 0700) when missing.
    /// - Throws: when the folder is inside the repository, is readable or writable by others, or holds
    ///   a key file that is unreadable, not a key, or not mode 0600.
    public init(path: String, repository: String, create: Bool = false) throws(TUFPublishError) {
        self.path = path
        let keysPath = Self.resolved(path), repositoryPath = Self.resolved(repository)
        if keysPath == repositoryPath || keysPath.hasPrefix(repositoryPath == "/" ? "/" : repositoryPath + "/") {
            throw TUFPublishError(.keys, "The keys folder \(path) is inside the repository \(repository), which is published: anyone could download the keys; pass a --keys folder outside it.")
        }
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT, create else {
                throw TUFPublishError(.keys, "The keys folder \(path) does not exist (\(String(cString: strerror(errno)))); pass the --keys folder that `ota publish init` created.")
            }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw TUFPublishError(.io, "Cannot create the keys folder \(path) (\(error.localizedDescription)); check the path and its permissions.")
            }
            chmod(path, 0o700)
            lstat(path, &info)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw TUFPublishError(.keys, "The keys folder \(path) is not a directory; pass a folder (e.g. ~/.ota-keys/PRODUCT) with --keys.")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw TUFPublishError(.keys, "The keys folder \(path) has mode \(String(info.st_mode & 0o777, radix: 8)), so other users can reach the keys; run `chmod 700 \(path)` and check that no one copied them.")
        }
        keys = [:]
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".pem") }.sorted()
        for name in names {
            let key = try Self.readKey(path + "/" + name)
            keys[key.keyID] = key
        }
    }

    /// Reads one key file, refusing one that others can read.
    static func readKey(_ file: String, requirePrivateMode: Bool = true) throws(TUFPublishError) -> TUFSigningKey {
        var info = stat()
        guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw TUFPublishError(.keys, "The key file \(file) is missing or not a regular file; pass an existing key file.")
        }
        if requirePrivateMode, info.st_mode & 0o077 != 0 {
            throw TUFPublishError(.keys, "The key file \(file) has mode \(String(info.st_mode & 0o777, radix: 8)), so other users can read it; run `chmod 600 \(file)` and check that no one copied it.")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TUFPublishError(.keys, "Cannot read the key file \(file); check its permissions.")
        }
        return try TUFSigningKey(pem: String(decoding: data, as: UTF8.self), file: file)
    }

    /// Stores `key` as `<role>-<first 16 digits of its key id>.pem`, mode 0600; returns the file's path.
    @discardableResult
    public mutating func add(_ key: TUFSigningKey, role: String) throws(TUFPublishError) -> String {
        let file = "\(path)/\(role)-\(key.keyID.prefix(16)).pem"
        do {
            try AtomicFile.write(Array(key.pemRepresentation.utf8), to: file, mode: 0o600)
        } catch {
            throw TUFPublishError(.io, "Cannot write the key file \(file): \(error.message).")
        }
        keys[key.keyID] = key
        return file
    }

    /// The keys of this folder that may sign for `role` (`roleKeys` as the root gives them).
    /// - Throws: when the folder holds fewer of them than the role's threshold.
    func signers(for roleKeys: TUFRoleKeys, role: String) throws(TUFPublishError) -> [TUFSigningKey] {
        let available = roleKeys.keyIDs.compactMap { keys[$0] }
        guard available.count >= roleKeys.threshold else {
            throw TUFPublishError(.keys, "The keys folder \(path) holds \(available.count) of the \(roleKeys.threshold) keys of role \(role) needed to sign (key ids \(roleKeys.keyIDs.map { String($0.prefix(16)) }.joined(separator: ", "))); pass the --keys folder that holds them.")
        }
        return available
    }

    /// `path` absolute, with symlinks resolved as far as it exists.
    static func resolved(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var existing = absolute, rest: [String] = []
        while !existing.isEmpty, existing != "/" {
            if let pointer = realpath(existing, nil) {
                defer { free(pointer) }
                let base = String(cString: pointer)
                return rest.isEmpty ? base : (base == "/" ? "" : base) + "/" + rest.reversed().joined(separator: "/")
            }
            rest.append(PathName.lastComponent(of: existing))
            existing = PathName.deletingLastComponent(of: existing)
        }
        return "/" + rest.reversed().joined(separator: "/")
    }
}
