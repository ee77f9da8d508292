public import Foundation
public import RecurCore

/// One try at paying one invoice through a gateway: a VNPAY or VNPT Pay redirect, a
/// Stripe Checkout Session, a 2Checkout buy link, or bank-transfer instructions with a
/// payment code. Its state moves pending → succeeded / failed / expired, and a
/// succeeded attempt may later be refunded; it never moves back.
public struct PaymentAttemptRecord: Record, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable { case pending, succeeded, failed, expired, refunded }
    public static let table = "payment_attempts"
    public var id: String
    public var invoice: String
    public var customer: String
    /// `vnpay`, `vnptpay`, `stripe`, `2checkout` or `bank_transfer`.
    public var gateway: String
    public var amount: Money
    public var status: Status
    /// What the gateway knows the attempt by: `vnp_TxnRef`, `MERCHANT_ORDER_ID`,
    /// `client_reference_id`, `order-ext-ref` (the attempt id), or the bank-transfer payment code.
    public var reference: String
    /// The gateway's own id: VNPAY's transaction number, a Stripe session, a 2Checkout REFNO.
    public var gatewayReference: String?
    /// Where the customer goes to pay (online gateways).
    public var redirectURL: String?
    /// Where the customer comes back to.
    public var returnURL: String?
    public var failureReason: String?
    /// Keep the card for automatic renewals once paid (Stripe).
    public var savePaymentMethod: Bool?
    public var created: Date
    public var updated: Date

    public var columns: [String: ColumnValue] {
        ["invoice_id": .text(invoice), "customer_id": .text(customer), "reference": .text(reference), "status": .text(status.rawValue)]
    }

    public init(id: String, invoice: String, customer: String, gateway: String, amount: Money, status: Status = .pending, reference: String,
                gatewayReference: String? = nil, redirectURL: String? = nil, returnURL: String? = nil, failureReason: String? = nil,
                created: Date) {
        self.id = id
        self.invoice = invoice
        self.customer = customer
        self.gateway = gateway
        self.amount = amount
        self.status = status
        self.reference = reference
        self.gatewayReference = gatewayReference
        self.redirectURL = redirectURL
        self.returnURL = returnURL
        self.failureReason = failureReason
        self.created = created
        self.updated = created
    }
}

/// Money received and applied to an invoice (or waiting on the customer's balance):
/// from a gateway, a bank transfer, cash or any other offline means. Its dedupe key
/// (`<method>:<external reference>`) is unique, so the same money is never applied twice
/// however often a callback, a bank feed or a statement repeats it.
public struct PaymentRecord: Record, Equatable {
    public static let table = "payments"
    public var id: String
    /// `RCP-2026-000001`: the receipt's number, gap-free per year.
    public var number: String
    public var invoice: String?
    public var customer: String
    /// `vnpay`, `vnptpay`, `stripe`, `2checkout`, `bank_transfer`, `cash` or `other`.
    public var method: String
    public var amount: Money
    /// What of it paid the invoice; the rest (an over-payment) went to the customer's balance.
    public var applied: Money
    public var reference: String?
    public var dedupeKey: String
    public var receivedOn: CivilDate
    public var attempt: String?
    public var note: String?
    public var recordedBy: String
    public var created: Date
    /// Money given back, through the gateway or by hand, each with its credit note.
    public var refunds: [PaymentRefund]?

    public var columns: [String: ColumnValue] {
        ["invoice_id": .text(invoice), "customer_id": .text(customer), "dedupe_key": .text(dedupeKey)]
    }

    /// What is left to refund.
    public var refundable: Money {
        (try? amount - (refunds ?? []).reduce(Money.zero(amount.currency)) { (try? $0 + $1.amount) ?? $0 }) ?? .zero(amount.currency)
    }
}

/// One refund of a payment.
public struct PaymentRefund: Codable, Sendable, Hashable {
    public var id: String
    public var amount: Money
    public var reason: String
    /// The gateway's refund id (`re_…`, VNPAY's transaction number), or nil when paid back by hand.
    public var gatewayReference: String?
    public var creditNote: String
    public var created: Date
}

/// A credit on the vendor's bank account, from the bank feed or an uploaded statement:
/// matched to an invoice by its payment code and amount, or queued for staff.
public struct BankCreditRecord: Record, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Paid an invoice exactly.
        case matched
        /// Paid part of an invoice, which stays open for the rest (bank fees are the customer's).
        case underpaid
        /// Paid an invoice and more; the excess is on the customer's balance.
        case overpaid
        /// No open invoice found: waiting for staff.
        case unmatched
        /// Assigned to an invoice by staff.
        case assigned
        /// Set aside by staff (not a customer payment).
        case ignored
    }
    public static let table = "bank_credits"
    public var id: String
    /// The bank's reference for the credit: the dedupe key.
    public var bankReference: String
    public var amount: Money
    public var memo: String
    public var bookedOn: CivilDate
    /// `feed` or `statement`.
    public var source: String
    public var status: Status
    public var paymentCode: String?
    public var invoice: String?
    public var payment: String?
    /// Why it is unmatched, for the staff queue.
    public var reason: String?
    public var created: Date

    public var columns: [String: ColumnValue] {
        ["bank_reference": .text(bankReference), "status": .text(status.rawValue), "invoice_id": .text(invoice)]
    }
}

/// A gateway notification already handled (a Stripe event id, a 2Checkout or VNPT Pay
/// notification), so a replay is recognised before anything is read from it.
public struct GatewayEventRecord: Record, Equatable {
    public static let table = "gateway_events"
    /// `<gateway>:<event id>`.
    public var id: String
    public var gateway: String
    public var type: String
    public var attempt: String?
    public var received: Date
    public var columns: [String: ColumnValue] { [:] }
}
