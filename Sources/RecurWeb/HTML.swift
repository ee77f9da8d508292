import RecurEngine

/// A piece of HTML. Interpolated `String`s are escaped; interpolated `HTML` is not, so
/// markup is built by composition and user text can never become markup.
///
/// ```swift
/// let name = "<script>"
/// let h: HTML = "<p>\(name)</p>"   // <p>&lt;script&gt;</p>
/// ```
public struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public var text: String
    public init(raw: String) { text = raw }
    public init(stringLiteral value: String) { text = value }
    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }
    public var description: String { text }
    public static let empty = HTML(raw: "")

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""
        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + interpolationCount * 16) }
        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        public mutating func appendInterpolation(_ value: String?) { if let value { text += HTML.escape(value) } }
        public mutating func appendInterpolation(_ value: Int) { text += String(value) }
        public mutating func appendInterpolation(_ value: Int64) { text += String(value) }
        public mutating func appendInterpolation(_ html: HTML) { text += html.text }
        public mutating func appendInterpolation(_ html: HTML?) { if let html { text += html.text } }
        public mutating func appendInterpolation(_ list: [HTML]) { for h in list { text += h.text } }
    }

    /// Escapes the five characters that matter in text and in quoted attributes.
    public static func escape(_ s: String) -> String { s.htmlEscaped }

    /// `list` joined, each item made by `body`.
    public static func each<T>(_ list: some Sequence<T>, _ body: (T) throws -> HTML) rethrows -> HTML {
        var out = ""
        for x in list { out += try body(x).text }
        return HTML(raw: out)
    }

    /// `html` when `condition` holds, nothing otherwise.
    public static func when(_ condition: Bool, _ html: @autoclosure () -> HTML) -> HTML { condition ? html() : .empty }
}
