/// An exact amount of money: an integer count of minor units in one currency.
///
/// Arithmetic never uses floating point and never wraps: a sum that leaves the
/// `Int64` range throws `money.overflow`, and mixing currencies throws
/// `currency.mismatch`. Fractions of an amount (a percentage, a proration) are
/// computed in `Int128` and rounded once, half away from zero ("half-up" for
/// positive amounts, mirrored for credits), at the points `docs/pricing.md` names.
///
/// For example:
/// ```swift
/// let monthly = Money(minorUnits: 150_000, currency: .vnd)   // 150,000 ₫
/// let yearly = try monthly * 12                               // 1,800,000 ₫
/// let discount = try yearly.percentage(Percentage(percent: 20))   // 360,000 ₫
/// ```
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    public let minorUnits: Int64
    public let currency: Currency

    public init(minorUnits: Int64, currency: Currency) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minorUnits: 0, currency: currency) }

    public var isZero: Bool { minorUnits == 0 }
    public var isNegative: Bool { minorUnits < 0 }
    public var isPositive: Bool { minorUnits > 0 }

    /// The amount with its sign reversed (a charge becomes a credit).
    public func negated() throws -> Money {
        guard minorUnits != .min else { throw Money.overflow("negate", self) }
        return Money(minorUnits: -minorUnits, currency: currency)
    }

    // MARK: Arithmetic

    public static func + (l: Money, r: Money) throws -> Money {
        try l.requireSameCurrency(r)
        let (v, o) = l.minorUnits.addingReportingOverflow(r.minorUnits)
        guard !o else { throw Money.overflow("add", l, r) }
        return Money(minorUnits: v, currency: l.currency)
    }

    public static func - (l: Money, r: Money) throws -> Money {
        try l.requireSameCurrency(r)
        let (v, o) = l.minorUnits.subtractingReportingOverflow(r.minorUnits)
        guard !o else { throw Money.overflow("subtract", l, r) }
        return Money(minorUnits: v, currency: l.currency)
    }

    public static func * (l: Money, quantity: Int64) throws -> Money {
        let (v, o) = l.minorUnits.multipliedReportingOverflow(by: quantity)
        guard !o else { throw Money.overflow("multiply", l) }
        return Money(minorUnits: v, currency: l.currency)
    }

    public static func * (l: Money, quantity: Int) throws -> Money { try l * Int64(quantity) }

    /// `self × numerator ÷ denominator`, rounded half away from zero to the minor unit.
    ///
    /// This is the single rounding point of every fraction in Recur: percentages,
    /// day-based proration and inclusive tax all go through it.
    /// - throws: `money.overflow` when the result leaves the `Int64` range, and
    ///   `money.division_by_zero` for a zero denominator.
    public func multiplied(by numerator: Int64, dividedBy denominator: Int64) throws -> Money {
        guard denominator != 0 else {
            throw RecurError(.moneyDivisionByZero, "Cannot divide \(self) by zero", ["amount": .money(self)])
        }
        let v = Money.roundHalfAwayFromZero(Int128(minorUnits) * Int128(numerator), Int128(denominator))
        guard let exact = Int64(exactly: v) else { throw Money.overflow("scale", self) }
        return Money(minorUnits: exact, currency: currency)
    }

    /// The given percentage of this amount, rounded half-up to the minor unit.
    public func percentage(_ p: Percentage) throws -> Money {
        try multiplied(by: p.basisPoints, dividedBy: 10_000)
    }

    /// `n ÷ d` rounded half away from zero, for any signs.
    static func roundHalfAwayFromZero(_ n: Int128, _ d: Int128) -> Int128 {
        let negative = (n < 0) != (d < 0)
        let an = n.magnitude, ad = d.magnitude
        var q = an / ad
        let r = an % ad
        if r * 2 >= ad { q += 1 }
        let signed = Int128(q)
        return negative ? -signed : signed
    }

    // MARK: Allocation

    /// Splits this amount in proportion to `weights` without losing or inventing a
    /// minor unit: the parts always sum to the whole.
    ///
    /// Each part is first rounded down (toward zero); the minor units left over go
    /// one each to the parts with the largest remainders, earlier parts first on a
    /// tie (the largest-remainder method). A negative amount is split as its
    /// magnitude and every part negated.
    ///
    /// For example, 100 ₫ over weights [1, 1, 1] is [34, 33, 33].
    /// - throws: `money.allocation_invalid` for no weights, a negative weight or
    ///   weights that sum to zero.
    public func allocated(_ weights: [Int64]) throws -> [Money] {
        guard !weights.isEmpty, weights.allSatisfy({ $0 >= 0 }) else {
            throw RecurError(.moneyAllocationInvalid, field: "weights", "Allocation needs at least one weight and no negative weight")
        }
        let total = weights.reduce(Int128(0)) { $0 + Int128($1) }
        guard total > 0 else {
            throw RecurError(.moneyAllocationInvalid, field: "weights", "Allocation weights sum to zero")
        }
        let whole = Int128(minorUnits).magnitude
        var parts: [UInt128] = []
        var remainders: [(index: Int, remainder: UInt128)] = []
        var given: UInt128 = 0
        for (i, w) in weights.enumerated() {
            let product = whole * UInt128(w)
            let q = product / UInt128(total)
            parts.append(q)
            given += q
            remainders.append((i, product % UInt128(total)))
        }
        var left = whole - given
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        var k = 0
        while left > 0 {
            parts[remainders[k].index] += 1
            left -= 1
            k += 1
        }
        // Every part is at most |minorUnits|, so once the sign is applied it fits back
        // into Int64 (a part of 2^63 only occurs for Int64.min, and is negated first).
        let negative = minorUnits < 0
        return parts.map {
            let part = Int128($0)
            return Money(minorUnits: Int64(negative ? -part : part), currency: currency)
        }
    }

    /// Splits this amount into `count` parts that differ by at most one minor unit.
    public func split(into count: Int) throws -> [Money] {
        guard count > 0 else {
            throw RecurError(.moneyAllocationInvalid, field: "count", "Cannot split into \(count) parts", ["count": .int(Int64(count))])
        }
        return try allocated(Array(repeating: 1, count: count))
    }

    // MARK: Comparison (same currency only)

    public func isLess(than other: Money) throws -> Bool {
        try requireSameCurrency(other)
        return minorUnits < other.minorUnits
    }

    /// The smaller of two amounts in the same currency.
    public static func min(_ a: Money, _ b: Money) throws -> Money { try a.isLess(than: b) ? a : b }
    /// The larger of two amounts in the same currency.
    public static func max(_ a: Money, _ b: Money) throws -> Money { try a.isLess(than: b) ? b : a }

    /// Sums amounts of one currency; an empty list sums to zero in `currency`.
    public static func sum(_ amounts: some Sequence<Money>, currency: Currency) throws -> Money {
        try amounts.reduce(.zero(currency)) { try $0 + $1 }
    }

    func requireSameCurrency(_ other: Money) throws {
        guard currency == other.currency else {
            throw RecurError(
                .currencyMismatch, field: "currency",
                "Cannot combine \(currency.code) and \(other.currency.code) amounts",
                ["currency": .text(currency.code), "otherCurrency": .text(other.currency.code)])
        }
    }

    static func overflow(_ op: String, _ a: Money, _ b: Money? = nil) -> RecurError {
        var values: [String: RecurError.Value] = ["amount": .money(a)]
        if let b { values["other"] = .money(b) }
        return RecurError(.moneyOverflow, "Amount out of range in \(op) of \(a)\(b.map { " and \($0)" } ?? "")", values)
    }

    // MARK: Text

    /// The amount as a plain decimal with its code: `1250000 VND`, `12.50 EUR`, `-0.05 USD`.
    public var description: String { "\(decimalString) \(currency.code)" }

    /// The amount as a plain decimal in major units, without grouping: `12.50`.
    public var decimalString: String {
        let digits = currency.minorUnitDigits
        let mag = minorUnits.magnitude
        let sign = minorUnits < 0 ? "-" : ""
        guard digits > 0 else { return sign + String(mag) }
        let factor = UInt64(currency.minorUnitsPerMajor)
        var frac = String(mag % factor)
        while frac.count < digits { frac = "0" + frac }
        return "\(sign)\(mag / factor).\(frac)"
    }

    /// Parses a plain decimal in major units (`"12.5"`, `"1250000"`) exactly.
    /// - throws: `money.invalid` for anything that is not such a decimal or has more
    ///   decimals than the currency has minor-unit digits; `money.overflow` when too large.
    public init(decimal text: String, currency: Currency) throws {
        let invalid = RecurError(.moneyInvalid, field: "amount", "'\(text)' is not an amount in \(currency.code)", ["amount": .text(text)])
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let intPart = parts.first, !intPart.isEmpty,
              intPart.allSatisfy(\.isASCII), intPart.allSatisfy(\.isNumber) else { throw invalid }
        var fracPart = parts.count == 2 ? parts[1] : ""
        guard fracPart.allSatisfy({ $0.isASCII && $0.isNumber }), !(parts.count == 2 && fracPart.isEmpty) else { throw invalid }
        guard fracPart.count <= currency.minorUnitDigits else {
            throw RecurError(.moneyInvalid, field: "amount",
                             "\(currency.code) has \(currency.minorUnitDigits) decimal digits; '\(text)' has \(fracPart.count)",
                             ["amount": .text(text), "digits": .int(Int64(currency.minorUnitDigits))])
        }
        while fracPart.count < currency.minorUnitDigits { fracPart += "0" }
        // Parsed with its sign, so the most negative amount (Int64.min) reads back too.
        guard let major = Int64((negative ? "-" : "") + intPart), let minor = Int64(fracPart.isEmpty ? "0" : String(fracPart)) else {
            throw RecurError(.moneyOverflow, field: "amount", "'\(text)' is too large", ["amount": .text(text)])
        }
        let (scaled, o1) = major.multipliedReportingOverflow(by: currency.minorUnitsPerMajor)
        let (total, o2) = negative ? scaled.subtractingReportingOverflow(minor) : scaled.addingReportingOverflow(minor)
        guard !o1, !o2 else { throw RecurError(.moneyOverflow, field: "amount", "'\(text)' is too large", ["amount": .text(text)]) }
        self.init(minorUnits: total, currency: currency)
    }
}

extension RecurError.Code {
    public static let moneyOverflow: Self = "money.overflow"
    public static let moneyInvalid: Self = "money.invalid"
    public static let moneyDivisionByZero: Self = "money.division_by_zero"
    public static let moneyAllocationInvalid: Self = "money.allocation_invalid"
}
