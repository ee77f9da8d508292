public import Foundation

/// 2Checkout (Verifone, Avangate): IPN verification, the read receipt, and the ConvertPlus
/// buy-link signature (PAYMENTS.md section 3).
///
/// Both signatures are HMACs over a *length-prefixed* serialisation: each value becomes its
/// UTF-8 byte length followed by the value, an empty value becomes just `0`.
///
/// ```swift
/// TwoCheckout.serialize(["1", "Software program", "20050303123434", "20050303123434"])
/// // "1116Software program14200503031234341420050303123434"  (KAT-T1)
/// ```
public enum TwoCheckout {
    /// `byteLength(value) + value`, or `0` for an empty value; `"0"` becomes `10`.
    public static func lengthPrefixed(_ value: String) -> String {
        value.isEmpty ? "0" : "\(value.utf8.count)\(value)"
    }

    /// The values length-prefixed and concatenated, in the given order.
    public static func serialize(_ values: [String]) -> String {
        values.map(lengthPrefixed).joined()
    }

    /// An IPN signature algorithm and the field that carries it.
    public enum Algorithm: String, Sendable, Hashable, CaseIterable {
        case sha3_256 = "sha3-256"
        case sha256 = "sha256"
        case md5 = "md5"

        /// The IPN field holding this signature.
        public var ipnField: String {
            switch self {
            case .sha3_256: "SIGNATURE_SHA3_256"
            case .sha256: "SIGNATURE_SHA2_256"
            case .md5: "HASH"
            }
        }

        var hmac: PaymentHMAC {
            switch self {
            case .sha3_256: .sha3_256
            case .sha256: .sha256
            case .md5: .md5
            }
        }

        /// The lower-case hex HMAC of `message` under `secretKey`.
        public func hex(secretKey: String, message: String) -> String {
            hmac.hex(key: secretKey, message: message)
        }
    }

    /// The IPN fields that carry signatures and are left out of the hashed string.
    public static let signatureFields: Set<String> = ["HASH", "SIGNATURE_SHA2_256", "SIGNATURE_SHA3_256"]

    /// The IPN fields grouped as PHP's `$_POST` sees them: in first-appearance order, a
    /// `name[]` field collecting every element in the order received, a repeated plain field
    /// keeping its last value. 2Checkout's own verifiers walk `$_POST`, so this is the order hashed.
    public static func groupedFields(_ fields: [(String, String)]) -> [(name: String, values: [String])] {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in fields {
            if values[name] == nil {
                order.append(name)
                values[name] = [value]
            } else if name.hasSuffix("[]") {
                values[name]!.append(value)
            } else {
                values[name] = [value]
            }
        }
        return order.map { ($0, values[$0]!) }
    }

    /// The IPN hash input: every field in received order except the signature fields, arrays
    /// element by element, each value length-prefixed (PAYMENTS.md 3.1).
    public static func ipnSourceString(_ fields: [(String, String)]) -> String {
        serialize(
            groupedFields(fields)
                .filter { !signatureFields.contains($0.name) }
                .flatMap(\.values)
        )
    }

    /// Verifies an IPN form body (`application/x-www-form-urlencoded`, as received).
    ///
    /// - throws: see ``verifyIPN(fields:secretKey:accepting:)``; also `encoding.invalid`.
    @discardableResult
    public static func verifyIPN(
        body: String,
        secretKey: String,
        accepting accepted: Set<Algorithm> = Set(Algorithm.allCases)
    ) throws(PaymentProtocolError) -> Algorithm {
        try verifyIPN(fields: FormEncoding.decodeQuery(body), secretKey: secretKey, accepting: accepted)
    }

    /// Verifies decoded IPN fields, in the order received, and returns the algorithm that matched.
    ///
    /// The strongest signature present among `accepted` is checked — SHA3-256, then SHA-256,
    /// then MD5, the order the official plugin uses — and only that one, so a bad SHA3 value
    /// cannot fall back to MD5. Hex case is ignored ("HASH fields values are case insensitive").
    ///
    /// - throws: `signature.missing` when no accepted signature field is present,
    ///   `signature.invalid` when it does not match, `configuration.invalid` for an empty key.
    @discardableResult
    public static func verifyIPN(
        fields: [(String, String)],
        secretKey: String,
        accepting accepted: Set<Algorithm> = Set(Algorithm.allCases)
    ) throws(PaymentProtocolError) -> Algorithm {
        guard !secretKey.isEmpty else {
            throw PaymentProtocolError(code: PaymentProtocolError.Code.configurationInvalid, message: "no 2Checkout secret key")
        }
        let grouped = groupedFields(fields)
        func signature(_ algorithm: Algorithm) -> String? {
            guard let value = grouped.first(where: { $0.name == algorithm.ipnField })?.values.last, !value.isEmpty else {
                return nil
            }
            return value
        }
        guard
            let algorithm = Algorithm.allCases.first(where: { accepted.contains($0) && signature($0) != nil }),
            let received = signature(algorithm)
        else {
            throw .signatureMissing(Algorithm.allCases.filter(accepted.contains).map(\.ipnField).joined(separator: "|"))
        }
        let expected = algorithm.hex(secretKey: secretKey, message: ipnSourceString(fields))
        guard PaymentCrypto.hexSignatureMatches(expected: expected, received: received) else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.signatureInvalid,
                message: "the IPN \(algorithm.ipnField) does not match",
                values: ["field": algorithm.ipnField, "algorithm": algorithm.rawValue]
            )
        }
        return algorithm
    }

    /// 2Checkout's `YmdHis` date; UTC unless `utcOffsetSeconds` says otherwise.
    public static func formatDate(_ date: Date, utcOffsetSeconds: Int = 0) -> String {
        CompactTimestamp.format(date, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// The read-receipt hash: `HMAC(secret, lp(IPN_PID[0]) + lp(IPN_PNAME[0]) + lp(IPN_DATE) + lp(DATE))`.
    public static func readReceiptHash(
        ipnPID: String,
        ipnPName: String,
        ipnDate: String,
        date: String,
        secretKey: String,
        algorithm: Algorithm
    ) -> String {
        algorithm.hex(secretKey: secretKey, message: serialize([ipnPID, ipnPName, ipnDate, date]))
    }

    /// The read receipt `<sig algo="sha256" date="YmdHis">HASH</sig>` (or `algo="sha3-256"`) that
    /// stops 2Checkout re-sending the IPN.
    ///
    /// - throws: `field.missing` when the IPN lacks `IPN_PID[]`, `IPN_PNAME[]` or `IPN_DATE`.
    public static func readReceipt(
        for fields: [(String, String)],
        secretKey: String,
        date: String,
        algorithm: Algorithm = .sha256
    ) throws(PaymentProtocolError) -> String {
        let (pid, pname, ipnDate) = try receiptInputs(fields)
        let hash = readReceiptHash(ipnPID: pid, ipnPName: pname, ipnDate: ipnDate, date: date, secretKey: secretKey, algorithm: algorithm)
        return "<sig algo=\"\(algorithm.rawValue)\" date=\"\(date)\">\(hash)</sig>"
    }

    /// The legacy MD5 read receipt `<EPAYMENT>DATE|HASH</EPAYMENT>`.
    public static func legacyReadReceipt(
        for fields: [(String, String)],
        secretKey: String,
        date: String
    ) throws(PaymentProtocolError) -> String {
        let (pid, pname, ipnDate) = try receiptInputs(fields)
        let hash = readReceiptHash(ipnPID: pid, ipnPName: pname, ipnDate: ipnDate, date: date, secretKey: secretKey, algorithm: .md5)
        return "<EPAYMENT>\(date)|\(hash)</EPAYMENT>"
    }

    private static func receiptInputs(_ fields: [(String, String)]) throws(PaymentProtocolError) -> (String, String, String) {
        let grouped = groupedFields(fields)
        func first(_ name: String) throws(PaymentProtocolError) -> String {
            guard let value = grouped.first(where: { $0.name == name })?.values.first else { throw .fieldMissing(name) }
            return value
        }
        return (try first("IPN_PID[]"), try first("IPN_PNAME[]"), try first("IPN_DATE"))
    }

    // MARK: - ConvertPlus buy link (PAYMENTS.md 3.2)

    /// The buy-link parameters that are signed when present. `merchant` never is.
    public static let buyLinkSignedParameters: Set<String> = [
        // General
        "return-url", "return-type", "expiration", "order-ext-ref", "item-ext-ref", "customer-ref",
        "customer-ext-ref", "lock",
        // Dynamic products
        "currency", "prod", "price", "qty", "tangible", "type", "opt", "description", "recurrence",
        "duration", "renewal-price",
    ]

    /// The buy-link signature: the signed parameters present, sorted by name, their raw
    /// (unencoded) values length-prefixed and concatenated, HMAC-SHA256 with the Buy-Link Secret Word.
    public static func buyLinkSignature(parameters: [(String, String)], secretWord: String) -> String {
        let signed = parameters
            .filter { buyLinkSignedParameters.contains($0.0) }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return PaymentHMAC.sha256.hex(key: secretWord, message: serialize(signed.map(\.1)))
    }

    /// The default ConvertPlus checkout page.
    public static let buyLinkBaseURL = URL(string: "https://secure.2checkout.com/checkout/buy")!

    /// A signed ConvertPlus buy link: `base?merchant=CODE&<parameters in order>&signature=<hex>`.
    ///
    /// ```swift
    /// try TwoCheckout.buyLinkURL(merchant: "250283563061", parameters: [
    ///     ("dynamic", "1"), ("prod", "Invoice INV-1"), ("price", "10.00"), ("qty", "1"),
    ///     ("currency", "USD"), ("type", "PRODUCT"), ("order-ext-ref", "INV-1"),
    /// ], secretWord: word)
    /// ```
    ///
    /// - throws: `field.missing` for an empty merchant code, `field.invalid` when `parameters`
    ///   repeats a name or carries `merchant` or `signature`.
    public static func buyLinkURL(
        merchant: String,
        parameters: [(String, String)],
        secretWord: String,
        base: URL = TwoCheckout.buyLinkBaseURL
    ) throws(PaymentProtocolError) -> URL {
        guard !merchant.isEmpty else { throw .fieldMissing("merchant") }
        var seen: Set<String> = []
        for (name, value) in parameters {
            guard name != "merchant", name != "signature", seen.insert(name).inserted else {
                throw .fieldInvalid(name, value, "must appear once and not be merchant or signature")
            }
        }
        let signature = buyLinkSignature(parameters: parameters, secretWord: secretWord)
        let query = FormEncoding.encode([("merchant", merchant)] + parameters + [("signature", signature)])
        let separator = base.absoluteString.contains("?") ? "&" : "?"
        return URL(string: base.absoluteString + separator + query)!
    }
}
