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
        guard let stripe = service.payments.gateway("stripe") as? StripeGateway, let customer = method.gatewayCustomer, let pm = method.gatewayMethod else {
            return .failed(reason: "stripe_not_configured")
        }
        do {
            switch try await stripe.charge(GatewaySavedMethod(customer: customer, method: pm, last4: method.last4), amount: amount.minorUnits,
                                           currency: amount.currency.code, idempotencyKey: "renewal-\(invoice)", metadata: [("recur_invoice", invoice)],
                                           transport: service.gatewayTransport) {
            case .succeeded(let reference): return .succeeded(reference: reference)
            case .declined(let reason): return .failed(reason: reason)
            }
        } catch {
            return .failed(reason: "stripe_unreachable")
        }
    }
}

extension RecurService {
    /// After a Stripe payment that was to keep its card: reads the PaymentIntent's saved
    /// payment method and makes it the customer's method for automatic renewals.
    public func rememberPaymentMethod(_ payment: PaymentRecord) async throws {
        guard payment.method == "stripe", let stripe = payments.gateway("stripe") as? StripeGateway, let intent = payment.reference,
              let attemptID = payment.attempt, try await paymentAttempt(attemptID).savePaymentMethod == true else { return }
        let saved: GatewaySavedMethod
        do { saved = try await stripe.savedMethod(paymentIntent: intent, transport: gatewayTransport) } catch let e as PaymentProtocolError {
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", e.message)
        }
        let (customer, pmID, last4) = (saved.customer, saved.method, saved.last4)
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
