public import Foundation
import RecurCore


extension RecurService {
    func requireTestMode() throws {
        guard testMode else {
            throw RecurError(.testClockDisabled, "Test clocks exist only on a server started in test mode (recur serve --test-mode)")
        }
    }

    /// The times a test clock may show: from 1970 to the end of 2999, so that every period a
    /// simulation bills (a yearly plan bought on the clock's last day included) has a date.
    static let testClockRange = Date(timeIntervalSince1970: 0)..<Date(timeIntervalSince1970: 32_503_680_000)

    /// `time` to the whole second (a clock keeps whole seconds, as its stored record does), in range.
    func requireClockTime(_ time: Date) throws -> Date {
        let time = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        guard Self.testClockRange.contains(time) else {
            throw RecurError(.testClockOutOfRange, field: "frozen_time", "A test clock shows a time from 1970-01-01T00:00:00Z to before 3000-01-01T00:00:00Z",
                             ["frozen_time": .text(time.formatted(.iso8601))])
        }
        return time
    }

    public func createTestClock(name: String, at time: Date, actor: Actor) async throws -> TestClockRecord {
        try requireTestMode()
        let time = try requireClockTime(time)
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
        let time = try requireClockTime(time)
        let clock: TestClockRecord = try await command(actor) { tx, log in
            guard var c = try await tx.find(TestClockRecord.self, id: id) else { throw RecurError.notFound("test clock", id) }
            guard time > c.now else {
                throw RecurError(.testClockBackwards, field: "frozen_time",
                                 "A test clock only moves forward: frozen_time must be after \(c.now.formatted(.iso8601)), the clock's time",
                                 ["frozen_time": .text(time.formatted(.iso8601)), "clock_time": .text(c.now.formatted(.iso8601))])
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
    /// reconciled by hand), in full: a receipt (method `other`) like any offline payment, the
    /// invoice paid, and a subscription waiting on it (dunning, manual renewal, expired)
    /// active again.
    public func payInvoiceOutOfBand(_ id: String, reference: String?, actor: Actor) async throws -> InvoiceRecord {
        try await command(actor) { tx, log in
            let invoice = try await self.lockedInvoice(tx, id)
            guard invoice.status == .open else {
                throw RecurError(.invoiceNotPayable, field: "id", "Invoice \(invoice.number ?? id) is \(invoice.status.rawValue), not open",
                                 ["status": .text(invoice.status.rawValue)])
            }
            let customer = try await self.requireCustomer(tx, invoice.customer)
            let ref = reference.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
            // The reference is the payer's note; an invoice is paid out of band once, so the key is the invoice's.
            let key = "other:\(id):" + (ref ?? RecordID.make("ref", at: log.now))
            _ = try await self.applyPayment(tx, log, invoiceID: id, customerID: invoice.customer, amount: invoice.amountDue, method: "other",
                                                      reference: ref, dedupeKey: key, receivedOn: try await self.day(nil, for: customer, tx, default: log.now),
                                                      attempt: nil, note: "paid out of band")
            guard let paid = try await tx.find(InvoiceRecord.self, id: id) else {
                throw RecurError.notFound("invoice", id)
            }
            return paid
        }
    }
}
