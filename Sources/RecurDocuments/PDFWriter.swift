public import Foundation

/// How stream data is stored.
public enum PDFCompression: Sendable, Equatable {
    /// Plain bytes, no filter: readable in a text editor, for debugging.
    case none
    /// FlateDecode with LZ77 + fixed Huffman codes (see ``PDFDeflate``).
    case flate
    /// FlateDecode made of stored deflate blocks: a valid zlib stream without compression.
    case flateStored
}

/// An indirect object number (generation is always 0 in the files we write).
public struct PDFReference: Hashable, Sendable {
    public let number: Int
}

/// A PDF dictionary that keeps its keys in insertion order (stable, diff-friendly output).
public struct PDFDictionary: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: PDFObject
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, PDFObject)...) {
        for (key, value) in elements { self[key] = value }
    }

    public subscript(key: String) -> PDFObject? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }
}

/// A direct PDF object (ISO 32000-1 §7.3).
public indirect enum PDFObject: Sendable, Equatable {
    case null
    case boolean(Bool)
    case integer(Int)
    case real(Double)
    /// A name, without the leading slash; escaped with #xx where needed.
    case name(String)
    /// A literal string `( … )` of raw bytes, escaped where needed.
    case literalString([UInt8])
    /// A hexadecimal string `< … >`.
    case hexString([UInt8])
    case array([PDFObject])
    case dictionary(PDFDictionary)
    case reference(PDFReference)

    /// A text string (§7.9.2.2): printable ASCII as a literal, anything else as UTF-16BE with a BOM.
    public static func text(_ string: String) -> PDFObject {
        if string.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            return .literalString(Array(string.utf8))
        }
        var bytes: [UInt8] = [0xFE, 0xFF]
        for unit in string.utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        return .hexString(bytes)
    }

    /// A date string `D:YYYYMMDDHHmmSSZ` (UTC).
    public static func date(_ date: Date) -> PDFObject {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let year = String(c.year ?? 1970)
        return .literalString(Array("D:\(year)\(two(c.month))\(two(c.day))\(two(c.hour))\(two(c.minute))\(two(c.second))Z".utf8))
    }

    public static func rectangle(_ values: [Double]) -> PDFObject { .array(values.map { .real($0) }) }

    func serialize(into out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .boolean(let value): out += Array((value ? "true" : "false").utf8)
        case .integer(let value): out += Array(String(value).utf8)
        case .real(let value): out += Array(PDFObject.format(value).utf8)
        case .name(let name): PDFObject.appendName(name, to: &out)
        case .literalString(let bytes):
            out.append(UInt8(ascii: "("))
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x20..<0x7F: out.append(byte)
                default:
                    let octal = String(byte, radix: 8)
                    out += Array(("\\" + String(repeating: "0", count: 3 - octal.count) + octal).utf8)
                }
            }
            out.append(UInt8(ascii: ")"))
        case .hexString(let bytes):
            out.append(UInt8(ascii: "<"))
            PDFObject.appendHex(bytes, to: &out)
            out.append(UInt8(ascii: ">"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: " ")) }
                item.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let dictionary):
            out += Array("<<".utf8)
            for entry in dictionary.entries {
                PDFObject.appendName(entry.key, to: &out)
                out.append(UInt8(ascii: " "))
                entry.value.serialize(into: &out)
                out.append(UInt8(ascii: " "))
            }
            out += Array(">>".utf8)
        case .reference(let reference): out += Array("\(reference.number) 0 R".utf8)
        }
    }

    /// A number with at most 3 decimals, no exponent, no trailing zeros ("12.5", "-0.25", "3").
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let clamped = min(max(value, -1e12), 1e12)
        let scaled = Int64((clamped * 1000).rounded())
        if scaled == 0 { return "0" }
        let magnitude = scaled.magnitude
        var result = scaled < 0 ? "-" : ""
        result += String(magnitude / 1000)
        var fraction = magnitude % 1000
        if fraction != 0 {
            var digits = 3
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let text = String(fraction)
            result += "." + String(repeating: "0", count: digits - text.count) + text
        }
        return result
    }

    static func appendName(_ name: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "/"))
        for byte in name.utf8 {
            if byte > 0x20, byte < 0x7F, !"()<>[]{}/%#".utf8.contains(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "#"))
                appendHex([byte], to: &out)
            }
        }
    }

    static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
    }
}

/// Writes a PDF file object by object: header, numbered indirect objects (in any order), a
/// classic cross-reference table with the exact byte offset of each object, and the trailer.
public struct PDFWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Byte offset of each object, index = number - 1; nil until written.
    private var offsets: [Int?] = []

    public init(version: String = "1.7") {
        bytes += Array("%PDF-\(version)\n".utf8)
        bytes += [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A]  // binary marker comment
    }

    /// Reserves an object number to be written later (forward references).
    public mutating func allocate() -> PDFReference {
        offsets.append(nil)
        return PDFReference(number: offsets.count)
    }

    /// Allocates and writes an object.
    @discardableResult
    public mutating func add(_ object: PDFObject) -> PDFReference {
        let reference = allocate()
        begin(reference)
        object.serialize(into: &bytes)
        bytes += Array("\nendobj\n".utf8)
        return reference
    }

    /// Writes a previously allocated object.
    public mutating func write(_ object: PDFObject, to reference: PDFReference) throws(DocumentError) {
        try check(reference)
        begin(reference)
        object.serialize(into: &bytes)
        bytes += Array("\nendobj\n".utf8)
    }

    /// Allocates and writes a stream; /Length and /Filter are set here.
    @discardableResult
    public mutating func addStream(_ dictionary: PDFDictionary = PDFDictionary(), data: [UInt8], compression: PDFCompression) -> PDFReference {
        let reference = allocate()
        writeStreamUnchecked(dictionary, data: data, compression: compression, to: reference)
        return reference
    }

    /// Writes a stream into a previously allocated object.
    public mutating func writeStream(_ dictionary: PDFDictionary, data: [UInt8], compression: PDFCompression, to reference: PDFReference) throws(DocumentError) {
        try check(reference)
        writeStreamUnchecked(dictionary, data: data, compression: compression, to: reference)
    }

    private mutating func writeStreamUnchecked(_ dictionary: PDFDictionary, data: [UInt8], compression: PDFCompression, to reference: PDFReference) {
        var dictionary = dictionary
        let encoded: [UInt8]
        switch compression {
        case .none: encoded = data
        case .flate: encoded = PDFDeflate.compress(data)
        case .flateStored: encoded = PDFDeflate.store(data)
        }
        if compression != .none { dictionary["Filter"] = .name("FlateDecode") }
        dictionary["Length"] = .integer(encoded.count)
        begin(reference)
        PDFObject.dictionary(dictionary).serialize(into: &bytes)
        bytes += Array("\nstream\n".utf8)
        bytes += encoded
        bytes += Array("\nendstream\nendobj\n".utf8)
    }

    private func check(_ reference: PDFReference) throws(DocumentError) {
        guard reference.number >= 1, reference.number <= offsets.count else {
            throw DocumentError(code: "pdf.invalid", message: "The object number was never allocated.", values: ["object": "\(reference.number)"])
        }
        guard offsets[reference.number - 1] == nil else {
            throw DocumentError(code: "pdf.invalid", message: "The object was already written.", values: ["object": "\(reference.number)"])
        }
    }

    private mutating func begin(_ reference: PDFReference) {
        offsets[reference.number - 1] = bytes.count
        bytes += Array("\(reference.number) 0 obj\n".utf8)
    }

    /// Writes the cross-reference table and trailer and returns the file.
    /// - Throws: `pdf.invalid` when an allocated object was never written.
    public mutating func finish(root: PDFReference, info: PDFReference?) throws(DocumentError) -> Data {
        if let missing = offsets.firstIndex(where: { $0 == nil }) {
            throw DocumentError(code: "pdf.invalid", message: "An allocated object was never written.", values: ["object": "\(missing + 1)"])
        }
        let identifier = PDFWriter.fingerprint(bytes)
        let xrefOffset = bytes.count
        var xref = "xref\n0 \(offsets.count + 1)\n0000000000 65535 f\r\n"
        for offset in offsets {
            let digits = String(offset!)
            xref += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n\r\n"
        }
        bytes += Array(xref.utf8)
        var trailer: PDFDictionary = [
            "Size": .integer(offsets.count + 1),
            "Root": .reference(root),
        ]
        if let info { trailer["Info"] = .reference(info) }
        trailer["ID"] = .array([.hexString(identifier), .hexString(identifier)])
        bytes += Array("trailer\n".utf8)
        PDFObject.dictionary(trailer).serialize(into: &bytes)
        bytes += Array("\nstartxref\n\(xrefOffset)\n%%EOF\n".utf8)
        return Data(bytes)
    }

    /// 16 bytes derived from the content (two FNV-1a 64-bit hashes): a stable file identifier.
    static func fingerprint(_ bytes: [UInt8]) -> [UInt8] {
        var first: UInt64 = 0xCBF2_9CE4_8422_2325
        var second: UInt64 = 0x84222325CBF29CE4
        for byte in bytes {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 &+ 1
        }
        return (0..<8).map { UInt8((first >> (56 - 8 * UInt64($0))) & 0xFF) }
            + (0..<8).map { UInt8((second >> (56 - 8 * UInt64($0))) & 0xFF) }
    }
}
