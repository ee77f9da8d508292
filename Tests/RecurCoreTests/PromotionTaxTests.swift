import Testing
@testable import RecurCore

private func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }
private func day(_ y: Int, _ m: Int, _ d: Int) throws -> CivilDate { try CivilDate(y, m, d) }

@Suite("Promotion redemption rules")
struct PromotionTests {
    let catalog = DemoCatalog.make()
    let field = "items[0].promotion"

    func promo(_ code: PromotionCode) throws -> Promotion { try catalog.promotion(code, field: "promotion") }

    /// A plain 10 % plan promotion to vary one rule at a time.
    func plain(scope: Promotion.Scope = .plan, from: CivilDate? = nil, through: CivilDate? = nil, limit: Int? = nil,
               redeemed: Int = 0, eligibility: Promotion.Eligibility = .init(),
               discount: Promotion.Discount = .percent(Percentage(percent: 10))) -> Promotion {
        Promotion(code: "TEST", name: "Test", discount: discount, scope: scope, validFrom: from, validThrough: through,
                  redemptionLimit: limit, timesRedeemed: redeemed, eligibility: eligibility)
    }

    /// Runs the check for a Workspace Standard monthly plan line in VND unless told otherwise,
    /// and returns "ok" or the error's code, so every case asserts a concrete outcome.
    func outcome(_ p: Promotion, scope: Promotion.Scope = .plan, on date: CivilDate? = nil,
                 product: ProductID? = DemoCatalog.workspace, plan: PlanID? = "ws_standard", addOn: AddOnID? = nil,
                 cycle: BillingCycle? = .monthly, currency: Currency = .vnd, firstPurchase: Bool = true) throws -> String {
        do {
            try p.checkRedeemable(scope: scope, on: try date ?? day(2025, 6, 15), product: product, plan: plan, addOn: addOn,
                                  cycle: cycle, currency: currency, firstPurchase: firstPurchase, field: field)
            return "ok"
        } catch let e as RecurError {
            return e.code.rawValue
        }
    }

    func error(_ p: Promotion, scope: Promotion.Scope = .plan, on date: CivilDate? = nil,
               product: ProductID? = DemoCatalog.workspace, plan: PlanID? = "ws_standard", addOn: AddOnID? = nil,
               cycle: BillingCycle? = .monthly, currency: Currency = .vnd, firstPurchase: Bool = true) throws -> RecurError {
        let d = try date ?? day(2025, 6, 15)
        return try #require(throws: RecurError.self) {
            try p.checkRedeemable(scope: scope, on: d, product: product, plan: plan, addOn: addOn,
                                  cycle: cycle, currency: currency, firstPurchase: firstPurchase, field: field)
        }
    }

    @Test("promotion: a code used on another kind of line is promotion.out_of_scope")
    func outOfScope() throws {
        let invoice = try promo("INVOICE100K")
        let e = try error(invoice, scope: .plan)
        #expect(e.code == .promotionOutOfScope)
        #expect(e.field == "items[0].promotion")
        #expect(e.values == ["code": .text("INVOICE100K"), "scope": .text("invoice"), "requested": .text("plan")])

        let addOnCode = try promo("STORAGE50")
        let e2 = try error(addOnCode, scope: .invoice, product: nil, plan: nil)
        #expect(e2.code == .promotionOutOfScope)
        #expect(e2.values["scope"] == .text("add_on"))
        #expect(e2.values["requested"] == .text("invoice"))
        #expect(try outcome(invoice, scope: .invoice, product: nil, plan: nil, cycle: nil) == "ok")
    }

    @Test("promotion: before validFrom is promotion.not_yet_valid; validFrom itself is valid")
    func notYetValid() throws {
        let p = plain(from: try day(2025, 3, 1))
        let e = try error(p, on: try day(2025, 2, 28))
        #expect(e.code == .promotionNotYetValid)
        #expect(e.values["validFrom"] == .date(try day(2025, 3, 1)))
        #expect(e.values["code"] == .text("TEST"))
        #expect(try outcome(p, on: try day(2025, 3, 1)) == "ok")
    }

    @Test("promotion: the day after validThrough is promotion.expired; validThrough itself is still valid")
    func expired() throws {
        let p = try promo("INVOICE100K")   // valid through 2027-12-31
        let e = try error(p, scope: .invoice, on: try day(2028, 1, 1), product: nil, plan: nil)
        #expect(e.code == .promotionExpired)
        #expect(e.field == "items[0].promotion")
        #expect(e.values["validThrough"] == .date(try day(2027, 12, 31)))
        #expect(try outcome(p, scope: .invoice, on: try day(2027, 12, 31), product: nil, plan: nil) == "ok")
    }

    @Test("promotion: a code redeemed as often as its limit is promotion.exhausted; one below is fine")
    func exhausted() throws {
        let e = try error(plain(limit: 1_000, redeemed: 1_000))
        #expect(e.code == .promotionExhausted)
        #expect(e.values == ["code": .text("TEST"), "limit": .int(1_000), "redeemed": .int(1_000)])
        #expect(try outcome(plain(limit: 1_000, redeemed: 999)) == "ok")
        #expect(try outcome(plain(limit: 1, redeemed: 5)) == "promotion.exhausted")
    }

    @Test("promotion: a first-purchase code is promotion.not_eligible for a returning customer")
    func firstPurchaseOnly() throws {
        let welcome = try promo("WELCOME10")
        let e = try error(welcome, firstPurchase: false)
        #expect(e.code == .promotionNotEligible)
        #expect(e.values == ["code": .text("WELCOME10")])
        #expect(e.message.contains("first purchase"))
        #expect(try outcome(welcome, firstPurchase: true) == "ok")
    }

    @Test("promotion: a code for other products is promotion.not_eligible; an invoice line has no product to refuse")
    func productEligibility() throws {
        let p = plain(eligibility: .init(products: [DemoCatalog.operationProcess]))
        let e = try error(p, product: DemoCatalog.workspace)
        #expect(e.code == .promotionNotEligible)
        #expect(e.message.contains("product workspace"))
        #expect(try outcome(p, product: DemoCatalog.operationProcess, plan: "op_starter") == "ok")
        // A plan line that names no product cannot qualify.
        #expect(try outcome(p, product: nil) == "promotion.not_eligible")
        // An invoice-wide code with a product restriction is still accepted on the invoice.
        let inv = plain(scope: .invoice, eligibility: .init(products: [DemoCatalog.operationProcess]))
        #expect(try outcome(inv, scope: .invoice, product: nil, plan: nil) == "ok")
    }

    @Test("promotion: a code for other plans is promotion.not_eligible on a plan line only")
    func planEligibility() throws {
        let p = plain(eligibility: .init(plans: ["ws_premium"]))
        let e = try error(p, plan: "ws_standard")
        #expect(e.code == .promotionNotEligible)
        #expect(e.message.contains("plan ws_standard"))
        #expect(try outcome(p, plan: "ws_premium") == "ok")
        // The plan restriction does not apply to an add-on line.
        let addOnPromo = plain(scope: .addOn, eligibility: .init(plans: ["ws_premium"]))
        #expect(try outcome(addOnPromo, scope: .addOn, plan: "ws_standard", addOn: "docs_100") == "ok")
    }

    @Test("promotion: an add-on code for another add-on is promotion.not_eligible")
    func addOnEligibility() throws {
        let storage = try promo("STORAGE50")   // add-ons: storage_10gb
        let e = try error(storage, scope: .addOn, plan: nil, addOn: "docs_100")
        #expect(e.code == .promotionNotEligible)
        #expect(e.message.contains("add-on docs_100"))
        #expect(try outcome(storage, scope: .addOn, plan: nil, addOn: "storage_10gb") == "ok")
        #expect(try outcome(storage, scope: .addOn, plan: nil, addOn: nil) == "promotion.not_eligible")
    }

    @Test("promotion: a code for other cycles is promotion.not_eligible")
    func cycleEligibility() throws {
        let yearlyOnly = plain(eligibility: .init(cycles: [.yearly]))
        let e = try error(yearlyOnly, cycle: .monthly)
        #expect(e.code == .promotionNotEligible)
        #expect(e.message.contains("month"))
        #expect(try outcome(yearlyOnly, cycle: .yearly) == "ok")
        #expect(try outcome(yearlyOnly, cycle: .halfYearly) == "promotion.not_eligible")
    }

    @Test("promotion: a fixed amount in another currency than the order is promotion.currency_mismatch")
    func fixedCurrency() throws {
        let p = try promo("INVOICE100K")   // 100,000 ₫
        let e = try error(p, scope: .invoice, product: nil, plan: nil, currency: .eur)
        #expect(e.code == .promotionCurrencyMismatch)
        #expect(e.values == ["code": .text("INVOICE100K"), "currency": .text("VND"), "orderCurrency": .text("EUR")])
        // A percentage has no currency.
        #expect(try outcome(plain(), currency: .eur) == "ok")
    }

    @Test("promotion: scope is checked before dates, dates before the limit, the limit before eligibility")
    func checkOrder() throws {
        let p = plain(scope: .addOn, through: try day(2025, 1, 1), limit: 1, redeemed: 1,
                      eligibility: .init(firstPurchaseOnly: true), discount: .fixed(Money(minorUnits: 100, currency: .eur)))
        #expect(try outcome(p, scope: .plan, on: try day(2025, 6, 1), firstPurchase: false) == "promotion.out_of_scope")
        #expect(try outcome(p, scope: .addOn, on: try day(2025, 6, 1), firstPurchase: false) == "promotion.expired")
        #expect(try outcome(p, scope: .addOn, on: try day(2025, 1, 1), firstPurchase: false) == "promotion.exhausted")
        var fresh = p
        fresh.timesRedeemed = 0
        #expect(try outcome(fresh, scope: .addOn, on: try day(2025, 1, 1), firstPurchase: false) == "promotion.not_eligible")
        #expect(try outcome(fresh, scope: .addOn, on: try day(2025, 1, 1), firstPurchase: true) == "promotion.currency_mismatch")
        #expect(try outcome(fresh, scope: .addOn, on: try day(2025, 1, 1), currency: .eur, firstPurchase: true) == "ok")
    }
}

@Suite("Tax rates")
struct TaxTests {
    let vat = TaxRate(country: "VN", name: "VAT", rate: Percentage(percent: 10))
    let jpTax = TaxRate(country: "JP", name: "Consumption tax", rate: Percentage(percent: 10), inclusive: true)
    let sstInclusive = TaxRate(country: "MY", name: "SST", rate: Percentage(percent: 8), inclusive: true)

    @Test("tax: exclusive 10 % of 52,602 ₫ is 5,260 (5,260.2 rounded)")
    func exclusive() throws {
        #expect(try vat.tax(on: vnd(52_602)) == vnd(5_260))
        // 10 % of 4,800,000 = 480,000 exactly.
        #expect(try vat.tax(on: vnd(4_800_000)) == vnd(480_000))
    }

    @Test("tax: inclusive 10 % of 110,000 ¥ is 10,000 (110,000 × 1000 ÷ 11000)")
    func inclusiveJPY() throws {
        #expect(try jpTax.tax(on: Money(minorUnits: 110_000, currency: .jpy)) == Money(minorUnits: 10_000, currency: .jpy))
        // 1,000 ¥ × 1000 ÷ 11000 = 90.909… → 91.
        #expect(try jpTax.tax(on: Money(minorUnits: 1_000, currency: .jpy)).minorUnits == 91)
    }

    @Test("tax: inclusive 8 % of RM 19.99 is 148 sen (1999 × 800 ÷ 10800 = 148.07)")
    func inclusiveMYR() throws {
        #expect(try sstInclusive.tax(on: Money(minorUnits: 1_999, currency: .myr)) == Money(minorUnits: 148, currency: .myr))
        // 27 sen × 800 ÷ 10800 = 2 exactly.
        #expect(try sstInclusive.tax(on: Money(minorUnits: 27, currency: .myr)).minorUnits == 2)
    }

    @Test("tax: a half minor unit rounds up (5 ₫ → 0.5 → 1; 4 ₫ → 0.4 → 0; 15 ₫ → 1.5 → 2)")
    func halfUp() throws {
        #expect(try vat.tax(on: vnd(5)) == vnd(1))
        #expect(try vat.tax(on: vnd(4)) == vnd(0))
        #expect(try vat.tax(on: vnd(15)) == vnd(2))
        #expect(try vat.tax(on: vnd(14)) == vnd(1))
        // Inclusive 20 % of 3 cents: 3 × 2000 ÷ 12000 = 0.5 → 1.
        let tva = TaxRate(country: "FR", name: "TVA", rate: Percentage(percent: 20), inclusive: true)
        #expect(try tva.tax(on: Money(minorUnits: 3, currency: .eur)).minorUnits == 1)
    }

    @Test("tax: on a credit the tax is negative and a half rounds away from zero (−5 ₫ → −1)")
    func negative() throws {
        #expect(try vat.tax(on: vnd(-5)) == vnd(-1))
        #expect(try vat.tax(on: vnd(-4)) == vnd(0))
        // −65,753 × 10 % = −6,575.3 → −6,575.
        #expect(try vat.tax(on: vnd(-65_753)) == vnd(-6_575))
    }

    @Test("tax: a zero rate gives zero tax; the catalog finds rates by country and category")
    func lookup() throws {
        let zero = TaxRate(country: "HK", name: "None", rate: .zero)
        #expect(try zero.tax(on: vnd(1_000_000)) == vnd(0))
        let catalog = DemoCatalog.make()
        #expect(catalog.taxRate(country: "vn", category: .standard)?.rate.basisPoints == 1_000)
        #expect(catalog.taxRate(country: "JP", category: .standard)?.inclusive == true)
        #expect(catalog.taxRate(country: "MY", category: .standard)?.rate.basisPoints == 800)
        #expect(catalog.taxRate(country: "US", category: .standard) == nil)
        #expect(catalog.taxRate(country: nil, category: .standard) == nil)
        #expect(catalog.taxRate(country: "VN", category: "digital_services") == nil)
    }
}
