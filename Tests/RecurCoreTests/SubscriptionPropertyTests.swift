import Testing
import PropertyBased
@testable import RecurCore

/// Properties of changes and renewals over random dates, seats, plans and cycles.
@Suite("Subscription properties")
struct SubscriptionPropertyTests {
    let catalog = DemoCatalog.make()
    let vn = Customer(id: "cus_1", country: "VN", currency: .vnd, hasPurchased: true)

    static func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }

    /// `n × num ÷ den` rounded half-up, for non-negative values.
    static func halfUp(_ n: Int64, _ num: Int64, _ den: Int64) -> Int64 { (n * num * 2 + den) / (2 * den) }

    /// Workspace Standard yearly, 10 seats, [2024-01-15, 2025-01-15): 366 days (29 February 2024 inside).
    func yearly(paid: Int64) throws -> Subscription {
        let schedule = BillingSchedule(anchor: try CivilDate(2024, 1, 15), cycle: .yearly)
        return Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_standard", seats: 10,
                            currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: Self.vnd(paid))
    }

    @Test("A credit for unused time is the paid amount × days left ÷ period days: never negative, never above what was paid")
    func creditBetweenZeroAndPaid() async throws {
        let base = try yearly(paid: 0)
        #expect(base.currentPeriod.days == 366)
        await propertyCheck(count: 200, input: Gen.int(in: 0...365), Gen.int(in: 1...490), Gen.int64(in: 0...20_000_000)) { offset, extra, paid in
            let s = try yearly(paid: paid)
            let date = s.currentPeriod.start.adding(days: offset)
            let r = try SubscriptionChanges(catalog: catalog, customer: vn).changeSeats(s, to: 10 + extra, on: date)
            let credits = r.lines.filter { $0.kind == .credit }
            let credit = -credits.reduce(Int64(0)) { $0 + $1.net.minorUnits }
            #expect(credit >= 0)
            #expect(credit <= paid)
            #expect(credit == Self.halfUp(paid, Int64(366 - offset), 366))
            #expect(credits.count == (credit > 0 ? 1 : 0))
            #expect(credits.allSatisfy { $0.amount.minorUnits <= 0 && $0.tax.minorUnits <= 0 && $0.discounts.isEmpty })
            #expect(r.subscription.seats == 10 + extra)
        }
    }

    @Test("An upgrade on the period's first day comes to the new full price less what was paid (±1 per line)")
    func firstDayUpgradeIsDifferenceOfFullPrices() async throws {
        await propertyCheck(count: 200, input: Gen.int(in: 2...100), Gen.int(in: 0...100), Gen.bool) { seats, extra, isYearly in
            let cycle: BillingCycle = isYearly ? .yearly : .monthly
            let start = try CivilDate(2024, 3, 1)
            let schedule = BillingSchedule(anchor: start, cycle: cycle)
            let months = Int64(cycle.months)
            // Full net of a content: unit × seats × months, less 20 % when yearly (exact on these prices).
            func fullNet(_ unit: Int64, _ n: Int) -> Int64 {
                let gross = unit * Int64(n) * months
                return isYearly ? gross - gross / 5 : gross
            }
            let paid = fullNet(60_000, seats)
            let s = Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_starter", seats: seats,
                                 currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: Self.vnd(paid))
            let r = try SubscriptionChanges(catalog: catalog, customer: vn).changePlan(s, to: "ws_standard", seats: seats + extra, on: start)
            let newFull = fullNet(90_000, seats + extra)
            let sum = r.lines.reduce(Int64(0)) { $0 + $1.net.minorUnits }
            #expect(abs(sum - (newFull - paid)) <= Int64(r.lines.count))
            #expect(r.subscription.paidForPeriod.minorUnits == newFull)
            #expect(r.subscription.currentPeriod == s.currentPeriod)
            #expect(r.lines.allSatisfy { $0.period == s.currentPeriod })
        }
    }

    @Test("Renewing N times gives consecutive periods: each starts where the last ended, no gap, no overlap")
    func renewalsAreConsecutive() async throws {
        let cycles: [BillingCycle] = [.monthly, .quarterly, .halfYearly, .yearly]
        await propertyCheck(count: 200, input: Gen.int(in: 2020...2030), Gen.int(in: 1...12), Gen.int(in: 1...31),
                            Gen.int(in: 0...3), Gen.int(in: 1...24)) { year, month, day, c, n in
            let anchor = try CivilDate(year, month, min(day, CivilDate.daysInMonth(year: year, month: month)))
            let schedule = BillingSchedule(anchor: anchor, cycle: cycles[c])
            var s = Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_starter", seats: 2,
                                 currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: Self.vnd(0))
            let renewal = Renewal(catalog: catalog, customer: vn)
            var totalDays = s.currentPeriod.days
            for k in 1...n {
                let previous = s.currentPeriod
                let r = try renewal.renew(s)
                s = r.subscription
                #expect(s.currentPeriod.start == previous.end)
                #expect(s.currentPeriod.start < s.currentPeriod.end)
                #expect(s.currentPeriod == schedule.period(k))
                #expect(r.lines.allSatisfy { $0.period == s.currentPeriod })
                totalDays += s.currentPeriod.days
            }
            // No gap or overlap overall: the periods' days add up to the whole span.
            #expect(totalDays == anchor.days(until: s.currentPeriod.end))
            // Month-end anchors never drift: each start is the anchor day clamped to its month.
            let st = s.currentPeriod.start
            #expect(st.day == min(anchor.day, CivilDate.daysInMonth(year: st.year, month: st.month)))
        }
    }

    @Test("No change or renewal ever makes a negative charge line; credits are never positive")
    func noNegativeChargeLines() async throws {
        let plans: [PlanID] = ["ws_starter", "ws_standard", "ws_premium"]
        let unit: [PlanID: Int64] = ["ws_starter": 60_000, "ws_standard": 90_000, "ws_premium": 150_000]
        await propertyCheck(count: 200, input: Gen.int(in: 0...2), Gen.int(in: 2...50), Gen.int(in: 0...5),
                            Gen.int(in: 0...2), Gen.int(in: 2...50), Gen.int(in: 0...5), Gen.int(in: 0...30)) { p0, seats0, add0, p1, seats1, add1, offset in
            let schedule = BillingSchedule(anchor: try CivilDate(2024, 3, 1), cycle: .monthly)
            let paid = unit[plans[p0]]! * Int64(seats0) + 50_000 * Int64(add0)
            let s = Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: plans[p0], seats: seats0,
                                 addOns: add0 > 0 ? ["storage_10gb": add0] : [:], currency: .vnd, schedule: schedule,
                                 currentPeriod: schedule.period(0), paidForPeriod: Self.vnd(paid))
            let target = SubscriptionChanges.Target(plan: plans[p1], seats: seats1, addOns: ["storage_10gb": add1], cycle: .monthly)
            let r = try SubscriptionChanges(catalog: catalog, customer: vn).change(s, to: target, on: schedule.anchor.adding(days: offset))
            let renewed = try Renewal(catalog: catalog, customer: vn).renew(r.subscription)
            for line in r.lines + renewed.lines {
                if line.kind == .credit {
                    #expect(line.amount.minorUnits <= 0 && line.net.minorUnits <= 0 && line.tax.minorUnits <= 0)
                    #expect(-line.net.minorUnits <= paid)
                } else {
                    #expect(line.amount.minorUnits >= 0)
                    #expect(line.net.minorUnits >= 0)
                    #expect(line.tax.minorUnits >= 0)
                    #expect(line.total.minorUnits >= 0)
                }
            }
            // The renewal invoices exactly the target content.
            #expect(renewed.subscription.plan == plans[p1])
            #expect(renewed.subscription.seats == seats1)
            #expect(renewed.subscription.addOns == (add1 > 0 ? ["storage_10gb": add1] : [:]))
            let expected = unit[plans[p1]]! * Int64(seats1) + 50_000 * Int64(add1)
            #expect(renewed.subscription.paidForPeriod.minorUnits == expected)
        }
    }

    @Test("000: a closed month bills max(peak, contracted, 50) × 3,000 JPY, tax included = amount ÷ 11, due end of next month")
    func arrearsAmounts() async throws {
        let jp = Customer(id: "cus_jp", country: "JP", currency: .jpy)
        await propertyCheck(count: 200, input: Gen.int(in: 0...500), Gen.int(in: 50...200), Gen.int(in: 2020...2030), Gen.int(in: 1...12)) { peak, seats, year, month in
            let start = try CivilDate(year, month, 1)
            let schedule = BillingSchedule(anchor: start, cycle: .monthly)
            let s = Subscription(id: "sub_ent", customer: "cus_jp", product: DemoCatalog.meeting, plan: "meeting_enterprise", seats: seats,
                                 currency: .jpy, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: Money(minorUnits: 0, currency: .jpy))
            let (lines, due) = try ArrearsBilling(catalog: catalog, customer: jp).close(s, month: schedule.period(0), peakUsers: peak, endOfPeriodUsers: 0)
            let billed = Int64(max(peak, seats, 50))
            #expect(lines.map(\.quantity) == [billed])
            #expect(lines.map(\.amount.minorUnits) == [billed * 3_000])
            #expect(lines.map(\.tax.minorUnits) == [Self.halfUp(billed * 3_000, 1_000, 11_000)])
            let following = start.adding(months: 1)
            #expect(due == following.endOfMonth)
        }
    }
}
