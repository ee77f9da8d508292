import Foundation
import RecurApp
import RecurCore
import RecurEngine
import RecurStore
import Testing

/// The billing run through test clocks, on every database: renewals, dunning, trials,
/// manual renewals, in-arrears months, and runs that crash or repeat.
@Suite("Billing run")
struct BillingRunTests {
    /// 2026-01-15 00:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_768_435_200)

    struct Env {
        let service: RecurService
        let store: SQLStore
        let clock: TestClockRecord
    }

    func env(_ db: TestDatabase) async throws -> Env {
        let (store, _) = try await db.makeStore()
        let service = RecurService(store: store, clock: ManualClock(Self.start), testMode: true, logger: TestDatabase.logger)
        try await service.seedCatalog(DemoCatalog.make())
        let clock = try await service.createTestClock(name: "sim", at: Self.start, actor: .system)
        return Env(service: service, store: store, clock: clock)
    }

    func customer(_ e: Env, card: String? = "4242424242424242", country: String = "VN", currency: String = "VND",
                  timeZone: String = "UTC") async throws -> CustomerRecord {
        let c = try await e.service.createCustomer(CustomerChanges(name: "Sim Co", country: country, currency: currency, timeZone: timeZone,
                                                                  invoiceEmails: ["billing@sim.example"], testClock: e.clock.id), actor: .system)
        if let card { return try await e.service.setPaymentMethod(customer: c.id, cardNumber: card, actor: .system) }
        return c
    }

    func day(_ y: Int, _ m: Int, _ d: Int) throws -> Date { try CivilDate(y, m, d).startInstant(in: .gmt) }

    func invoices(_ e: Env, _ customer: String) async throws -> [InvoiceRecord] {
        try await e.store.transaction { tx in try await tx.all(InvoiceRecord.self, filters: ["customer_id": .text(customer)]) }
    }

    /// Buys `items` and, unless `pay` is false, pays the checkout's invoice at once (as the portal's
    /// buyer does at the gateway), so the run has only renewals to bill.
    func buy(_ e: Env, _ c: CustomerRecord, _ items: [Order.Item], mode: Subscription.RenewalMode = .automatic,
             pay: Bool = true) async throws -> CheckoutOutcome {
        let outcome = try await e.service.checkout(customer: c.id, order: Order(items: items, renewalMode: mode), date: nil, actor: .system)
        if pay, let invoice = outcome.invoice, invoice.status == .open {
            _ = try await e.service.payInvoiceOutOfBand(invoice.id, reference: "checkout", actor: .system)
        }
        return outcome
    }

    @Test("a year of monthly automatic renewals: 12 invoices, each charged, periods back to back", arguments: TestDatabase.all)
    func yearOfRenewals(db: TestDatabase) async throws {
        let e = try await env(db)
        let c = try await customer(e)
        let bought = try await buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 5)])
        let sid = try #require(bought.subscriptions.first?.id)
        let (_, report) = try await e.service.advanceTestClock(e.clock.id, to: try day(2027, 1, 15), actor: .system)
        #expect(report.invoices == 12)
        #expect(report.chargesSucceeded == 12)
        let all = try await invoices(e, c.id)
        let renewals = all.filter { $0.billingKey != nil }.sorted { $0.issueDate < $1.issueDate }
        #expect(renewals.count == 12)
        // 5 seats × 60,000 = 300,000 + 10 % VAT = 330,000, paid each month.
        #expect(renewals.allSatisfy { $0.totals.total.minorUnits == 330_000 && $0.status == .paid && $0.amountPaid.minorUnits == 330_000 })
        let periods = renewals.compactMap { $0.lines.first?.period }
        #expect(periods.first?.start == (try CivilDate(2026, 2, 15)))
        #expect(periods.last?.end == (try CivilDate(2027, 2, 15)))
        #expect(zip(periods, periods.dropFirst()).allSatisfy { $0.end == $1.start })
        #expect(Set(renewals.compactMap(\.billingKey)).count == 12)
        #expect(Set(all.compactMap(\.number)).count == all.count)
        let sub = try await e.service.subscription(sid)
        #expect(sub.subscription.currentPeriod == (try Period(start: CivilDate(2027, 1, 15), end: CivilDate(2027, 2, 15))))
        #expect(sub.nextBillingAt == (try day(2027, 2, 15)))
        // Running again at the same time finds nothing more to do; the clock itself only moves forward.
        let again = try await e.service.runBilling(until: try day(2027, 1, 15), testClock: e.clock.id)
        #expect(again.invoices == 0)
        #expect(again.subscriptions == 0)
        let backwards = await #expect(throws: RecurError.self) {
            try await e.service.advanceTestClock(e.clock.id, to: try day(2027, 1, 15), actor: .system)
        }
        #expect(backwards?.code == .testClockBackwards)
        #expect(backwards?.field == "frozen_time")
        try await e.store.close()
    }

    @Test("dunning: a declined renewal is past due, and a retry with a new card recovers it", arguments: TestDatabase.all)
    func dunningRecovered(db: TestDatabase) async throws {
        let e = try await env(db)
        var c = try await customer(e, card: "4000000000000341")
        let sid = try #require(try await buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)]).subscriptions.first?.id)
        var report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 15), actor: .system).report
        #expect(report.chargesFailed == 1)
        var sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .pastDue)
        #expect(sub.collection?.failedCharges == 1)
        #expect(sub.nextBillingAt == (try day(2026, 2, 16)))
        // Day 1 fails again; then the customer updates the card; day 3 succeeds.
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 16), actor: .system).report
        #expect(report.chargesFailed == 1)
        c = try await e.service.setPaymentMethod(customer: c.id, cardNumber: "4242 4242 4242 4242", actor: .system)
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 18), actor: .system).report
        #expect(report.chargesSucceeded == 1)
        sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .active)
        #expect(sub.collection == nil)
        #expect(sub.nextBillingAt == (try day(2026, 3, 15)))
        let renewal = try #require(try await invoices(e, c.id).first { $0.billingKey != nil })
        #expect(renewal.status == .paid)
        #expect(renewal.totals.total.minorUnits == 132_000)
        let audit = try await e.service.audit(customer: c.id, target: sid, limit: 100, startingAfter: nil).items.map(\.action)
        #expect(audit.filter { $0 == "subscription.renewed" }.count == 1)
        // Every charge is in the invoice's audit history: two declines, then the retry that paid it (day 3, attempt 2).
        let charges = try await e.service.audit(customer: c.id, target: renewal.id, limit: 100, startingAfter: nil).items
        #expect(charges.map(\.action) == ["invoice.created", "invoice.payment_failed", "invoice.payment_failed", "invoice.paid"])
        #expect(charges.filter { $0.action == "invoice.payment_failed" }.allSatisfy { $0.after?.contains("\"amount\":\"132000 VND\"") == true })
        #expect(charges.last?.after?.contains("\"amount_paid\":\"132000 VND\"") == true)
        try await e.store.close()
    }

    @Test("dunning exhausted: retries on days 1, 3, 5, 7 fail, the subscription expires (read-only), then locks 14 days later", arguments: TestDatabase.all)
    func dunningExhausted(db: TestDatabase) async throws {
        let e = try await env(db)
        let c = try await customer(e, card: "4000000000000341")
        let sid = try #require(try await buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_standard", cycle: .monthly, seats: 3)]).subscriptions.first?.id)
        let report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 22), actor: .system).report
        #expect(report.chargesFailed == 5)
        #expect(report.actions["expired"] == 1)
        var sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .expired)
        #expect(sub.collection?.expiredOn == (try CivilDate(2026, 2, 22)))
        #expect(try await e.service.entitlements(customer: c.id).products[DemoCatalog.workspace]?.access == .readOnly)
        _ = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 3, 8), actor: .system)
        sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .locked)
        #expect(sub.nextBillingAt == nil)
        #expect(try await e.service.entitlements(customer: c.id).products[DemoCatalog.workspace]?.access == .locked)
        try await e.store.close()
    }

    @Test("trials: reminders 7, 3 and 1 days before; Workspace falls to Free, Operation Process locks", arguments: TestDatabase.all)
    func trials(db: TestDatabase) async throws {
        let e = try await env(db)
        let c = try await customer(e, card: nil)
        let out = try await buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 3, trial: true),
                                       .init(product: DemoCatalog.appBuilder, plan: "ab_starter", cycle: .monthly, seats: 2, trial: true)])
        #expect(out.invoice == nil)
        // The trials end on 14/2: reminders fall on 7/2, 11/2 and 13/2. On 8/2 the first one of each is sent.
        var report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 8), actor: .system).report
        #expect(report.actions["trial_reminder"] == 2)
        #expect(report.actions["reminder_skipped"] == nil)
        // Jumping to 13/2 finds two due: only the later one of each is sent, the stale one marked sent.
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 13), actor: .system).report
        #expect(report.actions["trial_reminder"] == 2)
        #expect(report.actions["reminder_skipped"] == 2)
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 20), actor: .system).report
        #expect(report.actions["trial_reminder"] == nil)
        #expect(report.actions["trial_ended"] == 2)
        #expect(report.invoices == 0)
        let sent = try await e.store.transaction { tx in try await tx.all(EventRecord.self, filters: [:]) }
            .filter { $0.type == "subscription.trial_will_end" && $0.customer == c.id }
        #expect(sent.count == 4)
        // A customer whose clock jumps over a whole trial hears of none of its reminders: the trial has ended.
        let late = try await customer(e, card: nil)
        _ = try await buy(e, late, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 3, trial: true)])
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 4, 1), actor: .system).report
        #expect(report.actions["reminder_skipped"] == 3)
        #expect(report.actions["trial_reminder"] == nil)
        #expect(report.actions["trial_ended"] == 1)
        let subs = try await e.service.listSubscriptions(customer: c.id, status: nil, limit: 10, startingAfter: nil).items.map(\.subscription)
        let ws = try #require(subs.first { $0.product == DemoCatalog.workspace })
        let ab = try #require(subs.first { $0.product == DemoCatalog.appBuilder })
        #expect(ws.plan == "ws_free")
        #expect(ws.status == .active)
        #expect(ab.status == .locked)
        try await e.store.close()
    }

    @Test("manual renewal: the invoice stays open, unpaid for 7 days it expires, paying it reactivates", arguments: TestDatabase.all)
    func manualRenewal(db: TestDatabase) async throws {
        let e = try await env(db)
        let c = try await customer(e, card: nil)
        let sid = try #require(try await buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)],
                                             mode: .manual).subscriptions.first?.id)
        // Reminders 7 and 1 days before the renewal on 15/2, each on its day.
        var report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 8), actor: .system).report
        #expect(report.actions["renewal_reminder"] == 1)
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 14), actor: .system).report
        #expect(report.actions["renewal_reminder"] == 1)
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 15), actor: .system).report
        #expect(report.actions["renewal_reminder"] == nil)
        #expect(report.invoices == 1)
        #expect(report.chargesSucceeded + report.chargesFailed == 0)
        // Overdue 1 day (16/2) and 3 days (18/2); on 22/2, 7 days unpaid, it expires.
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 16), actor: .system).report
        #expect(report.actions["overdue_reminder"] == 1)
        report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 22), actor: .system).report
        #expect(report.actions["overdue_reminder"] == 1)
        #expect(report.actions["expired"] == 1)
        #expect(try await e.service.subscription(sid).subscription.status == .expired)
        let open = try #require(try await invoices(e, c.id).first { $0.billingKey != nil && $0.status == .open })
        _ = try await e.service.payInvoiceOutOfBand(open.id, reference: "VCB 123", actor: .system)
        let sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .active)
        #expect(sub.nextBillingAt != nil)
        try await e.store.close()
    }

    @Test("Enterprise in arrears: the month closes on its peak users, due at the end of the following month", arguments: TestDatabase.all)
    func arrears(db: TestDatabase) async throws {
        let e = try await env(db)
        let c = try await customer(e, card: nil, country: "JP", currency: "JPY", timeZone: "Asia/Tokyo")
        _ = try await buy(e, c, [.init(product: DemoCatalog.meeting, plan: "meeting_enterprise", cycle: .monthly, seats: 50)], mode: .manual)
        _ = try await e.service.reportUsage(customer: c.id, product: DemoCatalog.meeting.rawValue, quotas: ["users": 63], actor: .system)
        _ = try await e.service.reportUsage(customer: c.id, product: DemoCatalog.meeting.rawValue, quotas: ["users": 58], actor: .system)
        let report = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 2, 15), actor: .system).report
        #expect(report.actions["arrears_closed"] == 1)
        let invoice = try #require(try await invoices(e, c.id).first { $0.billingKey != nil })
        // Peak 63 users × 3,000 ¥ = 189,000 ¥ (consumption tax included), due 31/3 (the month closed 14/2 in Tokyo).
        #expect(invoice.totals.total.minorUnits == 189_000)
        #expect(invoice.lines.first?.quantity == 63)
        #expect(invoice.dueDate == (try CivilDate(2026, 3, 31)))
        try await e.store.close()
    }

    /// A charger that fails (throws) on its `n`th call, as a process crash would.
    final class CrashingCharger: PaymentCharger, @unchecked Sendable {
        let lock = NSLock()
        var calls = 0
        let crashAt: Int
        init(crashAt: Int) { self.crashAt = crashAt }
        struct Crash: Error {}
        func charge(_ method: PaymentMethod, amount: Money, invoice: String) async throws -> ChargeOutcome {
            let n = lock.withLock { calls += 1; return calls }
            if n == crashAt { throw Crash() }
            return .succeeded(reference: "ok")
        }
    }

    @Test("a run that crashes mid-batch leaves nothing half-written; the re-run invoices every period exactly once", arguments: TestDatabase.all)
    func crashAndRerun(db: TestDatabase) async throws {
        let e = try await env(db)
        var ids: [String] = []
        for _ in 0..<6 {
            let c = try await customer(e)
            ids.append(c.id)
            _ = try await buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)])
        }
        await #expect(throws: CrashingCharger.Crash.self) {
            _ = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 3, 15), charger: CrashingCharger(crashAt: 7), actor: .system)
        }
        // Batches of 500: the crash rolled back the whole batch, so no renewal invoice exists.
        var renewals = 0
        for id in ids { renewals += try await invoices(e, id).filter { $0.billingKey != nil }.count }
        #expect(renewals == 0)
        let report = try await e.service.runBilling(until: try day(2026, 3, 15), testClock: e.clock.id)
        #expect(report.invoices == 12)
        renewals = 0
        for id in ids { renewals += try await invoices(e, id).filter { $0.billingKey != nil }.count }
        #expect(renewals == 12)
        try await e.store.close()
    }

    @Test("a run that crashes between batches keeps the committed batches; the re-run bills only the rest", arguments: TestDatabase.all)
    func crashBetweenBatches(db: TestDatabase) async throws {
        let e = try await env(db)
        var ids: [String] = []
        for _ in 0..<6 {
            let c = try await customer(e)
            ids.append(c.id)
            _ = try await buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)])
        }
        // Batches of 2 subscriptions, 2 renewals each (15/2 and 15/3): the 7th charge is in the second batch.
        await #expect(throws: CrashingCharger.Crash.self) {
            _ = try await e.service.advanceTestClock(e.clock.id, to: try day(2026, 3, 15), charger: CrashingCharger(crashAt: 7),
                                                     batchSize: 2, actor: .system)
        }
        var renewals = 0
        for id in ids { renewals += try await invoices(e, id).filter { $0.billingKey != nil }.count }
        #expect(renewals == 4)
        let report = try await e.service.runBilling(until: try day(2026, 3, 15), batchSize: 2, testClock: e.clock.id)
        #expect(report.invoices == 8)
        var keys: [String] = []
        for id in ids { keys += try await invoices(e, id).compactMap(\.billingKey) }
        #expect(keys.count == 12)
        #expect(Set(keys).count == 12)
        try await e.store.close()
    }
}

