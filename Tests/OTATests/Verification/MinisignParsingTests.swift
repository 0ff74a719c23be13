import Foundation
import Testing
@testable import OTA

/// Malformed `.minisig` and `.pub` files, built from a real signature and key by breaking one part.
@Suite("minisign file parsing")
struct MinisignParsingTests {
    /// A signature file of the right shape, with dummy bytes (parsing checks no signature);
    /// files made by the real tool are exercised in ``MinisignTests``.
    static let lines: [String] = {
        let signatureLine = Data(Array("ED".utf8) + [UInt8](repeating: 7, count: 8) + [UInt8](repeating: 1, count: 64))
        return ["untrusted comment: signature from minisign secret key",
                signatureLine.base64EncodedString(),
                "trusted comment: timestamp:1700000000\tfile:app.tar.gz",
                Data([UInt8](repeating: 2, count: 64)).base64EncodedString()]
    }()

    static func replacing(_ index: Int, with line: String) -> String {
        var lines = lines
        lines[index] = line
        return lines.joined(separator: "\n") + "\n"
    }

    static func signatureLine(algorithm: String, keyIDCount: Int = 8, signatureCount: Int = 64) -> String {
        Data(Array(algorithm.utf8) + [UInt8](repeating: 7, count: keyIDCount) + [UInt8](repeating: 1, count: signatureCount)).base64EncodedString()
    }

    @Test("a well-formed file parses, with LF or CRLF line ends and a trailing blank line")
    func wellFormed() throws {
        for text in [Self.lines.joined(separator: "\n"), Self.lines.joined(separator: "\r\n") + "\r\n\n"] {
            let signature = try MinisignSignature(contents: Data(text.utf8), fileName: "a.minisig")
            #expect(signature.algorithm == .prehashed)
            #expect(signature.keyID == [UInt8](repeating: 7, count: 8))
            #expect(signature.signature == [UInt8](repeating: 1, count: 64))
            #expect(signature.globalSignature == [UInt8](repeating: 2, count: 64))
            #expect(signature.trustedComment == "timestamp:1700000000\tfile:app.tar.gz")
            #expect(signature.keyIDString == "707070707070707")
        }
    }

    static let malformedSignatures: [(String, String, VerificationError.Code)] = [
        ("empty file", "", .malformedSignature),
        ("only the comment", lines[0] + "\n", .malformedSignature),
        ("missing global signature", lines[0...2].joined(separator: "\n"), .malformedSignature),
        ("a fifth line", lines.joined(separator: "\n") + "\nextra\n", .malformedSignature),
        ("no untrusted comment prefix", replacing(0, with: "comment: x"), .malformedSignature),
        ("no trusted comment prefix", replacing(2, with: "trusted: x"), .malformedSignature),
        ("signature line not base64", replacing(1, with: "RWQ!!!notbase64"), .malformedSignature),
        ("signature line truncated", replacing(1, with: String(lines[1].dropLast(8))), .malformedSignature),
        ("signature 73 bytes", replacing(1, with: signatureLine(algorithm: "ED", signatureCount: 63)), .malformedSignature),
        ("signature 75 bytes", replacing(1, with: signatureLine(algorithm: "ED", signatureCount: 65)), .malformedSignature),
        ("global signature not base64", replacing(3, with: "%%%%"), .malformedSignature),
        ("global signature 63 bytes", replacing(3, with: Data(count: 63).base64EncodedString()), .malformedSignature),
        ("algorithm 'Ex'", replacing(1, with: signatureLine(algorithm: "Ex")), .unsupportedSignatureAlgorithm),
        ("algorithm 'ed'", replacing(1, with: signatureLine(algorithm: "ed")), .unsupportedSignatureAlgorithm),
        ("algorithm bytes 00 00", replacing(1, with: signatureLine(algorithm: "\0\0")), .unsupportedSignatureAlgorithm),
    ]

    @Test("malformed signature files are refused with their own code", arguments: malformedSignatures)
    func malformedSignature(name: String, text: String, code: VerificationError.Code) throws {
        let failure = try #require(throws: VerificationError.self) {
            try MinisignSignature(contents: Data(text.utf8), fileName: "app.tar.gz.minisig")
        }
        #expect(failure.code == code, "\(name)")
        #expect(failure.message.contains("app.tar.gz.minisig"))
    }

    @Test("a signature file that is not UTF-8 is malformed")
    func binarySignature() throws {
        let failure = try #require(throws: VerificationError.self) {
            try MinisignSignature(contents: Data([0xFF, 0xFE, 0x00, 0x80]), fileName: "x.minisig")
        }
        #expect(failure.code == .malformedSignature)
    }

    static let keyLine = Data(Array("Ed".utf8) + [UInt8](repeating: 3, count: 8) + [UInt8](repeating: 4, count: 32)).base64EncodedString()

    static let malformedKeys: [(String, String, VerificationError.Code)] = [
        ("empty", "", .malformedPublicKey),
        ("comment only", "untrusted comment: minisign public key 303030\n", .malformedPublicKey),
        ("key line not base64", "untrusted comment: k\nRW!!\n", .malformedPublicKey),
        ("41 bytes", Data(Array("Ed".utf8) + [UInt8](repeating: 3, count: 39)).base64EncodedString(), .malformedPublicKey),
        ("43 bytes", Data(Array("Ed".utf8) + [UInt8](repeating: 3, count: 41)).base64EncodedString(), .malformedPublicKey),
        ("two key lines without comment", keyLine + "\n" + keyLine + "\n", .malformedPublicKey),
        ("three lines", "untrusted comment: k\n\(keyLine)\nmore\n", .malformedPublicKey),
        ("algorithm 'ED' (a signature's, not a key's)", Data(Array("ED".utf8) + [UInt8](repeating: 3, count: 40)).base64EncodedString(), .unsupportedKeyAlgorithm),
        ("algorithm 'Rs'", Data(Array("Rs".utf8) + [UInt8](repeating: 3, count: 40)).base64EncodedString(), .unsupportedKeyAlgorithm),
    ]

    @Test("malformed public keys are refused with their own code", arguments: malformedKeys)
    func malformedKey(name: String, text: String, code: VerificationError.Code) throws {
        let failure = try #require(throws: VerificationError.self) { try MinisignPublicKey(fileContents: text) }
        #expect(failure.code == code, "\(name)")
    }

    @Test("a key file parses with or without its comment line, surrounded by blank lines")
    func keyFileForms() throws {
        let expected = try MinisignPublicKey(base64: Self.keyLine)
        #expect(expected.keyID == [UInt8](repeating: 3, count: 8))
        #expect(expected.rawKey == [UInt8](repeating: 4, count: 32))
        #expect(try MinisignPublicKey(fileContents: "untrusted comment: minisign public key 303\n\(Self.keyLine)\n") == expected)
        #expect(try MinisignPublicKey(fileContents: "\n  \(Self.keyLine)  \r\n\n") == expected)
        #expect(try MinisignPublicKey(base64: " \(Self.keyLine)\n") == expected)
    }

    @Test("a missing or huge public key file is refused with its path")
    func keyFileErrors() throws {
        let directory = try TemporaryDirectory("minisign-pub")
        let missing = try #require(throws: VerificationError.self) { try MinisignPublicKey(fromFile: directory.url("none.pub")) }
        #expect(missing.code == .unreadableFile)
        #expect(missing.message.contains("none.pub"))
        let huge = try directory.write("huge.pub", String(repeating: "A", count: 100_000))
        let tooLarge = try #require(throws: VerificationError.self) { try MinisignPublicKey(fromFile: huge) }
        #expect(tooLarge.code == .malformedPublicKey)
    }
}
