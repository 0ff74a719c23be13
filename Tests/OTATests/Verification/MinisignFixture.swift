import Foundation
import Testing
@testable import OTA

/// A key pair made by the real `minisign` tool in a temporary directory, and files signed with it.
struct MinisignFixture {
    let tool: ExternalTool
    let directory: TemporaryDirectory
    /// The key pair's file names inside ``directory``.
    let publicKeyPath: String
    let secretKeyPath: String

    /// Generates an unencrypted key pair (`minisign -G -W`) named `name`.
    init(_ name: String = "release", directory: TemporaryDirectory? = nil) throws {
        tool = try ExternalTool.minisign()
        self.directory = try directory ?? TemporaryDirectory("minisign")
        publicKeyPath = self.directory.url("\(name).pub")
        secretKeyPath = self.directory.url("\(name).key")
        try tool.succeed(["-G", "-W", "-p", publicKeyPath, "-s", secretKeyPath])
    }

    var publicKey: MinisignPublicKey {
        get throws { try MinisignPublicKey(fromFile: publicKeyPath) }
    }

    var publicKeyFileContents: String {
        get throws { try String(contentsOfFile: publicKeyPath, encoding: .utf8) }
    }

    /// Writes `contents` to `name` in the directory; returns its path.
    @discardableResult
    func write(_ name: String, _ contents: Data) throws -> String {
        let path = directory.url(name)
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Signs the file at `path` with the real tool, into `<path>.minisig`; returns the signature's bytes.
    @discardableResult
    func sign(_ path: String, legacy: Bool = false, trustedComment: String? = nil) throws -> Data {
        var arguments = ["-S", "-s", secretKeyPath, "-m", path, "-x", path + ".minisig"]
        if legacy { arguments.append("-l") }
        if let trustedComment { arguments += ["-t", trustedComment] }
        try tool.succeed(arguments)
        return try Data(contentsOf: URL(fileURLWithPath: path + ".minisig"))
    }

    /// Whether the real tool accepts `signature` for the file at `path` with this key.
    func toolAccepts(_ path: String, signature: String) throws -> Bool {
        try tool.run(["-V", "-q", "-p", publicKeyPath, "-m", path, "-x", signature]).status == 0
    }
}

extension Data {
    /// A copy with bit `bit` of byte `index` flipped.
    func flippingBit(_ bit: Int = 0, at index: Int) -> Data {
        var copy = self
        copy[copy.startIndex + index] ^= UInt8(1 << bit)
        return copy
    }
}
