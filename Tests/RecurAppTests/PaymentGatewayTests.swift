import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RecurCore
import RecurEngine
import RecurHTTP
import RecurPayments
import Testing

/// End to end through the simulators: invoice → attempt → the gateway's page → its
/// signed notification → invoice paid → subscription active; and every hostile
/// notification (bad signature, wrong amount or currency, unknown order, replay)
/// changes nothing and gets the answer its gateway expects.
@Suite("Payments through the gateway simulators")
struct PaymentGatewayTests {
    static let sandbox = PaymentSettings.sandbox(publicURL: "http://127.0.0.1:8080")

    /// A new customer buying Workspace Standard (3 seats, monthly): the open invoice's id and total.
    func buy(_ client: any TestClientProtocol, currency: String = "VND", country: String = "VN") async throws -> (invoice: String, due: Int64, subscription: String) {
        let customer = try await client.call(.post, "/v1/customers",
                                             json: #"{"name":"Pay \#(currency)","currency":"\#(currency)","country":"\#(country)","invoice_emails":["pay@example.com"]}"#).json
        let cid = try #require(customer["id"] as? String)
        let order = try await client.call(.post, "/v1/subscriptions",
                                          json: #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_standard","cycle_months":1,"seats":3}]}"#)
        #expect(order.status == .created, "\(order.text)")
        let body = try order.json
        let invoice = try #require(dig(body, "invoice", "id") as? String)
        let due = try #require(int(dig(body, "invoice", "amount_remaining", "amount")))
        let sub = try #require(dig(body, "subscriptions", 0, "id") as? String)
        return (invoice, due, sub)
    }

    func start(_ client: any TestClientProtocol, _ invoice: String, _ gateway: String) async throws -> [String: Any] {
        let r = try await client.call(.post, "/v1/invoices/\(invoice)/payment-attempts", json: #"{"gateway":"\#(gateway)","return_url":"https://app.example/billing"}"#)
        #expect(r.status == .created, "\(r.text)")
        return try r.json
    }

    /// A path on this server from an absolute sandbox URL.
    func local(_ url: String) -> String { url.replacingOccurrences(of: "http://127.0.0.1:8080", with: "") }

    func form(_ client: any TestClientProtocol, _ path: String, _ body: String) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func invoice(_ client: any TestClientProtocol, _ id: String) async throws -> [String: Any] { try await client.call(.get, "/v1/invoices/\(id)").json }

    func payments(_ client: any TestClientProtocol, _ invoice: String) async throws -> [[String: Any]] {
        try #require(try await client.call(.get, "/v1/payments?invoice=\(invoice)").json["data"] as? [[String: Any]])
    }

    // MARK: VNPAY

    /// A VNPAY callback query signed with the sandbox secret (or `secret`).
    func vnpayQuery(txnRef: String, amount: Int64, code: String = "00", transactionNo: String = "14422574", secret: String? = nil) -> String {
        let fields: [(String, String)] = [
            ("vnp_Amount", String(amount * 100)), ("vnp_BankCode", "NCB"), ("vnp_OrderInfo", "Thanh toan"), ("vnp_PayDate", "20260301120000"),
            ("vnp_ResponseCode", code), ("vnp_TmnCode", Self.sandbox.vnpay!.tmnCode), ("vnp_TransactionNo", transactionNo),
            ("vnp_TransactionStatus", code), ("vnp_TxnRef", txnRef),
        ]
        return VNPay.canonicalQuery(fields) + "&vnp_SecureHash=" + VNPay.secureHash(for: fields, secret: secret ?? Self.sandbox.vnpay!.hashSecret)
    }

    func ipn(_ client: any TestClientProtocol, _ query: String) async throws -> String {
        let r = try await client.execute(uri: "/payments/vnpay/ipn?\(query)", method: .get)
        #expect(r.status == .ok)
        return try #require(try r.json["RspCode"] as? String)
    }

    @Test("vnpay: pay through the simulator; the IPN pays the invoice once; replays answer 02", arguments: TestDatabase.all)
    func vnpay(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, due, sub) = try await buy(client)
            #expect(due == 297_000)
            let attempt = try await start(client, inv, "vnpay")
            let url = try #require(attempt["redirect_url"] as? String)
            #expect(url.contains("vnp_Amount=29700000"))
            let page = try await client.execute(uri: local(url), method: .get)
            #expect(page.status == .ok)
            #expect(page.text.contains("297000 VND"))
            // A tampered link is refused by the gateway as VNPAY does.
            let tampered = try await client.execute(uri: local(url).replacingOccurrences(of: "vnp_Amount=29700000", with: "vnp_Amount=100"), method: .get)
            #expect(tampered.status == .badRequest)
            let query = String(url.split(separator: "?", maxSplits: 1)[1])
            let done = try await form(client, "/sandbox/vnpay/complete", "q=\(FormEncoding.encode(query))&outcome=pay")
            #expect(done.status == .seeOther)
            let back = try #require(done.headers[.location])
            #expect(back.hasPrefix("http://127.0.0.1:8080/payments/vnpay/return?"))
            let paid = try await invoice(client, inv)
            #expect(paid["status"] as? String == "paid")
            #expect(int(dig(paid, "amount_paid", "amount")) == 297_000)
            #expect(try await client.call(.get, "/v1/subscriptions/\(sub)").json["status"] as? String == "active")
            #expect(try await client.call(.get, "/v1/payment-attempts/\(attempt["id"] as! String)").json["status"] as? String == "succeeded")
            let returned = try await client.execute(uri: local(back), method: .get)
            #expect(returned.text.contains("data-status=\"succeeded\""))
            // VNPAY retries the same IPN up to 10 times: each is "already confirmed", nothing is applied twice.
            let signed = String(back.split(separator: "?", maxSplits: 1)[1])
            for _ in 0..<3 { #expect(try await ipn(client, signed) == "02") }
            let list = try await payments(client, inv)
            #expect(list.count == 1)
            #expect(int(dig(list.first, "amount", "amount")) == 297_000)
            #expect((list.first?["number"] as? String)?.hasPrefix("RCP-") == true)
        }
    }

    @Test("vnpay IPN: 97 bad signature, 01 unknown order, 04 wrong amount, 00 once then 02 — in that order, nothing changed by the refusals",
          arguments: TestDatabase.all)
    func vnpayHostile(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, due, _) = try await buy(client)
            let attempt = try await start(client, inv, "vnpay")
            let ref = try #require(attempt["reference"] as? String)
            #expect(try await ipn(client, vnpayQuery(txnRef: ref, amount: due, secret: "not-the-secret")) == "97")
            #expect(try await ipn(client, vnpayQuery(txnRef: ref, amount: due).replacingOccurrences(of: "vnp_TransactionNo=14422574", with: "vnp_TransactionNo=1")) == "97")
            #expect(try await ipn(client, "vnp_TxnRef=\(ref)") == "97")
            #expect(try await ipn(client, vnpayQuery(txnRef: "pay_unknown", amount: due)) == "01")
            #expect(try await ipn(client, vnpayQuery(txnRef: ref, amount: due - 1)) == "04")
            // A wrong amount checked before "already confirmed" (VNPAY's order), even for an unknown amount on a known order.
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            #expect(try await payments(client, inv).isEmpty)
            #expect(try await ipn(client, vnpayQuery(txnRef: ref, amount: due)) == "00")
            #expect(try await ipn(client, vnpayQuery(txnRef: ref, amount: due - 1)) == "04")
            #expect(try await ipn(client, vnpayQuery(txnRef: ref, amount: due)) == "02")
            #expect(try await invoice(client, inv)["status"] as? String == "paid")
            #expect(try await payments(client, inv).count == 1)
        }
    }

    @Test("vnpay: ten concurrent copies of one IPN pay the invoice exactly once (one 00, nine 02)", arguments: TestDatabase.all)
    func vnpayConcurrent(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, due, _) = try await buy(client)
            let ref = try #require(try await start(client, inv, "vnpay")["reference"] as? String)
            let query = vnpayQuery(txnRef: ref, amount: due)
            let codes = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 { group.addTask { try await ipn(client, query) } }
                var all: [String] = []
                for try await c in group { all.append(c) }
                return all.sorted()
            }
            #expect(codes == ["00"] + Array(repeating: "02", count: 9))
            #expect(try await payments(client, inv).count == 1)
            #expect(int(dig(try await invoice(client, inv), "amount_paid", "amount")) == due)
        }
    }

    @Test("vnpay: a cancelled payment fails the attempt and leaves the invoice open; a new attempt still pays it", arguments: TestDatabase.all)
    func vnpayCancelled(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, _, _) = try await buy(client)
            let first = try await start(client, inv, "vnpay")
            let url = try #require(first["redirect_url"] as? String)
            _ = try await form(client, "/sandbox/vnpay/complete", "q=\(FormEncoding.encode(String(url.split(separator: "?", maxSplits: 1)[1])))&outcome=cancel")
            let failed = try await client.call(.get, "/v1/payment-attempts/\(first["id"] as! String)").json
            #expect(failed["status"] as? String == "failed")
            #expect(failed["failure_reason"] as? String == "vnpay 24/02")
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            let second = try #require(try await start(client, inv, "vnpay")["redirect_url"] as? String)
            _ = try await form(client, "/sandbox/vnpay/complete", "q=\(FormEncoding.encode(String(second.split(separator: "?", maxSplits: 1)[1])))&outcome=pay")
            #expect(try await invoice(client, inv)["status"] as? String == "paid")
        }
    }

    // MARK: Stripe

    func stripeEvent(id: String, reference: String, amount: Int64, currency: String, type: String = "checkout.session.completed") -> Data {
        let json = #"{"id":"\#(id)","object":"event","type":"\#(type)","data":{"object":{"id":"cs_test_x","object":"checkout.session","payment_status":"paid","#
            + #""amount_total":\#(amount),"currency":"\#(currency)","client_reference_id":"\#(reference)","payment_intent":"pi_\#(id)","metadata":{"recur_attempt":"\#(reference)"}}}}"#
        return Data(json.utf8)
    }

    func webhook(_ client: any TestClientProtocol, _ body: Data, timestamp: Int64 = Int64(testNow.timeIntervalSince1970),
                 secret: String = PaymentGatewayTests.sandbox.stripe!.webhookSecret) async throws -> TestResponse {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("Stripe-Signature")!] = StripeSignature(secret: secret).header(for: body, timestamp: timestamp)
        return try await client.execute(uri: "/payments/stripe/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    @Test("stripe: a declined card keeps the session open; 4242 pays; the signed webhook settles the invoice", arguments: TestDatabase.all)
    func stripe(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, _, sub) = try await buy(client, currency: "EUR", country: "FR")
            let attempt = try await start(client, inv, "stripe")
            let url = try #require(attempt["redirect_url"] as? String)
            #expect((attempt["gateway_reference"] as? String)?.hasPrefix("cs_test_") == true)
            let page = try await client.execute(uri: local(url), method: .get)
            #expect(page.text.contains("16.20 EUR"))
            let declined = try await form(client, local(url), "card=4000000000000002")
            #expect(declined.status == .ok)
            #expect(declined.text.contains("Your card was declined."))
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            let paid = try await form(client, local(url), "card=4242424242424242")
            #expect(paid.status == .seeOther)
            #expect(paid.headers[.location]?.contains("session_id=cs_test_") == true)
            let i = try await invoice(client, inv)
            #expect(i["status"] as? String == "paid")
            #expect(int(dig(i, "amount_paid", "amount")) == 1_620)
            #expect(try await client.call(.get, "/v1/subscriptions/\(sub)").json["status"] as? String == "active")
            let list = try await payments(client, inv)
            #expect(list.count == 1)
            #expect((list.first?["reference"] as? String)?.hasPrefix("pi_") == true)
        }
    }

    @Test("stripe webhook: bad signature, wrong secret or an old timestamp is 400; a replayed event and a wrong amount change nothing",
          arguments: TestDatabase.all)
    func stripeHostile(db: TestDatabase) async throws {
        try await withApp(db, clock: ManualClock(testNow)) { client, _ in
            let (inv, due, _) = try await buy(client, currency: "EUR", country: "FR")
            let ref = try #require(try await start(client, inv, "stripe")["reference"] as? String)
            let good = stripeEvent(id: "evt_1", reference: ref, amount: due, currency: "eur")
            #expect(try await webhook(client, good, secret: "whsec_wrong").status == .badRequest)
            #expect(try await webhook(client, good, timestamp: Int64(testNow.timeIntervalSince1970) - 301).status == .badRequest)
            var headers = HTTPFields()
            headers[HTTPField.Name("Stripe-Signature")!] = StripeSignature(secret: Self.sandbox.stripe!.webhookSecret)
                .header(for: good, timestamp: Int64(testNow.timeIntervalSince1970))
            var tampered = good
            tampered[tampered.count - 3] = UInt8(ascii: "X")
            #expect(try await client.execute(uri: "/payments/stripe/webhook", method: .post, headers: headers, body: ByteBuffer(bytes: tampered)).status == .badRequest)
            let wrongAmount = try await webhook(client, stripeEvent(id: "evt_2", reference: ref, amount: due + 1, currency: "eur"))
            #expect(wrongAmount.status == .ok)
            #expect(try wrongAmount.json["result"] as? String == "amount_mismatch")
            let wrongCurrency = try await webhook(client, stripeEvent(id: "evt_3", reference: ref, amount: due, currency: "usd"))
            #expect(try wrongCurrency.json["result"] as? String == "currency_mismatch")
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            #expect(try await webhook(client, good).json["result"] as? String == "recorded")
            #expect(try await webhook(client, good).json["result"] as? String == "already_processed")
            #expect(try await webhook(client, stripeEvent(id: "evt_4", reference: ref, amount: due, currency: "eur")).json["result"] as? String == "already_processed")
            #expect(try await payments(client, inv).count == 1)
            #expect(int(dig(try await invoice(client, inv), "amount_paid", "amount")) == due)
        }
    }

    // MARK: 2Checkout

    @Test("2checkout: the signed buy link, the IPN with HMAC over received order, and the read receipt", arguments: TestDatabase.all)
    func twoCheckout(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, _, _) = try await buy(client, currency: "EUR", country: "FR")
            let attempt = try await start(client, inv, "2checkout")
            let url = try #require(attempt["redirect_url"] as? String)
            #expect(url.contains("price=16.20") && url.contains("currency=EUR") && url.contains("signature="))
            #expect(try await client.execute(uri: local(url), method: .get).text.contains("16.20 EUR"))
            let forged = try await client.execute(uri: local(url).replacingOccurrences(of: "price=16.20", with: "price=0.01"), method: .get)
            #expect(forged.status == .badRequest)
            let query = String(url.split(separator: "?", maxSplits: 1)[1])
            let done = try await form(client, "/sandbox/2checkout/complete", "q=\(FormEncoding.encode(query))&outcome=pay")
            #expect(done.status == .seeOther)
            #expect(try await invoice(client, inv)["status"] as? String == "paid")

            // An IPN by hand: a verified one gets a <sig> receipt; reordered fields or a bad hash get 400 and change nothing.
            let (inv2, due2, _) = try await buy(client, currency: "EUR", country: "DE")
            let total = "\(due2 / 100).\(due2 % 100 < 10 ? "0" : "")\(due2 % 100)"
            let ref = try #require(try await start(client, inv2, "2checkout")["reference"] as? String)
            let secret = Self.sandbox.twoCheckout!.secretKey
            func signed(_ fields: [(String, String)]) -> String {
                FormEncoding.encode(fields + [("SIGNATURE_SHA2_256", TwoCheckout.Algorithm.sha256.hex(secretKey: secret, message: TwoCheckout.ipnSourceString(fields)))])
            }
            let fields: [(String, String)] = [("REFNO", "900000001"), ("REFNOEXT", ref), ("ORDERSTATUS", "COMPLETE"), ("IPN_PID[]", "1"),
                                              ("IPN_PNAME[]", "Invoice"), ("IPN_TOTALGENERAL", total), ("CURRENCY", "EUR"), ("IPN_DATE", "20260301120000")]
            let reordered = signed(fields).replacingOccurrences(of: "REFNO=900000001&REFNOEXT=\(ref)", with: "REFNOEXT=\(ref)&REFNO=900000001")
            #expect(try await form(client, "/payments/2checkout/ipn", reordered).status == .badRequest)
            let wrongAmount = [("REFNO", "900000002")] + fields.dropFirst().map { $0.0 == "IPN_TOTALGENERAL" ? ($0.0, "1.00") : $0 }
            let refused = try await form(client, "/payments/2checkout/ipn", signed(wrongAmount))
            #expect(refused.status == .ok)
            #expect(try await invoice(client, inv2)["status"] as? String == "open")
            let answer = try await form(client, "/payments/2checkout/ipn", signed(fields))
            #expect(answer.status == .ok)
            let date = try #require(answer.text.split(separator: "\"").dropFirst(3).first.map(String.init))
            #expect(answer.text == (try TwoCheckout.readReceipt(for: fields, secretKey: secret, date: date)))
            #expect(try await invoice(client, inv2)["status"] as? String == "paid")
            #expect(try await form(client, "/payments/2checkout/ipn", signed(fields)).status == .ok)
            #expect(try await payments(client, inv2).count == 1)
        }
    }

    // MARK: VNPT Pay

    @Test("vnptpay: init with SECURE_CODE, the simulator's page, the signed notification; a bad code answers 97", arguments: TestDatabase.all)
    func vnptpay(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, due, _) = try await buy(client)
            let attempt = try await start(client, inv, "vnptpay")
            let url = try #require(attempt["redirect_url"] as? String)
            #expect(try await client.execute(uri: local(url), method: .get).text.contains("297000 VND"))
            let ref = try #require(attempt["reference"] as? String)
            let config = Self.sandbox.vnptpay!
            var fields: [String: String] = ["RESPONSE_CODE": "00", "DESCRIPTION": "Success", "MERCHANT_ORDER_ID": ref, "VNPTPAY_TRANSACTION_ID": "1",
                                            "AMOUNT": String(due), "LOCALE": "vi-VN", "CURRENCY_CODE": "VND", "PAYMENT_METHOD": "VNPTPAY",
                                            "PAY_DATE": "20260301120000", "TRANSACTION_STATUS": "00", "ADDITIONAL_INFO": ""]
            fields["SECURE_CODE"] = String(repeating: "0", count: 64)
            let bad = try await client.execute(uri: "/payments/vnptpay/notify", method: .post, body: ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: fields))))
            #expect(try bad.json["RESPONSE_CODE"] as? String == "97")
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            let done = try await form(client, local(url), "outcome=pay")
            #expect(done.headers[.location] == "http://127.0.0.1:8080/payments/return/\(ref)")
            #expect(try await invoice(client, inv)["status"] as? String == "paid")
            // The same notification again, now signed: already confirmed.
            fields["SECURE_CODE"] = VNPTPay.secureCode(VNPTPay.queryResponseFieldOrder.map { fields[$0] ?? "" }, secretKey: config.secretKey)
            let replay = try await client.execute(uri: "/payments/vnptpay/notify", method: .post, body: ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: fields))))
            #expect(try replay.json["RESPONSE_CODE"] as? String == "02")
            #expect(try await payments(client, inv).count == 1)
        }
    }

    // MARK: Bank transfer

    @Test("bank transfer: one code per invoice, a VietQR payload, a statement with an underpayment, a top-up, an unmatched credit and a bad row",
          arguments: TestDatabase.all)
    func bankTransfer(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, due, _) = try await buy(client)
            let attempt = try await start(client, inv, "bank_transfer")
            let code = try #require(dig(attempt, "transfer", "payment_code") as? String)
            #expect(code.hasPrefix("RC") && code.count == 9)
            #expect(try BankTransferCodeFormat(prefix: "RC").validate(code).rawValue == code)
            let payload = try #require(dig(attempt, "transfer", "vietqr") as? String)
            let qr = try VietQR(payload: payload)
            #expect(qr.amount == 297_000 && qr.bankBIN == "970422" && qr.accountNumber == "0123456789" && qr.purpose == code)
            // Asking again gives the same code.
            #expect(dig(try await start(client, inv, "bank_transfer"), "transfer", "payment_code") as? String == code)
            let png = try await client.execute(uri: "/payments/qr/\(attempt["id"] as! String).png", method: .get)
            #expect(png.status == .ok)
            #expect(Array(png.body.readableBytesView.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

            let csv = """
                Ngày giao dịch,Số tham chiếu,Nội dung,Ghi có,Ghi nợ
                01/03/2026,FT001,"MBVCB.3278907687.\(code.lowercased()).CT tu 0123456789",290.000,
                01/03/2026,FT002,"chuyen tien an trua",50.000,
                01/03/2026,FT003,"\(code.prefix(4)) \(code.dropFirst(4)) bo sung",7.000,
                01/03/2026,FT004,"rut tien",,100.000
                bad,row
                """
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(adminKey)"
            headers[.contentType] = "text/csv"
            let imported = try await client.execute(uri: "/v1/bank-statements", method: .post, headers: headers, body: ByteBuffer(string: csv))
            #expect(imported.status == .ok, "\(imported.text)")
            let report = try imported.json
            #expect(int(dig(report, "counts", "underpaid")) == 1)
            #expect(int(dig(report, "counts", "matched")) == 1)
            #expect(int(dig(report, "counts", "unmatched")) == 1)
            #expect(int(dig(report, "counts", "rejected")) == 1)
            #expect(int(dig(report, "rejected", 0, "line")) == 6)
            let paid = try await invoice(client, inv)
            #expect(paid["status"] as? String == "paid")
            #expect(int(dig(paid, "amount_paid", "amount")) == due)
            #expect(try await payments(client, inv).map { int(dig($0, "amount", "amount")) } .sorted { ($0 ?? 0) < ($1 ?? 0) } == [7_000, 290_000])
            // The same statement again: three duplicates, nothing applied.
            let again = try await client.execute(uri: "/v1/bank-statements", method: .post, headers: headers, body: ByteBuffer(string: csv)).json
            #expect(int(dig(again, "counts", "duplicate")) == 3)
            #expect(try await payments(client, inv).count == 2)

            // The unmatched credit waits for staff, who assign it to another invoice (50,000 of 297,000: partly paid).
            let queue = try #require(try await client.call(.get, "/v1/bank-credits?status=unmatched").json["data"] as? [[String: Any]])
            #expect(queue.count == 1)
            let credit = try #require(queue.first?["id"] as? String)
            let (other, _, _) = try await buy(client)
            let assigned = try await client.call(.post, "/v1/bank-credits/\(credit)/assign", json: #"{"invoice":"\#(other)"}"#)
            #expect(assigned.status == .ok)
            #expect(try assigned.json["status"] as? String == "assigned")
            let partly = try await invoice(client, other)
            #expect(partly["status"] as? String == "open")
            #expect(int(dig(partly, "amount_remaining", "amount")) == 247_000)
            let twice = try await client.call(.post, "/v1/bank-credits/\(credit)/assign", json: #"{"invoice":"\#(other)"}"#)
            #expect(twice.status == .conflict)
            #expect(try twice.json["code"] as? String == "bank_credit.not_pending")
        }
    }

    @Test("bank feed: the Apikey is checked; an overpayment goes to the customer's balance; a repeat is a duplicate", arguments: TestDatabase.all)
    func bankFeed(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, due, _) = try await buy(client)
            let code = try #require(dig(try await start(client, inv, "bank_transfer"), "transfer", "payment_code") as? String)
            let body = #"{"id":92704,"gateway":"MBBank","transactionDate":"2026-03-01 10:00:00","accountNumber":"0123456789","code":null,"content":"\#(code) thanh toan","transferType":"in","transferAmount":300000,"accumulated":0,"subAccount":null,"referenceCode":"MB-777","description":""}"#
            func post(_ key: String) async throws -> TestResponse {
                var headers = HTTPFields()
                headers[.authorization] = "Apikey \(key)"
                headers[.contentType] = "application/json"
                return try await client.execute(uri: "/payments/bank-feed", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            #expect(try await post("wrong").status == .unauthorized)
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            let first = try await post(Self.sandbox.bankTransfer!.feedSecret!)
            #expect(try first.json["status"] as? String == "overpaid")
            #expect(try await post(Self.sandbox.bankTransfer!.feedSecret!).json["status"] as? String == "duplicate")
            #expect(try await invoice(client, inv)["status"] as? String == "paid")
            let customer = try #require(try await invoice(client, inv)["customer"] as? String)
            #expect(int(dig(try await client.call(.get, "/v1/customers/\(customer)").json, "balance", "amount")) == -(300_000 - due))
        }
    }

    // MARK: Offline

    @Test("cash: a receipt numbered RCP-YYYY-nnnnnn; a reference twice, another currency, nothing, or a paid invoice are refused",
          arguments: TestDatabase.all)
    func offline(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (inv, _, _) = try await buy(client)
            let part = try await client.call(.post, "/v1/invoices/\(inv)/payments",
                                             json: #"{"method":"cash","amount":{"amount":100000,"currency":"VND"},"reference":"PT-0001","received_on":"2026-03-01"}"#)
            #expect(part.status == .created)
            #expect((try part.json["number"] as? String)?.hasPrefix("RCP-2026-") == true)
            let dup = try await client.call(.post, "/v1/invoices/\(inv)/payments",
                                            json: #"{"method":"cash","amount":{"amount":100000,"currency":"VND"},"reference":"PT-0001"}"#)
            #expect(dup.status == .conflict)
            #expect(try dup.json["code"] as? String == "payment.duplicate")
            let euro = try await client.call(.post, "/v1/invoices/\(inv)/payments", json: #"{"method":"cash","amount":{"amount":100,"currency":"EUR"}}"#)
            #expect(euro.status == .unprocessableContent)
            #expect(try euro.json["field"] as? String == "amount.currency")
            let zero = try await client.call(.post, "/v1/invoices/\(inv)/payments", json: #"{"method":"cash","amount":{"amount":0,"currency":"VND"}}"#)
            #expect(try zero.json["code"] as? String == "payment.invalid")
            let noRef = try await client.call(.post, "/v1/invoices/\(inv)/payments", json: #"{"method":"bank_transfer"}"#)
            #expect(try noRef.json["field"] as? String == "reference")
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            let rest = try await client.call(.post, "/v1/invoices/\(inv)/payments", json: #"{"method":"bank_transfer","reference":"FT-9"}"#)
            #expect(int(dig(try rest.json, "amount", "amount")) == 197_000)
            #expect(try await invoice(client, inv)["status"] as? String == "paid")
            let after = try await client.call(.post, "/v1/invoices/\(inv)/payments", json: #"{"method":"cash"}"#)
            #expect(try after.json["code"] as? String == "invoice.not_payable")
            #expect(try await payments(client, inv).count == 2)
        }
    }

    @Test("gateways: the settings show what is enabled and never a secret; a VND-only gateway refuses euros", arguments: TestDatabase.all)
    func settings(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let text = try await client.call(.get, "/v1/payment-gateways").text
            #expect(text.contains("vnpay") && text.contains("bank_transfer"))
            let s = Self.sandbox
            for secret in [s.vnpay!.hashSecret, s.stripe!.secretKey, s.stripe!.webhookSecret, s.twoCheckout!.secretKey, s.twoCheckout!.buyLinkSecret,
                           s.vnptpay!.secretKey, s.vnptpay!.apiKey, s.bankTransfer!.feedSecret!] {
                #expect(!text.contains(secret))
            }
            let (inv, _, _) = try await buy(client, currency: "EUR", country: "FR")
            let refused = try await client.call(.post, "/v1/invoices/\(inv)/payment-attempts", json: #"{"gateway":"vnpay"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(try refused.json["code"] as? String == "payment.gateway_disabled")
            let unknown = try await client.call(.post, "/v1/invoices/\(inv)/payment-attempts", json: #"{"gateway":"paypal"}"#)
            #expect(unknown.status == .badRequest)
        }
    }

    // MARK: Refunds and queries

    func pay(_ client: any TestClientProtocol, _ inv: String, gateway: String) async throws -> [String: Any] {
        let attempt = try await start(client, inv, gateway)
        let url = try #require(attempt["redirect_url"] as? String)
        if gateway == "vnpay" {
            _ = try await form(client, "/sandbox/vnpay/complete", "q=\(FormEncoding.encode(String(url.split(separator: "?", maxSplits: 1)[1])))&outcome=pay")
        } else {
            _ = try await form(client, local(url), "card=4242424242424242")
        }
        return try #require(try await payments(client, inv).first)
    }

    @Test("refunds: Stripe and VNPAY refund through their APIs, partly then the rest; each issues a credit note; more than is left is refused",
          arguments: TestDatabase.all)
    func refunds(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            for (gateway, currency, country, part, left) in [("stripe", "EUR", "FR", Int64(620), "10.00 EUR"), ("vnpay", "VND", "VN", Int64(97_000), "200000 VND")] {
                let (inv, due, _) = try await buy(client, currency: currency, country: country)
                let payment = try await pay(client, inv, gateway: gateway)
                let pid = try #require(payment["id"] as? String)
                let first = try await client.call(.post, "/v1/payments/\(pid)/refund",
                                                  json: #"{"amount":{"amount":\#(part),"currency":"\#(currency)"},"reason":"two seats unused"}"#)
                #expect(first.status == .ok, "\(first.text)")
                let refund = try #require(dig(try first.json, "refunds", 0) as? [String: Any])
                #expect(int(dig(refund, "amount", "amount")) == part)
                let reference = try #require(refund["gateway_reference"] as? String)
                if gateway == "stripe" { #expect(reference.hasPrefix("re_")) } else { #expect(reference.count == 8 && reference.allSatisfy(\.isNumber)) }
                let notes = try #require(try await client.call(.get, "/v1/credit-notes?invoice=\(inv)").json["data"] as? [[String: Any]])
                #expect(notes.count == 1)
                #expect(notes.first?["outcome"] as? String == "refund")
                let tooMuch = try await client.call(.post, "/v1/payments/\(pid)/refund",
                                                    json: #"{"amount":{"amount":\#(due),"currency":"\#(currency)"},"reason":"all"}"#)
                #expect(tooMuch.status == .unprocessableContent)
                #expect(dig(try tooMuch.json, "values", "refundable") as? String == left)
                let rest = try await client.call(.post, "/v1/payments/\(pid)/refund", json: #"{"reason":"cancelled"}"#)
                #expect((try rest.json["refunds"] as? [Any])?.count == 2)
                let attempt = try #require(payment["attempt"] as? String)
                #expect(try await client.call(.get, "/v1/payment-attempts/\(attempt)").json["status"] as? String == "refunded")
                #expect(try await client.call(.post, "/v1/payments/\(pid)/refund", json: #"{"reason":"again"}"#).status == .unprocessableContent)
            }
            // Cash is paid back by hand: recorded with its credit note, no gateway reference.
            let (inv, _, _) = try await buy(client)
            let cash = try await client.call(.post, "/v1/invoices/\(inv)/payments", json: #"{"method":"cash","reference":"PT-7"}"#).json
            let back = try await client.call(.post, "/v1/payments/\(cash["id"] as! String)/refund", json: #"{"reason":"duplicate purchase"}"#)
            #expect(back.status == .ok)
            #expect(dig(try back.json, "refunds", 0, "gateway_reference") == nil)
        }
    }

    @Test("query: a VNPAY payment whose IPN never came is found by querydr and applied once; Stripe's session is read back",
          arguments: TestDatabase.all)
    func queries(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let sim = try #require(service.gatewayTransport as? GatewaySimulators)
            let (inv, _, _) = try await buy(client)
            let attempt = try await start(client, inv, "vnpay")
            let id = try #require(attempt["id"] as? String)
            // Before the customer pays, querydr finds nothing and the attempt stays pending.
            #expect(try await client.call(.post, "/v1/payment-attempts/\(id)/query").json["status"] as? String == "pending")
            sim.dropNextVNPayIPN()
            let url = try #require(attempt["redirect_url"] as? String)
            _ = try await form(client, "/sandbox/vnpay/complete", "q=\(FormEncoding.encode(String(url.split(separator: "?", maxSplits: 1)[1])))&outcome=pay")
            #expect(sim.lastAnswer("vnpay") == "not sent")
            #expect(try await invoice(client, inv)["status"] as? String == "open")
            #expect(try await client.call(.post, "/v1/payment-attempts/\(id)/query").json["status"] as? String == "succeeded")
            #expect(try await invoice(client, inv)["status"] as? String == "paid")
            #expect(try await client.call(.post, "/v1/payment-attempts/\(id)/query").json["status"] as? String == "succeeded")
            #expect(try await payments(client, inv).count == 1)

            let (inv2, _, _) = try await buy(client, currency: "EUR", country: "FR")
            let s = try await start(client, inv2, "stripe")
            let sid = try #require(s["id"] as? String)
            #expect(try await client.call(.post, "/v1/payment-attempts/\(sid)/query").json["status"] as? String == "pending")
            _ = try await form(client, local(try #require(s["redirect_url"] as? String)), "card=4242424242424242")
            #expect(try await client.call(.post, "/v1/payment-attempts/\(sid)/query").json["status"] as? String == "succeeded")
            #expect(try await payments(client, inv2).count == 1)
            // VNPT Pay: the notification is lost; query_transaction finds the payment.
            let (inv4, _, _) = try await buy(client)
            let v = try await start(client, inv4, "vnptpay")
            let vid = try #require(v["id"] as? String)
            #expect(try await client.call(.post, "/v1/payment-attempts/\(vid)/query").json["status"] as? String == "pending")
            sim.dropNextVNPTNotification()
            _ = try await form(client, local(try #require(v["redirect_url"] as? String)), "outcome=pay")
            #expect(sim.lastAnswer("vnptpay") == "not sent")
            #expect(try await invoice(client, inv4)["status"] as? String == "open")
            #expect(try await client.call(.post, "/v1/payment-attempts/\(vid)/query").json["status"] as? String == "succeeded")
            #expect(try await invoice(client, inv4)["status"] as? String == "paid")
            #expect(try await payments(client, inv4).count == 1)
            // 2Checkout has no query here: a clear refusal.
            let (inv3, _, _) = try await buy(client, currency: "EUR", country: "IT")
            let t = try #require(try await start(client, inv3, "2checkout")["id"] as? String)
            let refused = try await client.call(.post, "/v1/payment-attempts/\(t)/query")
            #expect(try refused.json["code"] as? String == "payment.gateway_disabled")
        }
    }

    @Test("stripe: a card kept at checkout pays the next renewal off-session; when it later declines, the subscription goes past due",
          arguments: TestDatabase.all)
    func savedCard(db: TestDatabase) async throws {
        try await withApp(db, clock: ManualClock(testNow)) { client, service in
            let sim = try #require(service.gatewayTransport as? GatewaySimulators)
            let (inv, _, sub) = try await buy(client, currency: "EUR", country: "FR")
            let other = try await client.call(.post, "/v1/invoices/\(inv)/payment-attempts", json: #"{"gateway":"vnpay","save_payment_method":true}"#)
            #expect(try other.json["field"] as? String == "save_payment_method")
            let attempt = try await client.call(.post, "/v1/invoices/\(inv)/payment-attempts", json: #"{"gateway":"stripe","save_payment_method":true}"#).json
            _ = try await form(client, local(try #require(attempt["redirect_url"] as? String)), "card=4242424242424242")
            #expect(try await invoice(client, inv)["status"] as? String == "paid")
            let cid = try #require(try await invoice(client, inv)["customer"] as? String)
            let saved = try await service.customer(cid).paymentMethod
            #expect(saved?.kind == "stripe")
            #expect(saved?.last4 == "4242")
            #expect(saved?.gatewayMethod?.hasPrefix("pm_") == true)
            // A month later the renewal is charged off-session at Stripe.
            let renewal = try await service.runBilling(until: testNow.addingTimeInterval(32 * 86_400))
            #expect(renewal.chargesSucceeded == 1)
            let invoices = try #require(try await client.call(.get, "/v1/invoices?customer=\(cid)").json["data"] as? [[String: Any]])
            #expect(invoices.count == 2)
            #expect(invoices.allSatisfy { $0["status"] as? String == "paid" })
            // The card declines from now on: the next renewal fails and dunning starts.
            sim.declineSavedCards(ofStripeCustomer: try #require(saved?.gatewayCustomer))
            let failed = try await service.runBilling(until: testNow.addingTimeInterval(62 * 86_400))
            // The renewal of 1 May and dunning's first retry on 2 May both decline.
            #expect(failed.chargesFailed == 2)
            #expect(try await client.call(.get, "/v1/subscriptions/\(sub)").json["status"] as? String == "past_due")
        }
    }

    @Test("production mode: no simulators, only the configured gateways, and a gateway without settings is refused", arguments: TestDatabase.all)
    func production(db: TestDatabase) async throws {
        var settings = PaymentSettings(publicURL: "https://billing.example", sandbox: false)
        settings.vnpay = VNPay.Configuration(tmnCode: "LIVE0001", hashSecret: "live-secret-not-shown")
        try await withApp(db, payments: settings) { client, _ in
            for path in ["/sandbox/vnpay/paymentv2/vpcpay.html?vnp_Amount=1", "/sandbox/stripe/pay/cs_test_1", "/sandbox/vnptpay/pay/x"] {
                #expect(try await client.execute(uri: path, method: .get).status == .notFound)
            }
            let gateways = try await client.call(.get, "/v1/payment-gateways").json
            #expect(gateways["enabled"] as? [String] == ["vnpay"])
            #expect(gateways["sandbox"] as? Bool == false)
            #expect(!(try await client.call(.get, "/v1/payment-gateways").text.contains("live-secret-not-shown")))
            let (inv, _, _) = try await buy(client)
            let stripe = try await client.call(.post, "/v1/invoices/\(inv)/payment-attempts", json: #"{"gateway":"stripe"}"#)
            #expect(try stripe.json["code"] as? String == "payment.gateway_disabled")
            let vnpay = try await start(client, inv, "vnpay")
            let url = try #require(vnpay["redirect_url"] as? String)
            #expect(url.hasPrefix("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?"))
            #expect(url.contains("vnp_ReturnUrl=https%3A%2F%2Fbilling.example%2Fpayments%2Fvnpay%2Freturn"))
        }
    }

    @Test("stripe refund: the same refund id sent twice refunds once (Idempotency-Key), a new id refunds again", arguments: TestDatabase.all)
    func refundIdempotency(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (inv, due, _) = try await buy(client, currency: "EUR", country: "FR")
            let payment = try await pay(client, inv, gateway: "stripe")
            let stripe = try #require(service.payments.gateway("stripe") as? StripeGateway)
            let intent = try #require(payment["reference"] as? String)
            func refund(_ id: String, _ amount: Int64) async throws -> String {
                try await stripe.refund(reference: "pay_x", requestID: id, gatewayPayment: intent, amount: amount, currency: "EUR", full: false,
                                        paidAt: testNow, now: testNow, actor: "test", transport: service.gatewayTransport)
            }
            let first = try await refund("re_one", due - 100)
            #expect(try await refund("re_one", due - 100) == first)
            // Only 100 cents are left: a second, different refund of more is refused by Stripe.
            await #expect(throws: PaymentProtocolError.self) { _ = try await refund("re_two", 101) }
            #expect(try await refund("re_three", 100) != first)
        }
    }
}
