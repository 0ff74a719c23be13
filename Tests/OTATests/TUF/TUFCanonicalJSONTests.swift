import Foundation
import Testing
@testable import OTA

@Suite("TUF canonical JSON and strict parsing")
struct TUFCanonicalJSONTests {
    static func canonical(_ text: String) throws -> String {
        String(decoding: TUFCanonicalJSON.encode(try TUFJSONParser.parse(Data(text.utf8), what: "test.json")), as: UTF8.self)
    }

    @Test("keys sorted by code point, no whitespace, only backslash and quote escaped, integers as written")
    func canonicalForm() throws {
        #expect(try Self.canonical(#"{ "b" : 1, "a" : [ true, false, null, -0, 12345678901234567890123 ] }"#)
                == #"{"a":[true,false,null,0,12345678901234567890123],"b":1}"#)
        #expect(try Self.canonical(#"{"s": "quote \" back \\ slash \/ tab \t nl \n \u00e9 \ud83d\ude00"}"#)
                == "{\"s\":\"quote \\\" back \\\\ slash / tab \t nl \n é 😀\"}")
        // Code point order: ｆ (U+FF46) before 𝒜 (U+1D49C), where UTF-16 order (surrogate 0xD835) would swap them.
        #expect(try Self.canonical(#"{"é": 1, "a": 2, "Z": 3, "\uff46": 4, "\ud835\udc9c": 5}"#)
                == #"{"Z":3,"a":2,"é":1,"ｆ":4,"𝒜":5}"#)
        // A decomposed é (e + U+0301) sorts by its bytes, before f: never by Unicode normalisation.
        #expect(try Self.canonical(#"{"f": 1, "e\u0301": 2}"#) == "{\"e\u{301}\":2,\"f\":1}")
    }

    @Test("canonical bytes equal securesystemslib's encode_canonical for the same document")
    func matchesSecuresystemslib() throws {
        let document = #"""
        {"signed": {"_type": "targets", "version": 7, "z": [], "y": {}, "ünï": "cödé ✓ 😀",
         "esc": "a\"b\\c\/d\b\f\n\r\t\u0001\u001f", "neg": -42, "big": 98765432109876543210,
         "\u00e9": "composed", "f": "between", "e\u0301x": "decomposed", "nested": {"b": [1, {"d": null, "c": true}], "a": false}},
         "signatures": [{"keyid": "ab", "sig": "cd"}]}
        """#
        let python = try TUFPythonTool.run(["canonical"], input: Data(document.utf8))
        let ours = TUFCanonicalJSON.encode(try TUFJSONParser.parse(Data(document.utf8), what: "test.json"))
        #expect(ours == python, "ours: \(String(decoding: ours, as: UTF8.self))\npython: \(String(decoding: python, as: UTF8.self))")
    }

    @Test("refused: not JSON, floats, duplicate keys, lone surrogates, raw control characters, BOM, deep nesting, trailing text",
          arguments: [
              #"{"a": 1.0}"#, #"{"a": 1e3}"#, #"{"a": 1, "a": 2}"#, #"{"é": 1, "e\u0301": 2}"#, #"{"a": "\ud800"}"#,
              #"{"a": "\udc00x"}"#, "{\"a\": \"tab\there\"}", "\u{FEFF}{}", #"{"a": 01}"#, #"{"a": 1} x"#, #"{"a": }"#,
              #"{"a": "\x"}"#, #"{'a': 1}"#, "", String(repeating: "[", count: 70) + String(repeating: "]", count: 70),
          ])
    func refused(text: String) {
        #expect(throws: TUFError.self) { try TUFJSONParser.parse(Data(text.utf8), what: "test.json") }
        let error = try? #require(throws: TUFError.self) { try TUFJSONParser.parse(Data(text.utf8), what: "test.json") }
        #expect(error?.code == .malformedJSON)
        #expect(error?.message.hasPrefix("The TUF metadata test.json is not valid JSON") == true)
    }

    @Test("bytes that are not UTF-8 are refused")
    func notUTF8() {
        let bytes = Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D])
        #expect(throws: TUFError.self) { try TUFJSONParser.parse(bytes, what: "test.json") }
    }

    @Test("a \\u0000 escape and other escapes decode; members keep their order")
    func escapesAndOrder() throws {
        let value = try TUFJSONParser.parse(Data(#"{"z": "\u0000", "a": "\u20ac"}"#.utf8), what: "t")
        #expect(value.members?.map(\.key) == ["z", "a"])
        #expect(value["z"]?.stringValue == "\u{0}")
        #expect(value["a"]?.stringValue == "€")
    }
}
