import Foundation
import Logging
@testable import RecurApp
import RecurEngine
import RecurStore
import ServiceLifecycle
import Testing

/// The background services stop when the server does, not when their next wait ends.
@Suite("Background services: shutdown")
struct ServiceShutdownTests {
    /// Runs `service` in a group, asks it to shut down once it is waiting, and returns whether
    /// the group ended before `limit` (an hour-long wait would otherwise hold it).
    func stopsPromptly(_ service: some Service, limit: Duration = .seconds(20)) async throws -> Bool {
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: TestDatabase.logger))
        return try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await group.run()
                return true
            }
            tasks.addTask {
                try await Task.sleep(for: limit)
                return false
            }
            // Long enough for a first round of work and the start of the wait.
            try await Task.sleep(for: .milliseconds(500))
            await group.triggerGracefulShutdown()
            let first = try await tasks.next() ?? false
            tasks.cancelAll()
            return first
        }
    }

    @Test("the billing run and mail dispatch, an hour between rounds here, end their wait at a graceful shutdown", arguments: TestDatabase.all)
    func servicesStop(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let service = RecurService(store: store, clock: ManualClock(testNow), logger: TestDatabase.logger)
        #expect(try await stopsPromptly(BillingRunService(service: service, interval: 3_600, logger: TestDatabase.logger)))
        #expect(try await stopsPromptly(MailDispatchService(service: service, mailer: RecordingMailer(), interval: .seconds(3_600),
                                                            logger: TestDatabase.logger)))
        try await store.close()
    }
}
