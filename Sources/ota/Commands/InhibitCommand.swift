import ArgumentParser
import Foundation
import OTA

/// `ota inhibit`: hold installs back (not checks or downloads) until released or expired.
struct InhibitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inhibit",
        abstract: "Hold installs back (checks and downloads go on) until released or expired; survives a reboot.",
        discussion: "Without --release or --list: add an inhibit (--for 90s, 15m, 2h, 1d; default: until released). --release [ID]: release one inhibit, or all of them. --list: show what holds installs back now. An application may also hold installs back with a shared flock on state_dir/inhibit.lock. 'ota update --force' installs regardless."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: ArgumentHelp("Why installs are held back (shown by --list, ota update and the agent).", valueName: "R"))
    var reason: String?

    @Option(name: .customLong("for"), help: ArgumentHelp("Expire after this long: 90s, 15m, 2h, 1d (default: until released).", valueName: "DURATION"))
    var duration: String?

    @Flag(name: .long, help: "Release the inhibit ID, or every inhibit without an ID.")
    var release = false

    @Flag(name: .long, help: "List the inhibits, the application lock and the maintenance window.")
    var list = false

    @Flag(name: .long, help: "With --list: print one JSON object.")
    var json = false

    @Argument(help: ArgumentHelp("The inhibit to release (with --release).", valueName: "ID"))
    var id: String?

    func validate() throws {
        if release && list { throw ValidationError("--release and --list cannot be used together.") }
        if (release || list) && (reason != nil || duration != nil) {
            throw ValidationError("--reason and --for add an inhibit; they cannot be used with --release or --list.")
        }
        if id != nil && !release { throw ValidationError("an inhibit ID is only taken by --release (ota inhibit --release ID).") }
        if json && !list { throw ValidationError("--json goes with --list.") }
    }

    func run() async throws {
        global.bootstrapLogging()
        let seconds = try duration.map { text throws in try InhibitDuration.seconds(parsing: text) }
        let configuration = try global.loadConfiguration()
        let directory = StateDirectory(installation: configuration.installation)
        try directory.checkTrust()
        let store = InhibitStore(directory: directory)
        if list {
            try printList(InstallGate(directory: directory, schedule: configuration.schedule.maintenance), store: store)
        } else if release {
            let released = try store.release(id: id)
            print(released.isEmpty ? "nothing was inhibited" : released.map { "released \($0.summary)" }.joined(separator: "\n"))
        } else {
            let inhibit = try store.add(reason: reason, seconds: seconds)
            print("installs are inhibited: \(inhibit.summary); release with 'ota inhibit --release \(inhibit.id)'")
        }
    }

    private func printList(_ gate: InstallGate, store: InhibitStore) throws {
        let holds = try gate.holds()
        let inhibits = try store.active()
        var lock: InhibitLock.Holders?
        var nextOpening: Date?
        for hold in holds {
            if case .applicationLock(let holders, _) = hold { lock = holders }
            if case .outsideMaintenanceWindow(let opening) = hold { nextOpening = opening }
        }
        if json {
            try printJSON(inhibits: inhibits, lock: lock, nextOpening: nextOpening, hasWindows: !gate.schedule.windows.isEmpty)
            return
        }
        for inhibit in inhibits {
            print("\(inhibit.id)  \(inhibit.until.map(UTCTime.iso8601) ?? "until released")  \(inhibit.reason ?? "-")")
        }
        for hold in holds {
            if case .inhibited = hold { continue }
            print(hold.summary)
        }
        if holds.isEmpty { print("nothing holds installs back") }
    }

    private func printJSON(inhibits: [Inhibit], lock: InhibitLock.Holders?, nextOpening: Date?, hasWindows: Bool) throws {
        func orNull(_ text: String?) -> Any { text ?? NSNull() }
        let object: [String: Any] = [
            "inhibited": inhibits.map { ["id": $0.id, "reason": orNull($0.reason), "until": orNull($0.until.map(UTCTime.iso8601)),
                                         "created_at": UTCTime.iso8601($0.createdAt)] },
            "application_lock": ["held": lock != nil, "pids": lock?.pids.map(Int.init) ?? []],
            "maintenance_window": ["configured": hasWindows, "open": nextOpening == nil,
                                   "next_opening": orNull(nextOpening.map(UTCTime.iso8601))],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
