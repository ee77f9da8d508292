public import Foundation

/// One HTTP request to a gateway's API (Stripe sessions and refunds, VNPAY querydr and
/// refund, VNPT Pay init).
public struct GatewayRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: Data
    public init(method: String = "POST", url: String, headers: [(String, String)], body: Data) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// What a gateway's API answered.
public struct GatewayResponse: Sendable {
    public var status: Int
    public var body: Data
    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }
}

/// Sends requests to gateways: over the network in production; in sandbox mode to
/// simulators that read the same bytes a gateway would.
public protocol GatewayTransport: Sendable {
    func send(_ request: GatewayRequest) async throws -> GatewayResponse
}

/// A payment to start: what the merchant knows of it.
public struct GatewayPaymentRequest: Sendable {
    /// The attempt's reference, echoed by every notification (`vnp_TxnRef`, `client_reference_id`…).
    public var reference: String
    public var invoiceNumber: String
    /// Minor units of `currency` (dong, yen, cents).
    public var amount: Int64
    public var currency: String
    public var currencyExponent: Int
    /// Where the gateway sends the customer's browser back.
    public var returnURL: String
    public var clientIP: String
    public var now: Date
    /// Keep the card for off-session charges (gateways that can).
    public var savePaymentMethod: Bool
    public init(reference: String, invoiceNumber: String, amount: Int64, currency: String, currencyExponent: Int, returnURL: String,
                clientIP: String, now: Date, savePaymentMethod: Bool = false) {
        self.reference = reference
        self.invoiceNumber = invoiceNumber
        self.amount = amount
        self.currency = currency
        self.currencyExponent = currencyExponent
        self.returnURL = returnURL
        self.clientIP = clientIP
        self.now = now
        self.savePaymentMethod = savePaymentMethod
    }
}

/// Where to send the customer, and the gateway's id for the payment when it gives one.
public struct GatewayPaymentPage: Sendable, Equatable {
    public var url: String
    public var gatewayReference: String?
    public init(url: String, gatewayReference: String?) {
        self.url = url
        self.gatewayReference = gatewayReference
    }
}

/// A notification as received: the query (GET) or the raw body (POST) and the headers.
public struct GatewayCallback: Sendable {
    public var query: String
    public var body: Data
    /// Header names in lower case.
    public var headers: [String: String]
    public var now: Date
    public init(query: String = "", body: Data = Data(), headers: [String: String] = [:], now: Date) {
        self.query = query
        self.body = body
        self.headers = headers
        self.now = now
    }
}

/// A verified notification, in the merchant's terms.
public struct GatewayEvent: Sendable, Equatable {
    public var reference: String
    public var amount: Int64
    public var currency: String
    public var succeeded: Bool
    /// The gateway's transaction (VNPAY's number, a PaymentIntent, a REFNO): the payment's dedupe key.
    public var gatewayReference: String?
    /// An id to remember so a replay is recognised first (Stripe's `evt_…`).
    public var eventID: String?
    public var eventType: String
    public var failureReason: String?
    /// Digits after the decimal point in `amount` when the gateway writes decimals (2Checkout's
    /// `16.20`); nil when `amount` is already in the currency's minor units.
    public var amountDecimals: Int?
    public init(reference: String, amount: Int64, currency: String, succeeded: Bool, gatewayReference: String?, eventID: String? = nil,
                eventType: String, failureReason: String? = nil) {
        self.reference = reference
        self.amount = amount
        self.currency = currency
        self.succeeded = succeeded
        self.gatewayReference = gatewayReference
        self.eventID = eventID
        self.eventType = eventType
        self.failureReason = failureReason
    }
}

/// What a notification is once verified.
public enum GatewayVerdict: Sendable {
    /// Apply it.
    case event(GatewayEvent)
    /// Signed, but nothing to apply (an event type the merchant does not act on).
    case ignore(String)
    /// Refused: bad signature, malformed, wrong merchant.
    case reject(PaymentProtocolError)
}

/// What the merchant did with a verified event, in VNPAY's check order.
public enum GatewayOutcome: Sendable, Equatable {
    case notFound
    case currencyMismatch
    case amountMismatch
    case alreadyProcessed
    case recorded
    /// Something failed on the merchant's side: the gateway should retry.
    case error
}

/// The HTTP answer a gateway expects for a notification.
public struct GatewayAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String
    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func json(_ status: Int, _ object: [String: String]) -> GatewayAnswer {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return GatewayAnswer(status: status, contentType: "application/json", body: body)
    }
}

/// A card kept at a gateway for off-session charges.
public struct GatewaySavedMethod: Sendable, Equatable {
    public var customer: String
    public var method: String
    public var last4: String
    public init(customer: String, method: String, last4: String) {
        self.customer = customer
        self.method = method
        self.last4 = last4
    }
}

/// What an off-session charge did.
public enum GatewayChargeResult: Sendable, Equatable {
    case succeeded(reference: String)
    case declined(reason: String)
}

/// A payment gateway, at the protocol level: start a payment (a page to send the
/// customer to), verify and interpret its notifications and answer them as it expects,
/// ask it about a payment, refund where it allows. Each implementation is a pure
/// function of its settings and inputs; the HTTP goes through a ``GatewayTransport``.
public protocol PaymentGateway: Sendable {
    /// `vnpay`, `vnptpay`, `stripe`, `2checkout`.
    var name: String { get }
    /// The currencies it takes; nil for any.
    var currencies: Set<String>? { get }
    func startPayment(_ request: GatewayPaymentRequest, transport: any GatewayTransport) async throws -> GatewayPaymentPage
    func verify(_ callback: GatewayCallback) -> GatewayVerdict
    /// The answer for a notification: `outcome` is nil unless the verdict was an event.
    func answer(_ verdict: GatewayVerdict, outcome: GatewayOutcome?, callback: GatewayCallback) -> GatewayAnswer
    /// Asks about a payment whose notification never came; nil while it is undecided.
    func query(reference: String, gatewayReference: String?, createdAt: Date, now: Date, transport: any GatewayTransport) async throws -> GatewayEvent?
    /// Refunds `amount` of a payment; returns the gateway's refund id. `requestID` is the
    /// merchant's id for this refund: the same id never refunds twice.
    func refund(reference: String, requestID: String, gatewayPayment: String?, amount: Int64, currency: String, full: Bool, paidAt: Date, now: Date, actor: String,
                transport: any GatewayTransport) async throws -> String
}

extension PaymentGateway {
    public var currencies: Set<String>? { nil }

    public func query(reference: String, gatewayReference: String?, createdAt: Date, now: Date, transport: any GatewayTransport) async throws -> GatewayEvent? {
        throw PaymentProtocolError(code: PaymentProtocolError.Code.unsupported, message: "\(name) cannot be asked about a payment; wait for its notification",
                                   values: ["gateway": name])
    }

    public func refund(reference: String, requestID: String, gatewayPayment: String?, amount: Int64, currency: String, full: Bool, paidAt: Date, now: Date, actor: String,
                       transport: any GatewayTransport) async throws -> String {
        throw PaymentProtocolError(code: PaymentProtocolError.Code.unsupported, message: "\(name) has no refund API here; pay it back by hand",
                                   values: ["gateway": name])
    }
}

/// The gateway's API answered something it should not have.
func unavailable(_ gateway: String, _ response: GatewayResponse) -> PaymentProtocolError {
    PaymentProtocolError(code: PaymentProtocolError.Code.gatewayUnavailable,
                         message: "\(gateway) answered \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))",
                         values: ["gateway": gateway, "status": String(response.status)])
}

// MARK: - VNPAY

public struct VNPayGateway: PaymentGateway {
    public let name = "vnpay"
    public let currencies: Set<String>? = ["VND"]
    public let vnpay: VNPay
    public init(configuration: VNPay.Configuration) { vnpay = VNPay(configuration: configuration) }

    public func startPayment(_ r: GatewayPaymentRequest, transport: any GatewayTransport) async throws -> GatewayPaymentPage {
        let request = VNPay.PaymentRequest(txnRef: r.reference, amount: r.amount, currency: r.currency, orderInfo: "Thanh toan hoa don \(r.invoiceNumber)",
                                           ipAddress: r.clientIP, returnURL: r.returnURL, createdAt: r.now, expiresAt: r.now.addingTimeInterval(15 * 60))
        return GatewayPaymentPage(url: try vnpay.paymentURL(for: request).absoluteString, gatewayReference: nil)
    }

    public func verify(_ c: GatewayCallback) -> GatewayVerdict {
        do {
            let cb = try vnpay.verifyCallback(query: c.query)
            return .event(GatewayEvent(reference: cb.txnRef, amount: cb.amount, currency: "VND", succeeded: cb.isSuccess,
                                       gatewayReference: cb.transactionNo.flatMap { $0 == "0" ? nil : $0 }, eventType: "ipn",
                                       failureReason: cb.isSuccess ? nil : "vnpay \(cb.responseCode)/\(cb.transactionStatus)"))
        } catch {
            return .reject(error)
        }
    }

    /// `{"RspCode":"..","Message":".."}`, always HTTP 200, in VNPAY's order: 97, 01, 04, 02, 00, 99.
    public func answer(_ verdict: GatewayVerdict, outcome: GatewayOutcome?, callback: GatewayCallback) -> GatewayAnswer {
        let response: VNPay.IPNResponse
        switch (verdict, outcome) {
        case (.reject(let error), _): response = VNPay.ipnResponse(for: .failure(error), order: .notFound)
        case (_, .notFound?): response = VNPay.IPNResponse(.orderNotFound)
        case (_, .amountMismatch?), (_, .currencyMismatch?): response = VNPay.IPNResponse(.invalidAmount)
        case (_, .alreadyProcessed?): response = VNPay.IPNResponse(.orderAlreadyConfirmed)
        case (_, .recorded?), (.ignore, _): response = VNPay.IPNResponse(.confirmSuccess)
        case (_, .error?), (.event, nil): response = VNPay.IPNResponse(.unknownError)
        }
        return .json(200, ["RspCode": response.rspCode.rawValue, "Message": response.message])
    }

    /// querydr: only a signed `00` answer about a payment (type `01`) that is decided counts.
    public func query(reference: String, gatewayReference: String?, createdAt: Date, now: Date, transport: any GatewayTransport) async throws -> GatewayEvent? {
        let request = vnpay.queryRequest(.init(requestId: "Q\(Int64(now.timeIntervalSince1970 * 1000))", txnRef: reference, orderInfo: "Tra cuu \(reference)",
                                               transactionDate: createdAt, createdAt: now, ipAddress: "127.0.0.1"))
        let response = try await transport.send(GatewayRequest(url: request.url.absoluteString, headers: [("Content-Type", "application/json")],
                                                               body: request.jsonBody))
        let answer = try vnpay.verifyQueryResponse(response.body)
        guard answer.isSigned, answer.responseCode == "00", answer.transactionType == "01", let amount = answer.amount,
              let status = answer.transactionStatus, status != "01" else { return nil }
        return GatewayEvent(reference: reference, amount: amount, currency: "VND", succeeded: answer.confirmsPayment,
                            gatewayReference: answer["vnp_TransactionNo"], eventType: "querydr",
                            failureReason: answer.confirmsPayment ? nil : "vnpay status \(status)")
    }

    public func refund(reference: String, requestID: String, gatewayPayment: String?, amount: Int64, currency: String, full: Bool, paidAt: Date, now: Date, actor: String,
                       transport: any GatewayTransport) async throws -> String {
        let request = try vnpay.refundRequest(.init(requestId: requestID, type: full ? .full : .partial, txnRef: reference,
                                                    amount: amount, currency: currency, transactionNo: gatewayPayment, transactionDate: paidAt,
                                                    createdBy: String(actor.prefix(50)), createdAt: now, ipAddress: "127.0.0.1",
                                                    orderInfo: "Hoan tien \(reference)"))
        let response = try await transport.send(GatewayRequest(url: request.url.absoluteString, headers: [("Content-Type", "application/json")],
                                                               body: request.jsonBody))
        let answer = try vnpay.verifyRefundResponse(response.body)
        guard answer.isSigned, answer.responseCode == "00" else {
            throw PaymentProtocolError(code: PaymentProtocolError.Code.gatewayUnavailable,
                                       message: "VNPAY refused the refund: \(answer.responseCode) \(answer["vnp_Message"] ?? "")",
                                       values: ["response_code": answer.responseCode])
        }
        return answer["vnp_TransactionNo"] ?? requestID
    }
}

// MARK: - Stripe

public struct StripeGateway: PaymentGateway {
    public let name = "stripe"
    public let secretKey: String
    public let webhookSecret: String
    public let apiBase: String
    public init(secretKey: String, webhookSecret: String, apiBase: String) {
        self.secretKey = secretKey
        self.webhookSecret = webhookSecret
        self.apiBase = apiBase
    }

    var auth: (String, String) { ("Authorization", "Bearer \(secretKey)") }

    func object(_ response: GatewayResponse) -> [String: Any]? {
        guard response.status == 200 else { return nil }
        return (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
    }

    /// A Checkout Session; the attempt is what webhooks find (`client_reference_id`, `metadata[recur_attempt]`).
    public func startPayment(_ r: GatewayPaymentRequest, transport: any GatewayTransport) async throws -> GatewayPaymentPage {
        let request = StripeCheckoutSessionRequest(invoiceID: r.invoiceNumber, amount: r.amount, currency: r.currency, currencyExponent: r.currencyExponent,
                                                   successURL: r.returnURL, cancelURL: r.returnURL + "?cancelled=1",
                                                   expiresAt: r.now.addingTimeInterval(24 * 3600))
        var fields = try request.formFields().map { $0.0 == "client_reference_id" ? ($0.0, r.reference) : $0 }
        fields.append(("metadata[recur_attempt]", r.reference))
        fields.append(("payment_intent_data[metadata][recur_attempt]", r.reference))
        if r.savePaymentMethod {
            // Keep the card for off-session renewals (the customer agrees on Checkout's page).
            fields.append(("customer_creation", "always"))
            fields.append(("payment_intent_data[setup_future_usage]", "off_session"))
        }
        let response = try await transport.send(GatewayRequest(
            url: apiBase + "/v1/checkout/sessions",
            headers: [auth, ("Content-Type", "application/x-www-form-urlencoded"), ("Idempotency-Key", r.reference)],
            body: Data(FormEncoding.encode(fields).utf8)))
        guard let o = object(response), let url = o["url"] as? String, let id = o["id"] as? String else { throw unavailable(name, response) }
        return GatewayPaymentPage(url: url, gatewayReference: id)
    }

    static func event(fromSession o: [String: Any], reference fallback: String?, succeeded: Bool, eventID: String?, type: String) -> GatewayEvent? {
        let metadata = o["metadata"] as? [String: Any]
        guard let reference = (metadata?["recur_attempt"] as? String) ?? (o["client_reference_id"] as? String) ?? fallback,
              let amount = (o["amount_total"] as? NSNumber)?.int64Value, let currency = o["currency"] as? String else { return nil }
        return GatewayEvent(reference: reference, amount: amount, currency: currency.uppercased(), succeeded: succeeded,
                            gatewayReference: (o["payment_intent"] as? String) ?? (o["id"] as? String), eventID: eventID, eventType: type,
                            failureReason: succeeded ? nil : type)
    }

    /// The Stripe-Signature over the raw body first; then the `checkout.session.*` events.
    public func verify(_ c: GatewayCallback) -> GatewayVerdict {
        do {
            _ = try StripeSignature(secret: webhookSecret).verify(payload: c.body, header: c.headers["stripe-signature"], now: c.now)
        } catch {
            return .reject(error)
        }
        guard let event = try? JSONSerialization.jsonObject(with: c.body) as? [String: Any], let id = event["id"] as? String,
              let type = event["type"] as? String, let object = (event["data"] as? [String: Any])?["object"] as? [String: Any] else {
            return .reject(PaymentProtocolError(code: PaymentProtocolError.Code.jsonInvalid, message: "not a Stripe event"))
        }
        let succeeded: Bool
        switch type {
        case "checkout.session.completed":
            guard object["payment_status"] as? String == "paid" else { return .ignore("awaiting payment") }
            succeeded = true
        case "checkout.session.async_payment_succeeded": succeeded = true
        case "checkout.session.async_payment_failed", "checkout.session.expired": succeeded = false
        default: return .ignore("ignored \(type)")
        }
        guard let e = Self.event(fromSession: object, reference: nil, succeeded: succeeded, eventID: id, type: type) else { return .ignore("not a Recur session") }
        return .event(e)
    }

    /// 400 for a bad signature (Stripe retries and shows it); 200 for every verified event; 500 asks for a retry.
    public func answer(_ verdict: GatewayVerdict, outcome: GatewayOutcome?, callback: GatewayCallback) -> GatewayAnswer {
        switch (verdict, outcome) {
        case (.reject(let e), _): return .json(400, ["error": e.code])
        case (.ignore(let why), _): return .json(200, ["received": "true", "note": why])
        case (_, .error?): return .json(500, ["error": "internal"])
        case (_, let o?):
            let result = switch o {
            case .notFound: "not_found"
            case .amountMismatch: "amount_mismatch"
            case .currencyMismatch: "currency_mismatch"
            case .alreadyProcessed: "already_processed"
            default: "recorded"
            }
            return .json(200, ["received": "true", "result": result])
        case (.event, nil): return .json(500, ["error": "internal"])
        }
    }

    /// Reads the session back; nil while it is still open and unpaid.
    public func query(reference: String, gatewayReference: String?, createdAt: Date, now: Date, transport: any GatewayTransport) async throws -> GatewayEvent? {
        guard let session = gatewayReference else { return nil }
        let response = try await transport.send(GatewayRequest(method: "GET", url: apiBase + "/v1/checkout/sessions/\(session)", headers: [auth], body: Data()))
        guard let o = object(response) else { throw unavailable(name, response) }
        let paid = o["payment_status"] as? String == "paid"
        guard paid || o["status"] as? String == "expired" else { return nil }
        return Self.event(fromSession: o, reference: reference, succeeded: paid, eventID: nil, type: "session_query")
    }

    /// `POST /v1/refunds` on the PaymentIntent, idempotent on the refund's `requestID`.
    public func refund(reference: String, requestID: String, gatewayPayment: String?, amount: Int64, currency: String, full: Bool, paidAt: Date, now: Date, actor: String,
                       transport: any GatewayTransport) async throws -> String {
        guard let intent = gatewayPayment else { throw PaymentProtocolError.fieldMissing("payment_intent") }
        let form = FormEncoding.encode([("payment_intent", intent), ("amount", String(amount)), ("metadata[recur_attempt]", reference),
                                        ("metadata[recur_refund]", requestID)])
        let response = try await transport.send(GatewayRequest(
            url: apiBase + "/v1/refunds", headers: [auth, ("Content-Type", "application/x-www-form-urlencoded"),
                                                    ("Idempotency-Key", requestID)],
            body: Data(form.utf8)))
        guard let o = object(response), let id = o["id"] as? String, ["succeeded", "pending"].contains(o["status"] as? String ?? "") else {
            throw unavailable(name, response)
        }
        return id
    }

    /// The card a paid PaymentIntent kept (`setup_future_usage`).
    public func savedMethod(paymentIntent: String, transport: any GatewayTransport) async throws -> GatewaySavedMethod {
        let response = try await transport.send(GatewayRequest(method: "GET", url: apiBase + "/v1/payment_intents/\(paymentIntent)?expand[]=payment_method",
                                                               headers: [auth], body: Data()))
        guard let o = object(response), let customer = o["customer"] as? String, let pm = o["payment_method"] as? [String: Any],
              let id = pm["id"] as? String else { throw unavailable(name, response) }
        return GatewaySavedMethod(customer: customer, method: id, last4: ((pm["card"] as? [String: Any])?["last4"] as? String) ?? "????")
    }

    /// An off-session PaymentIntent, confirmed at once, idempotent on `idempotencyKey`.
    public func charge(_ saved: GatewaySavedMethod, amount: Int64, currency: String, idempotencyKey: String, metadata: [(String, String)],
                       transport: any GatewayTransport) async throws -> GatewayChargeResult {
        let form = FormEncoding.encode([("amount", String(amount)), ("currency", currency.lowercased()), ("customer", saved.customer),
                                        ("payment_method", saved.method), ("off_session", "true"), ("confirm", "true")]
                                       + metadata.map { ("metadata[\($0.0)]", $0.1) })
        let response = try await transport.send(GatewayRequest(
            url: apiBase + "/v1/payment_intents", headers: [auth, ("Content-Type", "application/x-www-form-urlencoded"), ("Idempotency-Key", idempotencyKey)],
            body: Data(form.utf8)))
        let o = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        if response.status == 200, o?["status"] as? String == "succeeded", let id = o?["id"] as? String { return .succeeded(reference: id) }
        let error = o?["error"] as? [String: Any]
        return .declined(reason: (error?["decline_code"] as? String) ?? (error?["code"] as? String) ?? "stripe_\(response.status)")
    }
}

// MARK: - 2Checkout

public struct TwoCheckoutGateway: PaymentGateway {
    public let name = "2checkout"
    public let merchant: String
    public let secretKey: String
    public let buyLinkSecret: String
    public let checkoutURL: String
    public init(merchant: String, secretKey: String, buyLinkSecret: String, checkoutURL: String) {
        self.merchant = merchant
        self.secretKey = secretKey
        self.buyLinkSecret = buyLinkSecret
        self.checkoutURL = checkoutURL
    }

    /// A signed ConvertPlus buy link for a dynamic product, valid an hour.
    public func startPayment(_ r: GatewayPaymentRequest, transport: any GatewayTransport) async throws -> GatewayPaymentPage {
        var price = String(r.amount)
        if r.currencyExponent > 0 {
            let digits = String(repeating: "0", count: max(0, r.currencyExponent + 1 - price.count)) + price
            price = String(digits.dropLast(r.currencyExponent)) + "." + String(digits.suffix(r.currencyExponent))
        }
        let parameters: [(String, String)] = [
            ("dynamic", "1"), ("prod", "Invoice \(r.invoiceNumber)"), ("price", price), ("qty", "1"), ("currency", r.currency), ("type", "PRODUCT"),
            ("order-ext-ref", r.reference), ("return-url", r.returnURL), ("return-type", "redirect"),
            ("expiration", String(Int64(r.now.timeIntervalSince1970) + 3600)),
        ]
        let url = try TwoCheckout.buyLinkURL(merchant: merchant, parameters: parameters, secretWord: buyLinkSecret,
                                             base: URL(string: checkoutURL) ?? TwoCheckout.buyLinkBaseURL)
        return GatewayPaymentPage(url: url.absoluteString, gatewayReference: nil)
    }

    /// HMAC over the fields in received order; COMPLETE and AUTHRECEIVED pay, CANCELED and REVERSED fail, the rest is acknowledged.
    public func verify(_ c: GatewayCallback) -> GatewayVerdict {
        let fields: [(String, String)]
        do {
            fields = try FormEncoding.decodeQuery(String(decoding: c.body, as: UTF8.self))
            try TwoCheckout.verifyIPN(fields: fields, secretKey: secretKey)
        } catch {
            return .reject(error)
        }
        func field(_ name: String) -> String? { fields.first { $0.0 == name }?.1 }
        let status = field("ORDERSTATUS") ?? ""
        guard ["COMPLETE", "AUTHRECEIVED", "CANCELED", "REVERSED"].contains(status), let reference = field("REFNOEXT"),
              let total = field("IPN_TOTALGENERAL"), let currency = field("CURRENCY") else { return .ignore("status \(status)") }
        guard let amount = Self.minorUnits(total) else {
            return .reject(PaymentProtocolError(code: PaymentProtocolError.Code.amountInvalid, message: "IPN_TOTALGENERAL is not an amount", values: ["IPN_TOTALGENERAL": total]))
        }
        let paid = status == "COMPLETE" || status == "AUTHRECEIVED"
        return .event(GatewayEvent(reference: reference, amount: amount.value, currency: currency.uppercased(), succeeded: paid,
                                   gatewayReference: field("REFNO"), eventType: "ipn", failureReason: paid ? nil : status.lowercased())
                      .withDecimals(amount.decimals))
    }

    /// `16.20` → (1620, 2); `250000` → (250000, 0). The merchant scales by the currency's exponent.
    static func minorUnits(_ text: String) -> (value: Int64, decimals: Int)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
              let v = Int64(parts.joined()) else { return nil }
        return (v, parts.count == 2 ? parts[1].count : 0)
    }

    /// The `<sig>` read receipt for a verified IPN (or 500 to be sent again); 400 for a refused one.
    public func answer(_ verdict: GatewayVerdict, outcome: GatewayOutcome?, callback: GatewayCallback) -> GatewayAnswer {
        if case .reject = verdict { return GatewayAnswer(status: 400, contentType: "text/plain", body: "invalid signature") }
        if outcome == .error { return GatewayAnswer(status: 500, contentType: "text/plain", body: "try again") }
        guard let fields = try? FormEncoding.decodeQuery(String(decoding: callback.body, as: UTF8.self)),
              let receipt = try? TwoCheckout.readReceipt(for: fields, secretKey: secretKey, date: TwoCheckout.formatDate(callback.now)) else {
            return GatewayAnswer(status: 400, contentType: "text/plain", body: "IPN_PID, IPN_PNAME and IPN_DATE are required")
        }
        return GatewayAnswer(status: 200, contentType: "text/html", body: receipt)
    }
}

extension GatewayEvent {
    /// 2Checkout writes decimals; `amount` is their digits and `eventType` keeps how many after the point.
    func withDecimals(_ decimals: Int) -> GatewayEvent {
        var e = self
        e.amountDecimals = decimals
        return e
    }

    /// The amount in minor units of a currency with `exponent` digits, or nil when it does not fit exactly.
    public func minorUnits(exponent: Int) -> Int64? {
        let d = amountDecimals ?? exponent
        if d == exponent { return amount }
        var v = amount
        if d < exponent {
            for _ in d..<exponent { v *= 10 }
            return v
        }
        for _ in exponent..<d {
            guard v % 10 == 0 else { return nil }
            v /= 10
        }
        return v
    }
}

// MARK: - VNPT Pay

public struct VNPTPayGateway: PaymentGateway {
    public let name = "vnptpay"
    public let currencies: Set<String>? = ["VND"]
    public let vnpt: VNPTPay
    public init(configuration: VNPTPay.Configuration) { vnpt = VNPTPay(configuration: configuration) }

    /// `/init` with its SECURE_CODE; the answer's code is checked too.
    public func startPayment(_ r: GatewayPaymentRequest, transport: any GatewayTransport) async throws -> GatewayPaymentPage {
        let request = try vnpt.initRequest(.init(merchantOrderID: r.reference, amount: r.amount, currency: r.currency,
                                                 description: "Thanh toan hoa don \(r.invoiceNumber)", createdAt: r.now, clientIP: r.clientIP))
        let response = try await transport.send(GatewayRequest(
            url: request.url.absoluteString, headers: [("Authorization", "Bearer \(vnpt.configuration.apiKey)"), ("Content-Type", "application/json")],
            body: request.jsonBody))
        let fields = try vnpt.verifyResponse(response.body, signedFieldOrder: VNPTPay.initResponseFieldOrder)
        guard fields["RESPONSE_CODE"] == "00", let url = fields["REDIRECT_URL"] else {
            throw PaymentProtocolError(code: PaymentProtocolError.Code.gatewayUnavailable,
                                       message: "VNPT Pay refused the order: \(fields["RESPONSE_CODE"] ?? "?") \(fields["DESCRIPTION"] ?? "")")
        }
        return GatewayPaymentPage(url: url, gatewayReference: nil)
    }

    /// `/query_transaction` with its SECURE_CODE; the answer is read like a notification (same assumed fields).
    public func query(reference: String, gatewayReference: String?, createdAt: Date, now: Date, transport: any GatewayTransport) async throws -> GatewayEvent? {
        let request = vnpt.queryRequest(merchantOrderID: reference, createdAt: createdAt)
        let response = try await transport.send(GatewayRequest(
            url: request.url.absoluteString, headers: [("Authorization", "Bearer \(vnpt.configuration.apiKey)"), ("Content-Type", "application/json")],
            body: request.jsonBody))
        guard response.status == 200 else { throw unavailable(name, response) }
        let n = try vnpt.verifyNotification(response.body)
        // Still waiting for the customer: nothing to apply yet.
        if n.transactionStatus == "01" || n.responseCode == "01" { return nil }
        return GatewayEvent(reference: n.merchantOrderID, amount: n.amount, currency: n.currency, succeeded: n.isSuccess,
                            gatewayReference: n.transactionID, eventType: "query", failureReason: n.isSuccess ? nil : "vnptpay \(n.responseCode)")
    }

    public func verify(_ c: GatewayCallback) -> GatewayVerdict {
        do {
            let n = try vnpt.verifyNotification(c.body)
            return .event(GatewayEvent(reference: n.merchantOrderID, amount: n.amount, currency: n.currency, succeeded: n.isSuccess,
                                       gatewayReference: n.transactionID, eventType: "notify", failureReason: n.isSuccess ? nil : "vnptpay \(n.responseCode)"))
        } catch {
            return .reject(error)
        }
    }

    /// `{"RESPONSE_CODE": …}` with VNPAY's code meanings — an assumption (the format is not public).
    public func answer(_ verdict: GatewayVerdict, outcome: GatewayOutcome?, callback: GatewayCallback) -> GatewayAnswer {
        switch (verdict, outcome) {
        case (.reject(let e), _):
            let code = [PaymentProtocolError.Code.signatureInvalid, PaymentProtocolError.Code.signatureMissing].contains(e.code) ? "97" : "99"
            return .json(200, ["RESPONSE_CODE": code, "DESCRIPTION": e.message])
        case (_, .notFound?): return .json(200, ["RESPONSE_CODE": "01", "DESCRIPTION": "order not found"])
        case (_, .amountMismatch?), (_, .currencyMismatch?): return .json(200, ["RESPONSE_CODE": "04", "DESCRIPTION": "invalid amount"])
        case (_, .alreadyProcessed?): return .json(200, ["RESPONSE_CODE": "02", "DESCRIPTION": "already confirmed"])
        case (_, .recorded?), (.ignore, _): return .json(200, ["RESPONSE_CODE": "00", "DESCRIPTION": "confirmed"])
        case (_, .error?), (.event, nil): return .json(200, ["RESPONSE_CODE": "99", "DESCRIPTION": "error"])
        }
    }
}
