import Testing
@testable import RecurCore

/// Fixtures shared by the checkout suites: the demo catalog, customers in each
/// market, and existing Workspace subscriptions.
enum CheckoutKit {
    static let catalog = DemoCatalog.make()

    static func day(_ iso: String) throws -> CivilDate { try CivilDate(iso: iso) }
    static func period(_ start: String, _ end: String) throws -> Period { try Period(start: day(start), end: day(end)) }
    static func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }

    static func vietnam(hasPurchased: Bool = false) -> Customer {
        Customer(id: "cus_vn", country: "VN", currency: .vnd, hasPurchased: hasPurchased)
    }

    static func japan() -> Customer { Customer(id: "cus_jp", country: "JP", currency: .jpy) }

    /// A Workspace subscription whose current period is `index` of a schedule anchored on `anchor`.
    static func workspace(id: SubscriptionID = "sub_ws", plan: PlanID = "ws_standard", seats: Int = 10,
                          cycle: BillingCycle, anchor: String, periodIndex: Int = 0,
                          status: Subscription.Status = .active, paid: Int64,
                          addOns: [AddOnID: Int] = [:]) throws -> Subscription {
        let schedule = BillingSchedule(anchor: try day(anchor), cycle: cycle)
        return Subscription(id: id, customer: "cus_vn", product: DemoCatalog.workspace, plan: plan, seats: seats,
                            addOns: addOns, currency: .vnd, schedule: schedule, currentPeriod: schedule.period(periodIndex),
                            status: status, paidForPeriod: vnd(paid))
    }

    static func checkout(_ customer: Customer = vietnam(), subscriptions: [Subscription] = [],
                         usage: [ProductID: Usage] = [:]) -> Checkout {
        Checkout(catalog: catalog, customer: customer, subscriptions: subscriptions, usage: usage)
    }

    /// The amounts of a line, in minor units, as a tuple easy to compare in one `#expect`.
    static func amounts(_ l: InvoiceLine) -> [Int64] {
        [l.amount.minorUnits, (try? l.discountTotal.minorUnits) ?? -1, l.net.minorUnits, l.tax.minorUnits, l.total.minorUnits]
    }

    static func totals(_ t: Totals) -> [Int64] {
        [t.subtotal.minorUnits, t.discount.minorUnits, t.net.minorUnits, t.tax.minorUnits, t.total.minorUnits]
    }
}

/// Checkout of orders that succeed: lines, periods, amounts, subscriptions.
@Suite("Checkout: purchases, cycles, currencies, promotions, tiers, trials, limits")
struct CheckoutTests {
    typealias K = CheckoutKit
    let ws = DemoCatalog.workspace

    // MARK: A plain purchase

    @Test("plain monthly purchase: one line per plan and add-on over [date, date + 1 month), VAT 10 % exclusive")
    func plainMonthlyPurchase() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 2)])])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        let month = try K.period("2024-03-10", "2024-04-10")

        #expect(q.currency == .vnd)
        #expect(q.lines.count == 2)
        let plan = q.lines[0], storage = q.lines[1]
        // Plan: 90,000 ₫ × 10 seats = 900,000; no discount; VAT 10 % = 90,000; total 990,000.
        #expect(plan.kind == .plan)
        #expect(plan.description == "Digital Workspace Standard")
        #expect(plan.plan == "ws_standard")
        #expect(plan.period == month)
        #expect(plan.quantity == 10)
        #expect(plan.unitAmount == K.vnd(90_000))
        #expect(plan.discounts.isEmpty)
        #expect(K.amounts(plan) == [900_000, 0, 900_000, 90_000, 990_000])
        #expect(plan.taxName == "VAT")
        #expect(plan.taxRate == Percentage(percent: 10))
        #expect(!plan.taxInclusive)
        // Storage: 50,000 ₫ × 2 = 100,000; VAT 10,000; total 110,000.
        #expect(storage.kind == .addOn)
        #expect(storage.addOn == "storage_10gb")
        #expect(storage.period == month)
        #expect(storage.quantity == 2)
        #expect(storage.unitAmount == K.vnd(50_000))
        #expect(K.amounts(storage) == [100_000, 0, 100_000, 10_000, 110_000])
        // Totals: 1,000,000 net + 100,000 VAT = 1,100,000.
        #expect(K.totals(q.totals) == [1_000_000, 0, 1_000_000, 100_000, 1_100_000])
        #expect(q.totals.amountDue == K.vnd(1_100_000))

        let sub = try #require(q.subscriptions.first)
        #expect(q.subscriptions.count == 1)
        #expect(sub.id == "sub_new_workspace")
        #expect(sub.customer == "cus_vn")
        #expect(sub.product == ws)
        #expect(sub.plan == "ws_standard")
        #expect(sub.status == .active)
        #expect(sub.seats == 10)
        #expect(sub.addOns == ["storage_10gb": 2])
        #expect(sub.cycle == .monthly)
        #expect(sub.schedule.anchor == (try K.day("2024-03-10")))
        #expect(sub.currentPeriod == month)
        #expect(sub.startedOn == (try K.day("2024-03-10")))
        #expect(sub.trialEnd == nil)
        #expect(sub.discounts.isEmpty)
        #expect(sub.renewalMode == .automatic)
        // What was paid before tax: 900,000 + 100,000.
        #expect(sub.paidForPeriod == K.vnd(1_000_000))
        // The next month costs the same 1,100,000.
        #expect(q.recurring == ["sub_new_workspace": K.vnd(1_100_000)])
        #expect(q.redeemedPromotions.isEmpty)
        #expect(q.notices.isEmpty)
        #expect(q.coTermination == nil)
    }

    @Test("manual renewal mode chosen at checkout is kept on the subscription")
    func renewalModeIsKept() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_starter", cycle: .monthly, seats: 2)], renewalMode: .manual)
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        // 60,000 × 2 = 120,000 + 12,000 VAT.
        #expect(q.totals.total == K.vnd(132_000))
        #expect(q.subscriptions.map(\.renewalMode) == [.manual])
    }

    // MARK: Cycles and currencies

    @Test("yearly derived price: 12 × monthly less the 20 % cycle discount, period one year")
    func yearlyCycleDiscount() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10)])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        let line = try #require(q.lines.first)
        #expect(q.lines.count == 1)
        // unit 90,000 × 12 = 1,080,000; × 10 = 10,800,000; 20 % = 2,160,000; net 8,640,000;
        // VAT 864,000; total 9,504,000.
        #expect(line.unitAmount == K.vnd(1_080_000))
        #expect(line.discounts.map(\.kind) == [.cycle])
        #expect(line.discounts.first?.percentage == Percentage(percent: 20))
        #expect(K.amounts(line) == [10_800_000, 2_160_000, 8_640_000, 864_000, 9_504_000])
        #expect(line.period == (try K.period("2024-03-10", "2025-03-10")))
        #expect(q.subscriptions.first?.paidForPeriod == K.vnd(8_640_000))
        #expect(q.recurring["sub_new_workspace"] == K.vnd(9_504_000))
    }

    @Test("EUR customer in France: cents, derived yearly price less 20 %, TVA 20 % exclusive")
    func euroFrance() throws {
        let customer = Customer(id: "cus_fr", country: "FR", currency: .eur)
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 7,
                                        addOns: [.init(addOn: "docs_100", quantity: 1)])])
        let q = try K.checkout(customer).quote(order, on: try K.day("2024-03-10"))
        #expect(q.currency == .eur)
        #expect(q.lines.count == 2)
        // Plan: €4.50 × 12 = €54.00 a seat; × 7 = 37,800 c; 20 % = 7,560; net 30,240; TVA 6,048; total 36,288 (€362.88).
        #expect(q.lines[0].unitAmount == Money(minorUnits: 5_400, currency: .eur))
        #expect(K.amounts(q.lines[0]) == [37_800, 7_560, 30_240, 6_048, 36_288])
        #expect(q.lines[0].taxName == "TVA")
        // Docs: €1.50 × 12 = 1,800 c; 20 % = 360; net 1,440; TVA 288; total 1,728.
        #expect(K.amounts(q.lines[1]) == [1_800, 360, 1_440, 288, 1_728])
        #expect(K.totals(q.totals) == [39_600, 7_920, 31_680, 6_336, 38_016])
        #expect(q.totals.total.currency == .eur)
        #expect(q.subscriptions.first?.currency == .eur)
    }

    @Test("MYR customer in Malaysia: sen, SST 8 % rounded half-up per line")
    func ringgitMalaysia() throws {
        let customer = Customer(id: "cus_my", country: "MY", currency: .myr)
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 3)])
        let q = try K.checkout(customer).quote(order, on: try K.day("2024-03-10"))
        let line = try #require(q.lines.first)
        // RM 18.00 × 12 = 21,600 sen a seat; × 3 = 64,800; 20 % = 12,960; net 51,840;
        // SST 8 % = 4,147.2 → 4,147; total 55,987 (RM 559.87).
        #expect(line.unitAmount == Money(minorUnits: 21_600, currency: .myr))
        #expect(K.amounts(line) == [64_800, 12_960, 51_840, 4_147, 55_987])
        #expect(line.taxName == "SST")
        #expect(line.taxRate == Percentage(percent: 8))
        #expect(q.totals.total == Money(minorUnits: 55_987, currency: .myr))
    }

    @Test("the buyer may choose another priced currency: a VN customer buying in EUR pays Vietnamese VAT")
    func orderCurrencyOverridesCustomerCurrency() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_starter", cycle: .monthly, seats: 3)], currency: .eur)
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        // €3.00 × 3 = 900 c; VAT 10 % = 90; total 990.
        #expect(q.currency == .eur)
        #expect(K.amounts(try #require(q.lines.first)) == [900, 0, 900, 90, 990])
    }

    // MARK: Promotions

    @Test("WELCOME10 takes 10 % off the plan line of a first purchase, after the cycle discount")
    func welcomeOnFirstPurchase() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10, promotion: "WELCOME10")])
        let q = try K.checkout(K.vietnam(hasPurchased: false)).quote(order, on: try K.day("2024-03-10"))
        let line = try #require(q.lines.first)
        // 10,800,000 − 20 % (2,160,000) = 8,640,000 − 10 % (864,000) = 7,776,000; VAT 777,600; total 8,553,600.
        #expect(line.discounts.map(\.kind) == [.cycle, .promotion])
        #expect(line.discounts.map(\.amount.minorUnits) == [2_160_000, 864_000])
        #expect(line.discounts[1].reference == "WELCOME10")
        #expect(line.discounts[1].percentage == Percentage(percent: 10))
        #expect(K.amounts(line) == [10_800_000, 3_024_000, 7_776_000, 777_600, 8_553_600])
        #expect(q.redeemedPromotions == ["WELCOME10"])
        // A once-only promotion leaves nothing for renewals: the next year is 9,504,000 again.
        let sub = try #require(q.subscriptions.first)
        #expect(sub.discounts.isEmpty)
        #expect(sub.paidForPeriod == K.vnd(7_776_000))
        #expect(q.recurring[sub.id] == K.vnd(9_504_000))
    }

    @Test("STORAGE50 for 3 cycles: 50 % off the storage line now, 2 cycles left, renewal still half-price")
    func storageHalfPriceForThreeCycles() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 2, promotion: "STORAGE50")])])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        #expect(q.lines.count == 2)
        // Plan 900,000 + VAT 90,000 = 990,000.
        #expect(K.amounts(q.lines[0]) == [900_000, 0, 900_000, 90_000, 990_000])
        // Storage 100,000 − 50 % = 50,000; VAT 5,000; total 55,000.
        #expect(q.lines[1].discounts.map(\.kind) == [.promotion])
        #expect(q.lines[1].discounts.first?.reference == "STORAGE50")
        #expect(K.amounts(q.lines[1]) == [100_000, 50_000, 50_000, 5_000, 55_000])
        #expect(q.totals.total == K.vnd(1_045_000))
        #expect(q.redeemedPromotions == ["STORAGE50"])

        let sub = try #require(q.subscriptions.first)
        #expect(sub.discounts == [Subscription.Discount(promotion: "STORAGE50", addOn: "storage_10gb", remainingCycles: 2)])
        #expect(sub.paidForPeriod == K.vnd(950_000))
        // The first renewal keeps the 50 %: 990,000 + 55,000.
        #expect(q.recurring[sub.id] == K.vnd(1_045_000))
    }

    @Test("INVOICE100K: 100,000 ₫ off the invoice, allocated over the lines by what remains on each, before tax")
    func invoicePromotionAllocated() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 2)])],
                          invoicePromotion: "INVOICE100K")
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        // Base 900,000 + 100,000 = 1,000,000; the plan takes 90 % (90,000), storage 10 % (10,000).
        #expect(q.lines[0].discounts.map(\.kind) == [.invoicePromotion])
        #expect(q.lines[0].discounts.first?.reference == "INVOICE100K")
        #expect(q.lines[0].discounts.first?.percentage == nil)
        #expect(K.amounts(q.lines[0]) == [900_000, 90_000, 810_000, 81_000, 891_000])
        #expect(K.amounts(q.lines[1]) == [100_000, 10_000, 90_000, 9_000, 99_000])
        #expect(K.totals(q.totals) == [1_000_000, 100_000, 900_000, 90_000, 990_000])
        #expect(q.redeemedPromotions == ["INVOICE100K"])
        // An invoice promotion is for this invoice only: the next month is 1,100,000.
        #expect(q.recurring["sub_new_workspace"] == K.vnd(1_100_000))
        #expect(q.subscriptions.first?.discounts == [])
    }

    @Test("invoice promotion allocation gives leftover đồng to the largest remainders; the parts sum to exactly 100,000")
    func invoicePromotionLargestRemainder() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 3,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 1), .init(addOn: "docs_100", quantity: 1)])],
                          invoicePromotion: "INVOICE100K")
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        // Remaining 270,000 / 50,000 / 30,000 of 350,000:
        // 77,142.86 / 14,285.71 / 8,571.43 → floors 77,142 / 14,285 / 8,571 (99,998), +1 to the two largest remainders.
        #expect(q.lines.flatMap { $0.discounts.map(\.amount.minorUnits) } == [77_143, 14_286, 8_571])
        // Nets 192,857 / 35,714 / 21,429; VAT 19,285.7 → 19,286, 3,571.4 → 3,571, 2,142.9 → 2,143.
        #expect(K.amounts(q.lines[0]) == [270_000, 77_143, 192_857, 19_286, 212_143])
        #expect(K.amounts(q.lines[1]) == [50_000, 14_286, 35_714, 3_571, 39_285])
        #expect(K.amounts(q.lines[2]) == [30_000, 8_571, 21_429, 2_143, 23_572])
        #expect(K.totals(q.totals) == [350_000, 100_000, 250_000, 25_000, 275_000])
    }

    @Test("discounts apply in one order: cycle → item promotion → invoice promotion → tax")
    func discountOrderWithAllLevels() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 1, promotion: "STORAGE50")],
                                        promotion: "WELCOME10")],
                          invoicePromotion: "INVOICE100K")
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        // Plan: 10,800,000 − 2,160,000 (20 %) = 8,640,000 − 864,000 (10 %) = 7,776,000.
        // Storage: 600,000 − 120,000 (20 %) = 480,000 − 240,000 (50 %) = 240,000.
        // Invoice 100,000 over 7,776,000 / 240,000 (of 8,016,000): 97,005.99 / 2,994.01 → 97,006 / 2,994.
        #expect(q.lines[0].discounts.map(\.kind) == [.cycle, .promotion, .invoicePromotion])
        #expect(q.lines[0].discounts.map(\.amount.minorUnits) == [2_160_000, 864_000, 97_006])
        #expect(q.lines[1].discounts.map(\.amount.minorUnits) == [120_000, 240_000, 2_994])
        // Nets 7,678,994 / 237,006; VAT 767,899.4 → 767,899 and 23,700.6 → 23,701.
        #expect(K.amounts(q.lines[0]) == [10_800_000, 3_121_006, 7_678_994, 767_899, 8_446_893])
        #expect(K.amounts(q.lines[1]) == [600_000, 362_994, 237_006, 23_701, 260_707])
        #expect(q.totals.total == K.vnd(8_707_600))
        #expect(q.redeemedPromotions == ["INVOICE100K", "STORAGE50", "WELCOME10"])
    }

    // MARK: Tiers and packages

    @Test("000 Small 600-minute tier yearly: explicit 660,000 ¥, no cycle discount, JP tax included 60,000")
    func meetingSmallTierYearly() throws {
        let order = Order(items: [.init(product: DemoCatalog.meeting, plan: "meeting_small", tier: "600", cycle: .yearly)])
        let q = try K.checkout(K.japan()).quote(order, on: try K.day("2024-04-01"))
        let line = try #require(q.lines.first)
        #expect(q.lines.count == 1)
        #expect(line.description == "Meeting Translation Small 600 minutes")
        #expect(line.quantity == 1)
        #expect(line.unitAmount == Money(minorUnits: 660_000, currency: .jpy))
        #expect(line.discounts.isEmpty)
        // Inclusive tax: 660,000 × 1,000 ÷ 11,000 = 60,000; the total stays 660,000.
        #expect(line.taxInclusive)
        #expect(K.amounts(line) == [660_000, 0, 660_000, 60_000, 660_000])
        #expect(line.period == (try K.period("2024-04-01", "2025-04-01")))
        #expect(K.totals(q.totals) == [660_000, 0, 660_000, 60_000, 660_000])
        let sub = try #require(q.subscriptions.first)
        #expect(sub.tier == "600")
        #expect(sub.seats == 1)
        #expect(sub.currency == .jpy)
    }

    @Test("004 multi-cycle package: email_basic 6 months = 540,000 ₫ explicit, no cycle discount, period 6 months")
    func emailSixMonthPackage() throws {
        let order = Order(items: [.init(product: DemoCatalog.email, plan: "email_basic", cycle: .halfYearly)])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        let line = try #require(q.lines.first)
        // 540,000 explicit (not 6 × 100,000 less a discount); VAT 54,000; total 594,000.
        #expect(line.unitAmount == K.vnd(540_000))
        #expect(line.discounts.isEmpty)
        #expect(K.amounts(line) == [540_000, 0, 540_000, 54_000, 594_000])
        #expect(line.period == (try K.period("2024-03-10", "2024-09-10")))
        #expect(q.subscriptions.first?.cycle == .halfYearly)
        #expect(q.recurring["sub_new_sme_email"] == K.vnd(594_000))
    }

    @Test("an explicit yearly package price wins over the derived one: email_basic yearly 960,000 ₫, no 20 % off")
    func explicitYearlyPriceHasNoCycleDiscount() throws {
        let order = Order(items: [.init(product: DemoCatalog.email, plan: "email_basic", cycle: .yearly)])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        // 960,000 + VAT 96,000 = 1,056,000.
        #expect(K.amounts(try #require(q.lines.first)) == [960_000, 0, 960_000, 96_000, 1_056_000])
    }

    @Test("000 Enterprise is billed in arrears: 50 seats accepted with nothing charged at checkout")
    func enterpriseInArrearsChargesNothingUpFront() throws {
        let order = Order(items: [.init(product: DemoCatalog.meeting, plan: "meeting_enterprise", cycle: .monthly, seats: 50)])
        let q = try K.checkout(K.japan()).quote(order, on: try K.day("2024-04-01"))
        #expect(q.lines.isEmpty)
        #expect(q.totals.total == Money(minorUnits: 0, currency: .jpy))
        #expect(q.subscriptions.first?.seats == 50)
        #expect(q.recurring["sub_new_meeting"] == Money(minorUnits: 0, currency: .jpy))
    }

    // MARK: Trials

    @Test("001 trial: 30 days, status trialing, trialEnd = date + 30, nothing charged")
    func workspaceTrial() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10, trial: true)])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        #expect(q.lines.isEmpty)
        #expect(q.totals.total == K.vnd(0))
        let sub = try #require(q.subscriptions.first)
        #expect(sub.status == .trialing)
        #expect(sub.trialEnd == (try K.day("2024-04-09")))
        #expect(sub.currentPeriod == (try K.period("2024-03-10", "2024-04-09")))
        #expect(sub.schedule.anchor == (try K.day("2024-04-09")))
        #expect(sub.paidForPeriod == K.vnd(0))
        // The first paid month after the trial: 900,000 + 90,000 VAT.
        #expect(q.recurring[sub.id] == K.vnd(990_000))
    }

    @Test("converting a trial with seats ≥ users activated: the trialing subscription becomes active and is charged")
    func trialConversion() throws {
        // A trial started on 9/2/2024: 30 days, ending on 10/3/2024.
        let trial = Subscription(id: "sub_ws", customer: "cus_vn", product: ws, plan: "ws_standard", seats: 5, currency: .vnd,
                                 schedule: BillingSchedule(anchor: try K.day("2024-03-10"), cycle: .monthly),
                                 currentPeriod: try K.period("2024-02-09", "2024-03-10"), status: .trialing,
                                 trialEnd: try K.day("2024-03-10"), paidForPeriod: K.vnd(0))
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 8)])
        let q = try K.checkout(subscriptions: [trial], usage: [ws: [.users: 8]]).quote(order, on: try K.day("2024-03-01"))
        // No credit (nothing paid during the trial); 90,000 × 8 = 720,000 + 72,000 VAT.
        #expect(q.lines.map(\.kind) == [.plan])
        #expect(K.amounts(q.lines[0]) == [720_000, 0, 720_000, 72_000, 792_000])
        let sub = try #require(q.subscriptions.first)
        #expect(sub.id == "sub_ws")
        #expect(sub.status == .active)
        #expect(sub.trialEnd == nil)
        #expect(sub.seats == 8)
        #expect(sub.currentPeriod == (try K.period("2024-03-01", "2024-04-01")))
    }

    // MARK: Limits against usage

    @Test("003 a plan whose storage covers usage only with an add-on is allowed: 51,200 + 10,240 MB ≥ 60,000 MB")
    func addOnRaisesLimitAboveUsage() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_starter", cycle: .monthly, seats: 2,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 1)])])
        let q = try K.checkout(usage: [ws: [.storageMB: 60_000]]).quote(order, on: try K.day("2024-03-10"))
        // 120,000 + 50,000 = 170,000 + 17,000 VAT.
        #expect(q.totals.total == K.vnd(187_000))
        #expect(q.notices.isEmpty)
    }

    @Test("002 Free plan over its soft storage quota is allowed with notice access.read_only, nothing charged")
    func freeOverSoftQuotaIsReadOnly() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_free", cycle: .monthly, seats: 3)])
        let q = try K.checkout(usage: [ws: [.storageMB: 6_000]]).quote(order, on: try K.day("2024-03-10"))
        #expect(q.lines.isEmpty)
        #expect(q.totals.total == K.vnd(0))
        #expect(q.notices.map(\.code) == ["access.read_only"])
        #expect(q.notices.first?.message == "storage_mb in use (6000) is above the Free limit (5120): the account becomes read-only")
        #expect(q.subscriptions.first?.plan == "ws_free")
        #expect(q.subscriptions.first?.status == .active)
    }

    @Test("a customer on Free upgrades through checkout: Free is not 'already active', no credit is given")
    func freeToPaidThroughCheckout() throws {
        let free = try K.workspace(plan: "ws_free", seats: 3, cycle: .monthly, anchor: "2024-03-01", paid: 0)
        let order = Order(items: [.init(product: ws, plan: "ws_starter", cycle: .monthly, seats: 3)])
        let q = try K.checkout(subscriptions: [free]).quote(order, on: try K.day("2024-03-10"))
        // 60,000 × 3 = 180,000 + 18,000 VAT, a new month from today.
        #expect(q.lines.map(\.kind) == [.plan])
        #expect(q.totals.total == K.vnd(198_000))
        #expect(q.subscriptions.first?.id == "sub_ws")
        #expect(q.subscriptions.first?.plan == "ws_starter")
        #expect(q.subscriptions.first?.currentPeriod == (try K.period("2024-03-10", "2024-04-10")))
    }
}
