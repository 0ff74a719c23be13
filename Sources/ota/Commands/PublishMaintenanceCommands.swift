import ArgumentParser
import Foundation
import OTA

/// `ota publish refresh`.
struct PublishRefreshCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Re-sign the timestamp and snapshot with fresh expiry dates (run it from cron or CI).",
        discussion: """
            Targets and root are re-signed too when they expire within the window and their keys are in --keys. \
            With --if-expiring-within, nothing changes unless some role expires within that duration.
            """
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption
    @Option(name: .long, help: ArgumentHelp("Re-sign only if some role expires within this duration (e.g. 12h).", valueName: "duration"))
    var ifExpiringWithin: String?
    @OptionGroup var keys: PublishCommand.KeysOption

    func validate() throws {
        if let ifExpiringWithin, TUFDuration.seconds(ifExpiringWithin) == nil {
            throw ValidationError("--if-expiring-within \(ifExpiringWithin) is not a duration; write it like 12h, 2d or 1d12h.")
        }
    }

    func run() throws {
        let publisher = try PublishCommand.publisher(repository, keys)
        let result = try publisher.refresh(ifExpiringWithin: ifExpiringWithin.flatMap(TUFDuration.seconds))
        for warning in result.warnings { Terminal.writeStandardError("warning: \(warning)\n") }
        if result.resigned.isEmpty {
            print("Nothing to re-sign: no role expires within \(ifExpiringWithin ?? "the window").")
        } else {
            print("Re-signed \(result.resigned.map(\.rawValue).joined(separator: ", ")).")
        }
        for (role, version, expires) in try publisher.expiries() {
            print("  \(role.rawValue) version \(version) expires \(UTCTime.iso8601(expires))")
        }
    }
}

/// `ota publish rotate`.
struct PublishRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Replace a role's keys: a new root version lists the new keys, signed by the old and new root keys.",
        discussion: """
            Without --new-key, as many new keys as the role's threshold are generated into --keys. A --new-key \
            file is an Ed25519 private key in PKCS#8 PEM form (openssl genpkey -algorithm ed25519), mode 0600; \
            it is copied into --keys. The old key files stay in --keys: remove them once devices have the new root.
            """
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption
    @Option(name: .long, help: ArgumentHelp("The role: root, targets, snapshot or timestamp.", valueName: "role"))
    var role: String
    @Option(name: .long, help: ArgumentHelp("A new key (repeatable, at least the threshold).", valueName: "file"))
    var newKey: [String] = []
    @OptionGroup var keys: PublishCommand.KeysOption

    func validate() throws {
        if TUFTopLevelRole(rawValue: role) == nil {
            throw ValidationError("--role \(role) is not a role; pass root, targets, snapshot or timestamp.")
        }
    }

    func run() throws {
        let publisher = try PublishCommand.publisher(repository, keys)
        let written = try publisher.rotate(role: TUFTopLevelRole(rawValue: role)!, newKeyFiles: newKey)
        print("Rotated the \(role) keys; new root version \(try publisher.expiries()[0].version).")
        for file in written { print("  new key: \(file)") }
    }
}
