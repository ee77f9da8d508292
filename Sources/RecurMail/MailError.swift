/// Typed error for everything in RecurMail. `code` is stable and meant for logs,
/// API responses and tests; `message` is a human-readable English sentence;
/// `values` carries the details (address, SMTP reply code, server text, …).
///
/// Codes: mail.address_invalid, mail.header_invalid, mail.no_recipients,
/// mail.folder_write_failed, smtp.unreachable, smtp.timeout, smtp.tls_failed,
/// smtp.tls_unavailable, smtp.auth_failed, smtp.auth_unavailable, smtp.insecure_auth,
/// smtp.rejected, smtp.protocol, smtp.connection_closed.
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var values: [String: String]

    public init(code: String, message: String, values: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.values = values
    }

    public var description: String {
        if values.isEmpty { return "\(code): \(message)" }
        let details = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(code): \(message) [\(details)]"
    }

    /// The SMTP reply code, when the error came from a server reply.
    public var replyCode: Int? { values["reply_code"].flatMap { Int($0) } }

    static func addressInvalid(_ address: String, reason: String) -> MailError {
        MailError(code: "mail.address_invalid", message: "Invalid e-mail address: \(reason)",
                  values: ["address": address, "reason": reason])
    }

    static func headerInvalid(_ field: String, reason: String) -> MailError {
        MailError(code: "mail.header_invalid", message: "Invalid header \(field): \(reason)",
                  values: ["field": field, "reason": reason])
    }
}
