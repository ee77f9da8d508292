import Foundation
import Testing
@testable import RecurMail

private struct FailingTransport: MailTransport {
    func send(_ message: MailMessage) async throws -> MailReceipt {
        throw MailError(code: "smtp.rejected", message: "nope", values: ["reply_code": "451"])
    }
}

private struct PartialTransport: MailTransport {
    func send(_ message: MailMessage) async throws -> MailReceipt {
        MailReceipt(messageID: message.messageID, transport: "smtp", sentAt: Date(timeIntervalSince1970: 1_800_000_000),
                    acceptedRecipients: ["a@example.com"],
                    rejectedRecipients: [.init(address: "b@example.com", replyCode: 550, replyText: "no such user")],
                    serverReply: "250 ok")
    }
}

@Suite struct MailDeliveryLogTests {
    @Test func logsSentPartialAndFailed() async throws {
        let dir = try TestTools.makeTempDir("recurmail-log")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = MailJSONLinesDeliveryLog(fileURL: dir.appendingPathComponent("logs/mail.jsonl"))
        let message = MailMessageTests.invoiceMessage()

        let folder = MailLoggingTransport(base: MailFolderTransport(directory: dir.appendingPathComponent("out")),
                                          log: log, category: "invoice")
        let receipt = try await folder.send(message)

        _ = try await MailLoggingTransport(base: PartialTransport(), log: log).send(message)

        do {
            _ = try await MailLoggingTransport(base: FailingTransport(), log: log, category: "dunning").send(message)
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.rejected")
            #expect(error.isTransient)
        }

        let entries = try await log.entries()
        try #require(entries.count == 3)
        #expect(entries[0].status == .sent)
        #expect(entries[0].category == "invoice")
        #expect(entries[0].transport == "folder")
        #expect(entries[0].path == receipt.path)
        #expect(entries[0].subject == message.subject)
        #expect(entries[0].recipients == message.recipients.map(\.email))
        #expect(entries[1].status == .partial)
        #expect(entries[1].rejected == ["b@example.com: 550 no such user"])
        #expect(entries[1].timestamp == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(entries[2].status == .failed)
        #expect(entries[2].errorCode == "smtp.rejected")
        #expect(entries[2].category == "dunning")
    }

    @Test func transientClassification() {
        #expect(MailError(code: "smtp.timeout", message: "").isTransient)
        #expect(MailError(code: "smtp.rejected", message: "", values: ["reply_code": "450"]).isTransient)
        #expect(!MailError(code: "smtp.rejected", message: "", values: ["reply_code": "550"]).isTransient)
        #expect(!MailError(code: "smtp.auth_failed", message: "", values: ["reply_code": "535"]).isTransient)
        #expect(!MailError(code: "mail.address_invalid", message: "").isTransient)
    }
}
