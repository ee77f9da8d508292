/// The customer organisation as pricing needs it: where it pays tax, in which
/// currency it buys, and whether it has bought before.
public struct Customer: Hashable, Sendable, Codable, Identifiable {
    public let id: CustomerID
    /// ISO 3166-1 alpha-2 country of the billing address (drives the tax rate).
    public var country: String?
    public var currency: Currency
    /// A customer exempt from tax (a reverse-charge business, for example).
    public var taxExempt: Bool
    /// Whether the customer has completed a paid purchase before (first-purchase promotions).
    public var hasPurchased: Bool

    public init(id: CustomerID, country: String? = nil, currency: Currency, taxExempt: Bool = false, hasPurchased: Bool = false) {
        self.id = id
        self.country = country
        self.currency = currency
        self.taxExempt = taxExempt
        self.hasPurchased = hasPurchased
    }
}

/// What a customer uses right now, per quota: users activated, megabytes stored…
public struct Usage: Hashable, Sendable, Codable, ExpressibleByDictionaryLiteral {
    public var values: [Quota: Int64]
    public init(_ values: [Quota: Int64] = [:]) { self.values = values }
    public init(dictionaryLiteral elements: (Quota, Int64)...) { values = Dictionary(uniqueKeysWithValues: elements) }
    public subscript(_ q: Quota) -> Int64 { values[q] ?? 0 }
}
