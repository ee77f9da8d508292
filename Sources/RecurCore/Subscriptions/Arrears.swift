/// When an invoice must be paid.
public enum PaymentTerms: Hashable, Sendable, Codable {
    case immediate
    case netDays(Int)
    /// 000: "close the month, pay by the end of the following month".
    case endOfFollowingMonth

    /// The due date of an invoice issued on `date`.
    public func dueDate(issuedOn date: CivilDate) -> CivilDate {
        switch self {
        case .immediate: date
        case .netDays(let n): date.adding(days: n)
        case .endOfFollowingMonth: date.adding(months: 1, anchorDay: 1).endOfMonth
        }
    }
}

/// 000's Enterprise billing: each month is closed and invoiced by the users
/// counted in it — the peak or the end-of-month count, as the plan says — and never
/// fewer than the contracted users (at least 50), due at the end of the following month.
public struct ArrearsBilling: Sendable {
    public let catalog: Catalog
    public let customer: Customer

    public init(catalog: Catalog, customer: Customer) {
        self.catalog = catalog
        self.customer = customer
    }

    /// The invoice lines and due date for the closed `month` of `s`.
    /// - throws: `arrears.not_in_arrears` for a plan billed in advance,
    ///   `arrears.user_count_invalid` for a negative count.
    public func close(_ s: Subscription, month: Period, peakUsers: Int, endOfPeriodUsers: Int) throws -> (lines: [InvoiceLine], dueDate: CivilDate) {
        let plan = try catalog.plan(s.plan, field: "plan")
        guard case .inArrears(let measure) = plan.timing else {
            throw RecurError(.arrearsNotInArrears, field: "plan", "\(plan.name) is billed in advance, not in arrears", ["plan": .text(plan.id.rawValue)])
        }
        guard peakUsers >= 0, endOfPeriodUsers >= 0 else {
            throw RecurError(.arrearsUserCountInvalid, field: "users", "User counts cannot be negative",
                             ["peak": .int(Int64(peakUsers)), "endOfPeriod": .int(Int64(endOfPeriodUsers))])
        }
        let product = try catalog.product(s.product, field: "product")
        let counted = measure == .peak ? peakUsers : endOfPeriodUsers
        let billed = max(counted, s.seats, plan.minimumSeats)
        let price = try catalog.price(of: plan, cycle: .monthly, currency: s.currency, tier: s.tier, field: "plan")
        let amount = try price.unitAmount * Int64(billed)
        let draft = LineDraft(kind: .usage,
                              description: "\(product.name) \(plan.name) — \(billed) users (\(counted) counted, \(measure == .peak ? "peak" : "end of month"))",
                              product: product.id, plan: plan.id, subscription: s.id, period: month, quantity: Int64(billed),
                              unitAmount: price.unitAmount, amount: amount, taxCategory: product.taxCategory)
        let lines = try PriceCalculator(catalog: catalog, customer: customer, currency: s.currency).price([draft])
        return (lines, PaymentTerms.endOfFollowingMonth.dueDate(issuedOn: month.inclusiveEnd))
    }
}

extension RecurError.Code {
    public static let arrearsNotInArrears: Self = "arrears.not_in_arrears"
    public static let arrearsUserCountInvalid: Self = "arrears.user_count_invalid"
}
