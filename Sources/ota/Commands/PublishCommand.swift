import ArgumentParser
import Foundation
import OTA

/// `ota publish …`: builds and maintains a signed TUF release repository in a folder.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Build and maintain a signed TUF release repository in a folder, for any static host.",
        discussion: """
            DIR/metadata/ holds the signed metadata (N.root.json, root.json, N.targets.json, N.snapshot.json, \
            timestamp.json) and DIR/targets/ the release files under consistent-snapshot names; publish DIR as is \
            (aws s3 sync, rsync, nginx, `ota serve --tuf DIR`). Keys are Ed25519 PEM files (mode 0600) in the \
            --keys folder (mode 0700), which must live outside DIR. Devices start from DIR/metadata/1.root.json (tuf_root).
            """,
        subcommands: [Init.self, PublishAddCommand.self, PublishRolloutCommand.self, PublishYankCommand.self,
                      PublishRefreshCommand.self, PublishRotateCommand.self, PublishVerifyCommand.self, PublishStatusCommand.self]
    )

    /// `--repo DIR`.
    struct RepositoryOption: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The repository folder.", valueName: "dir"))
        var repo: String
    }

    /// `--keys DIR`, which every signing verb takes.
    struct KeysOption: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The keys folder (mode 0700, outside the repository).", valueName: "dir"))
        var keys: String
    }

    /// Opens the repository for a verb that signs.
    static func publisher(_ repository: RepositoryOption, _ keys: KeysOption) throws -> TUFPublisher {
        try TUFPublisher(repository: repository.repo, keys: keys.keys)
    }

    /// Reads `ROLE=VALUE` for `option`, the value by `parse`.
    static func roleAssignments<Value>(_ values: [String], option: String, _ parse: (String) -> Value?) throws -> [TUFTopLevelRole: Value] {
        var result: [TUFTopLevelRole: Value] = [:]
        for text in values {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let role = TUFTopLevelRole(rawValue: parts[0]) else {
                throw ValidationError("\(option) \(text): expected ROLE=VALUE with ROLE one of root, targets, snapshot, timestamp.")
            }
            guard let value = parse(parts[1]) else {
                throw ValidationError("\(option) \(text): \(parts[1]) is not a valid value for \(option).")
            }
            result[role] = value
        }
        return result
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a repository: new keys for each role, root version 1, no releases.",
            discussion: "Durations: 365d, 12h, 30m, 2w, 1d12h. Defaults: root 365d, targets 90d, snapshot 7d, timestamp 1d."
        )
        @OptionGroup var repository: RepositoryOption
        @Option(name: .long, help: ArgumentHelp("Product name: releases are published at PRODUCT/VERSION/FILE.", valueName: "name"))
        var product: String
        @Option(name: .long, help: ArgumentHelp("Signatures a role needs (that many keys are made); repeatable.", valueName: "role=n"))
        var threshold: [String] = []
        @Option(name: .long, help: ArgumentHelp("How long a role's metadata stays valid; repeatable.", valueName: "role=duration"))
        var expires: [String] = []
        @OptionGroup var keys: KeysOption

        func run() throws {
            let thresholds = try PublishCommand.roleAssignments(threshold, option: "--threshold") { Int($0) }
            let expiry = try PublishCommand.roleAssignments(expires, option: "--expires", TUFDuration.seconds)
            let publisher = try TUFPublisher.initialize(repository: repository.repo, keys: keys.keys, product: product,
                                                        thresholds: thresholds, expiry: expiry)
            print("""
                Created TUF repository \(publisher.layout.path) for product \(product).
                Keys: \(keys.keys) (keep the root and targets keys offline; the timestamp and snapshot keys sign `ota publish refresh`).
                Devices: tuf_root: \(publisher.layout.metadata("1.root.json")) (copy it to each device), tuf_url: the URL DIR is served at.
                """)
        }
    }
}

/// `ota publish verify`.
struct PublishVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Run the TUF client workflow on the repository: signatures, versions, expiry, every target's length and hashes."
    )
    @OptionGroup var repository: PublishCommand.RepositoryOption

    func run() throws {
        let report = try TUFRepositoryVerifier(repository: repository.repo).verify()
        print("Repository \(repository.repo) verifies: root version \(report.rootVersion), \(report.targetsVerified) targets in \(report.rolesVerified.joined(separator: ", ")).")
        for role in TUFTopLevelRole.allCases {
            if let expires = report.expiries[role] { print("  \(role.rawValue) expires \(UTCTime.iso8601(expires))") }
        }
    }
}
