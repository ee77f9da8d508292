/// A half-open range of civil dates [start, end): the service a charge pays for.
///
/// A yearly period bought on 15 January 2023 is [2023-01-15, 2024-01-15): it
/// contains 365 days, the next period starts on its `end`, and documents show it
/// with the inclusive end date 14/1/2024 (``inclusiveEnd``). Consecutive periods
/// never overlap and never leave a gap.
public struct Period: Hashable, Sendable, Codable, CustomStringConvertible {
    public let start: CivilDate
    public let end: CivilDate

    /// - throws: `period.invalid` when `end` is not after `start`.
    public init(start: CivilDate, end: CivilDate) throws {
        guard start < end else {
            throw RecurError(.periodInvalid, field: "period", "A period must end after it starts (\(start) – \(end))",
                             ["start": .date(start), "end": .date(end)])
        }
        self.start = start
        self.end = end
    }

    private enum CodingKeys: String, CodingKey { case start, end }

    /// Decodes through ``init(start:end:)`` so a decoded period is never empty or reversed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(start: c.decode(CivilDate.self, forKey: .start), end: c.decode(CivilDate.self, forKey: .end))
    }

    /// Days in the period: its end minus its start.
    public var days: Int { start.days(until: end) }

    /// The last day still inside the period, as documents show it.
    public var inclusiveEnd: CivilDate { end.adding(days: -1) }

    public func contains(_ date: CivilDate) -> Bool { start <= date && date < end }

    /// Days of the period on or after `date` (all of them before it starts, none after it ends).
    public func days(from date: CivilDate) -> Int {
        if date <= start { return days }
        if date >= end { return 0 }
        return date.days(until: end)
    }

    /// `2024-01-10 – 2024-01-14` with the inclusive end, as documents show it.
    public var displayRange: String { "\(start) – \(inclusiveEnd)" }

    /// `[2024-01-10, 2024-01-15)`.
    public var description: String { "[\(start), \(end))" }
}

/// The periods of a subscription: an anchor date and a cycle.
///
/// Period *n* starts at `anchor` moved by n × cycle months, always computed from
/// the anchor, so a 31 January anchor gives 29 February and then 31 March — the
/// clamping of a short month never carries into the next one.
public struct BillingSchedule: Hashable, Sendable, Codable {
    public let anchor: CivilDate
    public let cycle: BillingCycle

    public init(anchor: CivilDate, cycle: BillingCycle) {
        self.anchor = anchor
        self.cycle = cycle
    }

    /// The start of period `index` (0 is the period starting at the anchor).
    public func start(ofPeriod index: Int) -> CivilDate {
        anchor.adding(months: index * cycle.months, anchorDay: anchor.day)
    }

    public func period(_ index: Int) -> Period {
        // start < end always holds: a cycle is at least one month.
        try! Period(start: start(ofPeriod: index), end: start(ofPeriod: index + 1))
    }

    /// The index of the period containing `date` (negative before the anchor).
    public func periodIndex(containing date: CivilDate) -> Int {
        let months = (date.year - anchor.year) * 12 + (date.month - anchor.month)
        var i = months >= 0 ? months / cycle.months : -((-months + cycle.months - 1) / cycle.months)
        while start(ofPeriod: i) > date { i -= 1 }
        while start(ofPeriod: i + 1) <= date { i += 1 }
        return i
    }

    public func period(containing date: CivilDate) -> Period { period(periodIndex(containing: date)) }
}
