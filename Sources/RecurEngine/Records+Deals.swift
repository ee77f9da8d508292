public import Foundation
public import RecurCore

/// A sales-led Enterprise contract (000): briefing requested → briefing held → optional
/// NDA / GDPR SCC / security questionnaire (annual contracts only) → quote → service
/// application form → contract → subscription billed monthly in arrears by users.
public struct DealRecord: Record, Equatable {
    public enum Stage: String, Codable, Sendable, CaseIterable {
        case briefingRequested = "briefing_requested"
        case briefingHeld = "briefing_held"
        case quoted
        case applicationReceived = "application_received"
        case contracted
        /// The subscription exists: the deal is done.
        case won
        case lost
    }

    /// The optional documents before the quote.
    public enum DocumentKind: String, Codable, Sendable, CaseIterable {
        case nda
        case gdprSCC = "gdpr_scc"
        case securityQuestionnaire = "security_questionnaire"
    }

    public struct Document: Codable, Sendable, Hashable {
        public var kind: DocumentKind
        /// Requested, then completed (signed or answered) on a date.
        public var completedOn: CivilDate?
        public var requestedOn: CivilDate
    }

    /// The service application form the customer fills in after the quote.
    public struct Application: Codable, Sendable, Hashable {
        public var legalName: String
        public var taxID: String?
        public var address: String
        public var signatory: String
        public var receivedOn: CivilDate
    }

    public struct Step: Codable, Sendable, Hashable {
        public var action: String
        public var at: Date
        public var by: String
        public var note: String?
    }

    public static let table = "deals"
    public var id: String
    public var customer: String
    public var plan: PlanID
    /// Users expected: the quote's basis (the invoices count the real users each month).
    public var users: Int
    /// Contract length in months (6 or more: shorter use pays in the app, 000).
    public var contractMonths: Int
    /// An annual contract (the optional documents are for annual Enterprise only).
    public var annual: Bool
    public var contactName: String
    public var contactEmail: String
    public var message: String?
    public var stage: Stage
    public var documents: [Document]
    public var quoteNumber: String?
    /// Users × the plan's monthly price per user, before tax.
    public var quoteMonthly: Money?
    public var quoteValidUntil: CivilDate?
    public var application: Application?
    public var contractNumber: String?
    public var contractStart: CivilDate?
    public var subscription: String?
    /// An event plan's deal (000): the one-off charge sold under the contract, the
    /// event's date, and the invoice the contract issues; `users` counts the hours.
    public var charge: ChargeID?
    public var eventDate: CivilDate?
    public var invoice: String?
    /// An event plan's quote: hours × the charge's unit price, before tax, paid once.
    public var quoteOnce: Money?
    /// A contract for a plan billed in advance (000: Small, Premium): the tier (Small's
    /// minutes), and how it is paid: every month, or every year in one sum (annual only).
    public var tier: String?
    public var paymentMonths: Int?
    /// A plan billed in advance: the quoted amount for one payment cycle, before tax.
    public var quoteCycle: Money?
    public var lostReason: String?
    public var history: [Step]
    public var created: Date
    /// A deal for a one-off event rather than a subscription.
    public var isEvent: Bool { charge != nil }
    public var columns: [String: ColumnValue] { ["customer_id": .text(customer), "stage": .text(stage.rawValue)] }

    public init(id: String, customer: String, plan: PlanID, users: Int, contractMonths: Int, annual: Bool, contactName: String,
                contactEmail: String, message: String?, created: Date) {
        self.id = id
        self.customer = customer
        self.plan = plan
        self.users = users
        self.contractMonths = contractMonths
        self.annual = annual
        self.contactName = contactName
        self.contactEmail = contactEmail
        self.message = message
        self.stage = .briefingRequested
        self.documents = []
        self.history = []
        self.created = created
    }
}
