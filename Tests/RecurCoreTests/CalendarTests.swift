import Foundation
import Testing
import PropertyBased
@testable import RecurCore

private func day(_ iso: String) throws -> CivilDate { try CivilDate(iso: iso) }
private func isoList(_ dates: [CivilDate]) -> [String] { dates.map(\.description) }

// MARK: - CivilDate validation

@Suite("CivilDate validation")
struct CivilDateValidationTests {
    @Test("date: 2024-02-29 and 2000-02-29 are valid (leap years)")
    func leapDays() throws {
        let d = try CivilDate(2024, 2, 29)
        #expect((d.year, d.month, d.day) == (2024, 2, 29))
        let y2k = try CivilDate(2000, 2, 29)
        #expect((y2k.year, y2k.month, y2k.day) == (2000, 2, 29))
    }

    @Test("date: 2023-02-29 and 2100-02-29 are invalid (not leap years) with date.invalid at 'date'")
    func notLeapDays() {
        for (y, m, d) in [(2023, 2, 29), (2100, 2, 29), (1900, 2, 29)] {
            let error = #expect(throws: RecurError.self, "\(y)-\(m)-\(d)") { try CivilDate(y, m, d) }
            #expect(error?.code == .dateInvalid)
            #expect(error?.code.rawValue == "date.invalid")
            #expect(error?.field == "date")
            #expect(error?.values["year"] == .int(Int64(y)))
            #expect(error?.values["month"] == .int(Int64(m)))
            #expect(error?.values["day"] == .int(Int64(d)))
        }
    }

    @Test("date: month 13, month 0, day 0, day 32, 2024-04-31, year 0 and year 10000 are invalid")
    func outOfRange() {
        for (y, m, d) in [(2024, 13, 1), (2024, 0, 1), (2024, 1, 0), (2024, 1, 32), (2024, 4, 31), (2024, 6, 31),
                          (0, 1, 1), (10_000, 1, 1), (-1, 1, 1)] {
            let error = #expect(throws: RecurError.self, "\(y)-\(m)-\(d)") { try CivilDate(y, m, d) }
            #expect(error?.code == .dateInvalid, "\(y)-\(m)-\(d)")
        }
    }

    @Test("date: the range ends are valid: 0001-01-01 and 9999-12-31")
    func rangeEnds() throws {
        #expect(try CivilDate(1, 1, 1).description == "0001-01-01")
        #expect(try CivilDate(9999, 12, 31).description == "9999-12-31")
    }

    @Test("leap years: 2024 and 2000 are leap, 2023, 1900 and 2100 are not")
    func leapYearRule() {
        #expect(CivilDate.isLeapYear(2024))
        #expect(CivilDate.isLeapYear(2000))
        #expect(!CivilDate.isLeapYear(2023))
        #expect(!CivilDate.isLeapYear(1900))
        #expect(!CivilDate.isLeapYear(2100))
    }

    @Test("days in month: Jan 31, Feb 2024 29, Feb 2023 28, Apr 30, Dec 31")
    func daysInMonth() {
        #expect(CivilDate.daysInMonth(year: 2024, month: 1) == 31)
        #expect(CivilDate.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilDate.daysInMonth(year: 2023, month: 2) == 28)
        #expect(CivilDate.daysInMonth(year: 2100, month: 2) == 28)
        #expect(CivilDate.daysInMonth(year: 2024, month: 4) == 30)
        #expect(CivilDate.daysInMonth(year: 2024, month: 12) == 31)
        #expect((1...12).map { CivilDate.daysInMonth(year: 2023, month: $0) }.reduce(0, +) == 365)
        #expect((1...12).map { CivilDate.daysInMonth(year: 2024, month: $0) }.reduce(0, +) == 366)
    }
}

// MARK: - ISO text

@Suite("CivilDate ISO text")
struct CivilDateISOTests {
    @Test("iso: '2024-01-15' parses to 2024/1/15 and formats back to '2024-01-15'")
    func parseAndFormat() throws {
        let d = try day("2024-01-15")
        #expect((d.year, d.month, d.day) == (2024, 1, 15))
        #expect(d.description == "2024-01-15")
        #expect(try CivilDate(5, 3, 7).description == "0005-03-07")
        #expect(try day("0005-03-07") == CivilDate(5, 3, 7))
    }

    @Test("iso: dayMonthYear of 2024-01-15 is '15/1/2024'")
    func dayMonthYear() throws {
        #expect(try day("2024-01-15").dayMonthYear == "15/1/2024")
        #expect(try day("2024-12-31").dayMonthYear == "31/12/2024")
    }

    @Test("iso: malformed text ('2024-1-15', '2024/01/15', '24-01-15', '', '2024-01-15T00:00', '2024-+1-15', '+024-01-15') throws date.invalid")
    func malformed() {
        for text in ["2024-1-15", "2024/01/15", "24-01-15", "", "2024-01-15T00:00", "2024-01", "2024-01-15-",
                     "abcd-ef-gh", " 2024-01-15", "2024-01-1 ", "2024-+1-15", "+024-01-15", "2024-01-+5", "١٢٣٤-01-15"] {
            let error = #expect(throws: RecurError.self, "'\(text)'") { try CivilDate(iso: text) }
            #expect(error?.code == .dateInvalid, "'\(text)'")
            #expect(error?.field == "date", "'\(text)'")
        }
    }

    @Test("iso: well-formed but impossible '2023-02-29' and '2024-13-01' throw date.invalid")
    func impossible() {
        #expect((#expect(throws: RecurError.self) { try CivilDate(iso: "2023-02-29") })?.code == .dateInvalid)
        #expect((#expect(throws: RecurError.self) { try CivilDate(iso: "2024-13-01") })?.code == .dateInvalid)
        #expect((#expect(throws: RecurError.self) { try CivilDate(iso: "0000-01-01") })?.code == .dateInvalid)
    }

    @Test("iso: JSON encodes 2024-01-15 as the string \"2024-01-15\" and decodes it back; a bad string throws date.invalid")
    func codable() throws {
        let d = try day("2024-01-15")
        let data = try JSONEncoder().encode(d)
        #expect(String(decoding: data, as: UTF8.self) == "\"2024-01-15\"")
        #expect(try JSONDecoder().decode(CivilDate.self, from: data) == d)
        let error = #expect(throws: RecurError.self) { try JSONDecoder().decode(CivilDate.self, from: Data("\"2023-02-29\"".utf8)) }
        #expect(error?.code == .dateInvalid)
    }
}

// MARK: - Day arithmetic

@Suite("CivilDate day arithmetic")
struct CivilDateDayArithmeticTests {
    @Test("epoch: 1970-01-01 is day 0, 1969-12-31 is -1, 2000-01-01 is 10957, 2024-01-15 is 19737")
    func daysSinceEpoch() throws {
        #expect(try day("1970-01-01").daysSinceEpoch == 0)
        #expect(try day("1969-12-31").daysSinceEpoch == -1)
        #expect(try day("2000-01-01").daysSinceEpoch == 10_957)
        #expect(try day("2024-01-15").daysSinceEpoch == 19_737)
        #expect(try day("2024-02-29").daysSinceEpoch == 19_782)
        #expect(try day("0001-01-01").daysSinceEpoch == -719_162)
        #expect(try day("9999-12-31").daysSinceEpoch == 2_932_896)
    }

    @Test("epoch: day 0 is 1970-01-01, day 19782 is 2024-02-29, day -719162 is 0001-01-01 (round trip)")
    func fromDaysSinceEpoch() throws {
        #expect(CivilDate(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(CivilDate(daysSinceEpoch: -1).description == "1969-12-31")
        #expect(CivilDate(daysSinceEpoch: 19_782).description == "2024-02-29")
        #expect(CivilDate(daysSinceEpoch: -719_162).description == "0001-01-01")
        #expect(CivilDate(daysSinceEpoch: 2_932_896).description == "9999-12-31")
        for iso in ["1970-01-01", "2000-02-29", "2100-03-01", "1600-12-31", "2024-01-15"] {
            let d = try day(iso)
            #expect(CivilDate(daysSinceEpoch: d.daysSinceEpoch) == d, "\(iso)")
        }
    }

    @Test("days until: 2023-01-15 → 2024-01-15 is 365 days, 2024-01-15 → 2025-01-15 is 366, and reversed -365")
    func daysUntil() throws {
        #expect(try day("2023-01-15").days(until: day("2024-01-15")) == 365)
        #expect(try day("2024-01-15").days(until: day("2025-01-15")) == 366)
        #expect(try day("2024-01-15").days(until: day("2023-01-15")) == -365)
        #expect(try day("2024-01-15").days(until: day("2024-01-15")) == 0)
        #expect(try day("2024-02-28").days(until: day("2024-03-01")) == 2)
        #expect(try day("2023-02-28").days(until: day("2023-03-01")) == 1)
        #expect(try day("2000-01-01").days(until: day("2100-01-01")) == 36_525)
    }

    @Test("adding days: 2024-02-28 + 1 = 2024-02-29, + 2 = 2024-03-01; 2024-01-01 - 1 = 2023-12-31")
    func addingDays() throws {
        #expect(try day("2024-02-28").adding(days: 1).description == "2024-02-29")
        #expect(try day("2024-02-28").adding(days: 2).description == "2024-03-01")
        #expect(try day("2023-02-28").adding(days: 1).description == "2023-03-01")
        #expect(try day("2024-01-01").adding(days: -1).description == "2023-12-31")
        #expect(try day("2024-01-15").adding(days: 366).description == "2025-01-15")
        #expect(try day("2024-01-15").adding(days: 0).description == "2024-01-15")
    }

    @Test("order: 2023-12-31 < 2024-01-01 < 2024-01-15 < 2024-02-01")
    func ordering() throws {
        let dates = try ["2024-02-01", "2024-01-15", "2023-12-31", "2024-01-01"].map(day)
        #expect(isoList(dates.sorted()) == ["2023-12-31", "2024-01-01", "2024-01-15", "2024-02-01"])
        #expect(try day("2023-12-31") < day("2024-01-01"))
        #expect(try !(day("2024-01-01") < day("2024-01-01")))
    }

    @Test("month bounds: 2024-02-10 is in [2024-02-01, 2024-02-29]; 2023-02-10 ends 2023-02-28; 2024-12-05 ends 2024-12-31")
    func monthBounds() throws {
        #expect(try day("2024-02-10").startOfMonth.description == "2024-02-01")
        #expect(try day("2024-02-10").endOfMonth.description == "2024-02-29")
        #expect(try day("2023-02-10").endOfMonth.description == "2023-02-28")
        #expect(try day("2024-12-05").endOfMonth.description == "2024-12-31")
        #expect(try day("2024-04-30").endOfMonth.description == "2024-04-30")
    }
}

// MARK: - Month arithmetic

@Suite("CivilDate month arithmetic")
struct CivilDateMonthArithmeticTests {
    @Test("months: 2024-01-31 + 1 month clamps to 2024-02-29; 2023-01-31 + 1 month to 2023-02-28")
    func clampToFebruary() throws {
        #expect(try day("2024-01-31").adding(months: 1).description == "2024-02-29")
        #expect(try day("2023-01-31").adding(months: 1).description == "2023-02-28")
        #expect(try day("2024-03-31").adding(months: 1).description == "2024-04-30")
        #expect(try day("2024-03-31").adding(months: -1).description == "2024-02-29")
    }

    @Test("months: with anchor day 31, 2024-02-29 + 1 month is 2024-03-31 (the anchor day comes back)")
    func anchorDay() throws {
        #expect(try day("2024-02-29").adding(months: 1, anchorDay: 31).description == "2024-03-31")
        #expect(try day("2024-02-29").adding(months: 1).description == "2024-03-29")
        #expect(try day("2024-02-29").adding(months: 2, anchorDay: 30).description == "2024-04-30")
        #expect(try day("2024-01-31").adding(months: 1, anchorDay: 30).description == "2024-02-29")
    }

    @Test("months: year rollover 2024-12-15 + 1 = 2025-01-15; 2024-01-15 - 1 = 2023-12-15; + 24 = 2026-01-15; + 0 unchanged")
    func yearRollover() throws {
        #expect(try day("2024-12-15").adding(months: 1).description == "2025-01-15")
        #expect(try day("2024-01-15").adding(months: -1).description == "2023-12-15")
        #expect(try day("2024-01-15").adding(months: 24).description == "2026-01-15")
        #expect(try day("2024-01-15").adding(months: -13).description == "2022-12-15")
        #expect(try day("2024-01-15").adding(months: 0).description == "2024-01-15")
        #expect(try day("2024-02-29").adding(months: 12).description == "2025-02-28")
        #expect(try day("2024-02-29").adding(months: 48).description == "2028-02-29")
    }
}

// MARK: - Period

@Suite("Period")
struct PeriodTests {
    @Test("period: [2024-01-10, 2024-01-15) has 5 days and inclusive end 2024-01-14")
    func halfOpen() throws {
        let p = try Period(start: day("2024-01-10"), end: day("2024-01-15"))
        #expect(p.days == 5)
        #expect(p.inclusiveEnd.description == "2024-01-14")
        #expect(p.displayRange == "2024-01-10 – 2024-01-14")
        #expect(p.description == "[2024-01-10, 2024-01-15)")
    }

    @Test("period: [2024-01-10, 2024-01-15) contains its start and 2024-01-14, not its end 2024-01-15 nor 2024-01-09")
    func contains() throws {
        let p = try Period(start: day("2024-01-10"), end: day("2024-01-15"))
        #expect(try p.contains(day("2024-01-10")))
        #expect(try p.contains(day("2024-01-14")))
        #expect(try !p.contains(day("2024-01-15")))
        #expect(try !p.contains(day("2024-01-09")))
    }

    @Test("period: days from 2024-01-05 is 5 (all), from 2024-01-12 is 3, from 2024-01-15 and later is 0")
    func daysFrom() throws {
        let p = try Period(start: day("2024-01-10"), end: day("2024-01-15"))
        #expect(try p.days(from: day("2024-01-05")) == 5)
        #expect(try p.days(from: day("2024-01-10")) == 5)
        #expect(try p.days(from: day("2024-01-12")) == 3)
        #expect(try p.days(from: day("2024-01-14")) == 1)
        #expect(try p.days(from: day("2024-01-15")) == 0)
        #expect(try p.days(from: day("2024-01-20")) == 0)
    }

    @Test("period: a year bought 2023-01-15 is [2023-01-15, 2024-01-15): 365 days, shown to 14/1/2024")
    func yearlyPeriod() throws {
        let p = try Period(start: day("2023-01-15"), end: day("2024-01-15"))
        #expect(p.days == 365)
        #expect(p.inclusiveEnd.dayMonthYear == "14/1/2024")
        #expect(try Period(start: day("2024-01-15"), end: day("2025-01-15")).days == 366)
    }

    @Test("period: a one-day period [2024-01-10, 2024-01-11) has 1 day and displays '2024-01-10 – 2024-01-10'")
    func oneDay() throws {
        let p = try Period(start: day("2024-01-10"), end: day("2024-01-11"))
        #expect(p.days == 1)
        #expect(p.displayRange == "2024-01-10 – 2024-01-10")
    }

    @Test("period: end equal to start or before it throws period.invalid at 'period' with both dates")
    func invalid() throws {
        let same = #expect(throws: RecurError.self) { try Period(start: day("2024-01-15"), end: day("2024-01-15")) }
        #expect(same?.code == .periodInvalid)
        #expect(same?.code.rawValue == "period.invalid")
        #expect(same?.field == "period")
        #expect(try same?.values["start"] == .date(day("2024-01-15")))
        #expect(try same?.values["end"] == .date(day("2024-01-15")))
        let reversed = #expect(throws: RecurError.self) { try Period(start: day("2024-01-15"), end: day("2024-01-10")) }
        #expect(reversed?.code == .periodInvalid)
    }

    @Test("period: JSON round-trips {\"end\":\"2024-01-15\",\"start\":\"2024-01-10\"}")
    func codable() throws {
        let p = try Period(start: day("2024-01-10"), end: day("2024-01-15"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(p)
        #expect(String(decoding: data, as: UTF8.self) == #"{"end":"2024-01-15","start":"2024-01-10"}"#)
        let decoded = try JSONDecoder().decode(Period.self, from: data)
        #expect(decoded == p)
        #expect(decoded.days == 5)
    }

    @Test("period: decoding JSON whose end is not after its start throws period.invalid (no 0 or -5 day period)")
    func decodeInvalid() {
        for json in [#"{"start":"2024-01-15","end":"2024-01-10"}"#, #"{"start":"2024-01-15","end":"2024-01-15"}"#] {
            let error = #expect(throws: RecurError.self, "\(json)") { try JSONDecoder().decode(Period.self, from: Data(json.utf8)) }
            #expect(error?.code == .periodInvalid, "\(json)")
        }
    }
}

// MARK: - BillingCycle

@Suite("BillingCycle")
struct BillingCycleTests {
    @Test("cycle: 1 and 120 months are valid; 0, 121 and -1 months throw cycle.invalid at 'cycle'")
    func range() throws {
        #expect(try BillingCycle(months: 1).months == 1)
        #expect(try BillingCycle(months: 120).months == 120)
        for months in [0, 121, -1] {
            let error = #expect(throws: RecurError.self, "\(months)") { try BillingCycle(months: months) }
            #expect(error?.code == .cycleInvalid)
            #expect(error?.code.rawValue == "cycle.invalid")
            #expect(error?.field == "cycle")
            #expect(error?.values["months"] == .int(Int64(months)))
        }
    }

    @Test("cycle: named cycles are monthly 1, quarterly 3, halfYearly 6, yearly 12 months")
    func named() {
        #expect(BillingCycle.monthly.months == 1)
        #expect(BillingCycle.quarterly.months == 3)
        #expect(BillingCycle.halfYearly.months == 6)
        #expect(BillingCycle.yearly.months == 12)
    }

    @Test("cycle parsing: 'monthly' 1, 'yearly' 12, '3 months' 3, '2 years' 24, 'P6M' 6")
    func parsing() throws {
        #expect(try BillingCycle(parsing: "monthly").months == 1)
        #expect(try BillingCycle(parsing: "yearly").months == 12)
        #expect(try BillingCycle(parsing: "3 months").months == 3)
        #expect(try BillingCycle(parsing: "2 years").months == 24)
        #expect(try BillingCycle(parsing: "P6M").months == 6)
    }

    @Test("cycle parsing: 'month' 1, 'year' 12, 'annual' 12, 'annually' 12, 'quarterly' 3, '1 month' 1, '1 year' 12, 'P1Y' 12, 'P12M' 12, '12' 12, '6m' 6, '  Monthly ' 1, '10 years' 120")
    func parsingVariants() throws {
        let cases: [(String, Int)] = [
            ("month", 1), ("year", 12), ("annual", 12), ("annually", 12), ("quarter", 3), ("quarterly", 3),
            ("1 month", 1), ("1 year", 12), ("P1Y", 12), ("P1M", 1), ("P12M", 12), ("12", 12), ("6m", 6),
            ("  Monthly ", 1), ("YEARLY", 12), ("3 Months", 3), ("10 years", 120), ("120 months", 120), ("p3m", 3),
        ]
        for (text, months) in cases {
            #expect(try BillingCycle(parsing: text).months == months, "'\(text)'")
        }
    }

    @Test("cycle parsing: 'weekly', '', '0 months', '11 years' (132), 'P0M', 'months', 'three months' throw cycle.invalid")
    func parsingErrors() {
        for text in ["weekly", "", "0 months", "11 years", "121 months", "P0M", "months", "three months", "-3 months", "1.5 years"] {
            let error = #expect(throws: RecurError.self, "'\(text)'") { try BillingCycle(parsing: text) }
            #expect(error?.code == .cycleInvalid, "'\(text)'")
        }
        let error = #expect(throws: RecurError.self) { try BillingCycle(parsing: "weekly") }
        #expect(error?.values["cycle"] == .text("weekly"))
    }

    @Test("cycle order: monthly < quarterly < halfYearly < yearly; sorting [12, 1, 6, 3] gives [1, 3, 6, 12]")
    func ordering() throws {
        #expect(BillingCycle.monthly < .yearly)
        #expect(BillingCycle.monthly < .quarterly)
        #expect(BillingCycle.quarterly < .halfYearly)
        #expect(BillingCycle.halfYearly < .yearly)
        #expect(!(BillingCycle.yearly < .monthly))
        #expect(try BillingCycle(months: 24) > .yearly)
        let sorted = [BillingCycle.yearly, .monthly, .halfYearly, .quarterly].sorted()
        #expect(sorted.map(\.months) == [1, 3, 6, 12])
        #expect(try BillingCycle(months: 12) == .yearly)
    }

    @Test("cycle description: 1 'month', 12 'year', 3 '3 months', 24 '2 years', 18 '18 months'")
    func descriptions() throws {
        #expect(BillingCycle.monthly.description == "month")
        #expect(BillingCycle.yearly.description == "year")
        #expect(BillingCycle.quarterly.description == "3 months")
        #expect(try BillingCycle(months: 24).description == "2 years")
        #expect(try BillingCycle(months: 18).description == "18 months")
    }

    @Test("cycle JSON: yearly encodes as 12; decodes from 6 and from \"3 months\"; 0 throws cycle.invalid")
    func codable() throws {
        #expect(String(decoding: try JSONEncoder().encode(BillingCycle.yearly), as: UTF8.self) == "12")
        #expect(try JSONDecoder().decode(BillingCycle.self, from: Data("6".utf8)).months == 6)
        #expect(try JSONDecoder().decode(BillingCycle.self, from: Data("\"3 months\"".utf8)).months == 3)
        #expect(try JSONDecoder().decode(BillingCycle.self, from: Data("\"yearly\"".utf8)) == .yearly)
        let error = #expect(throws: RecurError.self) { try JSONDecoder().decode(BillingCycle.self, from: Data("0".utf8)) }
        #expect(error?.code == .cycleInvalid)
    }
}

// MARK: - BillingSchedule

@Suite("BillingSchedule")
struct BillingScheduleTests {
    @Test("schedule: monthly from 2024-01-31 starts periods 2024-01-31, 2024-02-29, 2024-03-31, 2024-04-30, 2024-05-31")
    func monthEndClamping2024() throws {
        let s = BillingSchedule(anchor: try day("2024-01-31"), cycle: .monthly)
        #expect(isoList((0...4).map(s.start(ofPeriod:))) == ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"])
        #expect((0...3).map { s.period($0).days } == [29, 31, 30, 31])
        #expect(s.period(1).displayRange == "2024-02-29 – 2024-03-30")
    }

    @Test("schedule: monthly from 2023-01-31 starts periods 2023-01-31, 2023-02-28, 2023-03-31 (28 then 31 days)")
    func monthEndClamping2023() throws {
        let s = BillingSchedule(anchor: try day("2023-01-31"), cycle: .monthly)
        #expect(isoList((0...3).map(s.start(ofPeriod:))) == ["2023-01-31", "2023-02-28", "2023-03-31", "2023-04-30"])
        #expect(s.period(0).days == 28)
        #expect(s.period(1).days == 31)
    }

    @Test("schedule: monthly from 2024-01-31 going back starts 2023-12-31, 2023-11-30, 2023-10-31")
    func negativeIndexes() throws {
        let s = BillingSchedule(anchor: try day("2024-01-31"), cycle: .monthly)
        #expect(isoList([-1, -2, -3].map(s.start(ofPeriod:))) == ["2023-12-31", "2023-11-30", "2023-10-31"])
        #expect(s.period(-1).description == "[2023-12-31, 2024-01-31)")
    }

    @Test("schedule: yearly from 2024-02-29 starts 2025-02-28, 2026-02-28, 2027-02-28, 2028-02-29; periods of 365 and 366 days")
    func yearlyLeapAnchor() throws {
        let s = BillingSchedule(anchor: try day("2024-02-29"), cycle: .yearly)
        #expect(isoList((0...4).map(s.start(ofPeriod:))) == ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"])
        #expect(s.period(0).days == 365)
        #expect(s.period(3).days == 366)
    }

    @Test("schedule: quarterly from 2023-11-30 starts 2024-02-29, 2024-05-30, 2024-08-30; half-yearly from 2024-08-31 has 181 then 184 days")
    func multiMonthCycles() throws {
        let q = BillingSchedule(anchor: try day("2023-11-30"), cycle: .quarterly)
        #expect(isoList((0...3).map(q.start(ofPeriod:))) == ["2023-11-30", "2024-02-29", "2024-05-30", "2024-08-30"])
        #expect(q.period(0).days == 91)
        let h = BillingSchedule(anchor: try day("2024-08-31"), cycle: .halfYearly)
        #expect(isoList((0...2).map(h.start(ofPeriod:))) == ["2024-08-31", "2025-02-28", "2025-08-31"])
        #expect(h.period(0).days == 181)
        #expect(h.period(1).days == 184)
    }

    @Test("period index: monthly from 2024-01-31 — boundaries 2024-01-31 → 0, 2024-02-29 → 1, 2024-03-31 → 2; within 2024-02-28 → 0, 2024-03-30 → 1")
    func indexOnBoundariesAndWithin() throws {
        let s = BillingSchedule(anchor: try day("2024-01-31"), cycle: .monthly)
        let cases: [(String, Int)] = [
            ("2024-01-31", 0), ("2024-02-01", 0), ("2024-02-28", 0), ("2024-02-29", 1), ("2024-03-01", 1),
            ("2024-03-30", 1), ("2024-03-31", 2), ("2024-04-30", 3), ("2025-01-30", 11), ("2025-01-31", 12),
        ]
        for (iso, index) in cases {
            #expect(try s.periodIndex(containing: day(iso)) == index, "\(iso)")
        }
    }

    @Test("period index: monthly from 2024-01-31 before the anchor — 2024-01-30 → -1, 2023-12-31 → -1, 2023-12-30 → -2, 2023-11-30 → -2, 2023-11-29 → -3")
    func indexBeforeAnchor() throws {
        let s = BillingSchedule(anchor: try day("2024-01-31"), cycle: .monthly)
        let cases: [(String, Int)] = [
            ("2024-01-30", -1), ("2024-01-01", -1), ("2023-12-31", -1), ("2023-12-30", -2),
            ("2023-11-30", -2), ("2023-11-29", -3), ("2022-01-31", -24), ("2022-01-30", -25),
        ]
        for (iso, index) in cases {
            #expect(try s.periodIndex(containing: day(iso)) == index, "\(iso)")
        }
    }

    @Test("period index: yearly from 2024-02-29 — 2024-02-28 → -1, 2025-02-27 → 0, 2025-02-28 → 1, 2028-02-28 → 3, 2028-02-29 → 4, 2023-02-27 → -2")
    func indexYearly() throws {
        let s = BillingSchedule(anchor: try day("2024-02-29"), cycle: .yearly)
        let cases: [(String, Int)] = [
            ("2024-02-28", -1), ("2024-02-29", 0), ("2025-02-27", 0), ("2025-02-28", 1), ("2028-02-28", 3),
            ("2028-02-29", 4), ("2023-02-28", -1), ("2023-02-27", -2),
        ]
        for (iso, index) in cases {
            #expect(try s.periodIndex(containing: day(iso)) == index, "\(iso)")
        }
    }

    @Test("period containing: 2024-03-15 in the monthly schedule from 2024-01-31 is [2024-02-29, 2024-03-31)")
    func periodContaining() throws {
        let s = BillingSchedule(anchor: try day("2024-01-31"), cycle: .monthly)
        let p = s.period(containing: try day("2024-03-15"))
        #expect(p.description == "[2024-02-29, 2024-03-31)")
        #expect(p.days == 31)
        let q = BillingSchedule(anchor: try day("2023-11-30"), cycle: .quarterly).period(containing: try day("2023-11-29"))
        #expect(q.description == "[2023-08-30, 2023-11-30)")
    }

    @Test("schedule JSON round-trips {\"anchor\":\"2024-01-31\",\"cycle\":1}")
    func codable() throws {
        let s = BillingSchedule(anchor: try day("2024-01-31"), cycle: .monthly)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(s)
        #expect(String(decoding: data, as: UTF8.self) == #"{"anchor":"2024-01-31","cycle":1}"#)
        #expect(try JSONDecoder().decode(BillingSchedule.self, from: data) == s)
    }
}

// MARK: - Instants and time zones

@Suite("CivilDate and time zones")
struct CivilDateTimeZoneTests {
    /// 2024-01-14T20:00:00Z.
    let eveningUTC = Date(timeIntervalSince1970: 1_705_262_400)

    @Test("zone: 2024-01-14T20:00:00Z is 2024-01-15 in Asia/Ho_Chi_Minh (UTC+7) and 2024-01-14 in UTC")
    func hoChiMinhVersusUTC() throws {
        let hcm = try #require(TimeZone(identifier: "Asia/Ho_Chi_Minh"))
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(CivilDate(eveningUTC, in: hcm).description == "2024-01-15")
        #expect(CivilDate(eveningUTC, in: utc).description == "2024-01-14")
        #expect(CivilDate(eveningUTC, in: try #require(TimeZone(secondsFromGMT: 7 * 3600))).description == "2024-01-15")
        #expect(CivilDate(eveningUTC, in: try #require(TimeZone(identifier: "America/New_York"))).description == "2024-01-14")
    }

    @Test("zone: in UTC+7 the day changes at 17:00Z: 16:59:59Z is 2024-01-14, 17:00:00Z is 2024-01-15")
    func dayBoundary() throws {
        let plus7 = try #require(TimeZone(secondsFromGMT: 7 * 3600))
        #expect(CivilDate(Date(timeIntervalSince1970: 1_705_251_599), in: plus7).description == "2024-01-14")
        #expect(CivilDate(Date(timeIntervalSince1970: 1_705_251_600), in: plus7).description == "2024-01-15")
    }

    @Test("start instant: 2024-01-15 starts at 1705251600 (17:00Z the day before) in Ho Chi Minh, 1705276800 in UTC, 1705294800 in New York")
    func startInstant() throws {
        let d = try day("2024-01-15")
        #expect(d.startInstant(in: try #require(TimeZone(identifier: "Asia/Ho_Chi_Minh"))).timeIntervalSince1970 == 1_705_251_600)
        #expect(d.startInstant(in: try #require(TimeZone(identifier: "UTC"))).timeIntervalSince1970 == 1_705_276_800)
        #expect(d.startInstant(in: try #require(TimeZone(identifier: "America/New_York"))).timeIntervalSince1970 == 1_705_294_800)
    }

    @Test("start instant: round trip to the same civil date in UTC, Ho Chi Minh, New York, Kiritimati (UTC+14) and Pago Pago (UTC-11)")
    func startInstantRoundTrip() throws {
        let zones = ["UTC", "Asia/Ho_Chi_Minh", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Berlin"]
        for iso in ["2024-01-15", "2024-02-29", "2024-03-10", "2024-03-31", "2024-11-03", "1999-12-31", "2100-03-01"] {
            let d = try day(iso)
            for id in zones {
                let tz = try #require(TimeZone(identifier: id))
                #expect(CivilDate(d.startInstant(in: tz), in: tz) == d, "\(iso) in \(id)")
            }
        }
    }

    @Test("start instant: across New York's spring-forward the civil day 2024-03-10 is 23 hours long")
    func dstDayLength() throws {
        let ny = try #require(TimeZone(identifier: "America/New_York"))
        let start = try day("2024-03-10").startInstant(in: ny)
        let next = try day("2024-03-11").startInstant(in: ny)
        #expect(start.timeIntervalSince1970 == 1_710_046_800)
        #expect(next.timeIntervalSince(start) == 23 * 3600)
        #expect(CivilDate(next.addingTimeInterval(-1), in: ny).description == "2024-03-10")
    }

    @Test("start instant: where midnight does not exist (São Paulo 2018-11-04) the day still maps back to 2018-11-04")
    func missingMidnight() throws {
        let sp = try #require(TimeZone(identifier: "America/Sao_Paulo"))
        let d = try day("2018-11-04")
        let start = d.startInstant(in: sp)
        #expect(CivilDate(start, in: sp) == d)
        #expect(start.timeIntervalSince1970 <= 1_541_300_400)
        #expect(CivilDate(start.addingTimeInterval(-1), in: sp).description == "2018-11-03")
    }

    /// Foundation's Gregorian calendar, which the arithmetic of `init(_:in:)` and `startInstant(in:)` must agree with.
    static func calendar(_ zone: TimeZone) -> Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return cal
    }

    /// Zones with every kind of offset change: DST at 02:00 (Europe, New York), DST at
    /// midnight (São Paulo until 2019, Havana, Beirut), a skipped day (Apia, 2011-12-30),
    /// a half-hour zone change at midnight (Kuala Lumpur, 1982), and fixed offsets.
    static let zones = ["UTC", "Asia/Ho_Chi_Minh", "Asia/Kuala_Lumpur", "Asia/Tokyo", "Europe/Paris", "Europe/London",
                        "America/New_York", "America/Sao_Paulo", "America/Havana", "Asia/Beirut", "Pacific/Apia",
                        "Pacific/Kiritimati", "Australia/Lord_Howe", "Asia/Kolkata"]

    @Test("zone property: the civil date of any instant from 1900 to 2200 is the one Foundation's calendar gives, in 14 zones")
    func civilDateMatchesCalendar() async throws {
        let zones = try Self.zones.map { try #require(TimeZone(identifier: $0)) }
        await propertyCheck(count: 3000, input: Gen.int64(in: -2_208_988_800...7_258_118_400), Gen.int(in: 0...(zones.count - 1))) { t, z in
            let instant = Date(timeIntervalSince1970: TimeInterval(t))
            let c = Self.calendar(zones[z]).dateComponents([.year, .month, .day], from: instant)
            let d = CivilDate(instant, in: zones[z])
            #expect([d.year, d.month, d.day] == [c.year, c.month, c.day], "\(t) in \(zones[z].identifier)")
        }
    }

    @Test("zone property: the start of any day from 1901 to 2199 is the instant Foundation's calendar gives, offset changes at midnight included")
    func startInstantMatchesCalendar() async throws {
        let zones = try Self.zones.map { try #require(TimeZone(identifier: $0)) }
        await propertyCheck(count: 3000, input: Gen.int(in: -25_202...84_000), Gen.int(in: 0...(zones.count - 1))) { days, z in
            let d = CivilDate(daysSinceEpoch: days)
            let expected = Self.calendar(zones[z]).date(from: DateComponents(year: d.year, month: d.month, day: d.day))
            #expect(d.startInstant(in: zones[z]) == expected, "\(d) in \(zones[z].identifier)")
        }
        // Days whose midnight the zone skips or repeats, and the days around them.
        let edges: [(String, String)] = [("America/Sao_Paulo", "2018-11-04"), ("America/Sao_Paulo", "2019-02-16"), ("America/Havana", "2024-03-10"),
                                         ("Asia/Beirut", "2024-03-31"), ("Asia/Beirut", "2024-10-27"), ("Pacific/Apia", "2011-12-31"),
                                         ("Asia/Kuala_Lumpur", "1982-01-01"), ("Europe/Paris", "2024-03-31"), ("America/New_York", "2024-11-03")]
        for (zone, iso) in edges {
            let tz = try #require(TimeZone(identifier: zone))
            for delta in -1...1 {
                let d = try day(iso).adding(days: delta)
                let expected = Self.calendar(tz).date(from: DateComponents(year: d.year, month: d.month, day: d.day))
                #expect(d.startInstant(in: tz) == expected, "\(d) in \(zone)")
            }
        }
    }

    @Test("date text: YYYY-MM-DD with zero padding, for the first and last years and the days around them")
    func descriptionPadding() throws {
        #expect(try CivilDate(1, 1, 1).description == "0001-01-01")
        #expect(try CivilDate(999, 12, 31).description == "0999-12-31")
        #expect(try CivilDate(2024, 2, 29).description == "2024-02-29")
        #expect(try CivilDate(9999, 12, 31).description == "9999-12-31")
        #expect(CivilDate(daysSinceEpoch: 0).description == "1970-01-01")
    }

}
