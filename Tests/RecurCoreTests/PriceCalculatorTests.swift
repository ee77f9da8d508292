import Testing
import PropertyBased
@testable import RecurCore

private func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }

/// A line draft in VND (or `currency`) with only what pricing needs.
private func line(_ amount: Int64, kind: InvoiceLine.Kind = .plan, cycle: Percentage = .zero, bundle: ProductBundle? = nil,
                  promotion: Promotion? = nil, currency: Currency = .vnd, name: String = "line",
                  category: TaxCategory = .standard) -> LineDraft {
    let m = Money(minorUnits: amount, currency: currency)
    return LineDraft(kind: kind, description: name, product: DemoCatalog.workspace, period: nil, quantity: 1,
                     unitAmount: m, amount: m, cycleDiscount: cycle, bundle: bundle, promotion: promotion, taxCategory: category)
}

private func percentPromo(_ code: PromotionCode, _ bp: Int64, scope: Promotion.Scope) -> Promotion {
    Promotion(code: code, name: "\(code)", discount: .percent(Percentage(basisPoints: bp)), scope: scope)
}

private func fixedPromo(_ code: PromotionCode, _ amount: Money, scope: Promotion.Scope) -> Promotion {
    Promotion(code: code, name: "\(code)", discount: .fixed(amount), scope: scope)
}

@Suite("Price calculator")
struct PriceCalculatorTests {
    let catalog = DemoCatalog.make()
    let vietnam = Customer(id: "cus_vn", country: "VN", currency: .vnd, hasPurchased: true)

    func calculator(_ customer: Customer? = nil, currency: Currency = .vnd) -> PriceCalculator {
        PriceCalculator(catalog: catalog, customer: customer ?? vietnam, currency: currency)
    }

    var suite: ProductBundle { catalog.bundles[0] }   // cleeksy_suite, 10 %

    @Test("pricing: discounts apply in order cycle → bundle → line promotion → invoice promotion → tax")
    func documentedOrder() throws {
        let welcome = try catalog.promotion("WELCOME10", field: "p")        // 10 %
        let invoice = try catalog.promotion("INVOICE100K", field: "p")      // 100,000 ₫ fixed
        let lines = try calculator().price([
            line(1_000_000, cycle: Percentage(percent: 20), bundle: suite, promotion: welcome, name: "plan"),
            line(352_000, kind: .addOn, name: "add-on"),
        ], invoicePromotion: invoice)

        // Plan line: 1,000,000
        //   cycle 20 % of 1,000,000 = 200,000 → 800,000
        //   bundle 10 % of   800,000 =  80,000 → 720,000
        //   WELCOME10 10 % of 720,000 = 72,000 → 648,000
        // Add-on line: 352,000, no own discount.
        // Invoice: 100,000 over remaining [648,000, 352,000] (sum 1,000,000) → [64,800, 35,200] exactly.
        // Plan net 583,200, VAT 58,320, total 641,520; add-on net 316,800, VAT 31,680, total 348,480.
        let plan = lines[0], addOn = lines[1]
        #expect(plan.discounts.map(\.kind) == [.cycle, .bundle, .promotion, .invoicePromotion])
        #expect(plan.discounts.map(\.amount.minorUnits) == [200_000, 80_000, 72_000, 64_800])
        #expect(plan.discounts.map(\.reference) == [nil, "cleeksy_suite", "WELCOME10", "INVOICE100K"])
        #expect(plan.discounts.map(\.percentage) == [Percentage(percent: 20), Percentage(percent: 10), Percentage(percent: 10), nil])
        #expect(plan.net == vnd(583_200))
        #expect(plan.tax == vnd(58_320))
        #expect(plan.taxName == "VAT")
        #expect(plan.taxRate == Percentage(percent: 10))
        #expect(plan.taxInclusive == false)
        #expect(plan.total == vnd(641_520))

        #expect(addOn.discounts.map(\.kind) == [.invoicePromotion])
        #expect(addOn.discounts.map(\.amount.minorUnits) == [35_200])
        #expect(addOn.net == vnd(316_800))
        #expect(addOn.tax == vnd(31_680))
        #expect(addOn.total == vnd(348_480))

        // subtotal 1,352,000 − discount (200,000 + 80,000 + 72,000 + 100,000 = 452,000) = net 900,000;
        // + VAT 90,000 = 990,000.
        let totals = try Totals(lines: lines, currency: .vnd)
        #expect(totals.subtotal == vnd(1_352_000))
        #expect(totals.discount == vnd(452_000))
        #expect(totals.net == vnd(900_000))
        #expect(totals.tax == vnd(90_000))
        #expect(totals.total == vnd(990_000))
        #expect(totals.amountDue == vnd(990_000))
        #expect(totals.creditToBalance == vnd(0))
    }

    @Test("pricing: a fixed line promotion comes after the cycle discount (700,000, not 720,000)")
    func fixedAfterCycle() throws {
        let fixed = fixedPromo("FIX100K", vnd(100_000), scope: .plan)
        let l = try calculator().price([line(1_000_000, cycle: Percentage(percent: 20), promotion: fixed)])[0]
        // Cycle first: 1,000,000 − 200,000 = 800,000 − 100,000 = 700,000.
        // (Fixed first would be (1,000,000 − 100,000) × 0.8 = 720,000.)
        try #require(l.discounts.map(\.amount.minorUnits) == [200_000, 100_000])
        #expect(l.discounts[1].percentage == nil)
        #expect(l.net == vnd(700_000))
        #expect(l.tax == vnd(70_000))
        #expect(l.total == vnd(770_000))
    }

    @Test("pricing: each step rounds half-up once per line (65,753 ₫ → 13,151 / 5,260 / 4,734 off, VAT 4,261)")
    func roundingPerStep() throws {
        let welcome = try catalog.promotion("WELCOME10", field: "p")
        let l = try calculator().price([line(65_753, cycle: Percentage(percent: 20), bundle: suite, promotion: welcome)])[0]
        // cycle 20 % of 65,753 = 13,150.6 → 13,151 → 52,602
        // bundle 10 % of 52,602 = 5,260.2 → 5,260 → 47,342
        // promo 10 % of 47,342 = 4,734.2 → 4,734 → 42,608
        // VAT 10 % of 42,608 = 4,260.8 → 4,261; total 46,869
        #expect(l.discounts.map(\.amount.minorUnits) == [13_151, 5_260, 4_734])
        #expect(l.net == vnd(42_608))
        #expect(l.tax == vnd(4_261))
        #expect(l.total == vnd(46_869))
        #expect(try l.discountTotal == vnd(23_145))
    }

    @Test("pricing: an invoice promotion is allocated over the lines and the parts sum exactly to it")
    func invoiceAllocation() throws {
        let invoice = try catalog.promotion("INVOICE100K", field: "p")
        let lines = try calculator().price([line(333_333), line(333_333), line(333_334)], invoicePromotion: invoice)
        // 100,000 × 333,333 ÷ 1,000,000 = 33,333.33 → 33,333 (remainder .33)
        // 100,000 × 333,334 ÷ 1,000,000 = 33,333.4  → 33,333 (remainder .4, the largest)
        // 99,999 handed out; the last unit goes to the largest remainder: the third line.
        #expect(lines.map { $0.discounts.map(\.amount.minorUnits) } == [[33_333], [33_333], [33_334]])
        #expect(lines.map(\.net.minorUnits) == [300_000, 300_000, 300_000])
        #expect(lines.map(\.tax.minorUnits) == [30_000, 30_000, 30_000])
        #expect(lines.map(\.total.minorUnits) == [330_000, 330_000, 330_000])

        let totals = try Totals(lines: lines, currency: .vnd)
        #expect(totals.subtotal == vnd(1_000_000))
        #expect(totals.discount == vnd(100_000))
        // subtotal − discount = net; net + tax = total (exclusive tax).
        #expect(totals.net == vnd(900_000))
        #expect(try totals.subtotal - totals.discount == totals.net)
        #expect(totals.tax == vnd(90_000))
        #expect(try totals.net + totals.tax == totals.total)
        #expect(totals.total == vnd(990_000))
    }

    @Test("pricing: an invoice percentage is computed once on the sum, then allocated (10 % of 15 ₫ = 2, not 3)")
    func invoicePercentOnSum() throws {
        let tenPercent = percentPromo("INV10", 1_000, scope: .invoice)
        let lines = try calculator().price([line(5), line(5), line(5)], invoicePromotion: tenPercent)
        // 10 % of 15 = 1.5 → 2 (per line it would be 0.5 → 1 each, 3 in all).
        // 2 over [5, 5, 5]: floors 0/0/0, equal remainders → earlier lines first: [1, 1, 0].
        try #require(lines.map { $0.discounts.map(\.amount.minorUnits) } == [[1], [1], []])
        #expect(lines.map(\.net.minorUnits) == [4, 4, 5])
        #expect(lines[0].discounts[0].percentage == Percentage(percent: 10))
        // VAT 0.4 → 0, 0.4 → 0, 0.5 → 1.
        #expect(lines.map(\.tax.minorUnits) == [0, 0, 1])
        let totals = try Totals(lines: lines, currency: .vnd)
        #expect(totals.discount == vnd(2))
        #expect(totals.net == vnd(13))
        #expect(totals.total == vnd(14))
    }

    @Test("pricing: a fixed promotion never takes more than the line (or invoice) amount")
    func fixedCapped() throws {
        let big = fixedPromo("BIG", vnd(100_000), scope: .plan)
        let l = try calculator().price([line(30_000, promotion: big)])[0]
        #expect(l.discounts.map(\.amount.minorUnits) == [30_000])
        #expect(l.net == vnd(0))
        #expect(l.tax == vnd(0))
        #expect(l.total == vnd(0))

        // Invoice-level: 100,000 off lines worth 40,000 + 20,000 = 60,000 takes 60,000.
        let invoice = try catalog.promotion("INVOICE100K", field: "p")
        let lines = try calculator().price([line(40_000), line(20_000)], invoicePromotion: invoice)
        #expect(lines.map { $0.discounts.map(\.amount.minorUnits) } == [[40_000], [20_000]])
        #expect(lines.map(\.net.minorUnits) == [0, 0])
        let totals = try Totals(lines: lines, currency: .vnd)
        #expect(totals.discount == vnd(60_000))
        #expect(totals.total == vnd(0))
        #expect(totals.amountDue == vnd(0))
    }

    @Test("pricing: a credit line takes no discount and no share of the invoice promotion, but carries negative tax")
    func creditLine() throws {
        let welcome = try catalog.promotion("WELCOME10", field: "p")
        let inv10 = percentPromo("INV10", 1_000, scope: .invoice)
        let lines = try calculator().price([
            line(100_000),
            line(-65_753, kind: .credit, cycle: Percentage(percent: 20), bundle: suite, promotion: welcome),
        ], invoicePromotion: inv10)
        // Charge: invoice 10 % of 100,000 (the credit is not in the base) = 10,000 → 90,000; VAT 9,000; total 99,000.
        #expect(lines[0].discounts.map(\.amount.minorUnits) == [10_000])
        #expect(lines[0].net == vnd(90_000))
        #expect(lines[0].tax == vnd(9_000))
        #expect(lines[0].total == vnd(99_000))
        // Credit: −65,753 untouched; VAT −6,575.3 → −6,575; total −72,328.
        #expect(lines[1].discounts.isEmpty)
        #expect(lines[1].net == vnd(-65_753))
        #expect(lines[1].tax == vnd(-6_575))
        #expect(lines[1].total == vnd(-72_328))
        // Totals: subtotal 34,247; discount 10,000; net 24,247; tax 2,425; total 26,672.
        let totals = try Totals(lines: lines, currency: .vnd)
        #expect(totals.subtotal == vnd(34_247))
        #expect(totals.discount == vnd(10_000))
        #expect(totals.net == vnd(24_247))
        #expect(totals.tax == vnd(2_425))
        #expect(totals.total == vnd(26_672))
        #expect(totals.amountDue == vnd(26_672))
        #expect(totals.creditToBalance == vnd(0))
    }

    @Test("pricing: lines that come to a credit owe nothing and leave the credit to the balance")
    func negativeTotal() throws {
        let lines = try calculator().price([line(10_000), line(-65_753, kind: .credit)])
        // Charge 10,000 + VAT 1,000 = 11,000; credit −65,753 − 6,575 = −72,328.
        // Total 11,000 − 72,328 = −61,328.
        let totals = try Totals(lines: lines, currency: .vnd)
        #expect(totals.subtotal == vnd(-55_753))
        #expect(totals.discount == vnd(0))
        #expect(totals.net == vnd(-55_753))
        #expect(totals.tax == vnd(-5_575))
        #expect(totals.total == vnd(-61_328))
        #expect(totals.amountDue == vnd(0))
        #expect(totals.creditToBalance == vnd(61_328))

        let empty = try Totals(lines: [], currency: .vnd)
        #expect(empty.total == vnd(0))
        #expect(empty.amountDue == vnd(0))
        #expect(empty.creditToBalance == vnd(0))
    }

    @Test("pricing: a tax-exempt customer pays no tax")
    func taxExempt() throws {
        let exempt = Customer(id: "cus_x", country: "VN", currency: .vnd, taxExempt: true)
        let l = try calculator(exempt).price([line(1_000_000, cycle: Percentage(percent: 20))])[0]
        // 1,000,000 − 200,000 = 800,000, no VAT.
        #expect(l.net == vnd(800_000))
        #expect(l.tax == vnd(0))
        #expect(l.taxName == nil)
        #expect(l.taxRate == nil)
        #expect(l.total == vnd(800_000))
    }

    @Test("pricing: a country (or category) without a rate, or no country, gives zero tax")
    func noRate() throws {
        for customer in [Customer(id: "cus_us", country: "US", currency: .vnd), Customer(id: "cus_none", currency: .vnd)] {
            let l = try calculator(customer).price([line(500_000)])[0]
            #expect(l.net == vnd(500_000))
            #expect(l.tax == vnd(0))
            #expect(l.taxName == nil)
            #expect(l.total == vnd(500_000))
        }
        let digital = try calculator().price([line(500_000, category: "digital_services")])[0]
        #expect(digital.tax == vnd(0))
        #expect(digital.total == vnd(500_000))
    }

    @Test("pricing: inclusive tax is taken out of the net and the total stays the net (110,000 ¥ → 10,000 tax)")
    func inclusiveTax() throws {
        let japan = Customer(id: "cus_jp", country: "JP", currency: .jpy)
        let l = try calculator(japan, currency: .jpy).price([line(110_000, currency: .jpy)])[0]
        #expect(l.net.minorUnits == 110_000)
        #expect(l.tax.minorUnits == 10_000)
        #expect(l.taxInclusive)
        #expect(l.taxName == "Consumption tax")
        #expect(l.total.minorUnits == 110_000)
        let totals = try Totals(lines: [l], currency: .jpy)
        // With inclusive tax the total is the net, not net + tax.
        #expect(totals.net.minorUnits == 110_000)
        #expect(totals.tax.minorUnits == 10_000)
        #expect(totals.total.minorUnits == 110_000)
    }

    @Test("pricing: a line in another currency than the calculator's is currency.mismatch")
    func currencyMismatch() throws {
        let e = try #require(throws: RecurError.self) {
            try calculator().price([line(100_000), line(500, currency: .eur, name: "euro line")])
        }
        #expect(e.code == .currencyMismatch)
        #expect(e.field == "currency")
        #expect(e.values == ["currency": .text("EUR"), "orderCurrency": .text("VND")])
        #expect(e.message.contains("euro line"))
    }
}

@Suite("Price calculator properties")
struct PriceCalculatorPropertyTests {
    let catalog = DemoCatalog.make()

    /// One random line: gross, whether it is a credit, cycle / bundle / promotion basis points.
    static let lineGen = zip(Gen.int64(in: 0...50_000_000), Gen<Bool>.bool(0.2),
                             Gen.int64(in: 0...10_000), Gen.int64(in: 0...10_000), Gen.int64(in: 0...10_000))

    func drafts(_ specs: [(Int64, Bool, Int64, Int64, Int64)]) -> [LineDraft] {
        specs.enumerated().map { i, s in
            let (gross, credit, cycle, bundle, promo) = s
            let b = ProductBundle(id: "b", name: "B", products: ["x", "y"], discount: Percentage(basisPoints: bundle), allowedCycles: [.yearly])
            return line(credit ? -gross : gross, kind: credit ? .credit : (i % 2 == 0 ? .plan : .addOn),
                        cycle: Percentage(basisPoints: cycle), bundle: b,
                        promotion: percentPromo(PromotionCode("P\(i)"), promo, scope: i % 2 == 0 ? .plan : .addOn))
        }
    }

    /// Checks every line and the totals; returns nothing, records issues.
    func checkInvariants(_ lines: [InvoiceLine]) throws {
        for l in lines {
            let discount = try l.discountTotal
            #expect(try l.amount - discount == l.net)
            #expect(l.discounts.allSatisfy { !$0.amount.isNegative })
            if l.kind == .credit {
                #expect(l.discounts.isEmpty)
                #expect(l.net == l.amount)
                #expect(!l.tax.isPositive)
                #expect(!l.total.isPositive)
            } else {
                #expect(!l.net.isNegative)
                #expect(l.net.minorUnits <= l.amount.minorUnits)
                #expect(!l.tax.isNegative)
                #expect(!l.total.isNegative)
            }
            #expect(try l.total == (l.taxInclusive ? l.net : l.net + l.tax))
        }
        let totals = try Totals(lines: lines, currency: .vnd)
        #expect(try totals.subtotal - totals.discount == totals.net)
        #expect(totals.net.minorUnits == lines.reduce(0) { $0 + $1.net.minorUnits })
        #expect(totals.tax.minorUnits == lines.reduce(0) { $0 + $1.tax.minorUnits })
        #expect(totals.total.minorUnits == lines.reduce(0) { $0 + $1.total.minorUnits })
        #expect(!totals.amountDue.isNegative)
        #expect(!totals.creditToBalance.isNegative)
        #expect(try totals.amountDue - totals.creditToBalance == totals.total)
    }

    @Test("property: with random amounts and percentage discounts, each net lies in 0...gross and totals add up")
    func percentagesStayInRange() async {
        await propertyCheck(count: 200, input: Self.lineGen.array(of: 1...6), Gen.int64(in: 0...10_000),
                            Gen.element(of: ["VN", "MY", "JP", "FR", "US"])) { specs, invoiceBP, country in
            let customer = Customer(id: "c", country: country, currency: .vnd)
            let calc = PriceCalculator(catalog: catalog, customer: customer, currency: .vnd)
            let lines = try calc.price(drafts(specs), invoicePromotion: percentPromo("INV", invoiceBP, scope: .invoice))
            #expect(lines.count == specs.count)
            try checkInvariants(lines)
            // The invoice promotion parts are exactly the percentage of the sum left before it, rounded once.
            let invoiceParts = lines.flatMap(\.discounts).filter { $0.kind == .invoicePromotion }.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            let base = lines.filter { $0.kind != .credit }.reduce(Int64(0)) { acc, l in
                acc + l.amount.minorUnits - l.discounts.filter { $0.kind != .invoicePromotion }.reduce(0) { $0 + $1.amount.minorUnits }
            }
            #expect(try invoiceParts == Money(minorUnits: base, currency: .vnd).percentage(Percentage(basisPoints: invoiceBP)).minorUnits)
        }
    }

    @Test("property: a random fixed invoice promotion takes min(fixed, what is left) and nothing goes below zero")
    func fixedInvoicePromotion() async {
        await propertyCheck(count: 200, input: Self.lineGen.array(of: 1...6), Gen.int64(in: 1...200_000_000)) { specs, fixed in
            let calc = PriceCalculator(catalog: catalog, customer: Customer(id: "c", country: "VN", currency: .vnd), currency: .vnd)
            let lines = try calc.price(drafts(specs), invoicePromotion: fixedPromo("FIX", vnd(fixed), scope: .invoice))
            try checkInvariants(lines)
            let invoiceParts = lines.flatMap(\.discounts).filter { $0.kind == .invoicePromotion }.reduce(Int64(0)) { $0 + $1.amount.minorUnits }
            let base = lines.filter { $0.kind != .credit }.reduce(Int64(0)) { acc, l in
                acc + l.amount.minorUnits - l.discounts.filter { $0.kind != .invoicePromotion }.reduce(0) { $0 + $1.amount.minorUnits }
            }
            #expect(invoiceParts == min(fixed, base))
        }
    }
}
