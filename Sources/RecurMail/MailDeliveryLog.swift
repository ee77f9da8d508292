public import Foundation

/// One line of the delivery log: what was sent, to whom, how, and what happened.
public struct MailDeliveryRecord: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable, Hashable {
        /// Accepted for every recipient (or written to the folder).
        case sent
        /// Accepted for some recipients, refused for others (see `rejected`).
        case partial
        case failed
    }

    public var timestamp: Date
    public var messageID: String
    public var subject: String
    public var from: String
    public var recipients: [String]
    public var status: Status
    public var transport: String?
    /// "address: code text" for each refused recipient.
    public var rejected: [String]
    public var path: String?
    public var serverReply: String?
    public var errorCode: String?
    public var errorMessage: String?
    /// Caller's label, e.g. "invoice", "receipt", "renewal_reminder", "trial_reminder", "dunning".
    public var category: String?

    public init(timestamp: Date, messageID: String, subject: String, from: String, recipients: [String],
                status: Status, transport: String? = nil, rejected: [String] = [], path: String? = nil,
                serverReply: String? = nil, errorCode: String? = nil, errorMessage: String? = nil,
                category: String? = nil) {
        self.timestamp = timestamp
        self.messageID = messageID
        self.subject = subject
        self.from = from
        self.recipients = recipients
        self.status = status
        self.transport = transport
        self.rejected = rejected
        self.path = path
        self.serverReply = serverReply
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.category = category
    }
}

/// Where delivery records go (a file, the database, …).
public protocol MailDeliveryLog: Sendable {
    func record(_ entry: MailDeliveryRecord) async throws
}

/// Appends one JSON object per line to a file (created with its folder if missing).
public actor MailJSONLinesDeliveryLog: MailDeliveryLog {
    public let fileURL: URL

    public init(fileURL: URL) {
        self.fileURL = fileURL
    }

    public func record(_ entry: MailDeliveryRecord) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(entry)
        line.append(10)
        do {
            let fm = FileManager.default
            try fm.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !fm.fileExists(atPath: fileURL.path) {
                _ = fm.createFile(atPath: fileURL.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: fileURL)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } catch {
            throw MailError(code: "mail.log_write_failed", message: "Could not append to the delivery log",
                            values: ["path": fileURL.path, "error": String(describing: error)])
        }
    }

    /// All records in the file, oldest first.
    public func entries() throws -> [MailDeliveryRecord] {
        guard FileManager.default.fileExists(atPath: fileURL.path) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data = try Data(contentsOf: fileURL)
        return try data.split(separator: 10).map { try decoder.decode(MailDeliveryRecord.self, from: Data($0)) }
    }
}

/// Wraps a transport and records every attempt (sent, partial or failed) in a delivery log.
/// Errors of the wrapped transport are rethrown after being logged.
public struct MailLoggingTransport: MailTransport {
    public let base: any MailTransport
    public let log: any MailDeliveryLog
    public let category: String?

    public init(base: any MailTransport, log: any MailDeliveryLog, category: String? = nil) {
        self.base = base
        self.log = log
        self.category = category
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let recipients = message.recipients.map(\.email)
        do {
            let receipt = try await base.send(message)
            try await log.record(MailDeliveryRecord(
                timestamp: receipt.sentAt, messageID: message.messageID, subject: message.subject,
                from: message.from.email, recipients: recipients,
                status: receipt.rejectedRecipients.isEmpty ? .sent : .partial, transport: receipt.transport,
                rejected: receipt.rejectedRecipients.map { "\($0.address): \($0.replyCode) \($0.replyText)" },
                path: receipt.path, serverReply: receipt.serverReply, category: category))
            return receipt
        } catch {
            let mailError = error as? MailError
            try? await log.record(MailDeliveryRecord(
                timestamp: Date(), messageID: message.messageID, subject: message.subject,
                from: message.from.email, recipients: recipients, status: .failed,
                errorCode: mailError?.code ?? "mail.unknown", errorMessage: mailError?.description ?? String(describing: error),
                category: category))
            throw error
        }
    }
}

extension MailError {
    /// Worth retrying later: 4xx SMTP replies, timeouts, unreachable server, dropped connection.
    public var isTransient: Bool {
        if let replyCode, (400..<500).contains(replyCode) { return true }
        return ["smtp.unreachable", "smtp.timeout", "smtp.connection_closed"].contains(code)
    }
}
