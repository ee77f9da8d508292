/// What a subscription costs for its next period, and the subscription as it
/// stands once that period starts.
public struct Renewal: Sendable {
    public let catalog: Catalog
    public let customer: Customer

    public init(catalog: Catalog, customer: Customer) {
        self.catalog = catalog
        self.customer = customer
    }

    /// The period that follows the current one, with a scheduled cycle change applied.
    public func nextSchedule(of s: Subscription) -> BillingSchedule {
        if let c = s.scheduledChange, c.cycle != s.cycle {
            return BillingSchedule(anchor: s.currentPeriod.end, cycle: c.cycle)
        }
        return s.schedule
    }

    public func nextPeriod(of s: Subscription) -> Period {
        nextSchedule(of: s).period(containing: s.currentPeriod.end)
    }

    /// The lines the next period will be invoiced with (none for a free plan or a
    /// plan billed in arrears, whose users are invoiced when each month closes).
    public func lines(for s: Subscription) throws -> [InvoiceLine] {
        let drafting = Drafting(catalog: catalog, currency: s.currency)
        let content = try drafting.renewalContent(of: s)
        let drafts = try drafting.lines(content, period: nextPeriod(of: s), field: "subscription")
        return try PriceCalculator(catalog: catalog, customer: customer, currency: s.currency).price(drafts)
    }

    /// Moves `s` into its next period: a cancellation or scheduled change takes
    /// effect, promotions count down, and the new period's lines are returned.
    /// Called when the current period ends; the billing run decides whether the
    /// lines are charged (automatic renewal) or invoiced (manual).
    /// - throws: `subscription.not_live` for a locked, expired or cancelled subscription
    ///   (an expired one is renewed through checkout, which charges from its old end).
    public func renew(_ s: Subscription) throws -> ChangeResult {
        guard s.isLive else {
            throw RecurError(.subscriptionNotLive, field: "subscription", "Subscription \(s.id) is \(s.status.rawValue); it cannot be renewed",
                             ["status": .text(s.status.rawValue)])
        }
        var next = s
        if s.cancelAtPeriodEnd {
            next.status = .cancelled
            next.scheduledChange = nil
            return ChangeResult(subscriptions: [next], lines: [])
        }
        let lines = try lines(for: s)
        let drafting = Drafting(catalog: catalog, currency: s.currency)
        let content = try drafting.renewalContent(of: s)
        next.schedule = nextSchedule(of: s)
        next.currentPeriod = nextPeriod(of: s)
        next.plan = content.plan.id
        next.tier = content.tier
        next.seats = content.seats
        next.addOns = Dictionary(uniqueKeysWithValues: content.addOns.map { ($0.addOn.id, $0.quantity) })
        next.scheduledChange = nil
        next.discounts = s.discounts.compactMap { d in
            guard let left = d.remainingCycles else { return d }
            return left > 1 ? Subscription.Discount(promotion: d.promotion, addOn: d.addOn, remainingCycles: left - 1) : nil
        }
        next.paidForPeriod = try Money.sum(lines.map(\.net), currency: s.currency)
        next.startedOn = next.currentPeriod.start
        if next.status == .trialing { next.status = .active; next.trialEnd = nil }
        return ChangeResult(subscriptions: [next], lines: lines)
    }
}

/// The outcome of a subscription change: the subscriptions as they stand after it
/// (the changed one first, then any dependent it carried along) and the invoice
/// lines it causes now (empty for a change at period end).
public struct ChangeResult: Hashable, Sendable {
    public var subscriptions: [Subscription]
    public var lines: [InvoiceLine]
    public var notices: [Quote.Notice]

    public init(subscriptions: [Subscription], lines: [InvoiceLine], notices: [Quote.Notice] = []) {
        self.subscriptions = subscriptions
        self.lines = lines
        self.notices = notices
    }

    /// The changed subscription.
    public var subscription: Subscription { subscriptions[0] }

    public var totals: Totals {
        get throws { try Totals(lines: lines, currency: subscription.currency) }
    }
}
