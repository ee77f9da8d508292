import PropertyBased
import Testing
@testable import RecurCore

/// One-off charges priced by the core: the invariants of `Catalog.line(for:quantity:customer:)`.
@Suite("One-off charge properties")
struct ChargePropertyTests {
    static let catalog = DemoCatalog.make()
    /// A customer in each market of the seeds, and one with no country (no tax).
    static let customers: [Customer] = [
        Customer(id: "vn", country: "VN", currency: .vnd), Customer(id: "my", country: "MY", currency: .myr),
        Customer(id: "jp", country: "JP", currency: .jpy), Customer(id: "fr", country: "FR", currency: .eur),
        Customer(id: "none", country: nil, currency: .vnd), Customer(id: "exempt", country: "VN", currency: .vnd, taxExempt: true),
    ]

    @Test("gross = unit × quantity, no discount, tax at the customer's rate rounded once, total = net + exclusive tax; the top-up is the gross")
    func lineInvariants() async {
        await propertyCheck(count: 600, input: Gen.int(in: 1...50), Gen.int(in: 0...(Self.customers.count - 1))) { quantity, which throws in
            let customer = Self.customers[which]
            let charge = try #require(Self.catalog.charges["phone_credit"])
            let line = try Self.catalog.line(for: charge, quantity: quantity, customer: customer)
            let unit = try charge.price(in: customer.currency, field: "charge")
            #expect(line.kind == .oneOff && line.charge == "phone_credit" && line.topUp == "phone_credit")
            #expect(line.unitAmount == unit)
            #expect(line.amount == Money(minorUnits: unit.minorUnits * Int64(quantity), currency: customer.currency))
            #expect(line.discounts.isEmpty && line.net == line.amount)
            let rate = customer.taxExempt ? nil : Self.catalog.taxRate(country: customer.country, category: charge.taxCategory)
            #expect(line.tax == (try rate.map { try $0.tax(on: line.net) } ?? .zero(customer.currency)))
            #expect(line.total == (rate?.inclusive == true || rate == nil ? line.net : try line.net + line.tax))
            #expect(line.period == nil && line.quantity == Int64(quantity))
        }
    }

    @Test("a quantity outside 1…maximum is refused with the bounds, whatever it is")
    func quantityBounds() async {
        await propertyCheck(count: 300, input: Gen.int(in: -1_000...1_000)) { quantity throws in
            let charge = try #require(Self.catalog.charges["phone_credit"])
            let customer = Self.customers[0]
            if (1...50).contains(quantity) {
                #expect(try Self.catalog.line(for: charge, quantity: quantity, customer: customer).quantity == Int64(quantity))
            } else {
                let e = errors { try Self.catalog.line(for: charge, quantity: quantity, customer: customer) }
                #expect(e.map(\.code) == [.chargeInvalidQuantity])
                #expect(e.first?.values["maximum"] == .int(50))
            }
        }
    }

    @Test("worked example: 6 hours of interpretation in Vietnam = 36.000.000 ₫ + 3.600.000 ₫ VAT; not sold in a currency it has no price in")
    func eventExample() throws {
        let event = try #require(Self.catalog.charges["event_interpretation"])
        #expect(event.salesLed && event.topUp == nil)
        let line = try Self.catalog.line(for: event, quantity: 6, customer: Self.customers[0])
        #expect(line.net == Money(minorUnits: 36_000_000, currency: .vnd))
        #expect(line.tax == Money(minorUnits: 3_600_000, currency: .vnd))
        #expect(line.total == Money(minorUnits: 39_600_000, currency: .vnd))
        let usd = Customer(id: "us", country: "US", currency: .usd)
        #expect(errors { try Self.catalog.line(for: event, quantity: 1, customer: usd) }.map(\.code) == [.chargeNoPrice])
    }

    @Test("the catalog refuses a bad charge with every problem at its field")
    func catalogRefusals() {
        let bad = Charge(id: "bad", name: " ", prices: [Money(minorUnits: 0, currency: .vnd), Money(minorUnits: 5, currency: .vnd)],
                         topUp: "Phone Credit", maximumQuantity: 0)
        let fields = errors { try Self.catalog.replacing(charges: [bad]) }.map(\.field)
        #expect(fields == ["charges.bad.name", "charges.bad.prices[0]", "charges.bad.prices[1]", "charges.bad.topUp", "charges.bad.maximumQuantity"])
    }
}
