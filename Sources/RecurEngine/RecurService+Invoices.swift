import Foundation
public import RecurCore

extension RecurService {
    /// Frees the subscriptions waiting on an invoice that will never be paid: they
    /// stop dunning and keep their status (an expired one stays expired).
    func release(_ invoice: InvoiceRecord, tx: any Transaction, log: CommandLog) async throws {
        guard let customer = try await tx.lock(CustomerRecord.self, id: invoice.customer) else { return }
        for sid in invoice.subscriptions {
            guard var r = try await tx.find(SubscriptionRecord.self, id: sid), let old = r.collection, old.openInvoice == invoice.id else { continue }
            let was = r.subscription
            if r.subscription.status == .pastDue { r.subscription.status = .active }
            // An expired subscription keeps its expiry date (it still locks on time).
            let kept = Collection(expiredOn: r.subscription.status == .expired ? old.expiredOn : nil, remindersSent: old.remindersSent)
            r.collection = kept == .clear ? nil : kept
            r.nextBillingAt = nextBillingAt(r.subscription, collection: nil, customer: customer)
            try await tx.update(r)
            log.audit("subscription.released", target: sid, customer: invoice.customer, before: was, after: r.subscription)
        }
    }

    /// The invoice, read again after its customer is locked (the billing run may be charging it).
    func lockedInvoice(_ tx: any Transaction, _ id: String) async throws -> InvoiceRecord {
        guard let first = try await tx.find(InvoiceRecord.self, id: id) else { throw RecurError.notFound("invoice", id) }
        _ = try await tx.lock(CustomerRecord.self, id: first.customer)
        guard let invoice = try await tx.find(InvoiceRecord.self, id: id) else { throw RecurError.notFound("invoice", id) }
        return invoice
    }

    func requireOpenInvoice(_ tx: any Transaction, _ id: String, to action: String) async throws -> InvoiceRecord {
        let invoice = try await lockedInvoice(tx, id)
        guard invoice.status == .open else {
            throw RecurError(.invoiceNotOpen, field: "id", "Only an open invoice can be \(action); \(invoice.number ?? id) is \(invoice.status.rawValue)",
                             ["status": .text(invoice.status.rawValue)])
        }
        return invoice
    }

    /// Voids an open invoice issued in error: nothing more is due on it.
    public func voidInvoice(_ id: String, actor: Actor) async throws -> InvoiceRecord {
        try await command(actor) { tx, log in
            var invoice = try await self.requireOpenInvoice(tx, id, to: "voided")
            invoice.status = .void
            try await tx.update(invoice)
            // What was already paid on it (from the credit balance) goes back to the balance.
            if invoice.amountPaid.isPositive, var customer = try await tx.lock(CustomerRecord.self, id: invoice.customer) {
                customer.balance = try customer.balance - invoice.amountPaid
                try await tx.update(customer)
            }
            log.audit("invoice.voided", target: id, customer: invoice.customer, before: "open", after: "void")
            log.emit("invoice.voided", customer: invoice.customer, object: ["invoice": id])
            try await self.release(invoice, tx: tx, log: log)
            return invoice
        }
    }

    /// Marks an open invoice uncollectible (written off): it stays in the books unpaid.
    public func markUncollectible(_ id: String, actor: Actor) async throws -> InvoiceRecord {
        try await command(actor) { tx, log in
            var invoice = try await self.requireOpenInvoice(tx, id, to: "marked uncollectible")
            invoice.status = .uncollectible
            try await tx.update(invoice)
            log.audit("invoice.marked_uncollectible", target: id, customer: invoice.customer, before: "open", after: "uncollectible")
            log.emit("invoice.marked_uncollectible", customer: invoice.customer, object: ["invoice": id])
            try await self.release(invoice, tx: tx, log: log)
            return invoice
        }
    }

    /// Issues a credit note against an invoice for `amount` (all that can still be
    /// credited when nil): on an open invoice it lowers the amount due (and the
    /// invoice is paid when nothing is left); on a paid one it goes to the customer's
    /// balance, or is to be refunded when `refund` is set.
    /// - throws: `credit_note.invalid` for an amount that is not positive, in another
    ///   currency, or more than the invoice has left to credit.
    public func createCreditNote(invoice id: String, amount: Money?, reason: String, refund: Bool, actor: Actor) async throws -> CreditNoteRecord {
        try await command(actor) { tx, log in try await self.issueCreditNote(tx, log, invoice: id, amount: amount, reason: reason, refund: refund) }
    }

    /// ``createCreditNote(invoice:amount:reason:refund:actor:)`` inside a caller's transaction (a refund issues its note with it).
    func issueCreditNote(_ tx: any Transaction, _ log: CommandLog, invoice id: String, amount: Money?, reason: String, refund: Bool) async throws -> CreditNoteRecord {
        do {
            var invoice = try await self.lockedInvoice(tx, id)
            guard [.open, .paid].contains(invoice.status) else {
                throw RecurError(.invoiceNotOpen, field: "id", "A credit note needs an open or paid invoice; \(invoice.number ?? id) is \(invoice.status.rawValue)",
                                 ["status": .text(invoice.status.rawValue)])
            }
            let credited = invoice.credited ?? .zero(invoice.currency)
            if invoice.status == .open && refund {
                throw RecurErrors([RecurError(.creditNoteInvalid, field: "refund", "An open invoice is credited, not refunded: nothing was paid on it to give back")])
            }
            // Open: at most what is still due. Paid: at most what was paid and not yet credited.
            let creditable = invoice.status == .open ? invoice.amountDue : try invoice.totals.amountDue - credited
            let value = amount ?? creditable
            guard value.currency == invoice.currency else {
                throw RecurErrors([RecurError(.creditNoteInvalid, field: "amount.currency",
                                              "The invoice is in \(invoice.currency.code), not \(value.currency.code)")])
            }
            guard value.isPositive, !(try creditable.isLess(than: value)) else {
                throw RecurErrors([RecurError(.creditNoteInvalid, field: "amount",
                                              "A credit note is more than 0 and at most \(creditable), not \(value)",
                                              ["amount": .money(value), "creditable": .money(creditable)])])
            }
            var customer = try await self.requireCustomer(tx, invoice.customer)
            let outcome: CreditNoteRecord.Outcome
            if invoice.status == .open && !refund {
                outcome = .reducedAmountDue
            } else if refund {
                outcome = .refund
            } else {
                outcome = .customerBalance
                customer.balance = try customer.balance - value
                try await tx.update(customer)
            }
            let before = invoice
            invoice.credited = try credited + value
            if invoice.status == .open && invoice.amountDue.isZero { invoice.status = .paid }
            try await tx.update(invoice)
            let today = try await self.day(nil, for: customer, tx, default: log.now)
            let series = "CN-\(today.year)"
            let number = Self.documentNumber(series, try await tx.nextSequenceValue(series))
            let note = CreditNoteRecord(id: RecordID.make("cn", at: log.now), number: number,
                                        customer: customer.id, invoice: id, amount: value, reason: reason, outcome: outcome,
                                        issueDate: today, created: log.now)
            try await tx.insert(note)
            log.audit("credit_note.created", target: note.id, customer: customer.id, before: before.amountDue.description, after: note)
            log.emit("credit_note.created", customer: customer.id, object: note)
            if invoice.status == .paid && before.status == .open { try await self.release(invoice, tx: tx, log: log) }
            return note
        }
    }

    public func creditNote(_ id: String) async throws -> CreditNoteRecord {
        try await read { tx in
            guard let n = try await tx.find(CreditNoteRecord.self, id: id) else { throw RecurError.notFound("credit note", id) }
            return n
        }
    }

    public func listCreditNotes(customer: String?, invoice: String?, limit: Int?, startingAfter: String?) async throws -> Page<CreditNoteRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let customer { filters["customer_id"] = .text(customer) }
            if let invoice { filters["invoice_id"] = .text(invoice) }
            return try await tx.list(CreditNoteRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }
}
