import Foundation
public import RecurEngine
import RecurCore
public import RecurPayments
import Synchronization

/// Local stand-ins for VNPAY, VNPT Pay, Stripe and 2Checkout, served by Recur under
/// `/sandbox/` in sandbox mode only. Each checks what a merchant sends as its gateway
/// would (the signed URL, the API key, the buy-link signature), shows the gateway's page,
/// and on "pay" sends the notification signed exactly as the gateway does, to the same
/// function the real endpoint calls, then sends the browser back. Only the transport is
/// local: the bytes are the protocol's.
public final class GatewaySimulators: GatewayTransport, Sendable {
    struct StripeSession: Sendable {
        var id: String
        var amount: Int64
        var currency: String
        var name: String
        var successURL: String
        var cancelURL: String
        var clientReference: String?
        var metadata: [String: String]
        var status = "open"
        var paymentStatus = "unpaid"
        var paymentIntent: String?
        var refunded: Int64 = 0
        var saveCard = false
    }

    /// A PaymentIntent: from a session, or an off-session charge of a saved card.
    struct StripeIntent: Sendable {
        var id: String
        var amount: Int64
        var currency: String
        var customer: String?
        var paymentMethod: String?
    }

    /// A saved card: its number decides whether later charges succeed (4000 0000 0000 0341 attaches, then declines).
    struct StripeCard: Sendable {
        var id: String
        var customer: String
        var number: String
    }

    /// What VNPAY remembers of a completed payment, for querydr and refund.
    struct VNPayPayment: Sendable {
        var amount: Int64
        var transactionNo: String
        var payDate: String
        var paid: Bool
        var refunded: Int64 = 0
    }

    struct VNPTOrder: Sendable {
        var orderID: String
        var amount: Int64
        var description: String
        var status = "pending"
        var transactionID: String?
    }

    let settings: PaymentSettings
    let callbacks: PaymentCallbacks
    /// The gateways' time is Recur's (a test clock moves both).
    let clock: any RecurEngine.Clock
    let stripeSessions = Mutex<[String: StripeSession]>([:])
    let vnptOrders = Mutex<[String: VNPTOrder]>([:])
    let vnpayPayments = Mutex<[String: VNPayPayment]>([:])
    let stripeIntents = Mutex<[String: StripeIntent]>([:])
    let stripeReplies = Mutex<[String: GatewayResponse]>([:])
    let stripeCards = Mutex<[String: StripeCard]>([:])

    /// Makes every later off-session charge of the customer's saved cards fail (a card that expired since).
    public func declineSavedCards(ofStripeCustomer customer: String) {
        stripeCards.withLock { cards in for (k, c) in cards where c.customer == customer { cards[k]?.number = "4000000000000341" } }
    }
    /// When set, VNPAY "loses" its IPN (a test of querydr): the payment happens, no notification is sent.
    let dropNextIPN = Mutex<Bool>(false)
    let dropNextVNPT = Mutex<Bool>(false)

    public func dropNextVNPayIPN() { dropNextIPN.withLock { $0 = true } }
    /// What the simulated gateways were last answered (tests read it: a 2Checkout IPN
    /// without a valid read receipt, a VNPAY IPN's RspCode).
    let lastAnswers = Mutex<[String: String]>([:])

    public init(service: RecurService) {
        settings = service.payments
        callbacks = PaymentCallbacks(service: service)
        clock = service.clock
    }

    public func lastAnswer(_ gateway: String) -> String? { lastAnswers.withLock { $0[gateway] } }

    static func randomDigits(_ n: Int) -> String { String((0..<n).map { _ in "0123456789".randomElement()! }) }
    static func randomID(_ prefix: String) -> String {
        prefix + String((0..<24).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()! })
    }

    // MARK: The gateways' APIs (GatewayTransport)

    public func send(_ request: GatewayRequest) async throws -> GatewayResponse {
        func header(_ name: String) -> String? { request.headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        if let stripe = settings.stripe, request.url == stripe.apiBase + "/v1/checkout/sessions" {
            guard header("Authorization") == "Bearer \(stripe.secretKey)" else {
                return Self.jsonResponse(401, ["error": ["type": "invalid_request_error", "message": "Invalid API Key provided"]])
            }
            return createStripeSession(form: String(decoding: request.body, as: UTF8.self))
        }
        if let stripe = settings.stripe, request.url.hasPrefix(stripe.apiBase + "/v1/") {
            guard header("Authorization") == "Bearer \(stripe.secretKey)" else {
                return Self.jsonResponse(401, ["error": ["type": "invalid_request_error", "message": "Invalid API Key provided"]])
            }
            let path = String(request.url.dropFirst(stripe.apiBase.count))
            if request.method == "GET", path.hasPrefix("/v1/checkout/sessions/") {
                guard let s = stripeSessions.withLock({ $0[String(path.dropFirst(22))] }) else {
                    return Self.jsonResponse(404, ["error": ["type": "invalid_request_error", "message": "No such checkout.session"]])
                }
                return Self.jsonResponse(200, sessionJSON(s))
            }
            if request.method == "POST", path == "/v1/refunds" {
                // Stripe replays the first answer for a repeated Idempotency-Key.
                let key = header("Idempotency-Key")
                if let key, let seen = stripeReplies.withLock({ $0[key] }) { return seen }
                let answer = stripeRefund(form: String(decoding: request.body, as: UTF8.self))
                if let key { stripeReplies.withLock { $0[key] = answer } }
                return answer
            }
            if request.method == "GET", path.hasPrefix("/v1/payment_intents/") {
                let id = String(path.dropFirst(20).prefix { $0 != "?" })
                guard let pi = stripeIntents.withLock({ $0[id] }) else {
                    return Self.jsonResponse(404, ["error": ["type": "invalid_request_error", "message": "No such payment_intent: '\(id)'"]])
                }
                var o: [String: Any] = ["id": pi.id, "object": "payment_intent", "amount": pi.amount, "currency": pi.currency, "status": "succeeded"]
                o["customer"] = pi.customer ?? NSNull()
                if let pm = pi.paymentMethod, let card = stripeCards.withLock({ $0[pm] }) {
                    o["payment_method"] = path.contains("expand") ? ["id": pm, "object": "payment_method", "card": ["last4": String(card.number.suffix(4))]] as [String: Any] : pm
                }
                return Self.jsonResponse(200, o)
            }
            if request.method == "POST", path == "/v1/payment_intents" { return stripeOffSession(form: String(decoding: request.body, as: UTF8.self)) }
        }
        if let vnpay = settings.vnpay, request.url == vnpay.apiURL.absoluteString { return vnpayAPI(body: request.body, config: vnpay) }
        if let vnpt = settings.vnptpay, request.url == vnpt.baseURL.absoluteString + "/init" {
            guard header("Authorization") == "Bearer \(vnpt.apiKey)" else { return Self.jsonResponse(401, ["RESPONSE_CODE": "02", "DESCRIPTION": "Unauthorized"]) }
            return vnptInit(body: request.body, config: vnpt)
        }
        if let vnpt = settings.vnptpay, request.url == vnpt.baseURL.absoluteString + "/query_transaction" {
            guard header("Authorization") == "Bearer \(vnpt.apiKey)" else { return Self.jsonResponse(401, ["RESPONSE_CODE": "02", "DESCRIPTION": "Unauthorized"]) }
            return vnptQuery(body: request.body, config: vnpt)
        }
        return GatewayResponse(status: 404, body: Data("no simulator at \(request.url)".utf8))
    }

    static func jsonResponse(_ status: Int, _ object: Any) -> GatewayResponse {
        GatewayResponse(status: status, body: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    func sessionJSON(_ s: StripeSession) -> [String: Any] {
        var o: [String: Any] = ["id": s.id, "object": "checkout.session", "amount_total": s.amount, "currency": s.currency, "mode": "payment",
                                "status": s.status, "payment_status": s.paymentStatus, "success_url": s.successURL, "cancel_url": s.cancelURL,
                                "url": settings.publicURL + "/sandbox/stripe/pay/\(s.id)", "metadata": s.metadata]
        o["client_reference_id"] = s.clientReference ?? NSNull()
        o["payment_intent"] = s.paymentIntent ?? NSNull()
        return o
    }

    func createStripeSession(form: String) -> GatewayResponse {
        guard let fields = try? FormEncoding.decodeQuery(form) else {
            return Self.jsonResponse(400, ["error": ["type": "invalid_request_error", "message": "Malformed form body"]])
        }
        func field(_ k: String) -> String? { fields.first { $0.0 == k }?.1 }
        guard field("mode") == "payment", let currency = field("line_items[0][price_data][currency]"),
              let unit = field("line_items[0][price_data][unit_amount]").flatMap(Int64.init), unit > 0,
              let quantity = field("line_items[0][quantity]").flatMap(Int64.init), quantity > 0,
              let success = field("success_url"), let cancel = field("cancel_url") else {
            return Self.jsonResponse(400, ["error": ["type": "invalid_request_error", "message": "Missing required param"]])
        }
        var metadata: [String: String] = [:]
        for (k, v) in fields where k.hasPrefix("metadata[") && k.hasSuffix("]") { metadata[String(k.dropFirst(9).dropLast())] = v }
        var session = StripeSession(id: Self.randomID("cs_test_"), amount: unit * quantity, currency: currency, name: field("line_items[0][price_data][product_data][name]") ?? "",
                                    successURL: success, cancelURL: cancel, clientReference: field("client_reference_id"), metadata: metadata)
        session.saveCard = field("payment_intent_data[setup_future_usage]") == "off_session"
        stripeSessions.withLock { $0[session.id] = session }
        return Self.jsonResponse(200, sessionJSON(session))
    }

    /// `POST /v1/payment_intents` with `off_session` and `confirm`: charges a saved card now.
    func stripeOffSession(form: String) -> GatewayResponse {
        guard let fields = try? FormEncoding.decodeQuery(form) else { return Self.jsonResponse(400, ["error": ["type": "invalid_request_error"]]) }
        func f(_ k: String) -> String? { fields.first { $0.0 == k }?.1 }
        guard let amount = f("amount").flatMap(Int64.init), amount > 0, let currency = f("currency"), let customer = f("customer"),
              let pm = f("payment_method"), f("confirm") == "true" else {
            return Self.jsonResponse(400, ["error": ["type": "invalid_request_error", "message": "Missing required param"]])
        }
        guard let card = stripeCards.withLock({ $0[pm] }), card.customer == customer else {
            return Self.jsonResponse(400, ["error": ["type": "invalid_request_error", "code": "resource_missing", "message": "No such PaymentMethod: '\(pm)'"]])
        }
        if ["4000000000000341", "4000000000000002", "4000000000009995"].contains(card.number) {
            return Self.jsonResponse(402, ["error": ["type": "card_error", "code": "card_declined",
                                                     "decline_code": card.number.hasSuffix("9995") ? "insufficient_funds" : "generic_decline",
                                                     "message": "Your card was declined."]])
        }
        let intent = StripeIntent(id: Self.randomID("pi_"), amount: amount, currency: currency, customer: customer, paymentMethod: pm)
        stripeIntents.withLock { $0[intent.id] = intent }
        return Self.jsonResponse(200, ["id": intent.id, "object": "payment_intent", "amount": amount, "currency": currency, "status": "succeeded"])
    }

    /// `POST /v1/refunds`: at most what the PaymentIntent's session took, less earlier refunds.
    func stripeRefund(form: String) -> GatewayResponse {
        guard let fields = try? FormEncoding.decodeQuery(form), let intent = fields.first(where: { $0.0 == "payment_intent" })?.1 else {
            return Self.jsonResponse(400, ["error": ["type": "invalid_request_error", "message": "Missing required param: payment_intent."]])
        }
        return stripeSessions.withLock { sessions in
            guard let key = sessions.first(where: { $0.value.paymentIntent == intent })?.key, var s = sessions[key] else {
                return Self.jsonResponse(404, ["error": ["type": "invalid_request_error", "message": "No such payment_intent: '\(intent)'"]])
            }
            let amount = fields.first { $0.0 == "amount" }.flatMap { Int64($0.1) } ?? (s.amount - s.refunded)
            guard amount > 0, amount <= s.amount - s.refunded else {
                return Self.jsonResponse(400, ["error": ["type": "invalid_request_error", "code": "amount_too_large",
                                                         "message": "Refund amount is greater than unrefunded amount on charge"]])
            }
            s.refunded += amount
            sessions[key] = s
            return Self.jsonResponse(200, ["id": Self.randomID("re_"), "object": "refund", "amount": amount, "currency": s.currency,
                                           "payment_intent": intent, "status": "succeeded"])
        }
    }

    /// VNPAY's merchant API: querydr and refund, checksums checked and answers signed as VNPAY does.
    func vnpayAPI(body: Data, config: VNPay.Configuration) -> GatewayResponse {
        guard let o = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return Self.jsonResponse(200, ["vnp_ResponseCode": "03"]) }
        func f(_ k: String) -> String { (o[k] as? String) ?? (o[k] as? NSNumber)?.stringValue ?? "" }
        let command = f("vnp_Command")
        let requestFields = command == "querydr"
            ? ["vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef", "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo"]
            : ["vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TransactionType", "vnp_TxnRef", "vnp_Amount", "vnp_TransactionNo",
               "vnp_TransactionDate", "vnp_CreateBy", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo"]
        guard PaymentCrypto.hexSignatureMatches(expected: VNPay.pipeChecksum(requestFields.map(f), secret: config.hashSecret), received: f("vnp_SecureHash")) else {
            return Self.jsonResponse(200, ["vnp_ResponseCode": "97", "vnp_Message": "Invalid Checksum"])   // unsigned, as VNPAY answers it
        }
        let ref = f("vnp_TxnRef")
        guard let payment = vnpayPayments.withLock({ $0[ref] }) else {
            return Self.jsonResponse(200, ["vnp_ResponseCode": "91", "vnp_Message": "Transaction not found"])
        }
        var answer: [String: String] = [
            "vnp_ResponseId": Self.randomDigits(10), "vnp_Command": command, "vnp_ResponseCode": "00", "vnp_Message": "Success", "vnp_TmnCode": config.tmnCode,
            "vnp_TxnRef": ref, "vnp_Amount": String(payment.amount * 100), "vnp_BankCode": "NCB", "vnp_PayDate": payment.payDate,
            "vnp_TransactionNo": payment.transactionNo, "vnp_TransactionType": "01", "vnp_TransactionStatus": payment.paid ? "00" : "02",
            "vnp_OrderInfo": f("vnp_OrderInfo"), "vnp_PromotionCode": "", "vnp_PromotionAmount": "",
        ]
        var hashFields = VNPay.queryResponseHashFields
        if command == "refund" {
            let amount = (Int64(f("vnp_Amount")) ?? 0) / 100
            guard payment.paid, amount > 0, amount <= payment.amount - payment.refunded else {
                answer["vnp_ResponseCode"] = "95"
                answer["vnp_Message"] = "Refund refused"
                answer["vnp_SecureHash"] = VNPay.pipeChecksum(VNPay.refundResponseHashFields.map { answer[$0] ?? "" }, secret: config.hashSecret)
                return Self.jsonResponse(200, answer)
            }
            vnpayPayments.withLock { $0[ref]?.refunded += amount }
            answer["vnp_Amount"] = f("vnp_Amount")
            answer["vnp_TransactionType"] = f("vnp_TransactionType")
            answer["vnp_TransactionStatus"] = "05"
            answer["vnp_TransactionNo"] = Self.randomDigits(8)
            hashFields = VNPay.refundResponseHashFields
        }
        answer["vnp_SecureHash"] = VNPay.pipeChecksum(hashFields.map { answer[$0] ?? "" }, secret: config.hashSecret)
        return Self.jsonResponse(200, answer)
    }

    func vnptInit(body: Data, config: VNPTPay.Configuration) -> GatewayResponse {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return Self.jsonResponse(400, ["RESPONSE_CODE": "03", "DESCRIPTION": "Bad format"])
        }
        func text(_ k: String) -> String { (object[k] as? String) ?? (object[k] as? NSNumber)?.stringValue ?? "" }
        let order = ["ACTION", "VERSION", "MERCHANT_SERVICE_ID", "MERCHANT_ORDER_ID", "AMOUNT", "AMOUNT_DETAIL", "SERVICE_ID", "DEVICE", "LOCALE",
                     "CURRENCY_CODE", "PAYMENT_METHOD", "DESCRIPTION", "CREATE_DATE", "CLIENT_IP"]
        let expected = VNPTPay.secureCode(order.map(text), secretKey: config.secretKey)
        guard PaymentCrypto.hexSignatureMatches(expected: expected, received: text("SECURE_CODE")) else {
            return Self.jsonResponse(200, ["RESPONSE_CODE": "97", "DESCRIPTION": "Invalid secure code"])
        }
        guard let amount = Int64(text("AMOUNT")), amount > 0 else { return Self.jsonResponse(200, ["RESPONSE_CODE": "03", "DESCRIPTION": "Bad amount"]) }
        let orderID = text("MERCHANT_ORDER_ID")
        vnptOrders.withLock { $0[orderID] = VNPTOrder(orderID: orderID, amount: amount, description: text("DESCRIPTION")) }
        let redirect = settings.publicURL + "/sandbox/vnptpay/pay/\(orderID)"
        let fields = ["RESPONSE_CODE": "00", "DESCRIPTION": "Success", "MERCHANT_ORDER_ID": orderID, "REDIRECT_URL": redirect]
        var answer: [String: Any] = fields
        answer["SECURE_CODE"] = VNPTPay.secureCode(VNPTPay.initResponseFieldOrder.map { fields[$0] ?? "" }, secretKey: config.secretKey)
        return Self.jsonResponse(200, answer)
    }

    /// `/query_transaction`: the order's state, signed like a notification.
    func vnptQuery(body: Data, config: VNPTPay.Configuration) -> GatewayResponse {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return Self.jsonResponse(400, ["RESPONSE_CODE": "03", "DESCRIPTION": "Bad format"])
        }
        func text(_ k: String) -> String { (object[k] as? String) ?? (object[k] as? NSNumber)?.stringValue ?? "" }
        let order = ["ACTION", "VERSION", "MERCHANT_SERVICE_ID", "MERCHANT_ORDER_ID", "CREATE_DATE"]
        guard PaymentCrypto.hexSignatureMatches(expected: VNPTPay.secureCode(order.map(text), secretKey: config.secretKey), received: text("SECURE_CODE")) else {
            return Self.jsonResponse(200, ["RESPONSE_CODE": "97", "DESCRIPTION": "Invalid secure code"])
        }
        guard let o = vnptOrders.withLock({ $0[text("MERCHANT_ORDER_ID")] }) else {
            return Self.jsonResponse(200, ["RESPONSE_CODE": "91", "DESCRIPTION": "Order not found"])
        }
        let status = o.status == "paid" ? "00" : o.status == "pending" ? "01" : "02"
        var fields: [String: String] = [
            "RESPONSE_CODE": status, "DESCRIPTION": o.status, "MERCHANT_ORDER_ID": o.orderID, "VNPTPAY_TRANSACTION_ID": o.transactionID ?? "",
            "AMOUNT": String(o.amount), "LOCALE": "vi-VN", "CURRENCY_CODE": "VND", "PAYMENT_METHOD": "VNPTPAY", "PAY_DATE": "",
            "TRANSACTION_STATUS": status, "ADDITIONAL_INFO": "",
        ]
        fields["SECURE_CODE"] = VNPTPay.secureCode(VNPTPay.queryResponseFieldOrder.map { fields[$0] ?? "" }, secretKey: config.secretKey)
        return Self.jsonResponse(200, fields)
    }

    /// When set, VNPT Pay "loses" its next notification (a test of the query).
    public func dropNextVNPTNotification() { dropNextVNPT.withLock { $0 = true } }

    // MARK: VNPAY's pages

    /// `GET …/paymentv2/vpcpay.html?…`: checks the merchant's signature as VNPAY does.
    func vnpayPage(query: String) -> GatewayAnswer {
        guard let config = settings.vnpay, let params = try? FormEncoding.decodeQuery(query),
              let hash = params.first(where: { $0.0 == "vnp_SecureHash" })?.1 else {
            return Pages.message(400, "VNPAY sandbox: the payment link has no signature.")
        }
        let signed = params.filter { $0.0.hasPrefix("vnp_") && $0.0 != "vnp_SecureHash" && $0.0 != "vnp_SecureHashType" && !$0.1.isEmpty }
        guard PaymentCrypto.hexSignatureMatches(expected: VNPay.secureHash(for: signed, secret: config.hashSecret), received: hash) else {
            return Pages.message(400, "VNPAY sandbox: sai chữ ký — the payment link's signature is invalid (code 70).")
        }
        func p(_ k: String) -> String { params.first { $0.0 == k }?.1 ?? "" }
        let amount = (Int64(p("vnp_Amount")) ?? 0) / 100
        let body = """
            <h1>VNPAY — Cổng thanh toán (sandbox)</h1>
            <p class="muted">Merchant \(Pages.escape(p("vnp_TmnCode"))) · Order \(Pages.escape(p("vnp_TxnRef")))</p>
            <p class="amount" id="amount">\(amount) VND</p><p>\(Pages.escape(p("vnp_OrderInfo")))</p>
            <form method="post" action="/sandbox/vnpay/complete"><input type="hidden" name="q" value="\(Pages.escape(query))">
            <label>Thẻ ATM (NCB) <input name="card" value="9704198526191432198"></label>
            <button name="outcome" value="pay" id="pay">Thanh toán</button> <button class="secondary" name="outcome" value="cancel" id="cancel">Hủy giao dịch</button></form>
            """
        return GatewayAnswer(status: 200, contentType: "text/html; charset=utf-8", body: Pages.page("VNPAY sandbox", body))
    }

    /// The customer paid or cancelled: VNPAY's IPN to the merchant, then the browser to its return URL.
    func vnpayComplete(form: String) async -> (GatewayAnswer?, redirect: String?) {
        guard let config = settings.vnpay, let formFields = try? FormEncoding.decodeQuery(form),
              let query = formFields.first(where: { $0.0 == "q" })?.1, let params = try? FormEncoding.decodeQuery(query) else {
            return (Pages.message(400, "VNPAY sandbox: bad request."), nil)
        }
        let page = vnpayPage(query: query)
        guard page.status == 200 else { return (page, nil) }
        func p(_ k: String) -> String { params.first { $0.0 == k }?.1 ?? "" }
        let paid = formFields.first { $0.0 == "outcome" }?.1 == "pay"
        var callback: [(String, String)] = [
            ("vnp_Amount", p("vnp_Amount")), ("vnp_BankCode", "NCB"), ("vnp_CardType", "ATM"), ("vnp_OrderInfo", p("vnp_OrderInfo")),
            ("vnp_PayDate", VNPay.formatDate(clock.now())), ("vnp_ResponseCode", paid ? "00" : "24"), ("vnp_TmnCode", config.tmnCode),
            ("vnp_TransactionNo", paid ? Self.randomDigits(8) : "0"), ("vnp_TransactionStatus", paid ? "00" : "02"), ("vnp_TxnRef", p("vnp_TxnRef")),
        ]
        if paid { callback.append(("vnp_BankTranNo", "VNP" + Self.randomDigits(8))) }
        let signedQuery = VNPay.canonicalQuery(callback) + "&vnp_SecureHash=" + VNPay.secureHash(for: callback, secret: config.hashSecret)
        let payDate = callback.first { $0.0 == "vnp_PayDate" }!.1
        let transactionNo = callback.first { $0.0 == "vnp_TransactionNo" }!.1
        vnpayPayments.withLock { $0[p("vnp_TxnRef")] = VNPayPayment(amount: (Int64(p("vnp_Amount")) ?? 0) / 100, transactionNo: transactionNo, payDate: payDate, paid: paid) }
        if dropNextIPN.withLock({ let d = $0; $0 = false; return d }) {
            lastAnswers.withLock { $0["vnpay"] = "not sent" }
        } else {
            let answer = await callbacks.vnpayIPN(query: signedQuery)
            lastAnswers.withLock { $0["vnpay"] = answer.body }
        }
        let returnURL = p("vnp_ReturnUrl")
        return (nil, returnURL + (returnURL.contains("?") ? "&" : "?") + signedQuery)
    }

    // MARK: Stripe's pages

    func stripePage(session id: String, error: String? = nil) -> GatewayAnswer {
        guard let s = stripeSessions.withLock({ $0[id] }) else { return Pages.message(404, "Stripe sandbox: no such checkout session.") }
        guard s.status == "open" else { return Pages.message(410, "Stripe sandbox: this checkout session is \(s.status).") }
        let exponent = StripeCurrency.stripeExponent(s.currency.uppercased())
        let shown = (try? Money(minorUnits: s.amount, currency: Currency(code: s.currency.uppercased())).decimalString) ?? String(s.amount)
        let body = """
            <h1>Stripe Checkout (sandbox)</h1><p>\(Pages.escape(s.name))</p>
            <p class="amount" id="amount" data-exponent="\(exponent)">\(Pages.escape(shown)) \(Pages.escape(s.currency.uppercased()))</p>
            \(error.map { "<p class=\"error\" id=\"error\">\(Pages.escape($0))</p>" } ?? "")
            <form method="post" action="/sandbox/stripe/pay/\(Pages.escape(s.id))">
            <label>Card number <input name="card" id="card" value="4242 4242 4242 4242"></label>
            <button id="pay">Pay</button> <a class="button secondary" id="cancel" href="\(Pages.escape(s.cancelURL))">Cancel</a></form>
            <p class="muted">4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined.</p>
            """
        return GatewayAnswer(status: 200, contentType: "text/html; charset=utf-8", body: Pages.page("Stripe Checkout sandbox", body))
    }

    func stripePay(session id: String, form: String) async -> (GatewayAnswer?, redirect: String?) {
        guard let stripe = settings.stripe, var s = stripeSessions.withLock({ $0[id] }), s.status == "open" else { return (stripePage(session: id), nil) }
        let card = (try? FormEncoding.decodeQuery(form))?.first { $0.0 == "card" }?.1.filter(\.isNumber) ?? ""
        if ["4000000000000002", "4000000000000341", "4000000000009995"].contains(card) {
            // Checkout shows the decline and keeps the session open; no event is sent.
            return (stripePage(session: id, error: "Your card was declined."), nil)
        }
        s.status = "complete"
        s.paymentStatus = "paid"
        var intent = StripeIntent(id: Self.randomID("pi_"), amount: s.amount, currency: s.currency)
        if s.saveCard {
            let customer = Self.randomID("cus_")
            let card = StripeCard(id: Self.randomID("pm_"), customer: customer, number: card)
            stripeCards.withLock { $0[card.id] = card }
            intent.customer = customer
            intent.paymentMethod = card.id
        }
        s.paymentIntent = intent.id
        let savedIntent = intent
        stripeIntents.withLock { $0[savedIntent.id] = savedIntent }
        let session = s
        stripeSessions.withLock { $0[id] = session }
        let now = Int64(clock.now().timeIntervalSince1970)
        let event: [String: Any] = ["id": Self.randomID("evt_"), "object": "event", "type": "checkout.session.completed", "created": now,
                                    "livemode": false, "data": ["object": sessionJSON(session)]]
        let body = (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])) ?? Data()
        let header = StripeSignature(secret: stripe.webhookSecret).header(for: body, timestamp: now)
        let answer = await callbacks.stripeWebhook(body: body, signature: header)
        lastAnswers.withLock { $0["stripe"] = "\(answer.status) \(answer.body)" }
        return (nil, s.successURL.replacingOccurrences(of: StripeCheckoutSessionRequest.sessionIDPlaceholder, with: s.id))
    }

    // MARK: 2Checkout's pages

    func twoCheckoutPage(query: String) -> GatewayAnswer {
        guard let tco = settings.twoCheckout, let params = try? FormEncoding.decodeQuery(query),
              let signature = params.first(where: { $0.0 == "signature" })?.1 else {
            return Pages.message(400, "2Checkout sandbox: the buy link has no signature.")
        }
        let signed = params.filter { $0.0 != "merchant" && $0.0 != "signature" }
        guard params.first(where: { $0.0 == "merchant" })?.1 == tco.merchant,
              PaymentCrypto.hexSignatureMatches(expected: TwoCheckout.buyLinkSignature(parameters: signed, secretWord: tco.buyLinkSecret), received: signature) else {
            return Pages.message(400, "2Checkout sandbox: the buy link's signature is invalid.")
        }
        if let expiration = params.first(where: { $0.0 == "expiration" }).flatMap({ Int64($0.1) }), expiration < Int64(clock.now().timeIntervalSince1970) {
            return Pages.message(400, "2Checkout sandbox: the buy link has expired.")
        }
        func p(_ k: String) -> String { params.first { $0.0 == k }?.1 ?? "" }
        let body = """
            <h1>2Checkout (sandbox)</h1><p>\(Pages.escape(p("prod")))</p>
            <p class="amount" id="amount">\(Pages.escape(p("price"))) \(Pages.escape(p("currency")))</p>
            <form method="post" action="/sandbox/2checkout/complete"><input type="hidden" name="q" value="\(Pages.escape(query))">
            <button name="outcome" value="pay" id="pay">Place order</button> <button class="secondary" name="outcome" value="cancel" id="cancel">Cancel</button></form>
            """
        return GatewayAnswer(status: 200, contentType: "text/html; charset=utf-8", body: Pages.page("2Checkout sandbox", body))
    }

    func twoCheckoutComplete(form: String) async -> (GatewayAnswer?, redirect: String?) {
        guard let tco = settings.twoCheckout, let formFields = try? FormEncoding.decodeQuery(form),
              let query = formFields.first(where: { $0.0 == "q" })?.1, let params = try? FormEncoding.decodeQuery(query) else {
            return (Pages.message(400, "2Checkout sandbox: bad request."), nil)
        }
        let page = twoCheckoutPage(query: query)
        guard page.status == 200 else { return (page, nil) }
        func p(_ k: String) -> String { params.first { $0.0 == k }?.1 ?? "" }
        guard formFields.first(where: { $0.0 == "outcome" })?.1 == "pay" else { return (nil, p("return-url")) }
        let now = TwoCheckout.formatDate(clock.now())
        var ipn: [(String, String)] = [
            ("SALEDATE", now), ("REFNO", Self.randomDigits(9)), ("REFNOEXT", p("order-ext-ref")), ("ORDERNO", Self.randomDigits(5)),
            ("ORDERSTATUS", "COMPLETE"), ("PAYMETHOD", "Visa/MasterCard"), ("FIRSTNAME", "Sandbox"), ("LASTNAME", "Customer"),
            ("IPN_PID[]", "1"), ("IPN_PNAME[]", p("prod")), ("IPN_QTY[]", p("qty")), ("IPN_PRICE[]", p("price")),
            ("IPN_TOTALGENERAL", p("price")), ("CURRENCY", p("currency")), ("IPN_DATE", now),
        ]
        ipn.append(("HASH", TwoCheckout.Algorithm.md5.hex(secretKey: tco.secretKey, message: TwoCheckout.ipnSourceString(ipn))))
        ipn.append(("SIGNATURE_SHA2_256", TwoCheckout.Algorithm.sha256.hex(secretKey: tco.secretKey, message: TwoCheckout.ipnSourceString(ipn))))
        ipn.append(("SIGNATURE_SHA3_256", TwoCheckout.Algorithm.sha3_256.hex(secretKey: tco.secretKey, message: TwoCheckout.ipnSourceString(ipn))))
        let answer = await callbacks.twoCheckoutIPN(body: FormEncoding.encode(ipn))
        // 2Checkout checks the read receipt; without a valid one it would send the IPN again.
        let fields = Array(ipn.prefix(ipn.count - 3))
        let receiptOK: Bool = {
            guard answer.status == 200, let start = answer.body.range(of: "date=\""), let end = answer.body[start.upperBound...].firstIndex(of: "\"") else { return false }
            let date = String(answer.body[start.upperBound..<end])
            return (try? TwoCheckout.readReceipt(for: fields, secretKey: tco.secretKey, date: date)) == answer.body
        }()
        lastAnswers.withLock { $0["2checkout"] = receiptOK ? "receipt ok" : "no valid receipt: \(answer.status) \(answer.body)" }
        return (nil, p("return-url"))
    }

    // MARK: VNPT Pay's pages

    func vnptPage(order id: String) -> GatewayAnswer {
        guard let o = vnptOrders.withLock({ $0[id] }) else { return Pages.message(404, "VNPT Pay sandbox: no such order.") }
        guard o.status == "pending" else { return Pages.message(410, "VNPT Pay sandbox: this order is \(o.status).") }
        let body = """
            <h1>VNPT Pay (sandbox)</h1><p>\(Pages.escape(o.description))</p><p class="amount" id="amount">\(o.amount) VND</p>
            <form method="post" action="/sandbox/vnptpay/pay/\(Pages.escape(id))">
            <button name="outcome" value="pay" id="pay">Thanh toán</button> <button class="secondary" name="outcome" value="cancel" id="cancel">Hủy</button></form>
            """
        return GatewayAnswer(status: 200, contentType: "text/html; charset=utf-8", body: Pages.page("VNPT Pay sandbox", body))
    }

    func vnptPay(order id: String, form: String) async -> (GatewayAnswer?, redirect: String?) {
        guard let config = settings.vnptpay, var o = vnptOrders.withLock({ $0[id] }), o.status == "pending" else { return (vnptPage(order: id), nil) }
        let paid = (try? FormEncoding.decodeQuery(form))?.first { $0.0 == "outcome" }?.1 == "pay"
        o.status = paid ? "paid" : "cancelled"
        o.transactionID = Self.randomDigits(12)
        let order = o
        vnptOrders.withLock { $0[id] = order }
        var fields: [String: String] = [
            "RESPONSE_CODE": paid ? "00" : "24", "DESCRIPTION": paid ? "Success" : "Cancelled", "MERCHANT_ORDER_ID": id,
            "VNPTPAY_TRANSACTION_ID": order.transactionID!, "AMOUNT": String(o.amount), "LOCALE": "vi-VN", "CURRENCY_CODE": "VND",
            "PAYMENT_METHOD": "VNPTPAY", "PAY_DATE": VNPTPay.formatDate(clock.now()), "TRANSACTION_STATUS": paid ? "00" : "02", "ADDITIONAL_INFO": "",
        ]
        fields["SECURE_CODE"] = VNPTPay.secureCode(VNPTPay.queryResponseFieldOrder.map { fields[$0] ?? "" }, secretKey: config.secretKey)
        let body = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        if dropNextVNPT.withLock({ let d = $0; $0 = false; return d }) {
            lastAnswers.withLock { $0["vnptpay"] = "not sent" }
        } else {
            let answer = await callbacks.vnptpayNotify(body: body)
            lastAnswers.withLock { $0["vnptpay"] = answer.body }
        }
        return (nil, settings.publicURL + "/payments/return/\(id)")
    }
}
