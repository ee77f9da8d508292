public import Foundation
import RecurCore


extension RecurService {
    func requireTestMode() throws {
        guard testMode else {
            throw RecurError(.testClockDisabled, "Test clocks exist only on a server started in test mode (recur serve --test-mode)")
        }
    }

    public func createTestClock(name: String, at time: Date, actor: Actor) async throws -> TestClockRecord {
        try requireTestMode()
        let clock = TestClockRecord(id: RecordID.make("clock", at: self.clock.now()), name: name, now: time, created: self.clock.now())
        return try await command(actor) { tx, log in
            try await tx.insert(clock)
            log.audit("test_clock.created", target: clock.id, customer: nil, before: String?.none, after: clock)
            return clock
        }
    }

    public func testClock(_ id: String) async throws -> TestClockRecord {
        try requireTestMode()
        return try await read { tx in
            guard let c = try await tx.find(TestClockRecord.self, id: id) else { throw RecurError.notFound("test clock", id) }
            return c
        }
    }

    /// Moves a test clock forward to `time` and runs, in date order, everything that
    /// falls due for its customers on the way: renewals, charges, retries, reminders,
    /// expiry, locking, month closes.
    public func advanceTestClock(_ id: String, to time: Date, charger: (any PaymentCharger)? = nil, batchSize: Int = 500,
                                 actor: Actor) async throws -> (clock: TestClockRecord, report: BillingReport) {
        try requireTestMode()
        let clock: TestClockRecord = try await command(actor) { tx, log in
            guard var c = try await tx.find(TestClockRecord.self, id: id) else { throw RecurError.notFound("test clock", id) }
            guard time >= c.now else {
                throw RecurError(.testClockBackwards, field: "frozen_time", "A test clock only moves forward (it is at \(c.now))")
            }
            let before = c
            c.now = time
            try await tx.update(c)
            log.audit("test_clock.advanced", target: id, customer: nil, before: before, after: c)
            return c
        }
        let report = try await runBilling(until: time, batchSize: batchSize, charger: charger, testClock: id)
        return (clock, report)
    }

    /// Saves a (sandbox) card as the customer's payment method for automatic renewals.
    public func setPaymentMethod(customer id: String, cardNumber: String, actor: Actor) async throws -> CustomerRecord {
        let digits = cardNumber.filter(\.isNumber)
        guard (12...19).contains(digits.count), digits.count == cardNumber.filter({ $0 != " " && $0 != "-" }).count else {
            throw RecurErrors([RecurError(.requestInvalid, field: "card_number", "A card number has 12 to 19 digits")])
        }
        return try await command(actor) { tx, log in
            let before = try await self.requireCustomer(tx, id)
            var after = before
            after.paymentMethod = PaymentMethod(number: digits)
            try await tx.update(after)
            log.audit("customer.payment_method_set", target: id, customer: id, before: before.paymentMethod?.last4, after: after.paymentMethod?.last4)
            log.emit("customer.payment_method_set", customer: id, object: ["last4": String(digits.suffix(4))])
            return after
        }
    }

    /// Records that an open invoice was paid outside Recur (cash, bank transfer
    /// reconciled by hand): the invoice is paid, and a subscription waiting on it
    /// (dunning, manual renewal, expired) is active again.
    public func payInvoiceOutOfBand(_ id: String, reference: String?, actor: Actor) async throws -> InvoiceRecord {
        try await command(actor) { tx, log in
            var invoice = try await self.lockedInvoice(tx, id)
            guard invoice.status == .open else {
                throw RecurError(.invoiceNotPayable, field: "id", "Invoice \(invoice.number ?? id) is \(invoice.status.rawValue), not open",
                                 ["status": .text(invoice.status.rawValue)])
            }
            let before = invoice
            invoice.amountPaid = try invoice.amountPaid + invoice.amountDue
            invoice.status = .paid
            try await tx.update(invoice)
            log.audit("invoice.paid", target: id, customer: invoice.customer, before: before.status.rawValue, after: invoice.status.rawValue)
            log.emit("invoice.paid", customer: invoice.customer, object: ["invoice": id, "reference": reference ?? "out_of_band"])
            try await self.reactivate(invoice, tx: tx, log: log)
            return invoice
        }
    }
}
