import Foundation
public import RecurCore

/// The outcome of charging a saved payment method.
public enum ChargeOutcome: Sendable, Hashable {
    case succeeded(reference: String)
    case failed(reason: String)
}

/// Charges a customer's saved payment method for an invoice: the port the payment
/// gateways implement (issue 5). The billing run calls it for automatic renewals
/// and dunning retries.
public protocol PaymentCharger: Sendable {
    func charge(_ method: PaymentMethod, amount: Money, invoice: String) async throws -> ChargeOutcome
}

/// The sandbox: Stripe's test card numbers decide the outcome. 4242 4242 4242 4242
/// (and any other number) succeeds; 4000 0000 0000 0341 and 4000 0000 0000 0002 are
/// declined, 4000 0000 0000 9995 fails for insufficient funds.
public struct SandboxCharger: PaymentCharger {
    public init() {}
    public func charge(_ method: PaymentMethod, amount: Money, invoice: String) async throws -> ChargeOutcome {
        switch method.number?.filter(\.isNumber) {
        case "4000000000000341", "4000000000000002": .failed(reason: "card_declined")
        case "4000000000009995": .failed(reason: "insufficient_funds")
        default: .succeeded(reference: "sandbox_\(invoice)")
        }
    }
}
