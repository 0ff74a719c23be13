// The original design's `ota_demo.py --check / --update / --status`, and embedding the agent in a
// program, with the OTA library. Built by `swift build` (target `ota-example`), so it always compiles.
//
//   swift run ota-example --check  [--config config/ota_config.yaml]
//   swift run ota-example --update
//   swift run ota-example --status
//   swift run ota-example --embedded     # a "monitoring system" with the background checker inside
import Foundation
import Logging
import OTA
import ServiceLifecycle

/// A stand-in for the original `MonitoringSystem`: does its own work until asked to stop.
struct MonitoringSystem: Service {
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully {
            logger.info("monitoring: all sensors nominal")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(60)) }
        }
    }
}

@main
enum Example {
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        let configPath = arguments.firstIndex(of: "--config").flatMap { arguments.index(after: $0) < arguments.endIndex ? arguments[arguments.index(after: $0)] : nil }
            ?? OTAConfiguration.resolvePath(explicitPath: nil)
        do {
            let configuration = try OTAConfiguration.load(from: configPath)
            let updater = try OTAUpdater(configuration: configuration)
            defer { Task { await updater.shutdown() } }
            if arguments.contains("--check") {
                if let release = try await updater.checkForUpdates() {
                    print("Update available: \(release.version) (\(release.name ?? release.tag))")
                } else {
                    print("Up to date at \(try await updater.currentVersion())")
                }
            } else if arguments.contains("--update") {
                switch try await updater.update() {
                case .updated(let from, let to): print("Updated \(from) → \(to)")
                case .upToDate(let current): print("Up to date at \(current)")
                case .planned(_, let release, _): print("Would install \(release.version)")
                }
            } else if arguments.contains("--status") {
                print(try await updater.status().jsonString())
            } else if arguments.contains("--embedded") {
                let logger = Logger(label: "monitoring")
                let group = ServiceGroup(services: [MonitoringSystem(logger: logger), UpdateService(updater: updater, logger: logger)],
                                         gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
                try await group.run()
            } else {
                print("usage: ota-example --check | --update | --status | --embedded [--config PATH]")
            }
            await updater.shutdown()
        } catch {
            FileHandle.standardError.write(Data("error: \((error as? any OTAError)?.message ?? "\(error)")\n".utf8))
            exit(1)
        }
    }
}
