import Testing
@testable import RecurCore

@Suite("Invoice promotion eligibility at checkout")
struct InvoicePromotionEligibilityTests {
    /// The demo catalog with an invoice promotion for Operation Process orders only.
    func catalog() throws -> Catalog {
        let demo = DemoCatalog.make()
        var promotions = Array(demo.promotions.values)
        promotions.append(Promotion(code: "OPONLY", name: "10 % off invoices with Operation Process",
                                    discount: .percent(Percentage(percent: 10)), scope: .invoice,
                                    eligibility: .init(products: [DemoCatalog.operationProcess])))
        return try Catalog(products: Array(demo.products.values), plans: Array(demo.plans.values), addOns: Array(demo.addOns.values),
                           dependencies: demo.dependencies, bundles: demo.bundles, cycleDiscounts: demo.cycleDiscounts,
                           promotions: promotions, taxRates: demo.taxRates)
    }

    let customer = Customer(id: "cus_1", country: "VN", currency: .vnd, hasPurchased: true)

    @Test("invoice promotion: refused when no ordered item is of its products")
    func refusedWithoutMatchingItem() throws {
        let order = Order(items: [.init(product: DemoCatalog.workspace, plan: "ws_starter", cycle: .monthly, seats: 2)],
                          invoicePromotion: "OPONLY")
        let e = try #require(throws: RecurErrors.self) {
            try Checkout(catalog: try catalog(), customer: customer).quote(order, on: try CivilDate(2026, 1, 1))
        }
        #expect(e.codes == [.promotionNotEligible])
        #expect(e.errors.first?.field == "invoicePromotion")
    }

    @Test("invoice promotion: applies to the whole invoice when one item matches")
    func appliesWithMatchingItem() throws {
        // Workspace Starter 2 seats (auto-added) 120,000 + Operation Process Starter 2 seats 80,000 = 200,000; 10 % = 20,000.
        let order = Order(items: [.init(product: DemoCatalog.operationProcess, plan: "op_starter", cycle: .monthly, seats: 2)],
                          invoicePromotion: "OPONLY")
        let q = try Checkout(catalog: try catalog(), customer: customer).quote(order, on: try CivilDate(2026, 1, 1))
        #expect(q.totals.subtotal.minorUnits == 200_000)
        #expect(q.totals.discount.minorUnits == 20_000)
        #expect(q.totals.total.minorUnits == 198_000)
    }
}
