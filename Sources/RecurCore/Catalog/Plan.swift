/// A plan of a product: Free, Starter, Standard, Premium, Enterprise, or 000's
/// Small plan sold in 300 / 600 / 1500-minute tiers.
public struct Plan: Hashable, Sendable, Codable, Identifiable {
    /// How the plan's price scales.
    public enum Pricing: Hashable, Sendable, Codable {
        /// One price per period, whatever the number of users.
        case flat
        /// The price is per seat; an order must buy `minimum...maximum` seats
        /// (001: at least 2; 000 Enterprise: at least 50).
        case perSeat(minimum: Int, maximum: Int?)
    }

    /// When the plan is charged.
    public enum Timing: Hashable, Sendable, Codable {
        /// At the start of each period (prepaid).
        case inAdvance
        /// After each month closes, by the users counted in it (000 Enterprise),
        /// due at the end of the following month.
        case inArrears(UserCount)
    }

    /// Which user count an in-arrears month is billed on.
    public enum UserCount: String, Hashable, Sendable, Codable {
        case peak
        case endOfPeriod = "end_of_period"
    }

    /// A quantity-tier of a plan (000: Small 300 / 600 / 1500 minutes), with its own
    /// limits over the plan's and its own prices (``Price/tier``).
    public struct Tier: Hashable, Sendable, Codable {
        public var id: String
        public var name: String
        public var limits: Limits
        public init(id: String, name: String, limits: Limits) {
            self.id = id
            self.name = name
            self.limits = limits
        }
    }

    public let id: PlanID
    public var product: ProductID
    public var name: String
    /// The plan's place in its product's ladder: a higher rank is an upgrade.
    public var rank: Int
    public var pricing: Pricing
    public var timing: Timing
    public var prices: [Price]
    public var limits: Limits
    public var tiers: [Tier]
    /// A free plan has no price and is never invoiced.
    public var isFree: Bool
    /// Quotas whose overage does not refuse the plan but makes the account
    /// read-only until usage is back under the limit (002: storage on Free).
    public var softQuotas: Set<Quota>
    /// Sold through the portal; a sales-led plan (Enterprise) is set up by staff.
    public var selfService: Bool
    /// A self-service plan also sold under a contract of 6 months or more, quoted and
    /// invoiced (000: Small and Premium). Sales-led plans always are.
    public var contracts: Bool?

    public init(id: PlanID, product: ProductID, name: String, rank: Int, pricing: Pricing = .flat,
                timing: Timing = .inAdvance, prices: [Price] = [], limits: Limits = Limits(), tiers: [Tier] = [],
                isFree: Bool = false, softQuotas: Set<Quota> = [], selfService: Bool = true) {
        self.id = id
        self.product = product
        self.name = name
        self.rank = rank
        self.pricing = pricing
        self.timing = timing
        self.prices = prices
        self.limits = limits
        self.tiers = tiers
        self.isFree = isFree
        self.softQuotas = softQuotas
        self.selfService = selfService
    }

    public var isPerSeat: Bool { if case .perSeat = pricing { true } else { false } }

    public var minimumSeats: Int {
        if case .perSeat(let minimum, _) = pricing { minimum } else { 1 }
    }

    public var maximumSeats: Int? {
        if case .perSeat(_, let maximum) = pricing { maximum } else { nil }
    }

    public var isInArrears: Bool { if case .inArrears = timing { true } else { false } }

    public func tier(_ id: String?) -> Tier? { tiers.first { $0.id == id } }

    /// The limits this plan grants for `seats` seats in `tier`: a per-seat plan's
    /// user limit is the seats bought.
    public func limits(tier tierID: String?, seats: Int) -> Limits {
        var l = limits
        if let t = tier(tierID) { l = l.overridden(by: t.limits) }
        if isPerSeat { l.quotas[.users] = .finite(Int64(seats)) }
        return l
    }
}

extension Plan {
    /// The seat-bound errors of `seats` for this plan (none for a flat plan):
    /// `seats.below_minimum` (001: at least 2; 000 Enterprise: 50) and `seats.above_maximum`.
    func seatErrors(_ seats: Int, product: Product, field: String) -> [RecurError] {
        guard isPerSeat else { return [] }
        var out: [RecurError] = []
        if seats < minimumSeats {
            out.append(RecurError(.seatsBelowMinimum, field: field, "\(product.name) \(name) needs at least \(minimumSeats) seats, not \(seats)",
                                  ["seats": .int(Int64(seats)), "minimum": .int(Int64(minimumSeats))]))
        }
        if let max = maximumSeats, seats > max {
            out.append(RecurError(.seatsAboveMaximum, field: field, "\(product.name) \(name) allows at most \(max) seats, not \(seats)",
                                  ["seats": .int(Int64(seats)), "maximum": .int(Int64(max))]))
        }
        return out
    }
}

