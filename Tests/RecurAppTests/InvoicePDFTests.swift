import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RecurCore
import RecurApp
import RecurEngine
import RecurDocuments
import RecurPayments
import RecurStore
import Testing

/// Runs a command-line tool; nil when it is not installed (the test then fails under CI, is skipped otherwise).
func tool(_ name: String, _ args: [String]) throws -> String? {
    guard let path = ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("\(name) is required under CI (Debian: poppler-utils, zbar-tools)") }
        return nil
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = Pipe()
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

@Suite("Invoice PDFs")
struct InvoicePDFTests {
    func pdf(_ client: any TestClientProtocol, locale: String, currency: String, country: String) async throws -> (Data, String, [String: Any]) {
        let c = try await client.call(.post, "/v1/customers", json: #"{"name":"Công ty Cổ phần Đông Á","currency":"\#(currency)","country":"\#(country)","locale":"\#(locale)","invoice_emails":["ke.toan@donga.example"]}"#).json
        let cid = try #require(c["id"] as? String)
        let order = try await client.call(.post, "/v1/subscriptions", json: #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_standard","cycle_months":1,"seats":3}]}"#).json
        let invoice = try #require(dig(order, "invoice") as? [String: Any])
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(adminKey)"
        let r = try await client.execute(uri: "/v1/invoices/\(invoice["id"] as! String)/pdf", method: .get, headers: headers)
        #expect(r.status == .ok)
        #expect(r.headers[.contentType] == "application/pdf")
        let data = Data(r.body.readableBytesView)
        #expect(data.prefix(5) == Data("%PDF-".utf8))
        let url = scratchURL("recur-invoice-\(UUID().uuidString).pdf")
        try data.write(to: url)
        return (data, url.path, invoice)
    }

    @Test("vi: the invoice reads in Vietnamese with 297.000 ₫, and its VietQR code scans to the payment code and amount", arguments: TestDatabase.all)
    func vietnamese(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (_, path, invoice) = try await pdf(client, locale: "vi", currency: "VND", country: "VN")
            guard let text = try tool("pdftotext", ["-layout", path, "-"]) else { return }
            for expected in ["HÓA ĐƠN", invoice["number"] as! String, "Công ty Cổ phần Đông Á", "Recur Demo Software JSC", "Thành tiền",
                             "297.000 ₫", "27.000 ₫", "Tổng cộng", "Nội dung chuyển khoản: RC", "Quét mã VietQR"] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
            let attempts = try #require(try await client.call(.get, "/v1/invoices/\(invoice["id"] as! String)/payment-attempts").json["data"] as? [[String: Any]])
            #expect(attempts.count == 1)
            let payload = try #require(dig(attempts.first, "transfer", "vietqr") as? String)
            guard try tool("pdftoppm", ["-png", "-r", "200", "-f", "1", "-l", "1", path, path]) != nil,
                  let scanned = try tool("zbarimg", ["--raw", "-q", path + "-1.png"]) else { return }
            #expect(scanned.trimmingCharacters(in: .whitespacesAndNewlines) == payload)
            #expect(payload.contains("5406297000"))
        }
    }

    @Test("fr and ms: 16,20 € and RM amounts in the customer's language; a paid invoice says so; an unknown invoice is 404", arguments: TestDatabase.all)
    func otherLanguages(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (_, frPath, frInvoice) = try await pdf(client, locale: "fr", currency: "EUR", country: "FR")
            if let text = try tool("pdftotext", ["-layout", frPath, "-"]) {
                for expected in ["Facture", "Désignation", "16,20 €", "Total TTC", "Échéance"] { #expect(text.contains(expected), "missing \(expected)") }
                // No bank-transfer QR for euros: VietQR is VND only.
                #expect(!text.contains("VietQR"))
            }
            _ = try await client.call(.post, "/v1/invoices/\(frInvoice["id"] as! String)/payments", json: #"{"method":"cash"}"#)
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(adminKey)"
            let paid = try await client.execute(uri: "/v1/invoices/\(frInvoice["id"] as! String)/pdf", method: .get, headers: headers)
            let paidPath = scratchURL("recur-paid-\(UUID().uuidString).pdf").path
            try Data(paid.body.readableBytesView).write(to: URL(fileURLWithPath: paidPath))
            if let text = try tool("pdftotext", ["-layout", paidPath, "-"]) {
                #expect(text.contains("Facture acquittée. Merci !"))
                #expect(text.contains("Déjà payé"))
            }
            let (_, msPath, _) = try await pdf(client, locale: "ms", currency: "MYR", country: "MY")
            if let text = try tool("pdftotext", ["-layout", msPath, "-"]) {
                for expected in ["Invois", "Perihal", "RM "] { #expect(text.contains(expected), "missing \(expected)") }
            }
            let missing = try await client.call(.get, "/v1/invoices/in_nope/pdf")
            #expect(missing.status == .notFound)
        }
    }

    @Test("locale formats: 1.250.000 ₫, 1 250,00 €, RM 1,250.00, ¥1,250, €1,250.00, negative amounts, dates")
    func formats() throws {
        #expect(LocaleFormat.money(Money(minorUnits: 1_250_000, currency: .vnd), locale: "vi") == "1.250.000 ₫")
        #expect(LocaleFormat.money(Money(minorUnits: 125_000, currency: .eur), locale: "fr") == "1 250,00 €")
        #expect(LocaleFormat.money(Money(minorUnits: 125_000, currency: .myr), locale: "ms") == "RM 1,250.00")
        #expect(LocaleFormat.money(Money(minorUnits: 1_250, currency: .jpy), locale: "ja") == "¥1,250")
        #expect(LocaleFormat.money(Money(minorUnits: 125_000, currency: .eur), locale: "en") == "€1,250.00")
        #expect(LocaleFormat.money(Money(minorUnits: -720_000, currency: .vnd), locale: "vi") == "−720.000 ₫")
        #expect(LocaleFormat.money(Money(minorUnits: 5, currency: .eur), locale: "fr") == "0,05 €")
        #expect(LocaleFormat.money(Money(minorUnits: 999, currency: .vnd), locale: "vi-VN") == "999 ₫")
        let d = try CivilDate(2026, 3, 5)
        #expect(LocaleFormat.date(d, locale: "vi") == "05/03/2026")
        #expect(LocaleFormat.date(d, locale: "ja") == "2026/03/05")
        #expect(LocaleFormat.percentage(Percentage(basisPoints: 1_000), locale: "vi") == "10%")
        #expect(LocaleFormat.percentage(Percentage(basisPoints: 825), locale: "fr") == "8,25%")
        #expect(LocaleFormat.language("pt-BR") == "en")
    }

    @Test("receipts: a cash payment's PDF shows the receipt number, the amount, the reference and what went to the balance", arguments: TestDatabase.all)
    func receipt(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (_, _, invoice) = try await pdf(client, locale: "vi", currency: "VND", country: "VN")
            let paid = try await client.call(.post, "/v1/invoices/\(invoice["id"] as! String)/payments",
                                             json: #"{"method":"cash","amount":{"amount":300000,"currency":"VND"},"reference":"PT-0042"}"#).json
            var headers = HTTPFields()
            headers[.authorization] = "Bearer \(adminKey)"
            let r = try await client.execute(uri: "/v1/payments/\(paid["id"] as! String)/receipt", method: .get, headers: headers)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/pdf")
            let path = scratchURL("recur-receipt-\(UUID().uuidString).pdf").path
            try Data(r.body.readableBytesView).write(to: URL(fileURLWithPath: path))
            guard let text = try tool("pdftotext", ["-layout", path, "-"]) else { return }
            for expected in ["BIÊN LAI THU TIỀN", paid["number"] as! String, "300.000 ₫", "297.000 ₫", "3.000 ₫", "PT-0042", "Chuyển vào số dư"] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
            let missing = try await client.call(.get, "/v1/payments/py_nope/receipt")
            #expect(missing.status == .notFound)
        }
    }

    /// GET (or POST `json`) `path` with the admin key; the PDF written to a temporary file.
    func document(_ client: any TestClientProtocol, _ path: String, json: String? = nil) async throws -> String {
        let r = try await client.call(json == nil ? .get : .post, path, json: json)
        #expect(r.status == .ok, "\(r.text)")
        #expect(r.headers[.contentType] == "application/pdf")
        let data = Data(r.body.readableBytesView)
        #expect(data.prefix(5) == Data("%PDF-".utf8))
        let url = scratchURL("recur-document-\(UUID().uuidString).pdf")
        try data.write(to: url)
        return url.path
    }

    @Test("ja: invoice, quote and credit note in Japanese (IPA Gothic fallback): labels, 株式会社 name, ¥30,000; qpdf and pdftoppm accept them",
          arguments: TestDatabase.all)
    func japanese(db: TestDatabase) async throws {
        let ipa = "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"
        guard FileManager.default.fileExists(atPath: ipa) else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("\(ipa) is required under CI (Debian: fonts-ipafont-gothic)") }
            return
        }
        try await withApp(db) { client, _ in
            let c = try await client.call(.post, "/v1/customers", json: #"{"name":"株式会社サクラ翻訳 (Sakura K.K.)","currency":"JPY","country":"JP","locale":"ja","invoice_emails":["keiri@sakura.example"]}"#).json
            let cid = try #require(c["id"] as? String)
            let orderJSON = #"{"customer":"\#(cid)","items":[{"product":"meeting","plan":"meeting_small","tier":"300","cycle_months":1}]}"#
            // The quote first: nothing is written.
            let quotePath = try await document(client, "/v1/quotes/pdf", json: orderJSON)
            let quoteJSON = try await client.call(.post, "/v1/quotes", json: orderJSON).json
            let order = try await client.call(.post, "/v1/subscriptions", json: orderJSON).json
            let invoice = try #require(dig(order, "invoice") as? [String: Any])
            let invoiceID = try #require(invoice["id"] as? String)
            let invoicePath = try await document(client, "/v1/invoices/\(invoiceID)/pdf")
            let note = try await client.call(.post, "/v1/invoices/\(invoiceID)/credit-notes",
                                             json: #"{"amount":{"amount":5000,"currency":"JPY"},"reason":"通信障害による値引き"}"#).json
            let notePath = try await document(client, "/v1/credit-notes/\(note["id"] as! String)/pdf")

            guard let text = try tool("pdftotext", ["-layout", invoicePath, "-"]) else { return }
            let total = try #require(dig(invoice, "totals", "total", "amount") as? Int)
            let totalText = LocaleFormat.money(Money(minorUnits: Int64(total), currency: .jpy), locale: "ja")
            for expected in ["請求書", invoice["number"] as! String, "株式会社サクラ翻訳 (Sakura K.K.)", "請求先", "発行日", "お支払期限", "品目", "数量",
                             "単価", "金額", "小計", "消費税", "合計", "¥30,000", totalText, "Recur Demo Software JSC", "2026/03/01"] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
            #expect(!text.contains("Invoice") && !text.contains("¥30,000.00"))
            let quoteText = try #require(try tool("pdftotext", ["-layout", quotePath, "-"]))
            let quoteTotal = try #require(dig(quoteJSON, "totals", "total", "amount") as? Int)
            #expect(quoteTotal == total)
            for expected in ["見積書", "有効期限", "2026/03/31", "株式会社サクラ翻訳 (Sakura K.K.)", "¥30,000", totalText, "合計"] {
                #expect(quoteText.contains(expected), "missing \(expected) in\n\(quoteText)")
            }
            let noteText = try #require(try tool("pdftotext", ["-layout", notePath, "-"]))
            for expected in ["クレジットノート", note["number"] as! String, invoice["number"] as! String, "通信障害による値引き", "クレジット金額",
                             "¥5,000", "請求書の未払額から差し引きました", "株式会社サクラ翻訳 (Sakura K.K.)"] {
                #expect(noteText.contains(expected), "missing \(expected) in\n\(noteText)")
            }
            for path in [invoicePath, quotePath, notePath] {
                if let check = try tool("qpdf", ["--check", path]) {
                    #expect(check.contains("No syntax or stream encoding errors"), "\(check)")
                }
                // Both faces (DejaVu and the IPA Gothic subset) embedded with a ToUnicode map.
                if let fonts = try tool("pdffonts", [path]) {
                    #expect(fonts.contains("IPAGothic"), "\(fonts)")
                    for row in fonts.split(separator: "\n") where row.contains("CID TrueType") {
                        #expect(row.contains("Identity-H       yes yes yes"), "\(row)")
                    }
                }
                guard try tool("pdftoppm", ["-png", "-r", "100", "-f", "1", "-l", "1", path, path]) != nil else { continue }
                let png = try Data(contentsOf: URL(fileURLWithPath: path + "-1.png"))
                #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000)
            }
        }
    }

    @Test("credit notes: the PDF shows the note's number, the invoice it credits, the reason, 50.000 ₫ and its outcome; unknown is 404",
          arguments: TestDatabase.all)
    func creditNote(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (_, _, invoice) = try await pdf(client, locale: "vi", currency: "VND", country: "VN")
            let note = try await client.call(.post, "/v1/invoices/\(invoice["id"] as! String)/credit-notes",
                                             json: #"{"amount":{"amount":50000,"currency":"VND"},"reason":"Giảm giá do gián đoạn dịch vụ"}"#).json
            let number = try #require(note["number"] as? String)
            #expect(number.hasPrefix("CN-2026-"))
            let path = try await document(client, "/v1/credit-notes/\(note["id"] as! String)/pdf")
            if let text = try tool("pdftotext", ["-layout", path, "-"]) {
                for expected in ["GIẤY BÁO CÓ", number, invoice["number"] as! String, "Giảm giá do gián đoạn dịch vụ", "Số tiền ghi có", "50.000 ₫",
                                 "Đã trừ vào số tiền còn phải trả của hóa đơn", "Công ty Cổ phần Đông Á", "01/03/2026"] {
                    #expect(text.contains(expected), "missing \(expected) in\n\(text)")
                }
                #expect(!text.contains("297.000 ₫"))
            }
            let missing = try await client.call(.get, "/v1/credit-notes/cn_nope/pdf")
            #expect(missing.status == .notFound)
        }
    }

    @Test("quotes: POST /v1/quotes/pdf prices the order like /v1/quotes (3 seats: 13,50 € + TVA = 16,20 €), valid 30 days, writes nothing",
          arguments: TestDatabase.all)
    func quote(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let c = try await client.call(.post, "/v1/customers", json: #"{"name":"Société Lumière SARL","currency":"EUR","country":"FR","locale":"fr"}"#).json
            let cid = try #require(c["id"] as? String)
            let orderJSON = #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_standard","cycle_months":1,"seats":3}]}"#
            let quote = try await client.call(.post, "/v1/quotes", json: orderJSON).json
            #expect(dig(quote, "totals", "total", "amount") as? Int == 1_620)
            let path = try await document(client, "/v1/quotes/pdf", json: orderJSON)
            if let text = try tool("pdftotext", ["-layout", path, "-"]) {
                for expected in ["Devis", "Société Lumière SARL", "Désignation", "Valable jusqu’au", "01/03/2026", "31/03/2026", "4,50 €", "13,50 €",
                                 "2,70 €", "16,20 €", "Total HT", "TVA", "Total TTC"] {
                    #expect(text.contains(expected), "missing \(expected) in\n\(text)")
                }
                #expect(!text.contains("Échéance"))
            }
            let subscriptions = try await client.call(.get, "/v1/subscriptions?customer=\(cid)").json
            #expect((subscriptions["data"] as? [Any])?.isEmpty == true)
            let unknown = try await client.call(.post, "/v1/quotes/pdf", json: #"{"customer":"cus_nope","items":[{"product":"workspace","plan":"ws_standard","cycle_months":1,"seats":3}]}"#)
            #expect(unknown.status == .notFound)
        }
    }

    @Test("configuration: the vendor and the gateways come from RECUR_* variables; without them, the demo vendor and the sandbox")
    func configuration() throws {
        let env = ["RECUR_VENDOR_NAME": "Công ty Cổ phần Phần mềm Việt", "RECUR_VENDOR_ADDRESS": "1 Lê Duẩn | Quận 1, TP. HCM",
                   "RECUR_VENDOR_TAX_ID": "0301234567", "RECUR_VENDOR_EMAIL": "billing@pmv.example", "RECUR_PAYMENTS_SANDBOX": "0",
                   "RECUR_PUBLIC_URL": "https://billing.pmv.example", "RECUR_VNPAY_TMN_CODE": "PMV00001", "RECUR_VNPAY_HASH_SECRET": "s3cret",
                   "RECUR_STRIPE_SECRET_KEY": "sk_live_x"]
        let c = RecurConfiguration.fromEnvironment(env)
        let vendor = c.vendorProfile()
        #expect(vendor.name == "Công ty Cổ phần Phần mềm Việt")
        #expect(vendor.addressLines == ["1 Lê Duẩn", "Quận 1, TP. HCM"])
        #expect(vendor.footer == "Công ty Cổ phần Phần mềm Việt · 0301234567 · billing@pmv.example")
        let payments = c.paymentSettings()
        #expect(payments.sandbox == false)
        #expect(payments.publicURL == "https://billing.pmv.example")
        // Stripe needs its webhook secret too: without it, it stays off.
        #expect(payments.enabled == ["vnpay"])
        #expect(payments.vnpay?.tmnCode == "PMV00001")
        let defaults = RecurConfiguration.fromEnvironment([:])
        #expect(defaults.vendorProfile().name == VendorProfile.demo.name)
        #expect(defaults.paymentSettings().enabled == ["vnpay", "vnptpay", "stripe", "2checkout", "bank_transfer"])
        #expect(defaults.paymentSettings().publicURL == "http://127.0.0.1:8080")
        // Document fonts: DejaVu, with IPA Gothic as the fallback when installed; RECUR_DOCUMENT_FALLBACK_FONTS overrides ("" = none).
        #expect(defaults.documentFonts().regularPath == "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
        #expect(defaults.documentFonts().fallbackPaths == ["/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"]
            .filter { FileManager.default.fileExists(atPath: $0) })
        let fonts = RecurConfiguration.fromEnvironment(["RECUR_DOCUMENT_FALLBACK_FONTS": "/opt/fonts/a.ttf:/opt/fonts/b.ttf",
                                                        "RECUR_DOCUMENT_FONT": "/opt/fonts/r.ttf"]).documentFonts()
        #expect(fonts.fallbackPaths == ["/opt/fonts/a.ttf", "/opt/fonts/b.ttf"])
        #expect(fonts.regularPath == "/opt/fonts/r.ttf")
        #expect(RecurConfiguration.fromEnvironment(["RECUR_DOCUMENT_FALLBACK_FONTS": ""]).documentFonts().fallbackPaths.isEmpty)
    }
}

@Suite("Vendor logo")
struct VendorLogoTests {
    /// A binary PPM: `w`×`h` pixels of one colour.
    static func ppm(_ w: Int, _ h: Int, rgb: (UInt8, UInt8, UInt8)) -> Data {
        var d = Data("P6\n# Recur test logo\n\(w) \(h)\n255\n".utf8)
        for _ in 0..<(w * h) { d.append(contentsOf: [rgb.0, rgb.1, rgb.2]) }
        return d
    }

    @Test("RECUR_VENDOR_LOGO (a PPM) is drawn on the invoice; a missing or bad file stops the server with the variable named")
    func logo() async throws {
        let dir = scratchURL("recur-logo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("logo.ppm"), bad = dir.appendingPathComponent("logo.png")
        try Self.ppm(40, 20, rgb: (35, 87, 217)).write(to: good)
        try Data("\u{89}PNG\r\n".utf8).write(to: bad)

        let vendor = try RecurConfiguration.fromEnvironment(["RECUR_VENDOR_NAME": "Logo Co", "RECUR_VENDOR_LOGO": good.path]).vendorProfileWithLogo()
        let logo = try #require(vendor.logo)
        #expect(logo.width == 40 && logo.height == 20 && logo.samples.count == 2_400 && logo.samples.prefix(3) == Data([35, 87, 217]))
        for (path, why) in [(bad.path, "P6 or P5"), (dir.appendingPathComponent("none.ppm").path, "cannot read")] {
            do {
                _ = try RecurConfiguration.fromEnvironment(["RECUR_VENDOR_NAME": "Logo Co", "RECUR_VENDOR_LOGO": path]).vendorProfileWithLogo()
                Issue.record("\(path) accepted")
            } catch let e as ConfigurationError {
                #expect(e.variable == "RECUR_VENDOR_LOGO")
                #expect(e.message.contains(why))
            }
        }

        let (store, _) = try await TestDatabase.sqlite.makeStore()
        let service = RecurService(store: store, clock: ManualClock(testNow), vendor: vendor, logger: TestDatabase.logger)
        try await loadDemoData(service)
        let (saoMai, _) = try await demoCustomers(service)
        let invoice = try #require(try await buyWorkspace(service, saoMai.id).invoice)
        let pdf = try await service.invoicePDF(invoice.id)
        let text = String(decoding: pdf, as: UTF8.self)
        #expect(text.contains("/Subtype /Image") && text.contains("/Width 40") && text.contains("/Height 20"))
        let plain = try await RecurService(store: store, clock: ManualClock(testNow), vendor: .demo, logger: TestDatabase.logger).invoicePDF(invoice.id)
        let images = { (d: Data) in String(decoding: d, as: UTF8.self).components(separatedBy: "/Subtype /Image").count - 1 }
        #expect(images(pdf) == images(plain) + 1, "the logo is the one image more than the same invoice without it")
        #expect(!String(decoding: plain, as: UTF8.self).contains("/Width 40"))
        try await store.close()
    }
}
