import Foundation
import Testing
@testable import RecurCore

private func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }
private func eur(_ v: Int64) -> Money { Money(minorUnits: v, currency: .eur) }
private func usd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .usd) }
private func minor(_ parts: [Money]) -> [Int64] { parts.map(\.minorUnits) }

// MARK: - Arithmetic

@Suite("Money arithmetic")
struct MoneyArithmeticTests {
    @Test("addition: 1250 EUR + 250 EUR = 1500 EUR")
    func addition() throws {
        let sum = try eur(1250) + eur(250)
        #expect(sum == eur(1500))
        #expect(sum.currency == .eur)
    }

    @Test("subtraction: 1000 EUR - 2500 EUR = -1500 EUR (a credit)")
    func subtraction() throws {
        let diff = try eur(1000) - eur(2500)
        #expect(diff.minorUnits == -1500)
        #expect(diff.isNegative)
        #expect(!diff.isPositive)
    }

    @Test("multiplication: 150000 VND × 12 = 1800000 VND, by Int and by Int64")
    func multiplication() throws {
        #expect(try vnd(150_000) * 12 == vnd(1_800_000))
        #expect(try vnd(150_000) * Int64(12) == vnd(1_800_000))
        #expect(try eur(1999) * -3 == eur(-5997))
        #expect(try eur(1999) * 0 == eur(0))
        #expect(try (eur(1999) * 0).isZero)
    }

    @Test("negated: 1250 EUR becomes -1250 EUR and back")
    func negation() throws {
        #expect(try eur(1250).negated() == eur(-1250))
        #expect(try eur(-1250).negated() == eur(1250))
        #expect(try eur(0).negated() == eur(0))
        #expect(try vnd(Int64.max).negated().minorUnits == -Int64.max)
    }

    @Test("zero: Money.zero(.vnd) is 0 VND, neither positive nor negative")
    func zero() {
        let z = Money.zero(.vnd)
        #expect(z.minorUnits == 0)
        #expect(z.currency == .vnd)
        #expect(z.isZero && !z.isPositive && !z.isNegative)
    }

    @Test("sum: [100, 200, 300] EUR is 600 EUR; an empty list is 0 in the given currency")
    func sum() throws {
        #expect(try Money.sum([eur(100), eur(200), eur(300)], currency: .eur) == eur(600))
        #expect(try Money.sum([Money](), currency: .jpy) == Money(minorUnits: 0, currency: .jpy))
        #expect(try Money.sum([eur(-100), eur(40)], currency: .eur) == eur(-60))
    }

    @Test("comparison: min(300, 200) EUR = 200, max = 300, 200 is less than 300")
    func comparison() throws {
        #expect(try Money.min(eur(300), eur(200)) == eur(200))
        #expect(try Money.max(eur(300), eur(200)) == eur(300))
        #expect(try eur(200).isLess(than: eur(300)))
        #expect(try !eur(300).isLess(than: eur(300)))
        #expect(try eur(-1).isLess(than: eur(0)))
    }
}

// MARK: - Currency mismatch

@Suite("Money currency mismatch")
struct MoneyCurrencyMismatchTests {
    @Test("mismatch: 100 EUR + 100 USD throws currency.mismatch naming both codes")
    func addMismatch() {
        let error = #expect(throws: RecurError.self) { try eur(100) + usd(100) }
        #expect(error?.code == .currencyMismatch)
        #expect(error?.code.rawValue == "currency.mismatch")
        #expect(error?.field == "currency")
        #expect(error?.values["currency"] == .text("EUR"))
        #expect(error?.values["otherCurrency"] == .text("USD"))
    }

    @Test("mismatch: subtraction, comparison, min, max and sum across currencies throw currency.mismatch")
    func otherMismatches() {
        #expect(throws: RecurError.self) { try eur(100) - vnd(100) }
        #expect((#expect(throws: RecurError.self) { try eur(100) - vnd(100) })?.code == .currencyMismatch)
        #expect((#expect(throws: RecurError.self) { try eur(100).isLess(than: usd(200)) })?.code == .currencyMismatch)
        #expect((#expect(throws: RecurError.self) { try Money.min(eur(1), usd(2)) })?.code == .currencyMismatch)
        #expect((#expect(throws: RecurError.self) { try Money.max(eur(1), usd(2)) })?.code == .currencyMismatch)
        #expect((#expect(throws: RecurError.self) { try Money.sum([eur(1), eur(2)], currency: .usd) })?.code == .currencyMismatch)
        #expect((#expect(throws: RecurError.self) { try Money.sum([eur(1), usd(2)], currency: .eur) })?.code == .currencyMismatch)
    }

    @Test("mismatch: a zero amount in another currency still does not combine (0 VND + 0 JPY)")
    func zeroMismatch() {
        let error = #expect(throws: RecurError.self) { try vnd(0) + Money(minorUnits: 0, currency: .jpy) }
        #expect(error?.code == .currencyMismatch)
    }
}

// MARK: - Overflow

@Suite("Money overflow")
struct MoneyOverflowTests {
    @Test("overflow: Int64.max + 1 throws money.overflow instead of wrapping")
    func addOverflow() {
        let error = #expect(throws: RecurError.self) { try eur(Int64.max) + eur(1) }
        #expect(error?.code == .moneyOverflow)
        #expect(error?.values["amount"] == .money(eur(Int64.max)))
        #expect(error?.values["other"] == .money(eur(1)))
    }

    @Test("overflow: Int64.min - 1 throws money.overflow")
    func subtractOverflow() {
        let error = #expect(throws: RecurError.self) { try eur(Int64.min) - eur(1) }
        #expect(error?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try eur(0) - eur(Int64.min) })?.code == .moneyOverflow)
    }

    @Test("overflow: Int64.max × 2 and Int64.min × -1 throw money.overflow")
    func multiplyOverflow() {
        #expect((#expect(throws: RecurError.self) { try vnd(Int64.max) * 2 })?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try vnd(Int64.max) * Int64(2) })?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try vnd(Int64.min) * -1 })?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try vnd(4_611_686_018_427_387_904) * 2 })?.code == .moneyOverflow)
    }

    @Test("overflow: results exactly at the bounds are fine (Int64.max - 1 + 1 = Int64.max, -2^62 × 2 = Int64.min)")
    func edgesInsideRange() throws {
        #expect(try eur(Int64.max - 1) + eur(1) == eur(Int64.max))
        #expect(try eur(Int64.min + 1) - eur(1) == eur(Int64.min))
        #expect(try vnd(-4_611_686_018_427_387_904) * 2 == vnd(Int64.min))
    }

    @Test("overflow: negating Int64.min throws money.overflow")
    func negateOverflow() {
        let error = #expect(throws: RecurError.self) { try vnd(Int64.min).negated() }
        #expect(error?.code == .moneyOverflow)
        #expect(error?.values["amount"] == .money(vnd(Int64.min)))
    }

    @Test("overflow: 2 × Int64.max / 1 throws money.overflow; Int64.max × 2 / 2 is exactly Int64.max (Int128 intermediate)")
    func scaleOverflow() throws {
        #expect((#expect(throws: RecurError.self) { try vnd(2).multiplied(by: Int64.max, dividedBy: 1) })?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try vnd(Int64.min).multiplied(by: -1, dividedBy: 1) })?.code == .moneyOverflow)
        #expect(try vnd(Int64.max).multiplied(by: 2, dividedBy: 2) == vnd(Int64.max))
        #expect(try vnd(Int64.min).multiplied(by: Int64.max, dividedBy: Int64.max) == vnd(Int64.min))
    }

    @Test("overflow: a 10000% percentage of Int64.max throws money.overflow")
    func percentageOverflow() {
        let error = #expect(throws: RecurError.self) { try vnd(Int64.max).percentage(Percentage(percent: 10_000)) }
        #expect(error?.code == .moneyOverflow)
    }
}

// MARK: - Rounding

@Suite("Money rounding")
struct MoneyRoundingTests {
    @Test("rounding: 5 × 1/2 = 2.5 rounds half away from zero to 3")
    func halfUpPositive() throws {
        #expect(try vnd(5).multiplied(by: 1, dividedBy: 2) == vnd(3))
    }

    @Test("rounding: -5 × 1/2 = -2.5 rounds half away from zero to -3")
    func halfUpNegative() throws {
        #expect(try vnd(-5).multiplied(by: 1, dividedBy: 2) == vnd(-3))
    }

    @Test("rounding: 4 × 1/3 = 1.33 rounds to 1; 1 × 2/3 = 0.67 rounds to 1; 1 × 1/3 = 0.33 rounds to 0")
    func thirds() throws {
        #expect(try vnd(4).multiplied(by: 1, dividedBy: 3) == vnd(1))
        #expect(try vnd(1).multiplied(by: 2, dividedBy: 3) == vnd(1))
        #expect(try vnd(1).multiplied(by: 1, dividedBy: 3) == vnd(0))
        #expect(try vnd(-4).multiplied(by: 1, dividedBy: 3) == vnd(-1))
        #expect(try vnd(-1).multiplied(by: 2, dividedBy: 3) == vnd(-1))
    }

    @Test("rounding: quarters 5/4 = 1, 6/4 = 2, 7/4 = 2, -6/4 = -2, -7/4 = -2")
    func quarters() throws {
        #expect(try vnd(5).multiplied(by: 1, dividedBy: 4) == vnd(1))
        #expect(try vnd(6).multiplied(by: 1, dividedBy: 4) == vnd(2))
        #expect(try vnd(7).multiplied(by: 1, dividedBy: 4) == vnd(2))
        #expect(try vnd(-6).multiplied(by: 1, dividedBy: 4) == vnd(-2))
        #expect(try vnd(-7).multiplied(by: 1, dividedBy: 4) == vnd(-2))
    }

    @Test("rounding: signs of numerator and denominator: 5 × 1/-2 = -3, -5 × 1/-2 = 3, 5 × -1/2 = -3")
    func signs() throws {
        #expect(try vnd(5).multiplied(by: 1, dividedBy: -2) == vnd(-3))
        #expect(try vnd(-5).multiplied(by: 1, dividedBy: -2) == vnd(3))
        #expect(try vnd(5).multiplied(by: -1, dividedBy: 2) == vnd(-3))
        #expect(try vnd(-5).multiplied(by: -1, dividedBy: -2) == vnd(-3))
    }

    @Test("rounding: proration 1_800_000 VND × 10/31 days = 580645.16 rounds to 580645; × 15/30 = 900000")
    func proration() throws {
        #expect(try vnd(1_800_000).multiplied(by: 10, dividedBy: 31) == vnd(580_645))
        #expect(try vnd(1_800_000).multiplied(by: 15, dividedBy: 30) == vnd(900_000))
        #expect(try eur(1999).multiplied(by: 17, dividedBy: 29) == eur(1172))  // 1171.827...
    }

    @Test("rounding: the currency is kept (1999 EUR × 1/2 = 1000 EUR)")
    func keepsCurrency() throws {
        let half = try eur(1999).multiplied(by: 1, dividedBy: 2)
        #expect(half.minorUnits == 1000)
        #expect(half.currency == .eur)
    }

    @Test("rounding: dividing by zero throws money.division_by_zero with the amount")
    func divisionByZero() {
        let error = #expect(throws: RecurError.self) { try eur(1250).multiplied(by: 1, dividedBy: 0) }
        #expect(error?.code == .moneyDivisionByZero)
        #expect(error?.code.rawValue == "money.division_by_zero")
        #expect(error?.values["amount"] == .money(eur(1250)))
        #expect((#expect(throws: RecurError.self) { try eur(0).multiplied(by: 0, dividedBy: 0) })?.code == .moneyDivisionByZero)
    }

    @Test("rounding helper: roundHalfAwayFromZero(5, 2) = 3, (-5, 2) = -3, (5, -2) = -3, (0, 7) = 0, (14, 7) = 2")
    func helper() {
        #expect(Money.roundHalfAwayFromZero(5, 2) == 3)
        #expect(Money.roundHalfAwayFromZero(-5, 2) == -3)
        #expect(Money.roundHalfAwayFromZero(5, -2) == -3)
        #expect(Money.roundHalfAwayFromZero(-5, -2) == 3)
        #expect(Money.roundHalfAwayFromZero(0, 7) == 0)
        #expect(Money.roundHalfAwayFromZero(14, 7) == 2)
        #expect(Money.roundHalfAwayFromZero(13, 7) == 2)  // 1.857
        #expect(Money.roundHalfAwayFromZero(10, 7) == 1)  // 1.428
    }
}

// MARK: - Percentage

@Suite("Money percentage")
struct MoneyPercentageTests {
    @Test("percentage: 20% of 1_800_000 VND is 360_000 VND")
    func twentyPercent() throws {
        #expect(try vnd(1_800_000).percentage(Percentage(percent: 20)) == vnd(360_000))
        #expect(try vnd(1_800_000).percentage(Percentage(basisPoints: 2000)) == vnd(360_000))
    }

    @Test("percentage: 8.25% of 1999 EUR cents is 164.9175, rounded to 165")
    func fractionalRate() throws {
        #expect(try eur(1999).percentage(Percentage(basisPoints: 825)) == eur(165))
        #expect(try eur(-1999).percentage(Percentage(basisPoints: 825)) == eur(-165))
    }

    @Test("percentage: 10% of 5 VND is 0.5 → 1; of -5 VND is -1; of 4 VND is 0.4 → 0")
    func halfwayPercentages() throws {
        #expect(try vnd(5).percentage(Percentage(percent: 10)) == vnd(1))
        #expect(try vnd(-5).percentage(Percentage(percent: 10)) == vnd(-1))
        #expect(try vnd(4).percentage(Percentage(percent: 10)) == vnd(0))
    }

    @Test("percentage: 100% of 1999 EUR is 1999; 0% is 0")
    func hundredAndZero() throws {
        #expect(try eur(1999).percentage(.hundred) == eur(1999))
        #expect(try eur(1999).percentage(.zero) == eur(0))
        #expect(try eur(-7).percentage(.hundred) == eur(-7))
    }

    @Test("percentage: Percentage(percent: 20) is 2000 basis points; zero 0, hundred 10000")
    func basisPoints() {
        #expect(Percentage(percent: 20).basisPoints == 2000)
        #expect(Percentage(percent: 0).basisPoints == 0)
        #expect(Percentage.zero.basisPoints == 0)
        #expect(Percentage.hundred.basisPoints == 10_000)
    }

    @Test("percentage: descriptions '20 %', '8.25 %', '8.05 %', '0 %', '100 %'")
    func descriptions() {
        #expect(Percentage(percent: 20).description == "20 %")
        #expect(Percentage(basisPoints: 825).description == "8.25 %")
        #expect(Percentage(basisPoints: 805).description == "8.05 %")
        #expect(Percentage.zero.description == "0 %")
        #expect(Percentage.hundred.description == "100 %")
    }

    @Test("percentage: ordered by basis points (8.25 % < 10 % < 100 %)")
    func ordering() {
        #expect(Percentage(basisPoints: 825) < Percentage(percent: 10))
        #expect(Percentage(percent: 10) < .hundred)
        #expect([Percentage.hundred, .zero, Percentage(basisPoints: 825)].sorted().map(\.basisPoints) == [0, 825, 10_000])
    }

    @Test("percentage: JSON encodes as the basis-point number 825 and decodes back")
    func codable() throws {
        let data = try JSONEncoder().encode(Percentage(basisPoints: 825))
        #expect(String(decoding: data, as: UTF8.self) == "825")
        #expect(try JSONDecoder().decode(Percentage.self, from: Data("2000".utf8)) == Percentage(percent: 20))
    }
}

// MARK: - Allocation

@Suite("Money allocation")
struct MoneyAllocationTests {
    @Test("allocation: 100 VND over 3 equal parts is 34/33/33")
    func equalThirds() throws {
        #expect(try minor(vnd(100).allocated([1, 1, 1])) == [34, 33, 33])
    }

    @Test("allocation: -100 VND over 3 equal parts is -34/-33/-33")
    func negativeThirds() throws {
        #expect(try minor(vnd(-100).allocated([1, 1, 1])) == [-34, -33, -33])
    }

    @Test("allocation: 10 VND over weights [0, 1] is 0/10")
    func zeroWeightGetsNothing() throws {
        #expect(try minor(vnd(10).allocated([0, 1])) == [0, 10])
        #expect(try minor(vnd(10).allocated([1, 0, 0])) == [10, 0, 0])
    }

    @Test("allocation: 100 over [1, 2] is 33/67 (the larger remainder gets the extra unit)")
    func largerRemainder() throws {
        #expect(try minor(vnd(100).allocated([1, 2])) == [33, 67])
    }

    @Test("allocation: 5 over [3, 3, 1] is 2/2/1 (remainders 1, 1, 5: the last part wins the extra unit)")
    func largestRemainderBeatsPosition() throws {
        #expect(try minor(vnd(5).allocated([3, 3, 1])) == [2, 2, 1])
    }

    @Test("allocation: 1 over [1, 1, 1] is 1/0/0 and 2 over [1, 1, 1] is 1/1/0 (ties go to earlier parts)")
    func tiesToEarlier() throws {
        #expect(try minor(vnd(1).allocated([1, 1, 1])) == [1, 0, 0])
        #expect(try minor(vnd(2).allocated([1, 1, 1])) == [1, 1, 0])
    }

    @Test("allocation: 1000 EUR over [50, 30, 20] is exactly 500/300/200; 0 over [1, 2] is 0/0")
    func exactAndZero() throws {
        let parts = try eur(1000).allocated([50, 30, 20])
        #expect(minor(parts) == [500, 300, 200])
        #expect(parts.allSatisfy { $0.currency == .eur })
        #expect(try minor(eur(0).allocated([1, 2])) == [0, 0])
    }

    @Test("allocation: a single weight keeps the whole amount (1999 EUR over [7] is [1999])")
    func singleWeight() throws {
        #expect(try minor(eur(1999).allocated([7])) == [1999])
    }

    @Test("allocation: Int64.max over [1, 1] is 2^62 / 2^62 - 1; huge weights do not overflow")
    func extremes() throws {
        #expect(try minor(vnd(Int64.max).allocated([1, 1])) == [4_611_686_018_427_387_904, 4_611_686_018_427_387_903])
        #expect(try minor(vnd(Int64.max).allocated([Int64.max, Int64.max])) == [4_611_686_018_427_387_904, 4_611_686_018_427_387_903])
        #expect(try minor(vnd(10).allocated([Int64.max, 1])) == [10, 0])
    }

    @Test("allocation: Int64.min over [1] is [Int64.min] and over [1, 1] is -2^62 each (no crash)")
    func int64Min() throws {
        #expect(try minor(vnd(Int64.min).allocated([1])) == [Int64.min])
        #expect(try minor(vnd(Int64.min).allocated([0, 1])) == [0, Int64.min])
        #expect(try minor(vnd(Int64.min).allocated([1, 1])) == [-4_611_686_018_427_387_904, -4_611_686_018_427_387_904])
        #expect(try minor(vnd(Int64.min).split(into: 1)) == [Int64.min])
    }

    @Test("allocation: no weights, a negative weight [-1, 2] and all-zero weights [0, 0] throw money.allocation_invalid at 'weights'")
    func invalidWeights() {
        for weights: [Int64] in [[], [-1, 2], [0, 0], [0]] {
            let error = #expect(throws: RecurError.self) { try vnd(100).allocated(weights) }
            #expect(error?.code == .moneyAllocationInvalid, "weights \(weights)")
            #expect(error?.field == "weights", "weights \(weights)")
        }
    }
}

// MARK: - Split

@Suite("Money split")
struct MoneySplitTests {
    @Test("split: 100 VND into 3 is 34/33/33")
    func intoThree() throws {
        #expect(try minor(vnd(100).split(into: 3)) == [34, 33, 33])
    }

    @Test("split: 10 into 4 is 3/3/2/2; -10 into 4 is -3/-3/-2/-2")
    func intoFour() throws {
        #expect(try minor(eur(10).split(into: 4)) == [3, 3, 2, 2])
        #expect(try minor(eur(-10).split(into: 4)) == [-3, -3, -2, -2])
    }

    @Test("split: 0 into 2 is 0/0; 7 into 1 is [7]; 2 into 5 is 1/1/0/0/0")
    func smallCases() throws {
        #expect(try minor(eur(0).split(into: 2)) == [0, 0])
        #expect(try minor(eur(7).split(into: 1)) == [7])
        #expect(try minor(eur(2).split(into: 5)) == [1, 1, 0, 0, 0])
    }

    @Test("split: into 0 or -1 parts throws money.allocation_invalid at 'count' with the count")
    func invalidCount() {
        let error = #expect(throws: RecurError.self) { try eur(10).split(into: 0) }
        #expect(error?.code == .moneyAllocationInvalid)
        #expect(error?.field == "count")
        #expect(error?.values["count"] == .int(0))
        let negative = #expect(throws: RecurError.self) { try eur(10).split(into: -1) }
        #expect(negative?.code == .moneyAllocationInvalid)
        #expect(negative?.values["count"] == .int(-1))
    }
}

// MARK: - Decimal text

@Suite("Money decimal text")
struct MoneyDecimalTests {
    @Test("parse: '12.5' EUR is 1250 cents; '12.50' is 1250; '12' is 1200; '0.05' is 5")
    func parseEuro() throws {
        #expect(try Money(decimal: "12.5", currency: .eur) == eur(1250))
        #expect(try Money(decimal: "12.50", currency: .eur) == eur(1250))
        #expect(try Money(decimal: "12", currency: .eur) == eur(1200))
        #expect(try Money(decimal: "0.05", currency: .eur) == eur(5))
        #expect(try Money(decimal: "0", currency: .eur) == eur(0))
    }

    @Test("parse: '1250000' VND is 1250000; '-0.05' USD is -5; '1.234' KWD is 1234")
    func parseOthers() throws {
        #expect(try Money(decimal: "1250000", currency: .vnd) == vnd(1_250_000))
        #expect(try Money(decimal: "-0.05", currency: .usd) == usd(-5))
        #expect(try Money(decimal: "-12.5", currency: .usd) == usd(-1250))
        let kwd = try Currency(code: "KWD")
        #expect(try Money(decimal: "1.234", currency: kwd) == Money(minorUnits: 1234, currency: kwd))
    }

    @Test("parse: '12.555' EUR has 3 decimals for a 2-digit currency and throws money.invalid with digits 2")
    func tooManyDecimals() {
        let error = #expect(throws: RecurError.self) { try Money(decimal: "12.555", currency: .eur) }
        #expect(error?.code == .moneyInvalid)
        #expect(error?.field == "amount")
        #expect(error?.values["digits"] == .int(2))
        #expect(error?.values["amount"] == .text("12.555"))
    }

    @Test("parse: '1.5' VND and '1.5' JPY throw money.invalid (no minor unit)")
    func decimalsForZeroDigitCurrency() {
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "1.5", currency: .vnd) })?.code == .moneyInvalid)
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "1.5", currency: .jpy) })?.code == .moneyInvalid)
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "1.0", currency: .vnd) })?.values["digits"] == .int(0))
    }

    @Test("parse: malformed text ('abc', '', '-', '12.', '.5', '1,5', '+5', '1e3', ' 12', '12.5.0', '--1', '١٢') throws money.invalid")
    func malformed() {
        for text in ["abc", "", "-", "12.", ".5", "1,5", "1 000", "+5", "1e3", " 12", "12 ", "12.5.0", "--1", "-.5", "1.-5", "١٢", "12.a"] {
            let error = #expect(throws: RecurError.self, "'\(text)'") { try Money(decimal: text, currency: .eur) }
            #expect(error?.code == .moneyInvalid, "'\(text)'")
            #expect(error?.field == "amount", "'\(text)'")
        }
    }

    @Test("parse: '92233720368547758.07' EUR is Int64.max; one cent more and '9223372036854775808' VND throw money.overflow")
    func parseOverflow() throws {
        #expect(try Money(decimal: "92233720368547758.07", currency: .eur) == eur(Int64.max))
        #expect(try Money(decimal: "-92233720368547758.07", currency: .eur) == eur(-Int64.max))
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "92233720368547758.08", currency: .eur) })?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "9223372036854775808", currency: .vnd) })?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "99999999999999999999999", currency: .vnd) })?.code == .moneyOverflow)
    }

    @Test("parse: the most negative amount reads back: '-9223372036854775808' VND and '-92233720368547758.08' EUR are Int64.min; one unit less throws money.overflow")
    func parseInt64Min() throws {
        #expect(try Money(decimal: "-9223372036854775808", currency: .vnd) == vnd(Int64.min))
        #expect(try Money(decimal: "-92233720368547758.08", currency: .eur) == eur(Int64.min))
        #expect(try Money(decimal: vnd(Int64.min).decimalString, currency: .vnd) == vnd(Int64.min))
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "-9223372036854775809", currency: .vnd) })?.code == .moneyOverflow)
        #expect((#expect(throws: RecurError.self) { try Money(decimal: "-92233720368547758.09", currency: .eur) })?.code == .moneyOverflow)
        #expect(try Money(decimal: "-0", currency: .vnd) == vnd(0))
        #expect(try Money(decimal: "-0.00", currency: .eur) == eur(0))
    }

    @Test("format: 1250 EUR is '12.50 EUR'; 1250000 VND is '1250000 VND'; -5 USD is '-0.05 USD'")
    func descriptions() throws {
        #expect(eur(1250).description == "12.50 EUR")
        #expect(vnd(1_250_000).description == "1250000 VND")
        #expect(usd(-5).description == "-0.05 USD")
        #expect(eur(5).description == "0.05 EUR")
        #expect(eur(0).description == "0.00 EUR")
        #expect(eur(-1250).description == "-12.50 EUR")
        #expect(vnd(-1_250_000).description == "-1250000 VND")
        #expect(Money(minorUnits: 1_250, currency: try Currency(code: "KWD")).description == "1.250 KWD")
        #expect(vnd(Int64.min).description == "-9223372036854775808 VND")
        #expect(eur(Int64.max).decimalString == "92233720368547758.07")
    }

    @Test("format: decimalString '12.50' parses back to 1250 EUR")
    func decimalRoundTrip() throws {
        #expect(eur(1250).decimalString == "12.50")
        #expect(try Money(decimal: eur(1250).decimalString, currency: .eur) == eur(1250))
        #expect(try Money(decimal: usd(-5).decimalString, currency: .usd) == usd(-5))
    }
}

// MARK: - Currency

@Suite("Currency")
struct CurrencyTests {
    @Test("currency: 'vnd', 'Eur' and 'USD' are accepted case-insensitively as VND, EUR, USD")
    func caseInsensitive() throws {
        #expect(try Currency(code: "vnd") == .vnd)
        #expect(try Currency(code: "Eur") == .eur)
        #expect(try Currency(code: "USD") == .usd)
        #expect(try Currency(code: "vnd").code == "VND")
    }

    @Test("currency: 'XYZ' throws currency.unknown at field 'currency' with the code as given")
    func unknown() {
        let error = #expect(throws: RecurError.self) { try Currency(code: "XYZ") }
        #expect(error?.code == .currencyUnknown)
        #expect(error?.code.rawValue == "currency.unknown")
        #expect(error?.field == "currency")
        #expect(error?.values["currency"] == .text("XYZ"))
        for code in ["", " VND", "VN", "VNDX", "đ"] {
            #expect((#expect(throws: RecurError.self, "'\(code)'") { try Currency(code: code) })?.code == .currencyUnknown)
        }
    }

    @Test("currency: minor-unit digits are VND 0, JPY 0, MYR 2, EUR 2, USD 2, KWD 3")
    func minorUnitDigits() throws {
        #expect(Currency.vnd.minorUnitDigits == 0)
        #expect(Currency.jpy.minorUnitDigits == 0)
        #expect(Currency.myr.minorUnitDigits == 2)
        #expect(Currency.eur.minorUnitDigits == 2)
        #expect(Currency.usd.minorUnitDigits == 2)
        #expect(try Currency(code: "KWD").minorUnitDigits == 3)
        #expect(try Currency(code: "KRW").minorUnitDigits == 0)
    }

    @Test("currency: minor units per major are VND 1, EUR 100, KWD 1000")
    func minorUnitsPerMajor() throws {
        #expect(Currency.vnd.minorUnitsPerMajor == 1)
        #expect(Currency.eur.minorUnitsPerMajor == 100)
        #expect(try Currency(code: "KWD").minorUnitsPerMajor == 1000)
    }

    @Test("currency: every known currency is keyed by its own upper-case code and looks itself up")
    func knownTable() throws {
        #expect(Currency.known.count == 33)
        for (code, currency) in Currency.known {
            #expect(currency.code == code)
            #expect(code == code.uppercased())
            #expect(try Currency(code: code.lowercased()) == currency)
            #expect((0...3).contains(currency.minorUnitDigits))
        }
    }

    @Test("currency: description is the code ('MYR'); JSON is the string \"MYR\" and decodes case-insensitively")
    func codable() throws {
        #expect(Currency.myr.description == "MYR")
        #expect(String(decoding: try JSONEncoder().encode(Currency.myr), as: UTF8.self) == "\"MYR\"")
        #expect(try JSONDecoder().decode(Currency.self, from: Data("\"usd\"".utf8)) == .usd)
        let error = #expect(throws: RecurError.self) { try JSONDecoder().decode(Currency.self, from: Data("\"XYZ\"".utf8)) }
        #expect(error?.code == .currencyUnknown)
    }
}

// MARK: - Codable

@Suite("Money Codable")
struct MoneyCodableTests {
    @Test("codable: 1250 EUR encodes as {\"currency\":\"EUR\",\"minorUnits\":1250} and round-trips")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(eur(1250))
        #expect(String(decoding: data, as: UTF8.self) == #"{"currency":"EUR","minorUnits":1250}"#)
        let decoded = try JSONDecoder().decode(Money.self, from: data)
        #expect(decoded == eur(1250))
        #expect(decoded.minorUnits == 1250)
        #expect(decoded.currency.minorUnitDigits == 2)
    }

    @Test("codable: extremes round-trip (Int64.min VND, Int64.max USD, -5 USD) and a list of amounts")
    func extremes() throws {
        let amounts = [vnd(Int64.min), usd(Int64.max), usd(-5), vnd(1_800_000)]
        let decoded = try JSONDecoder().decode([Money].self, from: JSONEncoder().encode(amounts))
        #expect(decoded == amounts)
        #expect(decoded.map(\.minorUnits) == [Int64.min, Int64.max, -5, 1_800_000])
    }

    @Test("codable: a lower-case currency 'vnd' decodes to VND; an unknown one throws currency.unknown")
    func decodeCurrency() throws {
        let m = try JSONDecoder().decode(Money.self, from: Data(#"{"minorUnits":150000,"currency":"vnd"}"#.utf8))
        #expect(m == vnd(150_000))
        let error = #expect(throws: RecurError.self) {
            try JSONDecoder().decode(Money.self, from: Data(#"{"minorUnits":1,"currency":"XYZ"}"#.utf8))
        }
        #expect(error?.code == .currencyUnknown)
    }
}
