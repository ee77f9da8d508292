import Foundation
import Testing
@testable import RecurMail

/// A real local SMTP server (python3 + aiosmtpd) for tests. Each message is written to `outbox`
/// as NNNN.eml (bytes as received, after un-dot-stuffing) and NNNN.json (envelope, tls, auth).
let smtpServerScript = #"""
import sys, os, json, ssl, socket, time
mode, outdir, user, password, certfile, keyfile = sys.argv[1:7]

def free_port():
    s = socket.socket(); s.bind(('127.0.0.1', 0)); p = s.getsockname()[1]; s.close(); return p

if mode == 'silent':
    # Accepts connections and never answers (timeout test).
    import threading
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(5)
    print('READY', srv.getsockname()[1], flush=True)
    conns = []
    srv.settimeout(0.5)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            c, _ = srv.accept(); conns.append(c)
        except socket.timeout:
            pass
    sys.exit(0)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

class Handler:
    def __init__(self):
        self.n = 0
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('reject'):
            return '550 5.1.1 No such user here'
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(outdir, '%04d' % self.n)
        with open(base + '.eml', 'wb') as f:
            f.write(envelope.original_content)
        with open(base + '.json', 'w') as f:
            json.dump({'mail_from': envelope.mail_from, 'rcpt_tos': envelope.rcpt_tos,
                       'tls': server.transport.get_extra_info('ssl_object') is not None,
                       'auth': bool(session.authenticated)}, f)
        return '250 2.0.0 Ok: queued as Q%d' % self.n

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)

kwargs = dict(authenticator=authenticator, auth_require_tls=False)
if mode.startswith('starttls'):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certfile, keyfile)
    kwargs['tls_context'] = ctx
    kwargs['require_starttls'] = True
    kwargs['auth_require_tls'] = True
if mode == 'tls':
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certfile, keyfile)
    kwargs['ssl_context'] = ctx
if mode == 'plain-login-only':
    kwargs['auth_exclude_mechanism'] = ['PLAIN']
port = free_port()
controller = Controller(Handler(), hostname='127.0.0.1', port=port, **kwargs)
controller.start()
print('READY', port, flush=True)
sys.stdin.read()
controller.stop()
"""#

final class SMTPTestServer: @unchecked Sendable {
    let process = Process()
    let stdin = Pipe()
    let outbox: URL
    let port: Int

    /// Self-signed cert for CN=localhost (SAN localhost, 127.0.0.1), made once with openssl.
    static let certificate: (cert: String, key: String)? = {
        guard let openssl = TestTools.openssl, let dir = try? TestTools.makeTempDir("recurmail-cert") else { return nil }
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let result = try? TestTools.run(openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                  "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                                                  "-keyout", key, "-out", cert])
        guard result?.status == 0 else { return nil }
        return (cert, key)
    }()

    init(mode: String, user: String = "recur", password: String = "s3cret") throws {
        guard let python3 = TestTools.python3 else {
            throw MailError(code: "test.python_missing", message: "python3 with aiosmtpd is required (CI set)")
        }
        guard TestTools.aiosmtpdAvailable else {
            throw MailError(code: "test.aiosmtpd_missing", message: "pip install aiosmtpd (required under CI)")
        }
        let dir = try TestTools.makeTempDir("recurmail-smtp")
        outbox = dir.appendingPathComponent("outbox")
        try FileManager.default.createDirectory(at: outbox, withIntermediateDirectories: true)
        let script = dir.appendingPathComponent("server.py")
        try Data(smtpServerScript.utf8).write(to: script)
        let cert = Self.certificate
        if (mode.hasPrefix("starttls") || mode == "tls") && cert == nil {
            throw MailError(code: "test.openssl_missing", message: "openssl is required to make a test certificate")
        }
        process.executableURL = URL(fileURLWithPath: python3)
        process.arguments = [script.path, mode, outbox.path, user, password, cert?.cert ?? "", cert?.key ?? ""]
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // Wait for "READY <port>".
        var buffer = Data()
        while !buffer.contains(10) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("READY "), let port = Int(line.dropFirst(6)) else {
            process.terminate()
            throw MailError(code: "test.server_failed", message: "SMTP test server did not start: \(line)")
        }
        self.port = port
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    struct Received: Decodable {
        var mail_from: String
        var rcpt_tos: [String]
        var tls: Bool
        var auth: Bool
    }

    func received() throws -> [(envelope: Received, data: Data)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: outbox.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let json = try Data(contentsOf: outbox.appendingPathComponent(name))
            let eml = try Data(contentsOf: outbox.appendingPathComponent(String(name.dropLast(5)) + ".eml"))
            return (try JSONDecoder().decode(Received.self, from: json), eml)
        }
    }
}
