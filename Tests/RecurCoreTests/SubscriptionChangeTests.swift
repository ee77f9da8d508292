import Testing
@testable import RecurCore

/// Upgrades now with day proration, 000's mid-term annual upgrade, downgrades at
/// the period end, seat and add-on changes, the dependency rules between products
/// and plans refused below current usage. Every amount is worked out by hand:
/// day-based proration = amount × days ÷ period days, rounded half-up once per
/// line; VN VAT 10 % exclusive; JP consumption tax 10 % inclusive (net × 1000 ÷ 11000).
@Suite("Subscription changes")
struct SubscriptionChangeTests {
    let catalog = DemoCatalog.make()
    let vn = Customer(id: "cus_1", country: "VN", currency: .vnd, hasPurchased: true)
    let jp = Customer(id: "cus_jp", country: "JP", currency: .jpy, hasPurchased: true)

    func d(_ y: Int, _ m: Int, _ day: Int) throws -> CivilDate { try CivilDate(y, m, day) }
    func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }
    func jpy(_ v: Int64) -> Money { Money(minorUnits: v, currency: .jpy) }
    func period(_ a: CivilDate, _ b: CivilDate) throws -> Period { try Period(start: a, end: b) }

    /// A monthly subscription for March 2024, [2024-03-01, 2024-04-01): 31 days.
    func march(_ id: SubscriptionID = "sub_ws", product: ProductID = DemoCatalog.workspace, plan: PlanID, seats: Int,
               addOns: [AddOnID: Int] = [:], paid: Int64) throws -> Subscription {
        let schedule = BillingSchedule(anchor: try d(2024, 3, 1), cycle: .monthly)
        return Subscription(id: id, customer: "cus_1", product: product, plan: plan, seats: seats, addOns: addOns,
                            currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: vnd(paid))
    }

    /// A yearly subscription for 2024, [2024-01-01, 2025-01-01).
    func year2024(_ id: SubscriptionID, product: ProductID, plan: PlanID, seats: Int, paid: Int64) throws -> Subscription {
        let schedule = BillingSchedule(anchor: try d(2024, 1, 1), cycle: .yearly)
        return Subscription(id: id, customer: "cus_1", product: product, plan: plan, seats: seats, currency: .vnd,
                            schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: vnd(paid))
    }

    /// 000's Small plan, 300-minute tier, on an annual contract paid in one sum:
    /// [2024-04-01, 2025-04-01), 365 days, 360,000 JPY.
    func meetingSmallYearly(paid: Int64 = 360_000) throws -> Subscription {
        let schedule = BillingSchedule(anchor: try d(2024, 4, 1), cycle: .yearly)
        return Subscription(id: "sub_meet", customer: "cus_jp", product: DemoCatalog.meeting, plan: "meeting_small", tier: "300",
                            seats: 1, currency: .jpy, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: jpy(paid))
    }


    // MARK: Upgrade now, keep the period (Workspace)

    @Test("Upgrade now (keepPeriod): credit the unused days of what was paid, charge the new plan for the days left")
    func upgradeNowProratesByDay() throws {
        let s = try march(plan: "ws_starter", seats: 10, paid: 600_000)
        let changes = SubscriptionChanges(catalog: catalog, customer: vn)
        let r = try changes.changePlan(s, to: "ws_standard", on: try d(2024, 3, 17))

        #expect(r.subscriptions.count == 1)
        #expect(r.lines.count == 2)
        let credit = r.lines[0], charge = r.lines[1]
        // [2024-03-17, 2024-04-01) is 15 of 31 days.
        // Credit: 600,000 × 15 ÷ 31 = 290,322.58 → 290,323; VAT −29,032.3 → −29,032.
        #expect(credit.kind == .credit)
        #expect(credit.period == (try period(d(2024, 3, 17), d(2024, 4, 1))))
        #expect(credit.amount.minorUnits == -290_323)
        #expect(credit.discounts.isEmpty)
        #expect(credit.net.minorUnits == -290_323)
        #expect(credit.tax.minorUnits == -29_032)
        #expect(credit.total.minorUnits == -319_355)
        // Charge: 90,000 × 10 = 900,000 × 15 ÷ 31 = 435,483.87 → 435,484; VAT 43,548.4 → 43,548.
        #expect(charge.kind == .plan)
        #expect(charge.plan == "ws_standard")
        #expect(charge.quantity == 10)
        #expect(charge.unitAmount.minorUnits == 90_000)
        #expect(charge.period == (try period(d(2024, 3, 17), d(2024, 4, 1))))
        #expect(charge.amount.minorUnits == 435_484)
        #expect(charge.net.minorUnits == 435_484)
        #expect(charge.tax.minorUnits == 43_548)
        #expect(charge.taxInclusive == false)
        #expect(charge.total.minorUnits == 479_032)
        // 435,484 − 290,323 = 145,161 net; 43,548 − 29,032 = 14,516 VAT; 159,677 due.
        let totals = try r.totals
        #expect(totals.net.minorUnits == 145_161)
        #expect(totals.tax.minorUnits == 14_516)
        #expect(totals.total.minorUnits == 159_677)
        #expect(totals.amountDue.minorUnits == 159_677)

        let next = r.subscription
        #expect(next.plan == "ws_standard")
        #expect(next.seats == 10)
        #expect(next.paidForPeriod == vnd(900_000))
        #expect(next.currentPeriod == s.currentPeriod)
        #expect(next.schedule == s.schedule)
        #expect(next.scheduledChange == nil)
        #expect(next.startedOn == s.startedOn)
    }

    @Test("An upgrade on the period's first day credits everything paid and charges the full new period")
    func upgradeOnFirstDayIsFullSwap() throws {
        let s = try march(plan: "ws_starter", seats: 10, paid: 600_000)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).changePlan(s, to: "ws_standard", on: try d(2024, 3, 1))
        // 31 of 31 days: credit −600,000 (VAT −60,000), charge 900,000 (VAT 90,000).
        #expect(r.lines.map(\.kind) == [.credit, .plan])
        #expect(r.lines.map(\.amount.minorUnits) == [-600_000, 900_000])
        #expect(r.lines.map(\.tax.minorUnits) == [-60_000, 90_000])
        #expect(r.lines.map(\.period) == [s.currentPeriod, s.currentPeriod])
        #expect(try r.totals.total.minorUnits == 330_000)
        #expect(r.subscription.paidForPeriod == vnd(900_000))
    }

    // MARK: 000 — annual contract upgraded mid-term (newTerm)

    @Test("000: a mid-term annual upgrade starts a new 1-year term on the upgrade date, crediting the unused part paid in one sum")
    func annualUpgradeToHigherTierStartsNewTerm() throws {
        let s = try meetingSmallYearly()
        #expect(s.currentPeriod.days == 365)
        let r = try SubscriptionChanges(catalog: catalog, customer: jp).changePlan(s, to: "meeting_small", tier: "600", on: try d(2024, 10, 1))

        #expect(r.lines.count == 2)
        let credit = r.lines[0], charge = r.lines[1]
        // [2024-10-01, 2025-04-01): 31+30+31+31+28+31 = 182 of 365 days.
        // 360,000 × 182 ÷ 365 = 179,506.85 → 179,507; inclusive tax −179,507 × 1000 ÷ 11000 = −16,318.8 → −16,319.
        #expect(credit.kind == .credit)
        #expect(credit.period == (try period(d(2024, 10, 1), d(2025, 4, 1))))
        #expect(credit.period?.days == 182)
        #expect(credit.amount.minorUnits == -179_507)
        #expect(credit.net.minorUnits == -179_507)
        #expect(credit.tax.minorUnits == -16_319)
        #expect(credit.taxInclusive)
        #expect(credit.total.minorUnits == -179_507)
        // The 600-minute tier's explicit yearly price, 660,000, for the whole new year (no
        // cycle discount on an explicit price); tax 660,000 × 1000 ÷ 11000 = 60,000 included.
        #expect(charge.kind == .plan)
        #expect(charge.period == (try period(d(2024, 10, 1), d(2025, 10, 1))))
        #expect(charge.quantity == 1)
        #expect(charge.unitAmount.minorUnits == 660_000)
        #expect(charge.amount.minorUnits == 660_000)
        #expect(charge.discounts.isEmpty)
        #expect(charge.net.minorUnits == 660_000)
        #expect(charge.tax.minorUnits == 60_000)
        #expect(charge.total.minorUnits == 660_000)
        // Due: 660,000 − 179,507 = 480,493, of which 60,000 − 16,319 = 43,681 tax.
        let totals = try r.totals
        #expect(totals.net.minorUnits == 480_493)
        #expect(totals.tax.minorUnits == 43_681)
        #expect(totals.total.minorUnits == 480_493)

        let next = r.subscription
        #expect(next.plan == "meeting_small")
        #expect(next.tier == "600")
        #expect(next.schedule == BillingSchedule(anchor: try d(2024, 10, 1), cycle: .yearly))
        #expect(next.currentPeriod == (try period(d(2024, 10, 1), d(2025, 10, 1))))
        #expect(next.startedOn == (try d(2024, 10, 1)))
        #expect(next.paidForPeriod == jpy(660_000))
        // The next renewal follows the new anchor: [2025-10-01, 2026-10-01).
        #expect(Renewal(catalog: catalog, customer: jp).nextPeriod(of: next) == (try period(d(2025, 10, 1), d(2026, 10, 1))))
    }

    @Test("000: upgrading Small to Premium mid-term charges Premium's full year less the unused Small credit")
    func annualUpgradeToPremiumStartsNewTerm() throws {
        let s = try meetingSmallYearly()
        let r = try SubscriptionChanges(catalog: catalog, customer: jp).changePlan(s, to: "meeting_premium", on: try d(2024, 10, 1))
        // Credit as above: −179,507 (tax −16,319). Premium yearly 2,400,000;
        // tax 2,400,000 × 1000 ÷ 11000 = 218,181.8 → 218,182.
        #expect(r.lines.map(\.kind) == [.credit, .plan])
        #expect(r.lines.map(\.amount.minorUnits) == [-179_507, 2_400_000])
        #expect(r.lines.map(\.tax.minorUnits) == [-16_319, 218_182])
        #expect(r.lines[1].plan == "meeting_premium")
        #expect(r.lines[1].period == (try period(d(2024, 10, 1), d(2025, 10, 1))))
        // 2,400,000 − 179,507 = 2,220,493; tax 218,182 − 16,319 = 201,863.
        let totals = try r.totals
        #expect(totals.net.minorUnits == 2_220_493)
        #expect(totals.tax.minorUnits == 201_863)
        #expect(totals.total.minorUnits == 2_220_493)
        #expect(r.subscription.plan == "meeting_premium")
        #expect(r.subscription.tier == nil)
        #expect(r.subscription.schedule.anchor == (try d(2024, 10, 1)))
        #expect(r.subscription.currentPeriod == (try period(d(2024, 10, 1), d(2025, 10, 1))))
        #expect(r.subscription.paidForPeriod == jpy(2_400_000))
    }

    @Test("000: when nothing was prepaid for the old term, the new annual term is charged in full with no credit")
    func annualUpgradeWithoutPrepaymentHasNoCredit() throws {
        let s = try meetingSmallYearly(paid: 0)
        let r = try SubscriptionChanges(catalog: catalog, customer: jp).changePlan(s, to: "meeting_small", tier: "600", on: try d(2024, 10, 1))
        #expect(r.lines.map(\.kind) == [.plan])
        #expect(r.lines.map(\.amount.minorUnits) == [660_000])
        #expect(r.lines.map(\.tax.minorUnits) == [60_000])
        #expect(r.subscription.currentPeriod == (try period(d(2024, 10, 1), d(2025, 10, 1))))
    }

    @Test("000: a lower tier is a downgrade and waits for the end of the annual term")
    func lowerTierIsScheduled() throws {
        var s = try meetingSmallYearly(paid: 660_000)
        s.tier = "600"
        let r = try SubscriptionChanges(catalog: catalog, customer: jp).changePlan(s, to: "meeting_small", tier: "300", on: try d(2024, 10, 1))
        #expect(r.lines.isEmpty)
        #expect(r.subscription.tier == "600")
        #expect(r.subscription.scheduledChange == .init(plan: "meeting_small", tier: "300", seats: 1, addOns: [:], cycle: .yearly))
        #expect(r.subscription.currentPeriod == s.currentPeriod)
    }

    @Test("A plan sold in tiers refuses a change that names no tier")
    func tierRequired() throws {
        let s = try meetingSmallYearly()
        let errs = errors { try SubscriptionChanges(catalog: catalog, customer: jp).changePlan(s, to: "meeting_small", on: try d(2024, 10, 1)) }
        // The missing tier is reported first; without a tier no price can be found either.
        #expect(errs.first?.code == .planTierRequired)
        #expect(errs.first?.field == "tier")
        #expect(errs.map(\.code).allSatisfy { [.planTierRequired, .priceUnavailable].contains($0) })
    }

    // MARK: Downgrades at period end

    @Test("A downgrade makes no lines now, is kept as the scheduled change, and renewal applies it at the lower price")
    func downgradeWaitsForPeriodEnd() throws {
        let s = try march(plan: "ws_standard", seats: 10, paid: 900_000)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).changePlan(s, to: "ws_starter", on: try d(2024, 3, 10))
        #expect(r.lines.isEmpty)
        #expect(r.subscriptions.count == 1)
        #expect(r.subscription.plan == "ws_standard")
        #expect(r.subscription.paidForPeriod == vnd(900_000))
        #expect(r.subscription.scheduledChange == .init(plan: "ws_starter", tier: nil, seats: 10, addOns: [:], cycle: .monthly))

        let renewed = try Renewal(catalog: catalog, customer: vn).renew(r.subscription)
        let next = renewed.subscription
        #expect(next.plan == "ws_starter")
        #expect(next.scheduledChange == nil)
        #expect(next.currentPeriod == (try period(d(2024, 4, 1), d(2024, 5, 1))))
        // Starter: 60,000 × 10 = 600,000 for April; VAT 60,000.
        #expect(renewed.lines.count == 1)
        let line = try #require(renewed.lines.first)
        #expect(line.plan == "ws_starter")
        #expect(line.quantity == 10)
        #expect(line.unitAmount.minorUnits == 60_000)
        #expect(line.amount.minorUnits == 600_000)
        #expect(line.tax.minorUnits == 60_000)
        #expect(line.total.minorUnits == 660_000)
        #expect(line.period == next.currentPeriod)
        #expect(next.paidForPeriod == vnd(600_000))
    }

    @Test("Fewer seats wait for the period end; the renewal invoices the lower count")
    func fewerSeatsScheduled() throws {
        let s = try march(plan: "ws_standard", seats: 10, paid: 900_000)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).changeSeats(s, to: 8, on: try d(2024, 3, 10))
        #expect(r.lines.isEmpty)
        #expect(r.subscription.seats == 10)
        #expect(r.subscription.scheduledChange == .init(plan: "ws_standard", tier: nil, seats: 8, addOns: [:], cycle: .monthly))
        let renewed = try Renewal(catalog: catalog, customer: vn).renew(r.subscription)
        // 90,000 × 8 = 720,000; VAT 72,000.
        #expect(renewed.subscription.seats == 8)
        #expect(renewed.lines.map(\.amount.minorUnits) == [720_000])
        #expect(renewed.lines.map(\.tax.minorUnits) == [72_000])
    }

    @Test("More seats are prorated now: credit the unused days, charge the new seat count for the days left")
    func moreSeatsProratedNow() throws {
        let s = try march(plan: "ws_standard", seats: 10, paid: 900_000)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).changeSeats(s, to: 12, on: try d(2024, 3, 17))
        // Credit 900,000 × 15 ÷ 31 = 435,483.87 → 435,484 (VAT −43,548.4 → −43,548);
        // charge 90,000 × 12 = 1,080,000 × 15 ÷ 31 = 522,580.65 → 522,581 (VAT 52,258.1 → 52,258).
        #expect(r.lines.map(\.kind) == [.credit, .plan])
        #expect(r.lines.map(\.amount.minorUnits) == [-435_484, 522_581])
        #expect(r.lines.map(\.tax.minorUnits) == [-43_548, 52_258])
        #expect(r.lines[1].quantity == 12)
        let totals = try r.totals
        #expect(totals.net.minorUnits == 87_097)
        #expect(totals.tax.minorUnits == 8_710)
        #expect(totals.total.minorUnits == 95_807)
        #expect(r.subscription.seats == 12)
        #expect(r.subscription.paidForPeriod == vnd(1_080_000))
        #expect(r.subscription.currentPeriod == s.currentPeriod)
    }

    @Test("More add-ons are prorated now: the whole content is re-priced for the days left against the credit")
    func addOnIncreaseProratedNow() throws {
        // Paid for March: 900,000 plan + 50,000 for one 10 GB block = 950,000.
        let s = try march(plan: "ws_standard", seats: 10, addOns: ["storage_10gb": 1], paid: 950_000)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).changeAddOn(s, "storage_10gb", quantity: 3, on: try d(2024, 3, 17))
        // Credit 950,000 × 15 ÷ 31 = 459,677.42 → 459,677 (VAT −45,967.7 → −45,968);
        // plan 900,000 × 15 ÷ 31 → 435,484 (VAT 43,548);
        // add-on 50,000 × 3 = 150,000 × 15 ÷ 31 = 72,580.65 → 72,581 (VAT 7,258.1 → 7,258).
        #expect(r.lines.map(\.kind) == [.credit, .plan, .addOn])
        #expect(r.lines.map(\.amount.minorUnits) == [-459_677, 435_484, 72_581])
        #expect(r.lines.map(\.tax.minorUnits) == [-45_968, 43_548, 7_258])
        #expect(r.lines[2].addOn == "storage_10gb")
        #expect(r.lines[2].quantity == 3)
        #expect(r.lines[2].unitAmount.minorUnits == 50_000)
        // 48,388 net, 4,838 VAT, 53,226 due.
        let totals = try r.totals
        #expect(totals.net.minorUnits == 48_388)
        #expect(totals.tax.minorUnits == 4_838)
        #expect(totals.total.minorUnits == 53_226)
        #expect(r.subscription.addOns == ["storage_10gb": 3])
        #expect(r.subscription.paidForPeriod == vnd(1_050_000))
    }

    @Test("An add-on decreased to 0 is scheduled, kept until the period end, and removed at renewal")
    func addOnRemovalScheduled() throws {
        let s = try march(plan: "ws_standard", seats: 10, addOns: ["storage_10gb": 1], paid: 950_000)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).changeAddOn(s, "storage_10gb", quantity: 0, on: try d(2024, 3, 17))
        #expect(r.lines.isEmpty)
        #expect(r.subscription.addOns == ["storage_10gb": 1])
        #expect(r.subscription.scheduledChange == .init(plan: "ws_standard", tier: nil, seats: 10, addOns: [:], cycle: .monthly))
        let renewed = try Renewal(catalog: catalog, customer: vn).renew(r.subscription)
        #expect(renewed.subscription.addOns.isEmpty)
        // Only the plan renews: 900,000 + VAT 90,000.
        #expect(renewed.lines.map(\.kind) == [.plan])
        #expect(renewed.lines.map(\.amount.minorUnits) == [900_000])
        #expect(renewed.lines.map(\.tax.minorUnits) == [90_000])
        #expect(renewed.subscription.paidForPeriod == vnd(900_000))
    }

    @Test("A yearly-to-monthly switch is a downgrade at period end; renewal starts monthly periods at the old end")
    func shorterCycleScheduled() throws {
        // 90,000 × 10 × 12 = 10,800,000 − 20 % = 8,640,000 paid for 2024.
        let s = try year2024("sub_ws", product: DemoCatalog.workspace, plan: "ws_standard", seats: 10, paid: 8_640_000)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).changePlan(s, to: "ws_standard", cycle: .monthly, on: try d(2024, 6, 1))
        #expect(r.lines.isEmpty)
        #expect(r.subscription.scheduledChange?.cycle == .monthly)
        let renewed = try Renewal(catalog: catalog, customer: vn).renew(r.subscription)
        #expect(renewed.subscription.schedule == BillingSchedule(anchor: try d(2025, 1, 1), cycle: .monthly))
        #expect(renewed.subscription.currentPeriod == (try period(d(2025, 1, 1), d(2025, 2, 1))))
        // Monthly: 900,000, no cycle discount; VAT 90,000.
        #expect(renewed.lines.map(\.amount.minorUnits) == [900_000])
        #expect(renewed.lines.map(\.discounts.count) == [0])
        #expect(renewed.lines.map(\.tax.minorUnits) == [90_000])
    }

    // MARK: Seats across dependent products (001)

    func cleeksy() throws -> (ws: Subscription, op: Subscription, ab: Subscription) {
        (try march("sub_ws", product: DemoCatalog.workspace, plan: "ws_standard", seats: 10, paid: 900_000),
         try march("sub_op", product: DemoCatalog.operationProcess, plan: "op_starter", seats: 10, paid: 400_000),
         try march("sub_ab", product: DemoCatalog.appBuilder, plan: "ab_starter", seats: 8, paid: 400_000))
    }

    @Test("001: raising Workspace seats now moves Operation Process (equal seats) along, prorated too")
    func workspaceSeatsCarryOperationProcess() throws {
        let (ws, op, ab) = try cleeksy()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op, ab])
        let r = try changes.changeSeats(ws, to: 12, on: try d(2024, 3, 17))

        #expect(r.subscriptions.map(\.id) == ["sub_ws", "sub_op"])
        #expect(r.subscriptions.map(\.seats) == [12, 12])
        #expect(r.subscriptions[1].plan == "op_starter")
        // Operation Process 40,000 × 12 = 480,000 a month.
        #expect(r.subscriptions[1].paidForPeriod == vnd(480_000))
        #expect(r.subscriptions[1].currentPeriod == op.currentPeriod)

        #expect(r.lines.map(\.subscription) == ["sub_ws", "sub_ws", "sub_op", "sub_op"])
        #expect(r.lines.map(\.kind) == [.credit, .plan, .credit, .plan])
        // Workspace as in moreSeatsProratedNow: −435,484 / 522,581.
        // OP credit 400,000 × 15 ÷ 31 = 193,548.39 → 193,548 (VAT −19,354.8 → −19,355);
        // OP charge 480,000 × 15 ÷ 31 = 232,258.06 → 232,258 (VAT 23,225.8 → 23,226).
        #expect(r.lines.map(\.amount.minorUnits) == [-435_484, 522_581, -193_548, 232_258])
        #expect(r.lines.map(\.tax.minorUnits) == [-43_548, 52_258, -19_355, 23_226])
        #expect(r.lines[3].product == DemoCatalog.operationProcess)
        #expect(r.lines[3].quantity == 12)
        // 87,097 + 38,710 = 125,807 net; 8,710 + 3,871 = 12,581 VAT.
        let totals = try r.totals
        #expect(totals.net.minorUnits == 125_807)
        #expect(totals.tax.minorUnits == 12_581)
        #expect(totals.total.minorUnits == 138_388)
    }

    @Test("001: a co-terminated Operation Process follows a Workspace seat increase, charged by the days of the full cycle")
    func coTerminatedFollowerProratedByFullCycle() throws {
        // 001's example: Workspace Standard yearly 15/1/2023–15/1/2024, 10 seats, 8,640,000 paid;
        // Operation Process Starter yearly bought on 10/1/2024, co-terminated: [2024-01-10, 2024-01-15), 52,602 paid.
        let schedule = BillingSchedule(anchor: try d(2023, 1, 15), cycle: .yearly)
        let ws = Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_standard", seats: 10,
                              currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: vnd(8_640_000))
        let quote = try Checkout(catalog: catalog, customer: vn, subscriptions: [ws])
            .quote(Order(items: [.init(product: DemoCatalog.operationProcess, plan: "op_starter", cycle: .yearly)]), on: try d(2024, 1, 10))
        let op = try #require(quote.subscriptions.first { $0.product == DemoCatalog.operationProcess })
        #expect(op.currentPeriod == (try period(d(2024, 1, 10), d(2024, 1, 15))))
        #expect(op.paidForPeriod == vnd(52_602))

        let r = try SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op]).changeSeats(ws, to: 12, on: try d(2024, 1, 12))
        #expect(r.subscriptions.map(\.seats) == [12, 12])
        // Workspace, 3 of 365 days: credit 8,640,000 × 3 ÷ 365 = 71,013.7 → 71,014 (VAT −7,101);
        // 90,000 × 12 × 12 = 12,960,000 × 3 ÷ 365 = 106,520.5 → 106,521, −20 % (21,304.2 → 21,304) = 85,217 (VAT 8,522).
        // Operation Process: credit 52,602 × 3 ÷ 5 = 31,561.2 → 31,561 (VAT −3,156); charge by the full
        // 365-day cycle, not the 5-day co-terminated period: 40,000 × 12 × 12 = 5,760,000 × 3 ÷ 365
        // = 47,342.5 → 47,342, −20 % (9,468.4 → 9,468) = 37,874 (VAT 3,787.4 → 3,787).
        #expect(r.lines.map(\.subscription) == ["sub_ws", "sub_ws", op.id, op.id])
        #expect(r.lines.map(\.amount.minorUnits) == [-71_014, 106_521, -31_561, 47_342])
        #expect(r.lines.map(\.net.minorUnits) == [-71_014, 85_217, -31_561, 37_874])
        #expect(r.lines.map(\.tax.minorUnits) == [-7_101, 8_522, -3_156, 3_787])
        #expect(r.lines[3].period == (try period(d(2024, 1, 12), d(2024, 1, 15))))
        // What the new content costs for the whole co-terminated period: 5,760,000 × 5 ÷ 365 = 78,904.1
        // → 78,904, −20 % (15,780.8 → 15,781) = 63,123.
        #expect(r.subscriptions[1].paidForPeriod == vnd(63_123))
        #expect(r.subscriptions[1].currentPeriod == op.currentPeriod)
    }

    @Test("001 (b): a period of the remaining days plus the next cycle is charged per cycle: the days left, then the full year")
    func coTerminatedOptionBProratedPerCycle() throws {
        let schedule = BillingSchedule(anchor: try d(2023, 1, 15), cycle: .yearly)
        let ws = Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_standard", seats: 10,
                              currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: vnd(8_640_000))
        let order = Order(items: [.init(product: DemoCatalog.appBuilder, plan: "ab_starter", cycle: .yearly, seats: 8)],
                          coTermination: .remainingDaysAndNextCycle)
        let quote = try Checkout(catalog: catalog, customer: vn, subscriptions: [ws]).quote(order, on: try d(2024, 1, 10))
        let ab = try #require(quote.subscriptions.first { $0.product == DemoCatalog.appBuilder })
        // [2024-01-10, 2025-01-15): 5 + 366 = 371 days. Paid: 4,800,000 × 5 ÷ 365 = 65,753.4 → 65,753,
        // −20 % (13,150.6 → 13,151) = 52,602, plus the year 4,800,000 − 960,000 = 3,840,000: 3,892,602.
        #expect(ab.currentPeriod == (try period(d(2024, 1, 10), d(2025, 1, 15))))
        #expect(ab.paidForPeriod == vnd(3_892_602))

        let r = try SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, ab]).changeSeats(ab, to: 10, on: try d(2024, 1, 12))
        // Credit 3,892,602 × 369 ÷ 371 = 3,871,617.6 → 3,871,618 (VAT 387,161.8 → −387,162).
        // Charge 50,000 × 10 × 12 = 6,000,000 a year: [2024-01-12, 2024-01-15) is 3 of 365 days of its cycle,
        // 49,315.07 → 49,315, −20 % (9,863) = 39,452 (VAT 3,945.2 → 3,945); then the whole cycle
        // [2024-01-15, 2025-01-15): 6,000,000 − 1,200,000 = 4,800,000 (VAT 480,000).
        #expect(r.lines.map(\.kind) == [.credit, .plan, .plan])
        #expect(r.lines.map(\.period) == [try period(d(2024, 1, 12), d(2025, 1, 15)), try period(d(2024, 1, 12), d(2024, 1, 15)),
                                          try period(d(2024, 1, 15), d(2025, 1, 15))])
        #expect(r.lines.map(\.amount.minorUnits) == [-3_871_618, 49_315, 6_000_000])
        #expect(r.lines.map(\.net.minorUnits) == [-3_871_618, 39_452, 4_800_000])
        #expect(r.lines.map(\.tax.minorUnits) == [-387_162, 3_945, 480_000])
        // The new content for the whole period: 6,000,000 × 5 ÷ 365 = 82,191.8 → 82,192, −20 % (16,438.4 → 16,438)
        // = 65,754, plus 4,800,000.
        #expect(r.subscription.paidForPeriod == vnd(4_865_754))
        #expect(r.subscription.currentPeriod == ab.currentPeriod)
    }

    @Test("001: lowering Workspace seats below App Builder's (at most the base) is refused")
    func workspaceSeatsBelowAppBuilderRefused() throws {
        let (ws, op, ab) = try cleeksy()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op, ab])
        let errs = errors { try changes.changeSeats(ws, to: 6, on: try d(2024, 3, 17)) }
        #expect(errs.map(\.code) == [.dependencySeatsExceedBase])
        #expect(errs.first?.field == "seats")
        #expect(errs.first?.values["seats"] == .int(8))
        #expect(errs.first?.values["baseSeats"] == .int(6))
    }

    @Test("001: Operation Process seats cannot be changed away from Workspace's")
    func operationProcessSeatsMustEqualBase() throws {
        let (ws, op, ab) = try cleeksy()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op, ab])
        let errs = errors { try changes.changeSeats(op, to: 11, on: try d(2024, 3, 17)) }
        #expect(errs.map(\.code) == [.dependencySeatsMustEqualBase])
        #expect(errs.first?.field == "seats")
        #expect(errs.first?.values["seats"] == .int(11))
        #expect(errs.first?.values["baseSeats"] == .int(10))
    }

    @Test("001: App Builder seats may rise up to Workspace's, not above")
    func appBuilderSeatsAtMostBase() throws {
        let (ws, op, ab) = try cleeksy()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op, ab])
        let errs = errors { try changes.changeSeats(ab, to: 11, on: try d(2024, 3, 17)) }
        #expect(errs.map(\.code) == [.dependencySeatsExceedBase])
        #expect(errs.first?.values["seats"] == .int(11))
        #expect(errs.first?.values["baseSeats"] == .int(10))

        // 10 seats is allowed: credit 400,000 × 15 ÷ 31 → 193,548; charge 50,000 × 10 = 500,000 × 15 ÷ 31
        // = 241,935.48 → 241,935.
        let r = try changes.changeSeats(ab, to: 10, on: try d(2024, 3, 17))
        #expect(r.subscriptions.map(\.id) == ["sub_ab"])
        #expect(r.lines.map(\.amount.minorUnits) == [-193_548, 241_935])
    }

    @Test("001: Workspace cannot go below Starter while Operation Process is live")
    func workspaceBelowMinimumBasePlanRefused() throws {
        let (ws, op, _) = try cleeksy()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op])
        let errs = errors { try changes.changePlan(ws, to: "ws_free", seats: 5, on: try d(2024, 3, 17)) }
        #expect(errs.map(\.code) == [.dependencyBasePlanTooLow])
        #expect(errs.first?.field == "plan")
        #expect(errs.first?.values["plan"] == .text("ws_free"))
        #expect(errs.first?.values["minimumPlan"] == .text("ws_starter"))
    }

    @Test("001: Workspace cannot move to a shorter cycle than a live Operation Process")
    func workspaceCycleBelowDependentRefused() throws {
        let ws = try year2024("sub_ws", product: DemoCatalog.workspace, plan: "ws_standard", seats: 10, paid: 8_640_000)
        let op = try year2024("sub_op", product: DemoCatalog.operationProcess, plan: "op_starter", seats: 10, paid: 3_840_000)
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op])
        let errs = errors { try changes.changePlan(ws, to: "ws_standard", cycle: .monthly, on: try d(2024, 6, 1)) }
        #expect(errs.map(\.code) == [.dependencyCycleExceedsBase])
        #expect(errs.first?.field == "cycle")
        #expect(errs.first?.values["cycleMonths"] == .int(12))
        #expect(errs.first?.values["baseCycleMonths"] == .int(1))
    }

    @Test("001: a dependent cannot move to a longer cycle than its base")
    func dependentCycleAboveBaseRefused() throws {
        let (ws, op, _) = try cleeksy()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op])
        let errs = errors { try changes.changePlan(op, to: "op_starter", cycle: .yearly, on: try d(2024, 3, 17)) }
        #expect(errs.map(\.code) == [.dependencyCycleExceedsBase])
        #expect(errs.first?.values["cycleMonths"] == .int(12))
        #expect(errs.first?.values["baseCycleMonths"] == .int(1))
    }

    // MARK: Plans below current usage (003)

    @Test("003: a plan whose storage is below the storage in use is refused, naming the quota, limit and usage")
    func planBelowStorageUsageRefused() throws {
        let s = try march(plan: "ws_standard", seats: 10, paid: 900_000)
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, usage: [DemoCatalog.workspace: [.storageMB: 60_000]])
        let errs = errors { try changes.changePlan(s, to: "ws_starter", on: try d(2024, 3, 10)) }
        #expect(errs.map(\.code) == [.planLimitBelowUsage])
        #expect(errs.first?.field == "plan")
        // Starter: 50 GB = 51,200 MB; 60,000 in use is 8,800 over.
        #expect(errs.first?.values["quota"] == .text("storage_mb"))
        #expect(errs.first?.values["limit"] == .int(51_200))
        #expect(errs.first?.values["usage"] == .int(60_000))
        #expect(errs.first?.values["over"] == .int(8_800))
    }

    @Test("003: seats below the users in use are refused on the users quota")
    func seatsBelowUsersRefused() throws {
        let s = try march(plan: "ws_standard", seats: 10, paid: 900_000)
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, usage: [DemoCatalog.workspace: [.users: 12]])
        let errs = errors { try changes.changeSeats(s, to: 8, on: try d(2024, 3, 10)) }
        #expect(errs.map(\.code) == [.planLimitBelowUsage])
        #expect(errs.first?.values["quota"] == .text("users"))
        #expect(errs.first?.values["limit"] == .int(8))
        #expect(errs.first?.values["usage"] == .int(12))
        #expect(errs.first?.values["over"] == .int(4))
    }

    @Test("002: a downgrade to Free over its storage is not refused but announces read-only access")
    func downgradeToFreeOverStorageIsReadOnly() throws {
        let s = try march(plan: "ws_starter", seats: 5, paid: 300_000)
        // Free allows 5 GB = 5,120 MB; 6,000 MB in use.
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, usage: [DemoCatalog.workspace: [.storageMB: 6_000]])
        let r = try changes.changePlan(s, to: "ws_free", on: try d(2024, 3, 10))
        #expect(r.lines.isEmpty)
        #expect(r.subscription.scheduledChange?.plan == "ws_free")
        #expect(r.notices.map(\.code) == ["access.read_only"])
        // At renewal nothing is invoiced on Free.
        let renewed = try Renewal(catalog: catalog, customer: vn).renew(r.subscription)
        #expect(renewed.subscription.plan == "ws_free")
        #expect(renewed.lines.isEmpty)
        #expect(renewed.subscription.paidForPeriod == vnd(0))
    }

    @Test("Changes are refused on a subscription that is not live")
    func changeOnLockedRefused() throws {
        var s = try march(plan: "ws_starter", seats: 10, paid: 600_000)
        s.status = .locked
        let errs = errors { try SubscriptionChanges(catalog: catalog, customer: vn).changePlan(s, to: "ws_standard", on: try d(2024, 3, 17)) }
        #expect(errs.map(\.code) == [.subscriptionNotLive])
        #expect(errs.first?.values["status"] == .text("locked"))
    }
}
