/// Drafts the lines of one subscription's plan and add-ons for a period: the one
/// place where a plan, its seats and add-ons become priced lines, used by
/// checkout, changes and renewals alike.
struct Drafting {
    let catalog: Catalog
    let currency: Currency

    /// What a plan with its seats and add-ons is for one period.
    struct Content {
        var product: Product
        var plan: Plan
        var tier: String?
        var seats: Int
        var addOns: [(addOn: AddOn, quantity: Int, promotion: Promotion?)]
        var cycle: BillingCycle
        var promotion: Promotion?
        var bundle: ProductBundle?
        var subscription: SubscriptionID?
    }

    /// Lines for `content` over `period`, charging `days` of it (all of it when nil).
    func lines(_ c: Content, period: Period, days: Int? = nil, field: String) throws -> [LineDraft] {
        if c.plan.isFree || c.plan.isInArrears { return try addOnLines(c, period: period, days: days, field: field) }
        let price = try catalog.price(of: c.plan, cycle: c.cycle, currency: currency, tier: c.tier, field: "\(field).cycle")
        let qty = Int64(c.plan.isPerSeat ? c.seats : 1)
        var out = [try draft(.plan, name: planName(c), c: c, plan: c.plan.id, addOn: nil, price: price, quantity: qty,
                             period: period, days: days, promotion: c.promotion)]
        out += try addOnLines(c, period: period, days: days, field: field)
        return out
    }

    private func addOnLines(_ c: Content, period: Period, days: Int?, field: String) throws -> [LineDraft] {
        try c.addOns.enumerated().map { i, a in
            let price = try catalog.price(of: a.addOn, cycle: c.cycle, currency: currency, field: "\(field).addOns[\(i)]")
            return try draft(.addOn, name: a.addOn.name, c: c, plan: nil, addOn: a.addOn.id, price: price,
                             quantity: Int64(a.quantity), period: period, days: days, promotion: a.promotion)
        }
    }

    private func draft(_ kind: InvoiceLine.Kind, name: String, c: Content, plan: PlanID?, addOn: AddOnID?, price: ResolvedPrice,
                       quantity: Int64, period: Period, days: Int?, promotion: Promotion?) throws -> LineDraft {
        let full = try price.unitAmount * quantity
        let gross = try days.map { try Proration.charge(full, days: $0, of: period) } ?? full
        return LineDraft(kind: kind, description: name, product: c.product.id, plan: plan, addOn: addOn,
                         subscription: c.subscription, period: period, quantity: quantity, unitAmount: price.unitAmount,
                         amount: gross, cycleDiscount: price.cycleDiscount, bundle: c.bundle, promotion: promotion,
                         taxCategory: c.product.taxCategory)
    }

    func planName(_ c: Content) -> String {
        let tier = c.plan.tier(c.tier).map { " \($0.name)" } ?? ""
        return "\(c.product.name) \(c.plan.name)\(tier)"
    }

    /// A credit returning the unused part of what was paid for a subscription's
    /// current period, from `date` on; nil when nothing is to be returned.
    func unusedCredit(_ s: Subscription, product: Product, from date: CivilDate) throws -> LineDraft? {
        guard s.currentPeriod.contains(date) else { return nil }
        let credit = try Proration.credit(for: s.paidForPeriod, period: s.currentPeriod, unusedFrom: date)
        guard credit.isPositive else { return nil }
        let unused = try Period(start: date, end: s.currentPeriod.end)
        let negative = try credit.negated()
        return LineDraft(kind: .credit, description: "Unused time on \(product.name) (\(unused.days) of \(s.currentPeriod.days) days)",
                         product: s.product, plan: s.plan, subscription: s.id, period: unused, quantity: 1,
                         unitAmount: negative, amount: negative, taxCategory: product.taxCategory)
    }

    /// The content of an existing subscription as it renews: its scheduled change
    /// applied, and the promotions that still have cycles left.
    func renewalContent(of s: Subscription) throws -> Content {
        let change = s.scheduledChange
        let plan = try catalog.plan(change?.plan ?? s.plan, field: "plan")
        let product = try catalog.product(s.product, field: "product")
        let addOnCounts = change?.addOns ?? s.addOns
        func promo(_ addOn: AddOnID?) -> Promotion? {
            s.discounts.first { $0.addOn == addOn && ($0.remainingCycles ?? 1) > 0 }.flatMap { catalog.promotions[$0.promotion] }
        }
        let addOns = try addOnCounts.sorted { $0.key < $1.key }.filter { $0.value > 0 }.map {
            (addOn: try catalog.addOn($0.key, field: "addOns"), quantity: $0.value, promotion: promo($0.key))
        }
        return Content(product: product, plan: plan, tier: change.map { $0.tier } ?? s.tier, seats: change?.seats ?? s.seats,
                       addOns: addOns, cycle: change?.cycle ?? s.cycle, promotion: promo(nil),
                       bundle: s.bundle.flatMap { id in catalog.bundles.first { $0.id == id } }, subscription: s.id)
    }
}
