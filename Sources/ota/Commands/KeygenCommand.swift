import ArgumentParser
import Foundation
import OTA
import OTASigning

/// `ota keygen`: a new minisign key pair for signing releases, in `minisign -G -W`'s file format.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a minisign key pair for signing releases (the secret key unencrypted, like minisign -G -W).",
        discussion: """
            Writes the secret key (mode 0600) and the public key beside it (minisign.key → minisign.pub). \
            Keep the secret key off the devices, e.g. in a CI secret; give devices the public key \
            (public_key: <its second line>, or public_key_file). Exit status: 0 written, 1 failed.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Secret key file to write.", valueName: "path"))
    var output = "minisign.key"

    @Flag(name: .long, help: "Replace existing key files.")
    var force = false

    /// The public key's path: the secret key's with `.pub` instead of `.key`, else with `.pub` added.
    static func publicKeyPath(for secretKeyPath: String) -> String {
        (secretKeyPath.hasSuffix(".key") ? String(secretKeyPath.dropLast(4)) : secretKeyPath) + ".pub"
    }

    func run() throws {
        let publicPath = Self.publicKeyPath(for: output)
        for path in [output, publicPath] where !force && FileManager.default.fileExists(atPath: path) {
            throw CommandFailure("\(path) already exists; keep it (a new key makes every device's public key obsolete), or pass --force to replace it")
        }
        let key = MinisignSecretKey()
        do {
            try key.write(to: output, publicKeyTo: publicPath)
        } catch {
            throw CommandFailure("cannot write the key pair: \(error.message)")
        }
        print("""
            secret key: \(output) (keep it secret; sign releases with `ota sign --key \(output) FILE...`)
            public key: \(publicPath) (key id \(key.publicKey.keyIDString))
            configure devices with:
              public_key: \(key.publicKey.base64)
            """)
    }
}

