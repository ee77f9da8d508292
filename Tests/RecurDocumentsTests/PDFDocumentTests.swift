import Foundation
import Testing

@testable import RecurDocuments

@Suite("PDF documents: fonts, text and drawing")
struct PDFDocumentTests {
    static let lines = [
        "HÓA ĐƠN GTGT", "Công ty TNHH Sao Mai", "Gói Workspace Tiêu chuẩn", "Thành tiền: 1.250.000 ₫", "Tổng cộng",
        "Montant dû : 1 250,00 €", "Jumlah: RM 1,250.00",
    ]

    static func makeDocument(compression: PDFCompression = .flate) throws -> (PDFDocument, PDFFont, PDFFont) {
        let document = PDFDocument(title: "Hóa đơn 2025-0001", author: "Công ty TNHH Sao Mai", language: "vi-VN",
                                   creationDate: Date(timeIntervalSince1970: 1_735_732_800), compression: compression)
        let regular = try document.addFont(DocumentTestSupport.regularFont())
        let bold = try document.addFont(DocumentTestSupport.boldFont())
        return (document, regular, bold)
    }

    static func draw(on document: PDFDocument, regular: PDFFont, bold: PDFFont) throws {
        let page = document.addPage()
        #expect(page.width == 595.28 && page.height == 841.89)
        var y = 60.0
        for (index, line) in lines.enumerated() {
            page.drawText(line, x: 48, y: y, font: index == 0 ? bold : regular, size: index == 0 ? 18 : 11,
                          color: index == 0 ? PDFColor(hex: 0x1F4E79) : .black)
            y += 24
        }
        page.drawText("1.250.000 ₫", x: 547, y: 60, font: bold, size: 11, alignment: .right)
        page.drawText("Trang 1/1", x: page.width / 2, y: 820, font: regular, size: 8, color: PDFColor(gray: 0.4), alignment: .center)
        let wrapped = page.drawText(String(repeating: "Dịch vụ lưu trữ đám mây ", count: 12), x: 48, y: 260, width: 200, font: regular, size: 9)
        #expect(wrapped > 3)
        page.drawLine(fromX: 48, y: 240, toX: 547, y: 240, lineWidth: 0.5, color: PDFColor(gray: 0.7))
        page.fillRectangle(x: 300, y: 260, width: 120, height: 20, color: PDFColor(gray: 0.9))
        page.strokeRectangle(x: 300, y: 290, width: 120, height: 20, lineWidth: 1, color: .black)
        var modules = [[Bool]](repeating: [Bool](repeating: false, count: 21), count: 21)
        for row in 0..<21 { for column in 0..<21 where (row * 7 + column * 3) % 5 < 2 || row < 7 && column < 7 { modules[row][column] = true } }
        try page.drawQRCode(modules, x: 440, y: 260, size: 100)
        var gradient = Data()
        for index in 0..<(40 * 20) {
            let column = index % 40
            let row = index / 40
            gradient.append(contentsOf: [UInt8(column * 6), 80, UInt8(200 - row * 8)])
        }
        page.drawImage(try PDFImage(width: 40, height: 20, colorSpace: .rgb, samples: gradient), x: 300, y: 330, width: 80, height: 40)
        let grey = Data((0..<(10 * 10)).map { UInt8($0 * 2) })
        page.drawImage(try PDFImage(width: 10, height: 10, colorSpace: .gray, samples: grey), x: 400, y: 330, width: 40, height: 40)
    }

    @Test(arguments: [PDFCompression.flate, .none])
    func textIsExtractableAndFileIsValid(_ compression: PDFCompression) throws {
        try DocumentTestSupport.require(DocumentTestSupport.popplerTools + [("qpdf", "qpdf")])
        let (document, regular, bold) = try Self.makeDocument(compression: compression)
        try Self.draw(on: document, regular: regular, bold: bold)
        let data = try document.render()
        #expect(document.missingCharacters.isEmpty)
        let url = try DocumentTestSupport.write(data)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = try DocumentTestSupport.qpdfCheck(url)
        let text = try DocumentTestSupport.extractText(url)
        for line in Self.lines { #expect(text.contains(line), "missing \(line) in:\n\(text)") }
        #expect(text.contains("Trang 1/1"))
        #expect(text.contains("Dịch vụ lưu trữ đám mây"))
        // Fonts: two embedded subset Type0 fonts with ToUnicode.
        let fonts = try DocumentTestSupport.run("pdffonts", [url.path]).stdout
        #expect(fonts.contains("+DejaVuSans "), "\(fonts)")
        #expect(fonts.contains("+DejaVuSans-Bold "), "\(fonts)")
        #expect(fonts.components(separatedBy: "CID TrueType").count == 3, "\(fonts)")
        #expect(fonts.components(separatedBy: "Identity-H       yes yes yes").count == 3, "\(fonts)")
        let info = try DocumentTestSupport.run("pdfinfo", [url.path]).stdout
        #expect(info.contains("Hóa đơn 2025-0001"), "\(info)")
        #expect(info.contains("Producer:        Recur"), "\(info)")
        #expect(info.contains("Page size:       595.28 x 841.89 pts (A4)"), "\(info)")
        let pages = try DocumentTestSupport.renderPages(url)
        #expect(pages.count == 1)
        for page in pages { try DocumentTestSupport.expectNotBlank(page) }
    }

    @Test func alignmentUsesAdvanceWidths() throws {
        let (document, regular, _) = try Self.makeDocument(compression: .none)
        // "Hóa" is 1540 + 1253 + 1255 = 4048 units: 19.765625 pt at 10 pt.
        #expect(abs(regular.width(of: "Hóa", size: 10) - 19.765625) < 1e-9)
        let page = document.addPage()
        page.drawText("Hóa", x: 100, y: 100, font: regular, size: 10, alignment: .right)
        page.drawText("Hóa", x: 100, y: 120, font: regular, size: 10, alignment: .center)
        let content = String(decoding: page.content, as: UTF8.self)
        #expect(content.contains("1 0 0 1 80.234 741.89 Tm"), "\(content)")
        #expect(content.contains("1 0 0 1 90.117 721.89 Tm"), "\(content)")
        // CIDs in order of first use: H=1, ó=2, a=3.
        #expect(content.contains("<000100020003> Tj"), "\(content)")
    }

    @Test func wrappingRespectsWidth() throws {
        let (_, regular, _) = try Self.makeDocument()
        let text = "Gói Workspace Tiêu chuẩn cho 25 người dùng, lưu trữ 2 TB mỗi người, hỗ trợ 24/7 và sao lưu hằng ngày"
        let lines = regular.wrap(text, size: 9, width: 150)
        #expect(lines.count >= 3)
        for line in lines { #expect(regular.width(of: line, size: 9) <= 150) }
        #expect(lines.joined(separator: " ") == text)
        // A single word longer than the line is cut; explicit newlines are kept.
        let long = regular.wrap(String(repeating: "W", count: 60), size: 9, width: 100)
        #expect(long.count > 1 && long.allSatisfy { regular.width(of: $0, size: 9) <= 100 })
        #expect(regular.wrap("a\nb", size: 9, width: 100) == ["a", "b"])
        #expect(regular.wrap("", size: 9, width: 100) == [""])
    }

    @Test func missingGlyphsAreReportedOrFallBack() throws {
        try DocumentTestSupport.require(DocumentTestSupport.popplerTools)
        let monoPath = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
        try DocumentTestSupport.requireFile(monoPath, package: "fonts-dejavu-core")
        let document = PDFDocument(creationDate: Date(timeIntervalSince1970: 0))
        // Mono lacks Ǆ (U+01C4), DejaVu Sans has it; neither has 日本.
        let font = try document.addFont(TrueTypeFont(contentsOfFile: monoPath), fallbacks: [DocumentTestSupport.regularFont()])
        document.addPage().drawText("Ǆ ok 日本 ₫", x: 48, y: 100, font: font, size: 12)
        #expect(document.missingCharacters == ["日", "本"])
        let url = try DocumentTestSupport.write(try document.render())
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let text = try DocumentTestSupport.extractText(url)
        #expect(text.contains("Ǆ ok"), "\(text)")
        #expect(text.contains("₫"), "\(text)")
        let fonts = try DocumentTestSupport.run("pdffonts", [url.path]).stdout
        #expect(fonts.contains("+DejaVuSansMono "), "\(fonts)")
        #expect(fonts.contains("+DejaVuSans "), "\(fonts)")

        let strict = PDFDocument(strictGlyphs: true)
        strict.addPage().drawText("日本", x: 48, y: 100, font: try strict.addFont(DocumentTestSupport.regularFont()), size: 12)
        do {
            _ = try strict.render()
            Issue.record("expected font.glyph_missing")
        } catch {
            #expect(error.code == "font.glyph_missing")
            #expect(error.values["characters"] == "日本")
            #expect(error.values["scalars"] == "U+65E5 U+672C")
        }
    }

    /// One line mixing DejaVu (Latin, ¥) and IPA Gothic (kanji, kana, full-width parentheses)
    /// extracts exactly, and each face's ToUnicode map holds only its own characters.
    @Test func japaneseFallbackMixesFacesOnOneLine() throws {
        try DocumentTestSupport.require(DocumentTestSupport.popplerTools + [("qpdf", "qpdf")])
        let document = PDFDocument(language: "ja-JP", creationDate: Date(timeIntervalSince1970: 0))
        let ipa = try DocumentTestSupport.japaneseFont()
        let font = try document.addFont(DocumentTestSupport.regularFont(), fallbacks: [ipa])
        let line = "合計 Total ¥1,250（税込） 株式会社サクラ Sakura K.K. ご請求書 No. 2026-0001"
        let page = document.addPage()
        page.drawText(line, x: 48, y: 100, font: font, size: 12)
        page.drawText("請求先: 株式会社サクラ", x: 48, y: 130, font: font, size: 12)
        #expect(document.missingCharacters.isEmpty, "\(document.missingCharacters)")
        let faces = document.registry.faces
        #expect(faces.count == 2)
        let latin = Set(faces[0].unicode.values.map { Character($0) })
        let japanese = Set(faces[1].unicode.values.map { Character($0) })
        #expect(latin == Set("TotalSkurKN.20615-¥,: "), "\(latin)")
        #expect(japanese == Set("合計税込株式会社サクラご請求書先（）"), "\(japanese)")
        // Every CID used is mapped back to its character, and the widths follow each face.
        let expectedWidth = Double(ipa.advanceWidth(forGlyph: try #require(ipa.glyphID(for: "合")))) * 10 / Double(ipa.unitsPerEm)
        #expect(abs(font.width(of: "合", size: 10) - expectedWidth) < 1e-9)
        let url = try DocumentTestSupport.write(try document.render())
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = try DocumentTestSupport.qpdfCheck(url)
        let text = try DocumentTestSupport.extractText(url)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains(line), "\(text)")
        #expect(lines.contains("請求先: 株式会社サクラ"), "\(text)")
        #expect(try DocumentTestSupport.extractText(url, layout: false).contains(line))
        let fonts = try DocumentTestSupport.run("pdffonts", [url.path]).stdout
        #expect(fonts.contains("+DejaVuSans "), "\(fonts)")
        #expect(fonts.contains("+IPAGothic "), "\(fonts)")
        for row in fonts.split(separator: "\n") where row.contains("CID TrueType") { #expect(row.contains("Identity-H       yes yes yes"), "\(row)") }
        for png in try DocumentTestSupport.renderPages(url, dpi: 72) { try DocumentTestSupport.expectNotBlank(png, minimumDarkRatio: 0.001) }
    }

    @Test func badImagesAndMatricesAreTypedErrors() throws {
        #expect(throws: DocumentError(code: "image.invalid", message: "The sample count does not match the image size and colour space.",
                                      values: ["expected": "12", "actual": "3"])) {
            try PDFImage(width: 2, height: 2, colorSpace: .rgb, samples: Data([1, 2, 3]))
        }
        let (document, _, _) = try Self.makeDocument()
        let page = document.addPage()
        for matrix in [[], [[true, false]], [[true], [true, false]]] as [[[Bool]]] {
            do {
                try page.drawQRCode(matrix, x: 0, y: 0, size: 10)
                Issue.record("expected document.invalid")
            } catch {
                #expect(error.code == "document.invalid")
            }
        }
    }

    @Test func renderingIsDeterministic() throws {
        var outputs: [Data] = []
        for _ in 0..<2 {
            let (document, regular, bold) = try Self.makeDocument()
            try Self.draw(on: document, regular: regular, bold: bold)
            outputs.append(try document.render())
        }
        #expect(outputs[0] == outputs[1])
    }
}
