/// One priced line of a quote or an invoice, with every step that led from its
/// gross amount to its total, so a document can show each discount and the tax.
public struct InvoiceLine: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        /// A plan or package for a period.
        case plan
        case addOn = "add_on"
        /// Users counted in a closed month, billed in arrears.
        case usage
        /// Credit for the unused part of a period already paid (negative).
        case credit
        /// A one-off purchase (a ``Charge``): prepaid credit, an event.
        case oneOff = "one_off"
    }

    /// One discount on a line, in the order they were applied.
    public struct Discount: Hashable, Sendable, Codable {
        public enum Kind: String, Hashable, Sendable, Codable {
            case cycle
            case bundle
            case promotion
            case invoicePromotion = "invoice_promotion"
        }
        public var kind: Kind
        /// The promotion code or bundle id, when there is one.
        public var reference: String?
        public var percentage: Percentage?
        /// The amount taken off (positive).
        public var amount: Money
    }

    public var kind: Kind
    public var description: String
    public var product: ProductID?
    public var plan: PlanID?
    public var addOn: AddOnID?
    public var subscription: SubscriptionID?
    /// The service period the line pays for.
    public var period: Period?
    public var quantity: Int64
    /// Price of one unit for one whole cycle, before discounts.
    public var unitAmount: Money
    /// Gross amount: unit × quantity, prorated when the period is partial.
    public var amount: Money
    public var discounts: [Discount]
    /// Amount after every discount, before tax (exclusive) or including it (inclusive).
    public var net: Money
    public var tax: Money
    public var taxName: String?
    public var taxRate: Percentage?
    public var taxInclusive: Bool
    /// What the customer pays for the line: net + tax, or net when tax is included.
    public var total: Money
    /// The charge a one-off line bought.
    public var charge: ChargeID?
    /// The prepaid balance a one-off line tops up when its invoice is paid (fixed when
    /// the line is priced, so a later catalog change does not alter what was bought).
    public var topUp: String?

    public var discountTotal: Money {
        get throws { try Money.sum(discounts.map(\.amount), currency: amount.currency) }
    }
}

/// The sums of a set of lines. `total` is what the lines come to; a negative
/// total is a credit to the customer.
public struct Totals: Hashable, Sendable, Codable {
    public var subtotal: Money
    public var discount: Money
    public var net: Money
    public var tax: Money
    public var total: Money

    public init(lines: [InvoiceLine], currency: Currency) throws {
        subtotal = try Money.sum(lines.map(\.amount), currency: currency)
        discount = try Money.sum(try lines.map { try $0.discountTotal }, currency: currency)
        net = try Money.sum(lines.map(\.net), currency: currency)
        tax = try Money.sum(lines.map(\.tax), currency: currency)
        total = try Money.sum(lines.map(\.total), currency: currency)
    }

    /// What must be paid now: the total, or nothing when the lines come to a credit.
    public var amountDue: Money { total.isNegative ? .zero(total.currency) : total }
    /// The credit left to the customer's balance when the lines come to less than zero.
    public var creditToBalance: Money { total.isNegative ? Money(minorUnits: -total.minorUnits, currency: total.currency) : .zero(total.currency) }
}
