import Foundation
import Logging
import OTA

extension DemoCommand {
    /// Shows an inhibit holding an install back: `ota update` downloads and verifies, then installs
    /// nothing and says why. Returns the inhibit, still in place.
    static func showInhibit(_ updater: OTAUpdater, configuration: OTAConfiguration) async throws -> Inhibit {
        let inhibits = InhibitStore(directory: StateDirectory(installation: configuration.installation))
        let inhibit = try inhibits.add(reason: "kiosk in use", seconds: 900)
        print("    first with an inhibit in place (ota inhibit --reason \"kiosk in use\" --for 15m): id \(inhibit.id)")
        do {
            _ = try await updater.update()
            print("    unexpected: the update was installed while inhibited")
        } catch let held as InstallHeldError {
            print("    ota update exits 1: \(held.message)")
        }
        return inhibit
    }

    /// The agent's way (`ota run`): its update waits at the inhibit instead of refusing, while its status
    /// API answers on `status_socket`; `GET /v1/status` shows what it waits for, and once the inhibit is
    /// released the install goes through. Prints the states the agent went through (`GET /v1/events`).
    static func updateThroughAgent(_ updater: OTAUpdater, configuration: OTAConfiguration, inhibit: Inhibit) async throws -> UpdateOutcome {
        guard let socket = configuration.statusSocketPath else { return try await updater.update() }
        let quiet = Logger(label: "ota.demo.status-api", factory: { _ in SwiftLogNoOpLogHandler() })
        let server = try await StatusServer.bind(path: socket, updater: updater, requests: nil, metrics: AgentMetrics(), logger: quiet)
        print("    now as the agent (ota run) does it: it waits instead of refusing; its status API listens on \(socket)")
        var events = updater.activity.events().makeAsyncIterator()
        var states: [String] = []
        return try await withThrowingTaskGroup(of: UpdateOutcome?.self) { group in
            group.addTask { await server.run(); return nil }
            group.addTask {
                try await updater.update(whenHeld: InstallGate.Policy(waits: true, recheckInterval: .milliseconds(100)))
            }
            while let event = await events.next() {
                states.append(event.state.rawValue)
                if event.state == .idle, event.message?.hasPrefix("waiting to install") == true { break }
            }
            let waiting = try await StatusClient(path: socket).statusInBackground()
            print("    curl --unix-socket \(socket) http://localhost/v1/status  →  state \(waiting.state?.rawValue ?? "?"): \(waiting.message ?? "")")
            try InhibitStore(directory: StateDirectory(installation: configuration.installation)).release(id: inhibit.id)
            print("    released (ota inhibit --release \(inhibit.id)): the agent takes the update lock back and installs")
            while let event = await events.next() {
                states.append(event.state.rawValue)
                if event.state == .idle { break }
            }
            var outcome: UpdateOutcome?
            while outcome == nil, let next = try await group.next() { outcome = next }
            let after = try? await StatusClient(path: socket).statusInBackground()
            group.cancelAll()
            print("    its events (what GET /v1/events streams): \(Self.collapsed(states).joined(separator: " → "))")
            if let after { print("    GET /v1/status now: state \(after.state?.rawValue ?? "?"), current version \(after.currentVersion)") }
            guard let outcome else { throw CancellationError() }
            return outcome
        }
    }

    /// `states` with repeats in a row left out.
    static func collapsed(_ states: [String]) -> [String] {
        states.reduce(into: []) { result, state in if result.last != state { result.append(state) } }
    }
}
