public import Foundation
public import RecurCore
public import RecurPayments
import Synchronization
import Logging

/// How to pay an attempt: go to a page, or transfer money with these instructions.
public struct PaymentStart: Sendable {
    public var attempt: PaymentAttemptRecord
    /// The gateway's page (online gateways).
    public var redirectURL: String?
    /// Bank transfer: the code to put in the transfer's memo, the account, and the VietQR payload.
    public var transfer: TransferInstructions?
}

public struct TransferInstructions: Sendable, Hashable {
    public var paymentCode: String
    public var bankName: String
    public var bankBIN: String
    public var accountNumber: String
    public var accountName: String
    public var amount: Money
    /// The NAPAS VietQR payload (VND only), to show as text or draw as a QR code.
    public var vietQR: String?
}

/// What applying a gateway's notification did, in the order VNPAY's IPN checks it.
public enum GatewayApplyResult: Sendable, Equatable {
    case notFound
    case currencyMismatch(expected: String)
    case amountMismatch(expected: Int64)
    /// The attempt was settled before (a retried or replayed notification).
    case alreadyProcessed
    case paid(PaymentRecord)
    case failed
}

extension RecurService {
    public static let offlineMethods = ["cash", "bank_transfer", "cheque", "other"]

    public func setGatewayTransport(_ t: any GatewayTransport) { transport.withLock { $0 = t } }
    /// The transport gateway API calls take (the simulators in sandbox mode).
    public var gatewayTransport: any GatewayTransport { transport.withLock { $0 } }

    /// Starts paying an open invoice through `gateway`: a pending attempt and where to
    /// go (online gateways) or what to transfer (bank transfer). One bank-transfer
    /// attempt, and so one payment code, serves an invoice however often it is asked for.
    /// - throws: `invoice.not_payable` unless open with something due; `payment.gateway_disabled`
    ///   for a gateway that is off or does not take the invoice's currency; `payment.gateway_unavailable`
    ///   when the gateway's API fails (the attempt is then failed).
    public func startPayment(invoice id: String, gateway: String, returnURL: String?, clientIP: String?, savePaymentMethod: Bool = false,
                             actor: Actor) async throws -> PaymentStart {
        let settings = payments
        try checkGateway(gateway, settings)
        if savePaymentMethod && gateway != "stripe" {
            throw RecurErrors([RecurError(.paymentInvalid, field: "save_payment_method",
                                          "Only Stripe keeps a card for automatic renewals here, not \(gateway)", ["gateway": .text(gateway)])])
        }
        let created: PaymentStart = try await command(actor) { tx, log in
            let invoice = try await self.lockedInvoice(tx, id)
            guard invoice.status == .open, invoice.amountDue.isPositive else {
                throw RecurError(.invoiceNotPayable, field: "id", "Invoice \(invoice.number ?? id) is \(invoice.status.rawValue) with \(invoice.amountDue) due",
                                 ["status": .text(invoice.status.rawValue), "amount_due": .money(invoice.amountDue)])
            }
            if ["vnpay", "vnptpay"].contains(gateway), invoice.currency != .vnd {
                throw RecurError(.paymentGatewayDisabled, field: "gateway", "\(gateway) takes VND only, not \(invoice.currency.code)",
                                 ["gateway": .text(gateway), "currency": .text(invoice.currency.code)])
            }
            let due = invoice.amountDue
            if gateway == "bank_transfer", let bank = settings.bankTransfer {
                let existing = try await tx.list(PaymentAttemptRecord.self, filters: ["invoice_id": .text(id), "status": .text("pending")],
                                                 limit: 100, startingAfter: nil).items.first { $0.gateway == "bank_transfer" }
                let code = try Self.newPaymentCode(bank)
                var attempt = existing ?? PaymentAttemptRecord(id: RecordID.make("pay", at: log.now), invoice: id, customer: invoice.customer,
                                                               gateway: gateway, amount: due, reference: code, returnURL: returnURL,
                                                               created: log.now)
                attempt.amount = due
                attempt.updated = log.now
                if existing == nil {
                    try await tx.insert(attempt)
                    log.audit("payment_attempt.created", target: attempt.id, customer: invoice.customer, before: String?.none, after: attempt)
                } else {
                    try await tx.update(attempt)
                }
                return PaymentStart(attempt: attempt, redirectURL: nil, transfer: try Self.instructions(attempt, invoice: invoice, bank: bank))
            }
            var attempt = PaymentAttemptRecord(id: RecordID.make("pay", at: log.now), invoice: id, customer: invoice.customer, gateway: gateway,
                                               amount: due, reference: "", returnURL: returnURL, created: log.now)
            attempt.reference = attempt.id
            attempt.savePaymentMethod = savePaymentMethod ? true : nil
            try await tx.insert(attempt)
            log.audit("payment_attempt.created", target: attempt.id, customer: invoice.customer, before: String?.none, after: attempt)
            log.emit("payment_attempt.created", customer: invoice.customer,
                     object: ["id": attempt.id, "invoice": id, "gateway": gateway, "amount": due.description])
            return PaymentStart(attempt: attempt, redirectURL: attempt.redirectURL, transfer: nil)
        }
        guard created.transfer == nil, let gw = settings.gateway(gateway) else { return created }
        // The gateway's page: signed locally (VNPAY, 2Checkout) or from its API (Stripe, VNPT Pay), outside the transaction.
        let attempt = created.attempt
        let invoice = try await read { tx in try await tx.find(InvoiceRecord.self, id: attempt.invoice) }
        do {
            let returnURL = gateway == "vnpay" ? settings.publicURL + "/payments/vnpay/return" : settings.publicURL + "/payments/return/\(attempt.id)"
            let request = GatewayPaymentRequest(reference: attempt.reference, invoiceNumber: invoice?.number ?? attempt.invoice,
                                                amount: attempt.amount.minorUnits, currency: attempt.amount.currency.code,
                                                currencyExponent: attempt.amount.currency.minorUnitDigits, returnURL: returnURL,
                                                clientIP: clientIP ?? "127.0.0.1", now: clock.now(), savePaymentMethod: attempt.savePaymentMethod == true)
            let page = try await gw.startPayment(request, transport: gatewayTransport)
            let (url, gatewayReference) = (page.url, page.gatewayReference)
            let updated = try await command(actor) { tx, log in
                guard var a = try await tx.find(PaymentAttemptRecord.self, id: attempt.id) else { throw RecurError.notFound("payment attempt", attempt.id) }
                a.redirectURL = url
                a.gatewayReference = gatewayReference
                a.updated = log.now
                try await tx.update(a)
                return a
            }
            return PaymentStart(attempt: updated, redirectURL: url, transfer: nil)
        } catch {
            let reason = (error as? RecurError)?.message ?? (error as? PaymentProtocolError)?.message ?? String(describing: error)
            _ = try? await command(actor) { tx, log in
                guard var a = try await tx.find(PaymentAttemptRecord.self, id: attempt.id), a.status == .pending else { return }
                a.status = .failed
                a.failureReason = reason
                a.updated = log.now
                try await tx.update(a)
                log.audit("payment_attempt.failed", target: a.id, customer: a.customer, before: "pending", after: reason)
            }
            if error is RecurError { throw error }
            if let e = error as? PaymentProtocolError, e.code != PaymentProtocolError.Code.gatewayUnavailable {
                throw RecurError(.paymentInvalid, field: "gateway", e.message, e.values.mapValues { .text($0) })
            }
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", "\(attempt.gateway) could not start the payment: \(reason)",
                             ["gateway": .text(attempt.gateway)])
        }
    }

    func checkGateway(_ gateway: String, _ settings: PaymentSettings) throws {
        guard settings.enabled.contains(gateway) else {
            throw RecurError(.paymentGatewayDisabled, field: "gateway",
                             "\(gateway) is not an enabled gateway here; enabled: \(settings.enabled.joined(separator: ", "))",
                             ["gateway": .text(gateway)])
        }
    }

    static func codeFormat(_ bank: PaymentSettings.BankTransfer) throws -> BankTransferCodeFormat {
        do { return try BankTransferCodeFormat(prefix: bank.codePrefix) } catch {
            throw RecurError(.paymentGatewayDisabled, field: "gateway", "The bank-transfer code prefix is not valid: \(error.message)")
        }
    }

    static func newPaymentCode(_ bank: PaymentSettings.BankTransfer) throws -> String {
        try codeFormat(bank).randomCode().rawValue
    }

    static func instructions(_ attempt: PaymentAttemptRecord, invoice: InvoiceRecord, bank: PaymentSettings.BankTransfer) throws -> TransferInstructions {
        var qr: String?
        if attempt.amount.currency == .vnd {
            qr = try? VietQR(bankBIN: bank.bankBIN, accountNumber: bank.accountNumber, amount: attempt.amount.minorUnits,
                             purpose: attempt.reference).payload()
        }
        return TransferInstructions(paymentCode: attempt.reference, bankName: bank.bankName, bankBIN: bank.bankBIN, accountNumber: bank.accountNumber,
                                    accountName: bank.accountName, amount: attempt.amount, vietQR: qr)
    }

    /// The bank-transfer instructions of a pending attempt.
    public func transferInstructions(attempt id: String) async throws -> TransferInstructions {
        guard let bank = payments.bankTransfer else { try checkGateway("bank_transfer", payments); fatalError("unreachable") }
        return try await read { tx in
            guard let attempt = try await tx.find(PaymentAttemptRecord.self, id: id), attempt.gateway == "bank_transfer",
                  let invoice = try await tx.find(InvoiceRecord.self, id: attempt.invoice) else {
                throw RecurError.notFound("bank-transfer payment attempt", id)
            }
            return try Self.instructions(attempt, invoice: invoice, bank: bank)
        }
    }

    public func paymentAttempt(_ id: String) async throws -> PaymentAttemptRecord {
        try await read { tx in
            guard let a = try await tx.find(PaymentAttemptRecord.self, id: id) else { throw RecurError.notFound("payment attempt", id) }
            return a
        }
    }

    public func paymentAttempt(reference: String) async throws -> PaymentAttemptRecord? {
        try await read { tx in try await tx.list(PaymentAttemptRecord.self, filters: ["reference": .text(reference)], limit: 1, startingAfter: nil).items.first }
    }

    /// Applies a verified gateway notification, once: checks in VNPAY's order (attempt
    /// known, currency and amount as asked, still pending), then records the payment
    /// (keyed by the gateway's transaction, so it is applied exactly once) or the failure.
    public func applyGatewayEvent(_ n: GatewayEvent, gateway: String) async throws -> GatewayApplyResult {
        try await command(Actor("gateway:\(gateway)")) { tx, log in
            if let eventID = n.eventID, try await tx.find(GatewayEventRecord.self, id: "\(gateway):\(eventID)") != nil { return .alreadyProcessed }
            guard let found = try await tx.list(PaymentAttemptRecord.self, filters: ["reference": .text(n.reference)], limit: 1, startingAfter: nil)
                .items.first, found.gateway == gateway else { return .notFound }
            // Lock the customer, then read the attempt again: two notifications of one attempt run one after the other.
            _ = try await tx.lock(CustomerRecord.self, id: found.customer)
            guard var attempt = try await tx.find(PaymentAttemptRecord.self, id: found.id) else { return .notFound }
            guard attempt.amount.currency.code == n.currency.uppercased() else { return .currencyMismatch(expected: attempt.amount.currency.code) }
            guard n.minorUnits(exponent: attempt.amount.currency.minorUnitDigits) == attempt.amount.minorUnits else {
                return .amountMismatch(expected: attempt.amount.minorUnits)
            }
            guard attempt.status == .pending else { return .alreadyProcessed }
            if let eventID = n.eventID {
                try await tx.insert(GatewayEventRecord(id: "\(gateway):\(eventID)", gateway: gateway, type: n.eventType, attempt: attempt.id, received: log.now))
            }
            attempt.updated = log.now
            attempt.gatewayReference = n.gatewayReference ?? attempt.gatewayReference
            guard n.succeeded else {
                attempt.status = .failed
                attempt.failureReason = n.failureReason ?? "declined"
                try await tx.update(attempt)
                log.audit("payment_attempt.failed", target: attempt.id, customer: attempt.customer, before: "pending", after: attempt.failureReason)
                log.emit("payment_attempt.failed", customer: attempt.customer,
                         object: ["id": attempt.id, "invoice": attempt.invoice, "gateway": gateway, "reason": attempt.failureReason ?? ""])
                return .failed
            }
            attempt.status = .succeeded
            try await tx.update(attempt)
            let customer = try await self.requireCustomer(tx, attempt.customer)
            let payment = try await self.applyPayment(tx, log, invoiceID: attempt.invoice, customerID: attempt.customer, amount: attempt.amount,
                                                      method: gateway, reference: n.gatewayReference,
                                                      dedupeKey: "\(gateway):\(n.gatewayReference ?? attempt.id)",
                                                      receivedOn: self.today(for: customer, at: log.now), attempt: attempt.id, note: nil)
            return .paid(payment)
        }
    }

    /// A gateway's notification, end to end: verified by the gateway (nothing is read from
    /// an unsigned one), applied once, and answered as that gateway expects. A Stripe card
    /// kept at checkout becomes the customer's renewal method afterwards.
    public func handleCallback(gateway name: String, _ callback: GatewayCallback) async -> GatewayAnswer {
        guard let gateway = payments.gateway(name) else { return GatewayAnswer(status: 404, contentType: "text/plain", body: "\(name) is not enabled") }
        let verdict = gateway.verify(callback)
        guard case .event(let event) = verdict else {
            if case .reject(let e) = verdict { logger.warning("\(name) notification refused: \(e.code) \(e.message)") }
            return gateway.answer(verdict, outcome: nil, callback: callback)
        }
        let outcome: GatewayOutcome
        do {
            switch try await applyGatewayEvent(event, gateway: name) {
            case .notFound: outcome = .notFound
            case .amountMismatch: outcome = .amountMismatch
            case .currencyMismatch: outcome = .currencyMismatch
            case .alreadyProcessed: outcome = .alreadyProcessed
            case .paid(let payment):
                outcome = .recorded
                if name == "stripe" {
                    do { try await rememberPaymentMethod(payment) } catch { logger.error("saving the card of \(payment.id) failed: \(error)") }
                }
            case .failed: outcome = .recorded
            }
        } catch {
            logger.error("\(name) notification for \(event.reference) failed: \(error)")
            outcome = .error
        }
        return gateway.answer(verdict, outcome: outcome, callback: callback)
    }

    /// A browser's return from a gateway carrying the notification's fields (VNPAY's
    /// return URL): verified by the gateway and read, never applied (the IPN does that).
    /// Nil when it does not verify.
    public func verifiedReturn(gateway name: String, _ callback: GatewayCallback) async throws -> (attempt: PaymentAttemptRecord?, event: GatewayEvent)? {
        guard let gateway = payments.gateway(name), case .event(let event) = gateway.verify(callback) else { return nil }
        return (try await paymentAttempt(reference: event.reference), event)
    }

    /// Records money received for an invoice and applies it: what the invoice still
    /// owes is paid (fully: the invoice is paid and its subscriptions active again;
    /// partly: it stays open for the rest), anything more goes to the customer's balance
    /// as a credit. A second payment with the same dedupe key is refused.
    func applyPayment(_ tx: any Transaction, _ log: CommandLog, invoiceID: String?, customerID: String, amount: Money, method: String,
                      reference: String?, dedupeKey: String, receivedOn: CivilDate, attempt: String?, note: String?) async throws -> PaymentRecord {
        var customer = try await requireCustomer(tx, customerID)
        var invoice = try await invoiceID.asyncMap { try await tx.find(InvoiceRecord.self, id: $0) } ?? nil
        var applied = Money.zero(amount.currency)
        if let inv = invoice, inv.status == .open, inv.currency == amount.currency {
            applied = try Money.min(amount, inv.amountDue)
        }
        let excess = try amount - applied
        let series = "RCP-\(receivedOn.year)"
        let payment = PaymentRecord(id: RecordID.make("py", at: log.now), number: Self.documentNumber(series, try await tx.nextSequenceValue(series)),
                                    invoice: invoiceID, customer: customerID, method: method, amount: amount, applied: applied,
                                    reference: reference, dedupeKey: dedupeKey, receivedOn: receivedOn, attempt: attempt, note: note,
                                    recordedBy: log.actor.id, created: log.now)
        do {
            try await tx.insert(payment)
        } catch let e as StoreError where e.kind == .duplicate {
            throw RecurError(.paymentDuplicate, field: "reference", "A payment with reference \(reference ?? dedupeKey) was recorded already",
                             ["dedupe_key": .text(dedupeKey)])
        }
        log.audit("payment.received", target: payment.id, customer: customerID, before: String?.none, after: payment)
        log.emit("payment.received", customer: customerID,
                 object: ["id": payment.id, "number": payment.number, "invoice": invoiceID ?? "", "method": method,
                          "amount": amount.description, "applied": applied.description])
        if excess.isPositive {
            guard excess.currency == customer.currency else {
                throw RecurError(.paymentInvalid, field: "amount.currency", "The customer is billed in \(customer.currency.code), not \(excess.currency.code)")
            }
            customer.balance = try customer.balance - excess
            try await tx.update(customer)
            log.audit("customer.balance_credited", target: customerID, customer: customerID, before: String?.none, after: excess.description)
        }
        if var inv = invoice, applied.isPositive {
            let before = inv.status
            inv.amountPaid = try inv.amountPaid + applied
            if inv.amountDue.isZero { inv.status = .paid }
            try await tx.update(inv)
            invoice = inv
            if inv.status == .paid {
                log.audit("invoice.paid", target: inv.id, customer: customerID, before: before.rawValue, after: inv.status.rawValue)
                log.emit("invoice.paid", customer: customerID, object: ["invoice": inv.id, "reference": reference ?? payment.number, "amount": amount.description])
                try await reactivate(inv, tx: tx, log: log)
                // The attempt that paid it (a bank transfer's stays pending through part-payments) has
                // succeeded; the invoice's other pending attempts can no longer be paid.
                for var other in try await tx.list(PaymentAttemptRecord.self, filters: ["invoice_id": .text(inv.id), "status": .text("pending")],
                                                   limit: 100, startingAfter: nil).items {
                    other.status = other.id == attempt ? .succeeded : .expired
                    other.updated = log.now
                    try await tx.update(other)
                }
            } else {
                log.emit("invoice.partially_paid", customer: customerID,
                         object: ["invoice": inv.id, "paid": applied.description, "amount_due": inv.amountDue.description])
            }
        }
        return payment
    }

    /// What waited on a now-paid invoice: its one-off top-ups reach their prepaid
    /// balances, and the subscriptions that waited on it (dunning, manual renewal,
    /// expiry) are active again while their period runs.
    func reactivate(_ invoice: InvoiceRecord, tx: any Transaction, log: CommandLog) async throws {
        guard var customer = try await tx.lock(CustomerRecord.self, id: invoice.customer) else { return }
        if invoice.lines.contains(where: { $0.topUp != nil }) {
            try fulfil(invoice, customer: &customer, log: log)
            try await tx.update(customer)
        }
        for sid in invoice.subscriptions {
            guard var r = try await tx.find(SubscriptionRecord.self, id: sid), r.collection?.openInvoice == invoice.id else { continue }
            let was = r.subscription
            // Paid while its period still runs: active again. Paid after the period ended, the
            // subscription stays as it is (a new purchase renews it, as 001's expired base does).
            let today = try await self.day(nil, for: customer, tx, default: log.now)
            // A renewal's invoice is what its period cost; a checkout's or a change's set what each
            // subscription paid for from its own lines when it was issued (and may cover several).
            let paidForPeriod = invoice.billingKey != nil ? invoice.totals.net : r.subscription.paidForPeriod
            if [.pastDue, .expired, .locked].contains(r.subscription.status) && r.subscription.currentPeriod.end > today {
                r.subscription.status = .active
                r.subscription.paidForPeriod = paidForPeriod
                r.collection = nil
            } else if r.subscription.isLive {
                r.subscription.paidForPeriod = paidForPeriod
                r.collection = nil
            } else if let old = r.collection {
                let kept = Collection(expiredOn: old.expiredOn, remindersSent: old.remindersSent)
                r.collection = kept == .clear ? nil : kept
            }
            r.nextBillingAt = self.nextBillingAt(r.subscription, collection: nil, customer: customer)
            try await tx.update(r)
            log.audit("subscription.reactivated", target: sid, customer: invoice.customer, before: was, after: r.subscription)
        }
    }

    /// Staff record money received outside the gateways: cash, a bank transfer seen on
    /// the statement, a cheque. A receipt numbered `RCP-YYYY-nnnnnn` comes back.
    /// - throws: `payment.invalid` (method, amount, currency), `invoice.not_payable`,
    ///   `payment.duplicate` for a reference recorded already with the same method.
    public func recordPayment(invoice id: String, method: String, amount: Money?, reference: String?, receivedOn: CivilDate?, note: String?,
                              actor: Actor) async throws -> PaymentRecord {
        guard Self.offlineMethods.contains(method) else {
            throw RecurErrors([RecurError(.paymentInvalid, field: "method", "method is one of \(Self.offlineMethods.joined(separator: ", ")), not \(method)",
                                          ["method": .text(method)])])
        }
        let ref = reference?.trimmingCharacters(in: .whitespacesAndNewlines)
        if method == "bank_transfer", ref?.isEmpty ?? true {
            throw RecurErrors([RecurError(.paymentInvalid, field: "reference", "A bank transfer needs the bank's reference, so it is never recorded twice")])
        }
        return try await command(actor) { tx, log in
            let invoice = try await self.lockedInvoice(tx, id)
            guard invoice.status == .open else {
                throw RecurError(.invoiceNotPayable, field: "id", "Invoice \(invoice.number ?? id) is \(invoice.status.rawValue), not open",
                                 ["status": .text(invoice.status.rawValue)])
            }
            let value = amount ?? invoice.amountDue
            guard value.currency == invoice.currency else {
                throw RecurErrors([RecurError(.paymentInvalid, field: "amount.currency", "The invoice is in \(invoice.currency.code), not \(value.currency.code)",
                                              ["currency": .text(value.currency.code)])])
            }
            guard value.isPositive else {
                throw RecurErrors([RecurError(.paymentInvalid, field: "amount", "A payment is more than 0, not \(value)", ["amount": .money(value)])])
            }
            let customer = try await self.requireCustomer(tx, invoice.customer)
            let day = try await self.day(receivedOn, for: customer, tx, default: log.now)
            let key = ref.map { "\(method):\($0)" } ?? "\(method):\(RecordID.make("ref", at: log.now))"
            return try await self.applyPayment(tx, log, invoiceID: id, customerID: invoice.customer, amount: value, method: method,
                                               reference: ref, dedupeKey: key, receivedOn: day, attempt: nil, note: note)
        }
    }

    public func payment(_ id: String) async throws -> PaymentRecord {
        try await read { tx in
            guard let p = try await tx.find(PaymentRecord.self, id: id) else { throw RecurError.notFound("payment", id) }
            return p
        }
    }

    public func listPayments(customer: String?, invoice: String?, limit: Int?, startingAfter: String?) async throws -> Page<PaymentRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let customer { filters["customer_id"] = .text(customer) }
            if let invoice { filters["invoice_id"] = .text(invoice) }
            return try await tx.list(PaymentRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }

    public func listPaymentAttempts(invoice: String, limit: Int?, startingAfter: String?) async throws -> Page<PaymentAttemptRecord> {
        try await read { tx in
            try await tx.list(PaymentAttemptRecord.self, filters: ["invoice_id": .text(invoice)], limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }
}

extension Optional {
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let w): try await transform(w)
        case .none: nil
        }
    }
}
