public import Foundation

/// VNPT Pay REST v1.0.5: init and query bodies, and a configurable "pipe-joined SHA-256"
/// check of responses and notifications (PAYMENTS.md 4.1).
///
/// `SECURE_CODE = hex(SHA256(v1|v2|…|vn|secretKey))`: the field values in a fixed order,
/// joined with `|`, the secret key appended as the last element. It is plain SHA-256, not
/// an HMAC. The request orders come from the only public SDK; the response and notify
/// formats are **not public**, so their field orders are parameters whose defaults are
/// assumptions (see ``NotificationFormat``). Get the real spec from VNPT before going live.
///
/// ```swift
/// let vnpt = VNPTPay(configuration: .init(merchantServiceID: "6901", secretKey: key, apiKey: token))
/// let request = vnpt.initRequest(.init(merchantOrderID: "INV-0009", amount: 69_000,
///     description: "Thanh toán INV-0009", createdAt: now, clientIP: "203.0.113.7"))
/// // POST request.jsonBody to request.url with `Authorization: Bearer <apiKey>`.
/// ```
public struct VNPTPay: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// `MERCHANT_SERVICE_ID`.
        public var merchantServiceID: String
        /// The key appended to the pipe-joined values.
        public var secretKey: String
        /// Sent as `Authorization: Bearer <apiKey>` by the caller.
        public var apiKey: String
        /// `https://<host>/rest/payment/v1.0.5`; the sandbox host is `sandbox.vnptpay.vn`, production `api.vnptpay.vn`.
        public var baseURL: URL

        public static let sandboxBaseURL = URL(string: "https://sandbox.vnptpay.vn/rest/payment/v1.0.5")!
        public static let productionBaseURL = URL(string: "https://api.vnptpay.vn/rest/payment/v1.0.5")!

        public init(merchantServiceID: String, secretKey: String, apiKey: String, baseURL: URL = Configuration.sandboxBaseURL) {
            self.merchantServiceID = merchantServiceID
            self.secretKey = secretKey
            self.apiKey = apiKey
            self.baseURL = baseURL
        }
    }

    public static let version = "1.0.5"

    public var configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// `hex(SHA256(values.joined("|") + "|" + secretKey))`.
    public static func secureCode(_ values: [String], secretKey: String) -> String {
        PaymentCrypto.sha256Hex((values + [secretKey]).joined(separator: "|"))
    }

    /// VNPT Pay's `yyyyMMddHHmmss`, read as GMT+7 (assumed, like every Vietnamese gateway here).
    public static func formatDate(_ date: Date) -> String {
        CompactTimestamp.format(date, utcOffsetSeconds: CompactTimestamp.gmtPlus7)
    }

    /// A signed JSON request: the fields in signing order, `SECURE_CODE` last.
    public struct Request: Sendable {
        public var url: URL
        public var fields: [(String, String)]
        /// Fields written as JSON numbers (the SDK sends `AMOUNT`, `DEVICE` and a numeric
        /// `MERCHANT_SERVICE_ID` as numbers); the others are JSON strings.
        public var numericFields: Set<String>

        public var secureCode: String { fields.last { $0.0 == "SECURE_CODE" }?.1 ?? "" }

        public var jsonText: String {
            FlatJSON.encode(fields.map { key, value in (key, numericFields.contains(key) ? .number(value) : .string(value)) })
        }

        public var jsonBody: Data { Data(jsonText.utf8) }
    }

    /// A payment to start (`ACTION=INIT`).
    public struct InitRequest: Sendable, Hashable {
        public var merchantOrderID: String
        /// Minor units of `currency`; VND has exponent 0, so this is in dong.
        public var amount: Int64
        public var currency: String
        /// `AMOUNT_DETAIL`; defaults to the amount's text, as the SDK does.
        public var amountDetail: String?
        public var serviceID: String
        public var device: Int
        public var locale: String
        public var paymentMethod: String
        public var description: String
        public var createdAt: Date
        public var clientIP: String

        public init(
            merchantOrderID: String,
            amount: Int64,
            currency: String = "VND",
            amountDetail: String? = nil,
            serviceID: String = "1",
            device: Int = 1,
            locale: String = "vi-VN",
            paymentMethod: String = "VNPTPAY",
            description: String,
            createdAt: Date,
            clientIP: String
        ) {
            self.merchantOrderID = merchantOrderID
            self.amount = amount
            self.currency = currency
            self.amountDetail = amountDetail
            self.serviceID = serviceID
            self.device = device
            self.locale = locale
            self.paymentMethod = paymentMethod
            self.description = description
            self.createdAt = createdAt
            self.clientIP = clientIP
        }
    }

    private var numericServiceID: Set<String> {
        let id = configuration.merchantServiceID
        return !id.isEmpty && id.utf8.allSatisfy({ (0x30...0x39).contains($0) }) ? ["MERCHANT_SERVICE_ID"] : []
    }

    /// The signed `/init` body, fields in the SDK's order: ACTION, VERSION, MERCHANT_SERVICE_ID,
    /// MERCHANT_ORDER_ID, AMOUNT, AMOUNT_DETAIL, SERVICE_ID, DEVICE, LOCALE, CURRENCY_CODE,
    /// PAYMENT_METHOD, DESCRIPTION, CREATE_DATE, CLIENT_IP.
    ///
    /// - throws: `currency.unsupported` unless VND, `amount.invalid` unless positive,
    ///   `field.missing` for an empty order id.
    public func initRequest(_ request: InitRequest) throws(PaymentProtocolError) -> Request {
        guard request.currency.uppercased() == "VND" else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.currencyUnsupported,
                message: "VNPT Pay accepts VND only",
                values: ["currency": request.currency]
            )
        }
        guard request.amount > 0 else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.amountInvalid,
                message: "amount must be positive",
                values: ["amount": String(request.amount)]
            )
        }
        guard !request.merchantOrderID.isEmpty else { throw .fieldMissing("MERCHANT_ORDER_ID") }
        let fields: [(String, String)] = [
            ("ACTION", "INIT"),
            ("VERSION", Self.version),
            ("MERCHANT_SERVICE_ID", configuration.merchantServiceID),
            ("MERCHANT_ORDER_ID", request.merchantOrderID),
            ("AMOUNT", String(request.amount)),
            ("AMOUNT_DETAIL", request.amountDetail ?? String(request.amount)),
            ("SERVICE_ID", request.serviceID),
            ("DEVICE", String(request.device)),
            ("LOCALE", request.locale),
            ("CURRENCY_CODE", "VND"),
            ("PAYMENT_METHOD", request.paymentMethod),
            ("DESCRIPTION", request.description),
            ("CREATE_DATE", Self.formatDate(request.createdAt)),
            ("CLIENT_IP", request.clientIP),
        ]
        return signed(fields, path: "init", numeric: Set(["AMOUNT", "DEVICE"]).union(numericServiceID))
    }

    /// The signed `/query_transaction` body: ACTION=QUERY, VERSION, MERCHANT_SERVICE_ID,
    /// MERCHANT_ORDER_ID, CREATE_DATE (the original payment's).
    public func queryRequest(merchantOrderID: String, createdAt: Date) -> Request {
        let fields: [(String, String)] = [
            ("ACTION", "QUERY"),
            ("VERSION", Self.version),
            ("MERCHANT_SERVICE_ID", configuration.merchantServiceID),
            ("MERCHANT_ORDER_ID", merchantOrderID),
            ("CREATE_DATE", Self.formatDate(createdAt)),
        ]
        return signed(fields, path: "query_transaction", numeric: numericServiceID)
    }

    private func signed(_ fields: [(String, String)], path: String, numeric: Set<String>) -> Request {
        let code = Self.secureCode(fields.map(\.1), secretKey: configuration.secretKey)
        return Request(
            url: configuration.baseURL.appendingPathComponent(path),
            fields: fields + [("SECURE_CODE", code)],
            numericFields: numeric
        )
    }

    /// Verifies `SECURE_CODE` of a JSON response over `signedFieldOrder` and returns its
    /// scalar fields as text.
    ///
    /// **Assumption:** the response signature follows the request house style — the listed
    /// fields' values in that order (a missing field counts as empty), then the secret key,
    /// joined with `|`, SHA-256, hex (either case accepted). The order is not published;
    /// the presets ``initResponseFieldOrder`` and ``queryResponseFieldOrder`` are guesses
    /// from the SDK's field lists.
    ///
    /// - throws: `json.invalid`, `signature.missing`, `signature.invalid`.
    public func verifyResponse(_ body: Data, signedFieldOrder: [String]) throws(PaymentProtocolError) -> [String: String] {
        let fields = try FlatJSON.decodeObject(body)
        try verifySecureCode(fields, signedFieldOrder: signedFieldOrder, codeField: "SECURE_CODE")
        return fields
    }

    /// Assumed signed order of an `/init` answer (not published).
    public static let initResponseFieldOrder = ["RESPONSE_CODE", "DESCRIPTION", "MERCHANT_ORDER_ID", "REDIRECT_URL"]

    /// Assumed signed order of a `/query_transaction` answer: the SDK's listing of its fields (not published).
    public static let queryResponseFieldOrder = [
        "RESPONSE_CODE", "DESCRIPTION", "MERCHANT_ORDER_ID", "VNPTPAY_TRANSACTION_ID", "AMOUNT", "LOCALE",
        "CURRENCY_CODE", "PAYMENT_METHOD", "PAY_DATE", "TRANSACTION_STATUS", "ADDITIONAL_INFO",
    ]

    func verifySecureCode(_ fields: [String: String], signedFieldOrder: [String], codeField: String) throws(PaymentProtocolError) {
        guard let received = fields[codeField], !received.isEmpty else { throw .signatureMissing(codeField) }
        let expected = Self.secureCode(signedFieldOrder.map { fields[$0] ?? "" }, secretKey: configuration.secretKey)
        guard PaymentCrypto.hexSignatureMatches(expected: expected, received: received) else {
            throw .signatureInvalid(codeField)
        }
    }

    /// Where a notification keeps each fact, which fields its `SECURE_CODE` covers, and which
    /// codes mean success. Every default is an **assumption**: VNPT Pay's IPN/notify format is
    /// not public (PAYMENTS.md 4.1), so the defaults reuse the query answer's names and order.
    public struct NotificationFormat: Sendable, Hashable {
        public var merchantOrderID = "MERCHANT_ORDER_ID"
        public var transactionID = "VNPTPAY_TRANSACTION_ID"
        public var amount = "AMOUNT"
        public var currency = "CURRENCY_CODE"
        public var responseCode = "RESPONSE_CODE"
        public var transactionStatus = "TRANSACTION_STATUS"
        public var payDate = "PAY_DATE"
        public var paymentMethod = "PAYMENT_METHOD"
        public var secureCode = "SECURE_CODE"
        /// The fields whose values, in this order, precede the secret key in the hash.
        public var signedFieldOrder = VNPTPay.queryResponseFieldOrder
        /// Values of `responseCode` (and of `transactionStatus`, when sent) that mean paid.
        public var successValues: Set<String> = ["00"]

        public init() {}

        /// The assumed default format.
        public static let assumed = NotificationFormat()
    }

    /// A verified VNPT Pay notification or callback.
    public struct Notification: Sendable, Hashable {
        public var merchantOrderID: String
        public var transactionID: String?
        /// The amount in dong.
        public var amount: Int64
        public var currency: String
        public var responseCode: String
        public var transactionStatus: String?
        /// `PAY_DATE` read as GMT+7, when sent and well-formed.
        public var payDate: Date?
        public var paymentMethod: String?
        /// Every scalar field as text.
        public var fields: [String: String]
        /// Whether the response code, and the status when present, are among the format's success values.
        public var isSuccess: Bool
    }

    /// Verifies a JSON notification's `SECURE_CODE` per `format` and reads it.
    ///
    /// - throws: `json.invalid`, `signature.missing`, `signature.invalid`, `field.missing`
    ///   (order id, amount or response code), `amount.invalid`, `currency.unsupported`.
    public func verifyNotification(_ body: Data, format: NotificationFormat = .assumed) throws(PaymentProtocolError) -> Notification {
        let fields = try FlatJSON.decodeObject(body)
        try verifySecureCode(fields, signedFieldOrder: format.signedFieldOrder, codeField: format.secureCode)
        func required(_ key: String) throws(PaymentProtocolError) -> String {
            guard let value = fields[key], !value.isEmpty else { throw .fieldMissing(key) }
            return value
        }
        func optional(_ key: String) -> String? {
            guard let value = fields[key], !value.isEmpty else { return nil }
            return value
        }
        let orderID = try required(format.merchantOrderID)
        let rawAmount = try required(format.amount)
        guard let amount = Int64(rawAmount), amount >= 0 else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.amountInvalid,
                message: "\(format.amount) is not a whole number of dong",
                values: [format.amount: rawAmount]
            )
        }
        let currency = optional(format.currency) ?? "VND"
        guard currency.uppercased() == "VND" else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.currencyUnsupported,
                message: "VNPT Pay accepts VND only",
                values: ["currency": currency]
            )
        }
        let responseCode = try required(format.responseCode)
        let status = optional(format.transactionStatus)
        let success = format.successValues.contains(responseCode) && (status.map(format.successValues.contains) ?? true)
        return Notification(
            merchantOrderID: orderID,
            transactionID: optional(format.transactionID),
            amount: amount,
            currency: "VND",
            responseCode: responseCode,
            transactionStatus: status,
            payDate: optional(format.payDate).flatMap {
                CompactTimestamp.parse($0, utcOffsetSeconds: CompactTimestamp.gmtPlus7)
            },
            paymentMethod: optional(format.paymentMethod),
            fields: fields,
            isSuccess: success
        )
    }
}
