import Testing
@testable import OTAMirror

@Suite("Byte ranges")
struct ByteRangeTests {
    @Test("unsatisfiable ranges answer 416", arguments: [
        ("bytes=100-", 100), ("bytes=100-200", 100), ("bytes=150-", 100), ("bytes=-0", 100),
        ("bytes=0-", 0), ("bytes=-5", 0), ("bytes=0-0", 0),
    ])
    func unsatisfiable(header: String, size: Int) {
        #expect(ByteRange(header: header, size: size) == .unsatisfiable)
    }

    @Test("malformed, multiple or foreign-unit ranges are ignored (whole file)", arguments: [
        "bytes=", "bytes=-", "bytes=a-b", "bytes=5-2", "bytes=0-1,5-6", "items=0-5", "bytes=1-2-3",
        "bytes=99999999999999999999-", "bytes= -x", "0-5",
    ])
    func ignored(header: String) {
        #expect(ByteRange(header: header, size: 100) == .full)
    }

    @Test("the three single-range forms", arguments: [
        ("bytes=0-9", 0...9), ("bytes=10-", 10...99), ("bytes=-10", 90...99), ("bytes=-1000", 0...99),
        ("bytes=95-1000", 95...99), ("bytes=99-99", 99...99), ("Bytes= 0 - 0 ", 0...0),
    ])
    func partial(header: String, range: ClosedRange<Int>) {
        #expect(ByteRange(header: header, size: 100) == .partial(range))
    }

    @Test("no header means the whole file")
    func noHeader() {
        #expect(ByteRange(header: nil, size: 10) == .full)
    }
}

@Suite("Entity tags")
struct EntityTagTests {
    @Test("If-None-Match matches by weak comparison, lists and *")
    func noneMatch() {
        #expect(EntityTag.noneMatchHits("\"abc\"", etag: "\"abc\""))
        #expect(EntityTag.noneMatchHits("W/\"abc\"", etag: "\"abc\""))
        #expect(EntityTag.noneMatchHits("\"x\", \"abc\"", etag: "\"abc\""))
        #expect(EntityTag.noneMatchHits("*", etag: "\"abc\""))
        #expect(!EntityTag.noneMatchHits("\"abd\"", etag: "\"abc\""))
        #expect(!EntityTag.noneMatchHits(nil, etag: "\"abc\""))
    }

    @Test("If-Range allows a partial answer only for the same strong tag or exact date")
    func ifRange() {
        let date = "Mon, 30 Nov 2026 09:00:00 GMT"
        #expect(EntityTag.ifRangeAllowsPartial(nil, etag: "\"a\"", lastModified: date))
        #expect(EntityTag.ifRangeAllowsPartial("\"a\"", etag: "\"a\"", lastModified: date))
        #expect(EntityTag.ifRangeAllowsPartial(date, etag: "\"a\"", lastModified: date))
        #expect(!EntityTag.ifRangeAllowsPartial("W/\"a\"", etag: "\"a\"", lastModified: date))
        #expect(!EntityTag.ifRangeAllowsPartial("\"b\"", etag: "\"a\"", lastModified: date))
        #expect(!EntityTag.ifRangeAllowsPartial("Sun, 29 Nov 2026 09:00:00 GMT", etag: "\"a\"", lastModified: date))
    }

    @Test("body tags are strong, quoted and change with the body")
    func bodyTags() {
        let one = EntityTag.forBody(Array("[1]".utf8)), two = EntityTag.forBody(Array("[2]".utf8))
        #expect(one.hasPrefix("\"") && one.hasSuffix("\"") && !one.hasPrefix("W/"))
        #expect(one != two)
        #expect(one == EntityTag.forBody(Array("[1]".utf8)))
    }
}
