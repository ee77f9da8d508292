import Foundation
import Testing

@testable import RecurPayments

/// Runs `scripts/stripe-crosscheck.py` (the official `stripe` PyPI package) against
/// ``StripeSignature`` (PAYMENTS.md 2.4). Needs `python3` with `pip install stripe`; without
/// it these tests are skipped locally and ``stripeIsInstalledUnderCI()`` fails when `CI` is set.
@Suite("Stripe cross-check with the official stripe package")
struct StripeCrossCheckTests {
    /// `<repo>/scripts/stripe-crosscheck.py`, found from this file (`Tests/RecurPaymentsTests/…`).
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("scripts/stripe-crosscheck.py")

    struct Output: Sendable {
        var status: Int32
        var stdout: Data
    }

    /// Runs the script with `arguments`, feeding `input` on stdin.
    static func run(_ arguments: [String], input: Data = Data()) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: data)
    }

    /// Whether `python3` can import `stripe` and the script answers `check`.
    static let stripeAvailable: Bool = {
        guard FileManager.default.fileExists(atPath: script.path),
            let output = try? run(["check"]), output.status == 0,
            let answer = try? JSONSerialization.jsonObject(with: output.stdout) as? [String: Any]
        else { return false }
        return answer["ok"] as? Bool == true
    }()

    static let underCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    /// Sends `requests` to the script's batch mode and returns its answers.
    static func batch(_ requests: [[String: Any]]) throws -> [[String: Any]] {
        let input = try JSONSerialization.data(withJSONObject: requests)
        let output = try run(["batch"], input: input)
        try #require(output.status == 0)
        return try #require(try JSONSerialization.jsonObject(with: output.stdout) as? [[String: Any]])
    }

    static let secret = "whsec_crosscheck_0123456789"

    /// Payloads Stripe could send: ASCII JSON, Vietnamese and other non-ASCII UTF-8, and an empty body.
    static let payloads: [[UInt8]] = [
        Array(#"{"id":"evt_test_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_123","object":"invoice"}}}"#.utf8),
        Array(#"{"id":"evt_2","data":{"object":{"customer_name":"Nguyễn Thị Minh Khai","description":"Hóa đơn tháng 5 – 250.000₫"}}}"#.utf8),
        Array("{\"note\":\"日本語 🧾 ß ø\\n\",\"tab\":\"\t\"}".utf8),
        [],
    ]

    @Test("stripe cross-check: the stripe package is importable under CI", .enabled(if: StripeCrossCheckTests.underCI))
    func stripeIsInstalledUnderCI() {
        #expect(Self.stripeAvailable, "CI is set but `python3 -c \"import stripe\"` fails: run `pip install stripe`")
    }

    @Test("stripe cross-check: Python signs, Swift verifies (same header as Swift would make)", .enabled(if: StripeCrossCheckTests.stripeAvailable))
    func pythonSignsSwiftVerifies() throws {
        let timestamp: Int64 = 1_760_000_000
        let answers = try Self.batch(Self.payloads.map { payload in
            ["op": "sign", "payload_b64": Data(payload).base64EncodedString(), "secret": Self.secret, "timestamp": timestamp]
        })
        #expect(answers.count == Self.payloads.count)
        let stripe = StripeSignature(secret: Self.secret)
        for (payload, answer) in zip(Self.payloads, answers) {
            let header = try #require(answer["header"] as? String)
            #expect(header == stripe.header(for: payload, timestamp: timestamp))
            #expect(try stripe.verify(payload: payload, header: header, now: Date(timeIntervalSince1970: 1_760_000_060)) == timestamp)
        }
    }

    @Test("stripe cross-check: Swift signs, Python verifies (including several v1 and a v0)", .enabled(if: StripeCrossCheckTests.stripeAvailable))
    func swiftSignsPythonVerifies() throws {
        let stripe = StripeSignature(secret: Self.secret)
        let now = Int64(Date().timeIntervalSince1970)
        var requests: [[String: Any]] = Self.payloads.map { payload in
            [
                "op": "verify", "payload_b64": Data(payload).base64EncodedString(), "secret": Self.secret,
                "header": stripe.header(for: payload, timestamp: now), "tolerance": 300,
            ]
        }
        let rolled = "t=\(now),v1=deadbeef,v1=\(stripe.signature(for: Self.payloads[1], timestamp: now)),v0=abc"
        requests.append([
            "op": "verify", "payload_b64": Data(Self.payloads[1]).base64EncodedString(), "secret": Self.secret,
            "header": rolled, "tolerance": 300,
        ])
        let answers = try Self.batch(requests)
        #expect(answers.count == Self.payloads.count + 1)
        for answer in answers {
            #expect(answer["ok"] as? Bool == true, "python rejected: \(answer["error"] ?? "")")
        }
    }

    @Test("stripe cross-check: Python rejects a Swift header over a tampered body, an old timestamp and upper-case hex", .enabled(if: StripeCrossCheckTests.stripeAvailable))
    func pythonRejectsTampered() throws {
        let stripe = StripeSignature(secret: Self.secret)
        let now = Int64(Date().timeIntervalSince1970)
        var requests: [[String: Any]] = []
        for payload in Self.payloads {
            let tampered = payload + Array(" ".utf8)
            requests.append([
                "op": "verify", "payload_b64": Data(tampered).base64EncodedString(), "secret": Self.secret,
                "header": stripe.header(for: payload, timestamp: now), "tolerance": 300,
            ])
        }
        let old = now - 301
        requests.append([
            "op": "verify", "payload_b64": Data(Self.payloads[0]).base64EncodedString(), "secret": Self.secret,
            "header": stripe.header(for: Self.payloads[0], timestamp: old), "tolerance": 300,
        ])
        requests.append([
            "op": "verify", "payload_b64": Data(Self.payloads[0]).base64EncodedString(), "secret": Self.secret,
            "header": "t=\(now),v1=\(stripe.signature(for: Self.payloads[0], timestamp: now).uppercased())", "tolerance": 300,
        ])
        let answers = try Self.batch(requests)
        #expect(answers.count == Self.payloads.count + 2)
        for answer in answers.prefix(Self.payloads.count) {
            #expect(answer["ok"] as? Bool == false)
            #expect((answer["error"] as? String)?.contains("No signatures found matching the expected signature") == true)
        }
        #expect(answers[Self.payloads.count]["ok"] as? Bool == false)
        #expect((answers[Self.payloads.count]["error"] as? String)?.hasPrefix("Timestamp outside the tolerance zone") == true)
        #expect(answers[Self.payloads.count + 1]["ok"] as? Bool == false)

        // And Swift agrees on each of them.
        for payload in Self.payloads {
            let header = stripe.header(for: payload, timestamp: now)
            #expect(thrownCode { try stripe.verify(payload: payload + Array(" ".utf8), header: header, now: Date()) } == "signature.invalid")
        }
    }
}
