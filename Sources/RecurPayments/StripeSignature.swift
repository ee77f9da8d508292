public import Foundation

/// Signs and verifies the `Stripe-Signature` webhook header (PAYMENTS.md 2.1).
///
/// `v1 = hex(HMAC-SHA256(key: the whole "whsec_…" secret, message: "<t>.<raw body>"))`.
/// Verification passes if *any* `v1` matches (secrets roll), ignores `v0`, and rejects a
/// timestamp more than `tolerance` seconds old, like the official libraries, and also one more
/// than `tolerance` seconds in the future. As in stripe-python, the signature is checked
/// before the time, so a forged header reports `signature.invalid` whatever its age.
///
/// For example, KAT-S1:
///
/// ```swift
/// let stripe = StripeSignature(secret: "whsec_test_secret")
/// stripe.header(for: Array(payload.utf8), timestamp: 1_700_000_000)
/// // "t=1700000000,v1=763c7245e0851c064adda608f5cdd93d10fd2d475cb6f10d0d0e5d76154aee02"
/// try stripe.verify(payload: body, header: header, now: Date())   // returns the signed timestamp
/// ```
public struct StripeSignature: Sendable, Hashable {
    /// The official libraries' default tolerance: 300 seconds.
    public static let defaultTolerance: TimeInterval = 300

    /// The endpoint's signing secret, `whsec_` prefix included (it is part of the key).
    public var secret: String

    public init(secret: String) {
        self.secret = secret
    }

    /// The lower-case hex `v1` signature of `payload` at `timestamp`.
    public func signature(for payload: some Sequence<UInt8>, timestamp: Int64) -> String {
        var signed = Array("\(timestamp).".utf8)
        signed.append(contentsOf: payload)
        return PaymentHMAC.sha256.hex(key: secret, message: signed)
    }

    /// A `Stripe-Signature` header, `t=<timestamp>,v1=<hex>`, as Stripe sends it.
    public func header(for payload: some Sequence<UInt8>, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(signature(for: payload, timestamp: timestamp))"
    }

    /// The parts of a `Stripe-Signature` header.
    public struct Header: Sendable, Hashable {
        /// The first `t=` value, if it is an integer.
        public var timestamp: Int64?
        /// Every `v1=` value, in order.
        public var v1: [String]

        /// Splits on `,`, then on the first `=`; unknown schemes (`v0`) are ignored.
        public init(parsing header: String) {
            var timestamp: Int64?
            var sawTimestamp = false
            var v1: [String] = []
            for item in header.split(separator: ",", omittingEmptySubsequences: true) {
                let part = item.trimmingCharacters(in: .whitespaces)
                guard let equals = part.firstIndex(of: "=") else { continue }
                let key = part[..<equals]
                let value = String(part[part.index(after: equals)...])
                if key == "t", !sawTimestamp {
                    sawTimestamp = true
                    timestamp = Int64(value)
                } else if key == "v1" {
                    v1.append(value)
                }
            }
            self.timestamp = timestamp
            self.v1 = v1
        }
    }

    /// Verifies `header` over the raw `payload` bytes and returns the signed timestamp.
    ///
    /// - Parameters:
    ///   - payload: the request body exactly as received.
    ///   - header: the `Stripe-Signature` value, or `nil` when the request had none.
    ///   - now: the current time.
    ///   - tolerance: seconds accepted either side of `now`; `nil` checks no time.
    /// - throws: ``PaymentProtocolError`` with code `signature.missing` (no header, or no `v1`),
    ///   `signature.malformed` (no integer `t=`), `signature.invalid` (no `v1` matches), or
    ///   `timestamp.outside_tolerance` (`values["direction"]` is `past` or `future`).
    @discardableResult
    public func verify(
        payload: some Sequence<UInt8>,
        header: String?,
        now: Date,
        tolerance: TimeInterval? = StripeSignature.defaultTolerance
    ) throws(PaymentProtocolError) -> Int64 {
        guard !secret.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.configurationInvalid,
                message: "no webhook secret; it starts with whsec_"
            )
        }
        guard let header, !header.isEmpty else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.signatureMissing,
                message: "no Stripe-Signature header",
                values: ["field": "Stripe-Signature"]
            )
        }
        let parsed = Header(parsing: header)
        guard let timestamp = parsed.timestamp else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.signatureMalformed,
                message: "the Stripe-Signature header has no integer timestamp",
                values: ["field": "t"]
            )
        }
        guard !parsed.v1.isEmpty else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.signatureMissing,
                message: "no signatures found with expected scheme v1",
                values: ["field": "v1"]
            )
        }
        let expected = signature(for: payload, timestamp: timestamp)
        // Compare with every candidate so timing does not reveal which one matched.
        var matched = false
        for candidate in parsed.v1 {
            matched = PaymentCrypto.constantTimeEquals(Array(expected.utf8), Array(candidate.utf8)) || matched
        }
        guard matched else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.signatureInvalid,
                message: "no v1 signature matches the payload",
                values: ["field": "v1", "timestamp": String(timestamp)]
            )
        }
        if let tolerance, tolerance > 0 {
            let age = now.timeIntervalSince1970 - TimeInterval(timestamp)
            if age > tolerance || -age > tolerance {
                throw PaymentProtocolError(
                    code: PaymentProtocolError.Code.timestampOutsideTolerance,
                    message: age > 0 ? "the webhook timestamp is too old" : "the webhook timestamp is in the future",
                    values: [
                        "timestamp": String(timestamp),
                        "now": String(Int64(now.timeIntervalSince1970.rounded(.down))),
                        "tolerance": String(Int64(tolerance)),
                        "direction": age > 0 ? "past" : "future",
                    ]
                )
            }
        }
        return timestamp
    }
}

/// Stripe's currency rules (PAYMENTS.md 2.3): amounts are integers in the currency's
/// smallest unit, except zero-decimal currencies, which are sent in whole units.
public enum StripeCurrency {
    /// Stripe's zero-decimal currencies, upper-case.
    public static let zeroDecimalCodes: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    ]

    /// Whether Stripe takes `code` (any case) in whole units.
    public static func isZeroDecimal(_ code: String) -> Bool {
        zeroDecimalCodes.contains(code.uppercased())
    }

    /// The number of decimals Stripe uses for `code`: 0 for zero-decimal currencies, 2 otherwise.
    ///
    /// Stripe's three-decimal currencies and its special cases (ISK, HUF, …) are out of scope.
    public static func stripeExponent(_ code: String) -> Int {
        isZeroDecimal(code) ? 0 : 2
    }

    /// Converts an amount in Recur's minor units to Stripe's `unit_amount`.
    ///
    /// Recur's VND and JPY have exponent 0 and EUR/MYR 2, which is what Stripe uses, so for
    /// those the amount passes through unchanged. A mismatch scales by a power of ten, and a
    /// division must be exact.
    ///
    /// ```swift
    /// try StripeCurrency.unitAmount(minorUnits: 250_000, currency: "VND", exponent: 0)  // 250000
    /// try StripeCurrency.unitAmount(minorUnits: 1999, currency: "EUR", exponent: 2)     // 1999
    /// try StripeCurrency.unitAmount(minorUnits: 12, currency: "EUR", exponent: 0)       // 1200
    /// ```
    ///
    /// - throws: `amount.invalid` for a negative amount, an overflow or an inexact division;
    ///   `currency.unsupported` for an exponent outside 0...4 or a code that is not 3 letters.
    public static func unitAmount(minorUnits: Int64, currency: String, exponent: Int) throws(PaymentProtocolError) -> Int64 {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isLetter }), (0...4).contains(exponent) else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.currencyUnsupported,
                message: "unsupported currency or exponent",
                values: ["currency": currency, "exponent": String(exponent)]
            )
        }
        guard minorUnits >= 0 else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.amountInvalid,
                message: "amount must not be negative",
                values: ["amount": String(minorUnits)]
            )
        }
        let shift = stripeExponent(currency) - exponent
        var factor: Int64 = 1
        for _ in 0..<abs(shift) { factor *= 10 }
        if shift >= 0 {
            let (scaled, overflow) = minorUnits.multipliedReportingOverflow(by: factor)
            guard !overflow else {
                throw PaymentProtocolError(
                    code: PaymentProtocolError.Code.amountInvalid,
                    message: "amount overflows",
                    values: ["amount": String(minorUnits), "currency": currency]
                )
            }
            return scaled
        }
        guard minorUnits % factor == 0 else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.amountInvalid,
                message: "amount has more precision than Stripe accepts for \(currency.uppercased())",
                values: ["amount": String(minorUnits), "currency": currency, "exponent": String(exponent)]
            )
        }
        return minorUnits / factor
    }
}

/// The form fields of `POST /v1/checkout/sessions` for paying one invoice (PAYMENTS.md 2.3).
///
/// One session per invoice attempt, `mode=payment`, one line item with inline `price_data`,
/// and the invoice id in `client_reference_id`, `metadata[invoice_id]` and
/// `payment_intent_data[metadata][invoice_id]` so that both the session and the
/// PaymentIntent events lead back to the invoice.
///
/// ```swift
/// let request = StripeCheckoutSessionRequest(
///     invoiceID: "INV-0001", amount: 1999, currency: "EUR", currencyExponent: 2,
///     successURL: "https://recur.example/return", cancelURL: "https://recur.example/cancel")
/// let body = FormEncoding.encode(try request.formFields())
/// ```
public struct StripeCheckoutSessionRequest: Sendable, Hashable {
    /// The invoice's identifier (also its display number in the line item unless `productName` is set).
    public var invoiceID: String
    /// Minor units in Recur's exponent for `currency`.
    public var amount: Int64
    /// ISO code in any case; sent lower-case.
    public var currency: String
    /// Recur's exponent for `currency` (0 for VND and JPY, 2 for EUR and MYR).
    public var currencyExponent: Int
    /// The line item's name; defaults to `Invoice <invoiceID>`.
    public var productName: String?
    /// Where Stripe sends the customer after paying; `session_id={CHECKOUT_SESSION_ID}` is
    /// appended unless the URL already contains `{CHECKOUT_SESSION_ID}`.
    public var successURL: String
    public var cancelURL: String
    /// `expires_at`; Stripe accepts 30 minutes to 24 hours after creation (default 24 h).
    public var expiresAt: Date?
    public var customerEmail: String?
    /// An existing Stripe customer (`cus_…`); takes precedence over `customerEmail`.
    public var customer: String?

    public init(
        invoiceID: String,
        amount: Int64,
        currency: String,
        currencyExponent: Int,
        productName: String? = nil,
        successURL: String,
        cancelURL: String,
        expiresAt: Date? = nil,
        customerEmail: String? = nil,
        customer: String? = nil
    ) {
        self.invoiceID = invoiceID
        self.amount = amount
        self.currency = currency
        self.currencyExponent = currencyExponent
        self.productName = productName
        self.successURL = successURL
        self.cancelURL = cancelURL
        self.expiresAt = expiresAt
        self.customerEmail = customerEmail
        self.customer = customer
    }

    /// The placeholder Stripe replaces with the session id in `success_url`.
    public static let sessionIDPlaceholder = "{CHECKOUT_SESSION_ID}"

    /// The success URL with the session-id placeholder added when missing.
    public var successURLWithSessionID: String {
        if successURL.contains(Self.sessionIDPlaceholder) { return successURL }
        let separator = successURL.contains("?") ? "&" : "?"
        return successURL + separator + "session_id=" + Self.sessionIDPlaceholder
    }

    /// The form fields in bracket notation, in a fixed order.
    ///
    /// - throws: `field.missing` (empty invoice id or URLs), `amount.invalid`, `currency.unsupported`.
    public func formFields() throws(PaymentProtocolError) -> [(String, String)] {
        guard !invoiceID.isEmpty else { throw .fieldMissing("invoice_id") }
        guard !successURL.isEmpty else { throw .fieldMissing("success_url") }
        guard !cancelURL.isEmpty else { throw .fieldMissing("cancel_url") }
        let unitAmount = try StripeCurrency.unitAmount(minorUnits: amount, currency: currency, exponent: currencyExponent)
        guard unitAmount > 0 else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.amountInvalid,
                message: "a checkout session needs a positive amount",
                values: ["amount": String(amount)]
            )
        }
        var fields: [(String, String)] = [
            ("mode", "payment"),
            ("line_items[0][price_data][currency]", currency.lowercased()),
            ("line_items[0][price_data][unit_amount]", String(unitAmount)),
            ("line_items[0][price_data][product_data][name]", productName ?? "Invoice \(invoiceID)"),
            ("line_items[0][quantity]", "1"),
            ("client_reference_id", invoiceID),
            ("metadata[invoice_id]", invoiceID),
            ("payment_intent_data[metadata][invoice_id]", invoiceID),
            ("success_url", successURLWithSessionID),
            ("cancel_url", cancelURL),
        ]
        if let customer, !customer.isEmpty {
            fields.append(("customer", customer))
        } else if let customerEmail, !customerEmail.isEmpty {
            fields.append(("customer_email", customerEmail))
        }
        if let expiresAt {
            fields.append(("expires_at", String(Int64(expiresAt.timeIntervalSince1970.rounded(.down)))))
        }
        return fields
    }
}
