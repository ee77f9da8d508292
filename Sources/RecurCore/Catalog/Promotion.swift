/// A promotion code (004's checkout: one on the package, one on each add-on
/// service, one on the whole invoice).
public struct Promotion: Hashable, Sendable, Codable, Identifiable {
    public enum Discount: Hashable, Sendable, Codable {
        case percent(Percentage)
        /// A fixed amount off, never more than what it applies to.
        case fixed(Money)
    }

    /// What a promotion may be applied to.
    public enum Scope: String, Hashable, Sendable, Codable {
        /// A plan or package line.
        case plan
        /// An add-on line.
        case addOn = "add_on"
        /// The whole invoice, spread over its lines before tax.
        case invoice
    }

    /// How many billing cycles a promotion keeps applying.
    public enum Duration: Hashable, Sendable, Codable {
        case once
        case cycles(Int)
        case forever

        /// Cycles left after the first use (nil: unlimited).
        var cyclesAfterFirst: Int? {
            switch self {
            case .once: 0
            case .cycles(let n): n - 1
            case .forever: nil
            }
        }
    }

    /// Who and what may use a promotion; an empty set means no restriction.
    public struct Eligibility: Hashable, Sendable, Codable {
        public var products: Set<ProductID>
        public var plans: Set<PlanID>
        public var addOns: Set<AddOnID>
        public var cycles: Set<BillingCycle>
        /// Only for a customer's first purchase.
        public var firstPurchaseOnly: Bool

        public init(products: Set<ProductID> = [], plans: Set<PlanID> = [], addOns: Set<AddOnID> = [],
                    cycles: Set<BillingCycle> = [], firstPurchaseOnly: Bool = false) {
            self.products = products
            self.plans = plans
            self.addOns = addOns
            self.cycles = cycles
            self.firstPurchaseOnly = firstPurchaseOnly
        }
    }

    public let code: PromotionCode
    public var id: PromotionCode { code }
    public var name: String
    public var discount: Discount
    public var scope: Scope
    /// First day the code may be used, inclusive.
    public var validFrom: CivilDate?
    /// Last day the code may be used, inclusive.
    public var validThrough: CivilDate?
    public var redemptionLimit: Int?
    /// Redemptions so far, as the store knows them when the catalog is loaded.
    public var timesRedeemed: Int
    public var eligibility: Eligibility
    public var duration: Duration

    public init(code: PromotionCode, name: String, discount: Discount, scope: Scope, validFrom: CivilDate? = nil,
                validThrough: CivilDate? = nil, redemptionLimit: Int? = nil, timesRedeemed: Int = 0,
                eligibility: Eligibility = Eligibility(), duration: Duration = .once) {
        self.code = code
        self.name = name
        self.discount = discount
        self.scope = scope
        self.validFrom = validFrom
        self.validThrough = validThrough
        self.redemptionLimit = redemptionLimit
        self.timesRedeemed = timesRedeemed
        self.eligibility = eligibility
        self.duration = duration
    }

    /// Checks that this promotion may be redeemed on `date` for a line of this
    /// kind; `field` names where the code was given.
    /// - throws: `promotion.out_of_scope`, `promotion.not_yet_valid`,
    ///   `promotion.expired`, `promotion.exhausted`, `promotion.not_eligible`,
    ///   `promotion.currency_mismatch`.
    func checkRedeemable(scope wanted: Scope, on date: CivilDate, product: ProductID?, plan: PlanID?, addOn: AddOnID?,
                         cycle: BillingCycle?, currency: Currency, firstPurchase: Bool, field: String) throws {
        let c = code.rawValue
        guard scope == wanted else {
            throw RecurError(.promotionOutOfScope, field: field,
                             "Promotion \(c) applies to \(scope.rawValue) lines, not to \(wanted.rawValue) lines",
                             ["code": .text(c), "scope": .text(scope.rawValue), "requested": .text(wanted.rawValue)])
        }
        if let from = validFrom, date < from {
            throw RecurError(.promotionNotYetValid, field: field, "Promotion \(c) is valid from \(from)", ["code": .text(c), "validFrom": .date(from)])
        }
        if let through = validThrough, date > through {
            throw RecurError(.promotionExpired, field: field, "Promotion \(c) expired on \(through)", ["code": .text(c), "validThrough": .date(through)])
        }
        if let limit = redemptionLimit, timesRedeemed >= limit {
            throw RecurError(.promotionExhausted, field: field, "Promotion \(c) has been redeemed \(timesRedeemed) of \(limit) times",
                             ["code": .text(c), "limit": .int(Int64(limit)), "redeemed": .int(Int64(timesRedeemed))])
        }
        func notEligible(_ why: String) -> RecurError {
            RecurError(.promotionNotEligible, field: field, "Promotion \(c) \(why)", ["code": .text(c)])
        }
        let e = eligibility
        if e.firstPurchaseOnly && !firstPurchase { throw notEligible("is for a first purchase only") }
        if !e.products.isEmpty, product.map({ !e.products.contains($0) }) ?? (wanted != .invoice) {
            throw notEligible("does not apply to product \(product?.rawValue ?? "-")")
        }
        if !e.plans.isEmpty, wanted == .plan, plan.map({ !e.plans.contains($0) }) ?? true {
            throw notEligible("does not apply to plan \(plan?.rawValue ?? "-")")
        }
        if !e.addOns.isEmpty, wanted == .addOn, addOn.map({ !e.addOns.contains($0) }) ?? true {
            throw notEligible("does not apply to add-on \(addOn?.rawValue ?? "-")")
        }
        if !e.cycles.isEmpty, let cycle, !e.cycles.contains(cycle) {
            throw notEligible("does not apply to a \(cycle) cycle")
        }
        if case .fixed(let m) = discount, m.currency != currency {
            throw RecurError(.promotionCurrencyMismatch, field: field,
                             "Promotion \(c) is in \(m.currency.code); the order is in \(currency.code)",
                             ["code": .text(c), "currency": .text(m.currency.code), "orderCurrency": .text(currency.code)])
        }
    }
}

extension RecurError.Code {
    public static let promotionUnknown: Self = "promotion.unknown"
    public static let promotionOutOfScope: Self = "promotion.out_of_scope"
    public static let promotionNotYetValid: Self = "promotion.not_yet_valid"
    public static let promotionExpired: Self = "promotion.expired"
    public static let promotionExhausted: Self = "promotion.exhausted"
    public static let promotionNotEligible: Self = "promotion.not_eligible"
    public static let promotionCurrencyMismatch: Self = "promotion.currency_mismatch"
}
