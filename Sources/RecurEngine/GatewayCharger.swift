public import Foundation
public import RecurCore
import RecurPayments

/// Charges saved payment methods for the billing run: a card saved at Stripe with an
/// off-session PaymentIntent (confirmed at once, idempotent on the invoice's billing
/// key); a sandbox card through ``SandboxCharger``.
public struct GatewayCharger: PaymentCharger {
    let service: RecurService
    public init(service: RecurService) { self.service = service }

    public func charge(_ method: PaymentMethod, amount: Money, invoice: String) async throws -> ChargeOutcome {
        guard method.kind == "stripe" else { return try await SandboxCharger().charge(method, amount: amount, invoice: invoice) }
        guard let stripe = service.payments.stripe, let customer = method.gatewayCustomer, let pm = method.gatewayMethod else {
            return .failed(reason: "stripe_not_configured")
        }
        let form = FormEncoding.encode([
            ("amount", String(amount.minorUnits)), ("currency", amount.currency.code.lowercased()), ("customer", customer), ("payment_method", pm),
            ("off_session", "true"), ("confirm", "true"), ("metadata[recur_invoice]", invoice),
        ])
        let response: GatewayResponse
        do {
            response = try await service.gatewayTransport.send(GatewayRequest(
                url: stripe.apiBase + "/v1/payment_intents",
                headers: [("Authorization", "Bearer \(stripe.secretKey)"), ("Content-Type", "application/x-www-form-urlencoded"),
                          ("Idempotency-Key", "renewal-\(invoice)")],
                body: Data(form.utf8)))
        } catch {
            return .failed(reason: "stripe_unreachable")
        }
        let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        if response.status == 200, object?["status"] as? String == "succeeded", let id = object?["id"] as? String { return .succeeded(reference: id) }
        let error = object?["error"] as? [String: Any]
        return .failed(reason: (error?["decline_code"] as? String) ?? (error?["code"] as? String) ?? "stripe_\(response.status)")
    }
}

extension RecurService {
    /// After a Stripe payment that was to keep its card: reads the PaymentIntent's saved
    /// payment method and makes it the customer's method for automatic renewals.
    public func rememberPaymentMethod(_ payment: PaymentRecord) async throws {
        guard payment.method == "stripe", let stripe = payments.stripe, let intent = payment.reference, let attemptID = payment.attempt,
              try await paymentAttempt(attemptID).savePaymentMethod == true else { return }
        let response = try await gatewayTransport.send(GatewayRequest(
            method: "GET", url: stripe.apiBase + "/v1/payment_intents/\(intent)?expand[]=payment_method",
            headers: [("Authorization", "Bearer \(stripe.secretKey)")], body: Data()))
        guard response.status == 200, let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let customer = object["customer"] as? String, let pm = object["payment_method"] as? [String: Any], let pmID = pm["id"] as? String else {
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", "Stripe did not return the PaymentIntent's payment method (\(response.status))")
        }
        let last4 = ((pm["card"] as? [String: Any])?["last4"] as? String) ?? "????"
        _ = try await command(Actor("gateway:stripe")) { tx, log in
            guard var c = try await tx.lock(CustomerRecord.self, id: payment.customer) else { return false }
            let before = c.paymentMethod?.last4
            c.paymentMethod = .stripe(customer: customer, method: pmID, last4: last4)
            try await tx.update(c)
            log.audit("customer.payment_method_set", target: c.id, customer: c.id, before: before, after: "stripe •••• \(last4)")
            log.emit("customer.payment_method_set", customer: c.id, object: ["kind": "stripe", "last4": last4])
            return true
        }
    }
}
