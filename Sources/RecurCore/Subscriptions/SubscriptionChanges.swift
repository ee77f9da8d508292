/// Every change a customer or staff member can make to a subscription, each
/// returning the subscriptions as they stand after it and the invoice lines it
/// causes. Nothing is mutated; the caller stores the result in one transaction.
///
/// The rules, as the best billing systems and the requirement documents have them:
/// - an **upgrade** (higher plan, higher tier, more seats or add-ons, a longer
///   cycle) takes effect now: the unused part of what was paid is credited and
///   the new content is charged for the rest of the period, by the day;
/// - a **plan upgrade of a product whose upgrade term is `newTerm`** (000: annual
///   contracts) and **any cycle change now** start a new full term on the day of
///   the change, with the unused part of the old term credited against it;
/// - a **downgrade** (lower plan, fewer seats or add-ons, a shorter cycle) waits
///   for the end of the period and is kept as the scheduled change;
/// - a plan whose limits are below current usage is refused, naming the limit
///   and the usage — except a quota the plan lists as soft (002: storage on
///   Free), which makes the account read-only instead.
public struct SubscriptionChanges: Sendable {
    public let catalog: Catalog
    public let customer: Customer
    /// All of the customer's subscriptions (for the dependency rules).
    public let subscriptions: [Subscription]
    public let usage: [ProductID: Usage]

    public init(catalog: Catalog, customer: Customer, subscriptions: [Subscription] = [], usage: [ProductID: Usage] = [:]) {
        self.catalog = catalog
        self.customer = customer
        self.subscriptions = subscriptions
        self.usage = usage
    }

    /// What a subscription should hold: plan, tier, seats, add-ons and cycle.
    public struct Target: Hashable, Sendable {
        public var plan: PlanID
        public var tier: String?
        public var seats: Int
        public var addOns: [AddOnID: Int]
        public var cycle: BillingCycle

        public init(plan: PlanID, tier: String? = nil, seats: Int, addOns: [AddOnID: Int] = [:], cycle: BillingCycle) {
            self.plan = plan
            self.tier = tier
            self.seats = seats
            self.addOns = addOns
            self.cycle = cycle
        }

        public init(_ s: Subscription) {
            self.init(plan: s.plan, tier: s.tier, seats: s.seats, addOns: s.addOns, cycle: s.cycle)
        }
    }

    // MARK: Changes

    /// Moves `s` to another plan (and optionally tier, seats, cycle) of its product.
    public func changePlan(_ s: Subscription, to plan: PlanID, tier: String? = nil, seats: Int? = nil,
                           cycle: BillingCycle? = nil, on date: CivilDate) throws -> ChangeResult {
        var t = Target(s)
        t.plan = plan
        t.tier = tier
        if let seats { t.seats = seats }
        if let cycle { t.cycle = cycle }
        return try change(s, to: t, on: date)
    }

    /// Changes the seats of `s`; dependents whose seats must equal it follow.
    public func changeSeats(_ s: Subscription, to seats: Int, on date: CivilDate) throws -> ChangeResult {
        var t = Target(s)
        t.seats = seats
        return try change(s, to: t, on: date)
    }

    /// Sets the quantity of one add-on (0 removes it at the period end).
    public func changeAddOn(_ s: Subscription, _ addOn: AddOnID, quantity: Int, on date: CivilDate) throws -> ChangeResult {
        var t = Target(s)
        t.addOns[addOn] = quantity
        return try change(s, to: t, on: date)
    }

    /// Automatic (charge the saved method) or manual (invoice each renewal); 001/003.
    public func setRenewalMode(_ s: Subscription, _ mode: Subscription.RenewalMode) -> Subscription {
        var next = s
        next.renewalMode = mode
        return next
    }

    /// Ends the subscription when its current period ends (003: turning
    /// auto-renewal off is how a customer cancels). Nothing is refunded.
    public func cancelAtPeriodEnd(_ s: Subscription) throws -> Subscription {
        guard s.isLive else { throw notLive(s) }
        var next = s
        next.cancelAtPeriodEnd = true
        return next
    }

    /// Takes back a cancellation at period end.
    public func resume(_ s: Subscription) -> Subscription {
        var next = s
        next.cancelAtPeriodEnd = false
        return next
    }

    /// Converts a trial into a paid subscription now (001: the "Upgrade" button
    /// during the 30-day trial). Seats may not be fewer than the users activated
    /// during the trial. A new full period starts today.
    public func convertTrial(_ s: Subscription, to target: Target, on date: CivilDate) throws -> ChangeResult {
        guard s.status == .trialing else {
            throw RecurError(.subscriptionNotTrialing, field: "subscription", "Subscription \(s.id) is not in a trial", ["status": .text(s.status.rawValue)])
        }
        let activated = usage[s.product]?[.users] ?? 0
        if Int64(target.seats) < activated {
            throw RecurErrors([RecurError(.trialSeatsBelowActivatedUsers, field: "seats",
                                          "\(target.seats) seats are fewer than the \(activated) users activated during the trial",
                                          ["seats": .int(Int64(target.seats)), "activatedUsers": .int(activated)])])
        }
        var notices: [Quote.Notice] = []
        try validate(s, target, notices: &notices)
        var converted = s
        converted.status = .active
        converted.trialEnd = nil
        return try startTerm(converted, target: target, on: date, credit: false, notices: notices)
    }

    /// The end of a trial (001): with a payment method and automatic renewal it
    /// converts and charges the first period; otherwise the product's catalog rule
    /// applies — fall to its free plan, or lock.
    public func endTrial(_ s: Subscription, hasPaymentMethod: Bool) throws -> ChangeResult {
        guard s.status == .trialing, let end = s.trialEnd else {
            throw RecurError(.subscriptionNotTrialing, field: "subscription", "Subscription \(s.id) is not in a trial", ["status": .text(s.status.rawValue)])
        }
        let product = try catalog.product(s.product, field: "product")
        var next = s
        next.trialEnd = nil
        if s.cancelAtPeriodEnd {
            // Cancelled during the trial: it simply ends, nothing is charged.
            next.status = .cancelled
            return ChangeResult(subscriptions: [next], lines: [])
        }
        if hasPaymentMethod && s.renewalMode == .automatic {
            next.status = .active
            return try startTerm(next, target: Target(s), on: end, credit: false, notices: [])
        }
        switch product.trialEnd {
        case .downgrade(let free):
            next.status = .active
            next.plan = free
            next.tier = nil
            next.addOns = [:]
            next.schedule = BillingSchedule(anchor: end, cycle: .monthly)
            next.currentPeriod = next.schedule.period(0)
            next.paidForPeriod = .zero(s.currency)
            next.discounts = []
            let plan = try catalog.plan(free, field: "plan")
            // The free plan's seat bounds hold (001's Free: at most 5 users).
            if plan.isPerSeat { next.seats = min(max(s.seats, plan.minimumSeats), plan.maximumSeats ?? s.seats) }
            let limits = Entitlements.limits(plan: plan, tier: nil, seats: next.seats, addOns: [])
            let soft = Entitlements.violations(of: limits, by: usage[s.product] ?? Usage(), plan: plan).filter(\.soft)
            return ChangeResult(subscriptions: [next], lines: [], notices: soft.map { $0.readOnlyNotice(plan: plan) })
        case .lock:
            next.status = .locked
            return ChangeResult(subscriptions: [next], lines: [])
        }
    }

    /// The general change: validates `target`, then applies it now (an upgrade)
    /// or at the period end (a downgrade), carrying equal-seat dependents along.
    public func change(_ s: Subscription, to target: Target, on date: CivilDate) throws -> ChangeResult {
        guard s.isLive else { throw notLive(s) }
        // Proration prices the days left of the current period: a day outside it has none to price.
        guard s.currentPeriod.contains(date) else {
            throw RecurError(.changeDateOutsidePeriod, field: "date",
                             "A change takes effect within the current period, \(s.currentPeriod.start) to \(s.currentPeriod.end) (excluded); \(date) is not in it",
                             ["date": .text(date.description), "period_start": .text(s.currentPeriod.start.description),
                              "period_end": .text(s.currentPeriod.end.description)])
        }
        var notices: [Quote.Notice] = []
        try validate(s, target, notices: &notices)
        let oldPlan = try catalog.plan(s.plan, field: "plan")
        let newPlan = try catalog.plan(target.plan, field: "plan")

        if s.status == .trialing {
            // During a trial nothing is charged: the change applies at once.
            var next = s
            next.plan = target.plan
            next.tier = target.tier
            next.seats = target.seats
            next.addOns = target.addOns.filter { $0.value > 0 }
            return ChangeResult(subscriptions: [next] + (try followers(of: s, seats: target.seats, now: true, on: date).subscriptions), lines: [], notices: notices)
        }

        let now = try isUpgrade(from: s, oldPlan: oldPlan, to: target, newPlan: newPlan)
        var result: ChangeResult
        if !now {
            var next = s
            next.scheduledChange = Subscription.ScheduledChange(plan: target.plan, tier: target.tier, seats: target.seats,
                                                                addOns: target.addOns.filter { $0.value > 0 }, cycle: target.cycle)
            result = ChangeResult(subscriptions: [next], lines: [], notices: notices)
        } else {
            let product = try catalog.product(s.product, field: "product")
            let planChanged = target.plan != s.plan || target.tier != s.tier
            if target.cycle != s.cycle || (planChanged && product.upgradeTerm == .newTerm) {
                result = try startTerm(s, target: target, on: date, credit: true, notices: notices)
            } else {
                result = try prorate(s, to: target, on: date, notices: notices)
            }
        }
        if target.seats != s.seats {
            let f = try followers(of: s, seats: target.seats, now: now, on: date)
            result.subscriptions += f.subscriptions
            result.lines += f.lines
        }
        return result
    }

    // MARK: Rules

    /// An upgrade is applied now: a higher plan, or the same plan worth more per month.
    func isUpgrade(from s: Subscription, oldPlan: Plan, to t: Target, newPlan: Plan) throws -> Bool {
        if newPlan.rank != oldPlan.rank { return newPlan.rank > oldPlan.rank }
        if t.cycle != s.cycle { return t.cycle > s.cycle }
        if t.seats < s.seats || t.addOns.contains(where: { $0.value < (s.addOns[$0.key] ?? 0) }) { return false }
        let old = try monthlyGross(plan: oldPlan, tier: s.tier, seats: s.seats, addOns: s.addOns, cycle: s.cycle, currency: s.currency)
        let new = try monthlyGross(plan: newPlan, tier: t.tier, seats: t.seats, addOns: t.addOns, cycle: t.cycle, currency: s.currency)
        return new >= old
    }

    /// Gross value of a content per cycle (compared only at equal cycles and ranks).
    private func monthlyGross(plan: Plan, tier: String?, seats: Int, addOns: [AddOnID: Int], cycle: BillingCycle, currency: Currency) throws -> Int64 {
        var total: Int64 = 0
        if !plan.isFree && !plan.isInArrears {
            let p = try catalog.price(of: plan, cycle: cycle, currency: currency, tier: tier, field: "plan")
            total += try (p.unitAmount * Int64(plan.isPerSeat ? seats : 1)).minorUnits
        }
        for (id, q) in addOns where q > 0 {
            let p = try catalog.price(of: try catalog.addOn(id, field: "addOns"), cycle: cycle, currency: currency, field: "addOns")
            total += try (p.unitAmount * Int64(q)).minorUnits
        }
        return total
    }

    /// Checks a target against the catalog, usage and the dependency rules.
    func validate(_ s: Subscription, _ t: Target, notices: inout [Quote.Notice]) throws {
        var errors = ErrorCollector()
        let product = try catalog.product(s.product, field: "product")
        let plan = try catalog.plan(t.plan, field: "plan")
        guard plan.product == s.product else {
            throw RecurErrors([RecurError(.planNotOfProduct, field: "plan", "Plan \(plan.name) is not a plan of \(product.name)",
                                          ["plan": .text(plan.id.rawValue), "product": .text(product.id.rawValue)])])
        }
        if !plan.tiers.isEmpty && plan.tier(t.tier) == nil {
            errors.add(RecurError(t.tier == nil ? .planTierRequired : .planTierUnknown, field: "tier",
                                  "Plan \(plan.name) is sold in tiers: \(plan.tiers.map(\.id).joined(separator: ", "))"))
        }
        errors.check { _ = try catalog.price(of: plan, cycle: t.cycle, currency: s.currency, tier: t.tier, field: "cycle") }
        if t.seats < 0 {
            errors.add(RecurError(.seatsInvalid, field: "seats", "Seats cannot be negative (\(t.seats))", ["seats": .int(Int64(t.seats))]))
        } else {
            for e in plan.seatErrors(t.seats, product: product, field: "seats") { errors.add(e) }
        }
        var addOns: [(AddOn, Int)] = []
        for (id, q) in t.addOns.sorted(by: { $0.key < $1.key }) {
            guard let a = errors.check({ try catalog.addOn(id, field: "addOns.\(id)") }) else { continue }
            if q < 0 || (a.maximumQuantity.map { q > $0 } ?? false) {
                errors.add(RecurError(.addOnQuantityInvalid, field: "addOns.\(id)", "Quantity of \(a.name) must be 0 to \(a.maximumQuantity.map(String.init) ?? "any number"), not \(q)",
                                      ["quantity": .int(Int64(q))]))
            } else if !a.products.isEmpty && !a.products.contains(s.product) {
                errors.add(RecurError(.addOnNotForProduct, field: "addOns.\(id)", "\(a.name) cannot be added to \(product.name)"))
            } else if q > 0 {
                errors.check { _ = try catalog.price(of: a, cycle: t.cycle, currency: s.currency, field: "addOns.\(id)") }
                addOns.append((a, q))
            }
        }
        let limits = Entitlements.limits(plan: plan, tier: t.tier, seats: t.seats, addOns: addOns)
        for v in Entitlements.violations(of: limits, by: usage[s.product] ?? Usage(), plan: plan) {
            if v.soft {
                notices.append(v.readOnlyNotice(plan: plan))
            } else {
                errors.add(v.error(product: product, plan: plan, field: "plan"))
            }
        }
        // As a dependent: the base must allow it.
        if let dep = catalog.dependency(of: s.product), let base = live(dep.base) {
            let baseName = catalog.products[dep.base]?.name ?? dep.base.rawValue
            if t.cycle > base.cycle {
                errors.add(RecurError(.dependencyCycleExceedsBase, field: "cycle",
                                      "\(product.name) cannot be billed every \(t.cycle) while \(baseName) is billed every \(base.cycle)",
                                      ["cycleMonths": .int(Int64(t.cycle.months)), "baseCycleMonths": .int(Int64(base.cycle.months))]))
            }
            if plan.isPerSeat && dep.seatRule == .equal && t.seats != base.seats {
                errors.add(RecurError(.dependencySeatsMustEqualBase, field: "seats", "\(product.name) seats \(t.seats) must equal \(baseName) seats \(base.seats)",
                                      ["seats": .int(Int64(t.seats)), "baseSeats": .int(Int64(base.seats))]))
            }
            if plan.isPerSeat && dep.seatRule == .atMost && t.seats > base.seats {
                errors.add(RecurError(.dependencySeatsExceedBase, field: "seats", "\(product.name) seats \(t.seats) exceed \(baseName) seats \(base.seats)",
                                      ["seats": .int(Int64(t.seats)), "baseSeats": .int(Int64(base.seats))]))
            }
        }
        // As a base: every live dependent must still be allowed.
        for dep in catalog.dependencies where dep.base == s.product {
            guard let d = live(dep.dependent), let min = catalog.plans[dep.minimumBasePlan] else { continue }
            let name = catalog.products[dep.dependent]?.name ?? dep.dependent.rawValue
            if plan.rank < min.rank {
                errors.add(RecurError(.dependencyBasePlanTooLow, field: "plan",
                                      "\(name) needs \(product.name) \(min.name) or higher; \(plan.name) is below it",
                                      ["plan": .text(plan.id.rawValue), "minimumPlan": .text(min.id.rawValue)]))
            }
            if t.cycle < d.cycle {
                errors.add(RecurError(.dependencyCycleExceedsBase, field: "cycle",
                                      "\(name) is billed every \(d.cycle); \(product.name) cannot be billed every \(t.cycle)",
                                      ["cycleMonths": .int(Int64(d.cycle.months)), "baseCycleMonths": .int(Int64(t.cycle.months))]))
            }
            if dep.seatRule == .atMost && d.seats > t.seats {
                errors.add(RecurError(.dependencySeatsExceedBase, field: "seats",
                                      "\(name) seats \(d.seats) exceed \(product.name) seats \(t.seats)",
                                      ["seats": .int(Int64(d.seats)), "baseSeats": .int(Int64(t.seats))]))
            }
        }
        try errors.throwIfAny()
    }

    private func live(_ product: ProductID) -> Subscription? {
        subscriptions.first { $0.product == product && $0.isLive }
    }

    /// Dependents whose seats must equal the base's, moved to `seats` with the base.
    private func followers(of base: Subscription, seats: Int, now: Bool, on date: CivilDate) throws -> ChangeResult {
        var out = ChangeResult(subscriptions: [], lines: [])
        for dep in catalog.dependencies where dep.base == base.product && dep.seatRule == .equal {
            guard let d = live(dep.dependent), let plan = catalog.plans[d.plan], plan.isPerSeat, d.seats != seats else { continue }
            var t = Target(d)
            t.seats = seats
            let follower = SubscriptionChanges(catalog: catalog, customer: customer, usage: usage)
            if d.status == .trialing {
                var next = d
                next.seats = seats
                out.subscriptions.append(next)
            } else if now {
                let r = try follower.prorate(d, to: t, on: date, notices: [])
                out.subscriptions += r.subscriptions
                out.lines += r.lines
            } else {
                var next = d
                next.scheduledChange = .init(plan: d.plan, tier: d.tier, seats: seats, addOns: d.addOns, cycle: d.cycle)
                out.subscriptions.append(next)
            }
        }
        return out
    }

    private func content(_ s: Subscription, _ t: Target) throws -> Drafting.Content {
        let drafting = Drafting(catalog: catalog, currency: s.currency)
        var c = try drafting.renewalContent(of: s)
        c.plan = try catalog.plan(t.plan, field: "plan")
        c.tier = t.tier
        c.seats = t.seats
        c.cycle = t.cycle
        c.addOns = try t.addOns.sorted { $0.key < $1.key }.filter { $0.value > 0 }.map { id, q in
            (addOn: try catalog.addOn(id, field: "addOns"), quantity: q, promotion: c.addOns.first { $0.addOn.id == id }?.promotion)
        }
        return c
    }

    /// Upgrade within the current period: credit the unused part of what was paid,
    /// charge the new content for the days left.
    func prorate(_ s: Subscription, to t: Target, on date: CivilDate, notices: [Quote.Notice]) throws -> ChangeResult {
        let drafting = Drafting(catalog: catalog, currency: s.currency)
        let calculator = PriceCalculator(catalog: catalog, customer: customer, currency: s.currency)
        let c = try content(s, t)
        let product = c.product
        var drafts: [LineDraft] = []
        var next = s
        next.plan = t.plan
        next.tier = t.tier
        next.seats = t.seats
        next.addOns = t.addOns.filter { $0.value > 0 }
        next.scheduledChange = nil
        let period = s.currentPeriod
        // The price is per cycle of the schedule: a whole cycle at its price, a part of one by
        // its days (a co-terminated period is shorter than a cycle, or longer with option (b)).
        func charge(from start: CivilDate) throws -> [LineDraft] {
            var out: [LineDraft] = []
            var from = start
            while from < period.end {
                let cycle = s.schedule.period(containing: from)
                let part = try Period(start: from, end: min(cycle.end, period.end))
                if part == cycle {
                    out += try drafting.lines(c, period: cycle, field: "subscription")
                } else {
                    var lines = try drafting.lines(c, period: cycle, days: part.days, field: "subscription")
                    for k in lines.indices { lines[k].period = part }
                    out += lines
                }
                from = part.end
            }
            return out
        }
        let fullNet = try Money.sum(try calculator.price(try charge(from: period.start)).map(\.net), currency: s.currency)
        if period.contains(date) && date != period.start {
            if let credit = try drafting.unusedCredit(s, product: product, from: date) { drafts.append(credit) }
            drafts += try charge(from: date)
        } else {
            // The change falls on the first day: it is simply the new content for the period.
            if let credit = try drafting.unusedCredit(s, product: product, from: period.start) { drafts.append(credit) }
            drafts += try charge(from: period.start)
        }
        next.paidForPeriod = fullNet
        return ChangeResult(subscriptions: [next], lines: try calculator.price(drafts), notices: notices)
    }

    /// A new full term from `date` (000's annual upgrade, any cycle change): the
    /// unused part of the old term is credited when `credit` is set.
    func startTerm(_ s: Subscription, target t: Target, on date: CivilDate, credit: Bool, notices: [Quote.Notice]) throws -> ChangeResult {
        let drafting = Drafting(catalog: catalog, currency: s.currency)
        let calculator = PriceCalculator(catalog: catalog, customer: customer, currency: s.currency)
        let c = try content(s, t)
        var drafts: [LineDraft] = []
        if credit, let line = try drafting.unusedCredit(s, product: c.product, from: date) { drafts.append(line) }
        var next = s
        next.plan = t.plan
        next.tier = t.tier
        next.seats = t.seats
        next.addOns = t.addOns.filter { $0.value > 0 }
        next.scheduledChange = nil
        next.schedule = BillingSchedule(anchor: date, cycle: t.cycle)
        next.currentPeriod = next.schedule.period(0)
        next.startedOn = date
        let charge = try drafting.lines(c, period: next.currentPeriod, field: "subscription")
        let lines = try calculator.price(drafts + charge)
        next.paidForPeriod = try Money.sum(lines.filter { $0.kind != .credit }.map(\.net), currency: s.currency)
        return ChangeResult(subscriptions: [next], lines: lines, notices: notices)
    }

    private func notLive(_ s: Subscription) -> RecurError {
        RecurError(.subscriptionNotLive, field: "subscription", "Subscription \(s.id) is \(s.status.rawValue); it cannot be changed",
                   ["status": .text(s.status.rawValue)])
    }
}

extension RecurError.Code {
    public static let subscriptionNotLive: Self = "subscription.not_live"
    public static let subscriptionNotTrialing: Self = "subscription.not_trialing"
    /// A change dated outside the subscription's current period (HTTP 422).
    public static let changeDateOutsidePeriod: Self = "change.date_outside_period"
}
