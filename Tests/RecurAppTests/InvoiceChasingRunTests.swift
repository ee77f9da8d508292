import Foundation
import RecurApp
import RecurCore
import RecurEngine
import RecurStore
import Testing

/// The billing run chases the open invoices no renewal tracks — a checkout's, a change's, an
/// arrears month's, a one-off's — through test clocks, on every database.
@Suite("Billing run: chasing unpaid invoices")
struct InvoiceChasingRunTests {
    typealias Base = BillingRunTests
    let base = Base()

    func events(_ e: Base.Env, _ customer: String, _ type: String) async throws -> [[String: String]] {
        try await e.store.transaction { tx in try await tx.all(EventRecord.self, filters: ["customer_id": .text(customer), "type": .text(type)]) }
            .sorted { ($0.created, $0.id) < ($1.created, $1.id) }
            .map { try JSONDecoder().decode([String: String].self, from: Data($0.payload.utf8)) }
    }

    func audits(_ e: Base.Env, _ target: String) async throws -> [String] {
        try await e.service.audit(customer: nil, target: target, limit: 100, startingAfter: nil).items.map(\.action)
    }

    /// A customer without a card who buys 2 seats of Workspace Starter, monthly from 15/1, manual
    /// renewal (132,000 ₫), and pays the checkout's invoice only when `pay`.
    func starter(_ e: Base.Env, pay: Bool) async throws -> (customer: CustomerRecord, bought: CheckoutOutcome) {
        let c = try await base.customer(e, card: nil)
        let bought = try await base.buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)], mode: .manual, pay: pay)
        return (c, bought)
    }

    /// A Japanese customer on 50 seats of Enterprise (in arrears, manual renewal) from 15/1, with a peak of 63 users.
    func enterprise(_ e: Base.Env) async throws -> (customer: CustomerRecord, subscription: String) {
        let c = try await base.customer(e, card: nil, country: "JP", currency: "JPY", timeZone: "UTC")
        let bought = try await base.buy(e, c, [.init(product: DemoCatalog.meeting, plan: "meeting_enterprise", cycle: .monthly, seats: 50)], mode: .manual)
        _ = try await e.service.reportUsage(customer: c.id, product: DemoCatalog.meeting.rawValue, quotas: ["users": 63], actor: .system)
        return (c, try #require(bought.subscriptions.first?.id))
    }

    func advance(_ e: Base.Env, _ y: Int, _ m: Int, _ d: Int) async throws -> BillingReport {
        try await e.service.advanceTestClock(e.clock.id, to: try base.day(y, m, d), actor: .system).report
    }

    @Test("an unpaid checkout without a card: reminded 1 and 3 days overdue, expired after 7 days, locked 14 days later; paying reactivates it",
          arguments: TestDatabase.all)
    func unpaidCheckout(db: TestDatabase) async throws {
        let e = try await base.env(db)
        let (c, bought) = try await starter(e, pay: false)
        let sid = try #require(bought.subscriptions.first?.id)
        let invoice = try #require(bought.invoice)
        // 2 seats × 60,000 = 120,000 + 10 % VAT = 132,000 ₫, due at once (15/1); first looked at on 16/1.
        #expect(invoice.totals.total.minorUnits == 132_000)
        #expect(invoice.collectAt == (try base.day(2026, 1, 16)))

        var report = try await advance(e, 2026, 1, 16)
        #expect(report.actions["invoice_overdue_reminder"] == 1)
        report = try await advance(e, 2026, 1, 18)
        #expect(report.actions["invoice_overdue_reminder"] == 1)
        let reminders = try await events(e, c.id, "invoice.overdue")
        #expect(reminders.map { $0["days_overdue"] } == ["1", "3"])
        #expect(reminders.allSatisfy { $0["invoice"] == invoice.id && $0["subscription"] == sid })
        #expect(try await e.service.subscription(sid).subscription.status == .active)

        // 22/1: seven days unpaid, the subscription expires (read-only) and waits on the invoice.
        report = try await advance(e, 2026, 1, 22)
        #expect(report.actions["invoice_expired"] == 1)
        #expect(report.actions["expired"] == 1)
        let expired = try await e.service.subscription(sid)
        #expect(expired.subscription.status == .expired)
        #expect(expired.collection?.openInvoice == invoice.id)
        #expect(expired.collection?.expiredOn == (try CivilDate(2026, 1, 22)))
        #expect(expired.nextBillingAt == (try base.day(2026, 2, 5)))
        let after = try await e.service.invoice(invoice.id)
        #expect(after.status == .open)
        #expect(after.collectAt == nil)
        #expect(after.chase == InvoiceChase(expires: true, remindersSent: [1, 3], expired: true))
        #expect(try await e.service.entitlements(customer: c.id).products[DemoCatalog.workspace]?.access == .readOnly)
        #expect(try await audits(e, invoice.id).filter { $0 == "invoice.overdue" }.count == 2)
        #expect(try await audits(e, sid).contains("subscription.expired"))

        // 5/2: locked, 14 days after the expiry.
        report = try await advance(e, 2026, 2, 5)
        #expect(report.actions["locked"] == 1)
        #expect(report.actions["invoice_overdue_reminder"] == nil)
        // Paid on 5/2, while the period (to 15/2) still runs: active again, renewing on 15/2.
        _ = try await e.service.payInvoiceOutOfBand(invoice.id, reference: "VCB 42", actor: .system)
        let paid = try await e.service.subscription(sid)
        #expect(paid.subscription.status == .active)
        #expect(paid.collection == nil)
        #expect(paid.nextBillingAt == (try base.day(2026, 2, 8)))   // the renewal reminder, 7 days before 15/2
        try await e.store.close()
    }

    @Test("a saved card pays a checkout's invoice the next day; a declined one is retried on days 1, 3, 5, 7 after, then the subscription expires",
          arguments: TestDatabase.all)
    func chargedAutomatically(db: TestDatabase) async throws {
        let e = try await base.env(db)
        let good = try await base.customer(e)
        let declined = try await base.customer(e, card: "4000000000000341")
        let items: [Order.Item] = [.init(product: DemoCatalog.workspace, plan: "ws_standard", cycle: .monthly, seats: 3)]
        // Workspace and Operation Process on one invoice: 3 × 90,000 = 270,000 and 3 × 40,000 = 120,000;
        // 390,000 + 10 % VAT = 429,000 ₫.
        let paidFor = try await base.buy(e, good, items + [.init(product: DemoCatalog.operationProcess, plan: "op_starter", cycle: .monthly)], pay: false)
        let refused = try await base.buy(e, declined, items, pay: false)
        #expect(paidFor.invoice?.totals.total.minorUnits == 429_000)
        // 270,000 + 10 % VAT = 297,000 ₫.
        #expect(refused.invoice?.totals.total.minorUnits == 297_000)

        var report = try await advance(e, 2026, 1, 16)
        #expect(report.actions["invoice_charged"] == 1)
        #expect(report.actions["invoice_charge_failed"] == 1)
        #expect(report.chargesSucceeded == 1)
        #expect(report.chargesFailed == 1)
        let paid = try await e.service.invoice(try #require(paidFor.invoice?.id))
        #expect(paid.status == .paid)
        #expect(paid.amountPaid.minorUnits == 429_000)
        #expect(paid.columns["collect_at"] == .int(nil))
        let receipts = try await e.store.transaction { tx in try await tx.all(PaymentRecord.self, filters: ["invoice_id": .text(paid.id)]) }
        #expect(receipts.map(\.amount.minorUnits) == [429_000])
        #expect(receipts.first?.method == "sandbox_card")
        #expect(receipts.first?.number.hasPrefix("RCP-2026-") == true)
        #expect(try await audits(e, paid.id).contains("invoice.paid"))
        // Each subscription keeps what its own lines cost (what an upgrade may later credit), not the invoice's whole net.
        var paidForPeriods: [String: Int64] = [:]
        for r in paidFor.subscriptions { paidForPeriods[r.subscription.product.rawValue] = try await e.service.subscription(r.id).subscription.paidForPeriod.minorUnits }
        #expect(paidForPeriods == [DemoCatalog.workspace.rawValue: 270_000, DemoCatalog.operationProcess.rawValue: 120_000])
        let goodSub = try await e.service.subscription(try #require(paidFor.subscriptions.first?.id))
        #expect(try await events(e, declined.id, "invoice.payment_failed").count == 1)
        let failing = try await e.service.invoice(try #require(refused.invoice?.id))
        #expect(failing.chase?.failedCharges == 1)
        #expect(failing.collectAt == (try base.day(2026, 1, 17)))

        // Retries on 17, 19, 21 and 23/1 fail; on 23/1 the subscription expires.
        report = try await advance(e, 2026, 1, 23)
        #expect(report.chargesFailed == 4)
        #expect(report.actions["invoice_charge_failed"] == 4)
        #expect(report.actions["invoice_expired"] == 1)
        let sub = try await e.service.subscription(try #require(refused.subscriptions.first?.id))
        #expect(sub.subscription.status == .expired)
        #expect(sub.collection?.expiredOn == (try CivilDate(2026, 1, 23)))
        #expect(try await audits(e, failing.id).filter { $0 == "invoice.payment_failed" }.count == 5)
        #expect(try await e.service.subscription(goodSub.id).subscription.status == .active)
        try await e.store.close()
    }

    @Test("paying or voiding an invoice stops its chasing; a one-off's invoice is reminded and nothing expires", arguments: TestDatabase.all)
    func stopped(db: TestDatabase) async throws {
        let e = try await base.env(db)
        let items: [Order.Item] = [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)]
        let payer = try await base.customer(e, card: nil)
        let voider = try await base.customer(e, card: nil)
        let paying = try await base.buy(e, payer, items, mode: .manual, pay: false)
        let voiding = try await base.buy(e, voider, items, mode: .manual, pay: false)
        let phone = try await e.service.purchase(customer: payer.id, charge: "phone_credit", quantity: 3, actor: .system)
        #expect(phone.status == .open)
        #expect(phone.chase == InvoiceChase(expires: false))

        var report = try await advance(e, 2026, 1, 16)
        #expect(report.actions["invoice_overdue_reminder"] == 3)
        _ = try await e.service.payInvoiceOutOfBand(try #require(paying.invoice?.id), reference: "VCB 7", actor: .system)
        _ = try await e.service.voidInvoice(try #require(voiding.invoice?.id), actor: .system)
        // A voided invoice leaves the run's index (its time stays on the record, unused).
        #expect(try await e.service.invoice(try #require(voiding.invoice?.id)).columns["collect_at"] == .int(nil))

        // Only the phone credit's invoice is chased on: its 3-day reminder, and no expiry of anything.
        report = try await advance(e, 2026, 1, 30)
        #expect(report.actions["invoice_overdue_reminder"] == 1)
        #expect(report.actions["invoice_expired"] == nil)
        #expect(report.actions["expired"] == nil)
        // The subscription's invoice was reminded once (on 16/1), before it was paid.
        #expect(try await events(e, payer.id, "invoice.overdue").filter { $0["invoice"] == paying.invoice?.id }.map { $0["days_overdue"] } == ["1"])
        let phoneReminders = try await events(e, payer.id, "invoice.overdue").filter { $0["invoice"] == phone.id }.map { $0["days_overdue"] }
        #expect(phoneReminders == ["1", "3"])
        #expect(try await e.service.invoice(phone.id).collectAt == nil)
        for s in [paying, voiding] {
            #expect(try await e.service.subscription(try #require(s.subscriptions.first?.id)).subscription.status == .active)
        }
        try await e.store.close()
    }

    @Test("an Enterprise month unpaid: reminded 1 and 3 days after its due date (the end of the following month), never cut off",
          arguments: TestDatabase.all)
    func arrearsReminded(db: TestDatabase) async throws {
        let e = try await base.env(db)
        let (c, sid) = try await enterprise(e)
        var report = try await advance(e, 2026, 2, 15)
        #expect(report.actions["arrears_closed"] == 1)
        let january = try #require(try await base.invoices(e, c.id).first { $0.billingKey != nil })
        // Peak 63 users × 3,000 ¥ = 189,000 ¥, due 31/3; first looked at on 1/4.
        #expect(january.totals.total.minorUnits == 189_000)
        #expect(january.dueDate == (try CivilDate(2026, 3, 31)))
        #expect(january.chase == InvoiceChase(expires: false))
        #expect(january.collectAt == (try base.day(2026, 4, 1)))
        report = try await advance(e, 2026, 3, 31)
        #expect(report.actions["invoice_overdue_reminder"] == nil)
        report = try await advance(e, 2026, 4, 1)
        #expect(report.actions["invoice_overdue_reminder"] == 1)
        report = try await advance(e, 2026, 4, 3)
        #expect(report.actions["invoice_overdue_reminder"] == 1)
        #expect(try await events(e, c.id, "invoice.overdue").map { [$0["invoice"]!, $0["days_overdue"]!] } == [[january.id, "1"], [january.id, "3"]])
        // Months later, still unpaid: the contract, not the run, decides; the subscription stays active.
        report = try await advance(e, 2026, 9, 1)
        #expect(report.actions["invoice_expired"] == nil)
        #expect(report.actions["expired"] == nil)
        // February to May, due 30/4 … 31/7, are past both their reminder days: each gets its 3-day
        // reminder, its 1-day one passed over as stale; June's, due 31/8, gets its 1-day one.
        #expect(report.actions["invoice_overdue_reminder"] == 5)
        #expect(report.actions["invoice_reminder_skipped"] == 4)
        #expect(try await e.service.subscription(sid).subscription.status == .active)
        #expect(try await e.service.invoice(january.id).status == .open)
        try await e.store.close()
    }

    @Test("a clock moved a month at once: the stale reminders are passed over, the expiry comes before the renewal it would have prevented",
          arguments: TestDatabase.all)
    func catchUp(db: TestDatabase) async throws {
        let e = try await base.env(db)
        let (c, bought) = try await starter(e, pay: false)
        let sid = try #require(bought.subscriptions.first?.id)
        let report = try await advance(e, 2026, 2, 20)
        #expect(report.actions["invoice_reminder_skipped"] == 2)
        #expect(report.actions["invoice_overdue_reminder"] == nil)
        #expect(report.actions["invoice_expired"] == 1)
        #expect(report.actions["renewed"] == nil)
        #expect(report.invoices == 0)
        #expect(report.actions["locked"] == 1)
        let sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .locked)
        #expect(sub.collection?.expiredOn == (try CivilDate(2026, 1, 22)))
        #expect(try await events(e, c.id, "invoice.overdue").isEmpty)
        try await e.store.close()
    }

    @Test("a clock jump past a renewal: the unpaid upgrade's expiry waits for the renewal, and after the renewal is paid, the upgrade's invoice still expires it",
          arguments: TestDatabase.all)
    func expiryWaitsForRenewal(db: TestDatabase) async throws {
        let e = try await base.env(db)
        let (c, bought) = try await starter(e, pay: true)
        let sid = try #require(bought.subscriptions.first?.id)
        _ = try await advance(e, 2026, 2, 12)
        // 12/2: 2 → 4 seats, left unpaid (due at once; its expiry would be on 19/2).
        let upgrade = try #require(try await e.service.applyChange(subscription: sid, ChangeRequest(seats: 4), actor: .system).invoice)
        #expect(upgrade.status == .open)
        // One jump to 1/3: the renewal on 15/2 comes first (issued, left open: manual); the subscription then
        // waits on it, reminded 16 and 18/2 and expired by it on 22/2; the upgrade's expiry waits meanwhile.
        var report = try await advance(e, 2026, 3, 1)
        #expect(report.actions["renewed"] == 1)
        #expect(report.actions["invoice_expired"] == nil)
        var sub = try await e.service.subscription(sid)
        let renewal = try #require(try await base.invoices(e, c.id).first { $0.billingKey == "\(sid)@2026-02-15" })
        #expect(sub.subscription.status == .expired)
        #expect(sub.collection?.openInvoice == renewal.id)
        #expect(sub.collection?.expiredOn == (try CivilDate(2026, 2, 22)))
        #expect(try await e.service.invoice(upgrade.id).collectAt == (try base.day(2026, 3, 2)))
        // The renewal is paid on 1/3: active again while its period (to 15/3) runs …
        _ = try await e.service.payInvoiceOutOfBand(renewal.id, reference: "VCB 9", actor: .system)
        #expect(try await e.service.subscription(sid).subscription.status == .active)
        // … and on 2/3 the upgrade, still unpaid, expires it.
        report = try await advance(e, 2026, 3, 2)
        #expect(report.actions["invoice_expired"] == 1)
        sub = try await e.service.subscription(sid)
        #expect(sub.subscription.status == .expired)
        #expect(sub.collection?.openInvoice == upgrade.id)
        #expect(sub.collection?.expiredOn == (try CivilDate(2026, 3, 2)))
        try await e.store.close()
    }

    @Test("a month the run closes is chased in the same run when its reminder is already due (the pass after the subscriptions)",
          arguments: TestDatabase.all)
    func closedAndRemindedInOneRun(db: TestDatabase) async throws {
        let e = try await base.env(db)
        let (c, _) = try await enterprise(e)
        // One jump from 15/1 to 1/4: January closes on 15/2 (due 31/3) and February on 15/3; January is 1 day overdue.
        let report = try await advance(e, 2026, 4, 1)
        #expect(report.actions["arrears_closed"] == 2)
        #expect(report.actions["invoice_overdue_reminder"] == 1)
        let reminded = try await events(e, c.id, "invoice.overdue")
        let january = try #require(try await base.invoices(e, c.id).first { $0.dueDate == (try CivilDate(2026, 3, 31)) })
        #expect(reminded.map { [$0["invoice"]!, $0["days_overdue"]!] } == [[january.id, "1"]])
        try await e.store.close()
    }
}
