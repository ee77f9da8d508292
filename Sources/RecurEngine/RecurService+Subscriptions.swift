import Foundation
public import RecurCore

/// A requested subscription change; nil keeps what the subscription has.
public struct ChangeRequest: Sendable {
    public var plan: String?
    public var tier: String?
    public var seats: Int?
    public var cycleMonths: Int?
    public var addOns: [String: Int]?
    public var date: CivilDate?
    public init(plan: String? = nil, tier: String? = nil, seats: Int? = nil, cycleMonths: Int? = nil,
                addOns: [String: Int]? = nil, date: CivilDate? = nil) {
        self.plan = plan
        self.tier = tier
        self.seats = seats
        self.cycleMonths = cycleMonths
        self.addOns = addOns
        self.date = date
    }
}

/// What checking out an order wrote.
public struct CheckoutOutcome: Sendable {
    public var quote: Quote
    public var subscriptions: [SubscriptionRecord]
    public var invoice: InvoiceRecord?
}

/// What applying a change wrote.
public struct ChangeOutcome: Sendable {
    public var result: ChangeResult
    public var invoice: InvoiceRecord?
}

extension RecurService {
    struct Context: Sendable {
        var customer: CustomerRecord
        var catalog: Catalog
        var subscriptions: [SubscriptionRecord]
    }

    /// The customer (locked for the rest of the transaction), the catalog and the
    /// customer's subscriptions.
    func context(_ tx: any Transaction, customer id: String) async throws -> Context {
        guard let customer = try await tx.lock(CustomerRecord.self, id: id) else { throw RecurError.notFound("customer", id) }
        let catalog = try await loadCatalog(tx)
        let subs = try await tx.all(SubscriptionRecord.self, filters: ["customer_id": .text(id)])
        return Context(customer: customer, catalog: catalog, subscriptions: subs)
    }

    /// Prices an order without writing anything.
    public func quote(customer id: String, order: Order, date: CivilDate?) async throws -> Quote {
        let now = clock.now()
        return try await read { tx in
            let ctx = try await self.context(tx, customer: id)
            return try Checkout(catalog: ctx.catalog, customer: ctx.customer.pricingCustomer, subscriptions: ctx.subscriptions.map(\.subscription),
                                usage: ctx.customer.usageByProduct)
                .quote(order, on: try await self.day(date, for: ctx.customer, tx, default: now), newID: { _ in SubscriptionID(RecordID.make("sub", at: now)) })
        }
    }

    /// Checks out an order: its subscriptions are created (or converted, replaced,
    /// renewed), the first invoice is issued, promotions are counted — in one transaction.
    /// With `details`, the customer's billing details are saved first in the same
    /// transaction (the portal's checkout): the invoice carries them and prices with their
    /// country's tax, and a refused order saves nothing.
    public func checkout(customer id: String, order: Order, date: CivilDate?, details: CustomerChanges? = nil,
                         actor: Actor) async throws -> CheckoutOutcome {
        try await command(actor) { tx, log in
            if let details {
                let before = try await self.requireCustomer(tx, id)
                var after = before
                try self.apply(details, to: &after, creating: false)
                if after != before {
                    try await tx.update(after)
                    log.audit("customer.updated", target: id, customer: id, before: before, after: after)
                    log.emit("customer.updated", customer: id, object: after)
                }
            }
            let ctx = try await self.context(tx, customer: id)
            let quote = try Checkout(catalog: ctx.catalog, customer: ctx.customer.pricingCustomer,
                                     subscriptions: ctx.subscriptions.map(\.subscription), usage: ctx.customer.usageByProduct)
                .quote(order, on: try await self.day(date, for: ctx.customer, tx, default: log.now),
                       newID: { _ in SubscriptionID(RecordID.make("sub", at: log.now)) })
            var written: [SubscriptionRecord] = []
            for s in quote.subscriptions {
                if let existing = ctx.subscriptions.first(where: { $0.id == s.id.rawValue }) {
                    var record = existing
                    record.subscription = s
                    record.collection = nil
                    record.nextBillingAt = self.nextBillingAt(s, collection: nil, customer: ctx.customer)
                    try await tx.update(record)
                    log.audit("subscription.updated", target: record.id, customer: id, before: existing.subscription, after: s)
                    log.emit("subscription.updated", customer: id, object: s)
                    written.append(record)
                } else {
                    let record = SubscriptionRecord(subscription: s, created: log.now,
                                                    nextBillingAt: self.nextBillingAt(s, collection: nil, customer: ctx.customer))
                    try await tx.insert(record)
                    log.audit("subscription.created", target: record.id, customer: id, before: String?.none, after: s)
                    log.emit("subscription.created", customer: id, object: s)
                    written.append(record)
                }
            }
            for code in quote.redeemedPromotions {
                guard var p = try await tx.find(PromotionRecord.self, id: code.rawValue) else { continue }
                p.promotion.timesRedeemed += 1
                try await tx.update(p)
            }
            var customer = ctx.customer
            let invoice = try await self.issueInvoice(tx, log, customer: &customer, lines: quote.lines,
                                                      subscriptions: quote.subscriptions.map(\.id.rawValue), date: quote.date)
            if quote.totals.total.isPositive && !customer.hasPurchased { customer.hasPurchased = true }
            if customer != ctx.customer { try await tx.update(customer) }
            return CheckoutOutcome(quote: quote, subscriptions: written, invoice: invoice)
        }
    }

    /// Issues an invoice for `lines` (none when there are no lines): numbered
    /// gap-free per year, open when something is due, paid when the lines come to
    /// zero or a credit (which goes to the customer's balance).
    func issueInvoice(_ tx: any Transaction, _ log: CommandLog, customer: inout CustomerRecord, lines: [InvoiceLine],
                      subscriptions: [String], date: CivilDate, dueDate: CivilDate? = nil, billingKey: String? = nil) async throws -> InvoiceRecord? {
        guard !lines.isEmpty else { return nil }
        let totals = try Totals(lines: lines, currency: customer.currency)
        let series = "INV-\(date.year)"
        let number = Self.documentNumber(series, try await tx.nextSequenceValue(series))
        let paid = try Self.settle(totals, with: &customer)
        var invoice = InvoiceRecord(id: RecordID.make("in", at: log.now), number: number, customer: customer.id, subscriptions: subscriptions,
                                    status: try paid.isLess(than: totals.amountDue) ? .open : .paid, currency: customer.currency, lines: lines,
                                    totals: totals, amountPaid: paid, issueDate: date,
                                    dueDate: dueDate ?? PaymentTerms.immediate.dueDate(issuedOn: date), created: log.now, billingKey: billingKey)
        // Unpaid, it is chased by the billing run; a subscription bought or changed with it expires if it stays unpaid.
        startChasing(&invoice, expires: !subscriptions.isEmpty, customer: customer)
        try await tx.insert(invoice)
        log.audit("invoice.created", target: invoice.id, customer: customer.id, before: String?.none, after: invoice)
        log.emit("invoice.created", customer: customer.id, object: invoice)
        return invoice
    }

    /// `INV-2026-000042`: a series and its gap-free counter, six digits at least.
    static func documentNumber(_ series: String, _ n: Int64) -> String {
        let digits = String(n)
        return "\(series)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
    }

    /// Settles new invoice totals against the customer's balance (negative = credit):
    /// a credit pays what it can of an amount due, and totals that come to a credit
    /// go to the balance. Returns what the balance paid.
    static func settle(_ totals: Totals, with customer: inout CustomerRecord) throws -> Money {
        if totals.creditToBalance.isPositive {
            customer.balance = try customer.balance - totals.creditToBalance
            return .zero(customer.currency)
        }
        guard totals.amountDue.isPositive && customer.balance.isNegative else { return .zero(customer.currency) }
        let paid = try Money.min(totals.amountDue, try customer.balance.negated())
        customer.balance = try customer.balance + paid
        return paid
    }

    public func subscription(_ id: String) async throws -> SubscriptionRecord {
        try await read { tx in try await self.requireSubscription(tx, id) }
    }

    func requireSubscription(_ tx: any Transaction, _ id: String) async throws -> SubscriptionRecord {
        guard let s = try await tx.find(SubscriptionRecord.self, id: id) else { throw RecurError.notFound("subscription", id) }
        return s
    }

    public func listSubscriptions(customer: String?, status: String?, limit: Int?, startingAfter: String?) async throws -> Page<SubscriptionRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let customer { filters["customer_id"] = .text(customer) }
            if let status { filters["status"] = .text(status) }
            return try await tx.list(SubscriptionRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }

    func computeChange(_ tx: any Transaction, subscription id: String, _ request: ChangeRequest, now: Date)
        async throws -> (Context, SubscriptionRecord, ChangeResult) {
        let ctx = try await context(tx, customer: try await requireSubscription(tx, id).subscription.customer.rawValue)
        // Read again under the customer's lock: the billing run may just have renewed it.
        let record = try await requireSubscription(tx, id)
        let s = record.subscription
        let changes = SubscriptionChanges(catalog: ctx.catalog, customer: ctx.customer.pricingCustomer,
                                          subscriptions: ctx.subscriptions.map(\.subscription), usage: ctx.customer.usageByProduct)
        var target = SubscriptionChanges.Target(s)
        if let plan = request.plan {
            target.plan = PlanID(plan)
            target.tier = request.tier
        } else if let tier = request.tier {
            target.tier = tier
        }
        if let seats = request.seats { target.seats = seats }
        if let months = request.cycleMonths { target.cycle = try BillingCycle(months: months) }
        for (addOn, q) in request.addOns ?? [:] { target.addOns[AddOnID(addOn)] = q }
        let date = try await day(request.date, for: ctx.customer, tx, default: now)
        return (ctx, record, try changes.change(s, to: target, on: date))
    }

    /// The effect of a change, without writing anything.
    public func previewChange(subscription id: String, _ request: ChangeRequest) async throws -> ChangeResult {
        let now = clock.now()
        return try await read { tx in try await self.computeChange(tx, subscription: id, request, now: now).2 }
    }

    /// Applies a change: the subscriptions it touches and the invoice for its lines.
    public func applyChange(subscription id: String, _ request: ChangeRequest, actor: Actor) async throws -> ChangeOutcome {
        try await command(actor) { tx, log in
            let (ctx, _, result) = try await self.computeChange(tx, subscription: id, request, now: log.now)
            try await self.save(tx, log, result.subscriptions, previous: ctx.subscriptions, customer: ctx.customer)
            var customer = ctx.customer
            let date = try await self.day(request.date, for: ctx.customer, tx, default: log.now)
            let invoice = try await self.issueInvoice(tx, log, customer: &customer, lines: result.lines,
                                                      subscriptions: result.subscriptions.map(\.id.rawValue), date: date)
            if customer != ctx.customer { try await tx.update(customer) }
            return ChangeOutcome(result: result, invoice: invoice)
        }
    }

    func save(_ tx: any Transaction, _ log: CommandLog, _ subs: [Subscription], previous: [SubscriptionRecord], customer: CustomerRecord) async throws {
        for s in subs {
            guard var record = previous.first(where: { $0.id == s.id.rawValue }) else { continue }
            let before = record.subscription
            record.subscription = s
            record.nextBillingAt = nextBillingAt(s, collection: record.collection, customer: customer)
            try await tx.update(record)
            log.audit("subscription.updated", target: record.id, customer: s.customer.rawValue, before: before, after: s)
            log.emit("subscription.updated", customer: s.customer.rawValue, object: s)
        }
    }

    /// Changes one subscription with a pure function of it.
    func update(subscription id: String, action: String, actor: Actor,
                _ change: @escaping @Sendable (Subscription, Catalog, CustomerRecord) throws -> Subscription) async throws -> SubscriptionRecord {
        try await command(actor) { tx, log in
            let ctx = try await self.context(tx, customer: try await self.requireSubscription(tx, id).subscription.customer.rawValue)
            var record = try await self.requireSubscription(tx, id)
            let before = record.subscription
            record.subscription = try change(before, ctx.catalog, ctx.customer)
            record.nextBillingAt = self.nextBillingAt(record.subscription, collection: record.collection, customer: ctx.customer)
            try await tx.update(record)
            log.audit(action, target: id, customer: before.customer.rawValue, before: before, after: record.subscription)
            log.emit("subscription.updated", customer: before.customer.rawValue, object: record.subscription)
            return record
        }
    }

    public func setRenewalMode(subscription id: String, _ mode: Subscription.RenewalMode, actor: Actor) async throws -> SubscriptionRecord {
        try await update(subscription: id, action: "subscription.renewal_mode_set", actor: actor) { s, catalog, c in
            SubscriptionChanges(catalog: catalog, customer: c.pricingCustomer).setRenewalMode(s, mode)
        }
    }

    public func cancel(subscription id: String, actor: Actor) async throws -> SubscriptionRecord {
        try await update(subscription: id, action: "subscription.cancel_scheduled", actor: actor) { s, catalog, c in
            try SubscriptionChanges(catalog: catalog, customer: c.pricingCustomer).cancelAtPeriodEnd(s)
        }
    }

    public func resume(subscription id: String, actor: Actor) async throws -> SubscriptionRecord {
        try await update(subscription: id, action: "subscription.resumed", actor: actor) { s, catalog, c in
            SubscriptionChanges(catalog: catalog, customer: c.pricingCustomer).resume(s)
        }
    }

    /// Stores who holds the seats: no more people than seats, each e-mail once, and
    /// no more business-tools users than the plan allows (002).
    public func setSeatAssignments(subscription id: String, _ assignments: [SeatAssignment], actor: Actor) async throws -> SubscriptionRecord {
        try await command(actor) { tx, log in
            _ = try await self.requireCustomer(tx, try await self.requireSubscription(tx, id).subscription.customer.rawValue)
            var record = try await self.requireSubscription(tx, id)
            let s = record.subscription
            let catalog = try await self.loadCatalog(tx)
            let plan = try catalog.plan(s.plan, field: "plan")
            var errors: [RecurError] = []
            if assignments.count > s.seats {
                errors.append(RecurError(.seatAssignmentsInvalid, field: "assignments",
                                         "\(assignments.count) people for \(s.seats) seats",
                                         ["assigned": .int(Int64(assignments.count)), "seats": .int(Int64(s.seats))]))
            }
            var seen = Set<String>()
            for (i, a) in assignments.enumerated() {
                if !Self.isEmail(a.email) {
                    errors.append(RecurError(.seatAssignmentsInvalid, field: "assignments[\(i)].email", "'\(a.email)' is not an e-mail address"))
                } else if !seen.insert(a.email.lowercased()).inserted {
                    errors.append(RecurError(.seatAssignmentsInvalid, field: "assignments[\(i)].email", "\(a.email) holds a seat twice"))
                }
            }
            let addOns = s.addOns.compactMap { id, q in catalog.addOns[id].map { ($0, q) } }
            let limit = Entitlements.limits(plan: plan, tier: s.tier, seats: s.seats, addOns: addOns)
            let tools = Int64(assignments.filter(\.businessTools).count)
            if limit.quotas[.businessToolsUsers] != nil, !limit[.businessToolsUsers].allows(tools) {
                errors.append(RecurError(.seatAssignmentsInvalid, field: "assignments",
                                         "\(tools) business-tools users exceed the plan's \(limit[.businessToolsUsers])",
                                         ["businessTools": .int(tools), "limit": .text(limit[.businessToolsUsers].description)]))
            }
            if !errors.isEmpty { throw RecurErrors(errors) }
            let before = record.seatAssignments
            record.seatAssignments = assignments
            try await tx.update(record)
            log.audit("subscription.seats_assigned", target: id, customer: s.customer.rawValue, before: before, after: assignments)
            log.emit("subscription.seats_assigned", customer: s.customer.rawValue, object: ["subscription": id])
            return record
        }
    }

    public func addNote(subscription id: String, text: String, author: String?, actor: Actor) async throws -> NoteRecord {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw RecurErrors([RecurError(.requestInvalid, field: "text", "A note cannot be empty")]) }
        return try await command(actor) { tx, log in
            let s = try await self.requireSubscription(tx, id)
            let note = NoteRecord(id: RecordID.make("note", at: log.now), subscription: id, created: log.now, text: trimmed, author: author)
            try await tx.insert(note)
            log.audit("subscription.note_added", target: id, customer: s.subscription.customer.rawValue, before: String?.none, after: note)
            return note
        }
    }

    public func notes(subscription id: String) async throws -> [NoteRecord] {
        try await read { tx in
            _ = try await self.requireSubscription(tx, id)
            return try await tx.all(NoteRecord.self, filters: ["subscription_id": .text(id)])
        }
    }

    // MARK: Invoices

    public func invoice(_ id: String) async throws -> InvoiceRecord {
        try await read { tx in
            guard let i = try await tx.find(InvoiceRecord.self, id: id) else { throw RecurError.notFound("invoice", id) }
            return i
        }
    }

    public func listInvoices(customer: String?, subscription: String?, status: String?, limit: Int?, startingAfter: String?) async throws -> Page<InvoiceRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let customer { filters["customer_id"] = .text(customer) }
            if let subscription { filters["subscription_id"] = .text(subscription) }
            if let status { filters["status"] = .text(status) }
            return try await tx.list(InvoiceRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }
}
