#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A fresh private folder per execution, on tmpfs when there is one (`OTA_FUZZ_SANDBOX` overrides).
struct FuzzSandbox {
    let path: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init() throws(Failure) {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["OTA_FUZZ_SANDBOX"]
            ?? (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : environment["TMPDIR"] ?? "/tmp")
        var template = Array((base + "/ota-fuzz-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw Failure(description: "mkdtemp in \(base): \(String(cString: strerror(errno)))") }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func remove() {
        // The extracted tree may hold read-only folders: make everything writable first.
        if let walker = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in walker {
                var info = stat()
                if lstat(path + "/" + relative, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { chmod(path + "/" + relative, 0o700) }
            }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
