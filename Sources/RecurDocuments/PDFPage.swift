/// Horizontal alignment of a line of text relative to its `x`.
public enum PDFTextAlignment: Sendable, Equatable {
    /// `x` is where the text starts.
    case left
    /// `x` is the centre of the text.
    case center
    /// `x` is where the text ends.
    case right
}

/// One page of a ``PDFDocument``, drawn with a top-left origin: `x` grows to the right and `y`
/// grows downwards, in points (1/72 inch). Text is positioned by its baseline.
public final class PDFPage {
    /// A4 portrait in points (210 × 297 mm).
    public static let a4Width = 595.28
    public static let a4Height = 841.89

    public let width: Double
    public let height: Double
    private(set) var content: [UInt8] = []
    let registry: PDFResourceRegistry

    init(width: Double, height: Double, registry: PDFResourceRegistry) {
        self.width = width
        self.height = height
        self.registry = registry
    }

    private func emit(_ line: String) {
        content += Array(line.utf8)
        content.append(0x0A)
    }

    private func n(_ value: Double) -> String { PDFObject.format(value) }

    // MARK: - Text

    /// Draws one line of text with its baseline at `y`. Newlines are drawn as spaces.
    public func drawText(_ text: String, x: Double, y: Double, font: PDFFont, size: Double,
                         color: PDFColor = .black, alignment: PDFTextAlignment = .left) {
        // A font from another document is re-registered here, so that the glyphs land in this
        // document's subsets.
        let font = font.registry === registry ? font : PDFFont(faces: font.faces.map { registry.face(for: $0.font) }, registry: registry)
        let runs = font.encode(text)
        guard !runs.isEmpty else { return }
        var startX = x
        switch alignment {
        case .left: break
        case .center: startX -= font.width(of: text, size: size) / 2
        case .right: startX -= font.width(of: text, size: size)
        }
        emit("BT")
        emit("\(color.operands) rg")
        emit("1 0 0 1 \(n(startX)) \(n(height - y)) Tm")
        var currentFace: PDFFontFace?
        for run in runs {
            if run.face !== currentFace {
                emit("/\(run.face.resourceName) \(n(size)) Tf")
                currentFace = run.face
            }
            var hex: [UInt8] = []
            for cid in run.cids { PDFObject.appendHex([UInt8(cid >> 8), UInt8(cid & 0xFF)], to: &hex) }
            emit("<\(String(decoding: hex, as: UTF8.self))> Tj")
        }
        emit("ET")
    }

    /// Draws text wrapped to `width`, first baseline at `y`, one line every `lineHeight` points
    /// (default 1.25 × size). Alignment applies within the box [x, x + width].
    /// - Returns: the number of lines drawn.
    @discardableResult
    public func drawText(_ text: String, x: Double, y: Double, width: Double, font: PDFFont, size: Double,
                         lineHeight: Double? = nil, color: PDFColor = .black, alignment: PDFTextAlignment = .left) -> Int {
        let lines = font.wrap(text, size: size, width: width)
        let step = lineHeight ?? size * 1.25
        let anchor: Double
        switch alignment {
        case .left: anchor = x
        case .center: anchor = x + width / 2
        case .right: anchor = x + width
        }
        for (index, line) in lines.enumerated() {
            drawText(line, x: anchor, y: y + Double(index) * step, font: font, size: size, color: color, alignment: alignment)
        }
        return lines.count
    }

    // MARK: - Graphics

    /// A straight line.
    public func drawLine(fromX x1: Double, y y1: Double, toX x2: Double, y y2: Double, lineWidth: Double = 0.5, color: PDFColor = .black) {
        emit("q \(color.operands) RG \(n(lineWidth)) w 0 J")
        emit("\(n(x1)) \(n(height - y1)) m \(n(x2)) \(n(height - y2)) l S Q")
    }

    /// A filled rectangle; (x, y) is its top-left corner.
    public func fillRectangle(x: Double, y: Double, width: Double, height rectHeight: Double, color: PDFColor) {
        emit("q \(color.operands) rg \(n(x)) \(n(height - y - rectHeight)) \(n(width)) \(n(rectHeight)) re f Q")
    }

    /// A stroked rectangle outline; (x, y) is its top-left corner.
    public func strokeRectangle(x: Double, y: Double, width: Double, height rectHeight: Double, lineWidth: Double = 0.5, color: PDFColor = .black) {
        emit("q \(color.operands) RG \(n(lineWidth)) w \(n(x)) \(n(height - y - rectHeight)) \(n(width)) \(n(rectHeight)) re S Q")
    }

    /// A QR code (or any square module matrix) drawn as filled squares, `size` points wide,
    /// top-left corner at (x, y). `modules[row][column]` true is a dark module. The quiet zone is
    /// the caller's margin. Adjacent dark modules of a row are merged into one rectangle.
    /// - Throws: `document.invalid` when the matrix is empty or not square.
    public func drawQRCode(_ modules: [[Bool]], x: Double, y: Double, size: Double, color: PDFColor = .black) throws(DocumentError) {
        let count = modules.count
        guard count > 0, count <= 1000, modules.allSatisfy({ $0.count == count }), size > 0 else {
            throw DocumentError(code: "document.invalid", message: "A QR matrix must be a non-empty square.",
                                values: ["rows": "\(count)", "columns": modules.map { "\($0.count)" }.joined(separator: ",")])
        }
        let module = size / Double(count)
        var path = ""
        for (row, cells) in modules.enumerated() {
            var column = 0
            while column < count {
                guard cells[column] else { column += 1; continue }
                var end = column
                while end < count && cells[end] { end += 1 }
                let top = y + Double(row) * module
                path += "\(n(x + Double(column) * module)) \(n(height - top - module)) \(n(Double(end - column) * module)) \(n(module)) re\n"
                column = end
            }
        }
        emit("q \(color.operands) rg")
        content += Array(path.utf8)
        emit("f Q")
    }

    /// An image scaled into the box whose top-left corner is (x, y).
    public func drawImage(_ image: PDFImage, x: Double, y: Double, width: Double, height imageHeight: Double) {
        let name = registry.imageName(for: image)
        emit("q \(n(width)) 0 0 \(n(imageHeight)) \(n(x)) \(n(height - y - imageHeight)) cm /\(name) Do Q")
    }
}
