/// Something bought once and not renewed: prepaid telephony credit (002: the phone
/// balance on the subscription page) or the simultaneous interpretation of one event
/// (000: an event plan, sold under its own contract).
///
/// A charge is priced per unit in each currency it is sold in; a purchase of
/// `quantity` units becomes one invoice line of kind `one_off`, taxed like any other
/// line at the customer's rate for the charge's tax category. When the charge tops up
/// a prepaid balance, paying the invoice credits that balance with the amount bought
/// (unit × quantity; tax comes on top where it is exclusive): 100.000 ₫ of phone
/// credit costs 110.000 ₫ with Vietnam's 10 % VAT and gives 100.000 ₫ to spend.
public struct Charge: Hashable, Sendable, Codable, Identifiable {
    public let id: ChargeID
    public var name: String
    /// One price per currency; the cycle of a charge's price is ignored (one-off).
    public var prices: [Money]
    /// The prepaid balance the purchase tops up (`phone_credit`), or nil.
    public var topUp: String?
    /// Sold only through a contract by the vendor's staff (000's event plan), never
    /// in the self-service portal.
    public var salesLed: Bool
    public var maximumQuantity: Int?
    public var taxCategory: TaxCategory

    public init(id: ChargeID, name: String, prices: [Money], topUp: String? = nil, salesLed: Bool = false,
                maximumQuantity: Int? = nil, taxCategory: TaxCategory = .standard) {
        self.id = id
        self.name = name
        self.prices = prices
        self.topUp = topUp
        self.salesLed = salesLed
        self.maximumQuantity = maximumQuantity
        self.taxCategory = taxCategory
    }

    /// The unit price in `currency`.
    /// - throws: `charge.no_price` when the charge is not sold in that currency.
    public func price(in currency: Currency, field: String) throws -> Money {
        guard let p = prices.first(where: { $0.currency == currency }) else {
            throw RecurError(.chargeNoPrice, field: field, "\(name) is not sold in \(currency.code)",
                             ["charge": .text(id.rawValue), "currency": .text(currency.code)])
        }
        return p
    }

    /// The problems with this charge as a catalog entry, each at `field`'s path.
    func problems(field f: String) -> [RecurError] {
        var out: [RecurError] = []
        if id.rawValue.isEmpty || name.allSatisfy(\.isWhitespace) {
            out.append(RecurError(.catalogInvalid, field: "\(f).name", "A charge needs an id and a name"))
        }
        if prices.isEmpty {
            out.append(RecurError(.catalogMissingPrice, field: "\(f).prices", "Charge \(name) has no price"))
        }
        var seen = Set<Currency>()
        for (i, p) in prices.enumerated() {
            if !p.isPositive {
                out.append(RecurError(.catalogInvalidPrice, field: "\(f).prices[\(i)]", "A charge's price must be positive, not \(p)",
                                      ["amount": .money(p)]))
            }
            if !seen.insert(p.currency).inserted {
                out.append(RecurError(.catalogInvalidPrice, field: "\(f).prices[\(i)]", "Two prices of \(name) in \(p.currency.code)"))
            }
        }
        if let t = topUp, !Self.isBalanceKey(t) {
            out.append(RecurError(.catalogInvalid, field: "\(f).topUp",
                                  "'\(t)' is not a balance name (lower-case letters, digits and _, 1–40 characters)"))
        }
        if let m = maximumQuantity, m < 1 {
            out.append(RecurError(.catalogInvalid, field: "\(f).maximumQuantity", "Maximum quantity of \(name) must be at least 1",
                                  ["maximum": .int(Int64(m))]))
        }
        return out
    }

    /// `phone_credit`: lower-case ASCII letters, digits and underscores, starting with a letter.
    public static func isBalanceKey(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first), s.unicodeScalars.count <= 40 else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

public typealias ChargeID = Identifier<Charge>

extension RecurError.Code {
    /// No charge with that id in the catalog (HTTP 422).
    public static let chargeUnknown: Self = "charge.unknown"
    /// The charge has no price in the customer's currency.
    public static let chargeNoPrice: Self = "charge.no_price"
    /// A quantity below 1 or above the charge's maximum.
    public static let chargeInvalidQuantity: Self = "charge.invalid_quantity"
    /// A sales-led charge (an event plan) bought outside a contract.
    public static let chargeSalesLed: Self = "charge.sales_led"
}

extension Catalog {
    /// This catalog with its charges replaced, validated again.
    /// - throws: ``RecurErrors`` with every problem (`catalog.*` at `charges.<id>.…`).
    public func replacing(charges: [Charge]) throws -> Catalog {
        try Catalog(products: Array(products.values), plans: Array(plans.values), addOns: Array(addOns.values),
                    dependencies: dependencies, bundles: bundles, cycleDiscounts: cycleDiscounts,
                    promotions: Array(promotions.values), taxRates: taxRates, charges: charges)
    }

    /// The charge `id`.
    /// - throws: `charge.unknown` at `field`.
    public func charge(_ id: ChargeID, field: String) throws -> Charge {
        guard let c = charges[id] else {
            throw RecurError(.chargeUnknown, field: field, "Unknown charge \(id)", ["charge": .text(id.rawValue)])
        }
        return c
    }

    /// The priced line for `quantity` units of `charge` bought by `customer`: gross =
    /// unit × quantity, no discount, tax at the customer's rate for the charge.
    /// - throws: `charge.invalid_quantity` (below 1, above the maximum, or an amount
    ///   that overflows), `charge.no_price`.
    public func line(for charge: Charge, quantity: Int, customer: Customer, description: String? = nil) throws -> InvoiceLine {
        let maximum = charge.maximumQuantity ?? 1_000_000
        guard quantity >= 1 && quantity <= maximum else {
            throw RecurError(.chargeInvalidQuantity, field: "quantity",
                             "Quantity of \(charge.name) must be between 1 and \(maximum), not \(quantity)",
                             ["quantity": .int(Int64(quantity)), "minimum": .int(1), "maximum": .int(Int64(maximum))])
        }
        let unit = try charge.price(in: customer.currency, field: "charge")
        let (gross, overflow) = unit.minorUnits.multipliedReportingOverflow(by: Int64(quantity))
        guard !overflow else {
            throw RecurError(.chargeInvalidQuantity, field: "quantity", "\(quantity) × \(unit) is too large",
                             ["quantity": .int(Int64(quantity))])
        }
        let draft = LineDraft(kind: .oneOff, description: description ?? charge.name, period: nil, quantity: Int64(quantity),
                              unitAmount: unit, amount: Money(minorUnits: gross, currency: unit.currency), taxCategory: charge.taxCategory)
        var line = try PriceCalculator(catalog: self, customer: customer, currency: customer.currency).price([draft])[0]
        line.charge = charge.id
        line.topUp = charge.topUp
        return line
    }
}
