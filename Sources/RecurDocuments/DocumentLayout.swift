public import Foundation

/// Where the renderer finds its fonts. The defaults are Debian's fonts-dejavu-core, with
/// fonts-ipafont-gothic (IPA Gothic, glyf TrueType) as the fallback for Japanese when installed.
public struct DocumentFontConfiguration: Sendable, Equatable, Hashable {
    public static let defaultRegularPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    public static let defaultBoldPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
    /// Debian's fonts-ipafont-gothic: kanji, kana and full-width forms.
    public static let defaultJapanesePath = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
    /// The default fallbacks that are installed (IPA Gothic when present, else none).
    public static var installedDefaultFallbackPaths: [String] {
        [defaultJapanesePath].filter { FileManager.default.fileExists(atPath: $0) }
    }

    public var regularPath: String
    public var boldPath: String
    /// Tried in order for characters the regular/bold fonts lack (e.g. a CJK TrueType font for
    /// Japanese). Characters no font has are drawn as .notdef and reported.
    public var fallbackPaths: [String]

    /// `fallbackPaths` defaults to ``installedDefaultFallbackPaths``; pass `[]` for none.
    public init(regularPath: String = defaultRegularPath, boldPath: String = defaultBoldPath,
                fallbackPaths: [String] = DocumentFontConfiguration.installedDefaultFallbackPaths) {
        self.regularPath = regularPath
        self.boldPath = boldPath
        self.fallbackPaths = fallbackPaths
    }
}

/// Colours of the layout.
public struct DocumentStyle: Sendable, Equatable, Hashable {
    public var accentColor: PDFColor
    public var textColor: PDFColor
    public var mutedColor: PDFColor
    public var ruleColor: PDFColor
    public var shadeColor: PDFColor

    public init(accentColor: PDFColor = PDFColor(hex: 0x1F4E79), textColor: PDFColor = PDFColor(hex: 0x1F2328),
                mutedColor: PDFColor = PDFColor(hex: 0x5B6470), ruleColor: PDFColor = PDFColor(hex: 0xD5DAE1),
                shadeColor: PDFColor = PDFColor(hex: 0xEEF2F7)) {
        self.accentColor = accentColor
        self.textColor = textColor
        self.mutedColor = mutedColor
        self.ruleColor = ruleColor
        self.shadeColor = shadeColor
    }
}

/// A rendered document.
public struct DocumentRendering: Sendable, Equatable {
    /// The PDF file.
    public let data: Data
    public let pageCount: Int
    /// Characters no configured font could draw (printed as .notdef boxes).
    public let missingCharacters: [String]
}

/// Renders ``DocumentModel``s to A4 PDFs. Load it once (it reads and parses the fonts) and reuse
/// it: it is an immutable `Sendable` value and each ``render(_:creationDate:)`` is independent.
public struct DocumentRenderer: Sendable {
    public let regular: TrueTypeFont
    public let bold: TrueTypeFont
    public let fallbacks: [TrueTypeFont]
    public var style: DocumentStyle
    public var compression: PDFCompression
    /// When true, a character no font has makes ``render(_:creationDate:)`` throw `font.glyph_missing`.
    public var strictGlyphs: Bool

    /// Loads the fonts.
    /// - Throws: `font.not_found`, `font.unreadable`, `font.unsupported`.
    public init(fonts: DocumentFontConfiguration = DocumentFontConfiguration(), style: DocumentStyle = DocumentStyle(),
                compression: PDFCompression = .flate, strictGlyphs: Bool = false) throws(DocumentError) {
        let regular = try TrueTypeFont(contentsOfFile: fonts.regularPath)
        let bold = try TrueTypeFont(contentsOfFile: fonts.boldPath)
        var fallbacks: [TrueTypeFont] = []
        for path in fonts.fallbackPaths { fallbacks.append(try TrueTypeFont(contentsOfFile: path)) }
        self.init(regular: regular, bold: bold, fallbacks: fallbacks, style: style, compression: compression, strictGlyphs: strictGlyphs)
    }

    public init(regular: TrueTypeFont, bold: TrueTypeFont, fallbacks: [TrueTypeFont] = [], style: DocumentStyle = DocumentStyle(),
                compression: PDFCompression = .flate, strictGlyphs: Bool = false) {
        self.regular = regular
        self.bold = bold
        self.fallbacks = fallbacks
        self.style = style
        self.compression = compression
        self.strictGlyphs = strictGlyphs
    }

    /// Lays the document out on as many A4 pages as its lines need and writes the PDF.
    /// - Throws: `font.glyph_missing` (strict mode), `font.not_embeddable`, `document.invalid`
    ///   (a QR matrix that is not square).
    public func render(_ model: DocumentModel, creationDate: Date = Date()) throws(DocumentError) -> DocumentRendering {
        let document = PDFDocument(title: "\(model.displayTitle) \(model.number)", author: model.vendor.name,
                                   language: model.language, creationDate: creationDate, compression: compression,
                                   strictGlyphs: strictGlyphs)
        document.subject = model.displayTitle
        let fonts = DocumentLayoutFonts(
            regular: try document.addFont(regular, fallbacks: fallbacks),
            bold: try document.addFont(bold, fallbacks: fallbacks + [regular]))
        var layout = DocumentLayoutEngine(model: model, document: document, fonts: fonts, style: style)
        try layout.run()
        let data = try document.render()
        return DocumentRendering(data: data, pageCount: document.pages.count, missingCharacters: document.missingCharacters)
    }
}

struct DocumentLayoutFonts {
    let regular: PDFFont
    let bold: PDFFont
}

/// The layout of one document: a cursor `y` (top of the next element) on the current page.
struct DocumentLayoutEngine {
    let model: DocumentModel
    let document: PDFDocument
    let fonts: DocumentLayoutFonts
    let style: DocumentStyle

    // Geometry (points).
    let pageWidth = PDFPage.a4Width
    let pageHeight = PDFPage.a4Height
    let left = 48.0
    var right: Double { pageWidth - 48 }
    var contentWidth: Double { right - left }
    let top = 44.0
    /// Content stops here; the footer lives below.
    var bottom: Double { pageHeight - 62 }

    var page: PDFPage
    var y: Double
    var columns: [DocumentTableColumn] = []

    init(model: DocumentModel, document: PDFDocument, fonts: DocumentLayoutFonts, style: DocumentStyle) {
        self.model = model
        self.document = document
        self.fonts = fonts
        self.style = style
        self.page = document.addPage()
        self.y = 44
    }

    mutating func run() throws(DocumentError) {
        firstPageHeader()
        billTo()
        columns = tableColumns()
        tableHeader()
        for line in model.lines { row(line) }
        totals()
        try payment()
        notes()
        footers()
    }

    // MARK: - Text helpers

    /// Baseline of a line of `size` text in a line box starting at `top`.
    func baseline(_ top: Double, _ lineHeight: Double, _ size: Double) -> Double {
        top + lineHeight / 2 + size * 0.36
    }

    /// Draws wrapped text from `top`; returns the new top.
    @discardableResult
    func paragraph(_ text: String, x: Double, top: Double, width: Double, font: PDFFont, size: Double, lineHeight: Double,
                   color: PDFColor, alignment: PDFTextAlignment = .left) -> Double {
        let lines = font.wrap(text, size: size, width: width)
        var cursor = top
        for line in lines {
            let anchor = alignment == .right ? x + width : (alignment == .center ? x + width / 2 : x)
            page.drawText(line, x: anchor, y: baseline(cursor, lineHeight, size), font: font, size: size, color: color, alignment: alignment)
            cursor += lineHeight
        }
        return cursor
    }

    func height(_ text: String, width: Double, font: PDFFont, size: Double, lineHeight: Double) -> Double {
        Double(font.wrap(text, size: size, width: width).count) * lineHeight
    }

    // MARK: - Header and parties

    mutating func firstPageHeader() {
        let rightBlockWidth = 230.0
        let leftWidth = contentWidth - rightBlockWidth - 24
        var leftY = top
        if let logo = model.vendor.logo {
            let scale = min(150 / Double(logo.width), 54 / Double(logo.height))
            let width = Double(logo.width) * scale
            let height = Double(logo.height) * scale
            page.drawImage(logo, x: left, y: leftY, width: width, height: height)
            leftY += height + 10
        }
        leftY = paragraph(model.vendor.name, x: left, top: leftY, width: leftWidth, font: fonts.bold, size: 12, lineHeight: 16,
                          color: style.textColor)
        leftY += 2
        for line in partyDetails(model.vendor) {
            leftY = paragraph(line, x: left, top: leftY, width: leftWidth, font: fonts.regular, size: 8.5, lineHeight: 11.5,
                              color: style.mutedColor)
        }

        let blockX = right - rightBlockWidth
        var rightY = top - 2
        rightY = paragraph(model.displayTitle, x: blockX, top: rightY, width: rightBlockWidth, font: fonts.bold, size: 20,
                           lineHeight: 26, color: style.accentColor, alignment: .right)
        rightY = paragraph("\(model.label(.number)) \(model.number)", x: blockX, top: rightY, width: rightBlockWidth,
                           font: fonts.bold, size: 10.5, lineHeight: 15, color: style.textColor, alignment: .right)
        rightY += 6
        var details: [(String, String)] = [(model.label(.issueDate), model.issueDate)]
        if let due = model.dueDate, !due.isEmpty { details.append((model.label(.dueDate), due)) }
        if let reference = model.reference, !reference.isEmpty { details.append((model.label(.reference), reference)) }
        let valueWidth = min(details.map { fonts.regular.width(of: $0.1, size: 9) }.max() ?? 0, rightBlockWidth / 2)
        for (label, value) in details {
            let labelWidth = rightBlockWidth - valueWidth - 12
            let labelBottom = paragraph(label, x: blockX, top: rightY, width: labelWidth, font: fonts.regular, size: 8.5,
                                        lineHeight: 12.5, color: style.mutedColor, alignment: .right)
            let valueBottom = paragraph(value, x: right - valueWidth, top: rightY, width: valueWidth, font: fonts.regular, size: 9,
                                        lineHeight: 12.5, color: style.textColor, alignment: .right)
            rightY = max(labelBottom, valueBottom)
        }
        y = max(leftY, rightY) + 14
        page.drawLine(fromX: left, y: y, toX: right, y: y, lineWidth: 1, color: style.accentColor)
        y += 16
    }

    func partyDetails(_ party: DocumentParty) -> [String] {
        var lines = party.addressLines.filter { !$0.isEmpty }
        if let taxID = party.taxID, !taxID.isEmpty {
            // "MST: 0312345678"; a label that brings its own colon ("N° TVA :") is used as is.
            let label = model.label(.taxID)
            lines.append(label.hasSuffix(":") ? "\(label) \(taxID)" : "\(label): \(taxID)")
        }
        lines += party.emails.filter { !$0.isEmpty }
        return lines
    }

    mutating func billTo() {
        let boxWidth = 200.0
        let amountDue = model.totals.last(where: \.isBold)
        let leftWidth = amountDue == nil ? contentWidth : contentWidth - boxWidth - 24
        var leftY = y
        leftY = paragraph(model.label(.billTo).uppercased(), x: left, top: leftY, width: leftWidth, font: fonts.bold, size: 7.5,
                          lineHeight: 11, color: style.accentColor)
        leftY += 2
        leftY = paragraph(model.customer.name, x: left, top: leftY, width: leftWidth, font: fonts.bold, size: 10.5, lineHeight: 14,
                          color: style.textColor)
        for line in partyDetails(model.customer) {
            leftY = paragraph(line, x: left, top: leftY, width: leftWidth, font: fonts.regular, size: 9, lineHeight: 12,
                              color: style.textColor)
        }
        var boxBottom = y
        if let amountDue {
            let x = right - boxWidth
            let inner = boxWidth - 24
            let labelHeight = height(amountDue.label, width: inner, font: fonts.regular, size: 8.5, lineHeight: 12)
            let amountHeight = height(amountDue.amount, width: inner, font: fonts.bold, size: 15, lineHeight: 20)
            let boxHeight = labelHeight + amountHeight + 22
            page.fillRectangle(x: x, y: y, width: boxWidth, height: boxHeight, color: style.shadeColor)
            page.fillRectangle(x: x, y: y, width: 3, height: boxHeight, color: style.accentColor)
            var cursor = paragraph(amountDue.label, x: x + 12, top: y + 10, width: inner, font: fonts.regular, size: 8.5,
                                   lineHeight: 12, color: style.mutedColor, alignment: .right)
            cursor = paragraph(amountDue.amount, x: x + 12, top: cursor + 2, width: inner, font: fonts.bold, size: 15, lineHeight: 20,
                               color: style.accentColor, alignment: .right)
            boxBottom = y + boxHeight
        }
        y = max(leftY, boxBottom) + 22
    }

    // MARK: - Table

    func tableColumns() -> [DocumentTableColumn] {
        let showDiscount = model.lines.contains { !($0.discount ?? "").isEmpty }
        let showTax = model.lines.contains { !($0.taxRate ?? "").isEmpty }
        var numeric: [(DocumentLabel, (DocumentLine) -> String)] = [(.quantity, { $0.quantity }), (.unitPrice, { $0.unitPrice })]
        if showDiscount { numeric.append((.discount, { $0.discount ?? "" })) }
        if showTax { numeric.append((.taxRate, { $0.taxRate ?? "" })) }
        numeric.append((.amount, { $0.amount }))

        var widths: [Double] = []
        for (label, value) in numeric {
            let values = model.lines.map { fonts.regular.width(of: value($0), size: 9) }.max() ?? 0
            let header = min(fonts.bold.width(of: model.label(label), size: 8), 72)
            widths.append(max(max(values, header) + 16, 46))
        }
        // Keep at least 40% of the width for descriptions: shrink numeric columns (their headers wrap).
        let available = contentWidth * 0.6
        let total = widths.reduce(0, +)
        if total > available { widths = widths.map { $0 * available / total } }

        var columns: [DocumentTableColumn] = []
        var x = right
        for (index, (label, value)) in numeric.enumerated().reversed() {
            columns.insert(DocumentTableColumn(label: model.label(label), x: x - widths[index], width: widths[index], value: value), at: 0)
            x -= widths[index]
        }
        columns.insert(DocumentTableColumn(label: model.label(.description), x: left, width: x - left, value: { $0.description }), at: 0)
        return columns
    }

    let padding = 7.0

    func headerHeight() -> Double {
        columns.map { height($0.label, width: $0.width - 2 * padding, font: fonts.bold, size: 8, lineHeight: 10.5) }.max()! + 12
    }

    mutating func tableHeader() {
        let rowHeight = headerHeight()
        page.fillRectangle(x: left, y: y, width: contentWidth, height: rowHeight, color: style.shadeColor)
        for (index, column) in columns.enumerated() {
            paragraph(column.label, x: column.x + padding, top: y + 6, width: column.width - 2 * padding, font: fonts.bold, size: 8,
                      lineHeight: 10.5, color: style.textColor, alignment: index == 0 ? .left : .right)
        }
        y += rowHeight
    }

    /// One table row; rows that do not fit move to the next page (with the table header repeated);
    /// a row taller than a whole page is split between its lines.
    mutating func row(_ line: DocumentLine) {
        let description = columns[0]
        let textWidth = description.width - 2 * padding
        var pieces: [(text: String, font: PDFFont, size: Double, lineHeight: Double, color: PDFColor)] = []
        for text in fonts.regular.wrap(line.description, size: 9, width: textWidth) {
            pieces.append((text, fonts.regular, 9, 12, style.textColor))
        }
        if let period = line.period, !period.isEmpty {
            for text in fonts.regular.wrap(period, size: 7.5, width: textWidth) {
                pieces.append((text, fonts.regular, 7.5, 10.5, style.mutedColor))
            }
        }
        let verticalPadding = 6.0
        let rowHeight = pieces.reduce(0) { $0 + $1.lineHeight } + 2 * verticalPadding
        let pageCapacity = bottom - (top + 40 + headerHeight())
        if y + rowHeight > bottom && rowHeight <= pageCapacity {
            continuationPage(withTableHeader: true)
        }
        var first = true
        var index = 0
        while index < pieces.count {
            if y + verticalPadding + pieces[index].lineHeight + verticalPadding > bottom {
                continuationPage(withTableHeader: true)
            }
            let rowTop = y
            var cursor = y + verticalPadding
            if first {
                let numericBaseline = baseline(cursor, pieces[index].lineHeight, 9)
                for column in columns.dropFirst() {
                    page.drawText(column.value(line), x: column.x + column.width - padding, y: numericBaseline, font: fonts.regular,
                                  size: 9, color: style.textColor, alignment: .right)
                }
                first = false
            }
            while index < pieces.count, cursor + pieces[index].lineHeight + verticalPadding <= bottom {
                let piece = pieces[index]
                page.drawText(piece.text, x: description.x + padding, y: baseline(cursor, piece.lineHeight, piece.size), font: piece.font,
                              size: piece.size, color: piece.color)
                cursor += piece.lineHeight
                index += 1
            }
            y = max(cursor + verticalPadding, rowTop + 2 * verticalPadding)
        }
        if pieces.isEmpty { y += 2 * verticalPadding + 12 }
        page.drawLine(fromX: left, y: y, toX: right, y: y, lineWidth: 0.5, color: style.ruleColor)
    }

    /// A new page with the compact header (vendor, title and number), and the table header when
    /// the table continues.
    mutating func continuationPage(withTableHeader: Bool) {
        page = document.addPage()
        y = top
        let titleLine = "\(model.displayTitle) \(model.number)"
        let titleWidth = min(fonts.regular.width(of: titleLine, size: 9), contentWidth / 2)
        paragraph(model.vendor.name, x: left, top: y, width: contentWidth - titleWidth - 20, font: fonts.bold, size: 9, lineHeight: 13,
                  color: style.textColor)
        let bottomOfTitle = paragraph(titleLine, x: right - titleWidth, top: y, width: titleWidth, font: fonts.regular, size: 9, lineHeight: 13,
                                      color: style.mutedColor, alignment: .right)
        y = max(y + 13, bottomOfTitle) + 8
        page.drawLine(fromX: left, y: y, toX: right, y: y, lineWidth: 1, color: style.accentColor)
        y += 14
        if withTableHeader { tableHeader() }
    }

    // MARK: - Totals, payment, notes

    mutating func totals() {
        guard !model.totals.isEmpty else { return }
        let labelWidth = model.totals.map { ($0.isBold ? fonts.bold : fonts.regular).width(of: $0.label, size: $0.isBold ? 10.5 : 9) }.max() ?? 0
        let amountWidth = model.totals.map { ($0.isBold ? fonts.bold : fonts.regular).width(of: $0.amount, size: $0.isBold ? 10.5 : 9) }.max() ?? 0
        let blockWidth = min(max(250, labelWidth + amountWidth + 3 * padding + 16), contentWidth)
        let x = right - blockWidth
        let labelColumn = blockWidth - amountWidth - 3 * padding
        let rows = model.totals.map { total -> (DocumentTotal, Double) in
            let size = total.isBold ? 10.5 : 9
            let font = total.isBold ? fonts.bold : fonts.regular
            let lineHeight = total.isBold ? 15.0 : 12.5
            let lines = max(font.wrap(total.label, size: size, width: max(labelColumn, 40)).count,
                            font.wrap(total.amount, size: size, width: amountWidth + 1).count)
            return (total, Double(lines) * lineHeight + (total.isBold ? 10 : 6))
        }
        let blockHeight = rows.reduce(0) { $0 + $1.1 } + 8
        if y + blockHeight > bottom { continuationPage(withTableHeader: false) }
        y += 8
        for (total, rowHeight) in rows {
            let size = total.isBold ? 10.5 : 9
            let font = total.isBold ? fonts.bold : fonts.regular
            let lineHeight = total.isBold ? 15.0 : 12.5
            if total.isBold {
                page.fillRectangle(x: x, y: y + 1, width: blockWidth, height: rowHeight - 2, color: style.shadeColor)
            }
            let top = y + (total.isBold ? 5 : 3)
            paragraph(total.label, x: x + padding, top: top, width: max(labelColumn, 40), font: font, size: size, lineHeight: lineHeight,
                      color: total.isBold ? style.textColor : style.mutedColor)
            paragraph(total.amount, x: right - padding - amountWidth - 1, top: top, width: amountWidth + 1, font: font, size: size,
                      lineHeight: lineHeight, color: total.isBold ? style.accentColor : style.textColor, alignment: .right)
            y += rowHeight
        }
    }

    mutating func payment() throws(DocumentError) {
        let instructions = model.paymentInstructions.filter { !$0.isEmpty }
        guard !instructions.isEmpty || model.qrCode != nil else { return }
        let qrSize = 96.0
        let qrBlockWidth = model.qrCode == nil ? 0 : 130.0
        let textWidth = contentWidth - qrBlockWidth - (qrBlockWidth > 0 ? 20 : 0)
        let titleHeight = 16.0
        let textHeight = titleHeight + instructions.reduce(0) { $0 + height($1, width: textWidth, font: fonts.regular, size: 8.5, lineHeight: 12) }
        var qrHeight = 0.0
        if let qr = model.qrCode {
            qrHeight = qrSize + 12
            if let caption = qr.caption, !caption.isEmpty {
                qrHeight += height(caption, width: qrBlockWidth, font: fonts.regular, size: 7.5, lineHeight: 10)
            }
        }
        let sectionHeight = 22 + max(textHeight, qrHeight)
        if y + sectionHeight > bottom { continuationPage(withTableHeader: false) }
        y += 14
        page.drawLine(fromX: left, y: y, toX: right, y: y, lineWidth: 0.5, color: style.ruleColor)
        y += 10
        let sectionTop = y
        var cursor = paragraph(model.label(.paymentInstructions), x: left, top: y, width: textWidth, font: fonts.bold, size: 9.5,
                               lineHeight: titleHeight, color: style.accentColor)
        for line in instructions {
            cursor = paragraph(line, x: left, top: cursor, width: textWidth, font: fonts.regular, size: 8.5, lineHeight: 12,
                               color: style.textColor)
        }
        var qrBottom = sectionTop
        if let qr = model.qrCode {
            let blockX = right - qrBlockWidth
            let qrX = blockX + (qrBlockWidth - qrSize) / 2
            // 14 pt below the rule: at least the 4-module quiet zone of any QR version at this size.
            try page.drawQRCode(qr.modules, x: qrX, y: sectionTop + 4, size: qrSize, color: .black)
            qrBottom = sectionTop + 4 + qrSize + 6
            if let caption = qr.caption, !caption.isEmpty {
                qrBottom = paragraph(caption, x: blockX, top: qrBottom, width: qrBlockWidth, font: fonts.regular, size: 7.5,
                                     lineHeight: 10, color: style.mutedColor, alignment: .center)
            }
        }
        y = max(cursor, qrBottom)
    }

    mutating func notes() {
        let notes = model.notes.filter { !$0.isEmpty }
        guard !notes.isEmpty else { return }
        y += 16
        if y + 16 + 12 > bottom { continuationPage(withTableHeader: false) }
        y = paragraph(model.label(.notes), x: left, top: y, width: contentWidth, font: fonts.bold, size: 9, lineHeight: 14,
                      color: style.accentColor)
        for note in notes {
            for line in fonts.regular.wrap(note, size: 8.5, width: contentWidth) {
                if y + 12 > bottom { continuationPage(withTableHeader: false) }
                page.drawText(line, x: left, y: baseline(y, 12, 8.5), font: fonts.regular, size: 8.5, color: style.mutedColor)
                y += 12
            }
        }
    }

    /// Footer text and "Page i/n" on every page, drawn once the page count is known.
    func footers() {
        let count = document.pages.count
        for (index, page) in document.pages.enumerated() {
            let ruleY = pageHeight - 46
            page.drawLine(fromX: left, y: ruleY, toX: right, y: ruleY, lineWidth: 0.5, color: style.ruleColor)
            let number = "\(model.label(.page)) \(index + 1)/\(count)"
            let numberWidth = fonts.regular.width(of: number, size: 7.5)
            page.drawText(number, x: right, y: ruleY + 14, font: fonts.regular, size: 7.5, color: style.mutedColor, alignment: .right)
            if let footer = model.footer, !footer.isEmpty {
                let lines = fonts.regular.wrap(footer, size: 7, width: contentWidth - numberWidth - 24).prefix(3)
                for (lineIndex, line) in lines.enumerated() {
                    page.drawText(line, x: left, y: ruleY + 14 + Double(lineIndex) * 9, font: fonts.regular, size: 7, color: style.mutedColor)
                }
            }
        }
    }
}

/// A table column: header label, horizontal extent and the cell value of a line.
struct DocumentTableColumn {
    let label: String
    let x: Double
    let width: Double
    let value: (DocumentLine) -> String
}
