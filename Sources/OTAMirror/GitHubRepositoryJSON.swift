import Foundation
import OTA

/// The GitHub repository object (`GET /repos/O/R`) for a repository folder, with the fields
/// clients read: ids, names, `owner`, `private`/`visibility`, the API and web URLs, dates and the
/// counters and flags of an empty repository (no issues, forks, stars or wiki).
///
/// `created_at` is the oldest release's date (the folder's mtime without releases); `updated_at`
/// and `pushed_at` are the newest of the folder's mtime and the release dates.
struct GitHubRepositoryJSON: Encodable {
    var repository: CatalogRepository
    var urls: MirrorURLs
    var isPrivate: Bool

    init(_ repository: CatalogRepository, urls: MirrorURLs, isPrivate: Bool) {
        self.repository = repository
        self.urls = urls
        self.isPrivate = isPrivate
    }

    var id: Int { StableID.id(for: "repository:\(repository.owner)/\(repository.repo)") }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        let owner = repository.owner, repo = repository.repo
        let apiURL = urls.repository(owner, repo)
        let releaseDates = repository.releases.map(\.created)
        let created = releaseDates.min() ?? repository.modified
        let updated = GitHubDate.string(max(repository.modified, releaseDates.max() ?? repository.modified))
        let none: String? = nil
        var json = encoder.container(keyedBy: Key.self)
        func put(_ key: String, _ value: some Encodable) throws { try json.encode(value, forKey: Key(stringValue: key)) }
        try put("id", id)
        try put("node_id", GitHubDate.nodeID(type: "Repository", id: id))
        try put("name", repo)
        try put("full_name", owner + "/" + repo)
        try put("owner", GitHubJSON.User(login: owner, id: repository.ownerID, apiRoot: urls.api, webRoot: urls.web))
        try put("private", isPrivate)
        try put("visibility", isPrivate ? "private" : "public")
        try put("url", apiURL)
        try put("html_url", urls.repositoryPage(owner, repo))
        try put("releases_url", apiURL + "/releases{/id}")
        try put("description", none)
        try put("homepage", none)
        try put("language", none)
        try put("license", none)
        try put("mirror_url", none)
        try put("default_branch", "main")
        try put("topics", [String]())
        try put("created_at", GitHubDate.string(created))
        try put("updated_at", updated)
        try put("pushed_at", updated)
        for flag in ["fork", "archived", "disabled", "is_template", "has_issues", "has_projects", "has_wiki", "has_pages",
                     "has_discussions", "allow_forking", "web_commit_signoff_required"] {
            try put(flag, false)
        }
        try put("has_downloads", true)
        for counter in ["size", "stargazers_count", "watchers_count", "watchers", "forks_count", "forks", "open_issues_count",
                        "open_issues"] {
            try put(counter, 0)
        }
    }
}
