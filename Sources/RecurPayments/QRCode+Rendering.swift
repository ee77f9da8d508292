public import Foundation

extension QRCode {
    /// The symbol as an SVG document: one path of unit squares on a white background,
    /// `moduleSize` user units per module and `quietZone` light modules around it
    /// (ISO/IEC 18004 asks for at least 4).
    ///
    /// For example, `try QRCode(text: "HELLO").svg(moduleSize: 4)` is a 116 × 116 image
    /// of a version-1 symbol.
    public func svg(moduleSize: Int = 8, quietZone: Int = 4) -> String {
        precondition(moduleSize > 0 && quietZone >= 0, "moduleSize must be positive and quietZone not negative")
        let side = (size + 2 * quietZone) * moduleSize
        var path = ""
        for row in 0..<size {
            for column in 0..<size where self[row: row, column: column] {
                let x = (column + quietZone) * moduleSize
                let y = (row + quietZone) * moduleSize
                path += "M\(x) \(y)h\(moduleSize)v\(moduleSize)h-\(moduleSize)z"
            }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(side)" height="\(side)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">
            <rect width="100%" height="100%" fill="#FFFFFF"/>
            <path fill="#000000" d="\(path)"/>
            </svg>

            """
    }

    /// The symbol as a 1-bit greyscale PNG, `scale` pixels per module with `quietZone`
    /// light modules around it.
    ///
    /// For example, `try QRCode(text: payload).png(scale: 8)` for a version-8 symbol is a
    /// 456 × 456 image ((49 + 2 × 4) × 8 pixels).
    public func png(scale: Int = 8, quietZone: Int = 4) -> Data {
        precondition(scale > 0 && quietZone >= 0, "scale must be positive and quietZone not negative")
        let side = (size + 2 * quietZone) * scale
        return PNGWriter.bilevel(width: side, height: side) { x, y in
            let column = x / scale - quietZone
            let row = y / scale - quietZone
            return (0..<size).contains(row) && (0..<size).contains(column) && self[row: row, column: column]
        }
    }

    /// The symbol as text, one line per row, `#` for dark and `.` for light: handy in
    /// tests and logs.
    public var textRows: [String] {
        (0..<size).map { row in
            String((0..<size).map { self[row: row, column: $0] ? "#" : "." })
        }
    }
}
