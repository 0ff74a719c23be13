import ArgumentParser
import Logging
import OTA

/// `ota version …`: the VersionManager from the command line.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Read, set, validate, compare and bump semantic versions.",
        subcommands: [Current.self, Set.self, Validate.self, Compare.self, Next.self]
    )

    /// Where `current` and `set` find the VERSION file: `--file`, else the configuration's.
    struct FileOptions: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("VERSION file to use instead of the configuration's.", valueName: "path"))
        var file: String?

        @OptionGroup var global: GlobalOptions

        func manager() throws -> VersionManager {
            global.bootstrapLogging()
            if let file { return VersionManager(versionFile: file) }
            return VersionManager(versionFile: try global.loadConfiguration().installation.versionFilePath)
        }
    }

    struct Current: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the installed version (0.0.0 when there is no VERSION file).")
        @OptionGroup var options: FileOptions

        func run() throws {
            print(try options.manager().currentVersion())
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a version into the VERSION file (atomically).")
        @Argument(help: "The version, e.g. 1.2.0.") var version: String
        @OptionGroup var options: FileOptions

        func run() throws {
            let manager = try options.manager()
            try manager.setCurrentVersion(version)
            print("\(manager.versionFile): \(version)")
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Exit 0 if the argument is a valid semantic version, else 1.")
        @Argument(help: "The version to check.") var version: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let parsed = try SemanticVersion(parsing: version)
            if !global.quiet { print("\(parsed) is a valid semantic version") }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print -1, 0 or 1 as A precedes, equals or follows B.")
        @Argument(help: "First version.") var a: String
        @Argument(help: "Second version.") var b: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            print(try VersionManager.compareVersions(a, b))
        }
    }

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the next major, minor or patch version.")
        @Argument(help: "The current version.") var version: String
        @Argument(help: "major, minor or patch.") var bump: SemanticVersion.Component
        @OptionGroup var global: GlobalOptions

        func run() throws {
            print(try VersionManager.nextVersion(version, bump: bump))
        }
    }
}

extension SemanticVersion.Component: ExpressibleByArgument {}
