import Foundation
import OTATestSupport
import Testing

@Suite("ota inhibit", .serialized, .timeLimit(.minutes(10)))
struct InhibitCommandTests {
    @Test("inhibit, --list (text and JSON), --release ID; bad --for and unknown ids are clear errors")
    func lifecycle() async throws {
        let world = try MirrorWorld()
        try world.writeConfig(api: "http://127.0.0.1:9", extra: "maintenance_window: [\"Mon-Fri 02:00-04:00\"]")
        let install = world.installDirectory
        let added = try await CommandRunner.run(["inhibit", "--reason", "kiosk demo", "--for", "2h"], in: install)
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(added.stdout.firstMatch(of: /id ([0-9a-f]{8})/)?.1).description
        #expect(added.stdout.contains("installs are inhibited: 'kiosk demo' (id \(id), until 20"))

        let list = try await CommandRunner.run(["inhibit", "--list"], in: install)
        #expect(list.status == 0 && list.stdout.contains(id) && list.stdout.contains("kiosk demo"), "\(list.stdout)\(list.stderr)")
        let json = try await CommandRunner.run(["inhibit", "--list", "--json"], in: install)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let inhibited = try #require(object["inhibited"] as? [[String: Any]])
        #expect(inhibited.count == 1 && inhibited[0]["id"] as? String == id && inhibited[0]["reason"] as? String == "kiosk demo")
        #expect((object["application_lock"] as? [String: Any])?["held"] as? Bool == false)
        #expect((object["maintenance_window"] as? [String: Any])?["configured"] as? Bool == true)

        let nonsense = try await CommandRunner.run(["inhibit", "--for", "soon"], in: install)
        #expect(nonsense.status == 1)
        #expect(nonsense.stderr.contains("error: --for 'soon' is not a duration; write a duration such as 90s, 15m, 2h or 1d"), "\(nonsense.stderr)")
        let unknown = try await CommandRunner.run(["inhibit", "--release", "deadbeef"], in: install)
        #expect(unknown.status == 1 && unknown.stderr.contains("no active inhibit has the id 'deadbeef'; active: \(id)"), "\(unknown.stderr)")
        let mixed = try await CommandRunner.run(["inhibit", "--release", "--reason", "x"], in: install)
        #expect(mixed.status == 64)

        let released = try await CommandRunner.run(["inhibit", "--release", id], in: install)
        #expect(released.status == 0 && released.stdout.contains("released 'kiosk demo' (id \(id)"), "\(released.stderr)")
        let empty = try await CommandRunner.run(["inhibit", "--list", "--json"], in: install)
        #expect(empty.stdout.contains("\"inhibited\":[]"), "\(empty.stdout)")
    }

    @Test("ota update exits 1 naming the inhibit and installs nothing; --force installs; the record survives until released")
    func updateHeld() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            let install = world.installDirectory
            let added = try await CommandRunner.run(["inhibit", "--reason", "calibrating"], in: install)
            #expect(added.status == 0, "\(added.stderr)")
            let held = try await CommandRunner.run(["update"], in: install)
            #expect(held.status == 1)
            #expect(held.stderr.contains("error: 1.1.0 was downloaded but not installed: inhibited by 'calibrating'"), "\(held.stderr)")
            #expect(try world.directory.read("install/VERSION") == "1.0.0\n")
            let forced = try await CommandRunner.run(["update", "--force"], in: install)
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(try world.directory.read("install/VERSION") == "1.1.0\n")
            let list = try await CommandRunner.run(["inhibit", "--list"], in: install)
            #expect(list.stdout.contains("calibrating"))
        }
    }
}
