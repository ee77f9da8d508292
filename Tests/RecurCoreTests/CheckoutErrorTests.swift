import Testing
@testable import RecurCore

/// Orders checkout refuses, each with its exact code, field, message and values.
@Suite("Checkout: refused orders")
struct CheckoutErrorTests {
    typealias K = CheckoutKit
    let ws = DemoCatalog.workspace

    /// The errors of quoting `order` for `checkout` on 10/3/2024.
    func errors(_ order: Order, _ checkout: Checkout = K.checkout(), on date: String = "2024-03-10",
                sourceLocation: SourceLocation = #_sourceLocation) throws -> RecurErrors {
        try #require(throws: RecurErrors.self, sourceLocation: sourceLocation) {
            try checkout.quote(order, on: try K.day(date))
        }
    }

    func expectOnly(_ errors: RecurErrors, _ code: RecurError.Code, field: String,
                    message: String? = nil, values: [String: RecurError.Value],
                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(errors.codes == [code], sourceLocation: sourceLocation)
        guard let e = errors.errors.first else { return }
        #expect(e.field == field, sourceLocation: sourceLocation)
        if let message { #expect(e.message == message, sourceLocation: sourceLocation) }
        #expect(e.values == values, sourceLocation: sourceLocation)
    }

    func standard(seats: Int? = 10, cycle: BillingCycle = .monthly) -> Order.Item {
        .init(product: ws, plan: "ws_standard", cycle: cycle, seats: seats)
    }

    // MARK: Bad input

    @Test("an order with no items is refused: order.empty")
    func emptyOrder() throws {
        expectOnly(try errors(Order(items: [])), .orderEmpty, field: "items", message: "The order has no items", values: [:])
    }

    @Test("negative seats are refused: seats.invalid")
    func negativeSeats() throws {
        expectOnly(try errors(Order(items: [standard(seats: -3)])), .seatsInvalid, field: "items[0].seats",
                   message: "Seats cannot be negative (-3)", values: ["seats": -3])
    }

    @Test("a per-seat plan without seats is refused: seats.required")
    func seatsRequired() throws {
        let e = try errors(Order(items: [standard(seats: nil)]))
        #expect(e.codes == [.seatsRequired])
        #expect(e.errors.first?.field == "items[0].seats")
    }

    @Test("an unknown product is refused: product.unknown")
    func unknownProduct() throws {
        let order = Order(items: [.init(product: "crm", plan: "ws_standard", cycle: .monthly, seats: 10)])
        expectOnly(try errors(order), .productUnknown, field: "items[0].product", message: "Unknown product crm", values: ["product": "crm"])
    }

    @Test("an unknown plan is refused: plan.unknown")
    func unknownPlan() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_gold", cycle: .monthly, seats: 10)])
        expectOnly(try errors(order), .planUnknown, field: "items[0].plan", message: "Unknown plan ws_gold", values: ["plan": "ws_gold"])
    }

    @Test("a plan of another product is refused: plan.not_of_product")
    func planOfAnotherProduct() throws {
        let order = Order(items: [.init(product: ws, plan: "op_starter", cycle: .monthly, seats: 10)])
        expectOnly(try errors(order), .planNotOfProduct, field: "items[0].plan",
                   message: "Plan Starter is not a plan of Digital Workspace", values: ["plan": "op_starter", "product": "workspace"])
    }

    @Test("the same product twice in one order is refused: order.duplicate_product")
    func duplicateProduct() throws {
        let order = Order(items: [standard(), .init(product: ws, plan: "ws_premium", cycle: .monthly, seats: 10)])
        expectOnly(try errors(order), .orderDuplicateProduct, field: "items[1].product",
                   message: "Digital Workspace is ordered twice", values: ["product": "workspace"])
    }

    @Test("a currency the catalog has no price in is refused for the plan and each add-on: price.unavailable")
    func currencyWithoutPrice() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 1)])],
                          currency: .usd)
        let e = try errors(order)
        #expect(e.codes == [.priceUnavailable, .priceUnavailable])
        #expect(e.errors.map(\.field) == ["items[0].cycle", "items[0].addOns[0].addOn"])
        #expect(e.errors[0].message == "Plan Standard has no price for a month cycle in USD")
        #expect(e.errors[1].message == "Add-on Extra storage 10 GB has no price for a month cycle in USD")
        #expect(e.errors.allSatisfy { $0.values == ["cycle": "month", "currency": "USD"] })
    }

    @Test("an add-on quantity of 0 is refused: add_on.quantity_invalid")
    func addOnQuantityZero() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 0)])])
        // −1 stands for "no maximum".
        expectOnly(try errors(order), .addOnQuantityInvalid, field: "items[0].addOns[0].quantity",
                   values: ["quantity": 0, "maximum": -1])
    }

    @Test("an add-on not sold with the product is refused: add_on.not_for_product")
    func addOnNotForProduct() throws {
        let order = Order(items: [.init(product: DemoCatalog.email, plan: "email_basic", cycle: .monthly,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 1)])])
        expectOnly(try errors(order), .addOnNotForProduct, field: "items[0].addOns[0].addOn",
                   message: "Extra storage 10 GB cannot be added to SME E-mail", values: [:])
    }

    @Test("an unknown add-on is refused: add_on.unknown")
    func unknownAddOn() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10,
                                        addOns: [.init(addOn: "storage_1tb", quantity: 1)])])
        expectOnly(try errors(order), .addOnUnknown, field: "items[0].addOns[0].addOn", values: ["addOn": "storage_1tb"])
    }

    @Test("an order with three problems reports all three, in item order")
    func threeProblemsAtOnce() throws {
        let order = Order(items: [standard(seats: -1),
                                  .init(product: "crm", plan: "crm_basic", cycle: .monthly),
                                  .init(product: DemoCatalog.email, plan: "ws_starter", cycle: .monthly)])
        let e = try errors(order)
        #expect(e.codes == [.seatsInvalid, .productUnknown, .planNotOfProduct])
        #expect(e.errors.map(\.field) == ["items[0].seats", "items[1].product", "items[2].plan"])
    }

    @Test("an unknown currency code is refused: currency.unknown")
    func unknownCurrencyCode() throws {
        let e = try #require(throws: RecurError.self) { try Currency(code: "XXX") }
        #expect(e.code == .currencyUnknown)
        #expect(e.field == "currency")
        #expect(e.message == "Unknown currency 'XXX'")
        #expect(e.values == ["currency": "XXX"])
        // Known codes are case-insensitive.
        #expect(try Currency(code: "vnd") == .vnd)
    }

    @Test("buying a paid product already active is refused: change that subscription instead")
    func paidSubscriptionAlreadyActive() throws {
        let live = try K.workspace(cycle: .monthly, anchor: "2024-03-01", paid: 900_000)
        let order = Order(items: [.init(product: ws, plan: "ws_premium", cycle: .monthly, seats: 10)])
        expectOnly(try errors(order, K.checkout(subscriptions: [live]), on: "2024-03-11"), .subscriptionAlreadyActive,
                   field: "items[0].product",
                   message: "Digital Workspace is already on Standard until 2024-03-31; change that subscription instead",
                   values: ["subscription": "sub_ws"])
    }

    // MARK: Seats

    @Test("001 at least 2 seats: 1 seat is refused with seats 1 / minimum 2")
    func belowMinimumSeats() throws {
        expectOnly(try errors(Order(items: [standard(seats: 1)])), .seatsBelowMinimum, field: "items[0].seats",
                   message: "Digital Workspace Standard needs at least 2 seats, not 1", values: ["seats": 1, "minimum": 2])
    }

    @Test("000 Enterprise needs at least 50 users: 49 is refused")
    func enterpriseBelowFifty() throws {
        let order = Order(items: [.init(product: DemoCatalog.meeting, plan: "meeting_enterprise", cycle: .monthly, seats: 49)])
        expectOnly(try errors(order, K.checkout(K.japan())), .seatsBelowMinimum, field: "items[0].seats",
                   message: "Meeting Translation Enterprise needs at least 50 seats, not 49", values: ["seats": 49, "minimum": 50])
    }

    @Test("seats above the plan's maximum are refused: Standard allows 500")
    func aboveMaximumSeats() throws {
        expectOnly(try errors(Order(items: [standard(seats: 501)])), .seatsAboveMaximum, field: "items[0].seats",
                   values: ["seats": 501, "maximum": 500])
    }

    // MARK: Limits against usage

    @Test("003 a plan below current usage is refused, naming the quota and by how much: Starter 51,200 MB vs 60,000 MB")
    func planLimitBelowUsage() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_starter", cycle: .monthly, seats: 2)])
        expectOnly(try errors(order, K.checkout(usage: [ws: [.storageMB: 60_000]])), .planLimitBelowUsage, field: "items[0].plan",
                   message: "Digital Workspace Starter allows 51200 storage_mb, but 60000 are in use (8800 over)",
                   values: ["quota": "storage_mb", "limit": 51_200, "usage": 60_000, "over": 8_800])
    }

    @Test("003 users above a flat plan's user limit are refused: Small allows 10 users, 12 in use")
    func usersAboveFlatPlanLimit() throws {
        let order = Order(items: [.init(product: DemoCatalog.meeting, plan: "meeting_small", tier: "300", cycle: .monthly)])
        let e = try errors(order, K.checkout(K.japan(), usage: [DemoCatalog.meeting: [.users: 12]]))
        expectOnly(e, .planLimitBelowUsage, field: "items[0].plan", values: ["quota": "users", "limit": 10, "usage": 12, "over": 2])
    }

    // MARK: Trials

    @Test("a second trial of the same product is refused: trial.unavailable")
    func secondTrial() throws {
        // The first trial ended and Workspace fell to Free.
        let free = try K.workspace(plan: "ws_free", seats: 3, cycle: .monthly, anchor: "2024-03-01", paid: 0)
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10, trial: true)])
        expectOnly(try errors(order, K.checkout(subscriptions: [free])), .trialUnavailable, field: "items[0].trial",
                   message: "The trial of Digital Workspace has already been used", values: [:])
    }

    @Test("a product without a trial cannot be trialled")
    func productWithoutTrial() throws {
        let order = Order(items: [.init(product: DemoCatalog.email, plan: "email_basic", cycle: .monthly, trial: true)])
        expectOnly(try errors(order), .trialUnavailable, field: "items[0].trial", message: "SME E-mail has no trial", values: [:])
    }

    @Test("001 converting a trial with fewer seats than users activated is refused: 5 seats, 8 users")
    func trialSeatsBelowActivatedUsers() throws {
        let trial = Subscription(id: "sub_ws", customer: "cus_vn", product: ws, plan: "ws_standard", seats: 10, currency: .vnd,
                                 schedule: BillingSchedule(anchor: try K.day("2024-03-20"), cycle: .monthly),
                                 currentPeriod: try K.period("2024-02-19", "2024-03-20"), status: .trialing,
                                 trialEnd: try K.day("2024-03-20"), paidForPeriod: K.vnd(0))
        let e = try errors(Order(items: [standard(seats: 5)]), K.checkout(subscriptions: [trial], usage: [ws: [.users: 8]]))
        // Only the trial rule speaks: the user limit of 5 seats is not reported a second time.
        expectOnly(e, .trialSeatsBelowActivatedUsers, field: "items[0].seats",
                   message: "5 seats are fewer than the 8 users activated during the trial",
                   values: ["seats": 5, "activatedUsers": 8])
    }

    // MARK: Tiers

    @Test("000 Small is sold in tiers: no tier is refused with plan.tier_required only")
    func tierRequired() throws {
        let order = Order(items: [.init(product: DemoCatalog.meeting, plan: "meeting_small", cycle: .yearly)])
        expectOnly(try errors(order, K.checkout(K.japan())), .planTierRequired, field: "items[0].tier",
                   message: "Plan Small is sold in tiers: 300, 600, 1500", values: [:])
    }

    @Test("000 Small has no 900-minute tier: plan.tier_unknown only")
    func tierUnknown() throws {
        let order = Order(items: [.init(product: DemoCatalog.meeting, plan: "meeting_small", tier: "900", cycle: .yearly)])
        expectOnly(try errors(order, K.checkout(K.japan())), .planTierUnknown, field: "items[0].tier",
                   message: "Plan Small has no tier 900", values: ["tier": "900"])
    }

    // MARK: Promotions

    @Test("WELCOME10 is for a first purchase only: refused when the customer has purchased before")
    func welcomeRefusedAfterPurchase() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10, promotion: "WELCOME10")])
        expectOnly(try errors(order, K.checkout(K.vietnam(hasPurchased: true))), .promotionNotEligible, field: "items[0].promotion",
                   message: "Promotion WELCOME10 is for a first purchase only", values: ["code": "WELCOME10"])
    }

    @Test("a plan promotion given as the invoice promotion is out of scope")
    func planPromotionAsInvoicePromotion() throws {
        let order = Order(items: [standard()], invoicePromotion: "WELCOME10")
        expectOnly(try errors(order), .promotionOutOfScope, field: "invoicePromotion",
                   message: "Promotion WELCOME10 applies to plan lines, not to invoice lines",
                   values: ["code": "WELCOME10", "scope": "plan", "requested": "invoice"])
    }

    @Test("an add-on promotion given on the plan line is out of scope")
    func addOnPromotionOnPlan() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10, promotion: "STORAGE50")])
        expectOnly(try errors(order), .promotionOutOfScope, field: "items[0].promotion",
                   values: ["code": "STORAGE50", "scope": "add_on", "requested": "plan"])
    }

    @Test("STORAGE50 on another add-on is not eligible")
    func storagePromotionOnDocs() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10,
                                        addOns: [.init(addOn: "docs_100", quantity: 1, promotion: "STORAGE50")])])
        expectOnly(try errors(order), .promotionNotEligible, field: "items[0].addOns[0].promotion",
                   message: "Promotion STORAGE50 does not apply to add-on docs_100", values: ["code": "STORAGE50"])
    }

    @Test("an unknown promotion code is refused: promotion.unknown")
    func unknownPromotion() throws {
        let order = Order(items: [.init(product: ws, plan: "ws_standard", cycle: .monthly, seats: 10, promotion: "BLACKFRIDAY")])
        expectOnly(try errors(order), .promotionUnknown, field: "items[0].promotion",
                   message: "Unknown promotion code BLACKFRIDAY", values: ["code": "BLACKFRIDAY"])
    }

    @Test("INVOICE100K after its last valid day (31/12/2027) is expired")
    func invoicePromotionExpired() throws {
        let order = Order(items: [standard()], invoicePromotion: "INVOICE100K")
        expectOnly(try errors(order, on: "2028-01-01"), .promotionExpired, field: "invoicePromotion",
                   values: ["code": "INVOICE100K", "validThrough": .date(try K.day("2027-12-31"))])
    }

    @Test("a fixed VND promotion on an EUR order is refused: promotion.currency_mismatch")
    func fixedPromotionInAnotherCurrency() throws {
        let order = Order(items: [standard()], invoicePromotion: "INVOICE100K", currency: .eur)
        expectOnly(try errors(order), .promotionCurrencyMismatch, field: "invoicePromotion",
                   values: ["code": "INVOICE100K", "currency": "VND", "orderCurrency": "EUR"])
    }
}
