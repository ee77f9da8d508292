import Foundation
import Testing
@testable import RecurMail

@Suite struct SMTPClientUnitTests {
    @Test func dotStuffing() {
        let input = Data(".start\r\nmiddle\r\n.\r\n..two\r\nno.dot\r\n".utf8)
        let stuffed = String(decoding: SMTPClient.dotStuffed(input), as: UTF8.self)
        #expect(stuffed == "..start\r\nmiddle\r\n..\r\n...two\r\nno.dot\r\n.\r\n")
    }

    @Test func dotStuffingAddsMissingFinalCRLF() {
        #expect(String(decoding: SMTPClient.dotStuffed(Data("abc".utf8)), as: UTF8.self) == "abc\r\n.\r\n")
    }

    @Test func multiLineRepliesAreJoined() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.feed("250-mail.example Hello") == nil)
        #expect(try parser.feed("250-AUTH PLAIN LOGIN") == nil)
        #expect(try parser.feed("250 STARTTLS") == SMTPReply(code: 250, lines: ["mail.example Hello", "AUTH PLAIN LOGIN", "STARTTLS"]))
        #expect(try parser.feed("354") == SMTPReply(code: 354, lines: [""]))
        #expect(try parser.feed("535 5.7.8 Authentication credentials invalid")?.text == "5.7.8 Authentication credentials invalid")
    }

    @Test func malformedRepliesThrow() {
        var parser = SMTPReplyParser()
        #expect(throws: SMTPReplyParser.MalformedReply.self) { try parser.feed("hello") }
        #expect(throws: SMTPReplyParser.MalformedReply.self) { try parser.feed("25") }
        #expect(throws: SMTPReplyParser.MalformedReply.self) { try parser.feed("250x") }
        var parser2 = SMTPReplyParser()
        _ = try? parser2.feed("250-first")
        #expect(throws: SMTPReplyParser.MalformedReply.self) { try parser2.feed("251 other code") }
    }

    @Test func closedPortIsUnreachable() async throws {
        // Port 1 on loopback: nothing listens there.
        let transport = SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: 1, security: .none,
                                                                      connectTimeout: .seconds(5)))
        do {
            _ = try await transport.send(MailMessageTests.invoiceMessage())
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.unreachable")
            #expect(error.values["port"] == "1")
        }
    }

    @Test func invalidRecipientIsRejectedBeforeConnecting() async throws {
        let client = SMTPClient(configuration: SMTPConfiguration(host: "127.0.0.1", port: 1, security: .none))
        do {
            _ = try await client.send(data: Data("x\r\n".utf8), from: "a@b.example", recipients: ["x@y.example>\r\nDATA"])
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "mail.address_invalid")
        }
    }
}

/// Message whose body exercises dot-stuffing.
func dottyMessage(to: [MailAddress]) -> MailMessage {
    MailMessage(from: MailAddress("billing@recur.example", name: "Recur Billing"), to: to,
                cc: [MailAddress("archive@recur.example")],
                subject: "Nhắc nhở gia hạn — renewal reminder",
                textBody: ".leading dot\n.\n..two dots\nnormal line\n.",
                htmlBody: "<p>.</p>\n.<b>x</b>",
                attachments: [MailAttachment(filename: "INV-2026-000001.pdf", contentType: "application/pdf",
                                             data: MailMessageTests.pdf)],
                messageID: "dotty-\(UUID().uuidString)@recur.example")
}

@Suite(.serialized, .enabled(if: TestTools.smtpServerEnabled))
struct SMTPServerTests {
    func plainConfig(_ server: SMTPTestServer, user: String? = "recur", password: String? = "s3cret") -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .none, username: user, password: password,
                          heloName: "test.recur.example", allowInsecureAuth: true,
                          connectTimeout: .seconds(10), commandTimeout: .seconds(20))
    }

    @Test func plainAuthDeliversExactBytesToEveryRecipient() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        let message = dottyMessage(to: [MailAddress("khach@example.vn", name: "Nguyễn Văn A"), MailAddress("ketoan@example.vn")])
        let receipt = try await SMTPTransport(configuration: plainConfig(server)).send(message)
        #expect(receipt.transport == "smtp")
        #expect(receipt.acceptedRecipients == ["khach@example.vn", "ketoan@example.vn", "archive@recur.example"])
        #expect(receipt.rejectedRecipients.isEmpty)
        #expect(receipt.serverReply?.hasPrefix("250 2.0.0 Ok: queued as Q1") == true)
        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].envelope.mail_from == "billing@recur.example")
        #expect(received[0].envelope.rcpt_tos == ["khach@example.vn", "ketoan@example.vn", "archive@recur.example"])
        #expect(received[0].envelope.auth)
        #expect(received[0].envelope.tls == false)
        #expect(received[0].data == (try message.render()), "bytes differ after un-dot-stuffing")
        if TestTools.python3 != nil {
            let parsed = try parseWithPython(received[0].data)
            #expect(parsed.text == message.textBody + "\n")
            #expect(Data(base64Encoded: parsed.attachments.first?.data ?? "") == MailMessageTests.pdf)
        }
    }

    @Test func authLoginIsUsedWhenPlainIsNotOffered() async throws {
        let server = try SMTPTestServer(mode: "plain-login-only")
        defer { server.stop() }
        let message = dottyMessage(to: [MailAddress("a@example.com")])
        _ = try await SMTPTransport(configuration: plainConfig(server)).send(message)
        let received = try server.received()
        #expect(received.count == 1)
        #expect(received.first?.envelope.auth == true)
    }

    @Test func noCredentialsSendsWithoutAuth() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        _ = try await SMTPTransport(configuration: plainConfig(server, user: nil, password: nil))
            .send(dottyMessage(to: [MailAddress("a@example.com")]))
        #expect(try server.received().first?.envelope.auth == false)
        #expect(try server.received().first?.envelope.tls == false)
    }

    @Test func partialRecipientRejectionIsReported() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        let message = dottyMessage(to: [MailAddress("ok@example.com"), MailAddress("reject-me@example.com")])
        let receipt = try await SMTPTransport(configuration: plainConfig(server)).send(message)
        #expect(receipt.acceptedRecipients == ["ok@example.com", "archive@recur.example"])
        #expect(receipt.rejectedRecipients == [.init(address: "reject-me@example.com", replyCode: 550, replyText: "5.1.1 No such user here")])
        #expect(try server.received().first?.envelope.rcpt_tos == ["ok@example.com", "archive@recur.example"])
    }

    @Test func allRecipientsRejectedIsError() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        var message = dottyMessage(to: [MailAddress("reject1@example.com")])
        message.cc = [MailAddress("reject2@example.com")]
        do {
            _ = try await SMTPTransport(configuration: plainConfig(server)).send(message)
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.rejected")
            #expect(error.replyCode == 550)
            #expect(error.values["rejected"]?.contains("reject2@example.com") == true)
        }
        #expect(try server.received().isEmpty)
    }

    @Test func wrongPasswordIsAuthFailed() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        do {
            _ = try await SMTPTransport(configuration: plainConfig(server, password: "wrong"))
                .send(dottyMessage(to: [MailAddress("a@example.com")]))
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.auth_failed")
            #expect(error.replyCode == 535)
            #expect(error.values["reply_text"]?.isEmpty == false)
        }
        #expect(try server.received().isEmpty)
    }

    @Test func credentialsAreNotSentInTheClearByDefault() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        var config = plainConfig(server)
        config.allowInsecureAuth = false
        do {
            _ = try await SMTPTransport(configuration: config).send(dottyMessage(to: [MailAddress("a@example.com")]))
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.insecure_auth")
        }
    }

    @Test func requiredStartTLSMissingIsError() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        var config = plainConfig(server)
        config.security = .startTLS
        do {
            _ = try await SMTPTransport(configuration: config).send(dottyMessage(to: [MailAddress("a@example.com")]))
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.tls_unavailable")
        }
    }

    @Test func startTLSWithCustomCAThenAuth() async throws {
        let server = try SMTPTestServer(mode: "starttls")
        defer { server.stop() }
        let cert = try #require(SMTPTestServer.certificate)
        let config = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .startTLS,
                                       username: "recur", password: "s3cret", heloName: "test.recur.example",
                                       trustRoots: .caFile(cert.cert), tlsServerName: "localhost",
                                       connectTimeout: .seconds(10), commandTimeout: .seconds(20))
        let message = dottyMessage(to: [MailAddress("a@example.com")])
        let result = try await SMTPClient(configuration: config).send(data: try message.render(), from: message.from.email,
                                                                     recipients: message.recipients.map(\.email))
        #expect(result.encrypted)
        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].envelope.auth)
        #expect(received[0].envelope.tls)
        #expect(received[0].data == (try message.render()))
    }

    @Test func startTLSWithUntrustedCertificateFails() async throws {
        let server = try SMTPTestServer(mode: "starttls")
        defer { server.stop() }
        let config = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .startTLS,
                                       username: "recur", password: "s3cret", trustRoots: .system, tlsServerName: "localhost",
                                       connectTimeout: .seconds(10), commandTimeout: .seconds(20))
        do {
            _ = try await SMTPTransport(configuration: config).send(dottyMessage(to: [MailAddress("a@example.com")]))
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.tls_failed")
        }
        #expect(try server.received().isEmpty)
    }

    @Test func startTLSWithVerificationOff() async throws {
        let server = try SMTPTestServer(mode: "starttls")
        defer { server.stop() }
        let config = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .startTLSIfAvailable,
                                       username: "recur", password: "s3cret", trustRoots: .insecureNoVerification,
                                       connectTimeout: .seconds(10), commandTimeout: .seconds(20))
        _ = try await SMTPTransport(configuration: config).send(dottyMessage(to: [MailAddress("a@example.com")]))
        #expect(try server.received().count == 1)
    }

    @Test func implicitTLSWithCustomCA() async throws {
        let server = try SMTPTestServer(mode: "tls")
        defer { server.stop() }
        let cert = try #require(SMTPTestServer.certificate)
        let config = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .tls,
                                       username: "recur", password: "s3cret",
                                       trustRoots: .caFile(cert.cert), tlsServerName: "localhost",
                                       connectTimeout: .seconds(10), commandTimeout: .seconds(20))
        let message = dottyMessage(to: [MailAddress("a@example.com")])
        let receipt = try await SMTPTransport(configuration: config).send(message)
        #expect(receipt.acceptedRecipients == ["a@example.com", "archive@recur.example"])
        let received = try server.received()
        try #require(received.count == 1)
        #expect(received[0].envelope.tls)
        #expect(received[0].envelope.auth)
        #expect(received[0].data == (try message.render()))
    }

    @Test func implicitTLSAgainstPlainServerFails() async throws {
        let server = try SMTPTestServer(mode: "plain")
        defer { server.stop() }
        let config = SMTPConfiguration(host: "127.0.0.1", port: server.port, security: .tls,
                                       trustRoots: .insecureNoVerification,
                                       connectTimeout: .seconds(10), commandTimeout: .seconds(5))
        do {
            _ = try await SMTPTransport(configuration: config).send(dottyMessage(to: [MailAddress("a@example.com")]))
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.tls_failed")
        }
    }

    @Test func silentServerTimesOut() async throws {
        let server = try SMTPTestServer(mode: "silent")
        defer { server.stop() }
        var config = plainConfig(server)
        config.commandTimeout = .seconds(1)
        let started = ContinuousClock.now
        do {
            _ = try await SMTPTransport(configuration: config).send(dottyMessage(to: [MailAddress("a@example.com")]))
            Issue.record("expected error")
        } catch let error as MailError {
            #expect(error.code == "smtp.timeout")
            #expect(error.values["stage"] == "greeting")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
