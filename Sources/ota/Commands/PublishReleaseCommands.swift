import ArgumentParser
import Foundation
import OTA

/// `ota publish add`.
struct PublishAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Publish a release for one platform: each ARCHIVE becomes the target PRODUCT/VERSION/FILE."
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption
    @Option(name: .long, help: ArgumentHelp("The release's SemVer version (e.g. 1.2.0).", valueName: "v"))
    var version: String
    @Option(name: .long, help: ArgumentHelp("The platform it is for (e.g. linux-aarch64, or any).", valueName: "p"))
    var platform: String
    @Option(name: .long, help: ArgumentHelp("A channel that offers it (repeatable; default stable).", valueName: "c"))
    var channel: [String] = []
    @Option(name: .long, help: ArgumentHelp("Share of devices offered it, 0–100 (default 100).", valueName: "percent"))
    var rollout = 100
    @Option(name: .long, help: ArgumentHelp("Release notes.", valueName: "text"))
    var notes = ""
    @Option(name: .customLong("patch-from"), help: ArgumentHelp("Make delta patches from this published version (repeatable; default the previous release of the platform).", valueName: "v"))
    var patchFrom: [String] = []
    @Flag(name: .customLong("no-patches"), help: "Make no delta patches (objects only).")
    var noPatches = false
    @OptionGroup var keys: PublishCommand.KeysOption
    @Argument(help: ArgumentHelp("The release's files.", valueName: "archive"))
    var archives: [String]

    func validate() throws {
        if noPatches && !patchFrom.isEmpty { throw ValidationError("--no-patches and --patch-from exclude each other.") }
    }

    func run() throws {
        let added = try PublishCommand.publisher(repository, keys).add(
            version: version, platform: platform, channels: channel.isEmpty ? ["stable"] : channel,
            rolloutPercent: rollout, notes: notes, patchFrom: noPatches ? [] : patchFrom.isEmpty ? nil : patchFrom, archives: archives)
        print("Published \(version) for \(platform): \(added.joined(separator: ", ")).")
    }
}

/// `ota publish rollout`.
struct PublishRolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Change a release's staged rollout (all its platforms): a fixed percent, a ramp, halt or resume.",
        discussion: """
            --percent N offers the release to N % of devices (ends a ramp). --ramp HOURS ramps linearly from 0 % at \
            --start (default: now) to 100 % HOURS later, capped at --percent when given. A device is inside when its \
            bucket, from SHA-256(device_id:version), falls below the share; raising the share keeps every device that \
            was inside. --halt stops offering it (devices that installed it keep it); --resume lifts the halt.
            """
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption
    @Argument(help: "The release's version.") var version: String
    @Option(name: .long, help: ArgumentHelp("Offer it to this share of devices, 0–100 (ends a ramp; with --ramp, the ramp's cap).", valueName: "n"))
    var percent: Int?
    @Option(name: .long, help: ArgumentHelp("Ramp from 0 % at --start to 100 % over this many hours.", valueName: "hours"))
    var ramp: Int?
    @Option(name: .long, help: ArgumentHelp("With --ramp: when the ramp starts, ISO 8601 (2026-12-01T10:00:00Z); default now.", valueName: "time"))
    var start: String?
    @Flag(name: .long, help: "Stop offering it.") var halt = false
    @Flag(name: .long, help: "Offer it again after a halt.") var resume = false
    @OptionGroup var keys: PublishCommand.KeysOption

    func validate() throws {
        let chosen = [ramp == nil && percent != nil, ramp != nil, halt, resume].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("Pass exactly one of --percent N, --ramp HOURS [--start TIME] [--percent N], --halt or --resume.") }
        if start != nil && ramp == nil { throw ValidationError("--start sets when a ramp begins; pass it with --ramp HOURS.") }
    }

    func run() throws {
        let change: TUFRolloutChange
        if let ramp {
            let startDate = try start.map { text throws in
                guard let date = UTCTime.date(iso8601: text) else {
                    throw CommandFailure("--start '\(text)' is not an ISO 8601 time; write the ramp's start as 2026-12-01T10:00:00Z (UTC)")
                }
                return date
            }
            change = .ramp(hours: ramp, start: startDate, percent: percent ?? 100)
        } else if let percent {
            change = .percent(percent)
        } else {
            change = halt ? .halt : .resume
        }
        let publisher = try PublishCommand.publisher(repository, keys)
        try publisher.rollout(version: version, change)
        // The rollout as signed, with the start a ramp without --start took (now).
        let signed = try publisher.status().filter { SemanticVersion($0.info.version) == SemanticVersion(version) }
        let rollouts = Array(Set(signed.map { PublishStatusCommand.describe($0.info.rollout) })).sorted()
        print("Rollout of \(version) updated: \(rollouts.joined(separator: "; ")).")
    }
}

/// `ota publish yank`.
struct PublishYankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yank",
        abstract: "Withdraw a release: devices running it move to the newest release that is not yanked, even an older one."
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption
    @Argument(help: "The release's version.") var version: String
    @OptionGroup var keys: PublishCommand.KeysOption

    func run() throws {
        let changed = try PublishCommand.publisher(repository, keys).yank(version: version)
        print(changed ? "Yanked \(version)." : "\(version) was already yanked; nothing changed.")
    }
}

/// `ota publish status`.
struct PublishStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List the published releases with their rollout now, and when each role's metadata expires.",
        discussion: """
            Each release shows its rollout's effective percent now. With --device-ids FILE (one device id per line, \
            as devices use them: device_id or /etc/machine-id), it also shows how many of those devices its rollout \
            reaches now, by the rule devices apply (platforms and channels aside).
            """
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption
    @Option(name: .customLong("device-ids"), help: ArgumentHelp("A file of device ids, one per line: show the share each rollout reaches.", valueName: "file"))
    var deviceIDs: String?

    func run() throws {
        let publisher = try TUFPublisher(repository: repository.repo, keys: nil)
        let ids = try deviceIDs.map(Self.readDeviceIDs)
        let now = Date()
        let releases = try publisher.status()
        if releases.isEmpty { print("No releases published.") }
        for release in releases {
            let info = release.info
            var line = "\(info.version)  \(info.platform)  channels \(info.channels.joined(separator: ","))  rollout \(Self.describe(info.rollout))"
            if info.yanked { line += "  yanked" }
            line += "  now \(RolloutPercent.text(release.effectivePercent(at: now)))"
            if let ids {
                let reached = release.reached(ids, at: now).count
                line += "  reaches \(reached) of \(ids.count) devices (\(RolloutPercent.text(Double(reached) * 100 / Double(ids.count))))"
            }
            line += "  published \(info.publishedAt.map(UTCTime.iso8601) ?? "unknown")  \(release.targets.count) file\(release.targets.count == 1 ? "" : "s")"
            print(line)
        }
        for (role, version, expires) in try publisher.expiries() {
            print("\(role.rawValue) version \(version) expires \(UTCTime.iso8601(expires))")
        }
    }

    /// `25%`, `100% (ramp from … over 48h)`, `… halted`.
    static func describe(_ rollout: TUFRollout?) -> String {
        guard let rollout else { return "100%" }
        var text = "\(rollout.percent ?? 100)%"
        if let start = rollout.start {
            text += rollout.rampHours.map { " (ramp from \(UTCTime.iso8601(start)) over \($0)h)" } ?? " (from \(UTCTime.iso8601(start)))"
        }
        if rollout.halted { text += "  halted" }
        return text
    }

    /// The device ids in `path`: one per line, surrounding white space and blank lines ignored.
    static func readDeviceIDs(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read --device-ids \(path); pass a readable file with one device id per line")
        }
        let ids = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw CommandFailure("--device-ids \(path) lists no device id; put one device id per line") }
        return ids
    }
}
