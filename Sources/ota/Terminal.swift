#if canImport(Glibc)
import Glibc
#endif
import OTA

/// Writing to stdout and stderr.
enum Terminal {
    /// Prints `error: <message>` on stderr, control characters escaped (a message can quote a server's
    /// text, such as a release tag, which must not drive the terminal).
    static func printError(_ message: String) {
        writeStandardError("error: \(PrintableText.escaped(message))\n")
    }

    static func writeStandardError(_ text: String) {
        // Nowhere is left to report a failure to write the error itself.
        try? Syscall.writeAll(STDERR_FILENO, Array(text.utf8), "write to standard error")
    }
}
