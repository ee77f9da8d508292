/// What a customer asks to buy at checkout: products with plan, cycle, seats and
/// add-ons, promotion codes at each level, and the choices checkout may need.
public struct Order: Hashable, Sendable, Codable {
    public struct Item: Hashable, Sendable, Codable {
        public var product: ProductID
        public var plan: PlanID
        /// The plan's tier, for plans sold in tiers (000: "300", "600", "1500").
        public var tier: String?
        public var cycle: BillingCycle
        /// Seats for a per-seat plan; nil lets a dependency rule fill it (Operation
        /// Process takes Workspace's seats).
        public var seats: Int?
        public var addOns: [AddOnLine]
        /// A promotion on the plan / package line.
        public var promotion: PromotionCode?
        /// Start with the product's trial instead of paying now.
        public var trial: Bool

        public init(product: ProductID, plan: PlanID, tier: String? = nil, cycle: BillingCycle, seats: Int? = nil,
                    addOns: [AddOnLine] = [], promotion: PromotionCode? = nil, trial: Bool = false) {
            self.product = product
            self.plan = plan
            self.tier = tier
            self.cycle = cycle
            self.seats = seats
            self.addOns = addOns
            self.promotion = promotion
            self.trial = trial
        }
    }

    public struct AddOnLine: Hashable, Sendable, Codable {
        public var addOn: AddOnID
        public var quantity: Int
        public var promotion: PromotionCode?
        public init(addOn: AddOnID, quantity: Int, promotion: PromotionCode? = nil) {
            self.addOn = addOn
            self.quantity = quantity
            self.promotion = promotion
        }
    }

    /// 001's choice when a co-terminated product has fewer than 30 days left in the
    /// base's period.
    public enum CoTermination: String, Hashable, Sendable, Codable {
        /// (a) pay only the days left in the current period.
        case remainingDays = "remaining_days"
        /// (b) pay the days left and the next full cycle.
        case remainingDaysAndNextCycle = "remaining_days_and_next_cycle"
    }

    public var items: [Item]
    /// Buy the items as this bundle (001: all three solutions, yearly, 10 % off).
    public var bundle: BundleID?
    /// A promotion on the whole invoice.
    public var invoicePromotion: PromotionCode?
    public var coTermination: CoTermination?
    /// The currency to buy in; the customer's when nil (003: the buyer chooses).
    public var currency: Currency?
    public var renewalMode: Subscription.RenewalMode

    public init(items: [Item], bundle: BundleID? = nil, invoicePromotion: PromotionCode? = nil,
                coTermination: CoTermination? = nil, currency: Currency? = nil, renewalMode: Subscription.RenewalMode = .automatic) {
        self.items = items
        self.bundle = bundle
        self.invoicePromotion = invoicePromotion
        self.coTermination = coTermination
        self.currency = currency
        self.renewalMode = renewalMode
    }
}

/// The full price breakdown of an order, and the subscriptions it would create or
/// change, computed without writing anything.
public struct Quote: Hashable, Sendable, Codable {
    /// Something checkout did on the customer's behalf, to be shown with the quote.
    public struct Notice: Hashable, Sendable, Codable {
        public var code: String
        public var message: String
    }

    /// The two ways to pay a co-terminated product with few days left (001).
    public struct CoTerminationOffer: Hashable, Sendable, Codable {
        public var product: ProductID
        /// The days left in the base's current period: [today, base period end).
        public var remainingPeriod: Period
        /// The base's next full cycle.
        public var nextPeriod: Period
        public var chosen: Order.CoTermination
        /// True when the order did not choose and the customer must.
        public var choiceRequired: Bool
        /// The quote's total under (a) and under (b).
        public var totalRemainingDays: Money
        public var totalRemainingDaysAndNextCycle: Money
    }

    public var date: CivilDate
    public var currency: Currency
    public var lines: [InvoiceLine]
    public var totals: Totals
    /// The subscriptions as they would stand after the order: new ones and the
    /// ones it converts, replaces or renews.
    public var subscriptions: [Subscription]
    /// What each resulting subscription will cost at its next renewal (tax included).
    public var recurring: [SubscriptionID: Money]
    public var notices: [Notice]
    public var coTermination: CoTerminationOffer?
    /// Promotion codes this order redeems (the store counts them).
    public var redeemedPromotions: [PromotionCode]
}

extension RecurError.Code {
    public static let orderEmpty: Self = "order.empty"
    public static let orderDuplicateProduct: Self = "order.duplicate_product"
    public static let planNotOfProduct: Self = "plan.not_of_product"
    public static let planTierRequired: Self = "plan.tier_required"
    public static let planTierUnknown: Self = "plan.tier_unknown"
    public static let planLimitBelowUsage: Self = "plan.limit_below_usage"
    public static let seatsRequired: Self = "seats.required"
    public static let seatsInvalid: Self = "seats.invalid"
    public static let seatsBelowMinimum: Self = "seats.below_minimum"
    public static let seatsAboveMaximum: Self = "seats.above_maximum"
    public static let addOnNotForProduct: Self = "add_on.not_for_product"
    public static let addOnQuantityInvalid: Self = "add_on.quantity_invalid"
    public static let dependencyBaseRequired: Self = "dependency.base_required"
    public static let dependencyBasePlanTooLow: Self = "dependency.base_plan_too_low"
    public static let dependencyCycleExceedsBase: Self = "dependency.cycle_exceeds_base"
    public static let dependencySeatsMustEqualBase: Self = "dependency.seats_must_equal_base"
    public static let dependencySeatsExceedBase: Self = "dependency.seats_exceed_base"
    public static let bundleUnknown: Self = "bundle.unknown"
    public static let bundleIncomplete: Self = "bundle.incomplete"
    public static let bundleCycleNotAllowed: Self = "bundle.cycle_not_allowed"
    public static let bundlePlanBelowCurrent: Self = "bundle.plan_below_current"
    public static let subscriptionAlreadyActive: Self = "subscription.already_active"
    public static let trialUnavailable: Self = "trial.unavailable"
    public static let trialSeatsBelowActivatedUsers: Self = "trial.seats_below_activated_users"
}
