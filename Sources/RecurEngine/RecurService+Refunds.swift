public import Foundation
public import RecurCore
public import RecurPayments

extension RecurService {
    /// Gives back some or all of a payment: through the gateway's API where it has one
    /// (Stripe refunds, VNPAY's refund), by hand otherwise (cash, bank transfer, 2Checkout
    /// and VNPT Pay, whose refund APIs are not documented here — the staff pay it back and
    /// record it). Each refund issues a credit note with the `refund` outcome against the
    /// invoice, and a fully refunded gateway attempt becomes `refunded`.
    /// - throws: `payment.invalid` for an amount that is not positive, in another currency or
    ///   more than is left to refund; `payment.gateway_unavailable` when the gateway refuses
    ///   (nothing is recorded then).
    public func refundPayment(_ id: String, amount: Money?, reason: String, actor: Actor) async throws -> PaymentRecord {
        let payment = try await self.payment(id)
        let value = amount ?? payment.refundable
        guard value.currency == payment.amount.currency else {
            throw RecurErrors([RecurError(.paymentInvalid, field: "amount.currency", "The payment is in \(payment.amount.currency.code), not \(value.currency.code)")])
        }
        guard value.isPositive, !(try payment.refundable.isLess(than: value)) else {
            throw RecurErrors([RecurError(.paymentInvalid, field: "amount", "A refund is more than 0 and at most \(payment.refundable), not \(value)",
                                          ["amount": .money(value), "refundable": .money(payment.refundable)])])
        }
        guard payment.invoice != nil else {
            throw RecurErrors([RecurError(.paymentInvalid, field: "id", "Payment \(payment.number) paid no invoice; refund its balance credit instead")])
        }
        let refundID = RecordID.make("re", at: clock.now())
        var gatewayReference: String?
        if let gateway = payments.gateway(payment.method), let attemptID = payment.attempt {
            let attempt = try await paymentAttempt(attemptID)
            do {
                gatewayReference = try await gateway.refund(reference: attempt.reference, requestID: refundID, gatewayPayment: payment.reference, amount: value.minorUnits,
                                                            currency: value.currency.code, full: value == payment.amount, paidAt: attempt.created,
                                                            now: clock.now(), actor: actor.id, transport: gatewayTransport)
            } catch let e as PaymentProtocolError where e.code == PaymentProtocolError.Code.unsupported {
                gatewayReference = nil   // no refund API: paid back by hand, recorded here
            } catch let e as PaymentProtocolError {
                throw RecurError(.paymentGatewayUnavailable, field: "gateway", "\(payment.method) refused the refund: \(e.message)",
                                 e.values.mapValues { .text($0) })
            }
        }
        let reference = gatewayReference
        return try await command(actor) { tx, log in
            guard var p = try await tx.find(PaymentRecord.self, id: id) else { throw RecurError.notFound("payment", id) }
            let note = try await self.issueCreditNote(tx, log, invoice: p.invoice!, amount: value, reason: reason, refund: true)
            p.refunds = (p.refunds ?? []) + [PaymentRefund(id: refundID, amount: value, reason: reason, gatewayReference: reference,
                                                           creditNote: note.id, created: log.now)]
            try await tx.update(p)
            if p.refundable.isZero, let attemptID = p.attempt, var attempt = try await tx.find(PaymentAttemptRecord.self, id: attemptID) {
                attempt.status = .refunded
                attempt.updated = log.now
                try await tx.update(attempt)
            }
            log.audit("payment.refunded", target: id, customer: p.customer, before: String?.none, after: p.refunds?.last)
            log.emit("payment.refunded", customer: p.customer,
                     object: ["payment": id, "refund": refundID, "amount": value.description, "credit_note": note.id, "gateway_reference": reference ?? ""])
            return p
        }
    }

    /// Asks the gateway about a pending attempt whose notification never came (VNPAY
    /// querydr, Stripe's session, VNPT Pay's query) and applies the answer exactly as a
    /// notification would be. Returns the attempt as it is afterwards.
    public func queryPaymentAttempt(_ id: String) async throws -> PaymentAttemptRecord {
        let attempt = try await paymentAttempt(id)
        guard attempt.status == .pending, let gateway = payments.gateway(attempt.gateway) else {
            if attempt.status == .pending {
                throw RecurError(.paymentGatewayDisabled, field: "id", "\(attempt.gateway) cannot be asked about a payment", ["gateway": .text(attempt.gateway)])
            }
            return attempt
        }
        let event: GatewayEvent?
        do {
            event = try await gateway.query(reference: attempt.reference, gatewayReference: attempt.gatewayReference, createdAt: attempt.created,
                                            now: clock.now(), transport: gatewayTransport)
        } catch let e as PaymentProtocolError where e.code == PaymentProtocolError.Code.unsupported {
            throw RecurError(.paymentGatewayDisabled, field: "id", e.message, ["gateway": .text(attempt.gateway)])
        } catch let e as PaymentProtocolError {
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", e.message, e.values.mapValues { .text($0) })
        }
        if let event { _ = try await applyGatewayEvent(event, gateway: attempt.gateway) }
        return try await paymentAttempt(id)
    }
}
