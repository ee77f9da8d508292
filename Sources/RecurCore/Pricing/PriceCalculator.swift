/// A line before pricing: what is bought, for which period, at what gross amount,
/// and which discounts may apply to it.
public struct LineDraft: Hashable, Sendable {
    public var kind: InvoiceLine.Kind
    public var description: String
    public var product: ProductID?
    public var plan: PlanID?
    public var addOn: AddOnID?
    public var subscription: SubscriptionID?
    public var period: Period?
    public var quantity: Int64
    public var unitAmount: Money
    /// Gross amount (negative for a credit).
    public var amount: Money
    public var cycleDiscount: Percentage
    public var bundle: ProductBundle?
    public var promotion: Promotion?
    public var taxCategory: TaxCategory

    public init(kind: InvoiceLine.Kind, description: String, product: ProductID? = nil, plan: PlanID? = nil,
                addOn: AddOnID? = nil, subscription: SubscriptionID? = nil, period: Period?, quantity: Int64,
                unitAmount: Money, amount: Money, cycleDiscount: Percentage = .zero, bundle: ProductBundle? = nil,
                promotion: Promotion? = nil, taxCategory: TaxCategory = .standard) {
        self.kind = kind
        self.description = description
        self.product = product
        self.plan = plan
        self.addOn = addOn
        self.subscription = subscription
        self.period = period
        self.quantity = quantity
        self.unitAmount = unitAmount
        self.amount = amount
        self.cycleDiscount = cycleDiscount
        self.bundle = bundle
        self.promotion = promotion
        self.taxCategory = taxCategory
    }
}

/// Applies discounts and tax to drafted lines in Recur's one documented order:
///
/// 1. the catalog **cycle discount** (001: 20 % yearly) on the gross amount;
/// 2. the **bundle** discount (001: 10 %) on what remains;
/// 3. the line's own **promotion** (percent of what remains, or a fixed amount
///    capped at it);
/// 4. the **invoice promotion**: computed once on the sum of what remains on all
///    charge lines, then allocated over them in proportion to it (largest
///    remainder, so the parts sum exactly to the discount);
/// 5. **tax** per line at the customer's rate for the product's category, exclusive
///    or inclusive.
///
/// Each step rounds half-up to the currency's minor unit, once per line. Credit
/// lines (negative) take no discount — they return what was actually paid — but
/// do carry tax, so a credit also returns the tax charged on it.
public struct PriceCalculator: Sendable {
    public let catalog: Catalog
    public let customer: Customer
    public let currency: Currency

    public init(catalog: Catalog, customer: Customer, currency: Currency) {
        self.catalog = catalog
        self.customer = customer
        self.currency = currency
    }

    public func price(_ drafts: [LineDraft], invoicePromotion: Promotion? = nil) throws -> [InvoiceLine] {
        var lines: [InvoiceLine] = []
        var remaining: [Money] = []
        for d in drafts {
            guard d.amount.currency == currency, d.unitAmount.currency == currency else {
                throw RecurError(.currencyMismatch, field: "currency",
                                 "Line '\(d.description)' is in \(d.amount.currency.code); the order is in \(currency.code)",
                                 ["currency": .text(d.amount.currency.code), "orderCurrency": .text(currency.code)])
            }
            var discounts: [InvoiceLine.Discount] = []
            var left = d.amount
            if d.kind != .credit && left.isPositive {
                if d.cycleDiscount.basisPoints > 0 {
                    let off = try left.percentage(d.cycleDiscount)
                    discounts.append(.init(kind: .cycle, reference: nil, percentage: d.cycleDiscount, amount: off))
                    left = try left - off
                }
                if let b = d.bundle, b.discount.basisPoints > 0 {
                    let off = try left.percentage(b.discount)
                    discounts.append(.init(kind: .bundle, reference: b.id.rawValue, percentage: b.discount, amount: off))
                    left = try left - off
                }
                if let p = d.promotion {
                    let (off, pct) = try Self.discount(p.discount, on: left)
                    discounts.append(.init(kind: .promotion, reference: p.code.rawValue, percentage: pct, amount: off))
                    left = try left - off
                }
            }
            remaining.append(left)
            lines.append(InvoiceLine(kind: d.kind, description: d.description, product: d.product, plan: d.plan,
                                     addOn: d.addOn, subscription: d.subscription, period: d.period, quantity: d.quantity,
                                     unitAmount: d.unitAmount, amount: d.amount, discounts: discounts, net: left,
                                     tax: .zero(currency), taxName: nil, taxRate: nil, taxInclusive: false, total: left))
        }

        if let promo = invoicePromotion {
            let eligible = lines.indices.filter { lines[$0].kind != .credit && remaining[$0].isPositive }
            let base = try Money.sum(eligible.map { remaining[$0] }, currency: currency)
            if base.isPositive {
                let (off, pct) = try Self.discount(promo.discount, on: base)
                let parts = try off.allocated(eligible.map { remaining[$0].minorUnits })
                for (k, i) in eligible.enumerated() where !parts[k].isZero {
                    lines[i].discounts.append(.init(kind: .invoicePromotion, reference: promo.code.rawValue, percentage: pct, amount: parts[k]))
                    remaining[i] = try remaining[i] - parts[k]
                    lines[i].net = remaining[i]
                }
            }
        }

        for (i, d) in drafts.enumerated() {
            let net = lines[i].net
            lines[i].total = net
            guard !customer.taxExempt, let rate = catalog.taxRate(country: customer.country, category: d.taxCategory) else { continue }
            let tax = try rate.tax(on: net)
            lines[i].tax = tax
            lines[i].taxName = rate.name
            lines[i].taxRate = rate.rate
            lines[i].taxInclusive = rate.inclusive
            lines[i].total = rate.inclusive ? net : try net + tax
        }
        return lines
    }

    /// The discount a promotion gives on `amount`: a percentage rounded half-up,
    /// or a fixed amount never above `amount`.
    static func discount(_ d: Promotion.Discount, on amount: Money) throws -> (Money, Percentage?) {
        switch d {
        case .percent(let p): (try amount.percentage(p), p)
        case .fixed(let m): (try Money.min(m, amount), nil)
        }
    }
}
