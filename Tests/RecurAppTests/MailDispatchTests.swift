import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurApp
import RecurCore
import RecurEngine
import RecurMail
import RecurStore
import Testing

/// A mailer that keeps what it is given, and fails the calls it is told to.
final class RecordingMailer: Mailer, @unchecked Sendable {
    private let lock = NSLock()
    private var _sent: [OutgoingMail] = []
    private var failures: [MailerError] = []

    var sent: [OutgoingMail] { lock.withLock { _sent } }
    func fail(_ errors: MailerError...) { lock.withLock { failures += errors } }

    func send(_ mail: OutgoingMail) async throws -> MailSent {
        try lock.withLock {
            if !failures.isEmpty { throw failures.removeFirst() }
            _sent.append(mail)
        }
        return MailSent(transport: "test", reply: "250 2.0.0 Ok")
    }
}

/// A local aiosmtpd server that accepts everything and writes each message as NNNN.eml
/// with its envelope in NNNN.json.
final class LocalSMTPServer: @unchecked Sendable {
    static let script = #"""
import sys, os, json, socket
from aiosmtpd.controller import Controller
outdir = sys.argv[1]
class Handler:
    def __init__(self): self.n = 0
    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(outdir, '%04d' % self.n)
        with open(base + '.eml', 'wb') as f: f.write(envelope.original_content)
        with open(base + '.json', 'w') as f: json.dump({'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos}, f)
        return '250 2.0.0 Ok: queued as Q%d' % self.n
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
c = Controller(Handler(), hostname='127.0.0.1', port=port); c.start()
print('READY', port, flush=True)
sys.stdin.read()
c.stop()
"""#

    static var available: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import aiosmtpd"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    static var enabled: Bool { available || ProcessInfo.processInfo.environment["CI"] != nil }

    let process = Process()
    let input = Pipe()
    let outbox: URL
    let port: Int

    init() throws {
        let dir = scratchURL("recur-smtp-\(UUID().uuidString)")
        outbox = dir.appendingPathComponent("outbox")
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("server.py")
        try Data(Self.script.utf8).write(to: script)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, outbox.path]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var buffer = Data()
        while !buffer.contains(10) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        port = try #require(line.hasPrefix("READY ") ? Int(line.dropFirst(6)) : nil, "aiosmtpd did not start: \(line)")
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    struct Envelope: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
    }

    func received() throws -> [(envelope: Envelope, message: String)] {
        try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".json") }.sorted().map { name in
            let envelope = try JSONDecoder().decode(Envelope.self, from: Data(contentsOf: outbox.appendingPathComponent(name)))
            let eml = try Data(contentsOf: outbox.appendingPathComponent(String(name.dropLast(5)) + ".eml"))
            return (envelope, String(decoding: eml, as: UTF8.self))
        }
    }
}

/// E-mail from the outbox: what each event mails, to whom, in which language, once.
@Suite("E-mail from the outbox")
struct MailDispatchTests {
    static let addresses = ["ke.toan@donga.example", "giam.doc@donga.example"]

    /// A customer with two invoice addresses buying Workspace Standard, 3 seats, monthly:
    /// 297,000 ₫ (VND) or 16,20 € (EUR). Returns the customer and the invoice ids.
    func buy(_ client: any TestClientProtocol, locale: String = "en", currency: String = "VND", country: String = "VN") async throws -> (customer: String, invoice: String) {
        let emails = Self.addresses.map { "\"\($0)\"" }.joined(separator: ",")
        let c = try await client.call(.post, "/v1/customers",
                                      json: #"{"name":"Công ty Cổ phần Đông Á","currency":"\#(currency)","country":"\#(country)","locale":"\#(locale)","invoice_emails":[\#(emails)]}"#).json
        let cid = try #require(c["id"] as? String)
        let order = try await client.call(.post, "/v1/subscriptions",
                                          json: #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_standard","cycle_months":1,"seats":3}]}"#)
        #expect(order.status == .created, "\(order.text)")
        return (cid, try #require(dig(try order.json, "invoice", "id") as? String))
    }

    func isPDF(_ data: Data?) -> Bool { data.map { $0.prefix(5) == Data("%PDF-".utf8) } ?? false }

    @Test("a checkout invoice is mailed to every invoice address, its PDF attached, 297,000 ₫ due", arguments: TestDatabase.all)
    func invoiceMailed(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (cid, invoice) = try await buy(client)
            let report = try await service.queueMails()
            #expect(report.queued == 2)
            let mailer = RecordingMailer()
            #expect(try await service.sendMails(using: mailer) == 2)
            let mails = mailer.sent
            #expect(mails.map(\.to).sorted() == Self.addresses.sorted())
            for mail in mails {
                #expect(mail.kind == "invoice")
                #expect(mail.language == "en")
                #expect(mail.subject == "Invoice INV-2026-000001 from Recur Demo Software JSC")
                #expect(mail.text.contains("Amount due: 297,000 ₫, payable by 01/03/2026."), "\(mail.text)")
                #expect(mail.text.hasPrefix("Dear Công ty Cổ phần Đông Á,"))
                #expect(mail.html?.contains("<p>Amount due: 297,000 ₫, payable by 01/03/2026.</p>") == true)
                #expect(mail.attachments.count == 1)
                #expect(mail.attachments.first?.filename == "INV-2026-000001.pdf")
                #expect(mail.attachments.first?.contentType == "application/pdf")
                #expect(isPDF(mail.attachments.first?.data))
            }
            let log = try await service.listMailDeliveries(customer: cid, status: "sent", limit: 10, startingAfter: nil)
            #expect(log.items.count == 2)
            #expect(log.items.allSatisfy { $0.attempts == 1 && $0.reply == "250 2.0.0 Ok" && $0.attachment?.id == invoice })
            // The back office's view of it.
            let listed = try await client.call(.get, "/v1/mail-deliveries?customer=\(cid)&status=sent").json
            let data = try #require(listed["data"] as? [[String: Any]])
            #expect(data.count == 2)
            #expect(data.first?["subject"] as? String == "Invoice INV-2026-000001 from Recur Demo Software JSC")
            #expect(data.first?["attachment"] as? String == "INV-2026-000001.pdf")
            #expect(try await client.call(.get, "/v1/mail-deliveries?status=lost").status == .badRequest)
        }
    }

    @Test("a payment sends its receipt once (payment.received and invoice.paid), 297,000 ₫, PDF attached", arguments: TestDatabase.all)
    func receiptMailed(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (cid, invoice) = try await buy(client)
            try await service.queueMails()
            let mailer = RecordingMailer()
            try await service.sendMails(using: mailer)
            let paid = try await client.call(.post, "/v1/invoices/\(invoice)/payments", json: #"{"method":"cash","reference":"PT-0001"}"#)
            #expect(paid.status == .created, "\(paid.text)")
            #expect(try await service.queueMails().queued == 2)
            try await service.sendMails(using: mailer)
            let receipts = mailer.sent.filter { $0.kind == "receipt" }
            #expect(receipts.map(\.to).sorted() == Self.addresses.sorted())
            for r in receipts {
                #expect(r.subject == "Receipt RCP-2026-000001: payment of 297,000 ₫ received")
                #expect(r.text.contains("We received your payment of 297,000 ₫ on 01/03/2026 for invoice INV-2026-000001."))
                #expect(r.attachments.first?.filename == "RCP-2026-000001.pdf")
                #expect(isPDF(r.attachments.first?.data))
            }
            let all = try await service.listMailDeliveries(customer: cid, status: nil, limit: 100, startingAfter: nil).items
            #expect(all.count == 4)
        }
    }

    @Test("each customer is written to in its language: vi 297.000 ₫, fr 16,20 €, ms RM 58.32, ja 297,000 ₫", arguments: TestDatabase.all)
    func language(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            _ = try await buy(client, locale: "vi")
            try await service.queueMails()
            let mailer = RecordingMailer()
            try await service.sendMails(using: mailer)
            let vi = try #require(mailer.sent.first)
            #expect(vi.language == "vi")
            #expect(vi.subject == "Hóa đơn INV-2026-000001 từ Recur Demo Software JSC")
            #expect(vi.text.hasPrefix("Kính gửi Công ty Cổ phần Đông Á,"))
            #expect(vi.text.contains("Số tiền cần thanh toán: 297.000 ₫, hạn thanh toán ngày 01/03/2026."), "\(vi.text)")
            #expect(vi.text.contains("tổng giá trị 297.000 ₫"))

            _ = try await buy(client, locale: "fr", currency: "EUR", country: "FR")
            try await service.queueMails()
            let french = RecordingMailer()
            try await service.sendMails(using: french)
            let fr = try #require(french.sent.first)
            #expect(fr.subject == "Facture INV-2026-000002 de Recur Demo Software JSC")
            #expect(fr.text.contains("Montant à régler : 16,20 €, au plus tard le 01/03/2026."), "\(fr.text)")

            _ = try await buy(client, locale: "ms", currency: "MYR", country: "MY")
            try await service.queueMails()
            let malay = RecordingMailer()
            try await service.sendMails(using: malay)
            let ms = try #require(malay.sent.first)
            #expect(ms.subject == "Invois INV-2026-000003 daripada Recur Demo Software JSC")
            #expect(ms.text.contains("Jumlah perlu dibayar: RM 58.32, sebelum atau pada 01/03/2026."), "\(ms.text)")

            _ = try await buy(client, locale: "ja")
            try await service.queueMails()
            let japanese = RecordingMailer()
            try await service.sendMails(using: japanese)
            let ja = try #require(japanese.sent.first)
            #expect(ja.subject == "【Recur Demo Software JSC】請求書 INV-2026-000004 のご案内")
            #expect(ja.text.hasPrefix("Công ty Cổ phần Đông Á 御中"))
            #expect(ja.text.contains("お支払い金額：297,000 ₫\nお支払い期限：2026/03/01"), "\(ja.text)")
        }
    }

    @Test("an event is mailed once: the dispatcher run twice, concurrently, and by a second process on the same database", arguments: TestDatabase.all)
    func exactlyOnce(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            _ = try await buy(client)
            async let a = service.queueMails(batch: 3)
            async let b = service.queueMails(batch: 3)
            _ = try await (a, b)
            while try await service.queueMails(batch: 3).events > 0 {}
            // Another process (a second RecurService on the same database) finds nothing left to queue.
            let other = RecurService(store: service.store, clock: service.clock, logger: TestDatabase.logger)
            #expect(try await other.queueMails().queued == 0)
            let mailer = RecordingMailer()
            async let s1 = service.sendMails(using: mailer)
            async let s2 = other.sendMails(using: mailer)
            let sent = try await s1 + s2
            #expect(sent == 2)
            #expect(try await service.sendMails(using: mailer) == 0)
            #expect(mailer.sent.map(\.to).sorted() == Self.addresses.sorted())
            let all = try await service.listMailDeliveries(customer: nil, status: nil, limit: 100, startingAfter: nil).items
            #expect(all.count == 2)
            #expect(Set(all.map(\.dedupeKey)).count == 2)
        }
    }

    @Test("an unreachable SMTP server is recorded with its error and retried 60 s later; a 550 refusal fails for good", arguments: TestDatabase.all)
    func failuresRetried(db: TestDatabase) async throws {
        let clock = ManualClock(testNow)
        try await withApp(db, clock: clock) { client, service in
            let (cid, _) = try await buy(client)
            try await service.queueMails()
            // Nothing listens on port 1: the real SMTP client's error is what is recorded.
            let down = TransportMailer(transport: SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: 1, security: .none,
                                                                                                connectTimeout: .seconds(5))),
                                       from: MailAddress("billing@recur.example", name: "Recur"))
            #expect(try await service.sendMails(using: down) == 0)
            let queued = try await service.listMailDeliveries(customer: cid, status: "queued", limit: 10, startingAfter: nil).items
            #expect(queued.count == 2)
            for d in queued {
                #expect(d.attempts == 1)
                #expect(d.error?.hasPrefix("smtp.unreachable") == true, "\(d.error ?? "nil")")
                #expect(d.nextAttempt == testNow.addingTimeInterval(60))
            }
            let mailer = RecordingMailer()
            #expect(try await service.sendMails(using: mailer) == 0, "not due before 60 s")
            clock.advance(by: 60)
            mailer.fail(MailerError(code: "smtp.rejected", message: "ke.toan@donga.example: 550 5.1.1 No such user here", permanent: true))
            #expect(try await service.sendMails(using: mailer) == 1)
            let failed = try await service.listMailDeliveries(customer: cid, status: "failed", limit: 10, startingAfter: nil).items
            #expect(failed.count == 1)
            #expect(failed.first?.attempts == 2)
            #expect(failed.first?.error == "smtp.rejected: ke.toan@donga.example: 550 5.1.1 No such user here")
            #expect(failed.first?.nextAttempt == nil)
            let sent = try await service.listMailDeliveries(customer: cid, status: "sent", limit: 10, startingAfter: nil).items
            #expect(sent.count == 1)
            #expect(sent.first?.attempts == 2)
            #expect(sent.first?.error == nil)
            clock.advance(by: 86_400)
            #expect(try await service.sendMails(using: mailer) == 0, "a failed delivery is not tried again")
        }
    }

    @Test("end to end through aiosmtpd: one message per address, from the vendor, the PDF attached",
          .enabled(if: LocalSMTPServer.enabled), arguments: TestDatabase.all)
    func throughSMTP(db: TestDatabase) async throws {
        let server = try LocalSMTPServer()
        defer { server.stop() }
        try await withApp(db) { client, service in
            let (cid, _) = try await buy(client, locale: "vi")
            try await service.queueMails()
            var settings = RecurConfiguration.MailSettings()
            settings.smtpHost = "127.0.0.1"
            settings.smtpPort = server.port
            settings.security = .none
            settings.from = "Recur Billing <billing@recur.example>"
            #expect(try await service.sendMails(using: settings.mailer(vendor: service.vendor)) == 2)
            let received = try server.received()
            #expect(received.count == 2)
            #expect(received.map(\.envelope.rcpt_tos).sorted { $0[0] < $1[0] } == Self.addresses.sorted().map { [$0] })
            for (envelope, message) in received {
                #expect(envelope.mail_from == "billing@recur.example")
                #expect(message.contains(#"From: "Recur Billing" <billing@recur.example>"#))
                #expect(message.contains("Content-Type: application/pdf"))
                #expect(message.contains("JVBERi0"), "the attachment is a PDF (base64 of %PDF-)")
                #expect(message.contains("text/html"))
            }
            let log = try await service.listMailDeliveries(customer: cid, status: "sent", limit: 10, startingAfter: nil).items
            #expect(log.count == 2)
            #expect(log.allSatisfy { $0.transport == "smtp" && $0.reply?.hasPrefix("250 2.0.0 Ok: queued as Q") == true })
        }
    }

    @Test("with no SMTP host, e-mail is written to the mail folder as .eml files", arguments: TestDatabase.all)
    func folder(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            _ = try await buy(client)
            try await service.queueMails()
            var settings = RecurConfiguration.MailSettings()
            settings.folder = scratchURL("recur-mail-\(UUID().uuidString)").path
            #expect(try await service.sendMails(using: settings.mailer(vendor: service.vendor)) == 2)
            let files = try FileManager.default.contentsOfDirectory(atPath: settings.folder).filter { $0.hasSuffix(".eml") }
            #expect(files.count == 2)
            let eml = try String(contentsOfFile: settings.folder + "/" + files[0], encoding: .utf8)
            #expect(eml.contains(#"From: "Recur Demo Software JSC" <billing@recur.example>"#))
        }
    }

    @Test("the billing run's dunning is mailed: a declined renewal of 297,000 ₫ retried 5 times, then the expiry", arguments: TestDatabase.all)
    func dunningMailed(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let start = Date(timeIntervalSince1970: 1_768_435_200) // 2026-01-15
        let service = RecurService(store: store, clock: ManualClock(start), testMode: true, logger: TestDatabase.logger)
        try await service.seedCatalog(DemoCatalog.make())
        let clock = try await service.createTestClock(name: "sim", at: start, actor: .system)
        let c = try await service.createCustomer(CustomerChanges(name: "Sim Co", country: "VN", currency: "VND", timeZone: "UTC",
                                                                invoiceEmails: ["billing@sim.example"], testClock: clock.id), actor: .system)
        _ = try await service.setPaymentMethod(customer: c.id, cardNumber: "4000000000000341", actor: .system)
        let bought = try await service.checkout(customer: c.id, order: Order(items: [.init(product: DemoCatalog.workspace, plan: "ws_standard", cycle: .monthly, seats: 3)],
                                                                             renewalMode: .automatic), date: nil, actor: .system)
        // The first month is paid at once (a bank transfer); the declined card meets the renewal.
        _ = try await service.payInvoiceOutOfBand(try #require(bought.invoice?.id), reference: "VCB 1", actor: .system)
        _ = try await service.advanceTestClock(clock.id, to: try CivilDate(2026, 2, 22).startInstant(in: .gmt), actor: .system)
        while try await service.queueMails().events > 0 {}
        let mailer = RecordingMailer()
        while try await service.sendMails(using: mailer) > 0 {}
        let byKind = Dictionary(grouping: mailer.sent, by: \.kind)
        #expect(byKind["payment_failed"]?.count == 5, "\(byKind.mapValues(\.count))")
        #expect(byKind["expired"]?.count == 1)
        #expect(byKind["invoice"]?.count == 2)
        #expect(mailer.sent.allSatisfy { $0.to == "billing@sim.example" })
        let failed = try #require(byKind["payment_failed"]?.first)
        #expect(failed.subject == "Payment failed for invoice INV-2026-000002")
        #expect(failed.text.contains("We could not collect 297,000 ₫ for invoice INV-2026-000002 ("), "\(failed.text)")
        #expect(failed.attachments.first?.filename == "INV-2026-000002.pdf")
        #expect(isPDF(failed.attachments.first?.data))
        let expired = try #require(byKind["expired"]?.first)
        #expect(expired.subject == "Your Digital Workspace Standard subscription has expired")
        #expect(expired.text.contains("Your Digital Workspace Standard subscription expired on 22/02/2026."))
        try await store.close()
    }

    @Test("configuration: RECUR_SMTP_* and RECUR_MAIL_* from the environment; the folder by default")
    func configuration() {
        let none = RecurConfiguration.fromEnvironment([:])
        #expect(none.mail.smtpHost == nil)
        #expect(none.mail.folder == "./mail")
        let c = RecurConfiguration.fromEnvironment(["RECUR_SMTP_HOST": "smtp.example.com", "RECUR_SMTP_SECURITY": "tls",
                                                    "RECUR_SMTP_USERNAME": "u", "RECUR_SMTP_PASSWORD": "p",
                                                    "RECUR_MAIL_FROM": "Billing <billing@vendor.example>", "RECUR_MAIL_FOLDER": "/var/mail/recur"])
        #expect(c.mail.smtpHost == "smtp.example.com")
        #expect(c.mail.port == 465)
        #expect(c.mail.security == .tls)
        #expect(c.mail.username == "u" && c.mail.password == "p")
        #expect(c.mail.folder == "/var/mail/recur")
        #expect(c.mail.sender(vendor: .demo) == MailAddress("billing@vendor.example", name: "Billing"))
        #expect(RecurConfiguration.fromEnvironment(["RECUR_SMTP_HOST": "h", "RECUR_SMTP_PORT": "2525"]).mail.port == 2525)
        #expect(RecurConfiguration.fromEnvironment(["RECUR_SMTP_HOST": "h"]).mail.port == 587)
    }
}
