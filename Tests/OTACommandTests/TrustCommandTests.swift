import Foundation
import OTA
import OTATestSupport
import Testing

@Suite("ota update refuses unsigned releases; check shows verification and escapes server text", .serialized, .timeLimit(.minutes(10)))
struct TrustCommandTests {
    @Test("without public_key, update exits 1 naming allow_unsigned and changes nothing; with ota keygen/sign and public_key_file it installs")
    func unsignedThenSigned() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            let config = world.installDirectory + "/config/ota_config.yaml"
            let unsignedConfig = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(of: "allow_unsigned: true", with: "")
            try unsignedConfig.write(toFile: config, atomically: true, encoding: .utf8)
            let refused = try await CommandRunner.run(["update"], in: world.installDirectory)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("No public_key is configured") && refused.stderr.contains("allow_unsigned: true"))
            #expect(try String(contentsOfFile: world.installDirectory + "/VERSION", encoding: .utf8) == "1.0.0\n")

            let keys = world.directory.url("keys")
            try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
            #expect(try await CommandRunner.run(["keygen", "--output", keys + "/release.key"]).status == 0)
            let asset = world.directory.url("mirror/octo/app/v1.1.0/app-1.1.0.tar.gz")
            #expect(try await CommandRunner.run(["sign", "--key", keys + "/release.key", asset]).status == 0)
            try FileManager.default.copyItem(atPath: keys + "/release.pub", toPath: world.installDirectory + "/config/minisign.pub")
            try (unsignedConfig + "\npublic_key_file: config/minisign.pub\n").write(toFile: config, atomically: true, encoding: .utf8)
            let check = try await CommandRunner.run(["check", "--json"], in: world.installDirectory)
            let object = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as! [String: Any]
            #expect(object["verification"] as? String == "signed")
            let update = try await CommandRunner.run(["update"], in: world.installDirectory)
            #expect(update.status == 0, "\(update.stderr)")
            #expect(try String(contentsOfFile: world.installDirectory + "/VERSION", encoding: .utf8) == "1.1.0\n")
            let status = try await CommandRunner.run(["status"], in: world.installDirectory)
            #expect(status.stdout.contains("verification:     signed"))
        }
    }

    @Test("ota check escapes an ESC sequence in a release's name and notes instead of printing it raw")
    func escapesControlCharacters() async throws {
        let world = try MirrorWorld()
        try world.publish("v1.1.0", app: "echo 1.1.0\n")
        let release = ["name": "Fix\u{1B}[2K\u{1B}[1Aup to date\u{7}", "body": "notes \u{1B}]0;owned\u{7} \u{9B}31m"]
        try JSONSerialization.data(withJSONObject: release).write(to: URL(fileURLWithPath: world.directory.url("mirror/octo/app/v1.1.0/release.json")))
        try await world.withMirror { api in
            try world.writeConfig(api: api)
            let check = try await CommandRunner.run(["check"], in: world.installDirectory)
            #expect(check.status == 100, "\(check.stderr)")
            #expect(!check.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
            #expect(check.stdout.contains(#""Fix\u{1B}[2K\u{1B}[1Aup to date\u{7}""#))
            #expect(check.stdout.contains(#"notes \u{1B}]0;owned\u{7} \u{9B}31m"#))
            let json = try await CommandRunner.run(["check", "--json"], in: world.installDirectory)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
            #expect((object["release"] as? [String: Any])?["name"] as? String == release["name"])
            #expect(!json.stdout.unicodeScalars.contains { $0.value == 0x1B })
        }
    }
}
