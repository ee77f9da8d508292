import Testing
@testable import RecurCore

/// Renewals (next period, month-end anchors, promotions counting down, cancellation
/// at period end, renewal mode) and 001's 30-day trials (conversion, the end of a
/// trial with and without a payment method). VN VAT 10 % exclusive throughout.
@Suite("Renewals and trials")
struct RenewalTrialTests {
    let catalog = DemoCatalog.make()
    let vn = Customer(id: "cus_1", country: "VN", currency: .vnd, hasPurchased: true)

    func d(_ y: Int, _ m: Int, _ day: Int) throws -> CivilDate { try CivilDate(y, m, day) }
    func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }
    func period(_ a: CivilDate, _ b: CivilDate) throws -> Period { try Period(start: a, end: b) }
    var renewal: Renewal { Renewal(catalog: catalog, customer: vn) }

    func monthly(_ id: SubscriptionID = "sub_ws", product: ProductID = DemoCatalog.workspace, plan: PlanID = "ws_starter",
                 seats: Int = 2, addOns: [AddOnID: Int] = [:], anchor: CivilDate, paid: Int64,
                 discounts: [Subscription.Discount] = []) -> Subscription {
        let schedule = BillingSchedule(anchor: anchor, cycle: .monthly)
        return Subscription(id: id, customer: "cus_1", product: product, plan: plan, seats: seats, addOns: addOns, currency: .vnd,
                            schedule: schedule, currentPeriod: schedule.period(0), discounts: discounts, paidForPeriod: vnd(paid))
    }

    /// A 30-day trial started on 1 March 2024, as checkout creates it:
    /// [2024-03-01, 2024-03-31), trial end 31 March, schedule anchored on the trial end.
    func trial(_ id: SubscriptionID = "sub_ws", product: ProductID = DemoCatalog.workspace, plan: PlanID = "ws_standard",
               seats: Int = 5, renewalMode: Subscription.RenewalMode = .automatic) throws -> Subscription {
        let end = try d(2024, 3, 31)
        return Subscription(id: id, customer: "cus_1", product: product, plan: plan, seats: seats, currency: .vnd,
                            schedule: BillingSchedule(anchor: end, cycle: .monthly),
                            currentPeriod: try period(d(2024, 3, 1), end), status: .trialing, trialEnd: end,
                            renewalMode: renewalMode, paidForPeriod: vnd(0))
    }


    // MARK: Renewal

    @Test("Renewal moves to [end, end + cycle) and keeps a 31st anchor: 31 Jan → 29 Feb 2024 → 31 Mar → 30 Apr")
    func renewalKeepsMonthEndAnchor() throws {
        let s = monthly(anchor: try d(2024, 1, 31), paid: 120_000)
        #expect(s.currentPeriod == (try period(d(2024, 1, 31), d(2024, 2, 29))))

        let r1 = try renewal.renew(s)
        #expect(r1.subscription.currentPeriod == (try period(d(2024, 2, 29), d(2024, 3, 31))))
        let r2 = try renewal.renew(r1.subscription)
        #expect(r2.subscription.currentPeriod == (try period(d(2024, 3, 31), d(2024, 4, 30))))
        let r3 = try renewal.renew(r2.subscription)
        #expect(r3.subscription.currentPeriod == (try period(d(2024, 4, 30), d(2024, 5, 31))))
        #expect(r3.subscription.schedule.anchor == (try d(2024, 1, 31)))

        // Each renewal charges the full month: Starter 60,000 × 2 = 120,000, VAT 12,000, whatever its length.
        for r in [r1, r2, r3] {
            #expect(r.lines.count == 1)
            #expect(r.lines.first?.amount.minorUnits == 120_000)
            #expect(r.lines.first?.tax.minorUnits == 12_000)
            #expect(r.lines.first?.total.minorUnits == 132_000)
            #expect(r.lines.first?.period == r.subscription.currentPeriod)
            #expect(r.subscription.paidForPeriod == vnd(120_000))
            #expect(r.subscription.startedOn == r.subscription.currentPeriod.start)
        }
    }

    @Test("A promotion for N cycles applies to N more renewals, counting down, then is removed")
    func promotionsCountDown() throws {
        // Starter 2 seats + two 10 GB blocks, STORAGE50 (50 % off the storage add-on) with 2 renewals left.
        let s = monthly(addOns: ["storage_10gb": 2], anchor: try d(2024, 3, 1), paid: 170_000,
                        discounts: [.init(promotion: "STORAGE50", addOn: "storage_10gb", remainingCycles: 2)])

        let r1 = try renewal.renew(s)
        // Plan 120,000 (VAT 12,000); add-on 50,000 × 2 = 100,000 − 50 % = 50,000 (VAT 5,000).
        #expect(r1.lines.map(\.kind) == [.plan, .addOn])
        #expect(r1.lines.map(\.amount.minorUnits) == [120_000, 100_000])
        #expect(r1.lines[1].discounts.map(\.amount.minorUnits) == [50_000])
        #expect(r1.lines[1].discounts.map(\.reference) == ["STORAGE50"])
        #expect(r1.lines.map(\.net.minorUnits) == [120_000, 50_000])
        #expect(r1.lines.map(\.tax.minorUnits) == [12_000, 5_000])
        #expect(r1.subscription.discounts == [.init(promotion: "STORAGE50", addOn: "storage_10gb", remainingCycles: 1)])
        #expect(r1.subscription.paidForPeriod == vnd(170_000))

        let r2 = try renewal.renew(r1.subscription)
        #expect(r2.lines.map(\.net.minorUnits) == [120_000, 50_000])
        #expect(r2.subscription.discounts.isEmpty)

        let r3 = try renewal.renew(r2.subscription)
        // No promotion left: the add-on is back to 100,000 (VAT 10,000).
        #expect(r3.lines.map(\.net.minorUnits) == [120_000, 100_000])
        #expect(r3.lines[1].discounts.isEmpty)
        #expect(r3.lines.map(\.tax.minorUnits) == [12_000, 10_000])
        #expect(r3.subscription.paidForPeriod == vnd(220_000))
    }

    @Test("A promotion for ever keeps applying at every renewal")
    func foreverPromotionStays() throws {
        let s = monthly(anchor: try d(2024, 3, 1), paid: 108_000,
                        discounts: [.init(promotion: "WELCOME10", remainingCycles: nil)])
        let r1 = try renewal.renew(s)
        let r2 = try renewal.renew(r1.subscription)
        for r in [r1, r2] {
            // 120,000 − 10 % = 108,000; VAT 10,800.
            #expect(r.lines.map(\.net.minorUnits) == [108_000])
            #expect(r.lines.map(\.tax.minorUnits) == [10_800])
            #expect(r.subscription.discounts == [.init(promotion: "WELCOME10", remainingCycles: nil)])
        }
    }

    @Test("Cancelling at period end: the renewal ends the subscription with no lines, and resuming takes it back")
    func cancelAtPeriodEndEndsAtRenewal() throws {
        let changes = SubscriptionChanges(catalog: catalog, customer: vn)
        let s = monthly(anchor: try d(2024, 3, 1), paid: 120_000)
        let cancelling = try changes.cancelAtPeriodEnd(s)
        #expect(cancelling.cancelAtPeriodEnd)
        #expect(cancelling.status == .active)

        let r = try renewal.renew(cancelling)
        #expect(r.lines.isEmpty)
        #expect(r.subscription.status == .cancelled)
        #expect(r.subscription.scheduledChange == nil)
        #expect(r.subscription.currentPeriod == s.currentPeriod)

        let resumed = changes.resume(cancelling)
        #expect(resumed == s)
        #expect(try renewal.renew(resumed).subscription.status == .active)
    }

    @Test("Switching renewal to manual changes nothing else, and the renewal is priced the same")
    func renewalModeSwitchKeepsEverythingElse() throws {
        let changes = SubscriptionChanges(catalog: catalog, customer: vn)
        let s = monthly(anchor: try d(2024, 3, 1), paid: 120_000)
        let manual = changes.setRenewalMode(s, .manual)
        var expected = s
        expected.renewalMode = .manual
        #expect(manual == expected)
        #expect(manual.renewalMode == .manual)
        let a = try renewal.renew(s), m = try renewal.renew(manual)
        #expect(m.lines == a.lines)
        #expect(m.lines.map(\.total.minorUnits) == [132_000])
        #expect(m.subscription.renewalMode == .manual)
        #expect(changes.setRenewalMode(manual, .automatic) == s)
    }

    @Test("Cancelling a cancelled or locked subscription is refused: not live", arguments: [Subscription.Status.cancelled, .locked, .expired])
    func cancelNotLiveRefused(status: Subscription.Status) throws {
        var s = monthly(anchor: try d(2024, 3, 1), paid: 120_000)
        s.status = status
        let errs = errors { try SubscriptionChanges(catalog: catalog, customer: vn).cancelAtPeriodEnd(s) }
        #expect(errs.map(\.code) == [.subscriptionNotLive])
        #expect(errs.first?.field == "subscription")
        #expect(errs.first?.values["status"] == .text(status.rawValue))
    }

    // MARK: Trials (001)

    @Test("001: converting a trial with fewer seats than the users activated during it is refused")
    func convertTrialBelowActivatedUsersRefused() throws {
        let s = try trial()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, usage: [DemoCatalog.workspace: [.users: 8]])
        let errs = errors {
            try changes.convertTrial(s, to: .init(plan: "ws_standard", seats: 5, cycle: .monthly), on: try d(2024, 3, 10))
        }
        #expect(errs.map(\.code) == [.trialSeatsBelowActivatedUsers])
        #expect(errs.first?.field == "seats")
        #expect(errs.first?.values["seats"] == .int(5))
        #expect(errs.first?.values["activatedUsers"] == .int(8))
    }

    @Test("001: converting a trial starts a paid full period today and charges it, with nothing to credit")
    func convertTrialChargesFromToday() throws {
        let s = try trial()
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, usage: [DemoCatalog.workspace: [.users: 8]])
        let r = try changes.convertTrial(s, to: .init(plan: "ws_standard", seats: 8, cycle: .monthly), on: try d(2024, 3, 10))
        let next = r.subscription
        #expect(next.status == .active)
        #expect(next.trialEnd == nil)
        #expect(next.seats == 8)
        #expect(next.schedule == BillingSchedule(anchor: try d(2024, 3, 10), cycle: .monthly))
        #expect(next.currentPeriod == (try period(d(2024, 3, 10), d(2024, 4, 10))))
        #expect(next.startedOn == (try d(2024, 3, 10)))
        // Standard 90,000 × 8 = 720,000; VAT 72,000; no credit line.
        #expect(r.lines.map(\.kind) == [.plan])
        #expect(r.lines.map(\.amount.minorUnits) == [720_000])
        #expect(r.lines.map(\.tax.minorUnits) == [72_000])
        #expect(r.lines.map(\.period) == [next.currentPeriod])
        #expect(try r.totals.total.minorUnits == 792_000)
        #expect(next.paidForPeriod == vnd(720_000))
    }

    @Test("001: converting a subscription that is not trialing is refused")
    func convertNonTrialRefused() throws {
        let s = monthly(anchor: try d(2024, 3, 1), paid: 120_000)
        let errs = errors {
            try SubscriptionChanges(catalog: catalog, customer: vn).convertTrial(s, to: .init(s), on: try d(2024, 3, 10))
        }
        #expect(errs.map(\.code) == [.subscriptionNotTrialing])
        #expect(errs.first?.values["status"] == .text("active"))
    }

    @Test("001: a trial ending with a payment method and automatic renewal charges [trial end, trial end + cycle)")
    func endTrialWithPaymentMethodCharges() throws {
        let s = try trial()
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).endTrial(s, hasPaymentMethod: true)
        let next = r.subscription
        #expect(next.status == .active)
        #expect(next.trialEnd == nil)
        #expect(next.plan == "ws_standard")
        // Anchored on 31 March: [2024-03-31, 2024-04-30).
        #expect(next.currentPeriod == (try period(d(2024, 3, 31), d(2024, 4, 30))))
        // 90,000 × 5 = 450,000; VAT 45,000.
        #expect(r.lines.map(\.amount.minorUnits) == [450_000])
        #expect(r.lines.map(\.tax.minorUnits) == [45_000])
        #expect(r.lines.map(\.period) == [next.currentPeriod])
        #expect(next.paidForPeriod == vnd(450_000))
    }

    @Test("001: Workspace without a payment method falls to Free at the trial end: active, nothing charged")
    func endTrialWorkspaceFallsToFree() throws {
        let s = try trial()
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).endTrial(s, hasPaymentMethod: false)
        let next = r.subscription
        #expect(next.plan == "ws_free")
        #expect(next.status == .active)
        #expect(next.trialEnd == nil)
        #expect(next.tier == nil)
        #expect(next.addOns.isEmpty)
        #expect(next.seats == 5)
        #expect(next.currentPeriod == (try period(d(2024, 3, 31), d(2024, 4, 30))))
        #expect(next.paidForPeriod == vnd(0))
        #expect(r.lines.isEmpty)
        #expect(r.notices.isEmpty)
    }

    @Test("001: Workspace falling to Free keeps at most Free's 5 seats, so Free never grants more users than it allows")
    func endTrialWorkspaceFreeSeatsCapped() throws {
        let s = try trial(seats: 10)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).endTrial(s, hasPaymentMethod: false)
        #expect(r.subscription.plan == "ws_free")
        #expect(r.subscription.seats == 5)
        let e = Entitlements(catalog: catalog, subscriptions: [r.subscription], usage: [:], on: try d(2024, 4, 1))
        #expect(e.products[DemoCatalog.workspace]?.limits[.users] == .finite(5))
    }

    @Test("001: without automatic renewal the catalog's trial-end rule applies, even with a payment method (Workspace → Free)")
    func endTrialManualRenewalNotCharged() throws {
        let s = try trial(renewalMode: .manual)
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).endTrial(s, hasPaymentMethod: true)
        #expect(r.lines.isEmpty)
        #expect(r.subscription.plan == "ws_free")
    }

    @Test("001: Operation Process without a payment method is locked at the trial end")
    func endTrialOperationProcessLocks() throws {
        let s = try trial("sub_op", product: DemoCatalog.operationProcess, plan: "op_starter")
        let r = try SubscriptionChanges(catalog: catalog, customer: vn).endTrial(s, hasPaymentMethod: false)
        #expect(r.subscription.status == .locked)
        #expect(r.subscription.plan == "op_starter")
        #expect(r.subscription.trialEnd == nil)
        #expect(r.lines.isEmpty)
        // Locked: nothing but the payment pages.
        let e = Entitlements(catalog: catalog, subscriptions: [r.subscription], usage: [:], on: try d(2024, 4, 1))
        #expect(e.products[DemoCatalog.operationProcess]?.access == .locked)
    }

    @Test("001 + 002: Workspace ending its trial over Free's 5 GB storage becomes read-only")
    func endTrialOverFreeStorageIsReadOnly() throws {
        let s = try trial()
        let usage: [ProductID: Usage] = [DemoCatalog.workspace: [.storageMB: 6_000]]
        let r = try SubscriptionChanges(catalog: catalog, customer: vn, usage: usage).endTrial(s, hasPaymentMethod: false)
        #expect(r.subscription.plan == "ws_free")
        #expect(r.notices.map(\.code) == ["access.read_only"])
        #expect(r.notices.first?.message.contains("6000") == true)
        #expect(r.notices.first?.message.contains("5120") == true)
        let e = Entitlements(catalog: catalog, subscriptions: [r.subscription], usage: usage, on: try d(2024, 4, 1))
        #expect(e.products[DemoCatalog.workspace]?.access == .readOnly)
    }

    @Test("Ending a trial on a subscription that is not trialing is refused")
    func endTrialNotTrialingRefused() throws {
        let s = monthly(anchor: try d(2024, 3, 1), paid: 120_000)
        let errs = errors { try SubscriptionChanges(catalog: catalog, customer: vn).endTrial(s, hasPaymentMethod: true) }
        #expect(errs.map(\.code) == [.subscriptionNotTrialing])
    }

    @Test("A change during the trial applies at once and charges nothing; Operation Process seats follow Workspace")
    func changeDuringTrialAppliesAtOnce() throws {
        let ws = try trial()
        let op = try trial("sub_op", product: DemoCatalog.operationProcess, plan: "op_starter")
        let changes = SubscriptionChanges(catalog: catalog, customer: vn, subscriptions: [ws, op])
        let r = try changes.changeSeats(ws, to: 7, on: try d(2024, 3, 10))
        #expect(r.lines.isEmpty)
        #expect(r.subscriptions.map(\.id) == ["sub_ws", "sub_op"])
        #expect(r.subscriptions.map(\.seats) == [7, 7])
        #expect(r.subscriptions.map(\.status) == [.trialing, .trialing])
    }
}
