import ArgumentParser
import Foundation
import OTA
import OTASigning

/// `ota sign [--index] FILE...`: minisign signatures (`FILE.minisig`) that devices with the public key accept;
/// with `--index`, each archive's delta index and pack for a release published as assets (GitHub).
struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign files with a minisign secret key: writes FILE.minisig (trusted comment file:NAME).",
        discussion: """
            The signatures are minisign's prehashed format; `minisign -Vm FILE -p minisign.pub` verifies them. \
            The trusted comment names the file, so a device refuses the signature for a file of another \
            name (another version or product). With --index, each FILE is an archive (tar, tar.gz or zip): \
            beside it are written FILE.index.gz (its delta index, with the table of the pack) and FILE.pack \
            (its contents, compressed), and the index is signed too (FILE.index.gz.minisig); upload all of \
            them as release assets and devices with delta: true fetch only the contents they lack. With \
            --patch-from OLD (an earlier release's archive), the pack also holds zstd patches from OLD's \
            files to the changed files at the same paths, which devices that have OLD's files fetch instead, \
            and FILE.index.<base>.patch is the index as a patch against OLD.index.gz (signed too), which \
            devices that kept OLD's index fetch instead of the index. \
            Exit status: 0 all signed, 1 failed.
            """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Secret key file (from ota keygen or minisign -G -W).", valueName: "path"))
    var key = "minisign.key"

    @Flag(help: "Also write each archive's delta index (FILE.index.gz) and pack (FILE.pack), and sign the index.")
    var index = false

    @Option(name: .customLong("patch-from"), help: ArgumentHelp("With --index: an earlier release's archive to make delta patches from (repeatable).", valueName: "archive"))
    var patchFrom: [String] = []

    @Argument(help: ArgumentHelp("Files to sign.", valueName: "FILE"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to sign.") }
        if !patchFrom.isEmpty && !index { throw ValidationError("--patch-from needs --index.") }
        for archive in patchFrom where !FileManager.default.isReadableFile(atPath: archive) {
            throw ValidationError("--patch-from \(archive): no such readable file; name the archive of an earlier release.")
        }
    }

    func run() throws {
        let signer = MinisignSigner(secretKey: try MinisignSecretKey(fromFile: key))
        for file in files {
            try sign(file, with: signer)
            if index { try makeIndex(of: file).forEach { try sign($0, with: signer) } }
        }
    }

    /// Writes `file.minisig`.
    private func sign(_ file: String, with signer: MinisignSigner) throws {
        let signature = try signer.signature(forFileAt: file)
        do {
            try AtomicFile.write(Array(signature), to: file + ".minisig", mode: 0o644)
        } catch {
            throw CommandFailure("cannot write \(file).minisig: \(error.message)")
        }
        print("signed \(file) -> \(file).minisig (key \(signer.publicKey.keyIDString))")
    }

    /// Writes the delta index and pack of the archive `file`, and its index patches; returns the paths of
    /// the index and the index patches (the files to sign).
    private func makeIndex(of file: String) throws -> [String] {
        let scratch = FileManager.default.temporaryDirectory.path + "/ota-sign-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("cannot create a temporary folder at \(scratch): \(error.localizedDescription); check TMPDIR and the free space")
        }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let output: DeltaIndexBuilder.PackOutput
        do {
            output = try DeltaIndexBuilder().buildPack(archiveAt: file, patchFrom: patchFrom, scratch: scratch)
        } catch let error as ArchiveError {
            throw CommandFailure("cannot index \(file): \(error.message)")
        } catch {
            throw CommandFailure("cannot write the delta index and pack of \(file): \((error as? any OTAError)?.message ?? "\(error)")")
        }
        let contents = output.table.objects.count, patches = output.index.patches
        print("indexed \(file) -> \(output.indexPath) (\(output.index.entries.count) entries), \(output.packPath) (\(contents) contents, \(patches.count) patches of \(patches.reduce(0) { $0 + $1.length }) bytes, \(output.table.size) bytes)")
        for path in output.indexPatchPaths {
            print("index patch \(path) (\((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) bytes)")
        }
        for old in output.unindexedBases {
            print("no index patch from \(old): \(old).index.gz is not beside it (keep the index published with that release there)")
        }
        return [output.indexPath] + output.indexPatchPaths
    }
}
