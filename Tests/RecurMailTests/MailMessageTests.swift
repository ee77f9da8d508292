import Foundation
import Testing
@testable import RecurMail

private let parserScript = #"""
import sys, json, base64, email
from email import policy
data = open(sys.argv[1], 'rb').read()
msg = email.message_from_bytes(data, policy=policy.default)
def addrs(name):
    h = msg[name]
    if h is None:
        return []
    return [[a.display_name, a.addr_spec] for a in h.addresses]
plain = msg.get_body(preferencelist=('plain',))
html = msg.get_body(preferencelist=('html',))
atts = []
for part in msg.iter_attachments():
    atts.append({"filename": part.get_filename(), "content_type": part.get_content_type(),
                 "data": base64.b64encode(part.get_payload(decode=True)).decode()})
defects = [type(d).__name__ for d in msg.defects]
for part in msg.walk():
    defects += [type(d).__name__ for d in part.defects]
print(json.dumps({
  "subject": str(msg["subject"]), "from": addrs("from"), "to": addrs("to"), "cc": addrs("cc"),
  "reply_to": addrs("reply-to"), "message_id": str(msg["message-id"]), "date": str(msg["date"]),
  "content_type": msg.get_content_type(),
  "structure": [p.get_content_type() for p in msg.walk()],
  "text": plain.get_content().replace('\r\n', '\n') if plain is not None else None,
  "html": html.get_content().replace('\r\n', '\n') if html is not None else None,
  "attachments": atts, "defects": defects}))
"""#

struct ParsedMail: Decodable {
    var subject: String
    var from: [[String]]
    var to: [[String]]
    var cc: [[String]]
    var reply_to: [[String]]
    var message_id: String
    var date: String
    var content_type: String
    var structure: [String]
    var text: String?
    var html: String?
    var attachments: [ParsedAttachment]
    var defects: [String]
}

struct ParsedAttachment: Decodable {
    var filename: String
    var content_type: String
    var data: String
}

/// Parses MIME bytes with python3's stdlib `email` package.
func parseWithPython(_ bytes: Data) throws -> ParsedMail {
    guard let python3 = TestTools.python3 else {
        throw MailError(code: "test.python_missing", message: "python3 is required (CI set)")
    }
    let dir = try TestTools.makeTempDir("recurmail-parse")
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("parse.py")
    let eml = dir.appendingPathComponent("m.eml")
    try Data(parserScript.utf8).write(to: script)
    try bytes.write(to: eml)
    let result = try TestTools.run(python3, [script.path, eml.path])
    guard result.status == 0 else {
        throw MailError(code: "test.python_failed", message: result.stderr)
    }
    return try JSONDecoder().decode(ParsedMail.self, from: result.stdout)
}

/// Structural checks any rendered message must pass.
func checkWireFormat(_ data: Data) {
    let bytes = [UInt8](data)
    var lineLength = 0
    for (i, b) in bytes.enumerated() {
        if b == 10 {
            #expect(i > 0 && bytes[i - 1] == 13, "bare LF at offset \(i)")
            lineLength = 0
        } else if b == 13 {
            #expect(i + 1 < bytes.count && bytes[i + 1] == 10, "bare CR at offset \(i)")
        } else {
            #expect(b < 128, "non-ASCII byte at offset \(i)")
            lineLength += 1
            #expect(lineLength <= 78, "line longer than 78 at offset \(i): \(String(decoding: bytes[max(0, i - 80)...i], as: UTF8.self))")
        }
    }
    #expect(bytes.suffix(2) == [13, 10], "message must end with CRLF")
}

@Suite struct MailMessageTests {
    static let pdf: Data = {
        var bytes = Array("%PDF-1.7\n".utf8)
        for i in 0..<5000 { bytes.append(UInt8((i * 7919 + 13) % 256)) }
        return Data(bytes)
    }()

    static func invoiceMessage(html: Bool = true) -> MailMessage {
        MailMessage(
            from: MailAddress("billing@recur.example", name: "Công ty Recur"),
            to: [MailAddress("khach@example.vn", name: "Nguyễn Văn A"), MailAddress("ketoan@example.vn"),
                 MailAddress("cfo@example.com", name: "Smith, \"CFO\"")],
            cc: [MailAddress("archive@recur.example")],
            replyTo: MailAddress("support@recur.example", name: "Hỗ trợ"),
            subject: "Hóa đơn INV-2026-000001 — tổng cộng 1.250.000 ₫ cho kỳ thanh toán tháng 11/2026 (đã bao gồm VAT)",
            textBody: "Kính gửi Quý khách,\n\nĐính kèm là hóa đơn INV-2026-000001.\n.a line starting with a dot\nFrom here = equals, trailing space \nA very long line " + String(repeating: "xyzé ", count: 40) + "\r\nend",
            htmlBody: html ? "<p>Kính gửi Quý khách,</p><p>Hóa đơn <b>INV-2026-000001</b></p>" : nil,
            attachments: [
                MailAttachment(filename: "INV-2026-000001.pdf", contentType: "application/pdf", data: pdf),
                MailAttachment(filename: "Hóa đơn.txt", contentType: "text/plain", data: Data("a\nb\r\n\u{0}".utf8)),
            ],
            messageID: "inv-2026-000001.abc@recur.example",
            date: Date(timeIntervalSince1970: 1_790_000_000))
    }

    @Test(.enabled(if: TestTools.pythonEnabled))
    func invoiceRoundTripsThroughPythonEmail() throws {
        let message = Self.invoiceMessage()
        let data = try message.render()
        checkWireFormat(data)
        let parsed = try parseWithPython(data)
        #expect(parsed.defects.isEmpty, "defects: \(parsed.defects)")
        #expect(parsed.subject == message.subject)
        #expect(parsed.from == [["Công ty Recur", "billing@recur.example"]])
        #expect(parsed.to == [["Nguyễn Văn A", "khach@example.vn"], ["", "ketoan@example.vn"], ["Smith, \"CFO\"", "cfo@example.com"]])
        #expect(parsed.cc == [["", "archive@recur.example"]])
        #expect(parsed.reply_to == [["Hỗ trợ", "support@recur.example"]])
        #expect(parsed.message_id == "<inv-2026-000001.abc@recur.example>")
        #expect(parsed.date == "Mon, 21 Sep 2026 14:13:20 +0000")
        #expect(parsed.structure == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf", "text/plain"])
        let expectedText = message.textBody.replacingOccurrences(of: "\r\n", with: "\n") + "\n"
        #expect(parsed.text == expectedText)
        #expect(parsed.html == message.htmlBody.map { $0 + "\n" })
        #expect(parsed.attachments.count == 2)
        #expect(parsed.attachments.first?.filename == "INV-2026-000001.pdf")
        #expect(parsed.attachments.first?.content_type == "application/pdf")
        #expect(Data(base64Encoded: parsed.attachments.first?.data ?? "") == Self.pdf)
        #expect(parsed.attachments.last?.filename == "Hóa đơn.txt")
        #expect(Data(base64Encoded: parsed.attachments.last?.data ?? "") == Data("a\nb\r\n\u{0}".utf8))
    }

    @Test(.enabled(if: TestTools.pythonEnabled))
    func plainTextOnlyMessage() throws {
        let message = MailMessage(
            from: MailAddress("billing@recur.example"), to: [MailAddress("a@example.com")],
            subject: "Payment receipt", textBody: "Thanks.\nAmount: 10 EUR\n")
        let data = try message.render()
        checkWireFormat(data)
        let parsed = try parseWithPython(data)
        #expect(parsed.defects.isEmpty)
        #expect(parsed.structure == ["text/plain"])
        #expect(parsed.subject == "Payment receipt")
        #expect(parsed.text == "Thanks.\nAmount: 10 EUR\n")
        #expect(String(decoding: data, as: UTF8.self).contains("\r\nSubject: Payment receipt\r\n"))
    }

    @Test(.enabled(if: TestTools.pythonEnabled))
    func htmlWithoutAttachmentsIsAlternative() throws {
        var message = Self.invoiceMessage()
        message.attachments = []
        let parsed = try parseWithPython(try message.render())
        #expect(parsed.structure == ["multipart/alternative", "text/plain", "text/html"])
        #expect(parsed.html == message.htmlBody.map { $0 + "\n" })
    }

    @Test func vietnameseSubjectIsEncodedWord() throws {
        let message = MailMessage(from: MailAddress("a@b.example"), to: [MailAddress("c@d.example")],
                                  subject: "Hóa đơn INV-2026-000001", textBody: "x", messageID: "1@b.example")
        let text = String(decoding: try message.render(), as: UTF8.self)
        let expected = "=?UTF-8?B?" + Data("Hóa đơn INV-2026-000001".utf8).base64EncodedString() + "?="
        #expect(text.contains("Subject: \(expected)\r\n"))
    }

    @Test func encodedWordsNeverSplitCharactersAndStayShort() {
        let subject = String(repeating: "đơn ₫ 😀 ", count: 30)
        let encoded = MIMEEncoding.encodedWords(subject)
        var decoded = ""
        for word in encoded.components(separatedBy: "\r\n ") {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let b64 = String(word.dropFirst(10).dropLast(2))
            let chunk = Data(base64Encoded: b64)
            #expect(chunk.flatMap { String(data: $0, encoding: .utf8) } != nil, "chunk is not valid UTF-8 on its own")
            decoded += chunk.flatMap { String(data: $0, encoding: .utf8) } ?? ""
        }
        #expect(decoded == subject)
    }

    @Test func quotedPrintableRules() {
        let qp = String(decoding: MIMEEncoding.quotedPrintable("a=b \ntab\t\n" + String(repeating: "é", count: 60)), as: UTF8.self)
        let lines = qp.components(separatedBy: "\r\n")
        #expect(lines[0] == "a=3Db=20")
        #expect(lines[1] == "tab=09")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropLast().dropFirst(2).allSatisfy { $0.hasSuffix("=") })
    }

    @Test func base64IsWrappedAt76() {
        let lines = MIMEEncoding.base64Lines(Self.pdf)
        let text = String(decoding: lines, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n").dropLast()
        #expect(parts.dropLast().allSatisfy { $0.count == 76 })
        #expect(Data(base64Encoded: parts.joined()) == Self.pdf)
    }

    @Test func boundariesDoNotAppearInContent() throws {
        let data = String(decoding: try Self.invoiceMessage().render(), as: UTF8.self)
        guard let range = data.range(of: "boundary=\"") else { Issue.record("no boundary"); return }
        let boundary = String(data[range.upperBound...].prefix { $0 != "\"" })
        #expect(boundary.hasPrefix("=_"))
        // Every occurrence is a delimiter line: boundary header, "--b" lines, or "--b--".
        let occurrences = data.components(separatedBy: boundary).count - 1
        let delimiterLines = data.components(separatedBy: "\r\n").filter { $0 == "--\(boundary)" || $0 == "--\(boundary)--" }.count
        #expect(occurrences == delimiterLines + 1)
    }

    @Test func headerInjectionIsRejected() {
        var message = Self.invoiceMessage()
        message.subject = "Hello\r\nBcc: victim@example.com"
        #expect(throws: MailError.self) { try message.render() }
        do { try message.validate() } catch { #expect(error.code == "mail.header_invalid") }

        var message2 = Self.invoiceMessage()
        message2.to.append(MailAddress("x@example.com\r\nBcc: y@example.com"))
        do { try message2.validate(); Issue.record("expected error") } catch { #expect(error.code == "mail.address_invalid") }

        var message3 = Self.invoiceMessage()
        message3.to = [MailAddress("x@example.com", name: "Evil\nBcc: y@example.com")]
        do { try message3.validate(); Issue.record("expected error") } catch { #expect(error.code == "mail.address_invalid") }

        var message4 = Self.invoiceMessage()
        message4.attachments[0].contentType = "application/pdf\r\nX: y"
        do { try message4.validate(); Issue.record("expected error") } catch { #expect(error.code == "mail.header_invalid") }
    }

    @Test(arguments: ["a@b.example", "first.last+tag@sub.example.com", "x@localhost", "o'neil@example.ie"])
    func validAddresses(_ address: String) throws {
        try MailAddress.validateAddrSpec(address)
    }

    @Test(arguments: ["", "plain", "a@", "@b.com", "a..b@c.com", ".a@c.com", "a.@c.com", "a b@c.com",
                      "a@b..com", "a@-b.com", "a@b-.com", "<a@b.com>", "a@b.com>", "\"q\"@b.com", "ä@b.com",
                      "a@b.com\r\n", String(repeating: "a", count: 65) + "@b.com"])
    func invalidAddresses(_ address: String) {
        do { try MailAddress.validateAddrSpec(address); Issue.record("accepted \(address)") }
        catch { #expect(error.code == "mail.address_invalid") }
    }

    @Test func noRecipientsIsAnError() {
        let message = MailMessage(from: MailAddress("a@b.example"), to: [], subject: "s", textBody: "t")
        do { try message.validate(); Issue.record("expected error") } catch { #expect(error.code == "mail.no_recipients") }
    }

    @Test func recipientsAreDeduplicated() {
        let message = MailMessage(from: MailAddress("a@b.example"),
                                  to: [MailAddress("x@example.com"), MailAddress("X@Example.com")],
                                  cc: [MailAddress("y@example.com"), MailAddress("x@example.com")],
                                  subject: "s", textBody: "t")
        #expect(message.recipients.map(\.email) == ["x@example.com", "y@example.com"])
    }
}
