/// Something bought by quantity on top of a plan (001: extra storage, Cleeksy Docs,
/// automation runs, data records). Each unit raises quotas by `grants`.
public struct AddOn: Hashable, Sendable, Codable, Identifiable {
    public let id: AddOnID
    public var name: String
    /// Per-unit prices; a cycle without an explicit price is derived from the monthly one.
    public var prices: [Price]
    /// What one unit adds: `[.storageMB: 10_240]` for a 10 GB block.
    public var grants: [Quota: Int64]
    /// The products this add-on can be bought with (empty: any).
    public var products: Set<ProductID>
    public var maximumQuantity: Int?

    public init(id: AddOnID, name: String, prices: [Price], grants: [Quota: Int64] = [:],
                products: Set<ProductID> = [], maximumQuantity: Int? = nil) {
        self.id = id
        self.name = name
        self.prices = prices
        self.grants = grants
        self.products = products
        self.maximumQuantity = maximumQuantity
    }
}

/// A rule tying a dependent product to a base product (001: Operation Process and
/// App Builder need Digital Workspace at Starter or higher). Every behaviour is
/// data here, so a vendor changes it in its catalog, not in code.
public struct Dependency: Hashable, Sendable, Codable {
    /// How the dependent's seats relate to the base's.
    public enum SeatRule: String, Hashable, Sendable, Codable {
        /// Same seats as the base (Operation Process).
        case equal
        /// At most the base's seats (App Builder).
        case atMost = "at_most"
        case independent
    }

    /// What an order for a longer cycle than the base's does.
    public enum CycleConflict: String, Hashable, Sendable, Codable {
        /// Move the base to the dependent's cycle in the same order (Operation Process).
        case switchBase = "switch_base"
        /// Refuse the order with an error (App Builder).
        case refuse
    }

    public var dependent: ProductID
    public var base: ProductID
    /// The lowest plan of the base product that allows the dependent.
    public var minimumBasePlan: PlanID
    /// Added to the order automatically when the customer has no base
    /// (001: Workspace Starter); nil refuses such an order instead.
    public var autoAddBasePlan: PlanID?
    public var seatRule: SeatRule
    public var cycleConflict: CycleConflict
    /// Bill the dependent to the end of the base's current period.
    public var coTerminate: Bool
    /// Below this many days left in the base's period, the customer chooses between
    /// paying only those days or those days plus the next cycle (001: 30).
    public var coTermChoiceDays: Int
    /// A base that expired fewer than this many days ago must be renewed in the
    /// same order (001: 7).
    public var expiredBaseRenewalDays: Int

    public init(dependent: ProductID, base: ProductID, minimumBasePlan: PlanID, autoAddBasePlan: PlanID? = nil,
                seatRule: SeatRule = .independent, cycleConflict: CycleConflict = .refuse, coTerminate: Bool = true,
                coTermChoiceDays: Int = 30, expiredBaseRenewalDays: Int = 7) {
        self.dependent = dependent
        self.base = base
        self.minimumBasePlan = minimumBasePlan
        self.autoAddBasePlan = autoAddBasePlan
        self.seatRule = seatRule
        self.cycleConflict = cycleConflict
        self.coTerminate = coTerminate
        self.coTermChoiceDays = coTermChoiceDays
        self.expiredBaseRenewalDays = expiredBaseRenewalDays
    }
}

/// Products bought together for an extra discount (001: all three solutions, 10 %
/// off, yearly only, and no plan lower than one already in use).
public struct ProductBundle: Hashable, Sendable, Codable, Identifiable {
    public let id: BundleID
    public var name: String
    public var products: Set<ProductID>
    public var discount: Percentage
    public var allowedCycles: Set<BillingCycle>

    public init(id: BundleID, name: String, products: Set<ProductID>, discount: Percentage, allowedCycles: Set<BillingCycle>) {
        self.id = id
        self.name = name
        self.products = products
        self.discount = discount
        self.allowedCycles = allowedCycles
    }
}
