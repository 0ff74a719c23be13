#if canImport(Glibc)
import Glibc
#endif

/// Running, committing and rolling back a ``Transaction`` step by step through the journal.
extension Journal {
    /// Runs every step of `transaction`, journaling each one before it happens and after it is done.
    ///
    /// One durable journal write per step: it records step N-1 done and step N started together.
    ///
    /// On a failing step everything done so far is undone and the journal cleared before the error is thrown.
    func run(_ transaction: inout Transaction) throws(InstallationError) {
        do {
            try save(transaction)
        } catch {
            removeAll(transaction.removeOnRollback)
            throw error
        }
        for index in transaction.steps.indices {
            do throws(InstallationError) {
                transaction.steps[index].state = .started
                try save(transaction)
                #if OTA_FAULT_INJECTION
                FaultInjection.point("\(index + 1)")
                #endif
                let action = transaction.steps[index].action
                do {
                    try action.perform()
                    for directory in Set(action.touchedDirectories) { try AtomicFile.syncDirectory(directory) }
                } catch {
                    throw InstallationError(.stepFailed, "installation step \(index + 1) failed and the update was rolled back: \(error.message)", underlying: error)
                }
                #if OTA_FAULT_INJECTION
                FaultInjection.point("\(index + 1)+")
                #endif
                // Saved with the next step's `started` (one fsync'd write per step), or below after the last.
                transaction.steps[index].state = .done
                if index == transaction.steps.indices.last { try save(transaction) }
            } catch {
                // Undo decides from what is on disk, so the in-memory states are enough even when a save failed.
                do throws(InstallationError) {
                    try rollBack(transaction)
                } catch let rollbackError {
                    throw InstallationError(.rollbackFailed, "\(error.message); then the rollback failed too: \(rollbackError.message)", underlying: error.underlying)
                }
                throw error
            }
        }
    }

    /// Undoes the started and done steps in reverse order, removes the staged leftovers and clears the journal.
    func rollBack(_ transaction: Transaction) throws(InstallationError) {
        for index in transaction.steps.indices.reversed() where transaction.steps[index].state != .pending {
            #if OTA_FAULT_INJECTION
            FaultInjection.point("undo-\(index + 1)")
            #endif
            let action = transaction.steps[index].action
            do {
                try action.undo()
                for directory in Set(action.touchedDirectories) where FileSystem.isDirectory(directory) {
                    try AtomicFile.syncDirectory(directory)
                }
            } catch {
                throw InstallationError(.rollbackFailed, "cannot undo installation step \(index + 1): \(error.message); fix the cause and run any ota command again to finish the recovery", underlying: error)
            }
        }
        removeAll(transaction.removeOnRollback)
        try clear()
    }

    /// Records the commit, seals the backup made by moves, removes ``Transaction/removeOnCommit`` (staged
    /// leftovers, holding folders), and clears the journal.
    func commit(_ transaction: inout Transaction) throws(InstallationError) {
        transaction.phase = .committed
        try save(transaction)
        #if OTA_FAULT_INJECTION
        FaultInjection.point("commit")
        #endif
        try finishCommit(transaction)
    }

    func finishCommit(_ transaction: Transaction) throws(InstallationError) {
        if let partial = transaction.backupPartial, let path = transaction.backupPath {
            // A failure leaves a `.partial` folder (pruned later), never a broken installation; the caller checks `path`.
            try? BackupStore.seal(partial, as: path, recordingIn: directory)
        }
        removeAll(transaction.removeOnCommit)
        try clear()
    }

    /// Best-effort removal of leftovers: a failure leaves only garbage, never a broken installation.
    private func removeAll(_ paths: [String]) {
        for path in paths { try? FileSystem.removeTree(path) }
    }
}
