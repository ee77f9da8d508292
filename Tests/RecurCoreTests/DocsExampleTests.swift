import Testing
@testable import RecurCore

/// The worked examples of docs/pricing.md, so the document cannot drift from the code.
@Suite("docs/pricing.md worked examples")
struct DocsExampleTests {
    let catalog = DemoCatalog.make()

    func d(_ y: Int, _ m: Int, _ day: Int) throws -> CivilDate { try CivilDate(y, m, day) }

    @Test("pricing order: cycle → bundle → item promotion → invoice promotion → tax, per line")
    func pricingOrder() throws {
        let customer = Customer(id: "cus_new", country: "VN", currency: .vnd, hasPurchased: false)
        let order = Order(items: [
            .init(product: DemoCatalog.workspace, plan: "ws_standard", cycle: .yearly, seats: 10, promotion: "WELCOME10"),
            .init(product: DemoCatalog.operationProcess, plan: "op_starter", cycle: .yearly),
            .init(product: DemoCatalog.appBuilder, plan: "ab_starter", cycle: .yearly, seats: 5),
        ], bundle: "cleeksy_suite", invoicePromotion: "INVOICE100K")
        let q = try Checkout(catalog: catalog, customer: customer).quote(order, on: try d(2026, 3, 1))
        #expect(q.lines.map(\.description) == ["Digital Workspace Standard", "Operation Process Starter", "App Builder Starter"])
        #expect(q.lines.map(\.amount.minorUnits) == [10_800_000, 4_800_000, 3_000_000])
        #expect(q.lines.map { $0.discounts.map(\.kind) } == [
            [.cycle, .bundle, .promotion, .invoicePromotion], [.cycle, .bundle, .invoicePromotion], [.cycle, .bundle, .invoicePromotion],
        ])
        #expect(q.lines[0].discounts.map(\.amount.minorUnits) == [2_160_000, 864_000, 777_600, 55_480])
        #expect(q.lines[1].discounts.map(\.amount.minorUnits) == [960_000, 384_000, 27_397])
        #expect(q.lines[2].discounts.map(\.amount.minorUnits) == [600_000, 240_000, 17_123])
        #expect(q.lines.map(\.net.minorUnits) == [6_942_920, 3_428_603, 2_142_877])
        #expect(q.lines.map(\.tax.minorUnits) == [694_292, 342_860, 214_288])
        #expect(q.lines.map(\.total.minorUnits) == [7_637_212, 3_771_463, 2_357_165])
        #expect(q.totals.subtotal.minorUnits == 18_600_000)
        #expect(q.totals.discount.minorUnits == 6_085_600)
        #expect(q.totals.net.minorUnits == 12_514_400)
        #expect(q.totals.tax.minorUnits == 1_251_440)
        #expect(q.totals.total.minorUnits == 13_765_840)
        #expect(q.redeemedPromotions == ["INVOICE100K", "WELCOME10"])
    }

    @Test("upgrade now: unused time credited, the new plan charged for the days left")
    func upgradeWithinPeriod() throws {
        let customer = Customer(id: "cus_1", country: "VN", currency: .vnd, hasPurchased: true)
        let schedule = BillingSchedule(anchor: try d(2024, 3, 1), cycle: .monthly)
        let s = Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_starter", seats: 10,
                             currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0),
                             paidForPeriod: Money(minorUnits: 600_000, currency: .vnd))
        let r = try SubscriptionChanges(catalog: catalog, customer: customer, subscriptions: [s])
            .changePlan(s, to: "ws_standard", on: try d(2024, 3, 17))
        // 15 of 31 days left: credit 600,000 × 15/31 = 290,322.58 → 290,323; charge 900,000 × 15/31 = 435,483.87 → 435,484.
        #expect(r.lines.map(\.kind) == [.credit, .plan])
        #expect(r.lines.map(\.amount.minorUnits) == [-290_323, 435_484])
        #expect(r.lines.map(\.tax.minorUnits) == [-29_032, 43_548])
        #expect(try r.totals.total.minorUnits == 159_677)
        #expect(r.subscription.plan == "ws_standard")
        #expect(r.subscription.currentPeriod == schedule.period(0))
        #expect(r.subscription.paidForPeriod.minorUnits == 900_000)
    }

    @Test("000 annual contract upgraded mid-term: a new year from the upgrade day, unused part credited")
    func annualUpgrade() throws {
        let customer = Customer(id: "cus_jp", country: "JP", currency: .jpy, hasPurchased: true)
        let schedule = BillingSchedule(anchor: try d(2024, 4, 1), cycle: .yearly)
        let s = Subscription(id: "sub_m", customer: "cus_jp", product: DemoCatalog.meeting, plan: "meeting_small", tier: "300",
                             seats: 1, currency: .jpy, schedule: schedule, currentPeriod: schedule.period(0),
                             paidForPeriod: Money(minorUnits: 360_000, currency: .jpy))
        let r = try SubscriptionChanges(catalog: catalog, customer: customer, subscriptions: [s])
            .changePlan(s, to: "meeting_small", tier: "600", on: try d(2024, 10, 1))
        // 182 of 365 days unused: 360,000 × 182/365 = 179,506.85 → 179,507 credited against 660,000.
        #expect(r.lines.map(\.amount.minorUnits) == [-179_507, 660_000])
        #expect(r.lines.map(\.period) == [try Period(start: d(2024, 10, 1), end: d(2025, 4, 1)), try Period(start: d(2024, 10, 1), end: d(2025, 10, 1))])
        // Japan's tax is included in the price: 660,000 × 10/110 = 60,000; 179,507 × 10/110 = 16,318.8 → 16,319.
        #expect(r.lines.map(\.tax.minorUnits) == [-16_319, 60_000])
        #expect(try r.totals.total.minorUnits == 480_493)
        #expect(r.subscription.schedule.anchor == (try d(2024, 10, 1)))
        #expect(r.subscription.currentPeriod.days == 365)
    }

    @Test("Enterprise in arrears: 63 peak users × 3,000 ¥, due at the end of the following month")
    func arrears() throws {
        let customer = Customer(id: "cus_jp", country: "JP", currency: .jpy, hasPurchased: true)
        let schedule = BillingSchedule(anchor: try d(2024, 1, 1), cycle: .monthly)
        let s = Subscription(id: "sub_e", customer: "cus_jp", product: DemoCatalog.meeting, plan: "meeting_enterprise", seats: 50,
                             currency: .jpy, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: .zero(.jpy))
        let (lines, due) = try ArrearsBilling(catalog: catalog, customer: customer)
            .close(s, month: schedule.period(0), peakUsers: 63, endOfPeriodUsers: 58)
        #expect(lines.map(\.amount.minorUnits) == [189_000])
        #expect(lines.map(\.tax.minorUnits) == [17_182])
        #expect(due == (try d(2024, 2, 29)))
    }
}
