import Foundation
import RecurApp
import RecurCore
import RecurEngine
import RecurStore
import Testing

/// Deterministic simulations: many customers with random plans, cycles, seats, cards
/// and renewal modes live two years on a test clock, with random changes, payments
/// and card swaps between random advances; the invariants are checked after every step.
@Suite("Billing simulation")
struct BillingSimulationTests {
    /// SplitMix64: a seeded generator, so every run of the simulation is the same.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let start = Date(timeIntervalSince1970: 1_768_435_200)   // 2026-01-15 00:00 UTC

    @Test("two years of random customers keep every invariant", arguments: TestDatabase.all)
    func simulate(db: TestDatabase) async throws {
        var rng = Seeded(state: 20_261_122)
        let (store, _) = try await db.makeStore()
        let service = RecurService(store: store, clock: ManualClock(Self.start), testMode: true, logger: TestDatabase.logger)
        try await service.seedCatalog(DemoCatalog.make())
        let clock = try await service.createTestClock(name: "sim", at: Self.start, actor: .system)
        let plans: [(ProductID, PlanID)] = [(DemoCatalog.workspace, "ws_starter"), (DemoCatalog.workspace, "ws_standard"),
                                            (DemoCatalog.workspace, "ws_premium")]
        let cards = ["4242424242424242", "4000000000000341", "4242424242424242"]
        var customers: [String] = []
        for i in 0..<12 {
            let c = try await service.createCustomer(CustomerChanges(name: "Sim \(i)", country: "VN", currency: "VND", timeZone: "UTC",
                                                                     testClock: clock.id), actor: .system)
            _ = try await service.setPaymentMethod(customer: c.id, cardNumber: cards.randomElement(using: &rng)!, actor: .system)
            let (product, plan) = plans.randomElement(using: &rng)!
            let cycle: BillingCycle = Bool.random(using: &rng) ? .monthly : .yearly
            _ = try await service.checkout(customer: c.id, order: Order(
                items: [.init(product: product, plan: plan, cycle: cycle, seats: Int.random(in: 2...12, using: &rng),
                              addOns: Bool.random(using: &rng) ? [.init(addOn: "storage_10gb", quantity: 1)] : [])],
                renewalMode: Int.random(in: 0..<4, using: &rng) == 0 ? .manual : .automatic), date: nil, actor: .system)
            customers.append(c.id)
        }
        var now = Self.start
        let end = Self.start.addingTimeInterval(2 * 366 * 86_400)
        var steps = 0
        var total = BillingReport()
        while now < end {
            steps += 1
            now = min(end, now.addingTimeInterval(Double(Int.random(in: 1...40, using: &rng)) * 86_400))
            total.merge(try await service.advanceTestClock(clock.id, to: now, actor: .system).report)
            // Random events between advances.
            let who = customers.randomElement(using: &rng)!
            let subs = try await service.listSubscriptions(customer: who, status: nil, limit: 10, startingAfter: nil).items
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:
                _ = try await service.setPaymentMethod(customer: who, cardNumber: cards.randomElement(using: &rng)!, actor: .system)
            case 1:
                if let s = subs.first, s.subscription.isLive {
                    _ = try? await service.applyChange(subscription: s.id, ChangeRequest(seats: s.subscription.seats + Int.random(in: -1...3, using: &rng)),
                                                       actor: .system)
                }
            case 2:
                for invoice in try await service.listInvoices(customer: who, subscription: nil, status: "open", limit: 100, startingAfter: nil).items {
                    _ = try await service.payInvoiceOutOfBand(invoice.id, reference: "sim", actor: .system)
                }
            case 3:
                if let s = subs.first, s.subscription.isLive, Int.random(in: 0..<3, using: &rng) == 0 {
                    _ = try await service.cancel(subscription: s.id, actor: .system)
                }
            default:
                break
            }
            try await checkInvariants(store: store, service: service, customers: customers, now: now)
        }
        #expect(steps > 20)
        // The simulation really exercised the run: renewals, declined cards and recoveries.
        #expect(total.invoices >= 80, "\(total)")
        #expect(total.chargesFailed >= 5, "\(total)")
        #expect(total.chargesSucceeded > 50, "\(total)")
        #expect((total.actions["renewed"] ?? 0) >= 80, "\(total)")
        try await store.close()
    }

    func checkInvariants(store: SQLStore, service: RecurService, customers: [String], now: Date) async throws {
        let nowSeconds = now.timeIntervalSince1970
        for cid in customers {
            let invoices = try await store.transaction { tx in try await tx.all(InvoiceRecord.self, filters: ["customer_id": .text(cid)]) }
            for i in invoices {
                // Totals equal the sum of their lines; nothing is paid twice; status follows the money.
                let currency = i.currency
                #expect(i.totals.total == (try Money.sum(i.lines.map(\.total), currency: currency)), "invoice \(i.number ?? i.id) total")
                #expect(i.totals.tax == (try Money.sum(i.lines.map(\.tax), currency: currency)))
                #expect(i.amountPaid.minorUnits <= i.totals.amountDue.minorUnits, "invoice \(i.number ?? i.id) overpaid")
                #expect((i.status == .paid) == i.amountDue.isZero, "invoice \(i.number ?? i.id) status \(i.status) with \(i.amountDue) due")
                #expect(i.lines.allSatisfy { $0.kind == .credit ? !$0.amount.isPositive : !$0.amount.isNegative })
            }
            // Each period of a subscription is invoiced by the run at most once, and run
            // invoices of one subscription never overlap.
            let keys = invoices.compactMap(\.billingKey)
            #expect(Set(keys).count == keys.count)
            var bySubscription: [String: [Period]] = [:]
            for i in invoices where i.billingKey != nil {
                if let p = i.lines.first(where: { $0.kind == .plan })?.period { bySubscription[i.subscriptions[0], default: []].append(p) }
            }
            for (sid, periods) in bySubscription {
                let sorted = periods.sorted { $0.start < $1.start }
                #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.end <= $1.start }, "\(sid) billed overlapping periods")
            }
            let subs = try await store.transaction { tx in try await tx.all(SubscriptionRecord.self, filters: ["customer_id": .text(cid)]) }
            for r in subs {
                // Nothing due is left behind, and states agree with their collection.
                if let next = r.nextBillingAt { #expect(next.timeIntervalSince1970 > nowSeconds, "\(r.id) still due") }
                switch r.subscription.status {
                case .pastDue: #expect((r.collection?.failedCharges ?? 0) > 0 && r.collection?.openInvoice != nil)
                case .expired: #expect(r.collection?.expiredOn != nil)
                case .cancelled, .locked: #expect(r.nextBillingAt == nil)
                default: break
                }
                if let open = r.collection?.openInvoice {
                    #expect(invoices.contains { $0.id == open }, "\(r.id) waits on a missing invoice")
                }
            }
        }
    }
}
