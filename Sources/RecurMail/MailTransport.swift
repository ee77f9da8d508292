public import Foundation

/// Outcome of one delivery: store it in the delivery log.
public struct MailReceipt: Sendable, Hashable {
    /// A recipient the SMTP server refused (the message still went to the others).
    public struct Rejection: Sendable, Hashable {
        public var address: String
        public var replyCode: Int
        public var replyText: String

        public init(address: String, replyCode: Int, replyText: String) {
            self.address = address
            self.replyCode = replyCode
            self.replyText = replyText
        }
    }

    public var messageID: String
    /// "smtp" or "folder".
    public var transport: String
    public var sentAt: Date
    public var acceptedRecipients: [String]
    public var rejectedRecipients: [Rejection]
    /// File written by `MailFolderTransport`.
    public var path: String?
    /// Final server reply to DATA (often carries the queue id), for SMTP.
    public var serverReply: String?

    public init(messageID: String, transport: String, sentAt: Date, acceptedRecipients: [String],
                rejectedRecipients: [Rejection] = [], path: String? = nil, serverReply: String? = nil) {
        self.messageID = messageID
        self.transport = transport
        self.sentAt = sentAt
        self.acceptedRecipients = acceptedRecipients
        self.rejectedRecipients = rejectedRecipients
        self.path = path
        self.serverReply = serverReply
    }
}

/// Something that delivers a message (SMTP, or a folder when no SMTP is configured).
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws -> MailReceipt
}

/// Writes each message as `<timestamp>-<message-id>.eml` into `directory` (created if missing).
/// Used when no SMTP server is configured. Files are written atomically.
public struct MailFolderTransport: MailTransport {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let bytes = try message.render()
        let now = Date()
        let fileURL = directory.appendingPathComponent(Self.fileName(for: message, at: now))
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try bytes.write(to: fileURL, options: .atomic)
        } catch {
            throw MailError(code: "mail.folder_write_failed", message: "Could not write the message to the mail folder",
                            values: ["path": fileURL.path, "error": String(describing: error)])
        }
        return MailReceipt(messageID: message.messageID, transport: "folder", sentAt: now,
                           acceptedRecipients: message.recipients.map(\.email), path: fileURL.path)
    }

    /// `20261122T052505.123Z-<sanitized message-id>.eml` — sorts chronologically.
    static func fileName(for message: MailMessage, at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@_-")
        let id = String(message.messageID.map { allowed.contains($0) ? $0 : "_" }.prefix(200))
        return "\(formatter.string(from: date))-\(id).eml"
    }
}
