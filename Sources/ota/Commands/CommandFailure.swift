import OTA

/// A command's own one-sentence failure, printed as `error: <message>` with exit status 1.
struct CommandFailure: OTAError {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
