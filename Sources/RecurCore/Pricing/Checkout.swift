/// Prices an order against the catalog and the customer's current subscriptions
/// and usage, applying every catalog rule: seats, tiers, add-ons, dependencies
/// (automatic base, seat and cycle rules, co-termination, the expired base),
/// bundles, promotions, limits against usage, and tax.
///
/// For example:
/// ```swift
/// let quote = try Checkout(catalog: catalog, customer: customer)
///     .quote(Order(items: [.init(product: "workspace", plan: "ws_standard", cycle: .yearly, seats: 10)]),
///            on: try CivilDate(2024, 1, 10))
/// quote.totals.total   // what the first invoice comes to
/// ```
/// - throws: ``RecurErrors`` listing every problem of the order.
public struct Checkout: Sendable {
    public let catalog: Catalog
    public let customer: Customer
    /// The customer's subscriptions, any status.
    public let subscriptions: [Subscription]
    /// Current usage per product.
    public let usage: [ProductID: Usage]

    public init(catalog: Catalog, customer: Customer, subscriptions: [Subscription] = [], usage: [ProductID: Usage] = [:]) {
        self.catalog = catalog
        self.customer = customer
        self.subscriptions = subscriptions
        self.usage = usage
    }

    /// Why an item is in the order.
    enum Origin: Equatable {
        case ordered
        /// Added because a dependent product needs a base (001).
        case autoAddedBase
        /// The base expired less than a few days ago and is renewed in the order.
        case baseRenewal
        /// The base moves to the dependent's longer cycle in the same order.
        case baseCycleSwitch
    }

    struct Item {
        var field: String
        var origin: Origin
        var product: Product
        var plan: Plan
        var tier: String?
        var cycle: BillingCycle
        var seats: Int?
        var addOns: [(addOn: AddOn, quantity: Int, promotion: Promotion?)]
        var promotion: Promotion?
        var trial: Bool
        /// The existing subscription this item converts, replaces or renews.
        var existing: Subscription?
    }

    public func quote(_ order: Order, on date: CivilDate,
                      newID: (ProductID) -> SubscriptionID = { SubscriptionID("sub_new_\($0.rawValue)") }) throws -> Quote {
        guard !order.items.isEmpty else {
            throw RecurErrors([RecurError(.orderEmpty, field: "items", "The order has no items")])
        }
        let currency = order.currency ?? customer.currency
        var errors = ErrorCollector()
        var notices: [Quote.Notice] = []
        var items = resolve(order, currency: currency, on: date, errors: &errors)
        try errors.throwIfAny()

        applyDependencies(&items, on: date, notices: &notices, errors: &errors)
        let bundle = checkBundle(order, items: items, errors: &errors)
        for i in items.indices { checkSeatsAndUsage(&items[i], errors: &errors, notices: &notices) }
        for i in items.indices { checkExisting(items[i], inBundle: bundle != nil, errors: &errors) }
        let invoicePromotion: Promotion? = order.invoicePromotion.flatMap { code in
            errors.check {
                let p = try catalog.promotion(code, field: "invoicePromotion")
                try p.checkRedeemable(scope: .invoice, on: date, product: nil, plan: nil, addOn: nil, cycle: nil,
                                      currency: currency, firstPurchase: !customer.hasPurchased, field: "invoicePromotion")
                // An invoice promotion restricted to products, plans or cycles needs one ordered item that matches.
                let e = p.eligibility
                let matches = items.contains { item in
                    (e.products.isEmpty || e.products.contains(item.product.id)) && (e.plans.isEmpty || e.plans.contains(item.plan.id))
                        && (e.cycles.isEmpty || e.cycles.contains(item.cycle))
                }
                guard matches else {
                    throw RecurError(.promotionNotEligible, field: "invoicePromotion",
                                     "Promotion \(code) does not apply to any item of this order", ["code": .text(code.rawValue)])
                }
                return p
            }
        }
        try errors.throwIfAny()

        // Bases first: a dependent's period follows its base's.
        items.sort { a, b in
            let aDep = catalog.dependency(of: a.product.id) != nil, bDep = catalog.dependency(of: b.product.id) != nil
            return !aDep && bDep
        }
        let drafting = Drafting(catalog: catalog, currency: currency)
        let calculator = PriceCalculator(catalog: catalog, customer: customer, currency: currency)

        func build(_ choice: Order.CoTermination?) throws -> (lines: [InvoiceLine], subs: [Subscription], offer: Quote.CoTerminationOffer?) {
            var drafts: [LineDraft] = []
            var subs: [Subscription] = []
            var offer: Quote.CoTerminationOffer?
            var schedules: [ProductID: BillingSchedule] = [:]
            for item in items {
                let id = item.existing?.id ?? newID(item.product.id)
                let content = Drafting.Content(product: item.product, plan: item.plan, tier: item.tier, seats: item.seats ?? 1,
                                               addOns: item.addOns, cycle: item.cycle, promotion: item.promotion,
                                               bundle: bundle.flatMap { $0.products.contains(item.product.id) ? $0 : nil },
                                               subscription: id)
                var schedule: BillingSchedule
                var period: Period
                var itemDrafts: [LineDraft] = []
                var status = Subscription.Status.active
                var trialEnd: CivilDate?

                if item.origin == .baseRenewal, let old = item.existing {
                    schedule = BillingSchedule(anchor: old.schedule.anchor, cycle: item.cycle)
                    period = schedule.period(containing: old.currentPeriod.end)
                    itemDrafts = try drafting.lines(content, period: period, field: item.field)
                } else if item.trial {
                    trialEnd = date.adding(days: item.product.trialDays)
                    period = try Period(start: date, end: trialEnd!)
                    schedule = BillingSchedule(anchor: trialEnd!, cycle: item.cycle)
                    status = .trialing
                } else if let dep = catalog.dependency(of: item.product.id), dep.coTerminate,
                          let baseSchedule = schedules[dep.base] ?? liveSubscription(dep.base, on: date)?.schedule {
                    schedule = BillingSchedule(anchor: baseSchedule.anchor, cycle: item.cycle)
                    let current = schedule.period(containing: date)
                    if current.start == date {
                        period = current
                        itemDrafts = try drafting.lines(content, period: period, field: item.field)
                    } else {
                        let remaining = try Period(start: date, end: current.end)
                        itemDrafts = try drafting.lines(content, period: current, days: remaining.days, field: item.field)
                        for k in itemDrafts.indices { itemDrafts[k].period = remaining }
                        period = remaining
                        if remaining.days < dep.coTermChoiceDays {
                            let next = schedule.period(schedule.periodIndex(containing: date) + 1)
                            let chosen = choice ?? .remainingDays
                            offer = Quote.CoTerminationOffer(
                                product: item.product.id, remainingPeriod: remaining, nextPeriod: next, chosen: chosen,
                                choiceRequired: choice == nil, totalRemainingDays: .zero(currency),
                                totalRemainingDaysAndNextCycle: .zero(currency))
                            if chosen == .remainingDaysAndNextCycle {
                                itemDrafts += try drafting.lines(content, period: next, field: item.field)
                                period = try Period(start: date, end: next.end)
                            }
                        }
                    }
                } else {
                    schedule = BillingSchedule(anchor: date, cycle: item.cycle)
                    period = schedule.period(0)
                    itemDrafts = try drafting.lines(content, period: period, field: item.field)
                }
                schedules[item.product.id] = schedule

                if let old = item.existing, item.origin != .baseRenewal,
                   let credit = try drafting.unusedCredit(old, product: item.product, from: date) {
                    drafts.append(credit)
                }
                drafts += itemDrafts

                var discounts: [Subscription.Discount] = []
                let promoted = [(item.promotion, AddOnID?.none)] + item.addOns.map { ($0.promotion, Optional($0.addOn.id)) }
                for case let (p?, addOn) in promoted where p.duration.cyclesAfterFirst.map({ $0 > 0 }) ?? true {
                    discounts.append(.init(promotion: p.code, addOn: addOn, remainingCycles: p.duration.cyclesAfterFirst))
                }
                subs.append(Subscription(
                    id: id, customer: customer.id, product: item.product.id, plan: item.plan.id, tier: item.tier,
                    seats: item.seats ?? 1, addOns: Dictionary(item.addOns.map { ($0.addOn.id, $0.quantity) }, uniquingKeysWith: +),
                    currency: currency, schedule: schedule, currentPeriod: period, status: status, trialEnd: trialEnd,
                    renewalMode: order.renewalMode, discounts: discounts, bundle: content.bundle?.id,
                    paidForPeriod: .zero(currency), startedOn: date))
            }
            let lines = try calculator.price(drafts, invoicePromotion: invoicePromotion)
            for i in subs.indices {
                let own = lines.filter { $0.subscription == subs[i].id && $0.kind != .credit }
                subs[i].paidForPeriod = try Money.sum(own.map(\.net), currency: currency)
            }
            return (lines, subs, offer)
        }

        var (lines, subs, offer) = try build(order.coTermination)
        if var o = offer {
            let a = o.chosen == .remainingDays ? lines : try build(.remainingDays).lines
            let b = o.chosen == .remainingDaysAndNextCycle ? lines : try build(.remainingDaysAndNextCycle).lines
            o.totalRemainingDays = try Totals(lines: a, currency: currency).total
            o.totalRemainingDaysAndNextCycle = try Totals(lines: b, currency: currency).total
            offer = o
        }

        var recurring: [SubscriptionID: Money] = [:]
        for s in subs {
            let renewal = try Renewal(catalog: catalog, customer: customer).lines(for: s)
            recurring[s.id] = try Totals(lines: renewal, currency: currency).total
        }
        var redeemed = items.flatMap { [$0.promotion?.code] + $0.addOns.map { $0.promotion?.code } }.compactMap { $0 }
        if let p = invoicePromotion { redeemed.append(p.code) }
        return Quote(date: date, currency: currency, lines: lines, totals: try Totals(lines: lines, currency: currency),
                     subscriptions: subs, recurring: recurring, notices: notices, coTermination: offer,
                     redeemedPromotions: Array(Set(redeemed)).sorted())
    }

    // MARK: Steps

    /// The customer's live subscription to `product` whose period has not ended.
    func liveSubscription(_ product: ProductID, on date: CivilDate) -> Subscription? {
        subscriptions.first { $0.product == product && $0.isLive && $0.currentPeriod.end > date }
    }

    /// Every catalog reference, tier, cycle price, add-on and promotion of the order.
    func resolve(_ order: Order, currency: Currency, on date: CivilDate, errors: inout ErrorCollector) -> [Item] {
        var items: [Item] = []
        var seen = Set<ProductID>()
        for (i, o) in order.items.enumerated() {
            let f = "items[\(i)]"
            guard let product = errors.check({ try catalog.product(o.product, field: "\(f).product") }) else { continue }
            if !seen.insert(o.product).inserted {
                errors.add(RecurError(.orderDuplicateProduct, field: "\(f).product", "\(product.name) is ordered twice", ["product": .text(o.product.rawValue)]))
                continue
            }
            guard let plan = errors.check({ try catalog.plan(o.plan, field: "\(f).plan") }) else { continue }
            guard plan.product == product.id else {
                errors.add(RecurError(.planNotOfProduct, field: "\(f).plan", "Plan \(plan.name) is not a plan of \(product.name)",
                                      ["plan": .text(plan.id.rawValue), "product": .text(product.id.rawValue)]))
                continue
            }
            var tierValid = false
            if !plan.tiers.isEmpty && o.tier == nil {
                errors.add(RecurError(.planTierRequired, field: "\(f).tier",
                                      "Plan \(plan.name) is sold in tiers: \(plan.tiers.map(\.id).joined(separator: ", "))"))
            } else if let t = o.tier, plan.tier(t) == nil {
                errors.add(RecurError(.planTierUnknown, field: "\(f).tier", "Plan \(plan.name) has no tier \(t)", ["tier": .text(t)]))
            } else {
                tierValid = true
            }
            if let s = o.seats, s < 0 {
                errors.add(RecurError(.seatsInvalid, field: "\(f).seats", "Seats cannot be negative (\(s))", ["seats": .int(Int64(s))]))
            }
            // A missing or unknown tier has no price either: report the tier alone.
            if tierValid {
                errors.check { _ = try catalog.price(of: plan, cycle: o.cycle, currency: currency, tier: o.tier, field: "\(f).cycle") }
            }
            if o.trial && product.trialDays == 0 {
                errors.add(RecurError(.trialUnavailable, field: "\(f).trial", "\(product.name) has no trial"))
            } else if o.trial && subscriptions.contains(where: { $0.product == product.id }) {
                errors.add(RecurError(.trialUnavailable, field: "\(f).trial", "The trial of \(product.name) has already been used"))
            }
            let promotion = o.promotion.flatMap { code in
                errors.check {
                    let p = try catalog.promotion(code, field: "\(f).promotion")
                    try p.checkRedeemable(scope: .plan, on: date, product: product.id, plan: plan.id, addOn: nil, cycle: o.cycle,
                                          currency: currency, firstPurchase: !customer.hasPurchased, field: "\(f).promotion")
                    return p
                }
            }
            var addOns: [(addOn: AddOn, quantity: Int, promotion: Promotion?)] = []
            for (k, line) in o.addOns.enumerated() {
                let af = "\(f).addOns[\(k)]"
                guard let addOn = errors.check({ try catalog.addOn(line.addOn, field: "\(af).addOn") }) else { continue }
                if !addOn.products.isEmpty && !addOn.products.contains(product.id) {
                    errors.add(RecurError(.addOnNotForProduct, field: "\(af).addOn", "\(addOn.name) cannot be added to \(product.name)"))
                    continue
                }
                if line.quantity < 1 || (addOn.maximumQuantity.map { line.quantity > $0 } ?? false) {
                    errors.add(RecurError(.addOnQuantityInvalid, field: "\(af).quantity",
                                          "Quantity of \(addOn.name) must be 1 to \(addOn.maximumQuantity.map(String.init) ?? "any number"), not \(line.quantity)",
                                          ["quantity": .int(Int64(line.quantity)), "maximum": .int(Int64(addOn.maximumQuantity ?? -1))]))
                    continue
                }
                errors.check { _ = try catalog.price(of: addOn, cycle: o.cycle, currency: currency, field: "\(af).addOn") }
                let promo = line.promotion.flatMap { code in
                    errors.check {
                        let p = try catalog.promotion(code, field: "\(af).promotion")
                        try p.checkRedeemable(scope: .addOn, on: date, product: product.id, plan: plan.id, addOn: addOn.id, cycle: o.cycle,
                                              currency: currency, firstPurchase: !customer.hasPurchased, field: "\(af).promotion")
                        return p
                    }
                }
                addOns.append((addOn, line.quantity, promo))
            }
            items.append(Item(field: f, origin: .ordered, product: product, plan: plan, tier: o.tier, cycle: o.cycle,
                              seats: plan.isPerSeat ? o.seats : 1, addOns: addOns, promotion: promotion, trial: o.trial,
                              existing: subscriptions.first { $0.product == product.id && $0.isLive }))
        }
        return items
    }

    /// 001's dependency rules, each a property of the catalog's ``Dependency``.
    func applyDependencies(_ items: inout [Item], on date: CivilDate, notices: inout [Quote.Notice], errors: inout ErrorCollector) {
        // Dependents that may add the base or move its cycle go first, so the others are
        // checked against the base as the order leaves it, whatever the order of the items.
        func changesBase(_ item: Item) -> Bool {
            catalog.dependency(of: item.product.id).map { $0.autoAddBasePlan != nil || $0.cycleConflict == .switchBase } ?? false
        }
        let sequence = items.indices.sorted { (changesBase(items[$0]) ? 0 : 1, $0) < (changesBase(items[$1]) ? 0 : 1, $1) }
        for i in sequence {
            guard items[i].origin == .ordered, let dep = catalog.dependency(of: items[i].product.id),
                  let minimum = catalog.plans[dep.minimumBasePlan] else { continue }
            let f = items[i].field
            let name = items[i].product.name
            let baseName = catalog.products[dep.base]?.name ?? dep.base.rawValue

            var baseIndex = items.firstIndex { $0.product.id == dep.base }
            if baseIndex == nil {
                if let live = liveSubscription(dep.base, on: date) {
                    // The base is in use: compare with it, and switch its cycle in this order if the rule says so.
                    if items[i].cycle > live.cycle {
                        if dep.cycleConflict == .switchBase, let plan = catalog.plans[live.plan], let product = catalog.products[dep.base] {
                            items.append(Item(field: f, origin: .baseCycleSwitch, product: product, plan: plan, tier: live.tier,
                                              cycle: items[i].cycle, seats: live.seats, addOns: existingAddOns(live), promotion: nil,
                                              trial: false, existing: live))
                            baseIndex = items.count - 1
                            notices.append(.init(code: "dependency.base_cycle_switched",
                                                 message: "\(baseName) moves from \(live.cycle.adjective) to \(items[i].cycle.adjective) billing in this order"))
                        } else {
                            errors.add(cycleError(f, name, items[i].cycle, baseName, live.cycle))
                            continue
                        }
                    } else {
                        checkBase(plan: catalog.plans[live.plan], seats: live.seats, minimum: minimum, dep: dep, item: &items[i],
                                  name: name, baseName: baseName, errors: &errors)
                        continue
                    }
                } else if let lapsed = subscriptions.filter({ $0.product == dep.base }).max(by: { $0.currentPeriod.end < $1.currentPeriod.end }),
                          lapsed.currentPeriod.end <= date, lapsed.currentPeriod.end.days(until: date) < dep.expiredBaseRenewalDays,
                          let plan = catalog.plans[lapsed.plan], let product = catalog.products[dep.base] {
                    items.append(Item(field: f, origin: .baseRenewal, product: product, plan: plan, tier: lapsed.tier,
                                      cycle: lapsed.cycle, seats: lapsed.seats, addOns: existingAddOns(lapsed), promotion: nil,
                                      trial: false, existing: lapsed))
                    baseIndex = items.count - 1
                    notices.append(.init(code: "dependency.base_renewal_added",
                                         message: "\(baseName) expired on \(lapsed.currentPeriod.inclusiveEnd); its renewal is added to this order"))
                } else if let auto = dep.autoAddBasePlan.flatMap({ catalog.plans[$0] }), let product = catalog.products[dep.base] {
                    let seats = auto.isPerSeat ? max(items[i].seats ?? auto.minimumSeats, auto.minimumSeats) : 1
                    items.append(Item(field: f, origin: .autoAddedBase, product: product, plan: auto, tier: nil, cycle: items[i].cycle,
                                      seats: seats, addOns: [], promotion: nil, trial: false, existing: nil))
                    baseIndex = items.count - 1
                    notices.append(.init(code: "dependency.base_added", message: "\(baseName) \(auto.name) is added: \(name) needs it"))
                } else {
                    errors.add(RecurError(.dependencyBaseRequired, field: "\(f).product", "\(name) needs \(baseName) \(minimum.name) or higher",
                                          ["product": .text(items[i].product.id.rawValue), "base": .text(dep.base.rawValue)]))
                    continue
                }
            }
            guard let b = baseIndex else { continue }
            if items[i].cycle > items[b].cycle {
                if dep.cycleConflict == .switchBase {
                    notices.append(.init(code: "dependency.base_cycle_switched",
                                         message: "\(baseName) moves from \(items[b].cycle.adjective) to \(items[i].cycle.adjective) billing in this order"))
                    items[b].cycle = items[i].cycle
                } else {
                    errors.add(cycleError(f, name, items[i].cycle, baseName, items[b].cycle))
                }
            }
            let base = items[b]
            checkBase(plan: base.plan, seats: base.seats, minimum: minimum, dep: dep, item: &items[i], name: name, baseName: baseName, errors: &errors)
        }
    }

    private func existingAddOns(_ s: Subscription) -> [(addOn: AddOn, quantity: Int, promotion: Promotion?)] {
        s.addOns.sorted { $0.key < $1.key }.compactMap { id, q in catalog.addOns[id].map { ($0, q, nil) } }
    }

    private func cycleError(_ f: String, _ name: String, _ cycle: BillingCycle, _ baseName: String, _ baseCycle: BillingCycle) -> RecurError {
        RecurError(.dependencyCycleExceedsBase, field: "\(f).cycle",
                   "\(name) cannot be billed every \(cycle) while \(baseName) is billed every \(baseCycle)",
                   ["cycleMonths": .int(Int64(cycle.months)), "baseCycleMonths": .int(Int64(baseCycle.months))])
    }

    private func checkBase(plan: Plan?, seats baseSeats: Int?, minimum: Plan, dep: Dependency, item: inout Item,
                           name: String, baseName: String, errors: inout ErrorCollector) {
        if let plan, plan.rank < minimum.rank {
            errors.add(RecurError(.dependencyBasePlanTooLow, field: "\(item.field).product",
                                  "\(name) needs \(baseName) \(minimum.name) or higher; the base is on \(plan.name)",
                                  ["basePlan": .text(plan.id.rawValue), "minimumPlan": .text(minimum.id.rawValue)]))
        }
        guard item.plan.isPerSeat, let baseSeats else { return }
        switch dep.seatRule {
        case .equal:
            if item.seats == nil { item.seats = baseSeats }
            if let s = item.seats, s != baseSeats {
                errors.add(RecurError(.dependencySeatsMustEqualBase, field: "\(item.field).seats",
                                      "\(name) seats \(s) must equal \(baseName) seats \(baseSeats)",
                                      ["seats": .int(Int64(s)), "baseSeats": .int(Int64(baseSeats))]))
            }
        case .atMost:
            if let s = item.seats, s > baseSeats {
                errors.add(RecurError(.dependencySeatsExceedBase, field: "\(item.field).seats",
                                      "\(name) seats \(s) exceed \(baseName) seats \(baseSeats)",
                                      ["seats": .int(Int64(s)), "baseSeats": .int(Int64(baseSeats))]))
            }
        case .independent: break
        }
    }

    /// 001's bundle: every product of the bundle, an allowed cycle, no plan below one in use.
    func checkBundle(_ order: Order, items: [Item], errors: inout ErrorCollector) -> ProductBundle? {
        guard let id = order.bundle else { return nil }
        guard let bundle = catalog.bundles.first(where: { $0.id == id }) else {
            errors.add(RecurError(.bundleUnknown, field: "bundle", "Unknown bundle \(id)", ["bundle": .text(id.rawValue)]))
            return nil
        }
        let ordered = Set(items.filter { $0.origin == .ordered }.map(\.product.id))
        let missing = bundle.products.subtracting(ordered)
        if !missing.isEmpty {
            errors.add(RecurError(.bundleIncomplete, field: "items",
                                  "Bundle \(bundle.name) needs \(missing.sorted().map { catalog.products[$0]?.name ?? $0.rawValue }.joined(separator: ", "))",
                                  ["missing": .text(missing.sorted().map(\.rawValue).joined(separator: ","))]))
        }
        for item in items where bundle.products.contains(item.product.id) {
            if !bundle.allowedCycles.contains(item.cycle) {
                errors.add(RecurError(.bundleCycleNotAllowed, field: "\(item.field).cycle",
                                      "Bundle \(bundle.name) is sold only every \(bundle.allowedCycles.sorted().map(\.description).joined(separator: " or ")), not every \(item.cycle)",
                                      ["cycleMonths": .int(Int64(item.cycle.months))]))
            }
            if let current = item.existing, let plan = catalog.plans[current.plan], item.plan.rank < plan.rank {
                errors.add(RecurError(.bundlePlanBelowCurrent, field: "\(item.field).plan",
                                      "\(item.product.name) \(item.plan.name) is below \(plan.name), the plan in use",
                                      ["plan": .text(item.plan.id.rawValue), "currentPlan": .text(plan.id.rawValue)]))
            }
        }
        return missing.isEmpty ? bundle : nil
    }

    /// Seat bounds, trial conversion, and the plan's limits against current usage.
    func checkSeatsAndUsage(_ item: inout Item, errors: inout ErrorCollector, notices: inout [Quote.Notice]) {
        let f = item.field, plan = item.plan
        if plan.isPerSeat {
            guard let seats = item.seats else {
                errors.add(RecurError(.seatsRequired, field: "\(f).seats", "\(item.product.name) \(plan.name) is priced per seat: give the number of seats"))
                return
            }
            for e in plan.seatErrors(seats, product: item.product, field: "\(f).seats") { errors.add(e) }
        }
        let usage = self.usage[item.product.id] ?? Usage()
        if let existing = item.existing, existing.status == .trialing, plan.isPerSeat, let seats = item.seats, Int64(seats) < usage[.users] {
            errors.add(RecurError(.trialSeatsBelowActivatedUsers, field: "\(f).seats",
                                  "\(seats) seats are fewer than the \(usage[.users]) users activated during the trial",
                                  ["seats": .int(Int64(seats)), "activatedUsers": .int(usage[.users])]))
        }
        let limits = Entitlements.limits(plan: plan, tier: item.tier, seats: item.seats ?? 1,
                                         addOns: item.addOns.map { ($0.addOn, $0.quantity) })
        for violation in Entitlements.violations(of: limits, by: usage, plan: plan) {
            if violation.soft {
                notices.append(violation.readOnlyNotice(plan: plan))
            } else if item.existing?.status != .trialing || violation.quota != .users {
                errors.add(violation.error(product: item.product, plan: plan, field: "\(f).plan"))
            }
        }
    }

    /// A paid subscription in use is changed, not bought again (except inside a bundle).
    func checkExisting(_ item: Item, inBundle: Bool, errors: inout ErrorCollector) {
        guard item.origin == .ordered, let s = item.existing, s.status != .trialing,
              let current = catalog.plans[s.plan], !current.isFree, !inBundle else { return }
        errors.add(RecurError(.subscriptionAlreadyActive, field: "\(item.field).product",
                              "\(item.product.name) is already on \(current.name) until \(s.currentPeriod.inclusiveEnd); change that subscription instead",
                              ["subscription": .text(s.id.rawValue)]))
    }
}
