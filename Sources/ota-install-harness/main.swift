// Test-only driver of the installation engine, run as a separate process so that the crash
// tests can SIGKILL it (OTA_FAULT_STEP, honoured by debug builds only, or a timer) and then run
// recovery in a fresh one.
//
//   ota-install-harness apply install=DIR state=DIR backup=DIR staged=DIR version=V
//                       [layout=in_place|releases] [managed=a,b,c] [exchange=no] [max_backups=N]
//   ota-install-harness recover install=DIR state=DIR [layout=…] [uid=N]   (uid: run as that user)
//   ota-install-harness hold-lock state=DIR     (prints "locked PID", then sleeps)
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import OTA

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: ota-install-harness apply|recover|hold-lock key=value…") }
let options: [String: String] = Dictionary(arguments.dropFirst().map { argument in
    guard let equals = argument.firstIndex(of: "=") else { fail("expected key=value, got \(argument)") }
    return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
}, uniquingKeysWith: { $1 })

@MainActor func option(_ key: String) -> String {
    guard let value = options[key] else { fail("missing \(key)=") }
    return value
}

@MainActor func configuration() -> OTAConfiguration {
    var config = OTAConfiguration(githubRepo: "octo/harness")
    config.installation.installDir = option("install")
    config.installation.stateDir = option("state")
    config.installation.backupPath = options["backup"]
    config.installation.layout = OTAConfiguration.Installation.Layout(rawValue: options["layout"] ?? "in_place") ?? .inPlace
    if let managed = options["managed"] { config.installation.managedPaths = managed.split(separator: ",").map(String.init) }
    if let max = options["max_backups"].flatMap(Int.init) { config.installation.maxBackups = max }
    return config
}

do {
    switch command {
    case "hold-lock":
        let lock = try Lock.acquire(stateDirectory: option("state"))
        FileHandle.standardOutput.write(Data("locked \(getpid())\n".utf8))
        sleep(600)
        lock.release()
    case "recover":
        let config = configuration()
        if let uid = options["uid"].flatMap(uid_t.init) { guard setuid(uid) == 0 else { fail("cannot become uid \(uid)") } }
        let lock = try Lock.acquire(in: StateDirectory(installation: config.installation))
        defer { lock.release() }
        switch try Journal(installation: config.installation).recoverIfNeeded() {
        case .nothingToDo: print("nothing")
        case .rolledBack: print("rolled-back")
        case .completedCommit: print("completed-commit")
        }
    case "apply":
        let config = configuration()
        let lock = try Lock.acquire(in: StateDirectory(installation: config.installation))
        defer { lock.release() }
        try Journal(installation: config.installation).recoverIfNeeded()
        guard let version = SemanticVersion(option("version")) else { fail("bad version") }
        var installer: any Installer = makeInstaller(configuration: config)
        if options["exchange"] == "no", var inPlace = installer as? InPlaceInstaller {
            inPlace.usesRenameExchange = false
            installer = inPlace
        }
        let transaction = try installer.install(StagedTree(root: option("staged"), version: version))
        try installer.commit(transaction)
        installer.pruneBackups()
        print("installed \(transaction.toVersion)")
    default:
        fail("unknown command \(command)")
    }
} catch let error as any OTAError {
    fail(error.message)
} catch {
    fail("\(error)")
}
