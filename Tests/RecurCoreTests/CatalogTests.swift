import Testing
@testable import RecurCore

private func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }
private func eur(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: .eur) }

/// A small valid catalog that each validation test breaks in one place.
///
/// Workspace (`ws`) has a free plan and a paid per-seat plan; App (`app`) has one
/// flat plan and depends on Workspace.
private struct Fixture {
    var products: [Product] = [
        Product(id: "ws", name: "Workspace", trialDays: 30, trialEnd: .downgrade(to: "ws_free")),
        Product(id: "app", name: "App"),
    ]
    var plans: [Plan] = [
        Plan(id: "ws_free", product: "ws", name: "Free", rank: 0, pricing: .perSeat(minimum: 1, maximum: 5), isFree: true),
        Plan(id: "ws_paid", product: "ws", name: "Paid", rank: 1, pricing: .perSeat(minimum: 2, maximum: nil),
             prices: [Price(.monthly, vnd(100_000)), Price(.monthly, eur(500))]),
        Plan(id: "app_paid", product: "app", name: "App", rank: 1, prices: [Price(.monthly, vnd(50_000))]),
    ]
    var addOns: [AddOn] = [
        AddOn(id: "storage", name: "Storage", prices: [Price(.monthly, vnd(20_000))], grants: [.storageMB: 1_024], products: ["ws"]),
    ]
    var dependencies: [Dependency] = [
        Dependency(dependent: "app", base: "ws", minimumBasePlan: "ws_paid"),
    ]
    var bundles: [ProductBundle] = [
        ProductBundle(id: "suite", name: "Suite", products: ["ws", "app"], discount: Percentage(percent: 10), allowedCycles: [.yearly]),
    ]
    var cycleDiscounts: [BillingCycle: Percentage] = [.yearly: Percentage(percent: 20)]
    var promotions: [Promotion] = [
        Promotion(code: "TEN", name: "10 %", discount: .percent(Percentage(percent: 10)), scope: .plan),
    ]
    var taxRates: [TaxRate] = [TaxRate(country: "VN", name: "VAT", rate: Percentage(percent: 10))]

    func build() throws -> Catalog {
        try Catalog(products: products, plans: plans, addOns: addOns, dependencies: dependencies, bundles: bundles,
                    cycleDiscounts: cycleDiscounts, promotions: promotions, taxRates: taxRates)
    }

    /// The problems the catalog is refused for.
    func problems() throws -> [RecurError] {
        let refused = try #require(throws: RecurErrors.self) { try build() }
        return refused.errors
    }
}

@Suite("Catalog validation")
struct CatalogValidationTests {
    @Test("catalog: the demo catalog is valid, with 5 products, 4 add-ons, 2 dependencies and 1 bundle")
    func demoCatalogIsValid() throws {
        let c = try DemoCatalog.build()
        #expect(c.products.count == 5)
        #expect(c.addOns.count == 4)
        #expect(c.dependencies.count == 2)
        #expect(c.bundles.count == 1)
        #expect(c.plans.count == 12)
        #expect(c.promotions.count == 3)
        #expect(c.taxRates.count == 4)
        #expect(c.cycleDiscounts == [.yearly: Percentage(basisPoints: 2_000)])
        #expect(c.bundles[0].discount.basisPoints == 1_000)
        #expect(c.bundles[0].products == [DemoCatalog.workspace, DemoCatalog.operationProcess, DemoCatalog.appBuilder])
        #expect(DemoCatalog.make().products.keys.sorted() == c.products.keys.sorted())
    }

    @Test("catalog: the fixture used by these tests is itself valid")
    func fixtureIsValid() throws {
        let c = try Fixture().build()
        #expect(c.products.count == 2)
        #expect(c.plans.count == 3)
        #expect(c.plans(of: "ws").map(\.id) == ["ws_free", "ws_paid"])
        #expect(c.dependency(of: "app")?.base == "ws")
    }

    @Test("catalog: an invalid catalog lists every problem at once, in validation order")
    func everyProblemAtOnce() throws {
        var f = Fixture()
        f.products = [
            // Falls to a paid plan after its trial.
            Product(id: "alpha", name: "Alpha", trialDays: 14, trialEnd: .downgrade(to: "alpha_paid")),
            Product(id: "beta", name: "Beta"),
            Product(id: "beta", name: "Beta again"),
        ]
        f.plans = [
            Plan(id: "alpha_paid", product: "alpha", name: "Paid", rank: 1, pricing: .perSeat(minimum: 0, maximum: 10),
                 prices: [Price(.monthly, vnd(100_000)), Price(.monthly, vnd(120_000))]),
            Plan(id: "alpha_free", product: "alpha", name: "Free", rank: 0, prices: [Price(.monthly, vnd(1_000))], isFree: true),
            Plan(id: "beta_plan", product: "beta", name: "Beta", rank: 1),
            Plan(id: "ghost_plan", product: "ghost", name: "Ghost", rank: 1, prices: [Price(.monthly, vnd(-5))]),
        ]
        f.addOns = []
        f.dependencies = [Dependency(dependent: "beta", base: "beta", minimumBasePlan: "alpha_paid")]
        f.bundles = [ProductBundle(id: "solo", name: "Solo", products: ["alpha"], discount: Percentage(basisPoints: 12_000), allowedCycles: [.yearly])]
        f.promotions = [
            Promotion(code: "ZERO", name: "Nothing off", discount: .fixed(vnd(0)), scope: .invoice),
            Promotion(code: "BIG", name: "150 %", discount: .percent(Percentage(percent: 150)), scope: .plan),
            Promotion(code: "BACKWARDS", name: "Ends first", discount: .percent(Percentage(percent: 5)), scope: .plan,
                      validFrom: try CivilDate(2025, 3, 1), validThrough: try CivilDate(2025, 2, 28)),
        ]
        f.taxRates = [TaxRate(country: "VNM", name: "VAT", rate: Percentage(percent: 10))]

        let errors = try f.problems()
        // Duplicates first, then products, plans (by id), dependencies, bundles,
        // promotions (by code) and tax rates.
        try #require(errors.map(\.code) == [
            .catalogDuplicateID,         // products[2] beta
            .catalogInvalid,             // alpha falls to a paid plan
            .catalogInvalidPrice,        // alpha_free has a price of 1,000
            .catalogInvalidSeats,        // alpha_paid minimum 0
            .catalogDuplicateID,         // alpha_paid has two monthly VND prices
            .catalogMissingPrice,        // beta_plan
            .catalogUnknownReference,    // ghost_plan → product ghost
            .catalogInvalidPrice,        // ghost_plan −5 ₫
            .catalogInvalid,             // beta depends on itself
            .catalogInvalid,             // minimum base plan alpha_paid is not beta's
            .catalogInvalid,             // bundle of one product
            .catalogInvalidPercentage,   // bundle 120 %
            .catalogInvalid,             // BACKWARDS ends before it starts
            .catalogInvalidPercentage,   // BIG 150 %
            .catalogInvalidPrice,        // ZERO fixed 0
            .catalogInvalid,             // country VNM
        ])
        #expect(errors.map(\.field) == [
            "products[2].id",
            "products.alpha.trialEnd",
            "plans.alpha_free.prices",
            "plans.alpha_paid.pricing",
            "plans.alpha_paid.prices[1]",
            "plans.beta_plan.prices",
            "plans.ghost_plan.product",
            "plans.ghost_plan.prices[0]",
            "dependencies[0]",
            "dependencies[0].minimumBasePlan",
            "bundles[0].products",
            "bundles[0].discount",
            "promotions.BACKWARDS.validThrough",
            "promotions.BIG.discount",
            "promotions.ZERO.discount",
            "taxRates[0].country",
        ])
        #expect(errors[0].values["id"] == .text("beta"))
        #expect(errors[1].values["plan"] == .text("alpha_paid"))
        #expect(errors[3].values["minimum"] == .int(0))
        #expect(errors[3].values["maximum"] == .int(10))
        #expect(errors[6].values["id"] == .text("ghost"))
        #expect(errors[7].values["amount"] == .money(vnd(-5)))
        #expect(errors[11].values["basisPoints"] == .int(12_000))
        #expect(errors[13].values["basisPoints"] == .int(15_000))
        #expect(errors[14].values["amount"] == .money(vnd(0)))
    }

    @Test("catalog: duplicate product, plan, add-on and promotion ids are each reported at the later entry")
    func duplicateIDs() throws {
        var f = Fixture()
        f.products.append(Product(id: "app", name: "App 2"))
        f.plans.append(Plan(id: "ws_paid", product: "ws", name: "Paid 2", rank: 2, prices: [Price(.monthly, vnd(1))]))
        f.addOns.append(AddOn(id: "storage", name: "Storage 2", prices: [Price(.monthly, vnd(1))]))
        f.promotions.append(Promotion(code: "TEN", name: "Ten again", discount: .percent(Percentage(percent: 10)), scope: .addOn))
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogDuplicateID, .catalogDuplicateID, .catalogDuplicateID, .catalogDuplicateID])
        #expect(errors.map(\.field) == ["products[2].id", "plans[3].id", "addOns[1].id", "promotions[1].id"])
        #expect(errors.map { $0.values["id"] } == [.text("app"), .text("ws_paid"), .text("storage"), .text("TEN")])
    }

    @Test("catalog: a plan of an unknown product is an unknown reference")
    func planOfUnknownProduct() throws {
        var f = Fixture()
        f.plans.append(Plan(id: "x_plan", product: "x", name: "X", rank: 1, prices: [Price(.monthly, vnd(10))]))
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogUnknownReference])
        #expect(errors[0].field == "plans.x_plan.product")
        #expect(errors[0].values["id"] == .text("x"))
    }

    @Test("catalog: a per-seat plan needs a minimum of at least 1 seat and a maximum not below it")
    func seatRange() throws {
        var zero = Fixture()
        zero.plans[1].pricing = .perSeat(minimum: 0, maximum: nil)
        let e0 = try zero.problems()
        #expect(e0.map(\.code) == [.catalogInvalidSeats])
        #expect(e0[0].field == "plans.ws_paid.pricing")
        // No maximum is reported as −1.
        #expect(e0[0].values == ["minimum": .int(0), "maximum": .int(-1)])

        var inverted = Fixture()
        inverted.plans[1].pricing = .perSeat(minimum: 10, maximum: 9)
        let e1 = try inverted.problems()
        #expect(e1.map(\.code) == [.catalogInvalidSeats])
        #expect(e1[0].values == ["minimum": .int(10), "maximum": .int(9)])

        // A range of exactly one seat is fine.
        var single = Fixture()
        single.plans[1].pricing = .perSeat(minimum: 3, maximum: 3)
        #expect(try single.build().plans["ws_paid"]?.minimumSeats == 3)
        #expect(try single.build().plans["ws_paid"]?.maximumSeats == 3)
    }

    @Test("catalog: a paid plan without a price is refused; a free plan needs none")
    func missingPrice() throws {
        var f = Fixture()
        f.plans[2].prices = []
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogMissingPrice])
        #expect(errors[0].field == "plans.app_paid.prices")
        #expect(try Fixture().build().plans["ws_free"]?.prices.count == 0)
    }

    @Test("catalog: a negative price is refused with the amount")
    func negativePrice() throws {
        var f = Fixture()
        f.plans[1].prices[1] = Price(.monthly, eur(-1))
        f.addOns[0].prices = [Price(.monthly, vnd(-20_000))]
        let errors = try f.problems()
        // Plans are checked before add-ons.
        try #require(errors.map(\.code) == [.catalogInvalidPrice, .catalogInvalidPrice])
        #expect(errors.map(\.field) == ["plans.ws_paid.prices[1]", "addOns.storage.prices[0]"])
        #expect(errors[0].values["amount"] == .money(eur(-1)))
        #expect(errors[1].values["amount"] == .money(vnd(-20_000)))
    }

    @Test("catalog: a free plan may only carry zero prices")
    func freePlanWithPrice() throws {
        var f = Fixture()
        f.plans[0].prices = [Price(.monthly, vnd(0)), Price(.yearly, vnd(1))]
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogInvalidPrice])
        #expect(errors[0].field == "plans.ws_free.prices")

        var zero = Fixture()
        zero.plans[0].prices = [Price(.monthly, vnd(0))]
        #expect(try zero.build().plans["ws_free"]?.prices.map(\.amount) == [vnd(0)])
    }

    @Test("catalog: a tiered plan's prices each need a tier the plan has")
    func tieredPrices() throws {
        var f = Fixture()
        f.plans[2].tiers = [Plan.Tier(id: "s", name: "Small", limits: Limits()), Plan.Tier(id: "l", name: "Large", limits: Limits())]
        f.plans[2].prices = [Price(.monthly, vnd(50_000)), Price(.monthly, vnd(70_000), tier: "xl"), Price(.monthly, vnd(60_000), tier: "s")]
        let errors = try f.problems()
        try #require(errors.map(\.code) == [.catalogInvalidPrice, .catalogUnknownReference])
        #expect(errors.map(\.field) == ["plans.app_paid.prices[0].tier", "plans.app_paid.prices[1].tier"])
        #expect(errors[1].values["id"] == .text("xl"))

        // A plan without tiers cannot price one.
        var untiered = Fixture()
        untiered.plans[2].prices = [Price(.monthly, vnd(50_000), tier: "s")]
        let e2 = try untiered.problems()
        #expect(e2.map(\.code) == [.catalogUnknownReference])
        #expect(e2[0].values["id"] == .text("s"))

        // Duplicate tier ids.
        var dup = Fixture()
        dup.plans[2].tiers = [Plan.Tier(id: "s", name: "Small", limits: Limits()), Plan.Tier(id: "s", name: "Small 2", limits: Limits())]
        dup.plans[2].prices = [Price(.monthly, vnd(50_000), tier: "s")]
        let e3 = try dup.problems()
        #expect(e3.map(\.code) == [.catalogDuplicateID])
        #expect(e3[0].field == "plans.app_paid.tiers")
    }

    @Test("catalog: two prices for the same cycle, currency and tier are a duplicate")
    func duplicatePrice() throws {
        var f = Fixture()
        f.plans[1].prices.append(Price(.monthly, vnd(90_000)))
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogDuplicateID])
        #expect(errors[0].field == "plans.ws_paid.prices[2]")

        // Another cycle, another currency or another tier is not a duplicate.
        var ok = Fixture()
        ok.plans[1].prices += [Price(.yearly, vnd(900_000)), Price(.monthly, Money(minorUnits: 2_000, currency: .myr))]
        ok.plans[2].tiers = [Plan.Tier(id: "a", name: "A", limits: Limits()), Plan.Tier(id: "b", name: "B", limits: Limits())]
        ok.plans[2].prices = [Price(.monthly, vnd(1), tier: "a"), Price(.monthly, vnd(2), tier: "b")]
        #expect(try ok.build().plans["ws_paid"]?.prices.count == 4)
    }

    @Test("catalog: after a trial a product may only fall to a free plan of its own")
    func trialEndDowngrade() throws {
        var paid = Fixture()
        paid.products[0].trialEnd = .downgrade(to: "ws_paid")
        let e0 = try paid.problems()
        #expect(e0.map(\.code) == [.catalogInvalid])
        #expect(e0[0].field == "products.ws.trialEnd")
        #expect(e0[0].values["plan"] == .text("ws_paid"))

        var unknown = Fixture()
        unknown.products[0].trialEnd = .downgrade(to: "nope")
        let e1 = try unknown.problems()
        #expect(e1.map(\.code) == [.catalogUnknownReference])
        #expect(e1[0].values["id"] == .text("nope"))

        // The free plan of another product is refused too.
        var other = Fixture()
        other.products[1].trialEnd = .downgrade(to: "ws_free")
        let e2 = try other.problems()
        #expect(e2.map(\.code) == [.catalogInvalid])
        #expect(e2[0].field == "products.app.trialEnd")

        var negative = Fixture()
        negative.products[1].trialDays = -1
        let e3 = try negative.problems()
        #expect(e3.map(\.code) == [.catalogInvalid])
        #expect(e3[0].values["trialDays"] == .int(-1))
    }

    @Test("catalog: a dependency must name known products, not itself, and a minimum plan of its base")
    func dependencies() throws {
        var unknown = Fixture()
        unknown.dependencies = [Dependency(dependent: "ghost", base: "phantom", minimumBasePlan: "ws_paid")]
        let e0 = try unknown.problems()
        // ws_paid is a Workspace plan, so it is also not a plan of the base "phantom".
        #expect(e0.map(\.code) == [.catalogUnknownReference, .catalogUnknownReference, .catalogInvalid])
        #expect(e0.map(\.field) == ["dependencies[0].dependent", "dependencies[0].base", "dependencies[0].minimumBasePlan"])
        #expect(e0.map { $0.values["id"] } == [.text("ghost"), .text("phantom"), nil])

        var selfDep = Fixture()
        selfDep.dependencies = [Dependency(dependent: "ws", base: "ws", minimumBasePlan: "ws_paid")]
        let e1 = try selfDep.problems()
        #expect(e1.map(\.code) == [.catalogInvalid])
        #expect(e1[0].field == "dependencies[0]")

        var otherPlan = Fixture()
        otherPlan.dependencies = [Dependency(dependent: "app", base: "ws", minimumBasePlan: "app_paid")]
        let e2 = try otherPlan.problems()
        #expect(e2.map(\.code) == [.catalogInvalid])
        #expect(e2[0].field == "dependencies[0].minimumBasePlan")

        var unknownPlan = Fixture()
        unknownPlan.dependencies = [Dependency(dependent: "app", base: "ws", minimumBasePlan: "ws_gold")]
        let e3 = try unknownPlan.problems()
        #expect(e3.map(\.code) == [.catalogUnknownReference])
        #expect(e3[0].field == "dependencies[0].minimumBasePlan")
        #expect(e3[0].values["id"] == .text("ws_gold"))

        // An automatically added base plan below the minimum.
        var lowAuto = Fixture()
        lowAuto.dependencies = [Dependency(dependent: "app", base: "ws", minimumBasePlan: "ws_paid", autoAddBasePlan: "ws_free")]
        let e4 = try lowAuto.problems()
        #expect(e4.map(\.code) == [.catalogInvalid])
        #expect(e4[0].field == "dependencies[0].autoAddBasePlan")
    }

    @Test("catalog: a bundle needs two products and a discount within 0–100 %")
    func bundles() throws {
        var one = Fixture()
        one.bundles = [ProductBundle(id: "solo", name: "Solo", products: ["ws"], discount: Percentage(percent: 10), allowedCycles: [.yearly])]
        let e0 = try one.problems()
        #expect(e0.map(\.code) == [.catalogInvalid])
        #expect(e0[0].field == "bundles[0].products")

        var big = Fixture()
        big.bundles[0].discount = Percentage(percent: 120)
        let e1 = try big.problems()
        #expect(e1.map(\.code) == [.catalogInvalidPercentage])
        #expect(e1[0].field == "bundles[0].discount")
        #expect(e1[0].values["basisPoints"] == .int(12_000))

        // Exactly 100 % is allowed.
        var full = Fixture()
        full.bundles[0].discount = .hundred
        #expect(try full.build().bundles[0].discount.basisPoints == 10_000)
    }

    @Test("catalog: a percentage promotion is at most 100 %, a fixed one above zero, and ends on or after it starts")
    func promotions() throws {
        var f = Fixture()
        f.promotions = [
            Promotion(code: "P101", name: "101 %", discount: .percent(Percentage(percent: 101)), scope: .plan),
            Promotion(code: "P100", name: "100 %", discount: .percent(.hundred), scope: .plan),
            Promotion(code: "F0", name: "zero", discount: .fixed(vnd(0)), scope: .invoice),
            Promotion(code: "F-1", name: "negative", discount: .fixed(vnd(-1)), scope: .invoice),
            Promotion(code: "DATES", name: "backwards", discount: .percent(Percentage(percent: 5)), scope: .plan,
                      validFrom: try CivilDate(2025, 6, 2), validThrough: try CivilDate(2025, 6, 1)),
            Promotion(code: "ONEDAY", name: "one day", discount: .percent(Percentage(percent: 5)), scope: .plan,
                      validFrom: try CivilDate(2025, 6, 1), validThrough: try CivilDate(2025, 6, 1)),
        ]
        let errors = try f.problems()
        // By code: DATES, F-1, F0, ONEDAY (valid), P100 (valid), P101.
        try #require(errors.map(\.code) == [.catalogInvalid, .catalogInvalidPrice, .catalogInvalidPrice, .catalogInvalidPercentage])
        #expect(errors.map(\.field) == ["promotions.DATES.validThrough", "promotions.F-1.discount", "promotions.F0.discount", "promotions.P101.discount"])
        #expect(errors[1].values["amount"] == .money(vnd(-1)))
        #expect(errors[3].values["basisPoints"] == .int(10_100))
    }

    @Test("catalog: a promotion's eligibility must name known products, plans and add-ons")
    func promotionEligibilityReferences() throws {
        var f = Fixture()
        f.promotions = [Promotion(code: "X", name: "X", discount: .percent(Percentage(percent: 5)), scope: .plan,
                                  eligibility: .init(products: ["nope"], plans: ["nope_plan"], addOns: ["nope_addon"]))]
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogUnknownReference, .catalogUnknownReference, .catalogUnknownReference])
        #expect(errors.map(\.field) == ["promotions.X.eligibility.products", "promotions.X.eligibility.plans", "promotions.X.eligibility.addOns"])
    }

    @Test("catalog: a tax rate needs a two-letter country code")
    func taxCountry() throws {
        var f = Fixture()
        f.taxRates = [TaxRate(country: "VNM", name: "VAT", rate: Percentage(percent: 10)),
                      TaxRate(country: "M1", name: "SST", rate: Percentage(percent: 8))]
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogInvalid, .catalogInvalid])
        #expect(errors.map(\.field) == ["taxRates[0].country", "taxRates[1].country"])

        // A lower-case code is stored upper case and found either way.
        var lower = Fixture()
        lower.taxRates = [TaxRate(country: "vn", name: "VAT", rate: Percentage(percent: 10))]
        let c = try lower.build()
        #expect(c.taxRates[0].country == "VN")
        #expect(c.taxRate(country: "vn", category: .standard)?.rate.basisPoints == 1_000)
    }

    @Test("catalog: two rates for one country and category, or a rate above 100 %, are refused")
    func taxDuplicatesAndRange() throws {
        var f = Fixture()
        f.taxRates = [TaxRate(country: "VN", name: "VAT", rate: Percentage(percent: 10)),
                      TaxRate(country: "VN", name: "VAT 2", rate: Percentage(percent: 101))]
        let errors = try f.problems()
        #expect(errors.map(\.code) == [.catalogInvalidPercentage, .catalogDuplicateID])
        #expect(errors.map(\.field) == ["taxRates[1].rate", "taxRates[1]"])
    }
}

@Suite("Catalog price resolution")
struct CatalogPriceTests {
    let catalog = DemoCatalog.make()

    func plan(_ id: PlanID) throws -> Plan { try catalog.plan(id, field: "plan") }

    @Test("price: an explicit price for the cycle wins and carries no cycle discount")
    func explicitWins() throws {
        // meeting_small tier 600: explicit yearly 660,000 ¥ (12 × 55,000 = 660,000 too, but not derived).
        let p = try catalog.price(of: try plan("meeting_small"), cycle: .yearly, currency: .jpy, tier: "600", field: "items[0].cycle")
        #expect(p.unitAmount == Money(minorUnits: 660_000, currency: .jpy))
        #expect(p.cycleDiscount == .zero)
        #expect(p.derived == false)

        let monthly = try catalog.price(of: try plan("meeting_small"), cycle: .monthly, currency: .jpy, tier: "1500", field: "f")
        #expect(monthly.unitAmount.minorUnits == 120_000)
        #expect(monthly.derived == false)
    }

    @Test("price: without an explicit price, yearly is 12 × monthly and the 20 % yearly discount applies")
    func derivedYearly() throws {
        // ws_standard 90,000 ₫ per seat-month × 12 = 1,080,000 ₫; 20 % is applied later, by the calculator.
        let p = try catalog.price(of: try plan("ws_standard"), cycle: .yearly, currency: .vnd, tier: nil, field: "f")
        #expect(p.unitAmount == Money(minorUnits: 1_080_000, currency: .vnd))
        #expect(p.cycleDiscount.basisPoints == 2_000)
        #expect(p.derived == true)

        // EUR: 4.50 × 12 = 54.00.
        let e = try catalog.price(of: try plan("ws_standard"), cycle: .yearly, currency: .eur, tier: nil, field: "f")
        #expect(e.unitAmount == eur(5_400))
        #expect(e.cycleDiscount.basisPoints == 2_000)

        // A quarter has no catalog discount: 3 × 90,000 = 270,000 at 0 %.
        let q = try catalog.price(of: try plan("ws_standard"), cycle: .quarterly, currency: .vnd, tier: nil, field: "f")
        #expect(q.unitAmount == vnd(270_000))
        #expect(q.cycleDiscount == .zero)
        #expect(q.derived == true)

        // A monthly price is the monthly price itself, undiscounted.
        let m = try catalog.price(of: try plan("ws_standard"), cycle: .monthly, currency: .vnd, tier: nil, field: "f")
        #expect(m.unitAmount == vnd(90_000))
        #expect(m.cycleDiscount == .zero)
        #expect(m.derived == false)
    }

    @Test("price: a multi-cycle package uses its own price (6 months of e-mail = 540,000 ₫)")
    func multiCyclePackage() throws {
        let basic = try plan("email_basic")
        let half = try catalog.price(of: basic, cycle: .halfYearly, currency: .vnd, tier: nil, field: "f")
        #expect(half.unitAmount == vnd(540_000))
        #expect(half.cycleDiscount == .zero)
        #expect(half.derived == false)
        // Explicit yearly 960,000, not 12 × 100,000 less 20 % (= 960,000 by coincidence, but undiscounted here).
        let year = try catalog.price(of: basic, cycle: .yearly, currency: .vnd, tier: nil, field: "f")
        #expect(year.unitAmount == vnd(960_000))
        #expect(year.cycleDiscount == .zero)
        #expect(year.derived == false)
        // 3 months has no package: 3 × 100,000 = 300,000, derived, no catalog discount for quarters.
        let quarter = try catalog.price(of: basic, cycle: .quarterly, currency: .vnd, tier: nil, field: "f")
        #expect(quarter.unitAmount == vnd(300_000))
        #expect(quarter.derived == true)
        #expect(quarter.cycleDiscount == .zero)
    }

    @Test("price: a currency the plan is not sold in is price.unavailable at the given field")
    func missingCurrency() throws {
        let e = try #require(throws: RecurError.self) {
            try catalog.price(of: try plan("ws_standard"), cycle: .yearly, currency: .jpy, tier: nil, field: "items[0].cycle")
        }
        #expect(e.code == .priceUnavailable)
        #expect(e.field == "items[0].cycle")
        #expect(e.values == ["cycle": .text("year"), "currency": .text("JPY")])

        // A tier that does not exist, or no tier on a tiered plan, has no price either.
        let noTier = try #require(throws: RecurError.self) {
            try catalog.price(of: try plan("meeting_small"), cycle: .monthly, currency: .jpy, tier: nil, field: "t")
        }
        #expect(noTier.code == .priceUnavailable)
        let badTier = try #require(throws: RecurError.self) {
            try catalog.price(of: try plan("meeting_small"), cycle: .monthly, currency: .jpy, tier: "900", field: "t")
        }
        #expect(badTier.code == .priceUnavailable)
        #expect(badTier.values["cycle"] == .text("month"))
    }

    @Test("price: a free plan costs zero in any currency")
    func freePlan() throws {
        let free = try plan("ws_free")
        for currency in [Currency.vnd, .jpy, .eur] {
            let p = try catalog.price(of: free, cycle: .yearly, currency: currency, tier: nil, field: "f")
            #expect(p.unitAmount == Money(minorUnits: 0, currency: currency))
            #expect(p.cycleDiscount == .zero)
            #expect(p.derived == false)
        }
    }

    @Test("price: an add-on's yearly price is derived from its monthly one with the yearly discount")
    func addOnPrice() throws {
        // 50,000 ₫ × 12 = 600,000 ₫ at 20 %.
        let p = try catalog.price(of: try catalog.addOn("storage_10gb", field: "a"), cycle: .yearly, currency: .vnd, field: "a")
        #expect(p.unitAmount == vnd(600_000))
        #expect(p.cycleDiscount.basisPoints == 2_000)
        #expect(p.derived == true)
        let e = try #require(throws: RecurError.self) {
            try catalog.price(of: try catalog.addOn("storage_10gb", field: "a"), cycle: .monthly, currency: .usd, field: "items[0].addOns[0]")
        }
        #expect(e.code == .priceUnavailable)
        #expect(e.field == "items[0].addOns[0]")
        #expect(e.values["currency"] == .text("USD"))
    }
}
