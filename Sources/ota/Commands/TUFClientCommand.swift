import ArgumentParser
import Foundation
import Logging
import OTA

/// `ota tuf-client`: the TUF client on its own, for interoperability testing; no configuration file.
struct TUFClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuf-client",
        abstract: "The TUF client on its own, for interoperability testing: init, refresh, download.",
        discussion: """
            ota tuf-client --metadata-dir D init ROOT
            ota tuf-client --metadata-dir D --metadata-url U refresh
            ota tuf-client --metadata-dir D --metadata-url U --target-name P [--target-name P2 ...] --target-base-url U --target-dir D download

            The trusted metadata is kept in the metadata folder under unversioned names (root.json, \
            timestamp.json, ...). init trusts ROOT as the initial root; refresh runs the TUF client workflow; \
            download refreshes, then fetches each target in order into the target folder under its path \
            percent-encoded, stopping at the first failure; a target already there with the signed hashes \
            is not fetched again. Exit status: 0 success, 1 any failure.
            """
    )

    enum Verb: String, ExpressibleByArgument, CaseIterable {
        case `init`, refresh, download
    }

    @Option(name: .customLong("metadata-dir"), help: ArgumentHelp("Folder of the trusted metadata.", valueName: "dir"))
    var metadataDir: String

    @Option(name: .customLong("metadata-url"), help: ArgumentHelp("Base URL of the repository's metadata.", valueName: "url"))
    var metadataURL: String?

    @Option(name: .customLong("target-name"), help: ArgumentHelp("Target path to download (repeatable; in order).", valueName: "path"))
    var targetName: [String] = []

    @Option(name: .customLong("target-base-url"), help: ArgumentHelp("Base URL of the repository's targets.", valueName: "url"))
    var targetBaseURL: String?

    @Option(name: .customLong("target-dir"), help: ArgumentHelp("Folder the targets are downloaded into.", valueName: "dir"))
    var targetDir: String?

    @Flag(name: .long, help: "Log debug details.")
    var verbose = false

    @Argument(help: ArgumentHelp("init, refresh or download.", valueName: "verb"))
    var verb: Verb

    @Argument(help: ArgumentHelp("The initial root.json (init only).", valueName: "ROOT"))
    var root: String?

    func validate() throws {
        func require(_ value: Any?, _ option: String) throws {
            if value == nil { throw ValidationError("\(verb.rawValue) needs \(option).") }
        }
        switch verb {
        case .`init`:
            try require(root, "the initial root.json (ota tuf-client --metadata-dir D init ROOT)")
        case .refresh:
            try require(metadataURL, "--metadata-url")
        case .download:
            try require(metadataURL, "--metadata-url")
            try require(targetBaseURL, "--target-base-url")
            try require(targetDir, "--target-dir")
            if targetName.isEmpty { throw ValidationError("download needs at least one --target-name.") }
        }
        if verb != .`init`, root != nil { throw ValidationError("only init takes a root.json argument.") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in AgentLogHandler(label: label, logLevel: verbose ? .debug : .warning) }
        let client = TUFClient(metadataDirectory: metadataDir, metadataURL: try url(metadataURL ?? "http://127.0.0.1/", "--metadata-url"),
                               targetBaseURL: try targetBaseURL.map { try url($0, "--target-base-url") }, logger: Logger(label: "ota.tuf"))
        do {
            try await perform(client)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func perform(_ client: TUFClient) async throws {
        switch verb {
        case .`init`:
            guard let root, let data = FileManager.default.contents(atPath: root) else {
                throw CommandFailure("cannot read the root metadata \(root ?? ""); check the path")
            }
            // Under the refresh lock: an agent refreshing the same directory meanwhile must not have its
            // rotated root replaced half-way through.
            try await client.exclusively { try client.storeInitialRoot(data) }
            print("trusted \(root) as the initial root in \(metadataDir)")
        case .refresh:
            let trust = try await client.refresh()
            print("refreshed: root \(trust.root.header.version), timestamp \(trust.timestamp?.header.version ?? 0), snapshot \(trust.snapshot?.header.version ?? 0), targets \(trust.targets?.header.version ?? 0)")
        case .download:
            try await client.refresh { trust in
                for name in targetName {
                    guard let (target, role) = try await client.target(name, in: &trust) else {
                        throw CommandFailure("the TUF repository has no target \(name) that this client trusts; check the name")
                    }
                    switch try await client.download(target, role: role, consistentSnapshot: trust.root.consistentSnapshot, into: targetDir ?? ".") {
                    case .downloaded(let path): print("downloaded \(name) -> \(path)")
                    case .alreadyPresent(let path): print("\(name) is already at \(path)")
                    }
                }
            }
        }
    }

    private func url(_ text: String, _ option: String) throws -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw ValidationError("\(option) must be an http(s) URL, got '\(text)'.")
        }
        return url
    }
}
