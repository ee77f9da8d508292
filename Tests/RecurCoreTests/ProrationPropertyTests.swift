import Testing
import PropertyBased
@testable import RecurCore

private func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }
private func day(_ y: Int, _ m: Int, _ d: Int) throws -> CivilDate { try CivilDate(y, m, d) }

@Suite("Proration")
struct ProrationTests {
    /// 001's Workspace year: [2023-01-15, 2024-01-15), 365 days.
    func year() throws -> Period { try Period(start: try day(2023, 1, 15), end: try day(2024, 1, 15)) }

    @Test("proration: 5 of 365 days of 4,800,000 ₫ is 65,753 (65,753.42 rounded)")
    func fiveDays() throws {
        let period = try year()
        #expect(period.days == 365)
        // 4,800,000 × 5 ÷ 365 = 65,753.42 → 65,753.
        #expect(try Proration.charge(vnd(4_800_000), days: 5, of: period) == vnd(65_753))
        // The same from a date: 10/1/2024 leaves 10, 11, 12, 13, 14 January.
        #expect(try Proration.charge(vnd(4_800_000), for: period, from: try day(2024, 1, 10)) == vnd(65_753))
        // In a leap year, 5 of 366 days: 24,000,000 ÷ 366 = 65,573.77 → 65,574.
        let leap = try Period(start: try day(2024, 1, 15), end: try day(2025, 1, 15))
        #expect(leap.days == 366)
        #expect(try Proration.charge(vnd(4_800_000), days: 5, of: leap) == vnd(65_574))
    }

    @Test("proration: no days cost nothing and all days cost the full price")
    func bounds() throws {
        let period = try year()
        #expect(try Proration.charge(vnd(4_800_000), days: 0, of: period) == vnd(0))
        #expect(try Proration.charge(vnd(4_800_000), days: 365, of: period) == vnd(4_800_000))
        // From the start (or before it) is the whole period; from the end (or after it) nothing.
        #expect(try Proration.charge(vnd(4_800_000), for: period, from: try day(2022, 12, 1)) == vnd(4_800_000))
        #expect(try Proration.charge(vnd(4_800_000), for: period, from: try day(2024, 1, 15)) == vnd(0))
    }

    @Test("proration: a half minor unit rounds up (73 ₫ for 5 of 10 days = 36.5 → 37)")
    func halfUp() throws {
        let tenDays = try Period(start: try day(2024, 1, 1), end: try day(2024, 1, 11))
        #expect(try Proration.charge(vnd(73), days: 5, of: tenDays) == vnd(37))
        // 10.00 EUR for 1 of 3 days = 333.33 cents → 333; 2 of 3 = 666.67 → 667.
        let threeDays = try Period(start: try day(2024, 2, 28), end: try day(2024, 3, 2))
        #expect(threeDays.days == 3)
        let tenEuro = Money(minorUnits: 1_000, currency: .eur)
        #expect(try Proration.charge(tenEuro, days: 1, of: threeDays).minorUnits == 333)
        #expect(try Proration.charge(tenEuro, days: 2, of: threeDays).minorUnits == 667)
    }

    @Test("proration: days outside 0...period.days are period.invalid with both numbers")
    func daysOutOfRange() throws {
        let period = try year()
        let over = try #require(throws: RecurError.self) { try Proration.charge(vnd(4_800_000), days: 366, of: period) }
        #expect(over.code == .periodInvalid)
        #expect(over.field == "days")
        #expect(over.values == ["days": .int(366), "periodDays": .int(365)])
        let under = try #require(throws: RecurError.self) { try Proration.charge(vnd(4_800_000), days: -1, of: period) }
        #expect(under.code == .periodInvalid)
        #expect(under.values["days"] == .int(-1))
    }

    @Test("proration: the credit for unused time is the whole payment before the start, nothing after the end")
    func credit() throws {
        let period = try year()
        let paid = vnd(8_640_000)
        #expect(try Proration.credit(for: paid, period: period, unusedFrom: try day(2022, 6, 1)) == vnd(8_640_000))
        #expect(try Proration.credit(for: paid, period: period, unusedFrom: try day(2023, 1, 15)) == vnd(8_640_000))
        // 8,640,000 × 5 ÷ 365 = 118,356.16 → 118,356.
        #expect(try Proration.credit(for: paid, period: period, unusedFrom: try day(2024, 1, 10)) == vnd(118_356))
        // 8,640,000 × 1 ÷ 365 = 23,671.23 → 23,671 for the last day alone.
        #expect(try Proration.credit(for: paid, period: period, unusedFrom: try day(2024, 1, 14)) == vnd(23_671))
        #expect(try Proration.credit(for: paid, period: period, unusedFrom: try day(2024, 1, 15)) == vnd(0))
        #expect(try Proration.credit(for: paid, period: period, unusedFrom: try day(2025, 3, 1)) == vnd(0))
    }

    @Test("proration: nothing paid or a negative payment gives a zero credit")
    func creditOfNothing() throws {
        let period = try year()
        #expect(try Proration.credit(for: vnd(-1_000), period: period, unusedFrom: try day(2023, 6, 1)) == vnd(0))
        #expect(try Proration.credit(for: vnd(0), period: period, unusedFrom: try day(2023, 6, 1)) == vnd(0))
        let eurCredit = try Proration.credit(for: Money(minorUnits: -500, currency: .eur), period: period, unusedFrom: try day(2023, 6, 1))
        #expect(eurCredit == Money(minorUnits: 0, currency: .eur))
    }
}

@Suite("Proration properties")
struct ProrationPropertyTests {
    /// Start dates from 1970 to about 2079, as days since 1970-01-01.
    static let startDay = Gen.int(in: 0...40_000)
    /// Period lengths of 28 to 400 days.
    static let length = Gen.int(in: 28...400)

    static func period(_ start: Int, _ days: Int) throws -> Period {
        let s = CivilDate(daysSinceEpoch: start)
        return try Period(start: s, end: s.adding(days: days))
    }

    @Test("property: a full period costs exactly its price; no days cost nothing")
    func fullPeriod() async {
        await propertyCheck(count: 200, input: Gen.int64(in: -1_000_000_000_000...1_000_000_000_000), Self.startDay, Self.length) { amount, start, n in
            let p = try Self.period(start, n)
            let m = vnd(amount)
            #expect(p.days == n)
            #expect(try Proration.charge(m, days: n, of: p) == m)
            #expect(try Proration.charge(m, for: p, from: p.start) == m)
            #expect(try Proration.charge(m, days: 0, of: p) == vnd(0))
            #expect(try Proration.charge(m, for: p, from: p.end) == vnd(0))
        }
    }

    @Test("property: k days plus the other n − k days differ from the full price by at most one minor unit")
    func splitAddsUp() async {
        await propertyCheck(count: 200, input: Gen.int64(in: 0...1_000_000_000_000), Self.startDay, Self.length, Gen.int(in: 0...10_000)) { amount, start, n, x in
            let p = try Self.period(start, n)
            let k = x % (n + 1)
            let m = vnd(amount)
            let first = try Proration.charge(m, days: k, of: p)
            let rest = try Proration.charge(m, days: n - k, of: p)
            #expect(abs(first.minorUnits + rest.minorUnits - amount) <= 1)
            #expect(first.minorUnits >= 0 && first.minorUnits <= amount)
            // The same split expressed with a date: [start, d) and [d, end).
            let d = p.start.adding(days: k)
            #expect(try Proration.charge(m, for: p, from: d) == Proration.charge(m, days: n - k, of: p))
        }
    }

    @Test("property: the credit for the unused part is never negative and never more than was paid")
    func creditBounded() async {
        await propertyCheck(count: 200, input: Gen.int64(in: -1_000_000_000_000...1_000_000_000_000), Self.startDay, Self.length, Gen.int(in: -60...460)) { paid, start, n, offset in
            let p = try Self.period(start, n)
            let date = p.start.adding(days: offset)
            let credit = try Proration.credit(for: vnd(paid), period: p, unusedFrom: date)
            #expect(credit.minorUnits >= 0)
            #expect(credit.minorUnits <= max(paid, 0))
            if paid > 0 && offset <= 0 { #expect(credit.minorUnits == paid) }
            if offset >= n { #expect(credit.minorUnits == 0) }
            // The used part charged plus the unused part credited is the payment, within one minor unit.
            if paid >= 0 && (0...n).contains(offset) {
                let used = try Proration.charge(vnd(paid), days: offset, of: p)
                #expect(abs(used.minorUnits + credit.minorUnits - paid) <= 1)
            }
        }
    }
}
