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
    @OptionGroup var keys: PublishCommand.KeysOption
    @Argument(help: ArgumentHelp("The release's files.", valueName: "archive"))
    var archives: [String]

    func run() throws {
        let added = try PublishCommand.publisher(repository, keys).add(
            version: version, platform: platform, channels: channel.isEmpty ? ["stable"] : channel,
            rolloutPercent: rollout, notes: notes, archives: archives)
        print("Published \(version) for \(platform): \(added.joined(separator: ", ")).")
    }
}

/// `ota publish rollout`.
struct PublishRolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Change a release's staged rollout (all its platforms): a fixed percent, a ramp, halt or resume."
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption
    @Argument(help: "The release's version.") var version: String
    @Option(name: .long, help: ArgumentHelp("Offer it to this share of devices, 0–100 (ends a ramp).", valueName: "n"))
    var percent: Int?
    @Option(name: .long, help: ArgumentHelp("Ramp from 0 % now to 100 % over this many hours.", valueName: "hours"))
    var ramp: Int?
    @Flag(name: .long, help: "Stop offering it.") var halt = false
    @Flag(name: .long, help: "Offer it again after a halt.") var resume = false
    @OptionGroup var keys: PublishCommand.KeysOption

    func validate() throws {
        let chosen = [percent != nil, ramp != nil, halt, resume].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("Pass exactly one of --percent N, --ramp HOURS, --halt or --resume.") }
    }

    func run() throws {
        let change: TUFRolloutChange = if let percent { .percent(percent) } else if let ramp { .ramp(hours: ramp) } else if halt { .halt } else { .resume }
        try PublishCommand.publisher(repository, keys).rollout(version: version, change)
        print("Rollout of \(version) updated.")
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
        abstract: "List the published releases with their rollout, and when each role's metadata expires."
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption

    func run() throws {
        let publisher = try TUFPublisher(repository: repository.repo, keys: nil)
        let releases = try publisher.status()
        if releases.isEmpty { print("No releases published.") }
        for release in releases {
            let info = release.info, rollout = info.rollout
            var line = "\(info.version)  \(info.platform)  channels \(info.channels.joined(separator: ","))  rollout \(rollout.percent)%"
            if let start = rollout.start, let hours = rollout.rampHours {
                line += " (ramp from \(UTCTime.iso8601(start)) over \(hours)h)"
            }
            if rollout.halted { line += "  halted" }
            if info.yanked { line += "  yanked" }
            line += "  published \(UTCTime.iso8601(info.publishedAt))  \(release.targets.count) file\(release.targets.count == 1 ? "" : "s")"
            print(line)
        }
        for (role, version, expires) in try publisher.expiries() {
            print("\(role.rawValue) version \(version) expires \(UTCTime.iso8601(expires))")
        }
    }
}
