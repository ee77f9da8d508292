import Testing
@testable import RecurCore

/// 001's rules between the three solutions at checkout: the automatic base, seats,
/// cycles, co-termination, the expired base, and the bundle.
@Suite("Checkout: 001 dependencies, co-termination, expired base, bundle")
struct CheckoutDependencyTests {
    typealias K = CheckoutKit
    let ws = DemoCatalog.workspace
    let op = DemoCatalog.operationProcess
    let ab = DemoCatalog.appBuilder

    /// Workspace Standard monthly, 10 seats, period [1/3/2024, 1/4/2024), 900,000 ₫ paid.
    func workspaceMonthly() throws -> Subscription {
        try K.workspace(cycle: .monthly, anchor: "2024-03-01", paid: 900_000)
    }

    /// Workspace Standard yearly, 10 seats, 15/1/2023–15/1/2024 (001's worked example).
    func workspaceYearly(status: Subscription.Status = .active) throws -> Subscription {
        try K.workspace(cycle: .yearly, anchor: "2023-01-15", status: status, paid: 8_640_000)
    }

    func expectError(_ errors: RecurErrors, _ code: RecurError.Code, field: String,
                     message: String? = nil, values: [String: RecurError.Value]? = nil,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(errors.codes == [code], sourceLocation: sourceLocation)
        guard let e = errors.errors.first else { return }
        #expect(e.field == field, sourceLocation: sourceLocation)
        if let message { #expect(e.message == message, sourceLocation: sourceLocation) }
        if let values { #expect(e.values == values, sourceLocation: sourceLocation) }
    }

    // MARK: The automatic base

    @Test("Operation Process without Workspace adds Workspace Starter to the order with the same seats")
    func operationProcessAddsWorkspaceStarter() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .monthly, seats: 5)])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))

        #expect(q.notices.map(\.code) == ["dependency.base_added"])
        #expect(q.notices.first?.message == "Digital Workspace Starter is added: Operation Process needs it")
        // The base comes first. Workspace Starter 60,000 × 5 = 300,000 + 30,000 VAT;
        // Operation Process 40,000 × 5 = 200,000 + 20,000 VAT.
        #expect(q.lines.map(\.description) == ["Digital Workspace Starter", "Operation Process Starter"])
        #expect(K.amounts(q.lines[0]) == [300_000, 0, 300_000, 30_000, 330_000])
        #expect(K.amounts(q.lines[1]) == [200_000, 0, 200_000, 20_000, 220_000])
        let month = try K.period("2024-03-10", "2024-04-10")
        #expect(q.lines.map(\.period) == [month, month])
        #expect(K.totals(q.totals) == [500_000, 0, 500_000, 50_000, 550_000])

        #expect(q.subscriptions.map(\.id) == ["sub_new_workspace", "sub_new_operation_process"])
        #expect(q.subscriptions.map(\.plan) == ["ws_starter", "op_starter"])
        #expect(q.subscriptions.map(\.seats) == [5, 5])
        #expect(q.subscriptions.map(\.currentPeriod) == [month, month])
        #expect(q.subscriptions.map(\.paidForPeriod) == [K.vnd(300_000), K.vnd(200_000)])
        #expect(q.recurring == ["sub_new_workspace": K.vnd(330_000), "sub_new_operation_process": K.vnd(220_000)])
        #expect(q.coTermination == nil)
    }

    @Test("Operation Process seats default to the live Workspace's seats")
    func operationProcessSeatsDefaultToLiveBase() throws {
        // Bought on the first day of Workspace's period: a full month, no proration.
        let base = try K.workspace(cycle: .monthly, anchor: "2024-03-10", paid: 900_000)
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .monthly)])
        let q = try K.checkout(subscriptions: [base]).quote(order, on: try K.day("2024-03-10"))
        // 40,000 × 10 = 400,000 + 40,000 VAT.
        #expect(q.lines.count == 1)
        #expect(q.lines[0].quantity == 10)
        #expect(K.amounts(q.lines[0]) == [400_000, 0, 400_000, 40_000, 440_000])
        #expect(q.subscriptions.map(\.product) == [op])
        #expect(q.subscriptions.first?.seats == 10)
        #expect(q.notices.isEmpty)
    }

    @Test("Operation Process seats default to the seats of the Workspace ordered with it")
    func operationProcessSeatsDefaultToOrderedBase() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10),
                                  .init(product: op, plan: "op_standard", cycle: .monthly)])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        // Workspace 900,000 + 90,000; Operation Process Standard 70,000 × 10 = 700,000 + 70,000.
        #expect(q.lines.map(\.quantity) == [10, 10])
        #expect(K.amounts(q.lines[1]) == [700_000, 0, 700_000, 70_000, 770_000])
        #expect(q.totals.total == K.vnd(1_760_000))
        #expect(q.subscriptions.map(\.seats) == [10, 10])
        #expect(q.notices.isEmpty)
    }

    @Test("Operation Process seats must equal Workspace seats: 8 against 10 is refused")
    func operationProcessSeatsMustEqualBase() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10),
                                  .init(product: op, plan: "op_starter", cycle: .monthly, seats: 8)])
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout().quote(order, on: try K.day("2024-03-10"))
        }
        expectError(errors, .dependencySeatsMustEqualBase, field: "items[1].seats",
                    message: "Operation Process seats 8 must equal Digital Workspace seats 10",
                    values: ["seats": 8, "baseSeats": 10])
    }

    @Test("App Builder seats may not exceed Workspace seats: 12 against 10 is refused")
    func appBuilderSeatsExceedBase() throws {
        let order = Order(items: [.init(product: ab, plan: "ab_starter", cycle: .monthly, seats: 12)])
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout(subscriptions: [try workspaceMonthly()]).quote(order, on: try K.day("2024-03-11"))
        }
        expectError(errors, .dependencySeatsExceedBase, field: "items[0].seats",
                    message: "App Builder seats 12 exceed Digital Workspace seats 10",
                    values: ["seats": 12, "baseSeats": 10])
    }

    @Test("App Builder with fewer seats than Workspace co-terms with it; under 30 days left the customer must choose")
    func appBuilderFewerSeatsCoTerms() throws {
        let order = Order(items: [.init(product: ab, plan: "ab_starter", cycle: .monthly, seats: 6)])
        let q = try K.checkout(subscriptions: [try workspaceMonthly()]).quote(order, on: try K.day("2024-03-11"))
        // 50,000 × 6 = 300,000 a month; 21 of 31 days = 203,225.81 → 203,226; VAT 20,322.6 → 20,323.
        let line = try #require(q.lines.first)
        #expect(q.lines.count == 1)
        #expect(line.unitAmount == K.vnd(50_000))
        #expect(line.quantity == 6)
        #expect(line.period == (try K.period("2024-03-11", "2024-04-01")))
        #expect(K.amounts(line) == [203_226, 0, 203_226, 20_323, 223_549])
        let offer = try #require(q.coTermination)
        #expect(offer.product == ab)
        #expect(offer.choiceRequired)
        #expect(offer.chosen == .remainingDays)
        #expect(offer.remainingPeriod == (try K.period("2024-03-11", "2024-04-01")))
        #expect(offer.nextPeriod == (try K.period("2024-04-01", "2024-05-01")))
        // (b) adds April: 300,000 + 30,000 VAT.
        #expect(offer.totalRemainingDays == K.vnd(223_549))
        #expect(offer.totalRemainingDaysAndNextCycle == K.vnd(553_549))
        #expect(q.subscriptions.first?.seats == 6)
    }

    @Test("App Builder without Workspace is refused: it has no automatic base")
    func appBuilderNeedsBase() throws {
        let order = Order(items: [.init(product: ab, plan: "ab_starter", cycle: .monthly, seats: 5)])
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout().quote(order, on: try K.day("2024-03-10"))
        }
        expectError(errors, .dependencyBaseRequired, field: "items[0].product",
                    message: "App Builder needs Digital Workspace Starter or higher",
                    values: ["product": "app_builder", "base": "workspace"])
    }

    @Test("Operation Process needs Workspace Starter or higher: a live Workspace Free is too low")
    func baseOnFreeIsTooLow() throws {
        let free = try K.workspace(plan: "ws_free", seats: 3, cycle: .monthly, anchor: "2024-03-01", paid: 0)
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .monthly, seats: 3)])
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout(subscriptions: [free]).quote(order, on: try K.day("2024-03-10"))
        }
        expectError(errors, .dependencyBasePlanTooLow, field: "items[0].product",
                    message: "Operation Process needs Digital Workspace Starter or higher; the base is on Free",
                    values: ["basePlan": "ws_free", "minimumPlan": "ws_starter"])
    }

    // MARK: Cycles

    @Test("Operation Process yearly while Workspace is monthly: Workspace moves to yearly in the same order, unused month credited")
    func operationProcessYearlySwitchesLiveBase() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly)])
        let q = try K.checkout(subscriptions: [try workspaceMonthly()]).quote(order, on: try K.day("2024-03-11"))
        #expect(q.notices.map(\.code) == ["dependency.base_cycle_switched"])
        #expect(q.lines.map(\.kind) == [.credit, .plan, .plan])
        let year = try K.period("2024-03-11", "2025-03-11")

        // Credit: 900,000 paid for 31 days, 21 unused (11/3–31/3): 609,677.42 → −609,677;
        // VAT returned −60,967.7 → −60,968; total −670,645.
        let credit = q.lines[0]
        #expect(credit.subscription == "sub_ws")
        #expect(credit.period == (try K.period("2024-03-11", "2024-04-01")))
        #expect(credit.description == "Unused time on Digital Workspace (21 of 31 days)")
        #expect(K.amounts(credit) == [-609_677, 0, -609_677, -60_968, -670_645])
        // Workspace Standard for a new year from today: 10,800,000 − 20 % = 8,640,000 + 864,000.
        #expect(q.lines[1].plan == "ws_standard")
        #expect(q.lines[1].period == year)
        #expect(K.amounts(q.lines[1]) == [10_800_000, 2_160_000, 8_640_000, 864_000, 9_504_000])
        // Operation Process 10 seats (Workspace's): 4,800,000 − 20 % = 3,840,000 + 384,000.
        #expect(q.lines[2].plan == "op_starter")
        #expect(q.lines[2].quantity == 10)
        #expect(q.lines[2].period == year)
        #expect(K.amounts(q.lines[2]) == [4_800_000, 960_000, 3_840_000, 384_000, 4_224_000])
        #expect(K.totals(q.totals) == [14_990_323, 3_120_000, 11_870_323, 1_187_032, 13_057_355])

        let workspace = try #require(q.subscriptions.first { $0.product == ws })
        #expect(workspace.id == "sub_ws")
        #expect(workspace.cycle == .yearly)
        #expect(workspace.currentPeriod == year)
        #expect(workspace.schedule.anchor == (try K.day("2024-03-11")))
        #expect(workspace.paidForPeriod == K.vnd(8_640_000))
        let process = try #require(q.subscriptions.first { $0.product == op })
        #expect(process.currentPeriod == year)
        #expect(process.seats == 10)
        #expect(q.recurring == ["sub_ws": K.vnd(9_504_000), "sub_new_operation_process": K.vnd(4_224_000)])
    }

    @Test("Operation Process yearly ordered with a monthly Workspace moves that Workspace to yearly")
    func operationProcessYearlySwitchesOrderedBase() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10),
                                  .init(product: op, plan: "op_starter", cycle: .yearly)])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        #expect(q.notices.map(\.code) == ["dependency.base_cycle_switched"])
        #expect(q.subscriptions.map(\.cycle) == [.yearly, .yearly])
        // 9,504,000 + 4,224,000.
        #expect(q.lines.map(\.total.minorUnits) == [9_504_000, 4_224_000])
        #expect(q.totals.total == K.vnd(13_728_000))
    }

    @Test("App Builder yearly while Workspace is monthly is refused: its cycle may not exceed the base's")
    func appBuilderCycleExceedsBase() throws {
        let order = Order(items: [.init(product: ab, plan: "ab_starter", cycle: .yearly, seats: 5)])
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout(subscriptions: [try workspaceMonthly()]).quote(order, on: try K.day("2024-03-11"))
        }
        expectError(errors, .dependencyCycleExceedsBase, field: "items[0].cycle",
                    message: "App Builder cannot be billed every year while Digital Workspace is billed every month",
                    values: ["cycleMonths": 12, "baseCycleMonths": 1])
    }

    @Test("App Builder yearly ordered with a monthly Workspace is refused too")
    func appBuilderCycleExceedsOrderedBase() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10),
                                  .init(product: ab, plan: "ab_starter", cycle: .yearly, seats: 5)])
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout().quote(order, on: try K.day("2024-03-10"))
        }
        expectError(errors, .dependencyCycleExceedsBase, field: "items[1].cycle", values: ["cycleMonths": 12, "baseCycleMonths": 1])
    }

    // MARK: Co-termination

    @Test("001 co-term (b): the 5 days 10/1–14/1/2024 plus the next year 15/1/2024–15/1/2025, two lines")
    func coTermOptionB() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly)], coTermination: .remainingDaysAndNextCycle)
        let q = try K.checkout(subscriptions: [try workspaceYearly()]).quote(order, on: try K.day("2024-01-10"))
        let offer = try #require(q.coTermination)
        #expect(!offer.choiceRequired)
        #expect(offer.chosen == .remainingDaysAndNextCycle)

        #expect(q.lines.count == 2)
        // 4,800,000 × 5/365 = 65,753.42 → 65,753; 20 % 13,150.6 → 13,151; net 52,602; VAT 5,260.2 → 5,260.
        #expect(q.lines[0].period == (try K.period("2024-01-10", "2024-01-15")))
        #expect(K.amounts(q.lines[0]) == [65_753, 13_151, 52_602, 5_260, 57_862])
        // The next year in full: 4,800,000 − 960,000 = 3,840,000 + 384,000.
        #expect(q.lines[1].period == (try K.period("2024-01-15", "2025-01-15")))
        #expect(K.amounts(q.lines[1]) == [4_800_000, 960_000, 3_840_000, 384_000, 4_224_000])
        #expect(q.totals.total == K.vnd(4_281_862))
        #expect(offer.totalRemainingDays == K.vnd(57_862))
        #expect(offer.totalRemainingDaysAndNextCycle == K.vnd(4_281_862))

        let sub = try #require(q.subscriptions.first)
        #expect(sub.product == op)
        #expect(sub.currentPeriod == (try K.period("2024-01-10", "2025-01-15")))
        #expect(sub.schedule == BillingSchedule(anchor: try K.day("2023-01-15"), cycle: .yearly))
        #expect(sub.startedOn == (try K.day("2024-01-10")))
        #expect(sub.paidForPeriod == K.vnd(3_892_602))
        // It renews with Workspace's year: 15/1/2025–15/1/2026 at 4,224,000.
        #expect(q.recurring[sub.id] == K.vnd(4_224_000))
    }

    @Test("001 co-term (a) chosen explicitly: only the 5 days, no choice left to make")
    func coTermOptionAChosen() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly)], coTermination: .remainingDays)
        let q = try K.checkout(subscriptions: [try workspaceYearly()]).quote(order, on: try K.day("2024-01-10"))
        let offer = try #require(q.coTermination)
        #expect(!offer.choiceRequired)
        #expect(offer.chosen == .remainingDays)
        #expect(q.lines.count == 1)
        #expect(q.totals.total == K.vnd(57_862))
        #expect(q.subscriptions.first?.currentPeriod == (try K.period("2024-01-10", "2024-01-15")))
    }

    @Test("co-term with 40 days left: no choice offered, the line is prorated 40/365 to the base's period end")
    func coTermFortyDaysNoChoice() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly)])
        let q = try K.checkout(subscriptions: [try workspaceYearly()]).quote(order, on: try K.day("2023-12-06"))
        #expect(q.coTermination == nil)
        let line = try #require(q.lines.first)
        #expect(q.lines.count == 1)
        // 4,800,000 × 40/365 = 526,027.40 → 526,027; 20 % 105,205.4 → 105,205; net 420,822;
        // VAT 42,082.2 → 42,082; total 462,904.
        #expect(line.period == (try K.period("2023-12-06", "2024-01-15")))
        #expect(K.amounts(line) == [526_027, 105_205, 420_822, 42_082, 462_904])
        #expect(q.subscriptions.first?.currentPeriod == (try K.period("2023-12-06", "2024-01-15")))
    }

    @Test("co-term choice threshold: exactly 30 days left offers no choice, 29 days left does")
    func coTermThirtyDayBoundary() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly)])
        let checkout = K.checkout(subscriptions: [try workspaceYearly()])
        let thirty = try checkout.quote(order, on: try K.day("2023-12-16"))
        #expect(thirty.coTermination == nil)
        #expect(thirty.lines.first?.period?.days == 30)
        let twentyNine = try checkout.quote(order, on: try K.day("2023-12-17"))
        #expect(twentyNine.coTermination?.remainingPeriod.days == 29)
        #expect(twentyNine.coTermination?.choiceRequired == true)
    }

    @Test("a dependent bought on the base's period start day pays one full period, no proration")
    func coTermOnAnchorDayIsFullPeriod() throws {
        // Workspace monthly anchored on 15/1/2024; its third period is [15/3/2024, 15/4/2024).
        let base = try K.workspace(cycle: .monthly, anchor: "2024-01-15", periodIndex: 2, paid: 900_000)
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .monthly)])
        let q = try K.checkout(subscriptions: [base]).quote(order, on: try K.day("2024-03-15"))
        #expect(q.coTermination == nil)
        let line = try #require(q.lines.first)
        #expect(line.period == (try K.period("2024-03-15", "2024-04-15")))
        #expect(K.amounts(line) == [400_000, 0, 400_000, 40_000, 440_000])
        #expect(q.subscriptions.first?.schedule.anchor == (try K.day("2024-01-15")))
    }

    // MARK: Expired base within 7 days

    @Test("001 expired base within 7 days: the order renews Workspace 15/1/2024–15/1/2025 and Operation Process co-terms to it")
    func expiredBaseIsRenewed() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly)])
        let q = try K.checkout(subscriptions: [try workspaceYearly(status: .expired)]).quote(order, on: try K.day("2024-01-19"))
        #expect(q.notices.map(\.code) == ["dependency.base_renewal_added"])
        #expect(q.notices.first?.message == "Digital Workspace expired on 2024-01-14; its renewal is added to this order")
        #expect(q.lines.map(\.plan) == ["ws_standard", "op_starter"])
        // Workspace renewal: 10,800,000 − 20 % = 8,640,000 + 864,000 = 9,504,000.
        #expect(q.lines[0].period == (try K.period("2024-01-15", "2025-01-15")))
        #expect(K.amounts(q.lines[0]) == [10_800_000, 2_160_000, 8_640_000, 864_000, 9_504_000])
        // Operation Process 19/1/2024–15/1/2025, 362 of 366 days: 4,800,000 × 362/366 = 4,747,540.98 → 4,747,541;
        // 20 % 949,508.2 → 949,508; net 3,798,033; VAT 379,803.3 → 379,803; total 4,177,836.
        #expect(q.lines[1].period == (try K.period("2024-01-19", "2025-01-15")))
        #expect(q.lines[1].quantity == 10)
        #expect(K.amounts(q.lines[1]) == [4_747_541, 949_508, 3_798_033, 379_803, 4_177_836])
        #expect(q.totals.total == K.vnd(13_681_836))
        #expect(q.coTermination == nil)

        let workspace = try #require(q.subscriptions.first { $0.product == ws })
        #expect(workspace.id == "sub_ws")
        #expect(workspace.status == .active)
        #expect(workspace.currentPeriod == (try K.period("2024-01-15", "2025-01-15")))
        #expect(workspace.paidForPeriod == K.vnd(8_640_000))
        let process = try #require(q.subscriptions.first { $0.product == op })
        #expect(process.currentPeriod == (try K.period("2024-01-19", "2025-01-15")))
        #expect(process.seats == 10)
    }

    @Test("expired base 7 days ago (22/1/2024) is not renewed: Workspace Starter is added instead")
    func expiredBaseSevenDaysAgoIsNotRenewed() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly, seats: 10)])
        let q = try K.checkout(subscriptions: [try workspaceYearly(status: .expired)]).quote(order, on: try K.day("2024-01-22"))
        #expect(q.notices.map(\.code) == ["dependency.base_added"])
        let year = try K.period("2024-01-22", "2025-01-22")
        // Workspace Starter 60,000 × 12 × 10 = 7,200,000 − 20 % = 5,760,000 + 576,000.
        #expect(q.lines.map(\.plan) == ["ws_starter", "op_starter"])
        #expect(K.amounts(q.lines[0]) == [7_200_000, 1_440_000, 5_760_000, 576_000, 6_336_000])
        #expect(K.amounts(q.lines[1]) == [4_800_000, 960_000, 3_840_000, 384_000, 4_224_000])
        #expect(q.lines.map(\.period) == [year, year])
        #expect(q.totals.total == K.vnd(10_560_000))
        #expect(q.subscriptions.map(\.id) == ["sub_new_workspace", "sub_new_operation_process"])
    }

    @Test("expired base 6 days ago (21/1/2024) is still renewed")
    func expiredBaseSixDaysAgoIsRenewed() throws {
        let order = Order(items: [.init(product: op, plan: "op_starter", cycle: .yearly)])
        let q = try K.checkout(subscriptions: [try workspaceYearly(status: .expired)]).quote(order, on: try K.day("2024-01-21"))
        #expect(q.notices.map(\.code) == ["dependency.base_renewal_added"])
        #expect(q.lines.first?.period == (try K.period("2024-01-15", "2025-01-15")))
    }

    // MARK: Bundle

    @Test("001 bundle: all three yearly get 10 % off after the 20 % cycle discount on each line")
    func bundleDiscount() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10),
                                  .init(product: op, plan: "op_starter", cycle: .yearly),
                                  .init(product: ab, plan: "ab_starter", cycle: .yearly, seats: 5)],
                          bundle: "cleeksy_suite")
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        #expect(q.lines.map(\.product) == [ws, op, ab])
        for line in q.lines {
            #expect(line.discounts.map(\.kind) == [.cycle, .bundle])
            #expect(line.discounts[1].reference == "cleeksy_suite")
            #expect(line.discounts[1].percentage == Percentage(percent: 10))
        }
        // Workspace: 10,800,000 − 2,160,000 = 8,640,000 − 864,000 = 7,776,000 + 777,600 = 8,553,600.
        #expect(q.lines[0].discounts.map(\.amount.minorUnits) == [2_160_000, 864_000])
        #expect(K.amounts(q.lines[0]) == [10_800_000, 3_024_000, 7_776_000, 777_600, 8_553_600])
        // Operation Process 10 seats: 4,800,000 − 960,000 = 3,840,000 − 384,000 = 3,456,000 + 345,600.
        #expect(K.amounts(q.lines[1]) == [4_800_000, 1_344_000, 3_456_000, 345_600, 3_801_600])
        // App Builder 5 seats: 50,000 × 12 × 5 = 3,000,000 − 600,000 = 2,400,000 − 240,000 = 2,160,000 + 216,000.
        #expect(K.amounts(q.lines[2]) == [3_000_000, 840_000, 2_160_000, 216_000, 2_376_000])
        #expect(K.totals(q.totals) == [18_600_000, 5_208_000, 13_392_000, 1_339_200, 14_731_200])

        #expect(q.subscriptions.map(\.bundle) == ["cleeksy_suite", "cleeksy_suite", "cleeksy_suite"])
        #expect(q.subscriptions.map(\.seats) == [10, 10, 5])
        // Renewals keep the bundle discount.
        #expect(q.recurring == ["sub_new_workspace": K.vnd(8_553_600), "sub_new_operation_process": K.vnd(3_801_600),
                                "sub_new_app_builder": K.vnd(2_376_000)])
    }

    @Test("bundle discount covers add-ons too (10 % of the total service fee): storage 600,000 − 20 % − 10 %")
    func bundleDiscountOnAddOns() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 1)]),
                                  .init(product: op, plan: "op_starter", cycle: .yearly),
                                  .init(product: ab, plan: "ab_starter", cycle: .yearly, seats: 5)],
                          bundle: "cleeksy_suite")
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        let storage = try #require(q.lines.first { $0.addOn == "storage_10gb" })
        // 50,000 × 12 = 600,000 − 120,000 = 480,000 − 48,000 = 432,000 + 43,200 VAT = 475,200.
        #expect(storage.discounts.map(\.kind) == [.cycle, .bundle])
        #expect(K.amounts(storage) == [600_000, 168_000, 432_000, 43_200, 475_200])
        // 14,731,200 for the three plans + 475,200.
        #expect(q.totals.total == K.vnd(15_206_400))
    }

    @Test("bundle in MYR: cycle 20 % then bundle 10 % per line, SST 8 % rounded half-up per line")
    func bundleInRinggit() throws {
        let customer = Customer(id: "cus_my", country: "MY", currency: .myr)
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 3),
                                  .init(product: op, plan: "op_starter", cycle: .yearly),
                                  .init(product: ab, plan: "ab_starter", cycle: .yearly, seats: 2)],
                          bundle: "cleeksy_suite")
        let q = try K.checkout(customer).quote(order, on: try K.day("2024-03-10"))
        // Workspace 1,800 sen × 12 × 3 = 64,800 − 12,960 = 51,840 − 5,184 = 46,656; SST 3,732.48 → 3,732.
        #expect(K.amounts(q.lines[0]) == [64_800, 18_144, 46_656, 3_732, 50_388])
        // Operation Process 800 × 12 × 3 = 28,800 − 5,760 = 23,040 − 2,304 = 20,736; SST 1,658.88 → 1,659.
        #expect(K.amounts(q.lines[1]) == [28_800, 8_064, 20_736, 1_659, 22_395])
        // App Builder 1,000 × 12 × 2 = 24,000 − 4,800 = 19,200 − 1,920 = 17,280; SST 1,382.4 → 1,382.
        #expect(K.amounts(q.lines[2]) == [24_000, 6_720, 17_280, 1_382, 18_662])
        #expect(K.totals(q.totals) == [117_600, 32_928, 84_672, 6_773, 91_445])
    }

    @Test("bundle replacing a live monthly Workspace on the same plan: allowed, unused month credited without discount")
    func bundleReplacesLiveWorkspace() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10),
                                  .init(product: op, plan: "op_starter", cycle: .yearly),
                                  .init(product: ab, plan: "ab_starter", cycle: .yearly, seats: 5)],
                          bundle: "cleeksy_suite")
        let q = try K.checkout(subscriptions: [try workspaceMonthly()]).quote(order, on: try K.day("2024-03-11"))
        #expect(q.lines.map(\.kind) == [.credit, .plan, .plan, .plan])
        // 900,000 × 21/31 = 609,677 credited with its VAT: −670,645.
        #expect(K.amounts(q.lines[0]) == [-609_677, 0, -609_677, -60_968, -670_645])
        // 14,731,200 − 670,645.
        #expect(q.totals.total == K.vnd(14_060_555))
        #expect(q.subscriptions.first?.id == "sub_ws")
    }

    @Test("bundle on a monthly cycle is refused for each item: yearly only")
    func bundleMonthlyRefused() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10),
                                  .init(product: op, plan: "op_starter", cycle: .monthly),
                                  .init(product: ab, plan: "ab_starter", cycle: .monthly, seats: 5)],
                          bundle: "cleeksy_suite")
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout().quote(order, on: try K.day("2024-03-10"))
        }
        #expect(errors.codes == [.bundleCycleNotAllowed, .bundleCycleNotAllowed, .bundleCycleNotAllowed])
        #expect(errors.errors.map(\.field) == ["items[0].cycle", "items[1].cycle", "items[2].cycle"])
        #expect(errors.errors.first?.message == "Bundle Cleeksy suite is sold only every year, not every month")
        #expect(errors.errors.allSatisfy { $0.values == ["cycleMonths": 1] })
    }

    @Test("bundle without App Builder is incomplete")
    func bundleIncomplete() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10),
                                  .init(product: op, plan: "op_starter", cycle: .yearly)],
                          bundle: "cleeksy_suite")
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout().quote(order, on: try K.day("2024-03-10"))
        }
        expectError(errors, .bundleIncomplete, field: "items", message: "Bundle Cleeksy suite needs App Builder",
                    values: ["missing": "app_builder"])
    }

    @Test("bundle may not pick a plan lower than the one in use: Workspace Standard below live Premium")
    func bundlePlanBelowCurrent() throws {
        let premium = try K.workspace(plan: "ws_premium", cycle: .monthly, anchor: "2024-03-01", paid: 1_500_000)
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10),
                                  .init(product: op, plan: "op_starter", cycle: .yearly),
                                  .init(product: ab, plan: "ab_starter", cycle: .yearly, seats: 5)],
                          bundle: "cleeksy_suite")
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout(subscriptions: [premium]).quote(order, on: try K.day("2024-03-11"))
        }
        expectError(errors, .bundlePlanBelowCurrent, field: "items[0].plan",
                    message: "Digital Workspace Standard is below Premium, the plan in use",
                    values: ["plan": "ws_standard", "currentPlan": "ws_premium"])
    }

    @Test("an unknown bundle id is refused")
    func bundleUnknown() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .yearly, seats: 10)], bundle: "office_suite")
        let errors = try #require(throws: RecurErrors.self) {
            try K.checkout().quote(order, on: try K.day("2024-03-10"))
        }
        expectError(errors, .bundleUnknown, field: "bundle", values: ["bundle": "office_suite"])
    }
}

/// The dependency rules do not depend on the order in which the items are listed.
@Suite("Checkout: 001 dependency rules are independent of item order")
struct CheckoutDependencyOrderTests {
    typealias K = CheckoutKit
    let ws = DemoCatalog.workspace
    let op = DemoCatalog.operationProcess
    let ab = DemoCatalog.appBuilder

    @Test("App Builder listed before Operation Process, no Workspace: the Workspace Starter added for Operation Process serves both",
          arguments: [false, true])
    func appBuilderUsesBaseAddedForOperationProcess(appBuilderFirst: Bool) throws {
        let process = Order.Item(product: op, plan: "op_starter", cycle: .monthly, seats: 5)
        let builder = Order.Item(product: ab, plan: "ab_starter", cycle: .monthly, seats: 3)
        let order = Order(items: appBuilderFirst ? [builder, process] : [process, builder])
        let q = try K.checkout().quote(order, on: try K.day("2024-03-10"))
        #expect(q.notices.map(\.code) == ["dependency.base_added"])
        // Workspace Starter 5 seats 300,000; Operation Process 200,000; App Builder 50,000 × 3 = 150,000; VAT 10 %.
        #expect(q.lines.first?.plan == "ws_starter")
        #expect(q.lines.map(\.net.minorUnits).sorted() == [150_000, 200_000, 300_000])
        #expect(K.totals(q.totals) == [650_000, 0, 650_000, 65_000, 715_000])
        #expect(q.subscriptions.first { $0.product == ws }?.seats == 5)
    }

    @Test("App Builder yearly listed before Operation Process yearly, live Workspace monthly: Workspace moves to yearly and App Builder fits",
          arguments: [false, true])
    func appBuilderYearlyAfterBaseSwitch(appBuilderFirst: Bool) throws {
        let base = try K.workspace(cycle: .monthly, anchor: "2024-03-11", paid: 900_000)
        let process = Order.Item(product: op, plan: "op_starter", cycle: .yearly)
        let builder = Order.Item(product: ab, plan: "ab_starter", cycle: .yearly, seats: 5)
        let order = Order(items: appBuilderFirst ? [builder, process] : [process, builder])
        let q = try K.checkout(subscriptions: [base]).quote(order, on: try K.day("2024-03-11"))
        #expect(q.notices.map(\.code) == ["dependency.base_cycle_switched"])
        // Credit for the whole month just paid: −900,000 − 90,000 VAT; Workspace year 9,504,000;
        // Operation Process 4,224,000; App Builder 3,000,000 − 20 % = 2,400,000 + 240,000 = 2,640,000.
        #expect(q.lines.map(\.total.minorUnits).sorted() == [-990_000, 2_640_000, 4_224_000, 9_504_000])
        #expect(q.totals.total == K.vnd(15_378_000))
        #expect(q.subscriptions.allSatisfy { $0.cycle == .yearly })
    }
}
