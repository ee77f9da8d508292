/// A customer's subscription to one product: its plan, seats, add-ons, cycle and
/// current period, and where it stands (trialing, active, past due…).
///
/// A subscription is a value; every change (``SubscriptionChanges``) returns a new
/// value and the invoice lines the change causes, and never mutates in place.
public struct Subscription: Hashable, Sendable, Codable, Identifiable {
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case trialing
        case active
        /// An automatic renewal charge failed; dunning retries it.
        case pastDue = "past_due"
        /// The period ended unpaid: the grace time before the subscription locks.
        case expired
        /// Nothing but the payment pages is reachable.
        case locked
        case cancelled
    }

    public enum RenewalMode: String, Hashable, Sendable, Codable {
        /// The saved payment method is charged at each renewal.
        case automatic
        /// Each renewal issues an invoice the customer pays.
        case manual
    }

    /// A change decided now that takes effect when the current period ends
    /// (a downgrade, fewer seats or add-ons, another cycle).
    public struct ScheduledChange: Hashable, Sendable, Codable {
        public var plan: PlanID
        public var tier: String?
        public var seats: Int
        public var addOns: [AddOnID: Int]
        public var cycle: BillingCycle
        public init(plan: PlanID, tier: String?, seats: Int, addOns: [AddOnID: Int], cycle: BillingCycle) {
            self.plan = plan
            self.tier = tier
            self.seats = seats
            self.addOns = addOns
            self.cycle = cycle
        }
    }

    /// A promotion still applying at renewals.
    public struct Discount: Hashable, Sendable, Codable {
        public var promotion: PromotionCode
        /// The add-on it applies to, or nil for the plan line.
        public var addOn: AddOnID?
        /// Renewals it still applies to; nil for ever.
        public var remainingCycles: Int?
        public init(promotion: PromotionCode, addOn: AddOnID? = nil, remainingCycles: Int?) {
            self.promotion = promotion
            self.addOn = addOn
            self.remainingCycles = remainingCycles
        }
    }

    public let id: SubscriptionID
    public var customer: CustomerID
    public var product: ProductID
    public var plan: PlanID
    public var tier: String?
    /// Seats bought (1 for a flat plan; the contracted users for an in-arrears plan).
    public var seats: Int
    public var addOns: [AddOnID: Int]
    public var currency: Currency
    public var schedule: BillingSchedule
    public var currentPeriod: Period
    public var status: Status
    /// The first day after the trial, when trialing.
    public var trialEnd: CivilDate?
    public var renewalMode: RenewalMode
    public var cancelAtPeriodEnd: Bool
    public var scheduledChange: ScheduledChange?
    public var discounts: [Discount]
    /// The bundle the subscription was bought in; its discount applies at renewals.
    public var bundle: BundleID?
    /// What was charged for the current period after discounts and before tax,
    /// per line (plan and each add-on): the most a credit for unused time can return.
    public var paidForPeriod: Money
    /// The day the current term started (differs from the period start for a
    /// co-terminated first period).
    public var startedOn: CivilDate

    public init(id: SubscriptionID, customer: CustomerID, product: ProductID, plan: PlanID, tier: String? = nil,
                seats: Int, addOns: [AddOnID: Int] = [:], currency: Currency, schedule: BillingSchedule,
                currentPeriod: Period, status: Status = .active, trialEnd: CivilDate? = nil,
                renewalMode: RenewalMode = .automatic, cancelAtPeriodEnd: Bool = false,
                scheduledChange: ScheduledChange? = nil, discounts: [Discount] = [], bundle: BundleID? = nil, paidForPeriod: Money,
                startedOn: CivilDate? = nil) {
        self.id = id
        self.customer = customer
        self.product = product
        self.plan = plan
        self.tier = tier
        self.seats = seats
        self.addOns = addOns
        self.currency = currency
        self.schedule = schedule
        self.currentPeriod = currentPeriod
        self.status = status
        self.trialEnd = trialEnd
        self.renewalMode = renewalMode
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.scheduledChange = scheduledChange
        self.discounts = discounts
        self.bundle = bundle
        self.paidForPeriod = paidForPeriod
        self.startedOn = startedOn ?? currentPeriod.start
    }

    public var cycle: BillingCycle { schedule.cycle }

    /// Trialing, active or past due: the customer is using what it pays for.
    public var isLive: Bool { [.trialing, .active, .pastDue].contains(status) }
}
