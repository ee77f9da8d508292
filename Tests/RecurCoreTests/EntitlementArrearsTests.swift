import Testing
@testable import RecurCore

/// 000's Enterprise plan billed monthly in arrears by user count, payment terms,
/// and the entitlements the vendor's application asks for (limits, features,
/// access modes; 002's read-only Free plan and support only on an active paid plan).
@Suite("Arrears billing and entitlements")
struct EntitlementArrearsTests {
    let catalog = DemoCatalog.make()
    let jp = Customer(id: "cus_jp", country: "JP", currency: .jpy, hasPurchased: true)

    func d(_ y: Int, _ m: Int, _ day: Int) throws -> CivilDate { try CivilDate(y, m, day) }
    func period(_ a: CivilDate, _ b: CivilDate) throws -> Period { try Period(start: a, end: b) }


    // MARK: Enterprise in arrears (000)

    /// Enterprise with `seats` contracted users, monthly from 1 January 2024.
    func enterprise(seats: Int = 50) throws -> Subscription {
        let schedule = BillingSchedule(anchor: try d(2024, 1, 1), cycle: .monthly)
        return Subscription(id: "sub_ent", customer: "cus_jp", product: DemoCatalog.meeting, plan: "meeting_enterprise", seats: seats,
                            currency: .jpy, schedule: schedule, currentPeriod: schedule.period(0),
                            paidForPeriod: Money(minorUnits: 0, currency: .jpy))
    }

    var arrears: ArrearsBilling { ArrearsBilling(catalog: catalog, customer: jp) }

    @Test("000: a closed month is billed by its peak users, tax included, due at the end of the following month")
    func enterpriseBilledByPeakUsers() throws {
        let january = try period(d(2024, 1, 1), d(2024, 2, 1))
        let (lines, due) = try arrears.close(try enterprise(), month: january, peakUsers: 63, endOfPeriodUsers: 55)
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        // 63 × 3,000 = 189,000; JP tax included: 189,000 × 1000 ÷ 11000 = 17,181.8 → 17,182.
        #expect(line.kind == .usage)
        #expect(line.plan == "meeting_enterprise")
        #expect(line.subscription == "sub_ent")
        #expect(line.period == january)
        #expect(line.quantity == 63)
        #expect(line.unitAmount.minorUnits == 3_000)
        #expect(line.amount.minorUnits == 189_000)
        #expect(line.discounts.isEmpty)
        #expect(line.net.minorUnits == 189_000)
        #expect(line.tax.minorUnits == 17_182)
        #expect(line.taxInclusive)
        #expect(line.total.minorUnits == 189_000)
        // January closed → due 29 February 2024 (leap year).
        #expect(due == (try d(2024, 2, 29)))
    }

    @Test("000: fewer than 50 users are billed as the 50-user minimum")
    func enterpriseMinimumFiftyUsers() throws {
        let january = try period(d(2024, 1, 1), d(2024, 2, 1))
        let (lines, _) = try arrears.close(try enterprise(), month: january, peakUsers: 40, endOfPeriodUsers: 38)
        // 50 × 3,000 = 150,000; tax 150,000 × 1000 ÷ 11000 = 13,636.4 → 13,636.
        #expect(lines.map(\.quantity) == [50])
        #expect(lines.map(\.amount.minorUnits) == [150_000])
        #expect(lines.map(\.tax.minorUnits) == [13_636])
        #expect(lines.map(\.total.minorUnits) == [150_000])
    }

    @Test("000: never fewer than the contracted users, even when the count is below them")
    func enterpriseContractedUsersFloor() throws {
        let january = try period(d(2024, 1, 1), d(2024, 2, 1))
        let (lines, _) = try arrears.close(try enterprise(seats: 70), month: january, peakUsers: 63, endOfPeriodUsers: 60)
        // 70 × 3,000 = 210,000; tax 210,000 ÷ 11 = 19,090.9 → 19,091.
        #expect(lines.map(\.quantity) == [70])
        #expect(lines.map(\.amount.minorUnits) == [210_000])
        #expect(lines.map(\.tax.minorUnits) == [19_091])
    }

    @Test("000: a plan measured by peak ignores a higher end-of-month count")
    func enterprisePeakMeasureIgnoresEndOfMonth() throws {
        let january = try period(d(2024, 1, 1), d(2024, 2, 1))
        let (lines, _) = try arrears.close(try enterprise(), month: january, peakUsers: 63, endOfPeriodUsers: 70)
        #expect(lines.map(\.quantity) == [63])
        #expect(lines.map(\.amount.minorUnits) == [189_000])
    }

    @Test("000: December closes into a due date of 31 January of the next year")
    func enterpriseDecemberDueNextYear() throws {
        let december = try period(d(2024, 12, 1), d(2025, 1, 1))
        let (lines, due) = try arrears.close(try enterprise(), month: december, peakUsers: 51, endOfPeriodUsers: 51)
        // 51 × 3,000 = 153,000; tax 153,000 ÷ 11 = 13,909.1 → 13,909.
        #expect(lines.map(\.amount.minorUnits) == [153_000])
        #expect(lines.map(\.tax.minorUnits) == [13_909])
        #expect(due == (try d(2025, 1, 31)))
    }

    @Test("000: an in-arrears plan renews with nothing invoiced in advance")
    func enterpriseRenewsWithoutAdvanceLines() throws {
        let r = try Renewal(catalog: catalog, customer: jp).renew(try enterprise())
        #expect(r.lines.isEmpty)
        #expect(r.subscription.currentPeriod == (try period(d(2024, 2, 1), d(2024, 3, 1))))
        #expect(r.subscription.seats == 50)
    }

    @Test("Closing a month of a plan billed in advance is refused: not in arrears")
    func arrearsRefusedForAdvancePlan() throws {
        let schedule = BillingSchedule(anchor: try d(2024, 1, 1), cycle: .monthly)
        let small = Subscription(id: "sub_small", customer: "cus_jp", product: DemoCatalog.meeting, plan: "meeting_small", tier: "300",
                                 seats: 1, currency: .jpy, schedule: schedule, currentPeriod: schedule.period(0),
                                 paidForPeriod: Money(minorUnits: 30_000, currency: .jpy))
        let errs = errors { try arrears.close(small, month: schedule.period(0), peakUsers: 5, endOfPeriodUsers: 5) }
        #expect(errs.map(\.code) == [.arrearsNotInArrears])
        #expect(errs.first?.field == "plan")
        #expect(errs.first?.values["plan"] == .text("meeting_small"))
    }

    @Test("A negative user count is refused, naming both counts")
    func arrearsNegativeCountRefused() throws {
        let january = try period(d(2024, 1, 1), d(2024, 2, 1))
        let errs = errors { try arrears.close(try enterprise(), month: january, peakUsers: -1, endOfPeriodUsers: 10) }
        #expect(errs.map(\.code) == [.arrearsUserCountInvalid])
        #expect(errs.first?.field == "users")
        #expect(errs.first?.values["peak"] == .int(-1))
        #expect(errs.first?.values["endOfPeriod"] == .int(10))
        let errs2 = errors { try arrears.close(try enterprise(), month: january, peakUsers: 60, endOfPeriodUsers: -3) }
        #expect(errs2.map(\.code) == [.arrearsUserCountInvalid])
        #expect(errs2.first?.values["endOfPeriod"] == .int(-3))
    }

    @Test("Payment terms: immediate is the issue date, net 30 counts days, end of following month clamps to its last day")
    func paymentTermsDueDates() throws {
        let issued = try d(2024, 1, 31)
        #expect(PaymentTerms.immediate.dueDate(issuedOn: issued) == issued)
        // 31 Jan 2024 + 30 days = 1 March 2024 (29 days to 29 Feb, one more).
        #expect(PaymentTerms.netDays(30).dueDate(issuedOn: issued) == (try d(2024, 3, 1)))
        #expect(PaymentTerms.endOfFollowingMonth.dueDate(issuedOn: issued) == (try d(2024, 2, 29)))
        #expect(PaymentTerms.endOfFollowingMonth.dueDate(issuedOn: try d(2023, 1, 31)) == (try d(2023, 2, 28)))
        #expect(PaymentTerms.endOfFollowingMonth.dueDate(issuedOn: try d(2024, 1, 1)) == (try d(2024, 2, 29)))
        #expect(PaymentTerms.endOfFollowingMonth.dueDate(issuedOn: try d(2024, 12, 15)) == (try d(2025, 1, 31)))
        #expect(PaymentTerms.endOfFollowingMonth.dueDate(issuedOn: try d(2024, 8, 31)) == (try d(2024, 9, 30)))
    }

    // MARK: Entitlements

    func workspace(plan: PlanID = "ws_standard", seats: Int = 10, addOns: [AddOnID: Int] = [:],
                   status: Subscription.Status = .active, trialEnd: CivilDate? = nil) throws -> Subscription {
        let schedule = BillingSchedule(anchor: try d(2024, 3, 1), cycle: .monthly)
        return Subscription(id: "sub_ws", customer: "cus_1", product: DemoCatalog.workspace, plan: plan, seats: seats, addOns: addOns,
                            currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), status: status, trialEnd: trialEnd,
                            paidForPeriod: Money(minorUnits: 0, currency: .vnd))
    }

    func entitlements(_ subs: [Subscription], usage: Usage = Usage(), on date: CivilDate? = nil, catalog: Catalog? = nil) throws -> Entitlements {
        Entitlements(catalog: catalog ?? self.catalog, subscriptions: subs, usage: [DemoCatalog.workspace: usage], on: try date ?? d(2024, 3, 15))
    }

    @Test("Active Standard with 10 seats and two 10 GB blocks: 10 users, 200 GB + 20 GB, custom domain and support")
    func activePaidPlanLimitsAndFeatures() throws {
        let e = try entitlements([try workspace(addOns: ["storage_10gb": 2])], usage: [.users: 10, .storageMB: 204_800])
        let p = try #require(e.products[DemoCatalog.workspace])
        #expect(p.access == .full)
        #expect(p.reason == nil)
        #expect(p.plan == "ws_standard")
        #expect(p.limits[.users] == .finite(10))
        // 200 × 1024 = 204,800 MB + 2 × 10,240 = 225,280 MB.
        #expect(p.limits[.storageMB] == .finite(225_280))
        #expect(p.limits.features.contains(.customDomain))
        #expect(p.limits.features.contains(.support))
        #expect(!p.limits.features.contains(.sso))

        // 10 of 10 users: one more is refused, none left.
        let user = e.check(.users, of: DemoCatalog.workspace, adding: 1)
        #expect(!user.allowed)
        #expect(user.remaining == 0)
        #expect(user.reason?.contains("users") == true)
        // 20,480 MB left: exactly that fits, one more MB does not.
        let fits = e.check(.storageMB, of: DemoCatalog.workspace, adding: 20_480)
        #expect(fits.allowed)
        #expect(fits.remaining == 20_480)
        #expect(!e.check(.storageMB, of: DemoCatalog.workspace, adding: 20_481).allowed)
        #expect(e.check(.customDomain, of: DemoCatalog.workspace).allowed)
        let sso = e.check(.sso, of: DemoCatalog.workspace)
        #expect(!sso.allowed)
        #expect(sso.reason == "The ws_standard plan does not include sso")
    }

    @Test("One user under the seat count may be added, leaving one")
    func userUnderSeatsAllowed() throws {
        let e = try entitlements([try workspace()], usage: [.users: 9])
        let decision = e.check(.users, of: DemoCatalog.workspace, adding: 1)
        #expect(decision.allowed)
        #expect(decision.remaining == 1)
    }

    @Test("002: Free over its storage is read-only; no custom domain and no support")
    func freeOverStorageReadOnly() throws {
        let e = try entitlements([try workspace(plan: "ws_free", seats: 3)], usage: [.storageMB: 6_000])
        let p = try #require(e.products[DemoCatalog.workspace])
        #expect(p.access == .readOnly)
        #expect(p.reason?.contains("storage_mb in use (6000) is above the limit (5120)") == true)
        #expect(!p.limits.features.contains(.customDomain))
        #expect(!p.limits.features.contains(.support))
        // Read-only: even a quota with room left is refused, and the room is reported.
        let user = e.check(.users, of: DemoCatalog.workspace, adding: 1)
        #expect(!user.allowed)
        #expect(user.remaining == 3)
        #expect(!e.check(.support, of: DemoCatalog.workspace).allowed)
    }

    @Test("002: Free under its storage is fully usable but still has no support")
    func freeUnderStorageFullWithoutSupport() throws {
        let e = try entitlements([try workspace(plan: "ws_free", seats: 3)], usage: [.storageMB: 5_120])
        let p = try #require(e.products[DemoCatalog.workspace])
        #expect(p.access == .full)
        #expect(!p.limits.features.contains(.support))
        #expect(e.check(.storageMB, of: DemoCatalog.workspace, adding: 1).allowed == false)
        #expect(e.check(.users, of: DemoCatalog.workspace, adding: 3).allowed)
    }

    @Test("002: over a soft quota a connected custom domain is disconnected (removed from the features)")
    func softQuotaOverageRemovesCustomDomain() throws {
        // The demo Free plan has no custom domain to lose; make Standard's storage soft to see it removed.
        var plans = Array(catalog.plans.values)
        let i = try #require(plans.firstIndex { $0.id == "ws_standard" })
        plans[i].softQuotas = [.storageMB]
        let soft = try Catalog(products: Array(catalog.products.values), plans: plans, addOns: Array(catalog.addOns.values),
                               dependencies: catalog.dependencies, bundles: catalog.bundles, cycleDiscounts: catalog.cycleDiscounts,
                               promotions: Array(catalog.promotions.values), taxRates: catalog.taxRates)
        let over = try entitlements([try workspace()], usage: [.storageMB: 204_801], catalog: soft)
        #expect(over.products[DemoCatalog.workspace]?.access == .readOnly)
        #expect(over.products[DemoCatalog.workspace]?.limits.features.contains(.customDomain) == false)
        #expect(over.products[DemoCatalog.workspace]?.limits.features.contains(.support) == false)
        let under = try entitlements([try workspace()], usage: [.storageMB: 204_800], catalog: soft)
        #expect(under.products[DemoCatalog.workspace]?.access == .full)
        #expect(under.products[DemoCatalog.workspace]?.limits.features.contains(.customDomain) == true)
    }

    @Test("An expired subscription is read-only and loses support")
    func expiredReadOnly() throws {
        let e = try entitlements([try workspace(status: .expired)])
        let p = try #require(e.products[DemoCatalog.workspace])
        #expect(p.access == .readOnly)
        #expect(p.reason == "The subscription expired; renew it to restore full access")
        #expect(!p.limits.features.contains(.support))
        #expect(!e.check(.customDomain, of: DemoCatalog.workspace).allowed)
    }

    @Test("An active subscription whose period ended without renewal is read-only")
    func endedPeriodReadOnly() throws {
        let e = try entitlements([try workspace()], on: try d(2024, 4, 1))
        let p = try #require(e.products[DemoCatalog.workspace])
        #expect(p.access == .readOnly)
        #expect(p.reason == "The period ended on 2024-03-31 and has not been renewed")
    }

    @Test("A locked subscription is locked and refuses every feature and quota check")
    func lockedRefusesEverything() throws {
        let e = try entitlements([try workspace(status: .locked)], usage: [.users: 2])
        let p = try #require(e.products[DemoCatalog.workspace])
        #expect(p.access == .locked)
        #expect(p.reason == "The subscription is locked; only payment is possible")
        for feature in [Feature.customDomain, .support, .sso, .apiAccess] {
            let decision = e.check(feature, of: DemoCatalog.workspace)
            #expect(!decision.allowed)
            #expect(decision.reason == "The subscription is locked; only payment is possible")
        }
        for quota in [Quota.users, .storageMB, .documents, .automationRuns, .dataRecords, .emailsPerMonth] {
            #expect(!e.check(quota, of: DemoCatalog.workspace, adding: 1).allowed)
        }
        #expect(e.check(.users, of: DemoCatalog.workspace, adding: 1).remaining == 8)
    }

    @Test("002: a trial has the plan's features but no support")
    func trialHasNoSupport() throws {
        let e = try entitlements([try workspace(status: .trialing, trialEnd: try d(2024, 3, 31))])
        let p = try #require(e.products[DemoCatalog.workspace])
        #expect(p.access == .full)
        #expect(p.status == .trialing)
        #expect(p.limits.features.contains(.customDomain))
        #expect(!p.limits.features.contains(.support))
        #expect(!e.check(.support, of: DemoCatalog.workspace).allowed)
    }

    @Test("Without a subscription to a product nothing is allowed, and the reason says so")
    func noSubscriptionNotAllowed() throws {
        let e = try entitlements([])
        #expect(e.products.isEmpty)
        let feature = e.check(.support, of: DemoCatalog.workspace)
        #expect(!feature.allowed)
        #expect(feature.reason == "No subscription to workspace")
        let quota = e.check(.users, of: DemoCatalog.workspace, adding: 1)
        #expect(!quota.allowed)
        #expect(quota.reason == "No subscription to workspace")
        #expect(quota.remaining == nil)
    }

    @Test("A live subscription wins over a cancelled one of the same product")
    func liveSubscriptionWins() throws {
        let old = try workspace(plan: "ws_premium", status: .cancelled)
        let schedule = BillingSchedule(anchor: try d(2024, 3, 1), cycle: .monthly)
        let current = Subscription(id: "sub_new", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_starter", seats: 4,
                                   currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0),
                                   paidForPeriod: Money(minorUnits: 240_000, currency: .vnd))
        let e = try entitlements([old, current])
        #expect(e.products[DemoCatalog.workspace]?.subscription == "sub_new")
        #expect(e.products[DemoCatalog.workspace]?.limits[.users] == .finite(4))
        #expect(e.products[DemoCatalog.workspace]?.access == .full)
    }
}
