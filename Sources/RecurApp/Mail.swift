import Foundation
public import Logging
public import RecurEngine
public import RecurMail
public import ServiceLifecycle

/// The engine's ``Mailer`` port over RecurMail: a composed mail becomes a MIME message
/// from `from`, with a Message-ID made from the delivery id (the same on every retry),
/// and goes out through `transport` (SMTP, or the folder transport).
public struct TransportMailer: Mailer {
    public let transport: any MailTransport
    public let from: MailAddress

    public init(transport: any MailTransport, from: MailAddress) {
        self.transport = transport
        self.from = from
    }

    public func send(_ mail: OutgoingMail) async throws -> MailSent {
        let domain = from.email.split(separator: "@").last.map(String.init) ?? "recur.invalid"
        let message = MailMessage(from: from, to: [MailAddress(mail.to, name: mail.toName)], subject: mail.subject, textBody: mail.text,
                                  htmlBody: mail.html,
                                  attachments: mail.attachments.map { MailAttachment(filename: $0.filename, contentType: $0.contentType, data: $0.data) },
                                  messageID: "\(mail.id)@\(domain)")
        do {
            let receipt = try await transport.send(message)
            if let refused = receipt.rejectedRecipients.first, receipt.acceptedRecipients.isEmpty {
                throw MailerError(code: "smtp.rejected", message: "\(refused.address): \(refused.replyCode) \(refused.replyText)",
                                  permanent: (500..<600).contains(refused.replyCode))
            }
            return MailSent(transport: receipt.transport, reply: receipt.serverReply ?? receipt.path)
        } catch let error as MailError {
            // The description is "<code>: <message> [<details>]"; the code is kept apart.
            let text = error.description.hasPrefix(error.code + ": ") ? String(error.description.dropFirst(error.code.count + 2)) : error.description
            throw MailerError(code: error.code, message: text, permanent: Self.isPermanent(error))
        }
    }

    /// A message the server refuses for good (5xx to the recipient) or that can never be
    /// written (an invalid address) is not retried; an unreachable server, a timeout, a 4xx,
    /// or a TLS or login problem (configuration, fixed by the operator) are.
    static func isPermanent(_ error: MailError) -> Bool {
        if ["mail.address_invalid", "mail.header_invalid", "mail.no_recipients"].contains(error.code) { return true }
        return error.code == "smtp.rejected" && (500..<600).contains(error.replyCode ?? 0)
    }
}

extension RecurConfiguration.MailSettings {
    /// The sender: `RECUR_MAIL_FROM` (`addr` or `Name <addr>`), else the vendor's e-mail
    /// under the vendor's name.
    public func sender(vendor: VendorProfile) -> MailAddress {
        if let from, !from.isEmpty {
            if let lt = from.lastIndex(of: "<"), from.hasSuffix(">") {
                let name = from[..<lt].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                let address = String(from[from.index(after: lt)..<from.index(before: from.endIndex)])
                return MailAddress(address, name: name.isEmpty ? nil : name)
            }
            return MailAddress(from, name: vendor.name)
        }
        return MailAddress(vendor.email ?? "billing@recur.example", name: vendor.name)
    }

    /// SMTP when a host is set; otherwise every message is written to ``folder`` as an .eml file.
    public func mailer(vendor: VendorProfile) -> TransportMailer {
        let from = sender(vendor: vendor)
        guard let host = smtpHost else {
            return TransportMailer(transport: MailFolderTransport(directory: URL(fileURLWithPath: folder)), from: from)
        }
        let security: SMTPConfiguration.Security = switch self.security {
        case .starttls: .startTLS
        case .tls: .tls
        case .none: .none
        }
        let helo = ProcessInfo.processInfo.hostName
        let configuration = SMTPConfiguration(host: host, port: port, security: security, username: username, password: password,
                                              heloName: helo.isEmpty ? "localhost" : helo,
                                              // Choosing `none` is choosing a trusted local relay.
                                              allowInsecureAuth: self.security == .none)
        return TransportMailer(transport: SMTPTransport(configuration: configuration), from: from)
    }
}

/// Mails what the outbox asks for, every `interval` seconds, until shutdown: queues the
/// new events' messages, then sends those due (retrying failures with backoff).
public struct MailDispatchService: Service {
    let service: RecurService
    let mailer: any Mailer
    let interval: Duration
    let logger: Logger

    public init(service: RecurService, mailer: any Mailer, interval: Duration = .seconds(2), logger: Logger) {
        self.service = service
        self.mailer = mailer
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                while try await service.queueMails().events > 0 {}
                try await service.sendMails(using: mailer)
            } catch {
                logger.warning("mail dispatch: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
