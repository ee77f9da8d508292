/// Something the vendor sells: 001's "solutions" (Digital Workspace, Operation
/// Process, App Builder), 000's translation service.
public struct Product: Hashable, Sendable, Codable, Identifiable {
    /// What happens when a trial ends without a purchase (001: Workspace falls to
    /// its Free plan; Operation Process and App Builder are locked).
    public enum TrialEnd: Hashable, Sendable, Codable {
        case downgrade(to: PlanID)
        case lock
    }

    /// How a mid-term upgrade of a prepaid period is billed.
    public enum UpgradeTerm: String, Hashable, Sendable, Codable {
        /// Keep the current period: credit the unused part of the old plan and charge
        /// the new plan for the days left (Stripe's default proration).
        case keepPeriod = "keep_period"
        /// Start a new full term on the upgrade day and credit the unused part of
        /// the old term against it (000: annual contracts upgraded mid-term).
        case newTerm = "new_term"
    }

    public let id: ProductID
    public var name: String
    /// Trial length in days; 0 means no trial (001: 30).
    public var trialDays: Int
    public var trialEnd: TrialEnd
    public var upgradeTerm: UpgradeTerm
    /// The tax category of this product's charges (see ``TaxRate``).
    public var taxCategory: TaxCategory

    public init(id: ProductID, name: String, trialDays: Int = 0, trialEnd: TrialEnd = .lock,
                upgradeTerm: UpgradeTerm = .keepPeriod, taxCategory: TaxCategory = .standard) {
        self.id = id
        self.name = name
        self.trialDays = trialDays
        self.trialEnd = trialEnd
        self.upgradeTerm = upgradeTerm
        self.taxCategory = taxCategory
    }
}

/// A price for one billing cycle in one currency: per seat for per-seat plans, per
/// unit for add-ons, per user for plans billed in arrears, per period otherwise.
public struct Price: Hashable, Sendable, Codable {
    public var cycle: BillingCycle
    public var amount: Money
    /// The tier this price belongs to, for plans sold in tiers.
    public var tier: String?

    public init(_ cycle: BillingCycle, _ amount: Money, tier: String? = nil) {
        self.cycle = cycle
        self.amount = amount
        self.tier = tier
    }
}

/// A price as it applies to one order line: the full-cycle unit amount before any
/// discount, and the catalog's cycle discount when the price was derived.
public struct ResolvedPrice: Hashable, Sendable {
    /// Gross amount per unit for one whole cycle.
    public let unitAmount: Money
    /// The catalog cycle discount that applies (zero for an explicit price).
    public let cycleDiscount: Percentage
    /// True when the amount was derived from the monthly price × months.
    public let derived: Bool
}

extension Array where Element == Price {
    /// The price for `cycle` in `currency`: an explicit price for that cycle wins
    /// (004's multi-cycle packages); otherwise the monthly price × the cycle's
    /// months, to which the catalog's cycle discount applies (001: 20 % yearly).
    func resolve(cycle: BillingCycle, currency: Currency, tier: String?, cycleDiscounts: [BillingCycle: Percentage],
                 owner: String, field: String) throws -> ResolvedPrice {
        if let explicit = first(where: { $0.cycle == cycle && $0.amount.currency == currency && $0.tier == tier }) {
            return ResolvedPrice(unitAmount: explicit.amount, cycleDiscount: .zero, derived: false)
        }
        if let monthly = first(where: { $0.cycle == .monthly && $0.amount.currency == currency && $0.tier == tier }) {
            return ResolvedPrice(unitAmount: try monthly.amount * cycle.months,
                                 cycleDiscount: cycleDiscounts[cycle] ?? .zero, derived: true)
        }
        throw RecurError(.priceUnavailable, field: field,
                         "\(owner) has no price for a \(cycle) cycle in \(currency.code)\(tier.map { " (tier \($0))" } ?? "")",
                         ["cycle": .text(cycle.description), "currency": .text(currency.code)])
    }
}

/// A tax category of a product (`standard`, `digital_services`, `reduced`…).
public struct TaxCategory: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static let standard: TaxCategory = "standard"

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

extension RecurError.Code {
    public static let priceUnavailable: Self = "price.unavailable"
}
