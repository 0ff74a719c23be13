import ServiceLifecycle

/// Starts a graceful shutdown of a group from a synchronous callback.
final class GracefulTrigger: @unchecked Sendable {
    var group: ServiceGroup?
    func fire() {
        let group = self.group
        Task { await group?.triggerGracefulShutdown() }
    }
}
