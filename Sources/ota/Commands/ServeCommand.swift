import ArgumentParser
import Foundation
import Logging
import OTA
import OTAMirror

/// `ota serve`: serves a directory of releases as a GitHub-compatible API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a directory of releases as a GitHub-compatible release API (a LAN mirror).",
        discussion: """
            Layout: ROOT/OWNER/REPO/TAG/ per release, with an optional release.json \
            ({"name","body","prerelease","draft","published_at"}), an optional source.tar.gz (the tarball) \
            and any other file as an asset. Point devices at it with github_api_url: the URL printed on start.

            To require a token without showing it in `ps`, set OTA_SERVE_TOKEN in the environment instead \
            of passing --token. Clients then send `Authorization: Bearer <token>`.

            Connections that send no complete request head within --header-timeout, or no new request \
            within --idle-timeout after a response, are closed; a client (IP address) holding \
            --max-connections-per-client connections gets further ones closed at once.

            With --tuf DIR instead of --root, the folder is served as static files (ETag, Range) for devices \
            with source: tuf and tuf_url: the URL printed on start; hidden files, `..` and symlinks leading \
            outside DIR are refused.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Directory to serve (ROOT/OWNER/REPO/TAG/…).", valueName: "dir"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Serve this TUF repository (made by ota publish) as static files instead.", valueName: "dir"))
    var tuf: String?

    @Option(name: .long, help: ArgumentHelp("Address to listen on; 0.0.0.0 serves the LAN.", valueName: "host"))
    var host = "127.0.0.1"

    @Option(name: .long, help: ArgumentHelp("TCP port (0 = any free port).", valueName: "port"))
    var port = 8080

    @Option(name: .long, help: ArgumentHelp("Require this bearer token (prefer $OTA_SERVE_TOKEN: arguments are visible in ps).",
                                            valueName: "token"))
    var token: String?

    @Option(name: .long, help: ArgumentHelp("Prefix for the API paths, e.g. /api/v3 to look like GitHub Enterprise.", valueName: "path"))
    var pathPrefix = ""

    @Option(name: .long, help: ArgumentHelp("Base URL written into answers (default: from the request's Host header).",
                                            valueName: "url"))
    var publicURL: String?

    @Option(name: .long, help: ArgumentHelp("Seconds a client may take to send a complete request head.", valueName: "seconds"))
    var headerTimeout = 10.0

    @Option(name: .long, help: ArgumentHelp("Seconds a kept-alive connection may wait for its next request.", valueName: "seconds"))
    var idleTimeout = 60.0

    @Option(name: .long, help: ArgumentHelp("Connections one client (IP address) may hold open at once.", valueName: "count"))
    var maxConnectionsPerClient = 32

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (root == nil) != (tuf == nil) else {
            throw ValidationError("Pass exactly one of --root DIR (a release mirror) or --tuf DIR (a TUF repository).")
        }
        for (option, seconds) in [("--header-timeout", headerTimeout), ("--idle-timeout", idleTimeout)]
        where !(seconds > 0 && seconds <= 86_400) {
            throw ValidationError("\(option) must be a number of seconds greater than 0 and at most 86400.")
        }
        if maxConnectionsPerClient < 1 {
            throw ValidationError("--max-connections-per-client must be at least 1.")
        }
    }

    func run() async throws {
        global.bootstrapLogging()
        let environmentToken = ProcessInfo.processInfo.environment["OTA_SERVE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let configuration = OTAMirror.Configuration(
            host: host, port: port, token: token ?? environmentToken, publicBaseURL: publicURL, pathPrefix: tuf == nil ? pathPrefix : "",
            requestHeaderTimeout: .seconds(headerTimeout), idleTimeout: .seconds(idleTimeout),
            maxConnectionsPerClient: maxConnectionsPerClient, logger: Logger(label: "ota.serve"))
        let mirror = if let tuf { try OTAMirror(staticRoot: tuf, configuration: configuration) }
            else { try OTAMirror(root: root ?? "", configuration: configuration) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await mirror.runService() }
            tasks.addTask {
                let url = try await mirror.apiURL()
                var lines = "Serving \(mirror.root) on \(host):\(try await mirror.port())\n"
                lines += tuf == nil ? "github_api_url: \(url)\n" : "tuf_url: \(url)\n"
                if mirror.configuration.token != nil { lines += "A token is required (Authorization: Bearer …).\n" }
                FileHandle.standardOutput.write(Data(lines.utf8))
            }
            try await tasks.waitForAll()
        }
    }
}
