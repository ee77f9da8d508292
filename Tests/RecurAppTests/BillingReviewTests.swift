import Foundation
import RecurApp
import RecurCore
import RecurEngine
import RecurStore
import Testing

/// The cases a review of the billing run found, pinned.
@Suite("Billing run: reviewed cases")
struct BillingReviewTests {
    let t = BillingRunTests()

    @Test("a trial cancelled before its end ends without a charge", arguments: TestDatabase.all)
    func cancelDuringTrial(db: TestDatabase) async throws {
        let e = try await t.env(db)
        let c = try await t.customer(e)
        let sid = try #require(try await t.buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2, trial: true)])
            .subscriptions.first?.id)
        _ = try await e.service.cancel(subscription: sid, actor: .system)
        let report = try await e.service.advanceTestClock(e.clock.id, to: try t.day(2026, 3, 1), actor: .system).report
        #expect(report.invoices == 0)
        #expect(report.chargesSucceeded == 0)
        #expect(report.actions["trial_reminder"] == nil)
        #expect(try await e.service.subscription(sid).subscription.status == .cancelled)
        try await e.store.close()
    }

    @Test("paying the invoice of a locked subscription makes it active again", arguments: TestDatabase.all)
    func payLocked(db: TestDatabase) async throws {
        let e = try await t.env(db)
        let c = try await t.customer(e, card: nil)
        let sid = try #require(try await t.buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)],
                                               mode: .manual).subscriptions.first?.id)
        _ = try await e.service.advanceTestClock(e.clock.id, to: try t.day(2026, 3, 10), actor: .system)
        #expect(try await e.service.subscription(sid).subscription.status == .locked)
        let open = try #require(try await t.invoices(e, c.id).first { $0.billingKey != nil && $0.status == .open })
        _ = try await e.service.payInvoiceOutOfBand(open.id, reference: "cash", actor: .system)
        let sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .active)
        #expect(sub.subscription.paidForPeriod.minorUnits == 120_000)
        #expect(sub.nextBillingAt != nil)
        try await e.store.close()
    }

    @Test("one subscription that cannot be priced fails alone; the rest of the batch is billed", arguments: TestDatabase.all)
    func failureIsContained(db: TestDatabase) async throws {
        let e = try await t.env(db)
        let good = try await t.customer(e)
        let goodSub = try #require(try await t.buy(e, good, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)])
            .subscriptions.first?.id)
        // A subscription in a currency its plan has no price in (written directly, as an old row would be).
        let bad = try await t.customer(e, currency: "USD")
        let schedule = BillingSchedule(anchor: try CivilDate(2026, 1, 15), cycle: .monthly)
        let broken = Subscription(id: "sub_broken", customer: CustomerID(bad.id), product: DemoCatalog.workspace, plan: "ws_starter", seats: 2,
                                  currency: .usd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: .zero(.usd))
        try await e.store.transaction { tx in
            try await tx.insert(SubscriptionRecord(subscription: broken, created: BillingRunTests.start, nextBillingAt: try t.day(2026, 2, 15)))
        }
        let report = try await e.service.advanceTestClock(e.clock.id, to: try t.day(2026, 2, 15), actor: .system).report
        #expect(report.actions["failed"] == 1)
        #expect(report.actions["renewed"] == 1)
        #expect(try await e.service.subscription(goodSub).subscription.currentPeriod.start == (try CivilDate(2026, 2, 15)))
        let retried = try await e.service.subscription("sub_broken")
        #expect(retried.subscription.currentPeriod == broken.currentPeriod)
        #expect(retried.nextBillingAt == (try t.day(2026, 2, 16)))
        // Why is in the report (the advance's answer) and in the subscription's audit history, not only the log.
        #expect(report.failures.map(\.subscription) == ["sub_broken"])
        #expect(report.failures.first?.error.contains("USD") == true, "\(report.failures)")
        let audit = try await e.service.audit(customer: nil, target: "sub_broken", limit: 10, startingAfter: nil).items
        #expect(audit.map(\.action) == ["subscription.billing_failed"])
        #expect(audit.first?.after?.contains("2026-02-16T00:00:00Z") == true)
        try await e.store.close()
    }
}
