/// The one error type of RecurDocuments.
///
/// `code` is stable and meant for programs (logs, API problem documents, tests); `message` is for
/// people and may change. `values` carries the details (a path, a table tag, the missing
/// characters…) as strings so that the error stays `Sendable` and easy to serialise.
///
/// Codes in use:
/// - `font.not_found`: no file at the configured font path.
/// - `font.unreadable`: the file could not be read, or is not a well-formed TrueType font
///   (truncated, garbage, a required table missing or out of bounds).
/// - `font.unsupported`: a font format this renderer does not handle (CFF-based OpenType, collections).
/// - `font.not_embeddable`: the font's licence (OS/2 fsType) forbids embedding.
/// - `font.glyph_missing`: a character has no glyph in any configured font (strict mode), or a
///   glyph id is not in the font.
/// - `image.invalid`: raw image samples that do not match the declared size and colour space.
/// - `document.invalid`: a drawing or layout argument that cannot be rendered (QR matrix not square…).
/// - `pdf.invalid`: the PDF writer was used inconsistently (an allocated object never written…).
public struct DocumentError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public let code: String
    public let message: String
    public let values: [String: String]

    public init(code: String, message: String, values: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.values = values
    }

    public var description: String {
        if values.isEmpty { return "\(code): \(message)" }
        let details = values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(code): \(message) (\(details))"
    }

    static func fontUnreadable(_ reason: String, _ values: [String: String] = [:]) -> DocumentError {
        DocumentError(code: "font.unreadable", message: "The font is not a readable TrueType font: \(reason).", values: values)
    }
}
