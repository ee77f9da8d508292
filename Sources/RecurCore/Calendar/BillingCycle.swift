/// How long one billing period lasts, in whole months: monthly, yearly, or a
/// multi-cycle package of N months (004 sells 1, 3, 6 and 12 months, each with its
/// own price).
///
/// Cycles are ordered by length, which is what the dependency rule "a dependent
/// product's cycle may not be longer than its base's" compares.
public struct BillingCycle: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let months: Int

    /// A cycle of `months` months, 1...120.
    /// - throws: `cycle.invalid` outside that range.
    public init(months: Int) throws {
        guard (1...120).contains(months) else {
            throw RecurError(.cycleInvalid, field: "cycle", "A billing cycle lasts 1 to 120 months, not \(months)", ["months": .int(Int64(months))])
        }
        self.months = months
    }

    private init(unchecked months: Int) { self.months = months }

    public static let monthly = BillingCycle(unchecked: 1)
    public static let quarterly = BillingCycle(unchecked: 3)
    public static let halfYearly = BillingCycle(unchecked: 6)
    public static let yearly = BillingCycle(unchecked: 12)

    public static func < (l: BillingCycle, r: BillingCycle) -> Bool { l.months < r.months }

    /// `month`, `year`, `3 months`, `2 years`.
    public var description: String {
        switch months {
        case 1: "month"
        case 12: "year"
        case let m where m % 12 == 0: "\(m / 12) years"
        default: "\(months) months"
        }
    }

    /// `monthly`, `yearly`, `3-monthly`, `2-yearly`: the cycle as an adjective.
    public var adjective: String {
        switch months {
        case 1: "monthly"
        case 12: "yearly"
        case let m where m % 12 == 0: "\(m / 12)-yearly"
        default: "\(months)-monthly"
        }
    }

    /// Parses `month`, `monthly`, `year`, `yearly`, `annual`, `3 months`, `2 years`, `P3M`, `P2Y` (and the bare number of months).
    /// - throws: `cycle.invalid`.
    public init(parsing text: String) throws {
        let t = text.lowercased().trimmingSpaces
        switch t {
        case "month", "monthly", "1 month", "p1m": self = .monthly
        case "year", "yearly", "annual", "annually", "1 year", "p1y", "p12m": self = .yearly
        case "quarter", "quarterly": self = .quarterly
        default:
            if t.hasPrefix("p"), t.hasSuffix("y"), let y = Int(t.dropFirst().dropLast()) {
                try self.init(months: y * 12)
                return
            }
            var digits = t
            for suffix in [" months", " month", "m"] where digits.hasSuffix(suffix) { digits.removeLast(suffix.count); break }
            if digits.hasPrefix("p") { digits.removeFirst() }
            if t.hasSuffix(" years") || t.hasSuffix(" year"), let y = Int(t.split(separator: " ")[0]) {
                try self.init(months: y * 12)
                return
            }
            guard let m = Int(digits) else {
                throw RecurError(.cycleInvalid, field: "cycle", "'\(text)' is not a billing cycle", ["cycle": .text(text)])
            }
            try self.init(months: m)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let m = try? c.decode(Int.self) { try self.init(months: m) } else { try self.init(parsing: try c.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(months)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
