import Crypto
import Foundation
import Testing
@testable import OTA

/// `Hex` must produce exactly what the `String(format:)` calls it replaced produced: backups written
/// before the change store modes and digests in that form, and `verify` compares text.
@Suite("Support: Hex text of digests and modes")
struct HexTests {
    @Test("every byte value gives the two digits %02x gives")
    func everyByte() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.lowercase(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.lowercase([UInt8]()) == "")
    }

    @Test("every byte value gives the two digits %02X gives in uppercase")
    func everyByteUppercase() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.uppercase(bytes) == bytes.map { String(format: "%02X", $0) }.joined())
        #expect(Hex.uppercase([UInt8]()) == "")
    }

    @Test("a SHA-256 digest gives the 64 digits sha256sum prints")
    func digest() {
        let digest = SHA256.hash(data: Data("abc".utf8))
        #expect(Hex.lowercase(digest) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("modes give the four or more octal digits %04o gives",
          arguments: [0, 0o7, 0o644, 0o755, 0o700, 0o1777, 0o4755, 0o7777, 0o17777] as [mode_t])
    func modes(mode: mode_t) {
        #expect(Hex.octalMode(mode) == String(format: "%04o", mode))
    }

    @Test("isHex accepts exactly count digits of either case")
    func recognition() {
        #expect(Hex.isHex("09afAF", count: 6))
        #expect(!Hex.isHex("09afAF", count: 5))
        #expect(!Hex.isHex("09agAF", count: 6))
        #expect(!Hex.isHex("", count: 1))
        #expect(Hex.isHex(String(repeating: "e", count: 64), count: 64))
    }

    @Test("appendLowercase adds the two digits of one byte")
    func appendByte() {
        var text: [UInt8] = Array("\\u00".utf8)
        Hex.appendLowercase(0x1f, to: &text)
        #expect(String(decoding: text, as: UTF8.self) == "\\u001f")
    }
}
