import Foundation
import Testing
@testable import OTA

@Suite("UTC timestamps without ICU")
struct UTCTimeTests {
    static let moment = Date(timeIntervalSince1970: 1_796_030_102) // 2026-11-30 09:15:02 UTC

    @Test("formats the fixed formats in UTC")
    func formats() {
        #expect(UTCTime.stamp(Self.moment) == "20261130_091502")
        #expect(UTCTime.dateTime(Self.moment) == "2026-11-30 09:15:02")
        #expect(UTCTime.time(Self.moment) == "09:15:02")
        #expect(UTCTime.iso8601(Self.moment) == "2026-11-30T09:15:02Z")
        #expect(UTCTime.stamp(Date(timeIntervalSince1970: 0)) == "19700101_000000")
    }

    @Test("parses what it formats, to the second")
    func roundTrips() {
        for seconds in [0.0, 951_782_400, 1_709_164_799, 1_796_030_102.9, 4_102_444_799] {
            let date = Date(timeIntervalSince1970: seconds)
            let whole = Date(timeIntervalSince1970: seconds.rounded(.down))
            #expect(UTCTime.date(stamp: UTCTime.stamp(date)) == whole)
            #expect(UTCTime.date(iso8601: UTCTime.iso8601(date)) == whole)
        }
    }

    @Test("refuses impossible or malformed stamps", arguments: [
        "20260230_120000", "20261301_000000", "20261130_240000", "20261130_126000", "2026113_0915020",
        "20261130-091502", "2026113a_091502", "", "20261130_09150",
    ])
    func refusesBadStamps(text: String) {
        #expect(UTCTime.date(stamp: text) == nil)
    }

    @Test("parses GitHub's dates, with fractions or offsets")
    func parsesISO8601() {
        #expect(UTCTime.date(iso8601: "2013-02-27T19:35:32Z") == Date(timeIntervalSince1970: 1_361_993_732))
        #expect(UTCTime.date(iso8601: "2013-02-27T19:35:32.500Z")?.timeIntervalSince1970 == 1_361_993_732.5)
        #expect(UTCTime.date(iso8601: "2013-02-27T20:35:32+01:00") == Date(timeIntervalSince1970: 1_361_993_732))
        #expect(UTCTime.date(iso8601: "2013-02-27T18:05:32-0130") == Date(timeIntervalSince1970: 1_361_993_732))
        #expect(UTCTime.date(iso8601: "2013-02-27t19:35:32.25z")?.timeIntervalSince1970 == 1_361_993_732.25)
        #expect(UTCTime.date(iso8601: "2024-02-29T00:00:00Z") == Date(timeIntervalSince1970: 1_709_164_800))
    }

    @Test("refuses malformed or impossible ISO 8601 dates", arguments: [
        "yesterday", "", "2013-02-27", "2013-02-27T19:35:32", "2013-02-27 19:35:32Z", "2013-02-27T19:35Z",
        "2013-02-30T19:35:32Z", "2013-13-01T00:00:00Z", "2013-02-27T24:00:00Z", "2013-02-27T19:35:32.Z",
        "2013-02-27T19:35:32+1:00", "2013-02-27T19:35:32+24:00", "2013-02-27T19:35:32+01:60",
        "2013-02-27T19:35:32Zjunk", "2023-02-29T00:00:00Z", "+013-02-27T19:35:32Z", "2013-02-27T19:35:32\u{0}",
    ])
    func refusesBadISO8601(text: String) {
        #expect(UTCTime.date(iso8601: text) == nil)
    }

    @Test("parses HTTP dates (IMF-fixdate) and refuses others", arguments: [
        ("Wed, 21 Oct 2015 07:28:00 GMT", 1_445_412_480.0),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("Wed, 21 Oct 2015 07:28:00 UTC", nil), ("Sunday, 06-Nov-94 08:49:37 GMT", nil),
        ("Wed, 31 Feb 2015 07:28:00 GMT", nil), ("Wed, 21 Oct 2015 7:28:00 GMT", nil), ("", nil),
    ] as [(String, Double?)])
    func parsesHTTPDates(text: String, seconds: Double?) {
        #expect(UTCTime.date(httpDate: text) == seconds.map { Date(timeIntervalSince1970: $0) })
    }

    @Test("writes HTTP dates that it and RFC 9110's example agree on")
    func writesHTTPDates() {
        #expect(UTCTime.httpDate(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(UTCTime.httpDate(Date(timeIntervalSince1970: 1_445_412_480.7)) == "Wed, 21 Oct 2015 07:28:00 GMT")
        for seconds in [0.0, 951_782_400, 1_709_164_799, 4_102_444_799] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTime.date(httpDate: UTCTime.httpDate(date)) == date)
        }
    }

    @Test("JSON dates: the same text as Foundation's .iso8601, read back by both; garbage is an error")
    func jsonDates() throws {
        struct Stamped: Codable, Equatable { let at: Date }
        let value = Stamped(at: Date(timeIntervalSince1970: 1_796_030_102))
        let ours = JSONEncoder()
        ours.dateEncodingStrategy = .utcISO8601
        let foundations = JSONEncoder()
        foundations.dateEncodingStrategy = .iso8601
        let text = try ours.encode(value)
        #expect(String(decoding: text, as: UTF8.self) == #"{"at":"2026-11-30T09:15:02Z"}"#)
        #expect(text == (try foundations.encode(value)))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .utcISO8601
        #expect(try decoder.decode(Stamped.self, from: text) == value)
        #expect(try decoder.decode(Stamped.self, from: Data(#"{"at":"2026-11-30T10:15:02+01:00"}"#.utf8)) == value)
        #expect(throws: DecodingError.self) { try decoder.decode(Stamped.self, from: Data(#"{"at":"30/11/2026"}"#.utf8)) }
    }
}
