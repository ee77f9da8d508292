public import Foundation
public import RecurCore

// The records Recur stores. Each is a JSON document plus the columns it is found by;
// RecurStore's migrations (`Migrations.swift`) create exactly those columns.

public struct ProductRecord: Record, Equatable {
    public static let table = "products"
    public var product: Product
    public var created: Date
    public var id: String { product.id.rawValue }
    public var columns: [String: ColumnValue] { [:] }
    public init(product: Product, created: Date) {
        self.product = product
        self.created = created
    }
}

public struct PlanRecord: Record, Equatable {
    public static let table = "plans"
    public var plan: Plan
    public var created: Date
    public var id: String { plan.id.rawValue }
    public var columns: [String: ColumnValue] { ["product_id": .text(plan.product.rawValue)] }
    public init(plan: Plan, created: Date) {
        self.plan = plan
        self.created = created
    }
}

public struct AddOnRecord: Record, Equatable {
    public static let table = "add_ons"
    public var addOn: AddOn
    public var created: Date
    public var id: String { addOn.id.rawValue }
    public var columns: [String: ColumnValue] { [:] }
    public init(addOn: AddOn, created: Date) {
        self.addOn = addOn
        self.created = created
    }
}

public struct PromotionRecord: Record, Equatable {
    public static let table = "promotions"
    public var promotion: Promotion
    public var created: Date
    public var id: String { promotion.code.rawValue }
    public var columns: [String: ColumnValue] { [:] }
    public init(promotion: Promotion, created: Date) {
        self.promotion = promotion
        self.created = created
    }
}

/// The catalog-wide rules: dependencies, bundles, cycle discounts and tax rates (one row, id `catalog`).
public struct CatalogRulesRecord: Record, Equatable {
    public static let table = "catalog_rules"
    public var dependencies: [Dependency]
    public var bundles: [ProductBundle]
    public var cycleDiscounts: [Int: Percentage]
    public var taxRates: [TaxRate]
    /// One-off charges (nil in catalogs stored before they existed).
    public var charges: [Charge]?
    public var id: String { "catalog" }
    public var columns: [String: ColumnValue] { [:] }
    public init(dependencies: [Dependency], bundles: [ProductBundle], cycleDiscounts: [Int: Percentage], taxRates: [TaxRate],
                charges: [Charge]? = nil) {
        self.charges = charges
        self.dependencies = dependencies
        self.bundles = bundles
        self.cycleDiscounts = cycleDiscounts
        self.taxRates = taxRates
    }
}

public struct Contact: Codable, Sendable, Hashable {
    public var name: String
    public var email: String?
    public var phone: String?
    public var role: String?
    public init(name: String, email: String? = nil, phone: String? = nil, role: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
        self.role = role
    }
}

public struct Member: Codable, Sendable, Hashable {
    public enum Role: String, Codable, Sendable, CaseIterable { case owner, billingAdmin = "billing_admin", member }
    public var id: String
    public var email: String
    public var name: String?
    public var role: Role
    public init(id: String, email: String, name: String?, role: Role) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
    }
}

/// A customer organisation with its billing details, members and current usage.
public struct CustomerRecord: Record, Equatable {
    public static let table = "customers"
    public var id: String
    public var created: Date
    public var name: String
    public var taxID: String?
    public var address: String?
    public var country: String?
    public var region: String?
    public var currency: Currency
    public var locale: String
    public var timeZone: String
    public var invoiceEmails: [String]
    public var contacts: [Contact]
    public var taxExempt: Bool
    public var metadata: [String: String]
    /// Credit (negative) or debt (positive) carried to the next invoice.
    public var balance: Money
    public var hasPurchased: Bool
    public var members: [Member]
    public var usage: [String: Usage]
    public var testClock: String?
    /// The saved payment method automatic renewals charge (a sandbox card until
    /// the payment gateways land).
    public var paymentMethod: PaymentMethod?
    /// The most users seen per product since its in-arrears month opened (000: billed on the peak).
    public var peakUsers: [String: Int64]?
    /// Prepaid balances topped up by one-off charges (002: phone credit), in the
    /// customer's currency, by balance name; spent through the API.
    public var prepaid: [String: Money]?

    public var columns: [String: ColumnValue] {
        ["email": .text(invoiceEmails.first?.lowercased())]
    }

    public init(id: String, created: Date, name: String, taxID: String? = nil, address: String? = nil, country: String? = nil,
                region: String? = nil, currency: Currency, locale: String = "en", timeZone: String = "UTC",
                invoiceEmails: [String] = [], contacts: [Contact] = [], taxExempt: Bool = false, metadata: [String: String] = [:],
                balance: Money? = nil, hasPurchased: Bool = false, members: [Member] = [], usage: [String: Usage] = [:],
                testClock: String? = nil) {
        self.id = id
        self.created = created
        self.name = name
        self.taxID = taxID
        self.address = address
        self.country = country
        self.region = region
        self.currency = currency
        self.locale = locale
        self.timeZone = timeZone
        self.invoiceEmails = invoiceEmails
        self.contacts = contacts
        self.taxExempt = taxExempt
        self.metadata = metadata
        self.balance = balance ?? .zero(currency)
        self.hasPurchased = hasPurchased
        self.members = members
        self.usage = usage
        self.testClock = testClock
    }

    /// The customer as pricing sees it.
    public var pricingCustomer: Customer {
        Customer(id: CustomerID(id), country: country, currency: currency, taxExempt: taxExempt, hasPurchased: hasPurchased)
    }

    public var usageByProduct: [ProductID: Usage] {
        Dictionary(uniqueKeysWithValues: usage.map { (ProductID($0.key), $0.value) })
    }
}

/// A saved payment method. `sandbox_card` charges succeed or fail by card number
/// (4242 4242 4242 4242 succeeds; 4000 0000 0000 0341 is declined), as Stripe's
/// test cards do.
public struct PaymentMethod: Codable, Sendable, Hashable {
    /// `sandbox_card` (a test card number, charged by ``SandboxCharger``) or `stripe`
    /// (a card saved at Stripe, charged off-session by ``GatewayCharger``).
    public var kind: String
    public var last4: String
    public var number: String?
    /// The gateway's customer (`cus_…`) and saved method (`pm_…`).
    public var gatewayCustomer: String?
    public var gatewayMethod: String?
    public init(kind: String = "sandbox_card", number: String) {
        self.kind = kind
        self.number = number
        self.last4 = String(number.suffix(4))
    }

    /// A card saved at Stripe for off-session charges.
    public static func stripe(customer: String, method: String, last4: String) -> PaymentMethod {
        var m = PaymentMethod(kind: "stripe", number: "")
        m.number = nil
        m.last4 = last4
        m.gatewayCustomer = customer
        m.gatewayMethod = method
        return m
    }
}

public struct SeatAssignment: Codable, Sendable, Hashable {
    public var email: String
    public var name: String?
    public var businessTools: Bool
    public init(email: String, name: String? = nil, businessTools: Bool = false) {
        self.email = email
        self.name = name
        self.businessTools = businessTools
    }
}

public struct SubscriptionRecord: Record, Equatable {
    public static let table = "subscriptions"
    public var subscription: Subscription
    public var created: Date
    public var seatAssignments: [SeatAssignment]
    /// Where collecting its money stands (nil: nothing open).
    public var collection: Collection?
    /// When the billing run must next look at it (nil: never again).
    public var nextBillingAt: Date?
    public var id: String { subscription.id.rawValue }
    public var columns: [String: ColumnValue] {
        ["customer_id": .text(subscription.customer.rawValue),
         "status": .text(subscription.status.rawValue),
         "period_end": .text(subscription.currentPeriod.end.description),
         "next_billing_at": .int(nextBillingAt?.wholeSeconds)]
    }
    public init(subscription: Subscription, created: Date, seatAssignments: [SeatAssignment] = [], collection: Collection? = nil,
                nextBillingAt: Date? = nil) {
        self.subscription = subscription
        self.created = created
        self.seatAssignments = seatAssignments
        self.collection = collection
        self.nextBillingAt = nextBillingAt
    }
}

public struct InvoiceRecord: Record, Equatable {
    public enum Status: String, Codable, Sendable { case draft, open, paid, void, uncollectible }
    public static let table = "invoices"
    public var id: String
    public var number: String?
    public var customer: String
    public var subscriptions: [String]
    public var status: Status
    public var currency: Currency
    public var lines: [InvoiceLine]
    public var totals: Totals
    public var amountPaid: Money
    public var issueDate: CivilDate
    public var dueDate: CivilDate
    public var created: Date
    /// `<subscription>@<period start>` for an invoice the billing run issued: unique, so
    /// no period is ever invoiced twice, whatever crashes or second workers do.
    public var billingKey: String?
    /// How far the chasing of this invoice has gone, when no renewal tracks it (``InvoiceChase``).
    public var chase: InvoiceChase?
    /// When the billing run next looks at this invoice's chasing, as last set (see ``nextCollectionAt``).
    public var collectAt: Date?
    /// When the billing run next chases the invoice: only while it is open (paying, voiding or
    /// writing it off ends its chasing without touching `collectAt`). Indexed as `collect_at`.
    public var nextCollectionAt: Date? { status == .open ? collectAt : nil }
    public var columns: [String: ColumnValue] {
        ["customer_id": .text(customer), "status": .text(status.rawValue), "number": .text(number),
         "subscription_id": .text(subscriptions.first), "billing_key": .text(billingKey),
         "collect_at": .int(nextCollectionAt?.wholeSeconds)]
    }
    public init(id: String, number: String?, customer: String, subscriptions: [String], status: Status, currency: Currency,
                lines: [InvoiceLine], totals: Totals, amountPaid: Money, issueDate: CivilDate, dueDate: CivilDate, created: Date,
                billingKey: String? = nil) {
        self.id = id
        self.number = number
        self.customer = customer
        self.subscriptions = subscriptions
        self.status = status
        self.currency = currency
        self.lines = lines
        self.totals = totals
        self.amountPaid = amountPaid
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.created = created
        self.billingKey = billingKey
    }

    /// Credit notes issued against the invoice, in total.
    public var credited: Money?

    /// What is still to be paid: the amount due less payments and credit notes.
    public var amountDue: Money {
        Money(minorUnits: max(0, totals.amountDue.minorUnits - amountPaid.minorUnits - (credited?.minorUnits ?? 0)), currency: currency)
    }
}

public struct NoteRecord: Record, Equatable {
    public static let table = "notes"
    public var id: String
    public var subscription: String
    public var created: Date
    public var text: String
    public var author: String?
    public var columns: [String: ColumnValue] { ["subscription_id": .text(subscription)] }
    public init(id: String, subscription: String, created: Date, text: String, author: String?) {
        self.id = id
        self.subscription = subscription
        self.created = created
        self.text = text
        self.author = author
    }
}

/// Who changed what, with the state before and after, written in the same
/// transaction as the change.
public struct AuditRecord: Record, Equatable {
    public static let table = "audit_entries"
    public var id: String
    public var created: Date
    public var actor: String
    public var action: String
    public var target: String
    public var customer: String?
    public var before: String?
    public var after: String?
    public var columns: [String: ColumnValue] { ["customer_id": .text(customer), "target": .text(target)] }
    public init(id: String, created: Date, actor: String, action: String, target: String, customer: String?, before: String?, after: String?) {
        self.id = id
        self.created = created
        self.actor = actor
        self.action = action
        self.target = target
        self.customer = customer
        self.before = before
        self.after = after
    }
}

/// An outbox event, written in the same transaction as the change it reports and
/// delivered to webhook endpoints afterwards.
public struct EventRecord: Record, Equatable {
    public static let table = "events"
    public var id: String
    public var type: String
    public var created: Date
    public var customer: String?
    /// The JSON payload's `data.object`.
    public var payload: String
    /// Set once a delivery row exists for every matching endpoint.
    public var dispatched: Bool
    /// Set once its e-mails are queued (``RecurService/queueMails(batch:)``). Events from
    /// before e-mail (no value) count as mailed: upgrading never mails the past.
    public var mailed: Bool?
    public var columns: [String: ColumnValue] {
        ["type": .text(type), "customer_id": .text(customer), "dispatched": .int(dispatched ? 1 : 0), "mailed": .int(mailed == false ? 0 : 1)]
    }
    public init(id: String, type: String, created: Date, customer: String?, payload: String, dispatched: Bool = false, mailed: Bool? = false) {
        self.id = id
        self.type = type
        self.created = created
        self.customer = customer
        self.payload = payload
        self.dispatched = dispatched
        self.mailed = mailed
    }
}

public struct WebhookEndpointRecord: Record, Equatable {
    public static let table = "webhook_endpoints"
    public var id: String
    public var url: String
    public var events: [String]
    public var description: String?
    /// `whsec_` + base64 of the signing key.
    public var secret: String
    public var created: Date
    public var columns: [String: ColumnValue] { [:] }
    public init(id: String, url: String, events: [String], description: String?, secret: String, created: Date) {
        self.id = id
        self.url = url
        self.events = events
        self.description = description
        self.secret = secret
        self.created = created
    }
}

public struct WebhookDeliveryRecord: Record, Equatable {
    public enum Status: String, Codable, Sendable { case pending, delivered, failed }
    public static let table = "webhook_deliveries"
    public var id: String
    public var endpoint: String
    public var event: String
    public var eventType: String
    public var attempt: Int
    public var status: Status
    public var responseStatus: Int?
    public var error: String?
    public var created: Date
    public var nextAttempt: Date?
    public var columns: [String: ColumnValue] {
        ["endpoint_id": .text(endpoint), "status": .text(status.rawValue),
         "next_attempt_at": .int(nextAttempt.map { Int64($0.timeIntervalSince1970) })]
    }
    public init(id: String, endpoint: String, event: String, eventType: String, attempt: Int, status: Status,
                responseStatus: Int? = nil, error: String? = nil, created: Date, nextAttempt: Date?) {
        self.id = id
        self.endpoint = endpoint
        self.event = event
        self.eventType = eventType
        self.attempt = attempt
        self.status = status
        self.responseStatus = responseStatus
        self.error = error
        self.created = created
        self.nextAttempt = nextAttempt
    }
}

/// A secret API key, stored as the SHA-256 of the key; the key itself is shown once.
public struct APIKeyRecord: Record, Equatable {
    public enum Scope: String, Codable, Sendable, Comparable, CaseIterable {
        case read, write, admin
        private var order: Int { switch self { case .read: 0; case .write: 1; case .admin: 2 } }
        public static func < (l: Scope, r: Scope) -> Bool { l.order < r.order }
    }
    public static let table = "api_keys"
    public var id: String
    public var name: String
    public var hash: String
    public var scope: Scope
    public var created: Date
    public var revoked: Bool
    public var columns: [String: ColumnValue] { ["hash": .text(hash)] }
    public init(id: String, name: String, hash: String, scope: Scope, created: Date, revoked: Bool = false) {
        self.id = id
        self.name = name
        self.hash = hash
        self.scope = scope
        self.created = created
        self.revoked = revoked
    }
}

/// A stored response for an `Idempotency-Key`; id is `<api key id>:<key>`.
public struct IdempotencyRecord: Record, Equatable {
    public static let table = "idempotency_keys"
    public var id: String
    public var requestHash: String
    /// nil while the first request is still running.
    public var status: Int?
    public var contentType: String?
    public var body: String?
    public var created: Date
    public var columns: [String: ColumnValue] { ["created_at": .int(Int64(created.timeIntervalSince1970))] }
    public init(id: String, requestHash: String, status: Int?, contentType: String?, body: String?, created: Date) {
        self.id = id
        self.requestHash = requestHash
        self.status = status
        self.contentType = contentType
        self.body = body
        self.created = created
    }
}

/// A test clock: customers attached to it live at its time, which only moves when
/// it is advanced (test mode only).
public struct TestClockRecord: Record, Equatable {
    public static let table = "test_clocks"
    public var id: String
    public var name: String
    public var now: Date
    public var created: Date
    public var columns: [String: ColumnValue] { [:] }
    public init(id: String, name: String, now: Date, created: Date) {
        self.id = id
        self.name = name
        self.now = now
        self.created = created
    }
}

/// A credit note against an invoice: it lowers what is due on an open invoice, or —
/// on a paid one — goes to the customer's balance or is refunded.
public struct CreditNoteRecord: Record, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// Lowered the amount due of the open invoice.
        case reducedAmountDue = "reduced_amount_due"
        /// Credited to the customer's balance, paying the next invoices.
        case customerBalance = "customer_balance"
        /// To be paid back to the customer (by the gateway or by hand).
        case refund
    }
    public static let table = "credit_notes"
    public var id: String
    public var number: String
    public var customer: String
    public var invoice: String
    public var amount: Money
    public var reason: String
    public var outcome: Outcome
    public var issueDate: CivilDate
    public var created: Date
    public var columns: [String: ColumnValue] { ["customer_id": .text(customer), "invoice_id": .text(invoice)] }
    public init(id: String, number: String, customer: String, invoice: String, amount: Money, reason: String, outcome: Outcome,
                issueDate: CivilDate, created: Date) {
        self.id = id
        self.number = number
        self.customer = customer
        self.invoice = invoice
        self.amount = amount
        self.reason = reason
        self.outcome = outcome
        self.issueDate = issueDate
        self.created = created
    }
}

