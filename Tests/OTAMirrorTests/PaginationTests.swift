import Testing
@testable import OTAMirror

@Suite("Pagination")
struct PaginationTests {
    @Test("bad or missing values fall back to GitHub's defaults; per_page is capped at 100", arguments: [
        (nil, nil, 30, 1), ("0", "0", 30, 1), ("-3", "x", 30, 1), ("500", "2", 100, 2), ("7", "3", 7, 3),
    ] as [(String?, String?, Int, Int)])
    func parsing(perPage: String?, page: String?, expectedPerPage: Int, expectedPage: Int) {
        let pagination = Pagination(perPage: perPage, page: page)
        #expect(pagination.perPage == expectedPerPage)
        #expect(pagination.page == expectedPage)
    }

    @Test("slices pages and returns nothing past the last one")
    func slicing() {
        let items = Array(1...5)
        #expect(Array(Pagination(perPage: "2", page: "1").slice(items)) == [1, 2])
        #expect(Array(Pagination(perPage: "2", page: "3").slice(items)) == [5])
        #expect(Pagination(perPage: "2", page: "4").slice(items).isEmpty)
        #expect(Pagination(perPage: "100", page: "\(Int.max)").slice(items).isEmpty)
    }

    @Test("Link header like GitHub's: next+last on the first page, prev+first later, none for one page")
    func links() {
        let url = "http://m/repos/o/r/releases"
        #expect(Pagination(perPage: "2", page: "1").linkHeader(count: 5, url: url)
            == "<\(url)?per_page=2&page=2>; rel=\"next\", <\(url)?per_page=2&page=3>; rel=\"last\"")
        #expect(Pagination(perPage: "2", page: "2").linkHeader(count: 5, url: url)
            == "<\(url)?per_page=2&page=1>; rel=\"prev\", <\(url)?per_page=2&page=3>; rel=\"next\", "
            + "<\(url)?per_page=2&page=3>; rel=\"last\", <\(url)?per_page=2&page=1>; rel=\"first\"")
        #expect(Pagination(perPage: "2", page: "3").linkHeader(count: 5, url: url)
            == "<\(url)?per_page=2&page=2>; rel=\"prev\", <\(url)?per_page=2&page=1>; rel=\"first\"")
        #expect(Pagination(perPage: nil, page: nil).linkHeader(count: 30, url: url) == nil)
        #expect(Pagination(perPage: nil, page: nil).linkHeader(count: 31, url: url)
            == "<\(url)?page=2>; rel=\"next\", <\(url)?page=2>; rel=\"last\"")
    }
}
