import Foundation
import Testing
@testable import RecurMail

@Suite struct MailFolderTransportTests {
    @Test func writesEmlFileIntoNewFolder() async throws {
        let base = try TestTools.makeTempDir("recurmail-folder")
        defer { try? FileManager.default.removeItem(at: base) }
        let folder = base.appendingPathComponent("outbox/nested")
        let transport: any MailTransport = MailFolderTransport(directory: folder)
        let message = MailMessageTests.invoiceMessage()
        let receipt = try await transport.send(message)
        #expect(receipt.transport == "folder")
        #expect(receipt.messageID == message.messageID)
        #expect(receipt.acceptedRecipients == ["khach@example.vn", "ketoan@example.vn", "cfo@example.com", "archive@recur.example"])
        let path = try #require(receipt.path)
        let name = URL(fileURLWithPath: path).lastPathComponent
        #expect(name.hasSuffix("-inv-2026-000001.abc@recur.example.eml"))
        #expect(name.range(of: #"^\d{8}T\d{6}\.\d{3}Z-"#, options: .regularExpression) != nil)
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(String(decoding: written, as: UTF8.self).contains("Message-ID: <inv-2026-000001.abc@recur.example>\r\n"))
        checkWireFormat(written)
    }

    @Test func messageIDIsSanitizedInFileName() {
        var message = MailMessageTests.invoiceMessage()
        message.messageID = "a/../b$c@x.example"
        let name = MailFolderTransport.fileName(for: message, at: Date(timeIntervalSince1970: 0))
        #expect(name == "19700101T000000.000Z-a_.._b_c@x.example.eml")
    }

    @Test func invalidMessageIsNotWritten() async throws {
        let base = try TestTools.makeTempDir("recurmail-folder")
        defer { try? FileManager.default.removeItem(at: base) }
        var message = MailMessageTests.invoiceMessage()
        message.to = [MailAddress("bad address@example.com")]
        do {
            _ = try await MailFolderTransport(directory: base).send(message)
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "mail.address_invalid")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: base.path).isEmpty)
    }

    @Test func unwritableFolderIsTypedError() async throws {
        let base = try TestTools.makeTempDir("recurmail-folder")
        defer { try? FileManager.default.removeItem(at: base) }
        let file = base.appendingPathComponent("not-a-dir")
        try Data("x".utf8).write(to: file)
        do {
            _ = try await MailFolderTransport(directory: file.appendingPathComponent("sub")).send(MailMessageTests.invoiceMessage())
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "mail.folder_write_failed")
        }
    }
}
