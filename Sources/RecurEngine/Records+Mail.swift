public import Foundation

/// One e-mail to one recipient, made from an outbox event: the delivery log the back
/// office shows. Its `dedupeKey` (`<kind>:<document or event>:<address>`) is unique, so
/// an event is mailed once however often — or by however many processes — it is looked at.
/// Subject and texts are composed when the row is queued; the attached PDF is rendered
/// when it is sent (outside every billing transaction).
public struct MailDeliveryRecord: Record, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Waiting for its first attempt or for a retry (see `error` for the last failure).
        case queued
        case sent
        /// Given up: a permanent refusal, or every retry failed.
        case failed
    }

    /// A document rendered and attached when the message is sent.
    public struct Document: Codable, Sendable, Hashable {
        /// `invoice`, `receipt` or `credit_note`.
        public var kind: String
        public var id: String
        public var filename: String
        public init(kind: String, id: String, filename: String) {
            self.kind = kind
            self.id = id
            self.filename = filename
        }
    }

    public static let table = "mail_deliveries"
    public var id: String
    public var dedupeKey: String
    public var event: String
    public var eventType: String
    /// `invoice`, `receipt`, `renewal_reminder`, `trial_reminder`, `payment_failed`,
    /// `overdue`, `expired`, `locked`, `credit_note`.
    public var kind: String
    public var customer: String
    public var to: String
    public var language: String
    public var subject: String
    public var text: String
    public var html: String?
    public var attachment: Document?
    public var status: Status
    public var attempts: Int
    /// When it is next tried (nil once sent or failed). While a worker sends it, this is
    /// its lease: a worker that dies mid-send leaves it to be tried again after that.
    public var nextAttempt: Date?
    /// The last failure: the transport's error code and text (the SMTP reply).
    public var error: String?
    /// `smtp` or `folder`.
    public var transport: String?
    /// The server's reply to DATA, or the .eml file written.
    public var reply: String?
    public var sentAt: Date?
    public var created: Date

    public var columns: [String: ColumnValue] {
        ["customer_id": .text(customer), "status": .text(status.rawValue), "event_id": .text(event), "dedupe_key": .text(dedupeKey),
         "next_attempt_at": .int(nextAttempt?.wholeSeconds)]
    }

    public init(id: String, dedupeKey: String, event: String, eventType: String, kind: String, customer: String, to: String,
                language: String, subject: String, text: String, html: String?, attachment: Document?, status: Status = .queued,
                attempts: Int = 0, nextAttempt: Date?, error: String? = nil, transport: String? = nil, reply: String? = nil,
                sentAt: Date? = nil, created: Date) {
        self.id = id
        self.dedupeKey = dedupeKey
        self.event = event
        self.eventType = eventType
        self.kind = kind
        self.customer = customer
        self.to = to
        self.language = language
        self.subject = subject
        self.text = text
        self.html = html
        self.attachment = attachment
        self.status = status
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.error = error
        self.transport = transport
        self.reply = reply
        self.sentAt = sentAt
        self.created = created
    }
}
