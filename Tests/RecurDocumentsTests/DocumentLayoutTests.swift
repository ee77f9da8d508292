import Foundation
import Testing

@testable import RecurDocuments

@Suite("Invoice, credit note and quote layout")
struct DocumentLayoutTests {
    static let creationDate = Date(timeIntervalSince1970: 1_738_368_000)

    static func renderer() throws -> DocumentRenderer {
        DocumentRenderer(regular: try DocumentTestSupport.regularFont(), bold: try DocumentTestSupport.boldFont())
    }

    /// Renders, checks with qpdf, extracts the text and rasterises every page.
    static func check(_ model: DocumentModel, expecting strings: [String]) throws -> (DocumentRendering, String) {
        try DocumentTestSupport.require(DocumentTestSupport.popplerTools + [("qpdf", "qpdf")])
        let rendering = try renderer().render(model, creationDate: creationDate)
        #expect(rendering.missingCharacters.isEmpty, "missing: \(rendering.missingCharacters)")
        let url = try DocumentTestSupport.write(rendering.data)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = try DocumentTestSupport.qpdfCheck(url)
        let text = try DocumentTestSupport.extractText(url)
        for string in strings { #expect(text.contains(string), "“\(string)” not in:\n\(text)") }
        let pages = try DocumentTestSupport.renderPages(url, dpi: 50)
        #expect(pages.count == rendering.pageCount)
        for page in pages { try DocumentTestSupport.expectNotBlank(page) }
        return (rendering, text)
    }

    @Test func vietnameseInvoice() throws {
        let (rendering, text) = try Self.check(DocumentSamples.vietnameseInvoice(), expecting: [
            "HÓA ĐƠN GTGT", "Số HD-2025-000123", "Công ty TNHH Sao Mai", "Gói Workspace Tiêu chuẩn", "1.250.000 ₫", "Tổng cộng",
            "2.687.903 ₫", "Thành tiền", "Đơn giá", "Chiết khấu", "KHÁCH HÀNG", "Công ty Cổ phần Phần mềm Đông Á", "MST: 0312345678",
            "Hạn thanh toán", "15/02/2025", "Hướng dẫn thanh toán", "Nội dung chuyển khoản: HD2025000123", "VietQR · 2.687.903 ₫",
            "Ghi chú", "Trang 1/1", "−10%", "01/01/2025 – 31/01/2025",
        ])
        #expect(rendering.pageCount == 1)
        // The long description wraps inside its column: its words are all there, on several lines.
        let squeezed = DocumentTestSupport.squeezed(text)
        #expect(squeezed.contains("Người dùng bổ sung"))
        #expect(squeezed.contains("người dùng thường)"))
        #expect(!text.contains("Người dùng bổ sung (giấy phép theo tháng, tính theo ngày sử dụng thực tế trong kỳ, áp dụng"))
    }

    @Test func frenchCreditNote() throws {
        let (rendering, _) = try Self.check(DocumentSamples.frenchCreditNote(), expecting: [
            "Avoir", "N° AV-2025-0007", "1 250,00 €", "Montant dû", "Référence", "F-2025-0042", "Éditions Lumière SARL",
            "FACTURÉ À", "Café des Artistes", "Désignation", "Page 1/1",
        ])
        #expect(rendering.pageCount == 1)
    }

    @Test func malayQuote() throws {
        let (rendering, _) = try Self.check(DocumentSamples.malayQuote(), expecting: [
            "Sebut Harga", "RM 1,250.00", "Sah sehingga", "4 April 2025", "Kedai Buku Cahaya", "Halaman 1/1", "Harga seunit",
        ])
        #expect(rendering.pageCount == 1)
    }

    @Test func sixtyLinesPaginateWithRepeatedHeader() throws {
        let model = DocumentSamples.vietnameseInvoice(lineCount: 60)
        let (rendering, text) = try Self.check(model, expecting: ["Tổng cộng", "2.687.903 ₫", "Dịch vụ sao lưu dữ liệu, chi nhánh số 56"])
        #expect(rendering.pageCount >= 2)
        let pages = text.components(separatedBy: "\u{0C}").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        #expect(pages.count == rendering.pageCount)
        for (index, page) in pages.enumerated() {
            #expect(page.contains("Trang \(index + 1)/\(rendering.pageCount)"), "page \(index + 1)")
            #expect(page.contains("HD-2025-000123"), "page \(index + 1) lacks the number")
            if index < pages.count - 1 || page.contains("Dịch vụ sao lưu") {
                // Every page holding table rows repeats the column headings.
                #expect(page.contains("Mô tả") && page.contains("Đơn giá") && page.contains("Thành tiền"), "page \(index + 1) lacks the table header")
            }
        }
        // Every line is printed exactly once.
        for index in 1...56 {
            #expect(text.components(separatedBy: "chi nhánh số \(index) ").count + text.components(separatedBy: "chi nhánh số \(index)\n").count - 2 == 1,
                    "line \(index)")
        }
    }

    @Test func subsetsAreSmall() throws {
        let model = DocumentSamples.vietnameseInvoice()
        var characters = Set<Unicode.Scalar>()
        let texts = [model.title, model.number, model.vendor.name, model.customer.name] + model.lines.flatMap { [$0.description, $0.amount, $0.unitPrice] }
            + model.totals.flatMap { [$0.label, $0.amount] } + model.paymentInstructions + model.notes
        for text in texts { characters.formUnion(text.unicodeScalars) }
        #expect(characters.count >= 70, "\(characters.count) distinct characters")
        let rendering = try Self.renderer().render(model, creationDate: Self.creationDate)
        let pdf = String(decoding: rendering.data, as: UTF8.self)
        let lengths = pdf.matches(of: /\/Length1 (\d+)/).map { Int($0.output.1)! }
        #expect(lengths.count == 2)  // regular and bold subsets
        for length in lengths { #expect(length < 60_000, "subset of \(length) bytes") }
        #expect(rendering.data.count < 120_000, "PDF of \(rendering.data.count) bytes")
        let full = try Data(contentsOf: URL(fileURLWithPath: DocumentTestSupport.regularFontPath)).count
        #expect(lengths.max()! * 10 < full)
    }

    /// The FontFile2 streams of a rendered invoice, as qpdf decodes them, are fonts fontTools
    /// reads with checksums enforced, and pdffonts lists them embedded, subset, with ToUnicode.
    @Test func embeddedFontsAreValidTrueType() throws {
        try DocumentTestSupport.require([("qpdf", "qpdf"), ("pdffonts", "poppler-utils"), ("sh", "dash")])
        try DocumentTestSupport.requirePython(module: "fontTools", package: "fonttools")
        let rendering = try Self.renderer().render(DocumentSamples.vietnameseInvoice(), creationDate: Self.creationDate)
        let url = try DocumentTestSupport.write(rendering.data)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let pdf = String(decoding: rendering.data, as: UTF8.self)
        let objects = pdf.matches(of: /\/FontFile2 (\d+) 0 R/).map { String($0.output.1) }
        #expect(objects.count == 2)
        for object in objects {
            let font = url.deletingLastPathComponent().appendingPathComponent("font\(object).ttf").path
            try DocumentTestSupport.run("sh", ["-c", "qpdf --show-object=\(object) --filtered-stream-data \"$1\" > \"$2\"", "sh", url.path, font])
            let script = """
            import sys
            from fontTools.ttLib import TTFont
            f = TTFont(sys.argv[1], checkChecksums=2)
            f.ensureDecompiled()
            print(f['maxp'].numGlyphs, f['name'].getDebugName(6))
            """
            let result = try DocumentTestSupport.run("python3", ["-c", script, font])
            #expect(result.stdout.contains("DejaVuSans"), "\(result.stdout)\(result.stderr)")
        }
        let fonts = try DocumentTestSupport.run("pdffonts", [url.path]).stdout
        let rows = fonts.split(separator: "\n").filter { $0.contains("CID TrueType") }
        #expect(rows.count == 2)
        for row in rows { #expect(row.contains("Identity-H       yes yes yes"), "\(row)") }
    }

    @Test func missingFontPathIsFontNotFound() {
        do {
            _ = try DocumentRenderer(fonts: DocumentFontConfiguration(regularPath: "/nonexistent/DejaVuSans.ttf"))
            Issue.record("expected font.not_found")
        } catch {
            #expect(error.code == "font.not_found")
            #expect(error.values["path"] == "/nonexistent/DejaVuSans.ttf")
        }
        do {
            _ = try DocumentRenderer(fonts: DocumentFontConfiguration(fallbackPaths: ["/nonexistent/NotoSansJP.ttf"]))
            Issue.record("expected font.not_found")
        } catch {
            #expect(error.code == "font.not_found")
        }
    }

    @Test func defaultConfigurationLoadsDejaVu() throws {
        try DocumentTestSupport.requireFile(DocumentFontConfiguration.defaultBoldPath, package: "fonts-dejavu-core")
        let renderer = try DocumentRenderer()
        #expect(renderer.regular.postScriptName == "DejaVuSans")
        #expect(renderer.bold.postScriptName == "DejaVuSans-Bold")
    }

    @Test func japaneseWithoutFallbackReportsMissingCharacters() throws {
        var model = DocumentSamples.malayQuote()
        model.customer.name = "株式会社サクラ"
        model.labels = [:]
        let rendering = try Self.renderer().render(model, creationDate: Self.creationDate)
        #expect(rendering.missingCharacters == ["株", "式", "会", "社", "サ", "ク", "ラ"])
        var strict = try Self.renderer()
        strict.strictGlyphs = true
        #expect(throws: DocumentError.self) { try strict.render(model) }
    }

    /// The default configuration falls back on IPA Gothic: a Japanese invoice has every glyph,
    /// its labels and customer extract, and the IPA subset is valid TrueType.
    @Test func japaneseInvoiceWithDefaultFallback() throws {
        try DocumentTestSupport.requireFile(DocumentFontConfiguration.defaultJapanesePath, package: "fonts-ipafont-gothic")
        #expect(DocumentFontConfiguration().fallbackPaths == [DocumentFontConfiguration.defaultJapanesePath])
        var model = DocumentSamples.malayQuote()
        model.kind = .invoice
        model.title = "請求書"
        model.customer.name = "株式会社サクラ"
        model.lines[0].description = "ビジネスパック（12か月） Business Pack"
        model.totals = [DocumentTotal(label: "合計", amount: "¥125,000", isBold: true)]
        model.labels = DocumentLabel.defaults(language: "ja")
        model.language = "ja-JP"
        let renderer = try DocumentRenderer(fonts: DocumentFontConfiguration(), strictGlyphs: true)
        #expect(renderer.fallbacks.map(\.postScriptName) == ["IPAGothic"])
        try DocumentTestSupport.require(DocumentTestSupport.popplerTools + [("qpdf", "qpdf")])
        let rendering = try renderer.render(model, creationDate: Self.creationDate)
        #expect(rendering.missingCharacters.isEmpty)
        let url = try DocumentTestSupport.write(rendering.data)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        _ = try DocumentTestSupport.qpdfCheck(url)
        let text = DocumentTestSupport.squeezed(try DocumentTestSupport.extractText(url))
        for expected in ["請求書", "株式会社サクラ", "請求先", "品目", "数量", "単価", "金額", "合計 ¥125,000", "ビジネスパック（12か月） Business Pack", "お支払期限"] {
            #expect(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        for png in try DocumentTestSupport.renderPages(url) { try DocumentTestSupport.expectNotBlank(png) }
        guard DocumentTestSupport.pythonHas(module: "fontTools") else { return }
        let pdf = String(decoding: rendering.data, as: UTF8.self)
        let objects = pdf.matches(of: /\/FontFile2 (\d+) 0 R/).map { String($0.output.1) }
        #expect(objects.count == 3)
        var names: [String] = []
        for object in objects {
            let font = url.deletingLastPathComponent().appendingPathComponent("font\(object).ttf").path
            try DocumentTestSupport.run("sh", ["-c", "qpdf --show-object=\(object) --filtered-stream-data \"$1\" > \"$2\"", "sh", url.path, font])
            let script = "import sys\nfrom fontTools.ttLib import TTFont\nf = TTFont(sys.argv[1], checkChecksums=2)\nf.ensureDecompiled()\nprint(f['name'].getDebugName(6))"
            names.append(try DocumentTestSupport.run("python3", ["-c", script, font]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        #expect(names.sorted() == ["DejaVuSans", "DejaVuSans-Bold", "IPAGothic"], "\(names)")
    }

    @Test func invalidQRMatrixIsRejected() throws {
        var model = DocumentSamples.vietnameseInvoice()
        model.qrCode = DocumentQRCode(modules: [[true, false, true]])
        do {
            _ = try Self.renderer().render(model)
            Issue.record("expected document.invalid")
        } catch {
            #expect((error as? DocumentError)?.code == "document.invalid")
        }
    }

    @Test func labelsDefaultToEnglish() {
        let model = DocumentModel(kind: .quote, title: "", number: "Q-1", issueDate: "2025-03-05", vendor: DocumentParty(name: "V"),
                                  customer: DocumentParty(name: "C"), lines: [], totals: [], labels: ["amount": "Montant"])
        #expect(model.label(.amount) == "Montant")
        #expect(model.label(.billTo) == "Bill to")
        #expect(model.displayTitle == "Quote")
        #expect(DocumentLabel.defaults(language: "vi-VN")["amount"] == "Thành tiền")
        #expect(DocumentLabel.defaults(language: "de")["amount"] == "Amount")
    }

    /// Writes sample-invoice.pdf and sample-invoice.png (first page, 80 dpi) into the directory
    /// named by RECUR_DOCUMENTS_SAMPLE_DIR, for a person to look at; skipped when unset.
    @Test func writeSampleForReview() throws {
        guard let directory = ProcessInfo.processInfo.environment["RECUR_DOCUMENTS_SAMPLE_DIR"], !directory.isEmpty else {
            try Test.cancel("RECUR_DOCUMENTS_SAMPLE_DIR is not set")
        }
        let rendering = try Self.renderer().render(DocumentSamples.vietnameseInvoice(), creationDate: Self.creationDate)
        let pdf = URL(fileURLWithPath: directory).appendingPathComponent("sample-invoice.pdf")
        try rendering.data.write(to: pdf)
        try DocumentTestSupport.require([("pdftoppm", "poppler-utils")])
        let prefix = URL(fileURLWithPath: directory).appendingPathComponent("sample-invoice").path
        try DocumentTestSupport.run("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf.path, prefix])
    }
}
