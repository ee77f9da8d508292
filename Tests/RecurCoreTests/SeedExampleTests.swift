import Testing
@testable import RecurCore

/// The requirement documents' own worked examples, with every amount checked.
@Suite("Seed worked examples")
struct SeedExampleTests {
    let catalog = DemoCatalog.make()
    let customer = Customer(id: "cus_1", country: "VN", currency: .vnd, hasPurchased: true)

    func d(_ y: Int, _ m: Int, _ day: Int) throws -> CivilDate { try CivilDate(y, m, day) }

    /// Workspace Standard yearly, 10 seats, 15/1/2023–15/1/2024.
    func workspaceYearly() throws -> Subscription {
        let schedule = BillingSchedule(anchor: try d(2023, 1, 15), cycle: .yearly)
        return Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_standard", seats: 10,
                            currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0),
                            paidForPeriod: Money(minorUnits: 8_640_000, currency: .vnd))
    }

    @Test("001 co-term: under 30 days offers two options, (a) 5 days 10/1–14/1/2024")
    func coTermOptionA() throws {
        let checkout = Checkout(catalog: catalog, customer: customer, subscriptions: [try workspaceYearly()])
        let order = Order(items: [.init(product: DemoCatalog.operationProcess, plan: "op_starter", cycle: .yearly)])
        let q = try checkout.quote(order, on: try d(2024, 1, 10))
        let offer = try #require(q.coTermination)
        #expect(offer.choiceRequired)
        #expect(offer.remainingPeriod.days == 5)
        #expect(offer.remainingPeriod.start.dayMonthYear == "10/1/2024")
        #expect(offer.remainingPeriod.inclusiveEnd.dayMonthYear == "14/1/2024")
        #expect(offer.nextPeriod.start.dayMonthYear == "15/1/2024")
        #expect(offer.nextPeriod.end.dayMonthYear == "15/1/2025")
        // 40,000 ₫ × 10 seats × 12 = 4,800,000 for the year; 5 of 365 days = 65,753.42 → 65,753.
        let line = try #require(q.lines.first)
        #expect(q.lines.count == 1)
        #expect(line.quantity == 10)
        #expect(line.amount.minorUnits == 65_753)
        // yearly discount 20 %: 13,150.6 → 13,151; net 52,602; VAT 10 % 5,260.2 → 5,260.
        #expect(line.discounts.map(\.amount.minorUnits) == [13_151])
        #expect(line.net.minorUnits == 52_602)
        #expect(line.tax.minorUnits == 5_260)
        #expect(q.totals.total.minorUnits == 57_862)
        #expect(offer.totalRemainingDays.minorUnits == 57_862)
        // (b) adds the year: 4,800,000 − 960,000 = 3,840,000 + 384,000 VAT = 4,224,000.
        #expect(offer.totalRemainingDaysAndNextCycle.minorUnits == 57_862 + 4_224_000)
    }
}
