public import Foundation
public import RecurCore
import RecurPayments

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
        switch payment.method {
        case "stripe": gatewayReference = try await stripeRefund(payment, amount: value, refundID: refundID)
        case "vnpay": gatewayReference = try await vnpayRefund(payment, amount: value, refundID: refundID, actor: actor)
        default: gatewayReference = nil
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

    func stripeRefund(_ payment: PaymentRecord, amount: Money, refundID: String) async throws -> String {
        guard let stripe = payments.stripe, let intent = payment.reference else {
            throw RecurError(.paymentGatewayDisabled, field: "id", "Stripe is not enabled here, or the payment has no PaymentIntent")
        }
        let form = FormEncoding.encode([("payment_intent", intent), ("amount", String(amount.minorUnits)), ("metadata[recur_payment]", payment.id),
                                        ("metadata[recur_refund]", refundID)])
        let response = try await gatewayTransport.send(GatewayRequest(
            url: stripe.apiBase + "/v1/refunds",
            headers: [("Authorization", "Bearer \(stripe.secretKey)"), ("Content-Type", "application/x-www-form-urlencoded"), ("Idempotency-Key", refundID)],
            body: Data(form.utf8)))
        guard response.status == 200, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let id = object["id"] as? String, ["succeeded", "pending"].contains(object["status"] as? String ?? "") else {
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", "Stripe refused the refund (\(response.status)): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        return id
    }

    func vnpayRefund(_ payment: PaymentRecord, amount: Money, refundID: String, actor: Actor) async throws -> String {
        guard let config = payments.vnpay, let attemptID = payment.attempt else {
            throw RecurError(.paymentGatewayDisabled, field: "id", "VNPAY is not enabled here, or the payment has no attempt")
        }
        let attempt = try await paymentAttempt(attemptID)
        let vnpay = VNPay(configuration: config)
        let request = try Self.protocolCall { () throws(PaymentProtocolError) in
            try vnpay.refundRequest(.init(requestId: refundID, type: amount == payment.amount ? .full : .partial, txnRef: attempt.reference,
                                          amount: amount.minorUnits, transactionNo: payment.reference, transactionDate: attempt.created,
                                          createdBy: String(actor.id.prefix(50)), createdAt: clock.now(), ipAddress: "127.0.0.1",
                                          orderInfo: "Hoan tien \(payment.number)"))
        }
        let response = try await gatewayTransport.send(GatewayRequest(url: request.url.absoluteString, headers: [("Content-Type", "application/json")],
                                                                      body: request.jsonBody))
        let answer = try Self.protocolCall { () throws(PaymentProtocolError) in try vnpay.verifyRefundResponse(response.body) }
        guard answer.isSigned, answer.responseCode == "00" else {
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", "VNPAY refused the refund: \(answer.responseCode) \(answer["vnp_Message"] ?? "")",
                             ["response_code": .text(answer.responseCode)])
        }
        return answer["vnp_TransactionNo"] ?? refundID
    }

    /// Asks the gateway about a pending attempt whose notification never came (VNPAY
    /// querydr, Stripe's session, VNPT Pay's query) and applies the answer exactly as a
    /// notification would be. Returns the attempt as it is afterwards.
    public func queryPaymentAttempt(_ id: String) async throws -> PaymentAttemptRecord {
        let attempt = try await paymentAttempt(id)
        guard attempt.status == .pending else { return attempt }
        let transport = gatewayTransport
        switch attempt.gateway {
        case "vnpay":
            guard let config = payments.vnpay else { break }
            let vnpay = VNPay(configuration: config)
            let request = vnpay.queryRequest(.init(requestId: RecordID.make("rq", at: clock.now()), txnRef: attempt.reference,
                                                   orderInfo: "Tra cuu \(attempt.reference)", transactionDate: attempt.created,
                                                   createdAt: clock.now(), ipAddress: "127.0.0.1"))
            let response = try await transport.send(GatewayRequest(url: request.url.absoluteString, headers: [("Content-Type", "application/json")],
                                                                   body: request.jsonBody))
            let answer = try Self.protocolCall { () throws(PaymentProtocolError) in try vnpay.verifyQueryResponse(response.body) }
            // 94 means "asked too recently": nothing to learn yet; only a signed answer about a payment (type 01) counts.
            guard answer.isSigned, answer.responseCode == "00", answer.transactionType == "01", let amount = answer.amount,
                  let status = answer.transactionStatus, status != "01" else { break }
            _ = try await applyGatewayNotification(GatewayNotification(
                gateway: "vnpay", reference: attempt.reference, amount: amount, currency: "VND", succeeded: answer.confirmsPayment,
                gatewayReference: answer["vnp_TransactionNo"], eventType: "querydr", failureReason: answer.confirmsPayment ? nil : "vnpay status \(status)"))
        case "stripe":
            guard let stripe = payments.stripe, let session = attempt.gatewayReference else { break }
            let response = try await transport.send(GatewayRequest(method: "GET", url: stripe.apiBase + "/v1/checkout/sessions/\(session)",
                                                                   headers: [("Authorization", "Bearer \(stripe.secretKey)")], body: Data()))
            guard response.status == 200, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
                  let amount = (object["amount_total"] as? NSNumber)?.int64Value, let currency = object["currency"] as? String else {
                throw RecurError(.paymentGatewayUnavailable, field: "gateway", "Stripe answered \(response.status)")
            }
            let paid = object["payment_status"] as? String == "paid"
            let expired = object["status"] as? String == "expired"
            guard paid || expired else { break }
            _ = try await applyGatewayNotification(GatewayNotification(
                gateway: "stripe", reference: attempt.reference, amount: amount, currency: currency, succeeded: paid,
                gatewayReference: (object["payment_intent"] as? String) ?? session, eventType: "session_query", failureReason: paid ? nil : "expired"))
        default:
            throw RecurError(.paymentGatewayDisabled, field: "id", "\(attempt.gateway) cannot be asked about a payment; wait for its notification",
                             ["gateway": .text(attempt.gateway)])
        }
        return try await paymentAttempt(id)
    }
}
