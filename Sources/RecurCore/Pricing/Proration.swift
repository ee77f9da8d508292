/// Day-based proration in the subscription's time zone.
///
/// A part of a period is worth `amount × days ÷ days in the period`, rounded
/// half-up once. The days are civil days of half-open periods, so a full period
/// is always worth exactly its price, and the days of [start, d) and [d, end)
/// always add up to the period's days.
public enum Proration {
    /// What `days` days of `period` cost when the whole period costs `amount`.
    public static func charge(_ amount: Money, days: Int, of period: Period) throws -> Money {
        guard (0...period.days).contains(days) else {
            throw RecurError(.periodInvalid, field: "days", "\(days) days is not a part of \(period) (\(period.days) days)",
                             ["days": .int(Int64(days)), "periodDays": .int(Int64(period.days))])
        }
        return try amount.multiplied(by: Int64(days), dividedBy: Int64(period.days))
    }

    /// What the part of `period` from `date` on costs when the whole costs `amount`.
    public static func charge(_ amount: Money, for period: Period, from date: CivilDate) throws -> Money {
        try charge(amount, days: period.days(from: date), of: period)
    }

    /// The credit for the unused part of a paid period: what was `paid` for the
    /// whole of `period`, in proportion to the days from `date` to its end. Never
    /// more than was paid, never negative.
    public static func credit(for paid: Money, period: Period, unusedFrom date: CivilDate) throws -> Money {
        guard !paid.isNegative else { return .zero(paid.currency) }
        return try charge(paid, for: period, from: date)
    }
}
