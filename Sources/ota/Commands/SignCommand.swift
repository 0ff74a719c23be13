import ArgumentParser
import Foundation
import OTA

/// `ota sign FILE...`: minisign signatures (`FILE.minisig`) that devices with the public key accept.
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign files with a minisign secret key: writes FILE.minisig (trusted comment file:NAME).",
        discussion: """
            The signatures are minisign's prehashed format; `minisign -Vm FILE -p minisign.pub` verifies them. \
            The trusted comment names the file, so a device refuses the signature for a file of another \
            name (another version or product). Exit status: 0 all signed, 1 failed.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Secret key file (from ota keygen or minisign -G -W).", valueName: "path"))
    var key = "minisign.key"

    @Argument(help: ArgumentHelp("Files to sign.", valueName: "FILE"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to sign.") }
    }

    func run() throws {
        let signer = MinisignSigner(secretKey: try MinisignSecretKey(fromFile: key))
        for file in files {
            let signature = try signer.signature(forFileAt: file)
            do {
                try AtomicFile.write(Array(signature), to: file + ".minisig", mode: 0o644)
            } catch {
                throw CommandFailure("cannot write \(file).minisig: \(error.message)")
            }
            print("signed \(file) -> \(file).minisig (key \(signer.publicKey.keyIDString))")
        }
    }
}
