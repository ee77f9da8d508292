/// `application/x-www-form-urlencoded` exactly as PHP's `urlencode`, and decoding that keeps order.
///
/// VNPAY's official PHP demo hashes `urlencode`d pairs, so that is the canonical encoder
/// (PAYMENTS.md 1.3): only `A–Z a–z 0–9 - _ .` stay as they are, a space becomes `+`,
/// every other UTF-8 byte becomes upper-case `%XX`. `~` and `*` are therefore encoded
/// (`%7E`, `%2A`), unlike `encodeURIComponent`.
///
/// For example:
///
/// ```swift
/// FormEncoding.encode("Thanh toan don hang :5")          // "Thanh+toan+don+hang+%3A5"
/// FormEncoding.encode([("a", "1 2"), ("b", "x/y")])      // "a=1+2&b=x%2Fy"
/// try FormEncoding.decodeQuery("b=2&a=%C4%91+x")         // [("b", "2"), ("a", "đ x")]
/// ```
public enum FormEncoding {
    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    @inline(__always)
    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    /// Encodes one key or value like PHP `urlencode`.
    public static func encode(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.append(byte)
            } else if byte == UInt8(ascii: " ") {
                out.append(UInt8(ascii: "+"))
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(byte >> 4)])
                out.append(upperHex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Encodes pairs in the given order as `k=v&k=v`.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// Decodes one form component: `+` is a space, `%XX` a byte; the bytes must be UTF-8.
    ///
    /// - throws: ``PaymentProtocolError`` with code `encoding.invalid` for a truncated or
    ///   non-hex `%` escape, or bytes that are not UTF-8.
    public static func decode(_ component: String) throws(PaymentProtocolError) -> String {
        let input = Array(component.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < input.count,
                    let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
                else {
                    throw PaymentProtocolError(
                        code: PaymentProtocolError.Code.encodingInvalid,
                        message: "malformed percent escape",
                        values: ["component": component]
                    )
                }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.encodingInvalid,
                message: "decoded bytes are not UTF-8",
                values: ["component": component]
            )
        }
        return text
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Decodes a query string or form body into pairs, in the order received.
    ///
    /// A leading `?` is ignored, empty segments (`a=1&&b=2`) are skipped, a segment without `=`
    /// is a key with an empty value, and repeated keys are all kept. Order matters for 2Checkout,
    /// whose IPN hash walks the fields as received (PAYMENTS.md 3.1).
    ///
    /// - throws: ``PaymentProtocolError`` `encoding.invalid` (see ``decode(_:)``).
    public static func decodeQuery(_ query: String) throws(PaymentProtocolError) -> [(String, String)] {
        var body = Substring(query)
        if body.first == "?" { body = body.dropFirst() }
        var pairs: [(String, String)] = []
        for segment in body.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = segment.firstIndex(of: "=") {
                let key = try decode(String(segment[..<equals]))
                let value = try decode(String(segment[segment.index(after: equals)...]))
                pairs.append((key, value))
            } else {
                pairs.append((try decode(String(segment)), ""))
            }
        }
        return pairs
    }
}
