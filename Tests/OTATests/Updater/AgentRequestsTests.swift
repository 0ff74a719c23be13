import Foundation
import Testing
@testable import OTA
@testable import OTATestSupport

@Suite("Agent requests")
struct AgentRequestsTests {
    @Test("a request made while the agent waits ends the wait with that request")
    func wakes() async throws {
        let requests = AgentRequests()
        let waiting = AsyncSignal()
        async let woken = requests.wait(.seconds(86_400)) { _ in
            waiting.fire()
            await untilCancelled()
            throw CancellationError()
        }
        await waiting.wait()
        requests.submit(.update)
        #expect(try await woken == .update)
    }

    @Test("a wait that runs out returns no request")
    func runsOut() async throws {
        let requests = AgentRequests()
        #expect(try await requests.wait(.seconds(1)) { _ in } == nil)
    }

    @Test("requests made meanwhile count once, an update over a check, and are taken at the next wait without waiting")
    func pending() async throws {
        let requests = AgentRequests()
        requests.submit(.check)
        requests.submit(.update)
        requests.submit(.check)
        #expect(try await requests.wait(.seconds(86_400)) { _ in Issue.record("waited with a request pending") } == .update)
        requests.submit(.check)
        #expect(try await requests.wait(.seconds(86_400)) { _ in Issue.record("waited with a request pending") } == .check)
        #expect(try await requests.wait(.seconds(1)) { _ in } == nil)
    }

    @Test("a cancelled wait throws CancellationError, whether its sleep throws on cancellation or returns quietly",
          arguments: [true, false])
    func cancelled(sleepThrows: Bool) async throws {
        let requests = AgentRequests()
        let waiting = AsyncSignal()
        let task = Task {
            try await requests.wait(.seconds(86_400)) { _ in
                waiting.fire()
                await untilCancelled()
                if sleepThrows { throw CancellationError() }
            }
        }
        await waiting.wait()
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
