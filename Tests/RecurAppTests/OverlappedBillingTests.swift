import Foundation
import RecurApp
import RecurCore
import RecurEngine
@testable import RecurStore
import Synchronization
import Testing

/// The billing run on SQLite reads batch k+1 before batch k's writes are queued and prices
/// it while SQLite writes them, each batch still its own commit. These tests run with
/// batches of one subscription, so every batch is overlapped with the one before it, and
/// compare with the sequential run (`overlapBatches: false`; PostgreSQL is always sequential).
@Suite("Billing run: overlapped batches")
struct OverlappedBillingTests {
    typealias Base = BillingRunTests

    /// A customer on the real (manual) clock, paying by card: `runBilling(until:)` bills it at that time.
    func customer(_ e: Base.Env) async throws -> CustomerRecord {
        let c = try await e.service.createCustomer(CustomerChanges(name: "Batch Co", country: "VN", currency: "VND", timeZone: "UTC",
                                                                  invoiceEmails: ["billing@batch.example"]), actor: .system)
        return try await e.service.setPaymentMethod(customer: c.id, cardNumber: "4242424242424242", actor: .system)
    }

    /// Workspace, Operation Process and App Builder Starter, 2 seats each, monthly, bought on
    /// 15/1 by one customer; due on 15/2 for 132,000 + 88,000 + 110,000 = 330,000 ₫.
    func threeSubscriptions(_ e: Base.Env) async throws -> (customer: String, subscriptions: [String]) {
        let c = try await customer(e)
        var subs: [String] = []
        for (product, plan) in [(DemoCatalog.workspace, "ws_starter"), (DemoCatalog.operationProcess, "op_starter"), (DemoCatalog.appBuilder, "ab_starter")] {
            let bought = try await Base().buy(e, c, [.init(product: product, plan: PlanID(plan), cycle: .monthly, seats: 2)])
            subs.append(try #require(bought.subscriptions.first?.id))
        }
        return (c.id, subs)
    }

    @Test("a customer in consecutive batches: its credit is spent once across them, overlapped or not",
          arguments: TestDatabase.all, [true, false])
    func creditCarriedAcrossBatches(db: TestDatabase, overlap: Bool) async throws {
        let base = Base()
        let e = try await base.env(db)
        let (cid, subs) = try await threeSubscriptions(e)
        // A credit of exactly the three renewals. A batch that read the customer as the database
        // held it before the previous batch was written would spend it again, and end with a credit.
        try await e.store.transaction { tx in
            var customer = try #require(try await tx.lock(CustomerRecord.self, id: cid))
            customer.balance = Money(minorUnits: -330_000, currency: .vnd)
            try await tx.update(customer)
        }
        let report = try await e.service.runBilling(until: try base.day(2026, 2, 15), batchSize: 1, overlapBatches: overlap, handBackAfter: .seconds(60))
        #expect(report.subscriptions == 3)
        #expect(report.invoices == 3)
        #expect(report.chargesSucceeded == 0)
        let renewals = try await base.invoices(e, cid).filter { $0.billingKey != nil }
        #expect(renewals.map(\.totals.total.minorUnits).sorted() == [88_000, 110_000, 132_000])
        #expect(renewals.allSatisfy { $0.status == .paid && $0.amountPaid == $0.totals.total })
        #expect(Set(renewals.map { $0.subscriptions[0] }) == Set(subs))
        #expect(try await e.service.customer(cid).balance.minorUnits == 0)
        // Numbers stay gap-free across the batches.
        let numbers = renewals.compactMap { $0.number.flatMap { Int($0.split(separator: "-").last ?? "") } }.sorted()
        #expect(numbers.count == 3)
        #expect(numbers.last.map { $0 - numbers[0] } == 2)
        try await e.store.close()
    }

    @Test("a duplicate found by a queued write ends the run: earlier batches stay, the failing one and the next leave nothing",
          arguments: TestDatabase.all, [(true, 2), (false, 2), (true, 3), (false, 3)])
    func failedQueuedWrite(db: TestDatabase, case: (overlap: Bool, failing: Int)) async throws {
        let overlap = `case`.overlap
        let failing = `case`.failing
        let base = Base()
        let e = try await base.env(db)
        var subs: [String] = []
        var customers: [String] = []
        for _ in 0..<4 {
            let c = try await customer(e)
            customers.append(c.id)
            let bought = try await base.buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)])
            subs.append(try #require(bought.subscriptions.first?.id))
        }
        // The run takes them by (next billing time, id): in id order here, all being due on 15/2.
        let order = subs.indices.sorted { subs[$0] < subs[$1] }
        subs = order.map { subs[$0] }
        customers = order.map { customers[$0] }
        // The failing one's 15/2 period is already invoiced (as if by a run that crashed after writing
        // it). The third batch's failure surfaces while the fourth is priced; the last one's at the commit.
        let planted = try #require(try await base.invoices(e, customers[failing]).first)
        let key = "\(subs[failing])@2026-02-15"
        try await e.store.transaction { tx in
            var copy = planted
            copy.id = "in_planted"
            copy.number = nil
            copy.billingKey = key
            try await tx.insert(copy)
        }
        // The run's own invoice for that period meets the planted one's billing key.
        let error = await #expect(throws: StoreError.self) {
            _ = try await e.service.runBilling(until: try base.day(2026, 2, 15), batchSize: 1, overlapBatches: overlap, handBackAfter: .seconds(60))
        }
        #expect(error?.kind == .duplicate)
        #expect(error?.table == "invoices")
        #expect(error.map { $0.id.hasPrefix("in_") && $0.id != "in_planted" } == true)
        var renewed: [Int] = []
        for c in customers { renewed.append(try await base.invoices(e, c).filter { $0.billingKey != nil && $0.id != "in_planted" }.count) }
        #expect(renewed == (0..<4).map { $0 < failing ? 1 : 0 })
        var next: [Date?] = []
        for s in subs { next.append(try await e.service.subscription(s).nextBillingAt) }
        #expect(next == (0..<4).map { try? base.day(2026, $0 < failing ? 3 : 2, 15) })
        try await e.store.close()
    }

    /// A charger that throws on its `n`th call, as a crashing process would.
    typealias Crashing = BillingRunTests.CrashingCharger

    @Test("a crash while the previous batch's writes are queued: that batch commits, the crashing one leaves nothing",
          arguments: TestDatabase.all, [true, false])
    func crashWithWritesQueued(db: TestDatabase, overlap: Bool) async throws {
        let base = Base()
        let e = try await base.env(db)
        var customers: [String] = []
        for _ in 0..<4 {
            let c = try await customer(e)
            customers.append(c.id)
            _ = try await base.buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)])
        }
        // No test clock: nothing reads the database while batch 2's writes are queued and batch 3 is charged.
        await #expect(throws: Crashing.Crash.self) {
            _ = try await e.service.runBilling(until: try base.day(2026, 2, 15), batchSize: 1, charger: Crashing(crashAt: 3),
                                               overlapBatches: overlap, handBackAfter: .seconds(60))
        }
        var renewed = 0
        for c in customers { renewed += try await base.invoices(e, c).filter { $0.billingKey != nil }.count }
        #expect(renewed == 2)
        // The re-run bills the other two, once each.
        let report = try await e.service.runBilling(until: try base.day(2026, 2, 15), batchSize: 1, overlapBatches: overlap)
        #expect(report.invoices == 2)
        var keys: [String] = []
        for c in customers { keys += try await base.invoices(e, c).compactMap(\.billingKey) }
        #expect(keys.count == 4)
        #expect(Set(keys).count == 4)
        try await e.store.close()
    }

    @Test("a customer in batches 1 and 3 but not 2 is read after batch 1 is written: its credit is spent once",
          arguments: TestDatabase.all, [true, false])
    func customerSkippingABatch(db: TestDatabase, overlap: Bool) async throws {
        let base = Base()
        let e = try await base.env(db)
        let a = try await customer(e)
        let b = try await customer(e)
        // Subscriptions written directly, so that their ids put them in the order A, B, A (2 seats of
        // Workspace Starter, monthly from 15/1: 132,000 ₫ each on 15/2).
        let anchor = try CivilDate(2026, 1, 15)
        let schedule = BillingSchedule(anchor: anchor, cycle: .monthly)
        let due = try base.day(2026, 2, 15)
        try await e.store.transaction { tx in
            for (id, owner) in [("sub_order_1", a.id), ("sub_order_2", b.id), ("sub_order_3", a.id)] {
                let s = Subscription(id: SubscriptionID(id), customer: CustomerID(owner), product: DemoCatalog.workspace, plan: "ws_starter",
                                     seats: 2, addOns: [:], currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0),
                                     paidForPeriod: .zero(.vnd))
                try await tx.insert(SubscriptionRecord(subscription: s, created: BillingRunTests.start, nextBillingAt: due))
            }
            var credited = try #require(try await tx.lock(CustomerRecord.self, id: a.id))
            credited.balance = Money(minorUnits: -200_000, currency: .vnd)
            try await tx.update(credited)
        }
        let report = try await e.service.runBilling(until: due, batchSize: 1, overlapBatches: overlap, handBackAfter: .seconds(60))
        #expect(report.invoices == 3)
        // A's credit pays its first invoice whole and 68,000 of its second; the card pays the other 64,000 and B's.
        #expect(report.chargesSucceeded == 2)
        let first = try #require(try await base.invoices(e, a.id).first { $0.billingKey == "sub_order_1@2026-02-15" })
        let second = try #require(try await base.invoices(e, a.id).first { $0.billingKey == "sub_order_3@2026-02-15" })
        #expect(first.totals.total.minorUnits == 132_000 && first.amountPaid.minorUnits == 132_000 && first.status == .paid)
        #expect(second.totals.total.minorUnits == 132_000 && second.amountPaid.minorUnits == 132_000 && second.status == .paid)
        let payments = try await e.store.transaction { tx in try await tx.all(PaymentRecord.self, filters: ["invoice_id": .text(second.id)]) }
        #expect(payments.map(\.amount.minorUnits) == [64_000])
        #expect(try await e.service.customer(a.id).balance.minorUnits == 0)
        try await e.store.close()
    }

    /// Counts the transactions a service opens on the store, and fails `conflicts` of them after
    /// the first two (the run's read of the catalog, its first pass over invoices to chase) with the conflict SQLite's guarded counter raises
    /// when another process numbered on the same file. Keeps the transaction running now, for a
    /// stand-in for that other process.
    struct CountingStore: Store {
        let inner: SQLStore
        var conflicts = 0
        let count = Counter()
        final class Current: Sendable { let value = Mutex<(any Transaction)?>(nil) }
        let current = Current()
        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var n = 0
            func add() -> Int { lock.withLock { n += 1; return n } }
            var value: Int { lock.withLock { n } }
        }
        var kind: String { inner.kind }
        var queuesWrites: Bool { inner.queuesWrites }
        func transaction<T: Sendable>(_ body: @escaping @Sendable (any Transaction) async throws -> T) async throws -> T {
            let n = count.add()
            if n > 2, n <= conflicts + 2 { throw StoreError(.conflict, table: "sequences", id: "INV-2026") }
            return try await inner.transaction { tx in
                current.value.withLock { $0 = tx }
                return try await body(tx)
            }
        }
        func migrate() async throws -> [Int] { try await inner.migrate() }
        func ping() async throws { try await inner.ping() }
        func close() async throws { try await inner.close() }
    }

    @Test("a counter conflict (another process numbered meanwhile) is retried in a new transaction, up to three times in a row")
    func counterConflictIsRetried() async throws {
        for (failing, succeeds) in [(3, true), (4, false)] {
            let base = Base()
            let e = try await base.env(.sqlite)
            let c = try await customer(e)
            let bought = try await base.buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)])
            let sub = try #require(bought.subscriptions.first?.id)
            let store = CountingStore(inner: e.store, conflicts: failing)
            let service = RecurService(store: store, clock: ManualClock(BillingRunTests.start), testMode: true, logger: TestDatabase.logger)
            if succeeds {
                let report = try await service.runBilling(until: try base.day(2026, 2, 15))
                #expect(report.invoices == 1)
                #expect(try await base.invoices(e, c.id).compactMap(\.billingKey) == ["\(sub)@2026-02-15"])
            } else {
                await #expect(throws: StoreError(.conflict, table: "sequences", id: "INV-2026")) {
                    _ = try await service.runBilling(until: try base.day(2026, 2, 15))
                }
                #expect(try await base.invoices(e, c.id).compactMap(\.billingKey).isEmpty)
            }
            try await e.store.close()
        }
    }

    /// The sandbox's charge; its `at`-th charge first moves the invoice counter on, on the
    /// run's own SQLite connection, as another process numbering between two batches would.
    struct CounterMovingCharger: PaymentCharger {
        let store: CountingStore
        let at: Int
        final class Calls: Sendable { let count = Mutex(0) }
        let calls = Calls()
        func charge(_ method: PaymentMethod, amount: Money, invoice: String) async throws -> ChargeOutcome {
            if calls.count.withLock({ $0 += 1; return $0 }) == at {
                let sql = try #require(store.current.value.withLock { $0 } as? SQLTransaction)
                try await sql.moveCounterAsAnotherProcess("INV-2026", to: 50)
            }
            return try await SandboxCharger().charge(method, amount: amount, invoice: invoice)
        }
    }

    @Test("a counter conflict after batches were committed: the run goes on after them, reports every invoice once, and numbers without gaps")
    func conflictAfterCommittedBatches() async throws {
        let base = Base()
        let e = try await base.env(.sqlite)
        let (cid, subs) = try await threeSubscriptions(e)
        let before = try await base.invoices(e, cid).count
        let store = CountingStore(inner: e.store)
        let service = RecurService(store: store, clock: ManualClock(BillingRunTests.start), testMode: true, logger: TestDatabase.logger)
        // Batches of one in one transaction (no hand-back, however slow the machine): the first is
        // committed, the second meets the moved counter and is rolled back.
        let report = try await service.runBilling(until: try base.day(2026, 2, 15), batchSize: 1,
                                                  charger: CounterMovingCharger(store: store, at: 2), handBackAfter: .seconds(600))
        // The catalog's read, the first pass over invoices to chase, the transaction that met the
        // conflict, the one that billed the rest, the one that found nothing more due, and the last
        // pass over invoices to chase (without the conflict: 5).
        #expect(store.count.value == 6)
        #expect(report.subscriptions == 3)
        #expect(report.invoices == 3)
        #expect(report.chargesSucceeded == 3)
        let renewals = try await base.invoices(e, cid).filter { $0.billingKey != nil }
        #expect(Set(renewals.compactMap(\.billingKey)) == Set(subs.map { "\($0)@2026-02-15" }))
        #expect(renewals.count == 3)
        // The stand-in's move was rolled back with the failing batch: the numbers go on from the checkout's.
        #expect(renewals.compactMap(\.number).sorted() == (before + 1...before + 3).map { String(format: "INV-2026-%06d", $0) })
        try await e.store.close()
    }

    /// A card charge that takes `delay`, then succeeds as the sandbox's.
    struct SlowCharger: PaymentCharger {
        let delay: Duration
        func charge(_ method: PaymentMethod, amount: Money, invoice: String) async throws -> ChargeOutcome {
            try await Task.sleep(for: delay)
            return try await SandboxCharger().charge(method, amount: amount, invoice: invoice)
        }
    }

    @Test("the writer is handed back when a batch's charges outlast the hand-back: the batch read ahead is dropped, read again by the next transaction, and billed once")
    func handBackAfterSlowCharges() async throws {
        var opened: [Int] = []
        for handBack in [Duration.seconds(60), .milliseconds(10)] {
            let base = Base()
            let e = try await base.env(.sqlite)
            var customers: [String] = []
            for _ in 0..<4 {
                let c = try await customer(e)
                customers.append(c.id)
                _ = try await base.buy(e, c, [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)])
            }
            let counting = CountingStore(inner: e.store)
            let service = RecurService(store: counting, clock: ManualClock(BillingRunTests.start), testMode: true, logger: TestDatabase.logger)
            let report = try await service.runBilling(until: try base.day(2026, 2, 15), batchSize: 1, charger: SlowCharger(delay: .milliseconds(40)),
                                                      handBackAfter: handBack)
            #expect(report.subscriptions == 4)
            #expect(report.invoices == 4)
            #expect(report.chargesSucceeded == 4)
            var keys: [String] = []
            for c in customers { keys += try await base.invoices(e, c).compactMap(\.billingKey) }
            #expect(keys.count == 4)
            #expect(Set(keys).count == 4)
            opened.append(counting.count.value)
            try await e.store.close()
        }
        // Held for a minute, the four batches share one transaction; handed back after 10 ms,
        // each has its own (every charge takes 40 ms), so three more are opened.
        #expect(opened[1] - opened[0] == 3, "transactions opened: \(opened)")
    }
}
