import Foundation

/// A fresh directory under the system temporary folder, removed when the test is done with it.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ prefix: String = "ota-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The absolute path of `relative` inside the directory.
    public func url(_ relative: String) -> String { path + "/" + relative }

    /// Writes `text` to `relative`, creating parent folders.
    @discardableResult
    public func write(_ relative: String, _ text: String, modified: Date? = nil) throws -> String {
        try write(relative, Data(text.utf8), modified: modified)
    }

    /// Writes `bytes` to `relative`, creating parent folders, optionally with a fixed mtime.
    @discardableResult
    public func write(_ relative: String, _ bytes: some DataProtocol, modified: Date? = nil) throws -> String {
        let full = url(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        if let modified { try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: full) }
        return full
    }

    /// Creates the folder `relative` and its parents.
    public func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: url(relative), withIntermediateDirectories: true)
    }

    public func read(_ relative: String) throws -> String {
        try String(contentsOfFile: url(relative), encoding: .utf8)
    }
}
