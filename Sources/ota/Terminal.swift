#if canImport(Glibc)
import Glibc
#endif

/// Writing to stdout and stderr.
enum Terminal {
    /// Prints `error: <message>` on stderr, control characters escaped (a message can quote a server's
    /// text, such as a release tag, which must not drive the terminal).
    static func printError(_ message: String) {
        writeStandardError("error: \(PrintableText.escaped(message))\n")
    }

    static func writeStandardError(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}
