public import Foundation

/// `yyyyMMddHHmmss` (PHP `YmdHis`) at an explicit, fixed UTC offset.
///
/// VNPAY and VNPT Pay want GMT+7 wall-clock time (PAYMENTS.md 1.2, 4.1, pitfall 7.2) whatever
/// the server's time zone; 2Checkout's read receipt uses the same shape (3.1). This is plain
/// proleptic-Gregorian arithmetic with no `Calendar`, `Locale` or `TimeZone`, so the result
/// cannot depend on the machine. Fractions of a second are truncated towards the past.
///
/// For example:
///
/// ```swift
/// let t = Date(timeIntervalSince1970: 1_627_806_813)            // 2021-08-01 08:33:33 UTC
/// CompactTimestamp.format(t, utcOffsetSeconds: CompactTimestamp.gmtPlus7)  // "20210801153333"
/// ```
public enum CompactTimestamp {
    /// Vietnam's offset, GMT+7, in seconds.
    public static let gmtPlus7 = 7 * 3600

    /// Formats `date` as `yyyyMMddHHmmss` at `utcOffsetSeconds` east of UTC.
    public static func format(_ date: Date, utcOffsetSeconds: Int) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down)) + Int64(utcOffsetSeconds)
        let (days, secondOfDay) = floorDivMod(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        let hour = secondOfDay / 3600
        let minute = secondOfDay % 3600 / 60
        let second = secondOfDay % 60
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + pad(hour, 2) + pad(minute, 2) + pad(second, 2)
    }

    /// Parses `yyyyMMddHHmmss` at `utcOffsetSeconds` east of UTC; `nil` unless it is exactly
    /// 14 digits naming a real date and time.
    public static func parse(_ text: String, utcOffsetSeconds: Int) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 14, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        func number(_ from: Int, _ count: Int) -> Int64 {
            digits[from..<(from + count)].reduce(0) { $0 * 10 + Int64($1 - 0x30) }
        }
        let year = number(0, 4), month = number(4, 2), day = number(6, 2)
        let hour = number(8, 2), minute = number(10, 2), second = number(12, 2)
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let local = days * 86_400 + hour * 3600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(local - Int64(utcOffsetSeconds)))
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 {
            q -= 1
            r += b
        }
        return (q, r)
    }

    private static func isLeap(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivMod(y, 400).0
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDivMod(z, 146_097).0
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
