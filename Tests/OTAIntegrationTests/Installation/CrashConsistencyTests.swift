#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

/// SIGKILLs the installer at every journaled step (OTA_FAULT_STEP) and at random instants, then runs
/// recovery in a fresh process: the installation must be exactly the old tree or exactly the new one.
@Suite("Crash consistency", .serialized)
struct CrashConsistencyTests {
    /// Old and new trees, built once per case, copied for every trial.
    ///
    /// The trials run on the tmpfs `/dev/shm` when there is one: a SIGKILL keeps the page cache, so
    /// the disk adds nothing to what is tested, while every `syncfs`/`fsync` on a busy shared disk
    /// costs seconds (the random-kill test took ~6 minutes on /tmp, ~20 s on tmpfs).
    final class Scenario: @unchecked Sendable {
        let root: String
        let layout: OTAConfiguration.Installation.Layout
        let exchange: Bool

        /// Managed paths: `src`, `config`, `lib`, `m0`…`m{extra-1}` (each a folder of 5 files) and `VERSION`.
        let managed: [String]

        init(layout: OTAConfiguration.Installation.Layout, exchange: Bool, files: Int, extraManaged extra: Int = 0) throws {
            let base = FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : FileManager.default.temporaryDirectory.path
            root = base + "/ota-crash-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            self.layout = layout
            self.exchange = exchange
            // `legacy` exists only in the old tree (removed by the update), `extra/nested/tool` only in
            // the new one (created, with its parent folders): every kind of step is journaled.
            managed = ["src", "config", "lib", "legacy", "extra/nested/tool"] + (0..<extra).map { "m\($0)" } + ["VERSION"]
            func withExtras(_ tag: String, _ count: Int) -> [String: TreeFixture.Node] {
                var nodes = TreeFixture.release(tag, files: count, size: 2048)
                if tag == "old" { nodes["legacy/old.txt"] = .file("only in the old release") }
                if tag == "new" { nodes["extra/nested/tool/run"] = .file("#!/bin/sh\n", mode: 0o755) }
                for index in 0..<extra {
                    for file in 0..<5 { nodes["m\(index)/f\(file)"] = .file("\(tag) \(index) \(file)", mode: file == 0 ? 0o755 : 0o644) }
                }
                return nodes
            }
            let fixture = try InstallFixture(layout: layout)
            try fixture.installInitial("1.0.0", withExtras("old", files))
            try FileSystem.copyTree(fixture.install, to: root + "/template-install")
            try TreeFixture.make(root + "/template-staged", withExtras("new", files * 9 / 10))
        }

        deinit { try? FileSystem.removeTree(root) }

        /// A fresh copy of the old installation and of the staged release; returns the trial's folder.
        func trial(_ name: String) throws -> String {
            let trial = root + "/" + name
            try FileManager.default.createDirectory(atPath: trial, withIntermediateDirectories: true)
            try FileSystem.copyTree(root + "/template-install", to: trial + "/install")
            try FileSystem.makeDirectories(trial + "/install/.ota/staging")
            try FileSystem.copyTree(root + "/template-staged", to: trial + "/install/.ota/staging/2.0.0")
            return trial
        }

        func arguments(_ command: String, _ root: String) -> [String] {
            [command, "install=\(root)/install", "state=\(root)/install/.ota", "backup=\(root)/backups",
             "staged=\(root)/install/.ota/staging/2.0.0", "version=2.0.0", "layout=\(layout.rawValue)",
             "managed=\(managed.joined(separator: ","))", "exchange=\(exchange ? "yes" : "no")"]
        }

        func snapshot(_ root: String) throws -> String { try TreeFixture.snapshot(root + "/install") }

        /// In place, the backups of a trial: none (and no partial folder) after a rollback; after a
        /// commit exactly one, which verifies and holds exactly the old tree. `strict: false` allows
        /// the partial folder a kill before the first journal write leaves (pruned by the next update).
        func backupsAreRight(_ trial: String, committed: Bool, strict: Bool = true) throws -> Bool {
            guard layout == .inPlace else { return true }
            let directory = trial + "/backups"
            let store = BackupStore(stateDirectory: StateDirectory(path: trial + "/install/.ota", backupPath: directory), maxBackups: 3)
            let names = FileSystem.exists(directory) ? try FileSystem.names(in: directory) : []
            let backups = try store.list()
            guard committed else { return strict ? names.isEmpty : backups.isEmpty }
            guard backups.count == 1, !strict || names.count == 1 else { return false }
            try store.verify(backups[0])
            return try TreeFixture.snapshot(backups[0].path, excluding: ["backup.json"]) == TreeFixture.snapshot(root + "/template-install")
        }
    }

    static let cases: [(OTAConfiguration.Installation.Layout, Bool)] = [(.inPlace, true), (.inPlace, false), (.releases, true)]

    @Test("a kill before and after every journaled step, at the commit, and during recovery leaves old or new exactly", arguments: cases)
    func everyStep(layout: OTAConfiguration.Installation.Layout, exchange: Bool) throws {
        let scenario = try Scenario(layout: layout, exchange: exchange, files: 50)
        let reference = try scenario.trial("reference")
        let old = try scenario.snapshot(reference)
        let clean = try Harness.run(scenario.arguments("apply", reference))
        #expect(!clean.killed && clean.status == 0, "\(clean.output)")
        let new = try scenario.snapshot(reference)
        #expect(old != new)
        #expect(try scenario.backupsAreRight(reference, committed: true))

        let probe = try scenario.trial("probe")
        #expect(try Harness.run(scenario.arguments("apply", probe), environment: ["OTA_FAULT_STEP": "1"]).killed)
        let journal = Journal(directory: StateDirectory(path: probe + "/install/.ota", backupPath: probe + "/backups"), allowedRoots: [probe + "/install"])
        let steps = try #require(try journal.load()).steps.count
        #expect(steps >= (layout == .releases ? 2 : 7))

        var trials = 0
        let commitPoints = layout == .inPlace ? ["commit", "seal"] : ["commit"]
        for point in (1...steps).flatMap({ ["\($0)", "\($0)+"] }) + commitPoints {
            let root = try scenario.trial("point-\(point)")
            let run = try Harness.run(scenario.arguments("apply", root), environment: ["OTA_FAULT_STEP": point])
            #expect(run.killed, "fault point \(point) was not reached")
            let recovery = try Harness.run(scenario.arguments("recover", root))
            let committed = commitPoints.contains(point)
            #expect(recovery.output == (committed ? "completed-commit\n" : "rolled-back\n"), "point \(point)")
            #expect(try scenario.snapshot(root) == (committed ? new : old), "point \(point)")
            #expect(try scenario.backupsAreRight(root, committed: committed), "backups at point \(point)")
            #expect(!FileManager.default.fileExists(atPath: root + "/install/.ota/journal.json"))
            trials += 1
        }
        // Kill the recovery itself before each undo, then recover again.
        for undo in 1...steps {
            let root = try scenario.trial("undo-\(undo)")
            #expect(try Harness.run(scenario.arguments("apply", root), environment: ["OTA_FAULT_STEP": "\(steps)+"]).killed)
            #expect(try Harness.run(scenario.arguments("recover", root), environment: ["OTA_FAULT_STEP": "undo-\(undo)"]).killed)
            #expect(try Harness.run(scenario.arguments("recover", root)).output == "rolled-back\n")
            #expect(try scenario.snapshot(root) == old, "undo \(undo)")
            #expect(try scenario.backupsAreRight(root, committed: false), "backups after undo \(undo)")
            trials += 1
        }
        print("crash-consistency \(layout.rawValue) exchange=\(exchange): \(steps) steps, \(trials) injected kills, all recovered to old/new exactly")
    }

    @Test("random SIGKILLs during a larger update leave, after recovery, the old or the new tree exactly", arguments: cases)
    func randomKills(layout: OTAConfiguration.Installation.Layout, exchange: Bool) throws {
        let scenario = try Scenario(layout: layout, exchange: exchange, files: 1000, extraManaged: 60)
        let reference = try scenario.trial("reference")
        let old = try scenario.snapshot(reference)
        let started = Date()
        #expect(try Harness.run(scenario.arguments("apply", reference)).status == 0)
        let duration = Date().timeIntervalSince(started)
        let new = try scenario.snapshot(reference)
        // Half the kills anywhere in the run, half in its last 40 % (where the journaled swap happens).
        var outcomes: [String: Int] = [:]
        for trial in 0..<20 {
            let root = try scenario.trial("random-\(trial)")
            let child = try Harness.start(scenario.arguments("apply", root))
            let delay = trial.isMultiple(of: 2) ? Double.random(in: 0...duration * 1.1) : Double.random(in: duration * 0.6...duration * 1.05)
            usleep(useconds_t(delay * 1_000_000))
            kill(child.process.processIdentifier, SIGKILL)
            child.process.waitUntilExit()
            let recovery = try Harness.run(scenario.arguments("recover", root)).output.trimmingCharacters(in: .whitespacesAndNewlines)
            let result = try scenario.snapshot(root)
            #expect(result == old || result == new, "trial \(trial)")
            #expect(try scenario.backupsAreRight(root, committed: result == new, strict: false), "backups, trial \(trial)")
            let tree = result == old ? "old" : result == new ? "new" : "MIXED"
            outcomes["\(tree) (recovery: \(recovery))", default: 0] += 1
            try FileSystem.removeTree(root)
        }
        print("crash-consistency random \(layout.rawValue) exchange=\(exchange): 20 kills in \(String(format: "%.2f", duration)) s updates → \(outcomes.sorted { $0.key < $1.key })")
    }
}
