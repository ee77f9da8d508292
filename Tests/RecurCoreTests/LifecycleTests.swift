import Testing
@testable import RecurCore

@Suite("Lifecycle: what falls due next")
struct LifecycleTests {
    func d(_ y: Int, _ m: Int, _ day: Int) throws -> CivilDate { try CivilDate(y, m, day) }

    func sub(status: Subscription.Status = .active, mode: Subscription.RenewalMode = .automatic, trialEnd: CivilDate? = nil,
             start: CivilDate) -> Subscription {
        let schedule = BillingSchedule(anchor: start, cycle: .monthly)
        return Subscription(id: "sub_1", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_starter", seats: 2,
                            currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), status: status,
                            trialEnd: trialEnd, renewalMode: mode, paidForPeriod: .zero(.vnd))
    }

    @Test("trial: reminders 7, 3 and 1 days before the end, then the end itself")
    func trialReminders() throws {
        var s = sub(status: .trialing, trialEnd: try d(2026, 3, 31), start: try d(2026, 3, 1))
        s.currentPeriod = try Period(start: d(2026, 3, 1), end: d(2026, 3, 31))
        var c = Collection()
        var seen: [String] = []
        while let (on, action) = Lifecycle.next(s, collection: c, policy: .standard) {
            seen.append("\(on) \(action)")
            guard let key = action.reminderKey(on: on) else { break }
            c.remindersSent.insert(key)
        }
        #expect(seen == ["2026-03-24 trialReminder(daysLeft: 7)", "2026-03-28 trialReminder(daysLeft: 3)",
                         "2026-03-30 trialReminder(daysLeft: 1)", "2026-03-31 endTrial"])
    }

    @Test("automatic renewal: the period end is next; nothing else is pending")
    func automaticRenewal() throws {
        let s = sub(start: try d(2026, 1, 31))
        let next = try #require(Lifecycle.next(s, collection: .clear, policy: .standard))
        #expect(next.on == (try d(2026, 2, 28)))
        #expect(next.action == .periodEnd)
    }

    @Test("dunning: retries on days 1, 3, 5 and 7 after the failed charge, then expiry, then lock 14 days later")
    func dunning() throws {
        var s = sub(status: .pastDue, start: try d(2026, 3, 1))
        let since = try d(2026, 3, 1)
        var c = Collection(openInvoice: "in_1", openSince: since, failedCharges: 1)
        var seen: [String] = []
        for _ in 0..<6 {
            let (on, action) = try #require(Lifecycle.next(s, collection: c, policy: .standard))
            seen.append("\(on) \(action)")
            switch action {
            case .retryCharge: c.failedCharges += 1
            case .expire:
                s.status = .expired
                c.expiredOn = on
            default: break
            }
        }
        #expect(seen == ["2026-03-02 retryCharge(attempt: 2)", "2026-03-04 retryCharge(attempt: 3)", "2026-03-06 retryCharge(attempt: 4)",
                         "2026-03-08 retryCharge(attempt: 5)", "2026-03-08 expire", "2026-03-22 lock"])
    }

    @Test("manual renewal: reminders 7 and 1 days before the period end; an unpaid renewal expires after 7 days")
    func manualRenewal() throws {
        let s = sub(mode: .manual, start: try d(2026, 3, 1))
        var c = Collection()
        let first = try #require(Lifecycle.next(s, collection: c, policy: .standard))
        #expect(first.on == (try d(2026, 3, 25)))
        #expect(first.action == .renewalReminder(daysLeft: 7))
        c.remindersSent.insert(try #require(first.action.reminderKey(on: first.on)))
        let second = try #require(Lifecycle.next(s, collection: c, policy: .standard))
        #expect(second.on == (try d(2026, 3, 31)))
        #expect(second.action == .renewalReminder(daysLeft: 1))
        // After renewal the invoice is open from 1/4: expiry is due on 8/4 if it stays unpaid.
        var renewed = s
        renewed.currentPeriod = try Period(start: d(2026, 4, 1), end: d(2026, 5, 1))
        let open = Collection(openInvoice: "in_2", openSince: try d(2026, 4, 1))
        let policy = BillingPolicy(renewalReminderDays: [])
        var pending = open
        var seen: [String] = []
        while let (on, action) = Lifecycle.next(renewed, collection: pending, policy: policy) {
            seen.append("\(on) \(action)")
            guard let key = action.reminderKey(on: on) else { break }
            pending.remindersSent.insert(key)
        }
        // Overdue reminders on days 1 and 3, then expiry on day 7.
        #expect(seen == ["2026-04-02 overdueReminder(daysOverdue: 1)", "2026-04-04 overdueReminder(daysOverdue: 3)", "2026-04-08 expire"])
    }

    @Test("cancelled and locked subscriptions have nothing pending")
    func terminal() throws {
        #expect(Lifecycle.next(sub(status: .cancelled, start: try d(2026, 3, 1)), collection: .clear, policy: .standard) == nil)
        #expect(Lifecycle.next(sub(status: .locked, start: try d(2026, 3, 1)), collection: .clear, policy: .standard) == nil)
    }
}
