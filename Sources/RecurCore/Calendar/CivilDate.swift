public import Foundation

/// A date on the proleptic Gregorian calendar with no time and no zone: a billing
/// date as the customer reads it ("15/1/2024").
///
/// Billing periods are ranges of civil dates in the customer's time zone; an instant
/// (a `Date`) becomes a civil date only through ``init(_:in:)`` with that zone.
/// Arithmetic uses a day count from 1970-01-01, so days between dates is exact
/// across month ends and leap years.
public struct CivilDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date.
    /// - throws: `date.invalid` for a month outside 1...12 or a day the month lacks.
    public init(_ year: Int, _ month: Int, _ day: Int) throws {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysInMonth(year: year, month: month)).contains(day) else {
            throw RecurError(.dateInvalid, field: "date", "\(year)-\(month)-\(day) is not a date",
                             ["year": .int(Int64(year)), "month": .int(Int64(month)), "day": .int(Int64(day))])
        }
        self.year = year; self.month = month; self.day = day
    }

    private init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    /// - throws: `date.invalid`.
    public init(iso text: String) throws {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { ("0"..."9").contains($0) } }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else {
            throw RecurError(.dateInvalid, field: "date", "'\(text)' is not a date in the form YYYY-MM-DD", ["date": .text(text)])
        }
        try self.init(y, m, d)
    }

    /// The civil date of `instant` in `timeZone`.
    public init(_ instant: Date, in timeZone: TimeZone) {
        // From 1900 on, the zone's offset at the instant gives the local day by arithmetic
        // (a billing run converts several dates per renewal; a Calendar costs far more).
        let t = instant.timeIntervalSince1970
        if t >= Self.arithmeticFrom, t < Self.arithmeticUntil {
            let local = t + Double(timeZone.secondsFromGMT(for: instant))
            self.init(daysSinceEpoch: Int((local / 86_400).rounded(.down)))
            return
        }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let c = cal.dateComponents([.year, .month, .day], from: instant)
        self.init(unchecked: c.year!, c.month!, c.day!)
    }

    /// The instant this date starts (00:00) in `timeZone`.
    public func startInstant(in timeZone: TimeZone) -> Date {
        let local = Double(daysSinceEpoch) * 86_400
        if local >= Self.arithmeticFrom + 86_400, local < Self.arithmeticUntil - 86_400 {
            func offset(_ t: Double) -> Double { Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: t))) }
            let t = local - offset(local - offset(local))
            // Unique unless the zone's offset changes within three hours of it (midnight may then
            // be skipped or come twice): Foundation's calendar decides those.
            let o = local - t
            if offset(t) == o, offset(t - 10_800) == o, offset(t + 10_800) == o { return Date(timeIntervalSince1970: t) }
        }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        return cal.date(from: DateComponents(year: year, month: month, day: day))!
    }

    /// 1900-01-01 and 10000-01-01 (UTC): the range where dates are converted by arithmetic.
    static let arithmeticFrom: Double = -2_208_988_800
    static let arithmeticUntil: Double = 253_402_300_800

    /// `YYYY-MM-DD` for years 0…9999, written without intermediate strings.
    private var fastDescription: String? {
        guard (0...9999).contains(year) else { return nil }
        return String(unsafeUninitializedCapacity: 10) { b in
            var y = year
            for i in stride(from: 3, through: 0, by: -1) {
                b[i] = UInt8(ascii: "0") + UInt8(y % 10)
                y /= 10
            }
            b[4] = UInt8(ascii: "-")
            b[5] = UInt8(ascii: "0") + UInt8(month / 10)
            b[6] = UInt8(ascii: "0") + UInt8(month % 10)
            b[7] = UInt8(ascii: "-")
            b[8] = UInt8(ascii: "0") + UInt8(day / 10)
            b[9] = UInt8(ascii: "0") + UInt8(day % 10)
            return 10
        }
    }

    public static func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (negative before it). Howard Hinnant's days_from_civil.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01. Howard Hinnant's civil_from_days.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(unchecked: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: CivilDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// This date moved by `months`, its day clamped to the target month's length and
    /// taken from `anchorDay` when given: from an anchor of 31 January, one month is
    /// 28/29 February and two months are 31 March (not 28 March).
    public func adding(months: Int, anchorDay: Int? = nil) -> CivilDate {
        let index = year * 12 + (month - 1) + months
        let y = index / 12, m = index % 12 + 1
        let wanted = anchorDay ?? day
        return CivilDate(unchecked: y, m, min(wanted, CivilDate.daysInMonth(year: y, month: m)))
    }

    /// The first day of this date's month.
    public var startOfMonth: CivilDate { CivilDate(unchecked: year, month, 1) }
    /// The last day of this date's month.
    public var endOfMonth: CivilDate { CivilDate(unchecked: year, month, CivilDate.daysInMonth(year: year, month: month)) }

    public static func < (l: CivilDate, r: CivilDate) -> Bool {
        (l.year, l.month, l.day) < (r.year, r.month, r.day)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        if let fast = fastDescription { return fast }
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// `D/M/YYYY` as the Vietnamese seeds write dates ("15/1/2024").
    public var dayMonthYear: String { "\(day)/\(month)/\(year)" }

    public init(from decoder: any Decoder) throws {
        try self.init(iso: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension RecurError.Code {
    public static let dateInvalid: Self = "date.invalid"
    public static let periodInvalid: Self = "period.invalid"
    public static let cycleInvalid: Self = "cycle.invalid"
}
