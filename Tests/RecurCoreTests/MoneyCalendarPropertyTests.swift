import Foundation
import PropertyBased
import Testing
@testable import RecurCore

private let kwd = Currency.known["KWD"]!
private let currencies: [Currency] = [.vnd, .jpy, .myr, .eur, .usd, kwd]

/// Weights with at least one positive entry (the only valid allocations).
private func weights(_ range: ClosedRange<Int64>, count: ClosedRange<Int> = 1...10) -> Generator<[Int64], some SendableSequenceType> {
    Gen.int64(in: range).array(of: count).filter { $0.contains { $0 > 0 } }
}

/// `n ÷ d` rounded half away from zero, written independently of `Money.roundHalfAwayFromZero`.
private func referenceRound(_ n: Int128, _ d: Int128) -> Int128 {
    let magnitude = (2 * Int128(n.magnitude) + Int128(d.magnitude)) / (2 * Int128(d.magnitude))
    return (n < 0) != (d < 0) ? -magnitude : magnitude
}

/// A valid date in `year`/`month` with `day` clamped to the month's length.
private func clampedDate(_ year: Int, _ month: Int, _ day: Int) throws -> CivilDate {
    try CivilDate(year, month, min(day, CivilDate.daysInMonth(year: year, month: month)))
}

// MARK: - Money properties

@Suite("Money properties")
struct MoneyPropertyTests {
    @Test("allocation property: parts sum to the whole and each is within one minor unit of its exact share (any Int64 amount)")
    func allocationSumsAndIsFair() async {
        await propertyCheck(count: 1000, input: Gen.int64(), weights(0...1_000)) { amount, weights throws in
            let parts = try Money(minorUnits: amount, currency: .vnd).allocated(weights)
            #expect(parts.count == weights.count)
            #expect(parts.reduce(Int128(0)) { $0 + Int128($1.minorUnits) } == Int128(amount))
            let total = weights.reduce(Int128(0)) { $0 + Int128($1) }
            for (part, w) in Swift.zip(parts, weights) {
                // |part − amount × w / total| < 1  ⇔  |part × total − amount × w| < total
                let error = Int128(part.minorUnits) * total - Int128(amount) * Int128(w)
                #expect(error.magnitude < total.magnitude, "part \(part.minorUnits) of \(amount) for weight \(w) / \(total)")
                #expect(part.currency == .vnd)
            }
        }
    }

    @Test("allocation property: small amounts (-1000...1000) over weights with many zeros: zero weights get 0, signs follow the amount")
    func allocationSmallAmountsAndZeroWeights() async {
        await propertyCheck(count: 1000, input: Gen.int64(in: -1000...1000), weights(0...3, count: 1...12)) { amount, weights throws in
            let parts = try Money(minorUnits: amount, currency: .eur).allocated(weights)
            #expect(parts.map(\.minorUnits).reduce(0, +) == amount)
            for (part, w) in Swift.zip(parts, weights) {
                if w == 0 { #expect(part.minorUnits == 0) }
                #expect(amount >= 0 ? part.minorUnits >= 0 : part.minorUnits <= 0)
                #expect(part.minorUnits.magnitude <= amount.magnitude)
            }
        }
    }

    @Test("allocation property: huge weights (up to Int64.max) never overflow and still sum to the whole")
    func allocationHugeWeights() async {
        await propertyCheck(count: 500, input: Gen.int64(), weights(0...Int64.max)) { amount, weights throws in
            let parts = try Money(minorUnits: amount, currency: .usd).allocated(weights)
            #expect(parts.reduce(Int128(0)) { $0 + Int128($1.minorUnits) } == Int128(amount))
            let total = weights.reduce(Int128(0)) { $0 + Int128($1) }
            for (part, w) in Swift.zip(parts, weights) {
                let error = Int128(part.minorUnits) * total - Int128(amount) * Int128(w)
                #expect(error.magnitude < total.magnitude)
            }
        }
    }

    @Test("allocation property: negating the amount negates every part (-a over w is -(a over w))")
    func allocationIsOdd() async {
        await propertyCheck(count: 500, input: Gen.int64(in: -Int64.max...Int64.max), weights(0...100)) { amount, weights throws in
            let plus = try Money(minorUnits: amount, currency: .vnd).allocated(weights).map(\.minorUnits)
            let minus = try Money(minorUnits: -amount, currency: .vnd).allocated(weights).map(\.minorUnits)
            #expect(minus == plus.map { -$0 })
        }
    }

    @Test("split property: parts sum to the whole, differ by at most 1 and the larger parts come first")
    func splitParts() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int(in: 1...50)) { amount, count throws in
            let parts = try Money(minorUnits: amount, currency: .jpy).split(into: count).map(\.minorUnits)
            #expect(parts.count == count)
            #expect(parts.reduce(Int128(0)) { $0 + Int128($1) } == Int128(amount))
            let magnitudes = parts.map(\.magnitude)
            #expect(magnitudes.max()! - magnitudes.min()! <= 1)
            #expect(magnitudes == magnitudes.sorted(by: >))
            // Each part is the truncated share or one more.
            let share = amount / Int64(count)
            #expect(parts.allSatisfy { $0 == share || $0 == share + (amount < 0 ? -1 : 1) })
        }
    }

    @Test("scaling property: multiplied(by: n, dividedBy: n) is the identity for every amount and every non-zero n")
    func scaleByOneIsIdentity() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int64().filter { $0 != 0 }) { amount, n throws in
            let m = Money(minorUnits: amount, currency: .eur)
            #expect(try m.multiplied(by: n, dividedBy: n) == m)
        }
    }

    @Test("scaling property: the result is the nearest minor unit, halves away from zero, or money.overflow when it leaves Int64")
    func scaleRoundsToNearest() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int64(in: -10_000...10_000), Gen.int64(in: -10_000...10_000).filter { $0 != 0 }) { amount, n, d throws in
            let exact = Int128(amount) * Int128(n)
            let expected = referenceRound(exact, Int128(d))
            do {
                let r = try Money(minorUnits: amount, currency: .vnd).multiplied(by: n, dividedBy: d).minorUnits
                #expect(Int128(r) == expected)
                let twiceError = (2 * (exact - Int128(r) * Int128(d))).magnitude
                #expect(twiceError <= Int128(d).magnitude)
                if twiceError == Int128(d).magnitude { #expect((Int128(r) * Int128(d)).magnitude > exact.magnitude) }
            } catch let error as RecurError {
                #expect(error.code == .moneyOverflow)
                #expect(Int64(exactly: expected) == nil)
            }
        }
    }

    @Test("percentage property: 100 % of any amount is the amount, 0 % is zero, 50 % of 2a is a")
    func percentageIdentities() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int64(in: -(Int64.max / 2)...(Int64.max / 2))) { amount, half throws in
            let m = Money(minorUnits: amount, currency: .usd)
            #expect(try m.percentage(.hundred) == m)
            #expect(try m.percentage(.zero) == .zero(.usd))
            #expect(try Money(minorUnits: 2 * half, currency: .usd).percentage(Percentage(percent: 50)).minorUnits == half)
        }
    }

    @Test("percentage property: p % of a is within half a minor unit of a × p / 10000 and never larger in magnitude than a for p ≤ 100 %")
    func percentageBounded() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int64(in: 0...10_000)) { amount, bp throws in
            let r = try Money(minorUnits: amount, currency: .vnd).percentage(Percentage(basisPoints: bp)).minorUnits
            #expect(r.magnitude <= amount.magnitude)
            #expect((2 * (Int128(r) * 10_000 - Int128(amount) * Int128(bp))).magnitude <= 10_000)
        }
    }

    @Test("arithmetic property: + and - equal Int128 arithmetic or throw money.overflow exactly when it leaves Int64")
    func addSubtractMatchesInt128() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int64()) { a, b throws in
            let x = Money(minorUnits: a, currency: .eur), y = Money(minorUnits: b, currency: .eur)
            for (op, expected): (String, Int128) in [("+", Int128(a) + Int128(b)), ("-", Int128(a) - Int128(b))] {
                do {
                    let r = try op == "+" ? x + y : x - y
                    #expect(Int128(r.minorUnits) == expected, "\(a) \(op) \(b)")
                } catch let error as RecurError {
                    #expect(error.code == .moneyOverflow)
                    #expect(Int64(exactly: expected) == nil, "\(a) \(op) \(b)")
                }
            }
        }
    }

    @Test("arithmetic property: × equals Int128 multiplication or throws money.overflow exactly when it leaves Int64")
    func multiplyMatchesInt128() async {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.int64(in: -100_000...100_000)) { a, q throws in
            let expected = Int128(a) * Int128(q)
            do {
                #expect(Int128(try (Money(minorUnits: a, currency: .vnd) * q).minorUnits) == expected)
            } catch let error as RecurError {
                #expect(error.code == .moneyOverflow)
                #expect(Int64(exactly: expected) == nil)
            }
        }
    }

    @Test("arithmetic property: (a + b) - b == a whenever a + b fits")
    func addThenSubtract() async {
        await propertyCheck(count: 1000, input: Gen.int64(in: -(1 << 62)...(1 << 62)), Gen.int64(in: -(1 << 62)...(1 << 62))) { a, b throws in
            let x = Money(minorUnits: a, currency: .myr), y = Money(minorUnits: b, currency: .myr)
            #expect(try (x + y) - y == x)
            #expect(try x + y == y + x)
        }
    }

    @Test("text property: description's decimal parses back to the same amount in VND, JPY, MYR, EUR, USD and KWD (including Int64.min)")
    func decimalRoundTrip() async throws {
        await propertyCheck(count: 1000, input: Gen.int64(), Gen.element(of: currencies)) { amount, someCurrency throws in
            let currency = try #require(someCurrency)
            let m = Money(minorUnits: amount, currency: currency)
            #expect(try Money(decimal: m.decimalString, currency: currency) == m, "\(m)")
            #expect(m.description == "\(m.decimalString) \(currency.code)")
            let fraction = m.decimalString.split(separator: ".").dropFirst().first
            #expect((fraction?.count ?? 0) == currency.minorUnitDigits)
        }
        for currency in currencies {
            for amount in [Int64.min, Int64.max, 0, -1, 1] {
                let m = Money(minorUnits: amount, currency: currency)
                #expect(try Money(decimal: m.decimalString, currency: currency) == m, "\(m)")
            }
        }
    }

    @Test("codable property: Money round-trips through JSON for any amount and currency")
    func codableRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.int64(), Gen.element(of: currencies)) { amount, someCurrency throws in
            let m = Money(minorUnits: amount, currency: try #require(someCurrency))
            #expect(try JSONDecoder().decode(Money.self, from: JSONEncoder().encode(m)) == m)
        }
    }

    @Test("currency property: any casing of a known code ('kWd', 'Usd') finds the same currency")
    func currencyCaseInsensitive() async {
        let codes = Currency.known.keys.sorted()
        await propertyCheck(count: 300, input: Gen.element(of: codes), Gen.bool.array(of: 3)) { someCode, lower throws in
            let code = try #require(someCode)
            let mixed = String(Swift.zip(code, lower).map { c, l in l ? Character(c.lowercased()) : c })
            #expect(try Currency(code: mixed) == Currency.known[code])
        }
    }
}

// MARK: - Calendar properties

@Suite("Calendar properties")
struct CalendarPropertyTests {
    @Test("schedule property: consecutive periods never gap or overlap (period(i).end == period(i+1).start) for month-end anchors 1999–2101 and cycles 1...24")
    func scheduleContiguousMonthEnds() async {
        await propertyCheck(count: 500, input: Gen.int(in: 1999...2101), Gen.int(in: 1...12), Gen.int(in: 28...31), Gen.int(in: 1...24)) { y, m, d, months throws in
            let anchor = try clampedDate(y, m, d)
            let s = BillingSchedule(anchor: anchor, cycle: try BillingCycle(months: months))
            #expect(s.period(0).start == anchor)
            for i in -30...30 {
                #expect(s.period(i).end == s.period(i + 1).start, "\(anchor) every \(months) months, period \(i)")
                #expect(s.period(i).start == s.start(ofPeriod: i))
            }
        }
    }

    @Test("schedule property: a period of n months has between 28n and 31n days, and each start day is the anchor day clamped to its month")
    func schedulePeriodLengths() async {
        await propertyCheck(count: 500, input: Gen.int(in: 1999...2101), Gen.int(in: 1...12), Gen.int(in: 1...31), Gen.int(in: 1...24)) { y, m, d, months throws in
            let anchor = try clampedDate(y, m, d)
            let s = BillingSchedule(anchor: anchor, cycle: try BillingCycle(months: months))
            for i in -12...36 {
                let p = s.period(i)
                #expect((28 * months...31 * months).contains(p.days), "\(p) for \(months) months")
                #expect(p.start.day == min(anchor.day, CivilDate.daysInMonth(year: p.start.year, month: p.start.month)))
                let monthIndex = p.start.year * 12 + p.start.month - (anchor.year * 12 + anchor.month)
                #expect(monthIndex == i * months)
                #expect(try CivilDate(p.start.year, p.start.month, p.start.day) == p.start)
            }
        }
    }

    @Test("schedule property: periodIndex(containing: d) names the period that contains d, and is monotonic in d")
    func periodIndexContains() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 1999...2101), Gen.int(in: 1...12), Gen.int(in: 25...31), Gen.int(in: 1...24), Gen.int(in: -4000...4000)) { y, m, d, months, offset throws in
            let anchor = try clampedDate(y, m, d)
            let s = BillingSchedule(anchor: anchor, cycle: try BillingCycle(months: months))
            let date = anchor.adding(days: offset)
            let i = s.periodIndex(containing: date)
            #expect(s.period(i).contains(date), "\(date) in \(s.period(i)) (anchor \(anchor), \(months) months)")
            #expect(!s.period(i - 1).contains(date))
            #expect(!s.period(i + 1).contains(date))
            #expect(s.period(containing: date) == s.period(i))
            #expect((i < 0) == (date < anchor))
            #expect(s.periodIndex(containing: date.adding(days: 1)) - i <= 1)
            #expect(s.periodIndex(containing: date.adding(days: 1)) >= i)
        }
    }

    @Test("day property: days(until:) agrees with adding(days:) (a + n is n days after a, and n days back is a)")
    func daysUntilMatchesAddingDays() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 1600...2400), Gen.int(in: 1...12), Gen.int(in: 1...31), Gen.int(in: -100_000...100_000)) { y, m, d, n throws in
            let a = try clampedDate(y, m, d)
            let b = a.adding(days: n)
            #expect(a.days(until: b) == n)
            #expect(b.days(until: a) == -n)
            #expect(b.adding(days: -n) == a)
            #expect((a < b) == (n > 0))
            #expect(b.daysSinceEpoch == a.daysSinceEpoch + n)
        }
    }

    @Test("day property: every day number in 0001-01-01...9999-12-31 gives a valid date that maps back to the same number, and the next number is the next calendar day")
    func daysSinceEpochRoundTrip() async {
        await propertyCheck(count: 2000, input: Gen.int(in: -719_162...2_932_895)) { n throws in
            let date = CivilDate(daysSinceEpoch: n)
            #expect(try CivilDate(date.year, date.month, date.day) == date)
            #expect(date.daysSinceEpoch == n)
            #expect(try CivilDate(iso: date.description) == date)
            let next = CivilDate(daysSinceEpoch: n + 1)
            #expect(date < next)
            if date.day < CivilDate.daysInMonth(year: date.year, month: date.month) {
                #expect((next.year, next.month, next.day) == (date.year, date.month, date.day + 1))
            } else if date.month < 12 {
                #expect((next.year, next.month, next.day) == (date.year, date.month + 1, 1))
            } else {
                #expect((next.year, next.month, next.day) == (date.year + 1, 1, 1))
            }
        }
    }

    @Test("zone property: in a fixed-offset zone the civil date of an instant is floor((t + offset) / 86400) days after 1970-01-01, and startInstant is that day × 86400 − offset")
    func fixedOffsetZones() async {
        // Instants between 1900 and 2200; offsets from UTC-12 to UTC+14 in quarter hours.
        await propertyCheck(count: 1000, input: Gen.int64(in: -2_208_988_800...7_258_118_400), Gen.int(in: -48...56)) { t, quarters throws in
            let offset = quarters * 900
            let tz = try #require(TimeZone(secondsFromGMT: offset))
            let local = t + Int64(offset)
            let expectedDay = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
            let date = CivilDate(Date(timeIntervalSince1970: TimeInterval(t)), in: tz)
            #expect(date.daysSinceEpoch == expectedDay, "t=\(t) offset=\(offset)")
            #expect(date.startInstant(in: tz).timeIntervalSince1970 == TimeInterval(expectedDay * 86_400 - offset))
        }
    }

    @Test("zone property: startInstant(in:) maps back to the same civil date in UTC, Ho Chi Minh, New York, São Paulo, Kiritimati and Pago Pago")
    func startInstantRoundTrip() async throws {
        let zones = try ["UTC", "Asia/Ho_Chi_Minh", "America/New_York", "America/Sao_Paulo", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"]
            .map { try #require(TimeZone(identifier: $0)) }
        await propertyCheck(count: 500, input: Gen.int(in: -25_567...84_000), Gen.element(of: zones)) { n, someZone throws in
            let tz = try #require(someZone)
            let date = CivilDate(daysSinceEpoch: n)  // 1900-01-01 ... 2199
            // Kiritimati skipped 1994-12-31 entirely (UTC-10 → UTC+14): that civil date never existed there.
            if tz.identifier == "Pacific/Kiritimati" && date.description == "1994-12-31" { return }
            let start = date.startInstant(in: tz)
            #expect(CivilDate(start, in: tz) == date, "\(date) in \(tz.identifier)")
            #expect(CivilDate(start.addingTimeInterval(-1), in: tz) == date.adding(days: -1), "\(date) in \(tz.identifier)")
        }
    }

    @Test("month property: adding(months: k, anchorDay:) moves exactly k calendar months and clamps the anchor day to the month")
    func addingMonths() async {
        await propertyCheck(count: 1000, input: Gen.int(in: 1999...2101), Gen.int(in: 1...12), Gen.int(in: 1...31), Gen.int(in: -300...300), Gen.int(in: 1...31)) { y, m, d, k, anchorDay throws in
            let a = try clampedDate(y, m, d)
            let b = a.adding(months: k, anchorDay: anchorDay)
            #expect((b.year * 12 + b.month) - (a.year * 12 + a.month) == k)
            #expect(b.day == min(anchorDay, CivilDate.daysInMonth(year: b.year, month: b.month)))
            #expect(a.adding(months: k).day == min(a.day, CivilDate.daysInMonth(year: b.year, month: b.month)))
        }
    }

    @Test("cycle property: '<n> months', 'P<n>M', the bare number and the description all parse back to n months for 1...120")
    func cycleParsingRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.int(in: 1...120)) { n throws in
            let cycle = try BillingCycle(months: n)
            #expect(try BillingCycle(parsing: "\(n) months").months == n)
            #expect(try BillingCycle(parsing: "P\(n)M").months == n)
            #expect(try BillingCycle(parsing: "\(n)").months == n)
            #expect(try BillingCycle(parsing: cycle.description) == cycle, "'\(cycle.description)'")
            #expect(try JSONDecoder().decode(BillingCycle.self, from: JSONEncoder().encode(cycle)) == cycle)
        }
    }
}
