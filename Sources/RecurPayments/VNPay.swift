public import Foundation

/// VNPAY payment API 2.1.0: the signed payment URL, return/IPN verification, the IPN
/// decision, and the querydr/refund bodies (PAYMENTS.md section 1).
///
/// Everything is a pure function of its inputs; the caller supplies `now`, does the HTTP,
/// and reads the order. For example:
///
/// ```swift
/// let vnpay = VNPay(configuration: .init(tmnCode: "DEMOV210", hashSecret: secret))
/// let url = try vnpay.paymentURL(for: .init(
///     txnRef: "INV-0001", amount: 250_000, currency: "VND",
///     orderInfo: "Thanh toán hóa đơn INV-0001", ipAddress: "203.0.113.7",
///     returnURL: "https://recur.example/vnpay/return", createdAt: now))
///
/// // IPN: verify, look the order up, answer with the JSON body.
/// let verification = Result { () throws(PaymentProtocolError) in try vnpay.verifyCallback(query: rawQuery) }
/// let answer = VNPay.ipnResponse(for: verification) { callback in try store.lookup(callback.txnRef) }
/// return answer.jsonBody
/// ```
public struct VNPay: Sendable {
    /// A VNPAY terminal: its code, its secret and the two endpoints (PAYMENTS.md 1.1).
    ///
    /// The production hosts are not in the stored docs, so both URLs are configurable and
    /// default to the sandbox.
    public struct Configuration: Sendable, Hashable {
        /// `vnp_TmnCode`, e.g. `2QXUI4J4`.
        public var tmnCode: String
        /// `vnp_HashSecret`, the HMAC-SHA512 key.
        public var hashSecret: String
        /// The payment redirect page (`…/paymentv2/vpcpay.html`).
        public var payURL: URL
        /// The querydr/refund JSON endpoint (`…/merchant_webapi/api/transaction`).
        public var apiURL: URL

        public static let sandboxPayURL = URL(string: "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")!
        public static let sandboxAPIURL = URL(string: "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")!

        public init(
            tmnCode: String,
            hashSecret: String,
            payURL: URL = Configuration.sandboxPayURL,
            apiURL: URL = Configuration.sandboxAPIURL
        ) {
            self.tmnCode = tmnCode
            self.hashSecret = hashSecret
            self.payURL = payURL
            self.apiURL = apiURL
        }
    }

    /// The protocol version this module speaks; 2.1.0 sends no `vnp_SecureHashType` (PAYMENTS.md 1.2).
    public static let version = "2.1.0"

    public var configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    // MARK: - Canonical string and hash (PAYMENTS.md 1.3)

    /// The canonical hash input: non-empty pairs without `vnp_SecureHash`/`vnp_SecureHashType`,
    /// sorted by key in byte order, PHP-`urlencode`d and joined as `k=v&k=v`.
    ///
    /// Byte order is what PHP `ksort`, C#'s ordinal `SortedList` and Python `sorted` give.
    public static func canonicalQuery(_ parameters: [(String, String)]) -> String {
        let kept = parameters.filter { key, value in
            !value.isEmpty && key != "vnp_SecureHash" && key != "vnp_SecureHashType"
        }
        let sorted = kept.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return FormEncoding.encode(sorted)
    }

    /// `vnp_SecureHash`: lower-case hex HMAC-SHA512 of ``canonicalQuery(_:)`` keyed with the secret.
    public static func secureHash(for parameters: [(String, String)], secret: String) -> String {
        PaymentHMAC.sha512.hex(key: secret, message: canonicalQuery(parameters))
    }

    /// The pipe-joined checksum of querydr and refund (PAYMENTS.md 1.7): HMAC-SHA512 over the
    /// raw values joined with `|`, with no URL-encoding. A missing value is an empty string.
    public static func pipeChecksum(_ values: [String], secret: String) -> String {
        PaymentHMAC.sha512.hex(key: secret, message: values.joined(separator: "|"))
    }

    // MARK: - Text and time

    /// Makes text safe for `vnp_OrderInfo`: strips Vietnamese diacritics (including `đ`/`Đ`),
    /// keeps ASCII letters, digits, space and `.,:-_`, turns anything else into a space,
    /// collapses spaces and cuts to `maxLength`.
    ///
    /// With only those characters, PHP, Python, Node, Java and C# encoders all produce the
    /// same canonical string (PAYMENTS.md 1.3), and the Java demo's US-ASCII encoding cannot
    /// turn letters into `?`.
    ///
    /// ```swift
    /// VNPay.sanitize("Thanh toán hóa đơn #INV-7 (Đà Nẵng)")   // "Thanh toan hoa don INV-7 Da Nang"
    /// ```
    public static func sanitize(_ text: String, maxLength: Int = 255) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        func emit(_ byte: UInt8) {
            if pendingSpace && !out.isEmpty { out.append(UInt8(ascii: " ")) }
            pendingSpace = false
            out.append(byte)
        }
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F:
                continue  // combining diacritics left by the decomposition
            case 0x0111:
                emit(UInt8(ascii: "d"))  // đ has no decomposition
            case 0x0110, 0x00D0:
                emit(UInt8(ascii: "D"))  // Đ, and the look-alike Ð
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
                emit(UInt8(scalar.value))
            case 0x2E, 0x2C, 0x3A, 0x2D, 0x5F:  // . , : - _
                emit(UInt8(scalar.value))
            default:
                pendingSpace = true
            }
        }
        if out.count > maxLength {
            out = Array(out.prefix(maxLength))
            while out.last == UInt8(ascii: " ") { out.removeLast() }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is already in the safe set of ``sanitize(_:maxLength:)``
    /// (ASCII letters, digits, space and `.,:-_`).
    public static func isSafeText(_ text: String) -> Bool {
        text.utf8.allSatisfy { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x20, 0x2E, 0x2C, 0x3A, 0x2D, 0x5F: true
            default: false
            }
        }
    }

    /// `yyyyMMddHHmmss` in GMT+7, VNPAY's only time format (PAYMENTS.md 1.2).
    public static func formatDate(_ date: Date) -> String {
        CompactTimestamp.format(date, utcOffsetSeconds: CompactTimestamp.gmtPlus7)
    }

    /// Parses VNPAY's GMT+7 `yyyyMMddHHmmss`.
    public static func parseDate(_ text: String) -> Date? {
        CompactTimestamp.parse(text, utcOffsetSeconds: CompactTimestamp.gmtPlus7)
    }

    // MARK: - Payment URL (PAYMENTS.md 1.2, 1.3)

    /// `vnp_Locale`.
    public enum Locale: String, Sendable, Hashable, CaseIterable {
        case vietnamese = "vn"
        case english = "en"
    }

    /// What to charge, for ``paymentURL(for:)``.
    public struct PaymentRequest: Sendable, Hashable {
        /// `vnp_TxnRef`: unique within the day; must already be in the safe set (``isSafeText(_:)``), 1–100 chars.
        public var txnRef: String
        /// The amount in minor units of `currency`; VND has exponent 0, so this is in dong.
        public var amount: Int64
        /// ISO 4217 code; VNPAY takes `VND` only.
        public var currency: String
        /// Free text; passed through ``sanitize(_:maxLength:)``.
        public var orderInfo: String
        /// `vnp_OrderType`, a goods category such as `other` or `250000`.
        public var orderType: String
        public var locale: Locale
        /// The customer's IP address (`vnp_IpAddr`).
        public var ipAddress: String
        /// Where the browser returns (`vnp_ReturnUrl`).
        public var returnURL: String
        /// `VNPAYQR`, `VNBANK`, `INTCARD` or a bank code; `nil` lets the customer choose at VNPAY.
        public var bankCode: String?
        public var createdAt: Date
        /// `vnp_ExpireDate`; `nil` means 15 minutes after `createdAt`, as in the demos.
        public var expiresAt: Date?
        /// Optional `vnp_Bill_*` / `vnp_Inv_*` fields. Keys must start with `vnp_`; empty values are left out.
        public var additionalFields: [String: String]

        public init(
            txnRef: String,
            amount: Int64,
            currency: String = "VND",
            orderInfo: String,
            orderType: String = "other",
            locale: Locale = .vietnamese,
            ipAddress: String,
            returnURL: String,
            bankCode: String? = nil,
            createdAt: Date,
            expiresAt: Date? = nil,
            additionalFields: [String: String] = [:]
        ) {
            self.txnRef = txnRef
            self.amount = amount
            self.currency = currency
            self.orderInfo = orderInfo
            self.orderType = orderType
            self.locale = locale
            self.ipAddress = ipAddress
            self.returnURL = returnURL
            self.bankCode = bankCode
            self.createdAt = createdAt
            self.expiresAt = expiresAt
            self.additionalFields = additionalFields
        }
    }

    /// Checks `amount` (VND, minor units = dong) and returns `vnp_Amount`, i.e. amount × 100, within n[1,12].
    static func wireAmount(_ amount: Int64, currency: String) throws(PaymentProtocolError) -> Int64 {
        guard currency.uppercased() == "VND" else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.currencyUnsupported,
                message: "VNPAY accepts VND only",
                values: ["currency": currency]
            )
        }
        let (times100, overflow) = amount.multipliedReportingOverflow(by: 100)
        guard amount > 0, !overflow, times100 <= 999_999_999_999 else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.amountInvalid,
                message: "amount must be positive and at most 12 digits once multiplied by 100",
                values: ["amount": String(amount)]
            )
        }
        return times100
    }

    /// The unsigned `vnp_*` fields of a payment, with empty values left out, sorted by key.
    ///
    /// - throws: `currency.unsupported`, `amount.invalid`, `field.missing`, `field.invalid`.
    public func paymentParameters(for request: PaymentRequest) throws(PaymentProtocolError) -> [(String, String)] {
        let wireAmount = try Self.wireAmount(request.amount, currency: request.currency)
        guard !request.txnRef.isEmpty else { throw .fieldMissing("vnp_TxnRef") }
        guard request.txnRef.utf8.count <= 100, Self.isSafeText(request.txnRef) else {
            // Rewriting the reference would break the match with the order on the IPN, so refuse.
            throw .fieldInvalid("vnp_TxnRef", request.txnRef, "must be 1–100 ASCII letters, digits, space or .,:-_")
        }
        let orderInfo = Self.sanitize(request.orderInfo, maxLength: 255)
        guard !orderInfo.isEmpty else { throw .fieldMissing("vnp_OrderInfo") }
        guard !request.ipAddress.isEmpty else { throw .fieldMissing("vnp_IpAddr") }
        guard !request.returnURL.isEmpty else { throw .fieldMissing("vnp_ReturnUrl") }
        guard !configuration.tmnCode.isEmpty, !configuration.hashSecret.isEmpty else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.configurationInvalid,
                message: "tmnCode and hashSecret are required"
            )
        }
        let expiresAt = request.expiresAt ?? request.createdAt.addingTimeInterval(15 * 60)

        var fields: [String: String] = [:]
        for (key, value) in request.additionalFields {
            guard key.hasPrefix("vnp_"), key != "vnp_SecureHash", key != "vnp_SecureHashType" else {
                throw .fieldInvalid(key, value, "is not an additional vnp_ field")
            }
            fields[key] = value
        }
        fields["vnp_Version"] = Self.version
        fields["vnp_Command"] = "pay"
        fields["vnp_TmnCode"] = configuration.tmnCode
        fields["vnp_Amount"] = String(wireAmount)
        fields["vnp_BankCode"] = request.bankCode
        fields["vnp_CreateDate"] = Self.formatDate(request.createdAt)
        fields["vnp_CurrCode"] = "VND"
        fields["vnp_IpAddr"] = request.ipAddress
        fields["vnp_Locale"] = request.locale.rawValue
        fields["vnp_OrderInfo"] = orderInfo
        fields["vnp_OrderType"] = request.orderType
        fields["vnp_ReturnUrl"] = request.returnURL
        fields["vnp_ExpireDate"] = Self.formatDate(expiresAt)
        fields["vnp_TxnRef"] = request.txnRef

        return fields
            .filter { !$0.value.isEmpty }
            .map { ($0.key, $0.value) }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    }

    /// The signed redirect URL: `payURL?<canonical query>&vnp_SecureHash=<hex>`, the hash last.
    ///
    /// - throws: see ``paymentParameters(for:)``.
    public func paymentURL(for request: PaymentRequest) throws(PaymentProtocolError) -> URL {
        let parameters = try paymentParameters(for: request)
        return Self.signedURL(base: configuration.payURL, parameters: parameters, secret: configuration.hashSecret)
    }

    /// Appends the canonical query and its hash to `base` (PAYMENTS.md 1.3 step 5).
    public static func signedURL(base: URL, parameters: [(String, String)], secret: String) -> URL {
        let query = canonicalQuery(parameters)
        let hash = PaymentHMAC.sha512.hex(key: secret, message: query)
        let separator = base.absoluteString.contains("?") ? "&" : "?"
        // The query is already percent-encoded with the unreserved set, so URL keeps it verbatim.
        return URL(string: base.absoluteString + separator + query + "&vnp_SecureHash=" + hash)!
    }

    // MARK: - Return URL and IPN (PAYMENTS.md 1.5)

    /// A verified return/IPN callback.
    public struct Callback: Sendable, Hashable {
        /// `vnp_TxnRef`, the merchant's reference.
        public var txnRef: String
        /// The amount in dong (`vnp_Amount` / 100, which must divide exactly).
        public var amount: Int64
        /// Always `VND`.
        public var currency: String { "VND" }
        /// `vnp_ResponseCode`, see ``ResponseCode``.
        public var responseCode: String
        /// `vnp_TransactionStatus`, see ``TransactionStatus``.
        public var transactionStatus: String
        /// `vnp_TransactionNo`, VNPAY's transaction id (`0` when the customer cancelled).
        public var transactionNo: String?
        public var bankCode: String?
        public var bankTranNo: String?
        public var cardType: String?
        /// `vnp_PayDate` read as GMT+7.
        public var payDate: Date?
        public var orderInfo: String?
        public var tmnCode: String
        /// Every `vnp_*` field as received (decoded), the hash fields included.
        public var fields: [String: String]

        /// The documented success rule: `vnp_ResponseCode == "00" && vnp_TransactionStatus == "00"`.
        /// (The PHP IPN demo's `||` is wrong.)
        public var isSuccess: Bool { responseCode == "00" && transactionStatus == "00" }

        public var response: ResponseCode? { ResponseCode(rawValue: responseCode) }
        public var status: TransactionStatus? { TransactionStatus(rawValue: transactionStatus) }

        /// Reads the typed fields from verified `vnp_*` fields.
        ///
        /// - throws: `field.missing`, `field.invalid`, `amount.invalid`.
        public init(fields: [String: String]) throws(PaymentProtocolError) {
            func required(_ key: String) throws(PaymentProtocolError) -> String {
                guard let value = fields[key], !value.isEmpty else { throw .fieldMissing(key) }
                return value
            }
            func optional(_ key: String) -> String? {
                guard let value = fields[key], !value.isEmpty else { return nil }
                return value
            }
            let rawAmount = try required("vnp_Amount")
            guard rawAmount.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let times100 = Int64(rawAmount) else {
                throw PaymentProtocolError(
                    code: PaymentProtocolError.Code.amountInvalid,
                    message: "vnp_Amount is not a whole number",
                    values: ["vnp_Amount": rawAmount]
                )
            }
            guard times100 % 100 == 0 else {
                throw PaymentProtocolError(
                    code: PaymentProtocolError.Code.amountInvalid,
                    message: "vnp_Amount is not a whole number of dong (×100)",
                    values: ["vnp_Amount": rawAmount]
                )
            }
            self.amount = times100 / 100
            self.txnRef = try required("vnp_TxnRef")
            self.responseCode = try required("vnp_ResponseCode")
            self.transactionStatus = try required("vnp_TransactionStatus")
            self.tmnCode = try required("vnp_TmnCode")
            self.transactionNo = optional("vnp_TransactionNo")
            self.bankCode = optional("vnp_BankCode")
            self.bankTranNo = optional("vnp_BankTranNo")
            self.cardType = optional("vnp_CardType")
            self.orderInfo = optional("vnp_OrderInfo")
            if let text = optional("vnp_PayDate") {
                guard let date = VNPay.parseDate(text) else {
                    throw .fieldInvalid("vnp_PayDate", text, "is not yyyyMMddHHmmss")
                }
                self.payDate = date
            } else {
                self.payDate = nil
            }
            self.fields = fields
        }
    }

    /// Verifies a return-URL or IPN query string and reads the callback.
    ///
    /// Decodes the query, keeps the `vnp_*` fields, drops `vnp_SecureHash` and
    /// `vnp_SecureHashType`, re-encodes as in ``canonicalQuery(_:)`` and compares the HMAC in
    /// constant time, ignoring the case of the received hex. The terminal code must be ours.
    ///
    /// - throws: `signature.missing` or `signature.invalid` (the IPN answers `97`);
    ///   `encoding.invalid`, `field.missing`, `field.invalid`, `amount.invalid` (`99`).
    public func verifyCallback(query: String) throws(PaymentProtocolError) -> Callback {
        try verifyCallback(parameters: FormEncoding.decodeQuery(query))
    }

    /// Verifies already-decoded query parameters (for a framework that decoded them); see ``verifyCallback(query:)``.
    public func verifyCallback(parameters: [(String, String)]) throws(PaymentProtocolError) -> Callback {
        let vnp = parameters.filter { $0.0.hasPrefix("vnp_") }
        guard !vnp.isEmpty else { throw .fieldMissing("vnp_*") }
        var fields: [String: String] = [:]
        for (key, value) in vnp {
            guard fields.updateValue(value, forKey: key) == nil else {
                // PHP keeps the last copy, C# the first: the signed set is ambiguous.
                throw PaymentProtocolError(
                    code: PaymentProtocolError.Code.signatureInvalid,
                    message: "a field appears twice, so the signed set is ambiguous",
                    values: ["field": key]
                )
            }
        }
        guard let received = fields["vnp_SecureHash"], !received.isEmpty else {
            throw .signatureMissing("vnp_SecureHash")
        }
        let expected = Self.secureHash(for: vnp, secret: configuration.hashSecret)
        guard PaymentCrypto.hexSignatureMatches(expected: expected, received: received) else {
            throw .signatureInvalid("vnp_SecureHash")
        }
        let callback = try Callback(fields: fields)
        guard callback.tmnCode == configuration.tmnCode else {
            throw .fieldInvalid("vnp_TmnCode", callback.tmnCode, "is not this terminal")
        }
        return callback
    }

    /// The IPN `RspCode` values (PAYMENTS.md 1.5). `00` and `02` end VNPAY's retries; the
    /// others make it call again, up to 10 times, 5 minutes apart.
    public enum RspCode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case confirmSuccess = "00"
        case orderNotFound = "01"
        case orderAlreadyConfirmed = "02"
        case invalidAmount = "04"
        case invalidSignature = "97"
        case unknownError = "99"

        /// The `Message` the official demos send with this code.
        public var message: String {
            switch self {
            case .confirmSuccess: "Confirm Success"
            case .orderNotFound: "Order not found"
            case .orderAlreadyConfirmed: "Order already confirmed"
            case .invalidAmount: "invalid amount"
            case .invalidSignature: "Invalid signature"
            case .unknownError: "Unknow error"  // sic, as in VNPAY's demos
            }
        }

        /// Whether VNPAY stops retrying on this answer.
        public var endsRetries: Bool { self == .confirmSuccess || self == .orderAlreadyConfirmed }

        public var description: String { "\(rawValue) \(message)" }
    }

    /// What the merchant knows about the order named by `vnp_TxnRef`.
    public enum OrderLookup: Sendable, Hashable {
        /// No such order.
        case notFound
        /// The order's expected amount in minor units of `currency`, and whether it still
        /// awaits a payment result (`false` once a previous IPN was recorded).
        case found(amount: Int64, currency: String, isPending: Bool)
    }

    /// The IPN answer: `RspCode` and `Message`, written as VNPAY expects.
    public struct IPNResponse: Sendable, Hashable {
        public var rspCode: RspCode
        public var message: String

        public init(_ rspCode: RspCode, message: String? = nil) {
            self.rspCode = rspCode
            self.message = message ?? rspCode.message
        }

        /// `true` only for `00`: the caller records the callback's result (paid when
        /// ``Callback/isSuccess``, failed otherwise) before sending the body.
        public var recordsResult: Bool { rspCode == .confirmSuccess }

        /// The response body, e.g. `{"RspCode":"00","Message":"Confirm Success"}`.
        public var jsonBody: String {
            FlatJSON.encode([("RspCode", .string(rspCode.rawValue)), ("Message", .string(message))])
        }
    }

    /// The IPN decision, in the check order of every official demo (PAYMENTS.md 1.5):
    /// bad checksum `97`, order not found `01`, amount differs `04`, already processed `02`,
    /// otherwise `00`; any other failure `99`.
    ///
    /// `order` is ignored unless the callback verified.
    public static func ipnResponse(for verification: Result<Callback, PaymentProtocolError>, order: OrderLookup) -> IPNResponse {
        ipnResponse(for: verification) { _ in order }
    }

    /// The IPN decision with the order read by `lookup`, which runs only for a verified
    /// callback; an error thrown by `lookup` answers `99` so that VNPAY retries.
    public static func ipnResponse(
        for verification: Result<Callback, PaymentProtocolError>,
        lookup: (Callback) throws -> OrderLookup
    ) -> IPNResponse {
        let callback: Callback
        switch verification {
        case .success(let verified):
            callback = verified
        case .failure(let error):
            switch error.code {
            case PaymentProtocolError.Code.signatureMissing, PaymentProtocolError.Code.signatureInvalid:
                return IPNResponse(.invalidSignature)
            case PaymentProtocolError.Code.fieldMissing:
                return IPNResponse(.unknownError, message: "Input data required")
            default:
                return IPNResponse(.unknownError)
            }
        }
        let order: OrderLookup
        do {
            order = try lookup(callback)
        } catch {
            return IPNResponse(.unknownError)
        }
        switch order {
        case .notFound:
            return IPNResponse(.orderNotFound)
        case .found(let amount, let currency, let isPending):
            guard currency.uppercased() == "VND", amount == callback.amount else {
                return IPNResponse(.invalidAmount)
            }
            guard isPending else { return IPNResponse(.orderAlreadyConfirmed) }
            return IPNResponse(.confirmSuccess)
        }
    }

    // MARK: - querydr and refund (PAYMENTS.md 1.7)

    /// A JSON request for the querydr/refund endpoint: the fields in wire order, the
    /// checksum last, all values JSON strings.
    public struct APIRequest: Sendable {
        public var url: URL
        public var fields: [(String, String)]

        /// The `vnp_SecureHash` field.
        public var secureHash: String { fields.last { $0.0 == "vnp_SecureHash" }?.1 ?? "" }

        /// The compact JSON body, fields in order.
        public var jsonBody: Data { Data(jsonText.utf8) }

        /// The JSON body as text.
        public var jsonText: String { FlatJSON.encode(fields.map { ($0.0, .string($0.1)) }) }
    }

    /// A querydr request; `transactionDate` is the original payment's `vnp_CreateDate`.
    public struct QueryRequest: Sendable, Hashable {
        /// `vnp_RequestId`, unique per day, an[1,32].
        public var requestId: String
        public var txnRef: String
        public var orderInfo: String
        public var transactionNo: String?
        public var transactionDate: Date
        public var createdAt: Date
        /// The server's IP address.
        public var ipAddress: String

        public init(
            requestId: String,
            txnRef: String,
            orderInfo: String,
            transactionNo: String? = nil,
            transactionDate: Date,
            createdAt: Date,
            ipAddress: String
        ) {
            self.requestId = requestId
            self.txnRef = txnRef
            self.orderInfo = orderInfo
            self.transactionNo = transactionNo
            self.transactionDate = transactionDate
            self.createdAt = createdAt
            self.ipAddress = ipAddress
        }
    }

    /// The signed querydr body. The checksum covers
    /// `RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo`.
    public func queryRequest(_ request: QueryRequest) -> APIRequest {
        let transactionDate = Self.formatDate(request.transactionDate)
        let createDate = Self.formatDate(request.createdAt)
        let checksum = Self.pipeChecksum(
            [
                request.requestId, Self.version, "querydr", configuration.tmnCode, request.txnRef,
                transactionDate, createDate, request.ipAddress, request.orderInfo,
            ],
            secret: configuration.hashSecret
        )
        var fields: [(String, String)] = [
            ("vnp_RequestId", request.requestId),
            ("vnp_Version", Self.version),
            ("vnp_Command", "querydr"),
            ("vnp_TmnCode", configuration.tmnCode),
            ("vnp_TxnRef", request.txnRef),
            ("vnp_OrderInfo", request.orderInfo),
        ]
        if let transactionNo = request.transactionNo, !transactionNo.isEmpty {
            fields.append(("vnp_TransactionNo", transactionNo))
        }
        fields += [
            ("vnp_TransactionDate", transactionDate),
            ("vnp_CreateDate", createDate),
            ("vnp_IpAddr", request.ipAddress),
            ("vnp_SecureHash", checksum),
        ]
        return APIRequest(url: configuration.apiURL, fields: fields)
    }

    /// `vnp_TransactionType` of a refund.
    public enum RefundType: String, Sendable, Hashable, CaseIterable {
        case full = "02"
        case partial = "03"
    }

    /// A refund request. Refunds are off in the sandbox unless VNPAY enables them.
    public struct RefundRequest: Sendable, Hashable {
        public var requestId: String
        public var type: RefundType
        public var txnRef: String
        /// The amount to refund in minor units of `currency` (dong).
        public var amount: Int64
        public var currency: String
        /// VNPAY's `vnp_TransactionNo`; `nil` sends `"0"`, as [LHG] does when it is unknown.
        public var transactionNo: String?
        public var transactionDate: Date
        /// `vnp_CreateBy`, the user asking for the refund.
        public var createdBy: String
        public var createdAt: Date
        public var ipAddress: String
        public var orderInfo: String

        public init(
            requestId: String,
            type: RefundType,
            txnRef: String,
            amount: Int64,
            currency: String = "VND",
            transactionNo: String? = nil,
            transactionDate: Date,
            createdBy: String,
            createdAt: Date,
            ipAddress: String,
            orderInfo: String
        ) {
            self.requestId = requestId
            self.type = type
            self.txnRef = txnRef
            self.amount = amount
            self.currency = currency
            self.transactionNo = transactionNo
            self.transactionDate = transactionDate
            self.createdBy = createdBy
            self.createdAt = createdAt
            self.ipAddress = ipAddress
            self.orderInfo = orderInfo
        }
    }

    /// The signed refund body. The checksum covers `RequestId|Version|refund|TmnCode|TransactionType|
    /// TxnRef|Amount×100|TransactionNo|TransactionDate|CreateBy|CreateDate|IpAddr|OrderInfo`.
    ///
    /// - throws: `currency.unsupported`, `amount.invalid`.
    public func refundRequest(_ request: RefundRequest) throws(PaymentProtocolError) -> APIRequest {
        let amount = String(try Self.wireAmount(request.amount, currency: request.currency))
        let transactionNo = request.transactionNo.flatMap { $0.isEmpty ? nil : $0 } ?? "0"
        let transactionDate = Self.formatDate(request.transactionDate)
        let createDate = Self.formatDate(request.createdAt)
        let checksum = Self.pipeChecksum(
            [
                request.requestId, Self.version, "refund", configuration.tmnCode, request.type.rawValue,
                request.txnRef, amount, transactionNo, transactionDate, request.createdBy, createDate,
                request.ipAddress, request.orderInfo,
            ],
            secret: configuration.hashSecret
        )
        let fields: [(String, String)] = [
            ("vnp_RequestId", request.requestId),
            ("vnp_Version", Self.version),
            ("vnp_Command", "refund"),
            ("vnp_TmnCode", configuration.tmnCode),
            ("vnp_TransactionType", request.type.rawValue),
            ("vnp_TxnRef", request.txnRef),
            ("vnp_Amount", amount),
            ("vnp_OrderInfo", request.orderInfo),
            ("vnp_TransactionNo", transactionNo),
            ("vnp_TransactionDate", transactionDate),
            ("vnp_CreateBy", request.createdBy),
            ("vnp_CreateDate", createDate),
            ("vnp_IpAddr", request.ipAddress),
            ("vnp_SecureHash", checksum),
        ]
        return APIRequest(url: configuration.apiURL, fields: fields)
    }

    /// The fields covered by a querydr response's checksum, in order (PAYMENTS.md 1.7).
    public static let queryResponseHashFields = [
        "vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode", "vnp_TxnRef",
        "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo", "vnp_TransactionType",
        "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode", "vnp_PromotionAmount",
    ]

    /// The fields covered by a refund response's checksum: the first 13 of the querydr list.
    public static let refundResponseHashFields = Array(queryResponseHashFields.prefix(13))

    /// Response codes that VNPAY sends without a checksum (not found, bad checksum).
    public static let unsignedResponseCodes: Set<String> = ["91", "97"]

    /// A querydr or refund response whose checksum was checked.
    public struct APIResponse: Sendable, Hashable {
        /// Every scalar field as text (numbers in decimal).
        public var fields: [String: String]
        /// `false` for a `91`/`97` answer that came unsigned: it carries no payment facts.
        public var isSigned: Bool

        public subscript(_ field: String) -> String? { fields[field] }

        public var responseCode: String { fields["vnp_ResponseCode"] ?? "" }
        public var transactionType: String? { fields["vnp_TransactionType"] }
        public var transactionStatus: String? { fields["vnp_TransactionStatus"] }

        /// The amount in dong, when `vnp_Amount` is a whole multiple of 100.
        public var amount: Int64? {
            guard let raw = fields["vnp_Amount"], let times100 = Int64(raw), times100 % 100 == 0 else { return nil }
            return times100 / 100
        }

        /// A signed querydr answer that says the payment went through: response `00`,
        /// transaction type `01` (payment) and status `00`.
        public var confirmsPayment: Bool {
            isSigned && responseCode == "00" && transactionType == "01" && transactionStatus == "00"
        }
    }

    /// Verifies a querydr response body (JSON). The raw `vnp_Amount` is hashed, not amount/100.
    ///
    /// - throws: `json.invalid`, `signature.missing` (a signed code without checksum),
    ///   `signature.invalid`.
    public func verifyQueryResponse(_ body: Data) throws(PaymentProtocolError) -> APIResponse {
        try verifyResponse(body, hashFields: Self.queryResponseHashFields)
    }

    /// Verifies a refund response body (JSON); see ``verifyQueryResponse(_:)``.
    public func verifyRefundResponse(_ body: Data) throws(PaymentProtocolError) -> APIResponse {
        try verifyResponse(body, hashFields: Self.refundResponseHashFields)
    }

    func verifyResponse(_ body: Data, hashFields: [String]) throws(PaymentProtocolError) -> APIResponse {
        let fields = try FlatJSON.decodeObject(body)
        let code = fields["vnp_ResponseCode"] ?? ""
        let expected = Self.pipeChecksum(hashFields.map { fields[$0] ?? "" }, secret: configuration.hashSecret)
        let received = fields["vnp_SecureHash"] ?? ""
        let matches = !received.isEmpty && PaymentCrypto.hexSignatureMatches(expected: expected, received: received)
        if matches { return APIResponse(fields: fields, isSigned: true) }
        if Self.unsignedResponseCodes.contains(code) {
            // 91 and 97 come back unsigned; they state a failure and are never read as a payment.
            return APIResponse(fields: fields, isSigned: false)
        }
        if received.isEmpty { throw .signatureMissing("vnp_SecureHash") }
        throw .signatureInvalid("vnp_SecureHash")
    }

    // MARK: - Code tables (PAYMENTS.md 1.6, 1.7)

    /// `vnp_ResponseCode` of the return URL and IPN.
    public enum ResponseCode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case success = "00"
        case suspectedFraud = "07"
        case notRegisteredForInternetBanking = "09"
        case authenticationFailedTooOften = "10"
        case timedOut = "11"
        case cardLocked = "12"
        case wrongOTP = "13"
        case cancelledByCustomer = "24"
        case insufficientBalance = "51"
        case dailyLimitExceeded = "65"
        case bankUnderMaintenance = "75"
        case wrongPaymentPasswordTooOften = "79"
        case otherError = "99"

        public var description: String {
            switch self {
            case .success: "success"
            case .suspectedFraud: "money debited, but the transaction is suspected of fraud"
            case .notRegisteredForInternetBanking: "card or account not registered for Internet Banking"
            case .authenticationFailedTooOften: "card or account authentication failed more than 3 times"
            case .timedOut: "payment timed out"
            case .cardLocked: "card or account locked"
            case .wrongOTP: "wrong OTP"
            case .cancelledByCustomer: "customer cancelled"
            case .insufficientBalance: "insufficient balance"
            case .dailyLimitExceeded: "daily limit exceeded"
            case .bankUnderMaintenance: "bank under maintenance"
            case .wrongPaymentPasswordTooOften: "too many wrong payment passwords"
            case .otherError: "other error"
            }
        }
    }

    /// `vnp_TransactionStatus`.
    public enum TransactionStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case success = "00"
        case notCompleted = "01"
        case error = "02"
        case reversed = "04"
        case refundProcessing = "05"
        case refundSentToBank = "06"
        case suspectedFraud = "07"
        case refundRejected = "09"

        public var description: String {
            switch self {
            case .success: "success"
            case .notCompleted: "not completed"
            case .error: "error"
            case .reversed: "reversed: the customer was debited but the transaction failed at VNPAY"
            case .refundProcessing: "VNPAY is processing a refund"
            case .refundSentToBank: "refund sent to the bank"
            case .suspectedFraud: "suspected fraud"
            case .refundRejected: "refund rejected"
            }
        }
    }

    /// `vnp_ResponseCode` of a querydr answer. Treat `94` as "ask again later": it was seen
    /// for about 5 minutes after any accepted querydr.
    public enum QueryResponseCode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case success = "00"
        case invalidTmnCode = "02"
        case invalidFormat = "03"
        case transactionNotFound = "91"
        case duplicateRequest = "94"
        case invalidChecksum = "97"
        case otherError = "99"

        public var description: String {
            switch self {
            case .success: "ok"
            case .invalidTmnCode: "bad TmnCode"
            case .invalidFormat: "bad format"
            case .transactionNotFound: "transaction not found"
            case .duplicateRequest: "duplicate request"
            case .invalidChecksum: "bad checksum"
            case .otherError: "other error"
            }
        }
    }

    /// `vnp_ResponseCode` of a refund answer.
    public enum RefundResponseCode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case success = "00"
        case invalidTmnCode = "02"
        case invalidFormat = "03"
        case transactionNotFound = "91"
        case refundAlreadyRequested = "94"
        case transactionNotSuccessful = "95"
        case invalidChecksum = "97"
        case otherError = "99"

        public var description: String {
            switch self {
            case .success: "ok"
            case .invalidTmnCode: "bad TmnCode"
            case .invalidFormat: "bad format"
            case .transactionNotFound: "transaction not found"
            case .refundAlreadyRequested: "refund already requested"
            case .transactionNotSuccessful: "transaction not successful at VNPAY, refund refused"
            case .invalidChecksum: "bad checksum"
            case .otherError: "other error"
            }
        }
    }
}
