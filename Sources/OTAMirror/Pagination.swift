/// GitHub's list pagination: `per_page` (default 30, at most 100) and `page` (from 1) query
/// parameters, and a `Link` header with `prev`, `next`, `last` and `first` relations.
///
/// Values that are not positive integers fall back to the defaults, as GitHub does; a page after the
/// last one is an empty list. The `Link` header is left out when everything fits on one page.
struct Pagination: Equatable, Sendable {
    static let defaultPerPage = 30
    static let maximumPerPage = 100

    var perPage: Int
    var page: Int
    /// Whether the request named `per_page` (then the `Link` URLs repeat it).
    var explicitPerPage: Bool

    init(perPage: String?, page: String?) {
        let requested = perPage.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        self.perPage = min(requested ?? Self.defaultPerPage, Self.maximumPerPage)
        self.page = page.flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 1
        self.explicitPerPage = requested != nil
    }

    /// The elements of `items` on this page.
    func slice<T>(_ items: [T]) -> ArraySlice<T> {
        let (start, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        guard !overflow, start < items.count else { return [] }
        return items[start..<min(start + perPage, items.count)]
    }

    /// The `Link` header for `count` items listed at `url`, or `nil` when one page holds them all.
    func linkHeader(count: Int, url: String) -> String? {
        let lastPage = max(1, (count + perPage - 1) / perPage)
        guard lastPage > 1 else { return nil }
        func link(_ page: Int, _ relation: String) -> String {
            let query = explicitPerPage ? "per_page=\(perPage)&page=\(page)" : "page=\(page)"
            return "<\(url)?\(query)>; rel=\"\(relation)\""
        }
        var links: [String] = []
        if page > 1 { links.append(link(min(page - 1, lastPage), "prev")) }
        if page < lastPage { links.append(link(page + 1, "next")); links.append(link(lastPage, "last")) }
        if page > 1 { links.append(link(1, "first")) }
        return links.isEmpty ? nil : links.joined(separator: ", ")
    }
}
