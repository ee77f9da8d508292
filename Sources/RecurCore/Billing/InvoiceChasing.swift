/// Where the chasing of an open invoice stands, for the invoices no renewal tracks: a
/// checkout's, a change's, a month close's in arrears, a one-off purchase's. (A renewal's
/// invoice is chased through its subscription's ``Collection``.)
public struct InvoiceChase: Hashable, Sendable, Codable {
    /// Whether the invoice's subscriptions expire when it stays unpaid (a checkout's or a
    /// change's invoice). An arrears invoice is reminded (or charged, under automatic renewal)
    /// and a one-off's reminded, never more.
    public var expires: Bool
    /// Automatic charges of the saved method that failed.
    public var failedCharges: Int
    /// The reminders sent (or passed over as stale), by days overdue.
    public var remindersSent: Set<Int>
    /// Whether the invoice's subscriptions were expired for it.
    public var expired: Bool
    /// The day an expiry that had to wait (a subscription waiting on its renewal's invoice) was
    /// put off to: the expiry, when it comes, dates from then, not from its first due day.
    public var expiryDeferredTo: CivilDate?

    public init(expires: Bool, failedCharges: Int = 0, remindersSent: Set<Int> = [], expired: Bool = false, expiryDeferredTo: CivilDate? = nil) {
        self.expires = expires
        self.failedCharges = failedCharges
        self.remindersSent = remindersSent
        self.expired = expired
        self.expiryDeferredTo = expiryDeferredTo
    }
}

/// Something that falls due while an invoice stays unpaid.
public enum InvoiceChaseAction: Hashable, Sendable {
    /// Charge the saved method (`attempt` 1, 2…).
    case charge(attempt: Int)
    /// Remind the customer that the invoice is `daysOverdue` days overdue.
    case overdueReminder(daysOverdue: Int)
    /// The invoice's subscriptions expire (read-only, then locked as any expired subscription).
    case expire
}

/// When each step of chasing an unpaid invoice falls due, counted from its due date. Pure:
/// the billing run asks ``next(dueDate:chase:automatic:policy:)`` for the earliest step,
/// applies it and asks again, until the next step lies after today.
///
/// - Charged automatically (the customer has a saved method and the invoice's subscriptions
///   renew automatically): the first charge the day after the due date (the customer's own
///   payment, started at checkout, has that day to arrive), retries on the dunning days
///   after it, and — for an invoice that `expires` — expiry when the last retry failed.
/// - Otherwise: an overdue reminder on each of the policy's overdue days, and — for an invoice
///   that `expires` — expiry when the manual grace has run out (reminders on or after that day
///   are not sent).
public enum InvoiceChasing {
    public static func next(dueDate: CivilDate, chase c: InvoiceChase, automatic: Bool, policy: BillingPolicy)
        -> (on: CivilDate, action: InvoiceChaseAction)? {
        guard !c.expired else { return nil }
        if automatic {
            let first = dueDate.adding(days: 1)
            let retries = policy.dunningRetryDays
            if c.failedCharges == 0 { return (first, .charge(attempt: 1)) }
            if c.failedCharges <= retries.count { return (first.adding(days: retries[c.failedCharges - 1]), .charge(attempt: c.failedCharges + 1)) }
            return c.expires ? (first.adding(days: retries.last ?? 0), .expire) : nil
        }
        let grace = policy.manualRenewalGraceDays
        if let d = policy.overdueReminderDays.sorted().first(where: { $0 > 0 && !c.remindersSent.contains($0) && (!c.expires || $0 < grace) }) {
            return (dueDate.adding(days: d), .overdueReminder(daysOverdue: d))
        }
        return c.expires ? (dueDate.adding(days: grace), .expire) : nil
    }

    /// Whether a reminder due `on` is stale by `today`: a later step (a later reminder, or the
    /// expiry) is also due. A run that catches up (a test clock moved weeks at once, a server
    /// that was down) sends only the latest news.
    public static func isStale(reminder days: Int, dueDate: CivilDate, chase c: InvoiceChase, automatic: Bool, policy: BillingPolicy,
                               today: CivilDate) -> Bool {
        var after = c
        after.remindersSent.insert(days)
        guard let (on, _) = next(dueDate: dueDate, chase: after, automatic: automatic, policy: policy) else { return false }
        return on <= today
    }
}
