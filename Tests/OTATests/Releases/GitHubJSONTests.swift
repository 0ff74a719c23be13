import Foundation
import Testing
@testable import OTA

/// The recorded GitHub release in `Tests/Fixtures/github_release.json` (GitHub's documented example shape).
enum GitHubFixture {
    static var releaseJSON: Data {
        get throws {
            let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            return try Data(contentsOf: tests.appendingPathComponent("Fixtures/github_release.json"))
        }
    }
}

@Suite("GitHub JSON")
struct GitHubJSONTests {
    @Test("a recorded GitHub release decodes, nullable fields included")
    func decodesRecordedRelease() throws {
        let release = try JSONDecoder().decode(GitHubJSON.Release.self, from: GitHubFixture.releaseJSON)
        #expect(release.tagName == "v1.2.0")
        #expect(release.assets.count == 2)
        #expect(release.assets[0].size == 40)
        #expect(release.assets[0].digest == "sha256:41dc8869d41909459f2c1435fd3e591a9b2fd3f34ae16c451b50373bdbe98e2d")
        #expect(release.assets[1].digest == nil)
        #expect(release.author.login == "octocat")
    }

    @Test("encoding gives back exactly GitHub's field names and values")
    func roundTrip() throws {
        let original = try JSONSerialization.jsonObject(with: GitHubFixture.releaseJSON) as! NSDictionary
        let release = try JSONDecoder().decode(GitHubJSON.Release.self, from: GitHubFixture.releaseJSON)
        let reencoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(release)) as! NSDictionary
        #expect(reencoded == original)
        #expect((reencoded.allKeys as! [String]).sorted() == (original.allKeys as! [String]).sorted())
        let asset = (reencoded["assets"] as! [NSDictionary])[1], originalAsset = (original["assets"] as! [NSDictionary])[1]
        #expect((asset.allKeys as! [String]).sorted() == (originalAsset.allKeys as! [String]).sorted())
        #expect(asset["digest"] is NSNull && asset["label"] as? String == originalAsset["label"] as? String)
        let changed = original.mutableCopy() as! NSMutableDictionary
        changed["draft"] = true
        #expect(reencoded != changed)
    }
}
