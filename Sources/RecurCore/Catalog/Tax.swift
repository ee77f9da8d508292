/// A tax rate for a country and a tax category: Vietnam's 10 % VAT, Malaysia's 8 %
/// SST on digital services, Japan's 10 % consumption tax, France's 20 % TVA.
///
/// Tax is applied per invoice line and rounded per line, half-up:
/// - exclusive: tax = net × rate, the line's total is net + tax;
/// - inclusive: the net already contains the tax, tax = net × rate ÷ (1 + rate),
///   and the line's total is the net.
public struct TaxRate: Hashable, Sendable, Codable {
    /// ISO 3166-1 alpha-2 country code, upper case.
    public var country: String
    public var category: TaxCategory
    public var name: String
    public var rate: Percentage
    public var inclusive: Bool

    public init(country: String, category: TaxCategory = .standard, name: String, rate: Percentage, inclusive: Bool = false) {
        self.country = country.uppercased()
        self.category = category
        self.name = name
        self.rate = rate
        self.inclusive = inclusive
    }

    /// The tax on a line whose amount after discounts is `net`.
    public func tax(on net: Money) throws -> Money {
        inclusive
            ? try net.multiplied(by: rate.basisPoints, dividedBy: 10_000 + rate.basisPoints)
            : try net.percentage(rate)
    }
}
