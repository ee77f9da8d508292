/// The vendor's rules for collecting money and chasing it, as data.
public struct BillingPolicy: Hashable, Sendable, Codable {
    /// Days after the first failed automatic charge on which it is retried (e.g. 1, 3, 5, 7);
    /// when the last retry fails the subscription expires.
    public var dunningRetryDays: [Int]
    /// Days an unpaid manual renewal (or a checkout's or change's invoice, from its due date) may
    /// stay open before the subscription expires.
    public var manualRenewalGraceDays: Int
    /// Days an expired subscription stays read-only before it is locked.
    public var lockAfterExpiredDays: Int
    /// Days before a trial ends on which the customer is reminded.
    public var trialReminderDays: [Int]
    /// Days before a manual renewal on which the customer is reminded.
    public var renewalReminderDays: [Int]
    /// Days after an open renewal invoice was issued (any other open invoice: after its due
    /// date) on which the customer is reminded that it is overdue (before the grace runs out).
    public var overdueReminderDays: [Int]
    /// When renewal invoices are due.
    public var paymentTerms: PaymentTerms

    public init(dunningRetryDays: [Int] = [1, 3, 5, 7], manualRenewalGraceDays: Int = 7, lockAfterExpiredDays: Int = 14,
                trialReminderDays: [Int] = [7, 3, 1], renewalReminderDays: [Int] = [7, 1], overdueReminderDays: [Int] = [1, 3],
                paymentTerms: PaymentTerms = .immediate) {
        self.dunningRetryDays = dunningRetryDays
        self.manualRenewalGraceDays = manualRenewalGraceDays
        self.lockAfterExpiredDays = lockAfterExpiredDays
        self.trialReminderDays = trialReminderDays
        self.renewalReminderDays = renewalReminderDays
        self.overdueReminderDays = overdueReminderDays
        self.paymentTerms = paymentTerms
    }

    public static let standard = BillingPolicy()
}

/// Where the collection of a subscription's money stands: the renewal invoice still
/// open, the failed charges, the reminders already sent.
public struct Collection: Hashable, Sendable, Codable {
    /// The renewal invoice awaiting payment, if any.
    public var openInvoice: String?
    /// The day that invoice was issued (the period start).
    public var openSince: CivilDate?
    /// Automatic charges of the open invoice that failed.
    public var failedCharges: Int
    /// When the subscription expired, if it did.
    public var expiredOn: CivilDate?
    /// Reminders sent, by key (`trial-3@2026-03-31`), so none is sent twice.
    public var remindersSent: Set<String>

    public init(openInvoice: String? = nil, openSince: CivilDate? = nil, failedCharges: Int = 0, expiredOn: CivilDate? = nil,
                remindersSent: Set<String> = []) {
        self.openInvoice = openInvoice
        self.openSince = openSince
        self.failedCharges = failedCharges
        self.expiredOn = expiredOn
        self.remindersSent = remindersSent
    }

    public static let clear = Collection()
}

/// Something that falls due in a subscription's life.
public enum LifecycleAction: Hashable, Sendable {
    /// Remind the customer that the trial ends in `daysLeft` days.
    case trialReminder(daysLeft: Int)
    /// The trial ends: convert, fall to the free plan, or lock.
    case endTrial
    /// Remind the customer of a manual renewal in `daysLeft` days.
    case renewalReminder(daysLeft: Int)
    /// Remind the customer that the renewal invoice is `daysOverdue` days overdue.
    case overdueReminder(daysOverdue: Int)
    /// The period ends: renew (invoice and charge, or invoice), cancel, or — for a plan
    /// billed in arrears — close the month and invoice its users.
    case periodEnd
    /// Retry the failed automatic charge of the open invoice (`attempt` 2, 3…).
    case retryCharge(attempt: Int)
    /// Dunning or the manual grace ran out: the subscription turns read-only.
    case expire
    /// The read-only grace ran out: only the payment pages stay reachable.
    case lock

    /// A stable key for reminders, so each is sent once.
    public func reminderKey(on date: CivilDate) -> String? {
        switch self {
        case .trialReminder(let d): "trial-\(d)@\(date)"
        case .renewalReminder(let d): "renewal-\(d)@\(date)"
        case .overdueReminder(let d): "overdue-\(d)@\(date)"
        default: nil
        }
    }
}

/// When each thing in a subscription's life falls due. Pure: the billing run asks
/// ``next(_:collection:policy:)`` for the earliest pending action, applies it, and
/// asks again, until the next action lies after today.
public enum Lifecycle {
    /// The earliest pending action of `s`, and the civil date it falls due on (in
    /// the customer's time zone); nil when nothing will ever fall due (cancelled,
    /// locked).
    public static func next(_ s: Subscription, collection c: Collection, policy: BillingPolicy) -> (on: CivilDate, action: LifecycleAction)? {
        var candidates: [(CivilDate, Int, LifecycleAction)] = []
        func add(_ date: CivilDate, _ action: LifecycleAction, order: Int) { candidates.append((date, order, action)) }

        switch s.status {
        case .cancelled, .locked:
            return nil
        case .trialing:
            guard let end = s.trialEnd else { return nil }
            for d in policy.trialReminderDays.sorted(by: >) where d > 0 && !s.cancelAtPeriodEnd {
                let on = end.adding(days: -d)
                if on >= s.currentPeriod.start, let key = LifecycleAction.trialReminder(daysLeft: d).reminderKey(on: on), !c.remindersSent.contains(key) {
                    add(on, .trialReminder(daysLeft: d), order: 1)
                }
            }
            add(end, .endTrial, order: 0)
        case .active, .pastDue:
            if let since = c.openSince, c.openInvoice != nil {
                if c.failedCharges > 0 {
                    // Automatic renewal failed: retry on the schedule, then expire.
                    let attempt = c.failedCharges + 1
                    if c.failedCharges <= policy.dunningRetryDays.count {
                        let day = c.failedCharges - 1 < policy.dunningRetryDays.count ? policy.dunningRetryDays[c.failedCharges - 1] : 0
                        add(since.adding(days: day), .retryCharge(attempt: attempt), order: 2)
                    }
                    if c.failedCharges > policy.dunningRetryDays.count {
                        add(since.adding(days: policy.dunningRetryDays.last ?? 0), .expire, order: 2)
                    }
                } else {
                    // A manual renewal invoice waiting to be paid: reminders, then expiry.
                    for d in policy.overdueReminderDays.sorted() where d > 0 && d < policy.manualRenewalGraceDays {
                        let on = since.adding(days: d)
                        if let key = LifecycleAction.overdueReminder(daysOverdue: d).reminderKey(on: on), !c.remindersSent.contains(key) {
                            add(on, .overdueReminder(daysOverdue: d), order: 1)
                        }
                    }
                    add(since.adding(days: policy.manualRenewalGraceDays), .expire, order: 2)
                }
            }
            if s.renewalMode == .manual && !s.cancelAtPeriodEnd {
                for d in policy.renewalReminderDays.sorted(by: >) where d > 0 {
                    let on = s.currentPeriod.end.adding(days: -d)
                    if on >= s.currentPeriod.start, let key = LifecycleAction.renewalReminder(daysLeft: d).reminderKey(on: on),
                       !c.remindersSent.contains(key) {
                        add(on, .renewalReminder(daysLeft: d), order: 1)
                    }
                }
            }
            add(s.currentPeriod.end, .periodEnd, order: 3)
        case .expired:
            add((c.expiredOn ?? s.currentPeriod.end).adding(days: policy.lockAfterExpiredDays), .lock, order: 0)
        }
        return candidates.min { ($0.0, $0.1) < ($1.0, $1.1) }.map { ($0.0, $0.2) }
    }
}
