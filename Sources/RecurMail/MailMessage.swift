public import Foundation

/// An e-mail address with an optional display name (UTF-8 allowed in the name).
/// The address itself must be an ASCII addr-spec (`local@domain`, dot-atom form).
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public var email: String
    public var name: String?

    public init(_ email: String, name: String? = nil) {
        self.email = email
        self.name = name
    }

    public var description: String {
        if let name, !name.isEmpty { return "\(name) <\(email)>" }
        return email
    }

    /// Validates the addr-spec and the display name (no CR/LF or other control characters).
    public func validate() throws(MailError) {
        try MailAddress.validateAddrSpec(email)
        if let name, name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw MailError.addressInvalid(email, reason: "display name contains control characters")
        }
    }

    private static let atext: Set<UInt8> = {
        var set = Set<UInt8>()
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { set.insert(c) }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { set.insert(c) }
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { set.insert(c) }
        for c in "!#$%&'*+-/=?^_`{|}~".utf8 { set.insert(c) }
        return set
    }()

    /// Checks `local@domain`: dot-atom local part (≤ 64 octets), hostname-style domain
    /// (letters, digits, hyphens; labels ≤ 63), total ≤ 254 octets. Rejects CR/LF, spaces,
    /// quotes, angle brackets and non-ASCII.
    public static func validateAddrSpec(_ address: String) throws(MailError) {
        let bytes = Array(address.utf8)
        guard !bytes.isEmpty else { throw .addressInvalid(address, reason: "empty address") }
        guard bytes.count <= 254 else { throw .addressInvalid(address, reason: "address longer than 254 octets") }
        guard bytes.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw .addressInvalid(address, reason: "address contains spaces, control or non-ASCII characters")
        }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else {
            throw .addressInvalid(address, reason: "missing @")
        }
        let local = bytes[..<at]
        let domain = bytes[(at + 1)...]
        guard !local.isEmpty, local.count <= 64 else {
            throw .addressInvalid(address, reason: "local part must be 1–64 octets")
        }
        for atom in local.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !atom.isEmpty, atom.allSatisfy({ atext.contains($0) }) else {
                throw .addressInvalid(address, reason: "local part is not a valid dot-atom")
            }
        }
        guard !domain.isEmpty, domain.count <= 253 else {
            throw .addressInvalid(address, reason: "domain must be 1–253 octets")
        }
        for label in domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            let ok = !label.isEmpty && label.count <= 63
                && label.first != UInt8(ascii: "-") && label.last != UInt8(ascii: "-")
                && label.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 }
            guard ok else { throw .addressInvalid(address, reason: "domain is not a valid host name") }
        }
    }
}

/// A file attached to a message (e.g. the invoice PDF).
public struct MailAttachment: Sendable, Hashable {
    public var filename: String
    public var contentType: String
    public var data: Data

    public init(filename: String, contentType: String = "application/octet-stream", data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// An e-mail message, rendered with `render()` as RFC 5322 / MIME bytes (CRLF line endings).
/// Dot-stuffing is NOT applied here; the SMTP layer does it.
public struct MailMessage: Sendable, Hashable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    /// Plain-text body. A final line break is added when missing.
    public var textBody: String
    public var htmlBody: String?
    public var attachments: [MailAttachment]
    /// Message-ID without angle brackets, e.g. `6F1C…@recur.example`.
    public var messageID: String
    public var date: Date

    public init(
        from: MailAddress,
        to: [MailAddress],
        cc: [MailAddress] = [],
        replyTo: MailAddress? = nil,
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        attachments: [MailAttachment] = [],
        messageID: String? = nil,
        date: Date = Date()
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.attachments = attachments
        self.messageID = messageID ?? MailMessage.makeMessageID(domain: from.email)
        self.date = date
    }

    /// A fresh Message-ID (no brackets) using the domain part of `domain` (an address or a host).
    public static func makeMessageID(domain: String) -> String {
        var host = domain
        if let at = domain.lastIndex(of: "@") { host = String(domain[domain.index(after: at)...]) }
        if host.isEmpty || (try? MailAddress.validateAddrSpec("x@" + host)) == nil { host = "recur.invalid" }
        return "\(UUID().uuidString.lowercased())@\(host)"
    }

    /// Envelope recipients: to + cc, de-duplicated case-insensitively, in order.
    public var recipients: [MailAddress] {
        var seen = Set<String>()
        return (to + cc).filter { seen.insert($0.email.lowercased()).inserted }
    }

    /// Validates addresses, header values (no CR/LF injection), attachment names and types.
    public func validate() throws(MailError) {
        try from.validate()
        guard !to.isEmpty || !cc.isEmpty else {
            throw MailError(code: "mail.no_recipients", message: "The message has no recipients")
        }
        for address in to + cc { try address.validate() }
        try replyTo?.validate()
        if subject.contains(where: { $0.isNewline }) || subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
            throw .headerInvalid("Subject", reason: "contains CR, LF or control characters")
        }
        let idParts = messageID.split(separator: "@", omittingEmptySubsequences: false)
        guard idParts.count == 2, !idParts[0].isEmpty, !idParts[1].isEmpty,
              messageID.utf8.allSatisfy({ $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }) else {
            throw .headerInvalid("Message-ID", reason: "must be id-left@id-right without brackets, spaces or control characters")
        }
        for attachment in attachments {
            if attachment.filename.isEmpty || attachment.filename.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw .headerInvalid("Content-Disposition", reason: "attachment filename is empty or contains control characters")
            }
            guard MailMessage.isValidContentType(attachment.contentType) else {
                throw .headerInvalid("Content-Type", reason: "attachment content type '\(attachment.contentType)' is not type/subtype")
            }
        }
    }

    static func isValidContentType(_ value: String) -> Bool {
        let tokenChars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&-^_.+")
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { tokenChars.contains($0) } }
    }

    /// Renders the message as MIME bytes with CRLF line endings (validates first).
    /// The output is deterministic for equal messages.
    public func render() throws(MailError) -> Data {
        try validate()
        // Deterministic per message, so rendering twice gives identical bytes.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in messageID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let boundarySeed = String(hash, radix: 16)
        var out = MIMEWriter()
        out.header("From", MIMEEncoding.addressList([from], fieldName: "From"))
        if !to.isEmpty { out.header("To", MIMEEncoding.addressList(to, fieldName: "To")) }
        if !cc.isEmpty { out.header("Cc", MIMEEncoding.addressList(cc, fieldName: "Cc")) }
        if let replyTo { out.header("Reply-To", MIMEEncoding.addressList([replyTo], fieldName: "Reply-To")) }
        out.header("Subject", MIMEEncoding.unstructured(subject, fieldNameLength: "Subject".count))
        out.header("Date", MIMEEncoding.rfc5322Date(date))
        out.header("Message-ID", "<\(messageID)>")
        out.header("MIME-Version", "1.0")

        // "=_" can never occur in quoted-printable or base64 output, so these boundaries cannot collide.
        let mixed = "=_RecurMixed_\(boundarySeed)"
        let alternative = "=_RecurAlt_\(boundarySeed)"

        func writeBodyPart(_ w: inout MIMEWriter) {
            if let htmlBody {
                w.header("Content-Type", "multipart/alternative; boundary=\"\(alternative)\"")
                w.blankLine()
                w.line("--\(alternative)")
                w.textPart(textBody, subtype: "plain")
                w.blankLine()
                w.line("--\(alternative)")
                w.textPart(htmlBody, subtype: "html")
                w.blankLine()
                w.line("--\(alternative)--")
            } else {
                w.textPart(textBody, subtype: "plain")
            }
        }

        if attachments.isEmpty {
            writeBodyPart(&out)
        } else {
            out.header("Content-Type", "multipart/mixed; boundary=\"\(mixed)\"")
            out.blankLine()
            out.line("This is a multi-part message in MIME format.")
            out.line("--\(mixed)")
            writeBodyPart(&out)
            if htmlBody == nil { out.blankLine() }
            for attachment in attachments {
                out.line("--\(mixed)")
                let nameParam = MIMEEncoding.filenameParameter(attachment.filename)
                out.header("Content-Type", "\(attachment.contentType); \(nameParam.contentTypeName)")
                out.header("Content-Disposition", "attachment; \(nameParam.disposition)")
                out.header("Content-Transfer-Encoding", "base64")
                out.blankLine()
                out.raw(MIMEEncoding.base64Lines(attachment.data))
            }
            out.line("--\(mixed)--")
        }
        return out.data
    }
}

struct MIMEWriter {
    var data = Data()

    mutating func line(_ text: String) {
        data.append(contentsOf: Array(text.utf8))
        data.append(contentsOf: [13, 10])
    }

    mutating func header(_ name: String, _ value: String) { line("\(name): \(value)") }
    mutating func blankLine() { data.append(contentsOf: [13, 10]) }
    mutating func raw(_ bytes: [UInt8]) { data.append(contentsOf: bytes) }

    mutating func textPart(_ text: String, subtype: String) {
        header("Content-Type", "text/\(subtype); charset=utf-8")
        header("Content-Transfer-Encoding", "quoted-printable")
        blankLine()
        // Text bodies always end with a line break, so a single-part message ends with CRLF
        // and, in a multipart, the CRLF before the next delimiter belongs to the delimiter.
        var body = text
        if !(body.hasSuffix("\n") || body.hasSuffix("\r")) { body += "\n" }
        raw(MIMEEncoding.quotedPrintable(body))
    }
}

enum MIMEEncoding {
    static func isPlainASCII(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 >= 32 && $0 < 127 }
    }

    /// RFC 2047 B encoded-words (UTF-8), each ≤ 75 chars, split on character boundaries,
    /// separated by CRLF SP (folding). Pure printable ASCII short text is returned unchanged.
    static func unstructured(_ text: String, fieldNameLength: Int) -> String {
        if isPlainASCII(text) && text.utf8.count + fieldNameLength + 2 <= 78 && !text.contains("=?") {
            return text
        }
        return encodedWords(text, firstLineUsed: fieldNameLength + 2)
    }

    /// `firstLineUsed`: characters already on the line before the first word (e.g. "Subject: ").
    /// Lines stay within 76 characters (continuation lines start with one space).
    static func encodedWords(_ text: String, firstLineUsed: Int = 1) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        let firstMax = max(3, (76 - firstLineUsed - 12) / 4 * 3)
        for character in text {
            let bytes = Array(String(character).utf8)
            let maxBytes = words.isEmpty ? firstMax : 45
            if chunk.count + bytes.count > maxBytes && !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty || words.isEmpty {
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
        }
        return words.joined(separator: "\r\n ")
    }

    static func displayName(_ name: String, firstLineUsed: Int = 1) -> String {
        if isPlainASCII(name) && !name.contains("=?") {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        return encodedWords(name, firstLineUsed: firstLineUsed)
    }

    static func addressList(_ addresses: [MailAddress], fieldName: String) -> String {
        addresses.enumerated().map { index, address in
            if let name = address.name, !name.isEmpty {
                let used = index == 0 ? fieldName.count + 2 : 1
                return "\(displayName(name, firstLineUsed: used)) <\(address.email)>"
            }
            return address.email
        }.joined(separator: ",\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// `name=` for Content-Type and `filename=` for Content-Disposition; RFC 2231 for non-ASCII.
    static func filenameParameter(_ filename: String) -> (contentTypeName: String, disposition: String) {
        if isPlainASCII(filename) {
            let escaped = filename.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return ("name=\"\(escaped)\"", "filename=\"\(escaped)\"")
        }
        let unreserved = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~".utf8)
        var encoded = ""
        for byte in filename.utf8 {
            if unreserved.contains(byte) { encoded.append(Character(Unicode.Scalar(byte))) }
            else { encoded += String(format: "%%%02X", byte) }
        }
        return ("name=\"\(encodedWords(filename).replacingOccurrences(of: "\r\n ", with: " "))\"",
                "filename*=utf-8''\(encoded)")
    }

    static func base64Lines(_ data: Data) -> [UInt8] {
        let encoded = Array(data.base64EncodedString().utf8)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / 76 * 2 + 2)
        var index = 0
        while index < encoded.count {
            let end = min(index + 76, encoded.count)
            out.append(contentsOf: encoded[index..<end])
            out.append(contentsOf: [13, 10])
            index = end
        }
        return out
    }

    /// Quoted-printable (RFC 2045) of UTF-8 text; line breaks of any kind become CRLF;
    /// encoded lines are at most 76 characters (soft breaks with "=").
    static func quotedPrintable(_ text: String) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        for (lineIndex, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            var lineLength = 0
            for (i, byte) in bytes.enumerated() {
                let isLast = i == bytes.count - 1
                var token: [UInt8]
                if (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !isLast) {
                    token = [byte]
                } else {
                    token = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
                // Keep room for the soft-break "=" (max 76 incl. "="), unless this is the line's last token.
                let limit = isLast ? 76 : 75
                if lineLength + token.count > limit {
                    out.append(contentsOf: [UInt8(ascii: "="), 13, 10])
                    lineLength = 0
                }
                out.append(contentsOf: token)
                lineLength += token.count
            }
            if lineIndex < lines.count - 1 { out.append(contentsOf: [13, 10]) }
        }
        return out
    }
}
