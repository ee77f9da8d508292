/// Everything a vendor sells and on what terms: products, plans and prices,
/// add-ons, dependencies, bundles, cycle discounts, promotions and tax rates.
///
/// A catalog is validated when it is built: ``init(products:plans:addOns:dependencies:bundles:cycleDiscounts:promotions:taxRates:)``
/// checks every reference and every number and throws ``RecurErrors`` listing
/// every problem at once, so a vendor fixes its catalog in one pass.
public struct Catalog: Sendable, Codable {
    public let products: [ProductID: Product]
    public let plans: [PlanID: Plan]
    public let addOns: [AddOnID: AddOn]
    public let dependencies: [Dependency]
    public let bundles: [ProductBundle]
    /// Discounts for cycles whose price is derived from the monthly one (001: 20 % yearly).
    public let cycleDiscounts: [BillingCycle: Percentage]
    public let promotions: [PromotionCode: Promotion]
    public let taxRates: [TaxRate]
    /// One-off purchases: prepaid credit, an event (see ``Charge``).
    public let charges: [ChargeID: Charge]

    /// - throws: ``RecurErrors`` with every problem found (`catalog.*` codes).
    public init(products: [Product], plans: [Plan], addOns: [AddOn] = [], dependencies: [Dependency] = [],
                bundles: [ProductBundle] = [], cycleDiscounts: [BillingCycle: Percentage] = [:],
                promotions: [Promotion] = [], taxRates: [TaxRate] = [], charges: [Charge] = []) throws {
        var errors = ErrorCollector()
        func unique<T, ID: Hashable>(_ items: [T], _ id: (T) -> ID, _ kind: String) -> [ID: T] {
            var out: [ID: T] = [:]
            for (i, item) in items.enumerated() {
                let key = id(item)
                if out[key] != nil {
                    errors.add(RecurError(.catalogDuplicateID, field: "\(kind)[\(i)].id", "Duplicate \(kind) id \(key)", ["id": .text("\(key)")]))
                } else {
                    out[key] = item
                }
            }
            return out
        }
        let products = unique(products, \.id, "products")
        let plans = unique(plans, \.id, "plans")
        let addOns = unique(addOns, \.id, "addOns")
        let promotions = unique(promotions, \.code, "promotions")
        let bundlesByID = unique(bundles, \.id, "bundles")
        let charges = unique(charges, \.id, "charges")
        for (key, c) in charges.sorted(by: { $0.key < $1.key }) {
            for e in c.problems(field: "charges.\(key)") { errors.add(e) }
        }
        _ = bundlesByID

        func missing(_ field: String, _ kind: String, _ id: String) {
            errors.add(RecurError(.catalogUnknownReference, field: field, "Unknown \(kind) \(id)", ["id": .text(id)]))
        }

        for (key, product) in products.sorted(by: { $0.key < $1.key }) {
            let f = "products.\(key)"
            if product.trialDays < 0 {
                errors.add(RecurError(.catalogInvalid, field: "\(f).trialDays", "Trial length cannot be negative (\(product.trialDays))",
                                      ["trialDays": .int(Int64(product.trialDays))]))
            }
            if case .downgrade(let planID) = product.trialEnd {
                if let plan = plans[planID] {
                    if plan.product != key || !plan.isFree {
                        errors.add(RecurError(.catalogInvalid, field: "\(f).trialEnd",
                                              "After a trial \(product.name) falls to \(planID), which must be a free plan of the same product",
                                              ["plan": .text(planID.rawValue)]))
                    }
                } else { missing("\(f).trialEnd", "plan", planID.rawValue) }
            }
        }

        for (key, plan) in plans.sorted(by: { $0.key < $1.key }) {
            let f = "plans.\(key)"
            if products[plan.product] == nil { missing("\(f).product", "product", plan.product.rawValue) }
            if case .perSeat(let minimum, let maximum) = plan.pricing {
                if minimum < 1 || (maximum.map { $0 < minimum } ?? false) {
                    errors.add(RecurError(.catalogInvalidSeats, field: "\(f).pricing",
                                          "Seat range \(minimum)...\(maximum.map(String.init) ?? "∞") of \(plan.name) is empty or below 1",
                                          ["minimum": .int(Int64(minimum)), "maximum": .int(Int64(maximum ?? -1))]))
                }
            }
            if plan.isInArrears && !plan.isPerSeat {
                errors.add(RecurError(.catalogInvalid, field: "\(f).timing", "A plan billed in arrears by users must be priced per seat"))
            }
            if !plan.isFree && plan.prices.isEmpty {
                errors.add(RecurError(.catalogMissingPrice, field: "\(f).prices", "Paid plan \(plan.name) has no price"))
            }
            if plan.isFree && plan.prices.contains(where: { !$0.amount.isZero }) {
                errors.add(RecurError(.catalogInvalidPrice, field: "\(f).prices", "Free plan \(plan.name) has a non-zero price"))
            }
            let tierIDs = Set(plan.tiers.map(\.id))
            if tierIDs.count != plan.tiers.count {
                errors.add(RecurError(.catalogDuplicateID, field: "\(f).tiers", "Duplicate tier id in \(plan.name)"))
            }
            checkPrices(plan.prices, field: "\(f).prices", tiers: tierIDs, owner: plan.name, into: &errors)
        }

        for (key, addOn) in addOns.sorted(by: { $0.key < $1.key }) {
            let f = "addOns.\(key)"
            if addOn.prices.isEmpty {
                errors.add(RecurError(.catalogMissingPrice, field: "\(f).prices", "Add-on \(addOn.name) has no price"))
            }
            checkPrices(addOn.prices, field: "\(f).prices", tiers: [], owner: addOn.name, into: &errors)
            for p in addOn.products.sorted() where products[p] == nil { missing("\(f).products", "product", p.rawValue) }
            for (q, n) in addOn.grants where n < 0 {
                errors.add(RecurError(.catalogInvalid, field: "\(f).grants.\(q)", "Add-on \(addOn.name) grants a negative \(q) (\(n))", ["grant": .int(n)]))
            }
            if let m = addOn.maximumQuantity, m < 1 {
                errors.add(RecurError(.catalogInvalid, field: "\(f).maximumQuantity", "Maximum quantity of \(addOn.name) must be at least 1", ["maximum": .int(Int64(m))]))
            }
        }

        for (i, d) in dependencies.enumerated() {
            let f = "dependencies[\(i)]"
            if products[d.dependent] == nil { missing("\(f).dependent", "product", d.dependent.rawValue) }
            if products[d.base] == nil { missing("\(f).base", "product", d.base.rawValue) }
            if d.dependent == d.base {
                errors.add(RecurError(.catalogInvalid, field: f, "Product \(d.base) cannot depend on itself"))
            }
            for (name, planID) in [("minimumBasePlan", d.minimumBasePlan), ("autoAddBasePlan", d.autoAddBasePlan)] {
                guard let planID else { continue }
                guard let plan = plans[planID] else { missing("\(f).\(name)", "plan", planID.rawValue); continue }
                if plan.product != d.base {
                    errors.add(RecurError(.catalogInvalid, field: "\(f).\(name)", "Plan \(planID) is not a plan of base product \(d.base)"))
                }
            }
            if let auto = d.autoAddBasePlan.flatMap({ plans[$0] }), let min = plans[d.minimumBasePlan], auto.rank < min.rank {
                errors.add(RecurError(.catalogInvalid, field: "\(f).autoAddBasePlan", "The automatically added plan \(auto.id) is below the minimum base plan \(min.id)"))
            }
            if d.coTermChoiceDays < 0 || d.expiredBaseRenewalDays < 0 {
                errors.add(RecurError(.catalogInvalid, field: f, "Day thresholds of a dependency cannot be negative"))
            }
        }
        if Set(dependencies.map(\.dependent)).count != dependencies.count {
            errors.add(RecurError(.catalogInvalid, field: "dependencies", "A product may depend on one base only"))
        }

        for (i, b) in bundles.enumerated() {
            let f = "bundles[\(i)]"
            if b.products.count < 2 {
                errors.add(RecurError(.catalogInvalid, field: "\(f).products", "Bundle \(b.name) needs at least two products"))
            }
            for p in b.products.sorted() where products[p] == nil { missing("\(f).products", "product", p.rawValue) }
            checkDiscount(b.discount, field: "\(f).discount", into: &errors)
            if b.allowedCycles.isEmpty {
                errors.add(RecurError(.catalogInvalid, field: "\(f).allowedCycles", "Bundle \(b.name) allows no cycle"))
            }
        }

        for (cycle, pct) in cycleDiscounts.sorted(by: { $0.key < $1.key }) {
            checkDiscount(pct, field: "cycleDiscounts.\(cycle.months)", into: &errors)
        }

        for (key, promo) in promotions.sorted(by: { $0.key < $1.key }) {
            let f = "promotions.\(key)"
            switch promo.discount {
            case .percent(let p): checkDiscount(p, field: "\(f).discount", into: &errors)
            case .fixed(let m) where !m.isPositive:
                errors.add(RecurError(.catalogInvalidPrice, field: "\(f).discount", "A fixed discount must be positive, not \(m)", ["amount": .money(m)]))
            case .fixed: break
            }
            if let a = promo.validFrom, let b = promo.validThrough, b < a {
                errors.add(RecurError(.catalogInvalid, field: "\(f).validThrough", "Promotion \(key) ends (\(b)) before it starts (\(a))"))
            }
            if let l = promo.redemptionLimit, l < 1 {
                errors.add(RecurError(.catalogInvalid, field: "\(f).redemptionLimit", "A redemption limit must be at least 1", ["limit": .int(Int64(l))]))
            }
            if case .cycles(let n) = promo.duration, n < 1 {
                errors.add(RecurError(.catalogInvalid, field: "\(f).duration", "A promotion lasts at least one cycle", ["cycles": .int(Int64(n))]))
            }
            for p in promo.eligibility.products.sorted() where products[p] == nil { missing("\(f).eligibility.products", "product", p.rawValue) }
            for p in promo.eligibility.plans.sorted() where plans[p] == nil { missing("\(f).eligibility.plans", "plan", p.rawValue) }
            for a in promo.eligibility.addOns.sorted() where addOns[a] == nil { missing("\(f).eligibility.addOns", "add-on", a.rawValue) }
        }

        var taxKeys = Set<String>()
        for (i, t) in taxRates.enumerated() {
            let f = "taxRates[\(i)]"
            if t.country.count != 2 || !t.country.allSatisfy({ $0.isASCII && $0.isLetter }) {
                errors.add(RecurError(.catalogInvalid, field: "\(f).country", "'\(t.country)' is not an ISO 3166 country code"))
            }
            if t.rate.basisPoints < 0 || t.rate.basisPoints > 10_000 {
                errors.add(RecurError(.catalogInvalidPercentage, field: "\(f).rate", "Tax rate \(t.rate) is outside 0–100 %", ["basisPoints": .int(t.rate.basisPoints)]))
            }
            if !taxKeys.insert("\(t.country)/\(t.category)").inserted {
                errors.add(RecurError(.catalogDuplicateID, field: f, "Two tax rates for \(t.country) / \(t.category)"))
            }
        }

        try errors.throwIfAny()
        self.products = products
        self.plans = plans
        self.addOns = addOns
        self.dependencies = dependencies
        self.bundles = bundles
        self.cycleDiscounts = cycleDiscounts
        self.promotions = promotions
        self.taxRates = taxRates
        self.charges = charges
    }

    // MARK: Look-ups

    public func product(_ id: ProductID, field: String) throws -> Product {
        guard let p = products[id] else {
            throw RecurError(.productUnknown, field: field, "Unknown product \(id)", ["product": .text(id.rawValue)])
        }
        return p
    }

    public func plan(_ id: PlanID, field: String) throws -> Plan {
        guard let p = plans[id] else {
            throw RecurError(.planUnknown, field: field, "Unknown plan \(id)", ["plan": .text(id.rawValue)])
        }
        return p
    }

    public func addOn(_ id: AddOnID, field: String) throws -> AddOn {
        guard let a = addOns[id] else {
            throw RecurError(.addOnUnknown, field: field, "Unknown add-on \(id)", ["addOn": .text(id.rawValue)])
        }
        return a
    }

    public func promotion(_ code: PromotionCode, field: String) throws -> Promotion {
        guard let p = promotions[code] else {
            throw RecurError(.promotionUnknown, field: field, "Unknown promotion code \(code)", ["code": .text(code.rawValue)])
        }
        return p
    }

    /// The plans of `product`, lowest rank first.
    public func plans(of product: ProductID) -> [Plan] {
        plans.values.filter { $0.product == product }.sorted { ($0.rank, $0.id) < ($1.rank, $1.id) }
    }

    /// The dependency that `product` has on a base, if any.
    public func dependency(of product: ProductID) -> Dependency? {
        dependencies.first { $0.dependent == product }
    }

    /// The tax rate for a customer in `country` buying something of `category`.
    public func taxRate(country: String?, category: TaxCategory) -> TaxRate? {
        guard let country = country?.uppercased() else { return nil }
        return taxRates.first { $0.country == country && $0.category == category }
    }

    /// The price of `plan` for a cycle and currency, derived from the monthly price
    /// with the catalog's cycle discount when there is no explicit one.
    public func price(of plan: Plan, cycle: BillingCycle, currency: Currency, tier: String?, field: String) throws -> ResolvedPrice {
        if plan.isFree { return ResolvedPrice(unitAmount: .zero(currency), cycleDiscount: .zero, derived: false) }
        return try plan.prices.resolve(cycle: cycle, currency: currency, tier: tier, cycleDiscounts: cycleDiscounts,
                                       owner: "Plan \(plan.name)", field: field)
    }

    public func price(of addOn: AddOn, cycle: BillingCycle, currency: Currency, field: String) throws -> ResolvedPrice {
        try addOn.prices.resolve(cycle: cycle, currency: currency, tier: nil, cycleDiscounts: cycleDiscounts,
                                 owner: "Add-on \(addOn.name)", field: field)
    }
}

private func checkPrices(_ prices: [Price], field: String, tiers: Set<String>, owner: String, into errors: inout ErrorCollector) {
    var seen = Set<String>()
    for (i, p) in prices.enumerated() {
        if p.amount.isNegative {
            errors.add(RecurError(.catalogInvalidPrice, field: "\(field)[\(i)]", "\(owner) has a negative price \(p.amount)", ["amount": .money(p.amount)]))
        }
        if !tiers.isEmpty && p.tier == nil {
            errors.add(RecurError(.catalogInvalidPrice, field: "\(field)[\(i)].tier", "\(owner) is sold in tiers; every price needs one"))
        }
        if let t = p.tier, !tiers.contains(t) {
            errors.add(RecurError(.catalogUnknownReference, field: "\(field)[\(i)].tier", "\(owner) has no tier \(t)", ["id": .text(t)]))
        }
        if !seen.insert("\(p.cycle.months)/\(p.amount.currency.code)/\(p.tier ?? "")").inserted {
            errors.add(RecurError(.catalogDuplicateID, field: "\(field)[\(i)]",
                                  "\(owner) has two prices for a \(p.cycle) cycle in \(p.amount.currency.code)"))
        }
    }
}

private func checkDiscount(_ p: Percentage, field: String, into errors: inout ErrorCollector) {
    if p.basisPoints < 0 || p.basisPoints > 10_000 {
        errors.add(RecurError(.catalogInvalidPercentage, field: field, "Discount \(p) is outside 0–100 %", ["basisPoints": .int(p.basisPoints)]))
    }
}

extension RecurError.Code {
    public static let catalogInvalid: Self = "catalog.invalid"
    public static let catalogDuplicateID: Self = "catalog.duplicate_id"
    public static let catalogUnknownReference: Self = "catalog.unknown_reference"
    public static let catalogInvalidSeats: Self = "catalog.invalid_seats"
    public static let catalogMissingPrice: Self = "catalog.missing_price"
    public static let catalogInvalidPrice: Self = "catalog.invalid_price"
    public static let catalogInvalidPercentage: Self = "catalog.invalid_percentage"
    public static let productUnknown: Self = "product.unknown"
    public static let planUnknown: Self = "plan.unknown"
    public static let addOnUnknown: Self = "add_on.unknown"
}
