/// An ISO 4217 currency with its number of minor-unit digits.
///
/// VND and JPY have no minor unit (an amount of 1,250,000 ₫ is stored as
/// 1250000); MYR, EUR and USD have two (RM 12.50 is stored as 1250). Only the
/// currencies in ``Currency/known`` are accepted: an unknown code is an error, not a
/// guess at its exponent.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The three-letter code, upper case.
    public let code: String
    /// How many decimal digits the minor unit has (0 for VND and JPY, 2 for EUR).
    public let minorUnitDigits: Int

    private init(_ code: String, _ digits: Int) {
        self.code = code
        self.minorUnitDigits = digits
    }

    /// The currency with this ISO 4217 code (case-insensitive).
    /// - throws: `RecurError` `currency.unknown` for a code Recur does not know.
    public init(code: String) throws {
        let upper = code.uppercased()
        guard let known = Currency.known[upper] else {
            throw RecurError(.currencyUnknown, field: "currency", "Unknown currency '\(code)'", ["currency": .text(code)])
        }
        self = known
    }

    public init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        try self.init(code: code)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(code)
    }

    public var description: String { code }

    /// 10 to the power of `minorUnitDigits`: minor units in one major unit.
    public var minorUnitsPerMajor: Int64 {
        var f: Int64 = 1
        for _ in 0..<minorUnitDigits { f *= 10 }
        return f
    }

    public static let vnd = Currency("VND", 0)
    public static let jpy = Currency("JPY", 0)
    public static let myr = Currency("MYR", 2)
    public static let eur = Currency("EUR", 2)
    public static let usd = Currency("USD", 2)

    /// The currencies Recur accepts, by code (ISO 4217 exponents).
    public static let known: [String: Currency] = {
        let list: [Currency] = [
            .vnd, .jpy, .myr, .eur, .usd,
            Currency("GBP", 2), Currency("CHF", 2), Currency("SGD", 2), Currency("THB", 2),
            Currency("IDR", 2), Currency("PHP", 2), Currency("CNY", 2), Currency("HKD", 2),
            Currency("TWD", 2), Currency("AUD", 2), Currency("CAD", 2), Currency("NZD", 2),
            Currency("SEK", 2), Currency("NOK", 2), Currency("DKK", 2), Currency("PLN", 2),
            Currency("CZK", 2), Currency("INR", 2), Currency("KRW", 0), Currency("CLP", 0),
            Currency("ISK", 0), Currency("XOF", 0), Currency("XAF", 0), Currency("KWD", 3),
            Currency("BHD", 3), Currency("JOD", 3), Currency("OMR", 3), Currency("TND", 3),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.code, $0) })
    }()
}

extension RecurError.Code {
    public static let currencyUnknown: Self = "currency.unknown"
    public static let currencyMismatch: Self = "currency.mismatch"
}
