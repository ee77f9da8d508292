public import RecurCore

extension RecurError.Code {
    /// A resource named in the path does not exist (HTTP 404).
    public static let resourceNotFound: Self = "resource.not_found"
    /// A resource with that id exists already (HTTP 409).
    public static let resourceExists: Self = "resource.exists"
    /// The request could not be read: bad JSON, a missing or mistyped field (HTTP 400).
    public static let requestInvalid: Self = "request.invalid"
    public static let authMissing: Self = "auth.missing"
    public static let authInvalid: Self = "auth.invalid"
    public static let authScope: Self = "auth.insufficient_scope"
    public static let idempotencyInProgress: Self = "idempotency.in_progress"
    public static let idempotencyKeyReused: Self = "idempotency.key_reused"
    public static let customerInvalid: Self = "customer.invalid"
    public static let seatAssignmentsInvalid: Self = "seat_assignments.invalid"
    public static let webhookEndpointInvalid: Self = "webhook_endpoint.invalid"
    public static let usageInvalid: Self = "usage.invalid"
    public static let testClockDisabled: Self = "test_clock.disabled"
    /// An advance to a time not after the clock's own (HTTP 422).
    public static let testClockBackwards: Self = "test_clock.backwards"
    /// A clock time outside 1970–2999, where the calendars billing needs end (HTTP 422).
    public static let testClockOutOfRange: Self = "test_clock.out_of_range"
    public static let invoiceNotPayable: Self = "invoice.not_payable"
    public static let invoiceNotOpen: Self = "invoice.not_open"
    public static let creditNoteInvalid: Self = "credit_note.invalid"
    /// The gateway is not enabled on this instance, or not for this currency (HTTP 422).
    public static let paymentGatewayDisabled: Self = "payment.gateway_disabled"
    /// The gateway could not be reached or refused the request (HTTP 502).
    public static let paymentGatewayUnavailable: Self = "payment.gateway_unavailable"
    /// This money was recorded already: same method and reference (HTTP 409).
    public static let paymentDuplicate: Self = "payment.duplicate"
    public static let paymentInvalid: Self = "payment.invalid"
    public static let bankStatementInvalid: Self = "bank_statement.invalid"
    public static let bankCreditNotPending: Self = "bank_credit.not_pending"
    /// A document could not be rendered (a font missing on the server) (HTTP 503).
    public static let documentUnavailable: Self = "document.unavailable"
    /// A portal member without the billing role tried to buy or change (HTTP 403).
    public static let portalReadOnly: Self = "portal.read_only"

    /// The HTTP status an error of this code answers with, for the API and the pages alike.
    public var httpStatus: Int {
        switch self {
        case .resourceNotFound: 404
        case .resourceExists, .idempotencyInProgress, .paymentDuplicate, .bankCreditNotPending, .dealWrongStage, .balanceInsufficient: 409
        case .paymentGatewayUnavailable: 502
        case .documentUnavailable: 503
        case .requestInvalid: 400
        case .authMissing, .authInvalid, .portalLinkExpired: 401
        case .authScope, .portalReadOnly: 403
        case .staffLocked: 429
        default: 422
        }
    }
}

extension RecurError {
    static func notFound(_ kind: String, _ id: String) -> RecurError {
        RecurError(.resourceNotFound, field: "id", "No \(kind) \(id)", ["id": .text(id), "resource": .text(kind)])
    }
}
