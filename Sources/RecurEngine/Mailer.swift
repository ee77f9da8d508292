public import Foundation

/// The e-mail port: sends one composed message to one recipient. RecurApp implements it
/// over RecurMail (SMTP, or a folder of .eml files when no SMTP server is configured);
/// the engine never sees MIME, SMTP or the sender address.
public protocol Mailer: Sendable {
    /// Sends `mail`; returns what the transport answered (the server's reply or the file
    /// written). Throws ``MailerError`` — or anything else, which is retried.
    func send(_ mail: OutgoingMail) async throws -> MailSent
}

/// One message as the engine composes it: to one recipient, in the customer's language.
public struct OutgoingMail: Sendable, Hashable {
    public struct Attachment: Sendable, Hashable {
        public var filename: String
        public var contentType: String
        public var data: Data
        public init(filename: String, contentType: String, data: Data) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    /// The delivery's id: stable across retries, so a Message-ID made from it is too.
    public var id: String
    public var to: String
    public var toName: String?
    public var subject: String
    public var text: String
    public var html: String?
    public var attachments: [Attachment]
    /// `invoice`, `receipt`, `renewal_reminder`, `trial_reminder`, `payment_failed`,
    /// `overdue`, `expired`, `locked`, `credit_note`.
    public var kind: String
    /// BCP 47 language of the texts (`vi`, `en`, `fr`, `ms`, `ja`).
    public var language: String

    public init(id: String, to: String, toName: String?, subject: String, text: String, html: String?, attachments: [Attachment],
                kind: String, language: String) {
        self.id = id
        self.to = to
        self.toName = toName
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.kind = kind
        self.language = language
    }
}

/// What a transport answered for a message it took.
public struct MailSent: Sendable, Hashable {
    /// `smtp` or `folder`.
    public var transport: String
    /// The server's reply to DATA (its queue id) or the file written.
    public var reply: String?
    public init(transport: String, reply: String?) {
        self.transport = transport
        self.reply = reply
    }
}

/// A failed send. `permanent` ones (a recipient the server refuses with 5xx, an invalid
/// address) are not retried; everything else is, on ``RecurService/mailRetrySchedule``.
public struct MailerError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var permanent: Bool
    public init(code: String, message: String, permanent: Bool) {
        self.code = code
        self.message = message
        self.permanent = permanent
    }
    public var description: String { "\(code): \(message)" }
}
