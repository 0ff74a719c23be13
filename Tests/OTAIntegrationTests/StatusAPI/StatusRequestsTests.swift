import Foundation
import Logging
import ServiceLifecycle
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Status API: requests to the agent", .timeLimit(.minutes(10)))
struct StatusRequestsTests {
    @Test("POST /v1/check wakes the agent for a check; POST /v1/update installs even with auto_update off")
    func checkAndUpdateNow() async throws {
        let fixture = try StatusAPIFixture(autoUpdate: false)
        try fixture.base.server.publish("v1.1.0", files: UpdateFixture.newFiles)
        // The agent's waits between checks never end by themselves: only a request ends them.
        let (waits, wait) = AsyncStream.makeStream(of: Void.self)
        let service = UpdateService(updater: fixture.updater, logger: StatusAPIFixture.quiet, sleep: { _ in
            wait.yield()
            await untilCancelled()
            throw CancellationError()
        }, notifier: nil)
        let server = try await fixture.bind(requests: service.requests)
        let group = ServiceGroup(services: [service, server], logger: StatusAPIFixture.quiet)
        var sleeps = waits.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await sleeps.next()
            var events = fixture.updater.activity.events().makeAsyncIterator()
            let listed = fixture.base.server.server.requests.count { $0.path == "/repos/octo/app/releases" }
            let check = try await fixture.request("POST", "/v1/check")
            #expect(check.status == 202 && String(decoding: check.body, as: UTF8.self) == "{\"accepted\":\"check\"}\n")
            var states = try await Self.states(until: .idle, after: .checking, from: &events)
            #expect(states == [.checking, .idle])
            await sleeps.next()
            #expect(fixture.base.server.server.requests.count { $0.path == "/repos/octo/app/releases" } == listed + 1)
            #expect(try fixture.base.tree()["VERSION"] == "1.0.0\n")
            #expect(try await fixture.request("POST", "/v1/update").status == 202)
            states = try await Self.states(until: .idle, after: .installing, from: &events)
            #expect(states == [.checking, .downloading, .verifying, .installing, .idle])
            await sleeps.next()
            #expect(try fixture.base.tree()["VERSION"] == "1.1.0\n")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await fixture.updater.shutdown()
    }

    /// The states of `events` (repeats in a row left out, the current idle one skipped) up to `last`,
    /// once `required` was among them.
    static func states(until last: AgentState, after required: AgentState,
                       from events: inout AsyncStream<UpdateEvent>.Iterator) async throws -> [AgentState] {
        var states: [AgentState] = []
        while let event = await events.next() {
            if states.isEmpty && event.state == .idle { continue }
            if states.last != event.state { states.append(event.state) }
            if event.state == last && states.contains(required) { return states }
        }
        throw CancellationError()
    }
}
