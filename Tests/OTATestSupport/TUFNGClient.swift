import Foundation

/// Runs `scripts/tuf-ngclient.py`: python-tuf's `ngclient.Updater` reading a repository over HTTP, and
/// the boto3 upload of a folder to an S3 API. Missing python-tuf or boto3 fails with how to install them.
public enum TUFNGClient {
    public static let installHint = "python-tuf or boto3 is not installed for python3: run `python3 -m pip install 'tuf>=6' 'securesystemslib[crypto]' 'moto[server]' boto3` (CI does this in .ci/run)"

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/tuf-ngclient.py").path
    }

    /// What one python-tuf refresh found.
    public struct Refresh: Sendable {
        public let rootVersion: Int
        public let timestampVersion: Int
        /// Per target asked for: its `custom.ota`, signed length and the SHA-256 of the downloaded file; `nil` when not found.
        public let targets: [String: Target?]

        public struct Target: Sendable, Equatable {
            /// `custom.ota` as python-tuf read it.
            public let customOTA: CustomOTA
            public let length: Int
            public let sha256: String
        }
    }

    /// A target's `custom.ota`, decoded field by field as devices read it.
    public struct CustomOTA: Decodable, Sendable, Equatable {
        public struct Rollout: Decodable, Sendable, Equatable {
            public let id: String
            public let percent: Int
            public let start: String?
            public let rampHours: Int?
            public let halted: Bool

            enum CodingKeys: String, CodingKey {
                case id, percent, start, halted
                case rampHours = "ramp_hours"
            }

            public init(id: String, percent: Int, start: String?, rampHours: Int?, halted: Bool) {
                self.id = id
                self.percent = percent
                self.start = start
                self.rampHours = rampHours
                self.halted = halted
            }
        }

        public let version: String
        public let platform: String
        public let channels: [String]
        public let publishedAt: String
        public let notes: String
        public let rollout: Rollout
        public let yanked: Bool
        public let index: String?

        enum CodingKeys: String, CodingKey {
            case version, platform, channels, notes, rollout, yanked, index
            case publishedAt = "published_at"
        }

        public init(version: String, platform: String, channels: [String], publishedAt: String, notes: String, rollout: Rollout,
                    yanked: Bool, index: String?) {
            self.version = version
            self.platform = platform
            self.channels = channels
            self.publishedAt = publishedAt
            self.notes = notes
            self.rollout = rollout
            self.yanked = yanked
            self.index = index
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Refreshes from `metadataURL` with the trusted metadata in `clientDirectory` (seeded from `root`)
    /// and downloads `targets` from `targetsURL`; throws with python's error when the client refuses.
    public static func refresh(root: String, clientDirectory: String, metadataURL: String, targetsURL: String,
                               targets: [String]) throws -> Refresh {
        let output = try run(["download", "--root", root, "--client-dir", clientDirectory, "--metadata-url", metadataURL,
                              "--targets-url", targetsURL] + targets)
        guard let json = try JSONSerialization.jsonObject(with: output) as? [String: Any],
              let rootVersion = json["root_version"] as? Int, let timestampVersion = json["timestamp_version"] as? Int,
              let found = json["targets"] as? [String: Any] else {
            throw Failure(description: "tuf-ngclient.py printed unexpected output: \(String(decoding: output, as: UTF8.self))")
        }
        var result: [String: Refresh.Target?] = [:]
        for (name, value) in found {
            guard let entry = value as? [String: Any] else {
                result[name] = .some(nil)
                continue
            }
            let custom = (entry["custom"] as? [String: Any])?["ota"] ?? [:]
            let customOTA = try JSONDecoder().decode(CustomOTA.self, from: JSONSerialization.data(withJSONObject: custom))
            result[name] = Refresh.Target(customOTA: customOTA, length: entry["length"] as? Int ?? -1,
                                          sha256: entry["sha256"] as? String ?? "")
        }
        return Refresh(rootVersion: rootVersion, timestampVersion: timestampVersion, targets: result)
    }

    /// Uploads every file under `directory` to `bucket` (created if needed) of the S3 API at `endpoint`.
    public static func uploadToS3(endpoint: String, bucket: String, directory: String) throws {
        _ = try run(["s3-upload", "--endpoint", endpoint, "--bucket", bucket, directory])
    }

    private static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Standard error is read on another thread so that neither pipe can fill up and block python.
        let errors = ErrorCollector(stderr.fileHandleForReading)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = errors.finish()
        guard process.terminationStatus == 0 else {
            let hint = message.contains("ModuleNotFoundError") ? "\(installHint)\n" : ""
            throw Failure(description: "\(hint)tuf-ngclient.py \(arguments.first ?? "") failed: \(message)")
        }
        return output
    }

    private final class ErrorCollector: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }.start()
        }

        func finish() -> String {
            done.wait()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
