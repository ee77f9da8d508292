public import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// How to reach the SMTP server.
public struct SMTPConfiguration: Sendable, Hashable {
    public enum Security: Sendable, Hashable {
        /// Plain TCP, never upgraded (tests, local relays).
        case none
        /// STARTTLS is required: fails with `smtp.tls_unavailable` if the server does not offer it.
        case startTLS
        /// STARTTLS when the server offers it, plain otherwise.
        case startTLSIfAvailable
        /// Implicit TLS from the first byte (port 465).
        case tls
    }

    public enum TrustRoots: Sendable, Hashable {
        /// The system's default CA store.
        case system
        /// Only the CA certificate(s) in this PEM file (e.g. a test CA or a self-signed server cert).
        case caFile(String)
        /// No certificate verification at all. For tests only.
        case insecureNoVerification
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    /// Name sent with EHLO; should be this machine's FQDN.
    public var heloName: String
    public var trustRoots: TrustRoots
    /// Name used for SNI and certificate verification; defaults to `host`.
    public var tlsServerName: String?
    /// Allow AUTH over a connection that is not encrypted. Default false (AUTH then fails with smtp.insecure_auth).
    public var allowInsecureAuth: Bool
    public var connectTimeout: Duration
    /// Maximum wait for each server reply (and for writing the command before it).
    public var commandTimeout: Duration

    public init(
        host: String,
        port: Int = 587,
        security: Security = .startTLS,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        trustRoots: TrustRoots = .system,
        tlsServerName: String? = nil,
        allowInsecureAuth: Bool = false,
        connectTimeout: Duration = .seconds(15),
        commandTimeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.heloName = heloName
        self.trustRoots = trustRoots
        self.tlsServerName = tlsServerName
        self.allowInsecureAuth = allowInsecureAuth
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }
}

/// `MailTransport` that delivers through an SMTP server.
public struct SMTPTransport: MailTransport {
    public let client: SMTPClient

    public init(configuration: SMTPConfiguration) {
        self.client = SMTPClient(configuration: configuration)
    }

    public func send(_ message: MailMessage) async throws -> MailReceipt {
        let data = try message.render()
        let result = try await client.send(data: data, from: message.from.email, recipients: message.recipients.map(\.email))
        return MailReceipt(messageID: message.messageID, transport: "smtp", sentAt: Date(),
                           acceptedRecipients: result.acceptedRecipients, rejectedRecipients: result.rejectedRecipients,
                           serverReply: result.serverReply)
    }
}

/// One SMTP reply (possibly multi-line: `250-…` continuation lines, then `250 …`).
public struct SMTPReply: Sendable, Hashable {
    public var code: Int
    public var lines: [String]
    public var text: String { lines.joined(separator: "\n") }

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }
}

/// An SMTP client on SwiftNIO. Each `send` opens a connection, delivers one message, and QUITs.
public struct SMTPClient: Sendable {
    public struct Result: Sendable, Hashable {
        public var acceptedRecipients: [String]
        public var rejectedRecipients: [MailReceipt.Rejection]
        public var serverReply: String
        /// Whether the session ended up encrypted (STARTTLS or implicit TLS).
        public var encrypted: Bool
    }

    public let configuration: SMTPConfiguration

    public init(configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    /// Sends already-rendered message bytes (CRLF line endings, not dot-stuffed) to `recipients`.
    /// Partial recipient rejections are reported in the result; if every recipient is refused,
    /// throws `smtp.rejected`.
    public func send(data: Data, from: String, recipients: [String]) async throws -> Result {
        try MailAddress.validateAddrSpec(from)
        guard !recipients.isEmpty else {
            throw MailError(code: "mail.no_recipients", message: "The message has no recipients")
        }
        for recipient in recipients { try MailAddress.validateAddrSpec(recipient) }
        guard !configuration.heloName.isEmpty,
              configuration.heloName.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw MailError.headerInvalid("EHLO", reason: "helo name must be non-empty printable ASCII without spaces")
        }

        let config = configuration
        let needsTLS = config.security != .none
        let sslContext: NIOSSLContext? = needsTLS ? try Self.makeSSLContext(config) : nil
        let serverName = Self.sniName(config)
        let errorBox = SMTPErrorBox()

        let asyncChannel: NIOAsyncChannel<SMTPReply, ByteBuffer>
        do {
            asyncChannel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(config.connectTimeout.timeAmount)
                .connect(host: config.host, port: config.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if config.security == .tls, let sslContext {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try channel.pipeline.syncOperations.addHandler(SMTPErrorRecorder(box: errorBox))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw MailError(code: "smtp.unreachable", message: "Could not connect to the SMTP server",
                            values: ["host": config.host, "port": String(config.port), "error": String(describing: error)])
        }

        return try await asyncChannel.executeThenClose { inbound, outbound in
            var session = SMTPSession(channel: asyncChannel.channel, iterator: inbound.makeAsyncIterator(),
                                      outbound: outbound, config: config,
                                      timeout: config.commandTimeout.timeAmount, errorBox: errorBox)
            session.encrypted = config.security == .tls
            session.tlsUnconfirmed = config.security == .tls
            return try await session.run(data: data, from: from, recipients: recipients,
                                         sslContext: sslContext, serverName: serverName)
        }
    }

    static func makeSSLContext(_ config: SMTPConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        switch config.trustRoots {
        case .system: break
        case .caFile(let path): tls.trustRoots = .file(path)
        case .insecureNoVerification: tls.certificateVerification = .none
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw MailError(code: "smtp.tls_failed", message: "Could not set up TLS",
                            values: ["error": String(describing: error)])
        }
    }

    static func sniName(_ config: SMTPConfiguration) -> String? {
        let name = config.tlsServerName ?? config.host
        // SNI may not carry an IP address.
        if (try? SocketAddress(ipAddress: name, port: 0)) != nil { return nil }
        return name
    }

    /// Doubles a leading "." on every line (RFC 5321 §4.5.2) and appends the terminating CRLF.CRLF.
    public static func dotStuffed(_ data: Data) -> Data {
        var out = Data()
        out.reserveCapacity(data.count + data.count / 64 + 5)
        var atLineStart = true
        for byte in data {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(UInt8(ascii: ".")) }
            out.append(byte)
            atLineStart = byte == 10
        }
        if !(out.count >= 2 && out[out.count - 2] == 13 && out[out.count - 1] == 10) {
            out.append(contentsOf: [13, 10])
        }
        out.append(contentsOf: Array(".\r\n".utf8))
        return out
    }
}

private final class TimeoutFlag: Sendable {
    let fired = Atomic<Bool>(false)
}

/// The conversation on one connection. Lives inside `executeThenClose`.
private struct SMTPSession {
    let channel: any Channel
    var iterator: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let config: SMTPConfiguration
    let timeout: TimeAmount
    let errorBox: SMTPErrorBox
    var encrypted = false
    /// TLS was started but no reply has come through it yet: failures now are TLS failures.
    var tlsUnconfirmed = false
    var stage = "greeting"

    init(channel: any Channel, iterator: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator,
         outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, config: SMTPConfiguration, timeout: TimeAmount,
         errorBox: SMTPErrorBox) {
        self.errorBox = errorBox
        self.channel = channel
        self.iterator = iterator
        self.outbound = outbound
        self.config = config
        self.timeout = timeout
    }

    mutating func run(data: Data, from: String, recipients: [String],
                      sslContext: NIOSSLContext?, serverName: String?) async throws -> SMTPClient.Result {
        let greeting = try await exchange(nil, stage: "greeting")
        try expect(greeting, 220)

        var extensions = try await ehlo()

        if config.security == .startTLS || config.security == .startTLSIfAvailable {
            if extensions["STARTTLS"] != nil, let sslContext {
                let reply = try await exchange("STARTTLS", stage: "STARTTLS")
                try expect(reply, 220, errorCode: "smtp.tls_failed")
                let channel = self.channel
                do {
                    try await channel.eventLoop.submit {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: serverName)
                        try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                    }.get()
                } catch {
                    throw MailError(code: "smtp.tls_failed", message: "Could not start TLS",
                                    values: ["error": String(describing: error)])
                }
                encrypted = true
                tlsUnconfirmed = true
                extensions = try await ehlo()
            } else if config.security == .startTLS {
                throw error("smtp.tls_unavailable", "The SMTP server does not offer STARTTLS", [:])
            }
        }

        if let username = config.username {
            try await authenticate(username: username, password: config.password ?? "", extensions: extensions)
        }

        try expect(try await exchange("MAIL FROM:<\(from)>", stage: "MAIL FROM"), 250)

        var accepted: [String] = []
        var rejected: [MailReceipt.Rejection] = []
        for recipient in recipients {
            let reply = try await exchange("RCPT TO:<\(recipient)>", stage: "RCPT TO")
            if reply.code == 250 || reply.code == 251 {
                accepted.append(recipient)
            } else if reply.code == 421 {
                try expect(reply, 250)
            } else {
                rejected.append(.init(address: recipient, replyCode: reply.code, replyText: reply.text))
            }
        }
        guard !accepted.isEmpty else {
            await quitQuietly()
            let first = rejected.first
            throw error("smtp.rejected", "The SMTP server refused every recipient", [
                "stage": "RCPT TO",
                "reply_code": String(first?.replyCode ?? 0),
                "reply_text": first?.replyText ?? "",
                "rejected": rejected.map { "\($0.address) (\($0.replyCode) \($0.replyText))" }.joined(separator: "; "),
            ])
        }

        try expect(try await exchange("DATA", stage: "DATA"), 354)
        let final = try await exchange(raw: SMTPClient.dotStuffed(data), stage: "DATA end")
        try expect(final, 250)
        await quitQuietly()
        return SMTPClient.Result(acceptedRecipients: accepted, rejectedRecipients: rejected,
                                 serverReply: "\(final.code) \(final.text)", encrypted: encrypted)
    }

    mutating func ehlo() async throws -> [String: [String]] {
        let reply = try await exchange("EHLO \(config.heloName)", stage: "EHLO")
        if reply.code == 250 {
            var extensions: [String: [String]] = [:]
            for line in reply.lines.dropFirst() {
                let words = line.uppercased().split(separator: " ").map(String.init)
                guard let keyword = words.first else { continue }
                extensions[keyword] = Array(words.dropFirst())
            }
            return extensions
        }
        // Old servers: fall back to HELO (no extensions).
        let helo = try await exchange("HELO \(config.heloName)", stage: "HELO")
        try expect(helo, 250)
        return [:]
    }

    mutating func authenticate(username: String, password: String, extensions: [String: [String]]) async throws {
        guard encrypted || config.allowInsecureAuth else {
            throw error("smtp.insecure_auth", "Refusing to send credentials over an unencrypted connection", [:])
        }
        let mechanisms = extensions["AUTH"] ?? []
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            let reply = try await exchange("AUTH PLAIN \(token)", stage: "AUTH PLAIN")
            try expect(reply, 235, errorCode: "smtp.auth_failed")
        } else if mechanisms.contains("LOGIN") {
            try expect(try await exchange("AUTH LOGIN", stage: "AUTH LOGIN"), 334, errorCode: "smtp.auth_failed")
            try expect(try await exchange(Data(username.utf8).base64EncodedString(), stage: "AUTH LOGIN user"), 334,
                       errorCode: "smtp.auth_failed")
            try expect(try await exchange(Data(password.utf8).base64EncodedString(), stage: "AUTH LOGIN password"), 235,
                       errorCode: "smtp.auth_failed")
        } else {
            throw error("smtp.auth_unavailable", "The SMTP server offers neither AUTH PLAIN nor AUTH LOGIN",
                        ["offered": mechanisms.joined(separator: " ")])
        }
    }

    mutating func quitQuietly() async {
        _ = try? await exchange("QUIT", stage: "QUIT")
    }

    func expect(_ reply: SMTPReply, _ code: Int, errorCode: String? = nil) throws {
        guard reply.code != code else { return }
        let values = ["stage": stage, "reply_code": String(reply.code), "reply_text": reply.text]
        if let errorCode {
            throw error(errorCode, "The SMTP server answered \(reply.code) to \(stage)", values)
        }
        if reply.code >= 400 {
            throw error("smtp.rejected", "The SMTP server answered \(reply.code) to \(stage)", values)
        }
        throw error("smtp.protocol", "Unexpected SMTP reply \(reply.code) to \(stage) (expected \(code))", values)
    }

    func error(_ code: String, _ message: String, _ values: [String: String]) -> MailError {
        var values = values
        values["host"] = config.host
        values["port"] = String(config.port)
        return MailError(code: code, message: message, values: values)
    }

    mutating func exchange(_ command: String?, stage: String) async throws -> SMTPReply {
        try await exchange(raw: command.map { Data(($0 + "\r\n").utf8) }, stage: stage)
    }

    /// Writes `raw` (if any) and waits for the next reply, closing the channel on timeout.
    mutating func exchange(raw: Data?, stage: String) async throws -> SMTPReply {
        self.stage = stage
        let flag = TimeoutFlag()
        let channel = self.channel
        let scheduled = channel.eventLoop.scheduleTask(in: timeout) {
            flag.fired.store(true, ordering: .relaxed)
            channel.close(promise: nil)
        }
        defer { scheduled.cancel() }
        do {
            if let raw {
                try await outbound.write(ByteBuffer(bytes: raw))
            }
            guard let reply = try await iterator.next() else {
                if flag.fired.load(ordering: .relaxed) { throw timeoutError() }
                if let recorded = errorBox.error { throw classify(recorded) }
                if tlsUnconfirmed {
                    throw error("smtp.tls_failed", "The TLS handshake failed during \(stage)", ["stage": stage])
                }
                throw error("smtp.connection_closed", "The SMTP server closed the connection during \(stage)", ["stage": stage])
            }
            tlsUnconfirmed = false
            return reply
        } catch let mailError as MailError {
            throw mailError
        } catch let caught {
            if flag.fired.load(ordering: .relaxed) { throw timeoutError() }
            // Prefer the first error seen in the pipeline (e.g. the TLS alert behind a later close).
            throw classify(errorBox.error ?? caught)
        }
    }

    func classify(_ caught: any Error) -> MailError {
        let values = ["stage": stage, "error": String(describing: caught)]
        if caught is NIOSSLError || caught is BoringSSLError || caught is NIOSSLExtraError || tlsUnconfirmed {
            return error("smtp.tls_failed", "TLS failed during \(stage)", values)
        }
        if caught is SMTPReplyParser.MalformedReply {
            return error("smtp.protocol", "Malformed SMTP reply during \(stage)", values)
        }
        return error("smtp.connection_closed", "The SMTP connection failed during \(stage)", values)
    }

    func timeoutError() -> MailError {
        error("smtp.timeout", "The SMTP server did not answer in time during \(stage)", ["stage": stage])
    }
}

/// First error seen in the channel pipeline, readable from the session.
final class SMTPErrorBox: Sendable {
    private let storage = Mutex<(any Error)?>(nil)
    var error: (any Error)? { storage.withLock { $0 } }
    func record(_ error: any Error) { storage.withLock { if $0 == nil { $0 = error } } }
}

/// Records pipeline errors (TLS alerts, malformed replies) before passing them on.
final class SMTPErrorRecorder: ChannelInboundHandler {
    typealias InboundIn = SMTPReply
    typealias InboundOut = SMTPReply
    let box: SMTPErrorBox

    init(box: SMTPErrorBox) { self.box = box }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        box.record(error)
        context.fireErrorCaught(error)
    }
}

/// Joins reply lines into replies: `250-first`, `250-second`, `250 last` → one reply.
struct SMTPReplyParser {
    struct MalformedReply: Error, CustomStringConvertible {
        var line: String
        var description: String { "malformed SMTP reply line: \(line.prefix(200))" }
    }

    private var pendingLines: [String] = []
    private var pendingCode: Int?

    /// Feeds one line (without CRLF); returns a reply when it is complete.
    mutating func feed(_ line: String) throws -> SMTPReply? {
        let utf8 = Array(line.utf8)
        guard utf8.count >= 3, utf8[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }), let code = Int(String(line.prefix(3))) else {
            throw MalformedReply(line: line)
        }
        if let pendingCode, pendingCode != code { throw MalformedReply(line: line) }
        let separator: UInt8 = utf8.count > 3 ? utf8[3] : 32
        guard separator == 32 || separator == UInt8(ascii: "-") else { throw MalformedReply(line: line) }
        pendingLines.append(utf8.count > 4 ? String(decoding: utf8[4...], as: UTF8.self) : "")
        if separator == UInt8(ascii: "-") {
            pendingCode = code
            return nil
        }
        let reply = SMTPReply(code: code, lines: pendingLines)
        pendingLines = []
        pendingCode = nil
        return reply
    }
}

/// Splits the byte stream into lines and SMTP replies.
final class SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    private var parser = SMTPReplyParser()
    static let maxLineLength = 16 * 1024

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maxLineLength { throw SMTPReplyParser.MalformedReply(line: "line too long") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex + 1
        guard var bytes = buffer.readBytes(length: length) else { return .needMoreData }
        bytes.removeLast()
        if bytes.last == 13 { bytes.removeLast() }
        if let reply = try parser.feed(String(decoding: bytes, as: UTF8.self)) {
            context.fireChannelRead(wrapInboundOut(reply))
        }
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
