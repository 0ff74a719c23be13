#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Journal and recovery")
struct JournalTests {
    static let old = TreeFixture.release("old")
    static let new = TreeFixture.release("new", files: 40)

    /// A fixture at 1.0.0 with an uncommitted install of 2.0.0; returns it, the old snapshot and the transaction.
    func interrupted(layout: OTAConfiguration.Installation.Layout, exchange: Bool = true) throws -> (InstallFixture, String, Transaction) {
        let fixture = try InstallFixture(layout: layout)
        try fixture.installInitial("1.0.0", Self.old)
        let before = try fixture.snapshot()
        var installer = fixture.installer
        if var inPlace = installer as? InPlaceInstaller {
            inPlace.usesRenameExchange = exchange
            installer = inPlace
        }
        let transaction = try installer.install(try fixture.stage("2.0.0", Self.new))
        return (fixture, before, transaction)
    }

    @Test("a corrupt journal is an error naming the file, and is left for inspection")
    func corruptJournal() throws {
        let temp = try TemporaryDirectory()
        try temp.write("state/journal.json", "{\"id\": 3")
        let error = try #require(throws: InstallationError.self) { try Journal(stateDirectory: temp.url("state")).recoverIfNeeded() }
        #expect(error.code == .journalFailed)
        #expect(error.message.contains(temp.url("state/journal.json")))
        #expect(FileManager.default.fileExists(atPath: temp.url("state/journal.json")))
    }

    @Test("without a journal recovery does nothing")
    func nothingToDo() throws {
        let temp = try TemporaryDirectory()
        #expect(try Journal(stateDirectory: temp.url("state")).recoverIfNeeded() == .nothingToDo)
    }

    @Test("an uncommitted transaction is rolled back to exactly the old tree, leftovers removed",
          arguments: [(OTAConfiguration.Installation.Layout.inPlace, true), (.inPlace, false), (.releases, true)])
    func rollsBackUncommitted(layout: OTAConfiguration.Installation.Layout, exchange: Bool) throws {
        let (fixture, before, transaction) = try interrupted(layout: layout, exchange: exchange)
        let journal = Journal(installation: fixture.config.installation)
        #expect(try journal.load() == transaction)
        #expect(try journal.recoverIfNeeded() == .rolledBack(transaction))
        #expect(try fixture.snapshot() == before)
        #expect(try journal.load() == nil)
        for leftover in transaction.removeOnRollback { #expect(!FileSystem.exists(leftover), "\(leftover)") }
        #expect(try fixture.installer.backups().isEmpty, "the backup made for the transaction is removed with it")
    }

    @Test("undo is idempotent: recovering a journal whose steps were already undone changes nothing",
          arguments: [(OTAConfiguration.Installation.Layout.inPlace, true), (.inPlace, false), (.releases, true)])
    func undoTwice(layout: OTAConfiguration.Installation.Layout, exchange: Bool) throws {
        let (fixture, before, transaction) = try interrupted(layout: layout, exchange: exchange)
        let journal = Journal(installation: fixture.config.installation)
        let recorded = try #require(try journal.load())
        for step in recorded.steps.reversed() { try step.action.undo() }
        #expect(try fixture.snapshot() == before)
        try journal.save(recorded)  // as if recovery was killed after undoing everything but before clearing
        #expect(try journal.recoverIfNeeded() == .rolledBack(transaction))
        #expect(try fixture.snapshot() == before)
    }

    @Test("a committed transaction's cleanup is finished and the new tree stays")
    func finishesCommit() throws {
        let (fixture, _, transaction) = try interrupted(layout: .inPlace)
        let after = try fixture.snapshot()
        let journal = Journal(installation: fixture.config.installation)
        var committed = transaction
        committed.phase = .committed
        try journal.save(committed)
        #expect(try journal.recoverIfNeeded() == .completedCommit(committed))
        #expect(try fixture.snapshot() == after)
        for leftover in transaction.removeOnCommit { #expect(!FileSystem.exists(leftover)) }
        #expect(try journal.load() == nil)
    }

    @Test("the journal is written 0600 with snake_case keys and every step done before install returns")
    func journalFile() throws {
        let (fixture, _, transaction) = try interrupted(layout: .inPlace)
        let path = fixture.state + "/journal.json"
        #expect(FileSystem.lstatInfo(path).map { $0.st_mode & 0o777 } == 0o600)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(json["from_version"] as? String == "1.0.0")
        #expect(json["to_version"] as? String == "2.0.0")
        #expect(json["phase"] as? String == "applying")
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.count == transaction.steps.count)
        #expect(steps.allSatisfy { $0["state"] as? String == "done" })
    }
}
