// RecurPayments owns the protocol-level code of Recur's payment gateways:
// canonical strings, signatures, typed callbacks and request bodies.
// It is pure: no networking, no database, no clock (callers pass `now`).
// It must not import the server, the store or any HTTP stack.

import Crypto

/// The one error shape of the gateway protocols.
///
/// `code` is a stable, dotted string that callers and logs may switch on;
/// `message` is for people; `values` keeps what failed (field names, amounts,
/// timestamps) so the caller can log it without parsing the message.
///
/// For example:
///
/// ```swift
/// do {
///     _ = try vnpay.verifyCallback(query: query)
/// } catch {
///     if error.code == PaymentProtocolError.Code.signatureInvalid { … }
/// }
/// ```
public struct PaymentProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stable codes used by this module. New codes may be added; existing ones never change.
    public enum Code {
        /// No signature was sent (no `vnp_SecureHash`, no `Stripe-Signature`, no 2Checkout hash).
        public static let signatureMissing = "signature.missing"
        /// A signature was sent and does not match.
        public static let signatureInvalid = "signature.invalid"
        /// A signature header could not be read (for example a Stripe header without `t=`).
        public static let signatureMalformed = "signature.malformed"
        /// A signed timestamp lies outside the accepted window.
        public static let timestampOutsideTolerance = "timestamp.outside_tolerance"
        /// The paid amount differs from the expected amount.
        public static let amountMismatch = "amount.mismatch"
        /// An amount is not a number, not positive, overflows, or does not divide as the protocol requires.
        public static let amountInvalid = "amount.invalid"
        /// The currency is not accepted by the gateway (VNPAY and VNPT Pay take VND only).
        public static let currencyUnsupported = "currency.unsupported"
        /// A required field is absent or empty.
        public static let fieldMissing = "field.missing"
        /// A field has a value outside its documented format.
        public static let fieldInvalid = "field.invalid"
        /// A form body or query string could not be decoded.
        public static let encodingInvalid = "encoding.invalid"
        /// A JSON body could not be decoded as an object.
        public static let jsonInvalid = "json.invalid"
        /// A configuration value (secret, terminal code) is missing.
        public static let configurationInvalid = "configuration.invalid"
        /// The gateway cannot do this (no query or refund API documented).
        public static let unsupported = "gateway.unsupported"
        /// The gateway's API refused or answered nonsense.
        public static let gatewayUnavailable = "gateway.unavailable"
    }

    /// A stable dotted code, one of ``Code``.
    public let code: String
    /// A human-readable explanation.
    public let message: String
    /// What failed, as strings (for example `["field": "vnp_TxnRef"]`).
    public let values: [String: String]

    public init(code: String, message: String, values: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.values = values
    }

    public var description: String {
        if values.isEmpty { return "\(code): \(message)" }
        let pairs = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(code): \(message) [\(pairs)]"
    }

    static func signatureMissing(_ field: String) -> Self {
        Self(code: Code.signatureMissing, message: "no signature was sent", values: ["field": field])
    }

    static func signatureInvalid(_ field: String) -> Self {
        Self(code: Code.signatureInvalid, message: "the signature does not match", values: ["field": field])
    }

    static func fieldMissing(_ field: String) -> Self {
        Self(code: Code.fieldMissing, message: "required field \(field) is missing", values: ["field": field])
    }

    static func fieldInvalid(_ field: String, _ value: String, _ why: String) -> Self {
        Self(code: Code.fieldInvalid, message: "field \(field) \(why)", values: ["field": field, "value": value])
    }
}

/// The keyed-hash algorithms the gateways use, over UTF-8 strings.
///
/// VNPAY uses HMAC-SHA512 (PAYMENTS.md 1.3, 1.7), Stripe HMAC-SHA256 (2.1), 2Checkout
/// HMAC-MD5, HMAC-SHA256 or HMAC-SHA3-256 (3.1, 3.2). swift-crypto 3.12.3 has no SHA-3, so
/// SHA3-256 comes from ``Keccak``.
public enum PaymentHMAC: String, Sendable, Hashable, CaseIterable {
    case md5
    case sha256
    case sha512
    case sha3_256 = "sha3-256"

    /// The HMAC of `message` under `key`, as raw bytes.
    public func authenticationCode(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        switch self {
        case .md5:
            return Array(HMAC<Insecure.MD5>.authenticationCode(for: messageBytes, using: SymmetricKey(data: keyBytes)))
        case .sha256:
            return Array(HMAC<SHA256>.authenticationCode(for: messageBytes, using: SymmetricKey(data: keyBytes)))
        case .sha512:
            return Array(HMAC<SHA512>.authenticationCode(for: messageBytes, using: SymmetricKey(data: keyBytes)))
        case .sha3_256:
            return Keccak.hmacSHA3_256(key: keyBytes, message: messageBytes)
        }
    }

    /// The HMAC of the UTF-8 bytes of `message` under the UTF-8 bytes of `key`, as lower-case hex.
    ///
    /// For example, KAT-V3 (PAYMENTS.md 1.4):
    ///
    /// ```swift
    /// PaymentHMAC.sha512.hex(key: "YOUR_SECURE_SECRET",
    ///                        message: "vnp_Amount=10000&vnp_OrderInfo=Payment+for+order+%231234567890&vnp_TnxRef=1234567890")
    /// // "7bb8160a…66312089"
    /// ```
    public func hex(key: String, message: String) -> String {
        PaymentCrypto.hex(authenticationCode(key: Array(key.utf8), message: Array(message.utf8)))
    }

    /// The HMAC of raw `message` bytes under the UTF-8 bytes of `key`, as lower-case hex.
    public func hex(key: String, message: some Sequence<UInt8>) -> String {
        PaymentCrypto.hex(authenticationCode(key: Array(key.utf8), message: message))
    }
}

/// Byte helpers shared by every gateway: hex, constant-time comparison, plain digests.
public enum PaymentCrypto {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of a hex string (either case), or `nil` when it has an odd length or a non-hex character.
    public static func bytes(fromHex hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Compares two byte sequences in time that depends only on their lengths.
    ///
    /// Lengths are public (every signature here has a fixed length), so a length mismatch returns at once.
    public static func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) {
            difference |= a ^ b
        }
        return difference == 0
    }

    /// Compares a computed lower-case hex signature with a received one, ignoring the received one's case.
    ///
    /// VNPAY demos compare case-insensitively and the 2Checkout doc says "HASH fields values are case
    /// insensitive" (PAYMENTS.md 1.5, 3.1), so upper-case hex is accepted everywhere.
    public static func hexSignatureMatches(expected: String, received: String) -> Bool {
        let folded = received.utf8.map { byte -> UInt8 in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
        }
        return constantTimeEquals(Array(expected.utf8), folded)
    }

    /// Lower-case hex of SHA-256 over the UTF-8 bytes of `text` (VNPT Pay's SECURE_CODE, PAYMENTS.md 4.1).
    public static func sha256Hex(_ text: String) -> String {
        hex(SHA256.hash(data: Array(text.utf8)))
    }
}
