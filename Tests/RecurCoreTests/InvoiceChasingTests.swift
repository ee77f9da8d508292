import Testing
import PropertyBased
@testable import RecurCore

@Suite("Invoice chasing: what falls due on an unpaid invoice")
struct InvoiceChasingTests {
    func d(_ y: Int, _ m: Int, _ day: Int) throws -> CivilDate { try CivilDate(y, m, day) }

    /// Every step in order, each applied as the billing run applies it (charges failing).
    func steps(due: CivilDate, expires: Bool, automatic: Bool, policy: BillingPolicy = .standard) -> [String] {
        var c = InvoiceChase(expires: expires)
        var seen: [String] = []
        while let (on, action) = InvoiceChasing.next(dueDate: due, chase: c, automatic: automatic, policy: policy), seen.count < 20 {
            seen.append("\(on) \(action)")
            switch action {
            case .charge(let attempt): c.failedCharges = attempt
            case .overdueReminder(let days): c.remindersSent.insert(days)
            case .expire: c.expired = true
            }
        }
        return seen
    }

    @Test("a checkout's invoice paid by the customer: reminders 1 and 3 days overdue, expiry after the 7-day grace")
    func manualCheckout() throws {
        #expect(steps(due: try d(2026, 1, 15), expires: true, automatic: false)
            == ["2026-01-16 overdueReminder(daysOverdue: 1)", "2026-01-18 overdueReminder(daysOverdue: 3)", "2026-01-22 expire"])
    }

    @Test("charged automatically: the day after the due date, then on dunning days 1, 3, 5, 7 after it, then expiry")
    func automaticCheckout() throws {
        #expect(steps(due: try d(2026, 1, 31), expires: true, automatic: true)
            == ["2026-02-01 charge(attempt: 1)", "2026-02-02 charge(attempt: 2)", "2026-02-04 charge(attempt: 3)",
                "2026-02-06 charge(attempt: 4)", "2026-02-08 charge(attempt: 5)", "2026-02-08 expire"])
    }

    @Test("an arrears month's invoice (due at the end of the following month) is reminded, never expires anything")
    func arrears() throws {
        #expect(steps(due: try d(2026, 3, 31), expires: false, automatic: false)
            == ["2026-04-01 overdueReminder(daysOverdue: 1)", "2026-04-03 overdueReminder(daysOverdue: 3)"])
        #expect(steps(due: try d(2026, 3, 31), expires: false, automatic: true)
            == ["2026-04-01 charge(attempt: 1)", "2026-04-02 charge(attempt: 2)", "2026-04-04 charge(attempt: 3)",
                "2026-04-06 charge(attempt: 4)", "2026-04-08 charge(attempt: 5)"])
    }

    @Test("reminders on or after the grace's last day are not sent: the expiry says more")
    func remindersBeforeGrace() throws {
        let policy = BillingPolicy(manualRenewalGraceDays: 5, overdueReminderDays: [1, 3, 5, 10])
        #expect(steps(due: try d(2026, 6, 30), expires: true, automatic: false, policy: policy)
            == ["2026-07-01 overdueReminder(daysOverdue: 1)", "2026-07-03 overdueReminder(daysOverdue: 3)", "2026-07-05 expire"])
        // Without expiry, every reminder day is used.
        #expect(steps(due: try d(2026, 6, 30), expires: false, automatic: false, policy: policy).count == 4)
    }

    @Test("a run that catches up sends only the latest news: a reminder with a later step also due is stale")
    func staleReminders() throws {
        let due = try d(2026, 1, 15)
        let fresh = InvoiceChase(expires: true)
        // On 16/1 the 1-day reminder is news; on 19/1 the 3-day one is due too, so the first is stale.
        #expect(!InvoiceChasing.isStale(reminder: 1, dueDate: due, chase: fresh, automatic: false, policy: .standard, today: try d(2026, 1, 16)))
        #expect(InvoiceChasing.isStale(reminder: 1, dueDate: due, chase: fresh, automatic: false, policy: .standard, today: try d(2026, 1, 19)))
        let oneSent = InvoiceChase(expires: true, remindersSent: [1])
        #expect(!InvoiceChasing.isStale(reminder: 3, dueDate: due, chase: oneSent, automatic: false, policy: .standard, today: try d(2026, 1, 21)))
        // On 22/1 the expiry is due as well.
        #expect(InvoiceChasing.isStale(reminder: 3, dueDate: due, chase: oneSent, automatic: false, policy: .standard, today: try d(2026, 1, 22)))
        // The last reminder of an invoice that never expires is never stale.
        let arrears = InvoiceChase(expires: false, remindersSent: [1])
        #expect(!InvoiceChasing.isStale(reminder: 3, dueDate: due, chase: arrears, automatic: false, policy: .standard, today: try d(2027, 1, 1)))
    }

    @Test("once expired, or with nothing left to do, nothing more falls due")
    func done() throws {
        let due = try d(2026, 1, 15)
        #expect(InvoiceChasing.next(dueDate: due, chase: InvoiceChase(expires: true, expired: true), automatic: false, policy: .standard) == nil)
        #expect(InvoiceChasing.next(dueDate: due, chase: InvoiceChase(expires: false, remindersSent: [1, 3]), automatic: false, policy: .standard) == nil)
        #expect(InvoiceChasing.next(dueDate: due, chase: InvoiceChase(expires: false, failedCharges: 5), automatic: true, policy: .standard) == nil)
    }

    @Test("property: steps come in date order after the due date, each once, and every chase ends (with expiry exactly when it expires)")
    func ordered() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...20).array(of: 0...4), Gen.int(in: 0...40).array(of: 0...4), Gen.int(in: 1...30),
                            Gen.int(in: 0...40_000)) { retries, reminders, grace, dueDay in
            let policy = BillingPolicy(dunningRetryDays: retries.isEmpty ? [1] : retries.sorted(), manualRenewalGraceDays: grace,
                                       overdueReminderDays: reminders)
            let due = CivilDate(daysSinceEpoch: dueDay)
            for (expires, automatic) in [(true, true), (true, false), (false, true), (false, false)] {
                var c = InvoiceChase(expires: expires)
                var last = due
                var seen: [InvoiceChaseAction] = []
                while let (on, action) = InvoiceChasing.next(dueDate: due, chase: c, automatic: automatic, policy: policy) {
                    #expect(on >= last && on > due, "\(policy) \(seen)")
                    #expect(!seen.contains(action))
                    last = on
                    seen.append(action)
                    switch action {
                    case .charge(let attempt): c.failedCharges = attempt
                    case .overdueReminder(let days): c.remindersSent.insert(days)
                    case .expire: c.expired = true
                    }
                    try #require(seen.count <= 12)
                }
                #expect(seen.contains(.expire) == expires)
            }
        }
    }
}
