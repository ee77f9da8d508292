import Foundation

/// A flat JSON object of scalars, written in field order and read into text values.
///
/// The gateways' JSON APIs (VNPAY querydr/refund, VNPT Pay) sign the *text* of scalar
/// fields, so reading maps every scalar to the text a hash would use: strings as they are,
/// integers in decimal, `true`/`false`, and `null` as the empty string. Nested objects and
/// arrays are kept out (no signature here covers them).
enum FlatJSON {
    /// A scalar to write: a JSON string, or a JSON number written from its decimal text.
    enum Scalar: Sendable, Hashable {
        case string(String)
        case number(String)
    }

    /// Writes `fields` as a compact JSON object in the given order.
    static func encode(_ fields: [(String, Scalar)]) -> String {
        var out = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { out += "," }
            out += quote(key) + ":"
            switch value {
            case .string(let text): out += quote(text)
            case .number(let digits): out += digits
            }
        }
        return out + "}"
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private enum Value: Decodable {
        case text(String)
        case nested

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .text("")
            } else if let string = try? container.decode(String.self) {
                self = .text(string)
            } else if let bool = try? container.decode(Bool.self) {
                self = .text(bool ? "true" : "false")
            } else if let integer = try? container.decode(Int64.self) {
                self = .text(String(integer))
            } else if let double = try? container.decode(Double.self) {
                self = .text(String(double))
            } else {
                self = .nested
            }
        }
    }

    /// Reads a JSON object's scalar fields as text.
    ///
    /// - throws: ``PaymentProtocolError`` `json.invalid` when the body is not a JSON object.
    static func decodeObject(_ body: Data) throws(PaymentProtocolError) -> [String: String] {
        let object: [String: Value]
        do {
            object = try JSONDecoder().decode([String: Value].self, from: body)
        } catch {
            throw PaymentProtocolError(
                code: PaymentProtocolError.Code.jsonInvalid,
                message: "the body is not a JSON object",
                values: ["bytes": String(body.count)]
            )
        }
        var fields: [String: String] = [:]
        for (key, value) in object {
            if case .text(let text) = value { fields[key] = text }
        }
        return fields
    }
}
