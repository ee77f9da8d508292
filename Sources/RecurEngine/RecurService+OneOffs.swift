public import Foundation
public import RecurCore

extension RecurError.Code {
    /// A prepaid balance holds less than the amount to spend (HTTP 409).
    public static let balanceInsufficient: Self = "balance.insufficient"
    /// A debit of a prepaid balance that is not positive, in another currency, or of an
    /// unknown balance name (HTTP 422).
    public static let balanceInvalid: Self = "balance.invalid"
}

/// What spending from a prepaid balance left.
public struct BalanceDebit: Sendable, Hashable {
    public var balance: String
    public var amount: Money
    public var remaining: Money
}

// MARK: One-off purchases (002: prepaid phone credit; 000: an event plan)

extension RecurService {
    /// The catalog's one-off charges, by id.
    public func charges() async throws -> [Charge] {
        try await catalog().charges.values.sorted { $0.id < $1.id }
    }

    /// Adds a one-off charge to the catalog, validated with the whole catalog.
    /// - throws: `resource.exists` (409) for an id in use, `catalog.*` (422).
    public func createCharge(_ charge: Charge, actor: Actor) async throws -> Charge {
        try requireID(charge.id.rawValue)
        return try await command(actor) { tx, log in
            let catalog = try await self.loadCatalog(tx)
            if catalog.charges[charge.id] != nil {
                throw RecurError(.resourceExists, field: "id", "A charge with id \(charge.id.rawValue) exists already",
                                 ["id": .text(charge.id.rawValue)])
            }
            _ = try catalog.replacing(charges: Array(catalog.charges.values) + [charge])
            let stored = try await tx.find(CatalogRulesRecord.self, id: "catalog")
            var rules = stored ?? CatalogRulesRecord(dependencies: [], bundles: [], cycleDiscounts: [:], taxRates: [])
            rules.charges = (rules.charges ?? []) + [charge]
            if stored == nil { try await tx.insert(rules) } else { try await tx.update(rules) }
            log.audit("charge.created", target: charge.id.rawValue, customer: nil, before: String?.none, after: charge)
            log.emit("charge.created", customer: nil, object: charge)
            return charge
        }
    }

    /// The invoice line `quantity` units of a charge would make for a customer, priced
    /// without writing anything (the portal's preview).
    public func previewPurchase(customer id: String, charge: String, quantity: Int) async throws -> InvoiceLine {
        try await read { tx in
            guard let customer = try await tx.find(CustomerRecord.self, id: id) else { throw RecurError.notFound("customer", id) }
            let catalog = try await self.loadCatalog(tx)
            return try catalog.line(for: try catalog.charge(ChargeID(charge), field: "charge"), quantity: quantity,
                                    customer: customer.pricingCustomer)
        }
    }

    /// Buys `quantity` units of a one-off charge: an invoice with one `one_off` line,
    /// numbered in the invoice series and due at once (or on `dueDate`). The
    /// customer's credit balance pays what it can, as for any invoice. A top-up
    /// reaches its prepaid balance when the invoice is paid, never before.
    ///
    /// Sales-led charges (the event plan) are refused unless `contract` is true: they
    /// are sold by staff under a contract (``advanceDeal(_:_:actor:)``).
    /// - throws: `charge.unknown`, `charge.sales_led`, `charge.invalid_quantity`,
    ///   `charge.no_price` (422), `resource.not_found` for the customer.
    public func purchase(customer id: String, charge: String, quantity: Int, description: String? = nil,
                         dueDate: CivilDate? = nil, contract: Bool = false, actor: Actor) async throws -> InvoiceRecord {
        try await command(actor) { tx, log in
            try await self.purchase(tx, log, customer: id, charge: charge, quantity: quantity, description: description,
                                    dueDate: dueDate, contract: contract)
        }
    }

    func purchase(_ tx: any Transaction, _ log: CommandLog, customer id: String, charge chargeID: String, quantity: Int,
                  description: String?, dueDate: CivilDate?, contract: Bool) async throws -> InvoiceRecord {
        var customer = try await self.requireCustomer(tx, id)
        let catalog = try await self.loadCatalog(tx)
        let charge = try catalog.charge(ChargeID(chargeID), field: "charge")
        if charge.salesLed && !contract {
            throw RecurError(.chargeSalesLed, field: "charge", "\(charge.name) is sold under a contract: ask for a quote",
                             ["charge": .text(chargeID)])
        }
        let line = try catalog.line(for: charge, quantity: quantity, customer: customer.pricingCustomer, description: description)
        let before = customer
        let today = try await self.day(nil, for: customer, tx, default: log.now)
        guard let invoice = try await self.issueInvoice(tx, log, customer: &customer, lines: [line], subscriptions: [],
                                                        date: today, dueDate: dueDate.map { max($0, today) }) else {
            throw RecurError(.internalInvariant, "A one-off purchase made no invoice")
        }
        log.audit("charge.purchased", target: invoice.id, customer: id, before: String?.none,
                  after: ["charge": chargeID, "quantity": String(quantity), "invoice": invoice.number ?? invoice.id])
        if invoice.status == .paid { try self.fulfil(invoice, customer: &customer, log: log) }
        if line.total.isPositive { customer.hasPurchased = true }
        if customer != before { try await tx.update(customer) }
        return invoice
    }

    /// What a paid invoice's one-off lines deliver: each top-up credits its prepaid
    /// balance with the amount bought. Called once, when the invoice becomes paid.
    func fulfil(_ invoice: InvoiceRecord, customer: inout CustomerRecord, log: CommandLog) throws {
        for line in invoice.lines where line.kind == .oneOff {
            guard let balance = line.topUp else { continue }
            var prepaid = customer.prepaid ?? [:]
            let was = prepaid[balance] ?? .zero(line.amount.currency)
            let now = try was + line.amount
            prepaid[balance] = now
            customer.prepaid = prepaid
            log.audit("balance.topped_up", target: customer.id, customer: customer.id, before: [balance: was.description],
                      after: [balance: now.description])
            log.emit("balance.topped_up", customer: customer.id,
                     object: ["balance": balance, "amount": line.amount.description, "total": now.description,
                              "invoice": invoice.number ?? invoice.id])
        }
    }

    /// Spends from a prepaid balance (the vendor's application reports a call's cost).
    /// Nothing is taken when the balance holds less than `amount`.
    /// - throws: `balance.invalid` (422) for a non-positive amount, another currency or
    ///   a balance name no charge tops up; `balance.insufficient` (409) with the
    ///   available and requested amounts.
    public func debitBalance(customer id: String, balance: String, amount: Money, reference: String?, actor: Actor) async throws -> BalanceDebit {
        try await command(actor) { tx, log in
            var customer = try await self.requireCustomer(tx, id)
            let catalog = try await self.loadCatalog(tx)
            guard catalog.charges.values.contains(where: { $0.topUp == balance }) || customer.prepaid?[balance] != nil else {
                throw RecurError(.balanceInvalid, field: "balance", "No prepaid balance named '\(balance)'", ["balance": .text(balance)])
            }
            guard amount.currency == customer.currency else {
                throw RecurError(.balanceInvalid, field: "amount.currency",
                                 "The balance is in \(customer.currency.code), not \(amount.currency.code)",
                                 ["currency": .text(amount.currency.code), "expected": .text(customer.currency.code)])
            }
            guard amount.isPositive else {
                throw RecurError(.balanceInvalid, field: "amount", "An amount to spend must be positive, not \(amount)", ["amount": .money(amount)])
            }
            let available = customer.prepaid?[balance] ?? .zero(customer.currency)
            guard !(try available.isLess(than: amount)) else {
                throw RecurError(.balanceInsufficient, field: "amount", "The \(balance) balance holds \(available); \(amount) was asked",
                                 ["available": .money(available), "requested": .money(amount)])
            }
            let remaining = try available - amount
            customer.prepaid = (customer.prepaid ?? [:]).merging([balance: remaining]) { $1 }
            try await tx.update(customer)
            log.audit("balance.debited", target: customer.id, customer: customer.id, before: [balance: available.description],
                      after: [balance: remaining.description, "reference": reference ?? ""])
            return BalanceDebit(balance: balance, amount: amount, remaining: remaining)
        }
    }
}
