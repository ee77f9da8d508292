import Foundation
import RecurApp
import RecurCore
import RecurEngine
import RecurStore
import Testing

/// Issue 4's year of a seed-like customer, through one test clock: a Workspace trial
/// converted to yearly, Operation Process co-terminated with it, a seat upgrade that
/// carries Operation Process along, a declined renewal recovered by dunning — and
/// an Enterprise customer billed in arrears.
@Suite("A seed-like year")
struct SeedYearScenarioTests {
    static let start = Date(timeIntervalSince1970: 1_768_435_200)   // 2026-01-15 00:00 UTC

    func at(_ y: Int, _ m: Int, _ d: Int) throws -> Date { try CivilDate(y, m, d).startInstant(in: .gmt) }

    @Test("Workspace + Operation Process with co-termination, a trial, an upgrade, dunning recovered, Enterprise in arrears",
          arguments: TestDatabase.all)
    func year(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let service = RecurService(store: store, clock: ManualClock(Self.start), testMode: true, logger: TestDatabase.logger)
        try await service.seedCatalog(DemoCatalog.make())
        let clock = try await service.createTestClock(name: "year", at: Self.start, actor: .system)
        func advance(_ y: Int, _ m: Int, _ d: Int) async throws -> BillingReport {
            try await service.advanceTestClock(clock.id, to: try at(y, m, d), actor: .system).report
        }
        let a = try await service.createCustomer(CustomerChanges(name: "Công ty Sao Mai", country: "VN", currency: "VND", timeZone: "UTC",
                                                                 testClock: clock.id), actor: .system)
        let jp = try await service.createCustomer(CustomerChanges(name: "Hoshi KK", country: "JP", currency: "JPY", timeZone: "UTC",
                                                                  testClock: clock.id), actor: .system)

        // 15/1: a 30-day Workspace trial; 50 seats of Enterprise for the Japanese customer.
        _ = try await service.checkout(customer: a.id, order: Order(items: [
            .init(product: DemoCatalog.workspace, plan: "ws_standard", cycle: .yearly, seats: 5, trial: true)]), date: nil, actor: .system)
        _ = try await service.checkout(customer: jp.id, order: Order(items: [
            .init(product: DemoCatalog.meeting, plan: "meeting_enterprise", cycle: .monthly, seats: 50)], renewalMode: .manual), date: nil, actor: .system)
        _ = try await service.reportUsage(customer: jp.id, product: "meeting", quotas: ["users": 63], actor: .system)

        // 25/1: the trial converts to yearly (5 × 90,000 × 12 = 5,400,000 − 20 % = 4,320,000 + 10 % VAT = 4,752,000).
        var report = try await advance(2026, 1, 25)
        #expect(report.actions["trial_reminder"] == nil)   // the first reminder would be on 7/2, 7 days before the 14/2 end
        _ = try await service.setPaymentMethod(customer: a.id, cardNumber: "4242424242424242", actor: .system)
        let converted = try await service.checkout(customer: a.id, order: Order(items: [
            .init(product: DemoCatalog.workspace, plan: "ws_standard", cycle: .yearly, seats: 5)]), date: nil, actor: .system)
        #expect(converted.invoice?.totals.total.minorUnits == 4_752_000)
        let ws = try #require(converted.subscriptions.first)
        #expect(ws.subscription.status == .active)
        #expect(ws.subscription.currentPeriod == (try Period(start: CivilDate(2026, 1, 25), end: CivilDate(2027, 1, 25))))

        // 15/2: Enterprise closes its first month on the peak of 63 users: 189,000 ¥, due 31/3.
        report = try await advance(2026, 2, 15)
        #expect(report.actions["arrears_closed"] == 1)
        let jpInvoice = try #require(try await service.listInvoices(customer: jp.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items.first)
        #expect(jpInvoice.totals.total.minorUnits == 189_000)
        #expect(jpInvoice.dueDate == (try CivilDate(2026, 3, 31)))

        // 10/6: Operation Process yearly, co-terminated with Workspace's year: 229 of 365 days.
        // 5 × 40,000 × 12 = 2,400,000 × 229/365 = 1,505,753; − 20 % (301,151) = 1,204,602; VAT 120,460 → 1,325,062.
        _ = try await advance(2026, 6, 10)
        let op = try await service.checkout(customer: a.id, order: Order(items: [
            .init(product: DemoCatalog.operationProcess, plan: "op_starter", cycle: .yearly)]), date: nil, actor: .system)
        #expect(op.quote.coTermination == nil)
        #expect(op.invoice?.lines.first?.period == (try Period(start: CivilDate(2026, 6, 10), end: CivilDate(2027, 1, 25))))
        #expect(op.invoice?.totals.total.minorUnits == 1_325_062)
        let opID = try #require(op.subscriptions.first { $0.subscription.product == DemoCatalog.operationProcess }?.id)

        // 1/8: Workspace 5 → 8 seats now; Operation Process follows (its seats equal Workspace's).
        _ = try await advance(2026, 8, 1)
        let upgrade = try await service.applyChange(subscription: ws.id, ChangeRequest(seats: 8), actor: .system)
        #expect(upgrade.result.subscriptions.map(\.seats) == [8, 8])
        #expect(upgrade.invoice?.lines.filter { $0.kind == .credit }.count == 2)
        #expect(upgrade.invoice?.lines.filter { $0.kind == .plan }.count == 2)
        #expect(try await service.subscription(opID).subscription.seats == 8)
        // The upgrade's invoice is charged to the saved card the next day, as the checkouts' were.
        report = try await advance(2026, 8, 2)
        #expect(report.actions["invoice_charged"] == 1)
        #expect(report.chargesSucceeded == 1)
        #expect(try await service.invoice(try #require(upgrade.invoice?.id)).status == .paid)

        // The card is declined at the yearly renewal on 25/1/2027; dunning retries on day 1 and,
        // after the card is replaced, day 3 succeeds.
        _ = try await service.setPaymentMethod(customer: a.id, cardNumber: "4000000000000341", actor: .system)
        report = try await advance(2027, 1, 26)
        #expect(report.chargesFailed == 4)   // two renewals, two day-1 retries
        #expect(try await service.subscription(ws.id).subscription.status == .pastDue)
        _ = try await service.setPaymentMethod(customer: a.id, cardNumber: "4242424242424242", actor: .system)
        report = try await advance(2027, 1, 28)
        #expect(report.chargesSucceeded == 2)
        let renewedWS = try await service.subscription(ws.id)
        #expect(renewedWS.subscription.status == .active)
        #expect(renewedWS.subscription.currentPeriod == (try Period(start: CivilDate(2027, 1, 25), end: CivilDate(2028, 1, 25))))
        // Renewals at 8 seats: Workspace 8 × 90,000 × 12 − 20 % = 6,912,000 + VAT = 7,603,200;
        // Operation Process 8 × 40,000 × 12 − 20 % = 3,072,000 + VAT = 3,379,200.
        let renewals = try await service.listInvoices(customer: a.id, subscription: nil, status: "paid", limit: 100, startingAfter: nil).items
            .filter { $0.billingKey != nil }
        #expect(Set(renewals.map(\.totals.total.minorUnits)) == [7_603_200, 3_379_200])
        // Twelve Enterprise months were closed along the way, one invoice each.
        let jpInvoices = try await service.listInvoices(customer: jp.id, subscription: nil, status: nil, limit: 100, startingAfter: nil).items
        #expect(jpInvoices.count == 12)
        try await store.close()
    }
}
