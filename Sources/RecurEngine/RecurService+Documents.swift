public import Foundation
public import RecurCore
public import RecurDocuments
import RecurPayments
import Synchronization

/// Who issues the documents: printed at the top of every invoice.
public struct VendorProfile: Sendable {
    public var name: String
    public var addressLines: [String]
    public var taxID: String?
    public var email: String?
    public var footer: String?
    /// Drawn at the top left of every document.
    public var logo: PDFImage?
    public init(name: String, addressLines: [String], taxID: String? = nil, email: String? = nil, footer: String? = nil, logo: PDFImage? = nil) {
        self.logo = logo
        self.name = name
        self.addressLines = addressLines
        self.taxID = taxID
        self.email = email
        self.footer = footer
    }

    public static let demo = VendorProfile(name: "Recur Demo Software JSC", addressLines: ["12 Nguyễn Huệ, Quận 1", "TP. Hồ Chí Minh, Việt Nam"],
                                           taxID: "0319999999", email: "billing@recur.example", footer: "Recur Demo Software JSC · billing@recur.example")
}

/// The words documents print, in each language (Japanese needs the CJK fallback font, IPA
/// Gothic by default: see `DocumentFontConfiguration`).
enum DocumentWords {
    static let words: [String: [String: String]] = [
        "invoice": ["vi": "HÓA ĐƠN", "fr": "Facture", "ms": "Invois", "en": "Invoice", "ja": "請求書"],
        "receipt": ["vi": "BIÊN LAI THU TIỀN", "fr": "Reçu", "ms": "Resit", "en": "Receipt", "ja": "領収書"],
        "creditNote": ["vi": "GIẤY BÁO CÓ", "fr": "Avoir", "ms": "Nota kredit", "en": "Credit note", "ja": "クレジットノート"],
        "quote": ["vi": "BÁO GIÁ", "fr": "Devis", "ms": "Sebut harga", "en": "Quote", "ja": "見積書"],
        "validUntil": ["vi": "Hiệu lực đến", "fr": "Valable jusqu’au", "ms": "Sah sehingga", "en": "Valid until", "ja": "有効期限"],
        "creditFor": ["vi": "Ghi có cho hóa đơn", "fr": "Avoir sur la facture", "ms": "Kredit untuk invois", "en": "Credit against invoice",
                      "ja": "請求書に対するクレジット"],
        "credited": ["vi": "Số tiền ghi có", "fr": "Montant de l’avoir", "ms": "Jumlah dikreditkan", "en": "Amount credited", "ja": "クレジット金額"],
        "reducedAmountDue": ["vi": "Đã trừ vào số tiền còn phải trả của hóa đơn", "fr": "Déduit du montant dû de la facture",
                             "ms": "Ditolak daripada baki invois", "en": "Deducted from the amount due on the invoice",
                             "ja": "請求書の未払額から差し引きました"],
        "customerBalance": ["vi": "Đã cộng vào số dư tài khoản của quý khách", "fr": "Porté au crédit de votre compte",
                            "ms": "Dikreditkan ke baki akaun anda", "en": "Credited to your account balance",
                            "ja": "お客様のアカウント残高に充当しました"],
        "refund": ["vi": "Sẽ được hoàn lại cho quý khách", "fr": "Vous sera remboursé", "ms": "Akan dikembalikan kepada anda",
                   "en": "To be refunded to you", "ja": "お客様へ返金いたします"],
        "paymentFor": ["vi": "Thanh toán hóa đơn", "fr": "Paiement de la facture", "ms": "Bayaran invois", "en": "Payment of invoice", "ja": "請求書のお支払い"],
        "received": ["vi": "Số tiền đã nhận", "fr": "Montant reçu", "ms": "Jumlah diterima", "en": "Amount received", "ja": "受領金額"],
        "applied": ["vi": "Trừ vào hóa đơn", "fr": "Imputé sur la facture", "ms": "Dikenakan pada invois", "en": "Applied to the invoice", "ja": "請求書への充当額"],
        "toBalance": ["vi": "Chuyển vào số dư", "fr": "Porté au crédit du compte", "ms": "Ke baki akaun", "en": "Credited to the balance", "ja": "残高への繰越額"],
        "refunded": ["vi": "Đã hoàn tiền", "fr": "Remboursé", "ms": "Dikembalikan", "en": "Refunded", "ja": "返金済み"],
        "method": ["vi": "Hình thức", "fr": "Moyen de paiement", "ms": "Kaedah", "en": "Method", "ja": "支払方法"],
        "subtotal": ["vi": "Cộng tiền hàng", "fr": "Total HT", "ms": "Jumlah kecil", "en": "Subtotal", "ja": "小計"],
        "discount": ["vi": "Chiết khấu", "fr": "Remises", "ms": "Diskaun", "en": "Discounts", "ja": "値引"],
        "tax": ["vi": "Thuế GTGT", "fr": "TVA", "ms": "Cukai", "en": "Tax", "ja": "消費税"],
        "total": ["vi": "Tổng cộng", "fr": "Total TTC", "ms": "Jumlah", "en": "Total", "ja": "合計"],
        "paid": ["vi": "Đã thanh toán", "fr": "Déjà payé", "ms": "Telah dibayar", "en": "Paid", "ja": "お支払済み"],
        "due": ["vi": "Còn phải trả", "fr": "Montant dû", "ms": "Baki perlu dibayar", "en": "Amount due", "ja": "ご請求残高"],
        "transfer": ["vi": "Chuyển khoản đến", "fr": "Virement à", "ms": "Pindahan ke", "en": "Transfer to", "ja": "振込先"],
        "account": ["vi": "Số tài khoản", "fr": "Compte", "ms": "No. akaun", "en": "Account", "ja": "口座番号"],
        "content": ["vi": "Nội dung chuyển khoản", "fr": "Libellé du virement", "ms": "Rujukan pindahan", "en": "Transfer reference", "ja": "振込参照番号"],
        "scan": ["vi": "Quét mã VietQR bằng ứng dụng ngân hàng", "fr": "Scannez le code VietQR avec votre banque", "ms": "Imbas kod VietQR dengan aplikasi bank",
                 "en": "Scan the VietQR code with a banking app", "ja": "銀行アプリでVietQRコードを読み取ってください"],
        "thanks": ["vi": "Đã thanh toán đủ. Cảm ơn quý khách!", "fr": "Facture acquittée. Merci !", "ms": "Telah dibayar sepenuhnya. Terima kasih!",
                   "en": "Paid in full. Thank you!", "ja": "全額お支払いいただきました。ありがとうございました。"],
        "quoteLine": ["vi": "{plan} — {users} người dùng × {price}, mỗi tháng", "fr": "{plan} — {users} utilisateurs × {price}, par mois",
                      "ms": "{plan} — {users} pengguna × {price}, sebulan", "en": "{plan} — {users} users × {price}, per month",
                      "ja": "{plan} — {users}ユーザー × {price}（月額）"],
        "monthlyTotal": ["vi": "Tổng cộng mỗi tháng", "fr": "Total TTC par mois", "ms": "Jumlah sebulan", "en": "Total per month", "ja": "月額合計"],
        "contractLength": ["vi": "Thời hạn hợp đồng: {months} tháng", "fr": "Durée du contrat : {months} mois", "ms": "Tempoh kontrak: {months} bulan",
                           "en": "Contract length: {months} months", "ja": "契約期間：{months}か月"],
        "inArrears": ["vi": "Thanh toán hằng tháng vào cuối kỳ theo số người dùng thực tế, hạn thanh toán vào cuối tháng kế tiếp.",
                      "fr": "Facturé chaque mois à terme échu selon le nombre réel d’utilisateurs, payable à la fin du mois suivant.",
                      "ms": "Dibilkan setiap bulan secara tertunggak mengikut bilangan pengguna sebenar, perlu dibayar pada akhir bulan berikutnya.",
                      "en": "Billed monthly in arrears by the real user count, due at the end of the following month.",
                      "ja": "実際のユーザー数に基づき毎月後払いで請求し、お支払期限は翌月末です。"],
        "eventLine": ["vi": "{plan} — {hours} giờ × {price}, sự kiện ngày {date}", "fr": "{plan} — {hours} heures × {price}, événement du {date}",
                      "ms": "{plan} — {hours} jam × {price}, acara pada {date}", "en": "{plan} — {hours} hours × {price}, event on {date}",
                      "ja": "{plan} — {hours}時間 × {price}（イベント開催日 {date}）"],
        "perMonthLine": ["vi": "{plan}, mỗi tháng", "fr": "{plan}, par mois", "ms": "{plan}, sebulan", "en": "{plan}, per month", "ja": "{plan}（月額）"],
        "perYearLine": ["vi": "{plan}, mỗi năm (trả một lần)", "fr": "{plan}, par an (en une fois)", "ms": "{plan}, setahun (sekali bayar)",
                        "en": "{plan}, per year (in one sum)", "ja": "{plan}（年額・一括）"],
        "inAdvance": ["vi": "Xuất hóa đơn vào đầu mỗi kỳ thanh toán.", "fr": "Facturé au début de chaque période de paiement.",
                      "ms": "Diinvois pada permulaan setiap kitaran pembayaran.", "en": "Invoiced at the start of each payment cycle.",
                      "ja": "各支払期間の初めに請求します。"],
        "eventTerms": ["vi": "Xuất hóa đơn một lần theo hợp đồng riêng, hạn thanh toán một ngày trước sự kiện.",
                       "fr": "Facturé une seule fois sous son propre contrat, payable la veille de l’événement.",
                       "ms": "Diinvois sekali di bawah kontraknya sendiri, perlu dibayar sehari sebelum acara.",
                       "en": "Invoiced once under its own contract, due the day before the event.",
                       "ja": "専用の契約に基づき1回請求し、お支払期限はイベント前日です。"],
    ]

    static func word(_ key: String, _ lang: String) -> String { words[key]?[lang] ?? words[key]?["en"] ?? key }

    /// The word with its `{name}` placeholders filled.
    static func word(_ key: String, _ lang: String, _ values: [String: String]) -> String {
        values.reduce(word(key, lang)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}

extension RecurService {
    /// The invoice as a PDF in its customer's language, with the bank-transfer
    /// instructions and VietQR code of its payment code while it is open.
    public func invoicePDF(_ id: String) async throws -> Data {
        let (invoice, customer) = try await read { tx in
            guard let i = try await tx.find(InvoiceRecord.self, id: id) else { throw RecurError.notFound("invoice", id) }
            return (i, try await self.requireCustomer(tx, i.customer))
        }
        var transfer: TransferInstructions?
        if invoice.status == .open, invoice.amountDue.isPositive, payments.bankTransfer != nil {
            transfer = try? await startPayment(invoice: id, gateway: "bank_transfer", returnURL: nil, clientIP: nil, actor: .system).transfer
        }
        let lang = LocaleFormat.language(customer.locale)
        func money(_ m: Money) -> String { LocaleFormat.money(m, locale: lang) }
        let lines = Self.documentLines(invoice.lines, lang)
        var totals = [DocumentTotal(label: DocumentWords.word("subtotal", lang), amount: money(invoice.totals.net))]
        totals.append(DocumentTotal(label: DocumentWords.word("tax", lang), amount: money(invoice.totals.tax)))
        totals.append(DocumentTotal(label: DocumentWords.word("total", lang), amount: money(invoice.totals.total), isBold: invoice.amountPaid.isZero))
        if invoice.amountPaid.isPositive {
            totals.append(DocumentTotal(label: DocumentWords.word("paid", lang), amount: money(invoice.amountPaid)))
            totals.append(DocumentTotal(label: DocumentWords.word("due", lang), amount: money(invoice.amountDue), isBold: true))
        }
        var instructions: [String] = []
        var qr: DocumentQRCode?
        if let t = transfer {
            instructions = ["\(DocumentWords.word("transfer", lang)): \(t.bankName) — \(t.accountName)",
                            "\(DocumentWords.word("account", lang)): \(t.accountNumber)",
                            "\(DocumentWords.word("content", lang)): \(t.paymentCode)",
                            "\(DocumentWords.word("due", lang)): \(money(t.amount))"]
            if let payload = t.vietQR, let code = try? QRCode(text: payload, errorCorrection: .medium) {
                instructions.append(DocumentWords.word("scan", lang))
                qr = DocumentQRCode(modules: code.modules, caption: "VietQR · \(money(t.amount))")
            }
        } else if invoice.status == .paid {
            instructions = [DocumentWords.word("thanks", lang)]
        }
        let model = DocumentModel(
            kind: .invoice, title: DocumentWords.word("invoice", lang), number: invoice.number ?? invoice.id,
            issueDate: LocaleFormat.date(invoice.issueDate, locale: lang), dueDate: LocaleFormat.date(invoice.dueDate, locale: lang),
            vendor: vendorParty, customer: Self.documentParty(customer),
            lines: lines, totals: totals, paymentInstructions: instructions, qrCode: qr, footer: vendor.footer,
            labels: DocumentLabel.defaults(language: lang), language: lang)
        return try renderDocument(model)
    }

    /// A payment's receipt as a PDF in the customer's language: what was received, by
    /// which method and reference, what paid the invoice and what went to the balance.
    public func receiptPDF(_ id: String) async throws -> Data {
        let (payment, customer, invoice) = try await read { tx in
            guard let p = try await tx.find(PaymentRecord.self, id: id) else { throw RecurError.notFound("payment", id) }
            let invoice = try await p.invoice.asyncMap { try await tx.find(InvoiceRecord.self, id: $0) } ?? nil
            return (p, try await self.requireCustomer(tx, p.customer), invoice)
        }
        let lang = LocaleFormat.language(customer.locale)
        func money(_ m: Money) -> String { LocaleFormat.money(m, locale: lang) }
        let what = "\(DocumentWords.word("paymentFor", lang)) \(invoice?.number ?? payment.invoice ?? "")"
        let how = "\(DocumentWords.word("method", lang)): \(payment.method)" + (payment.reference.map { " · \($0)" } ?? "")
        var totals = [DocumentTotal(label: DocumentWords.word("received", lang), amount: money(payment.amount), isBold: true),
                      DocumentTotal(label: DocumentWords.word("applied", lang), amount: money(payment.applied))]
        if let excess = try? payment.amount - payment.applied, excess.isPositive {
            totals.append(DocumentTotal(label: DocumentWords.word("toBalance", lang), amount: money(excess)))
        }
        if let refunds = payment.refunds, !refunds.isEmpty, let refunded = try? payment.amount - payment.refundable {
            totals.append(DocumentTotal(label: DocumentWords.word("refunded", lang), amount: money(refunded)))
        }
        let model = DocumentModel(
            kind: .invoice, title: DocumentWords.word("receipt", lang), number: payment.number,
            issueDate: LocaleFormat.date(payment.receivedOn, locale: lang), reference: invoice?.number,
            vendor: vendorParty, customer: Self.documentParty(customer),
            lines: [DocumentLine(description: what, period: how, quantity: "1", unitPrice: money(payment.amount), amount: money(payment.amount))],
            totals: totals, paymentInstructions: payment.note.map { [$0] } ?? [], footer: vendor.footer,
            labels: DocumentLabel.defaults(language: lang), language: lang)
        return try renderDocument(model)
    }

    /// A credit note as a PDF in its customer's language: the invoice it credits, the
    /// reason, the amount and what became of it (less due, to the balance, refunded).
    public func creditNotePDF(_ id: String) async throws -> Data {
        let (note, customer, invoice) = try await read { tx in
            guard let n = try await tx.find(CreditNoteRecord.self, id: id) else { throw RecurError.notFound("credit_note", id) }
            return (n, try await self.requireCustomer(tx, n.customer), try await tx.find(InvoiceRecord.self, id: n.invoice))
        }
        let lang = LocaleFormat.language(customer.locale)
        let amount = LocaleFormat.money(note.amount, locale: lang)
        let invoiceNumber = invoice?.number ?? note.invoice
        let outcome = DocumentWords.word(note.outcome == .reducedAmountDue ? "reducedAmountDue" : note.outcome == .refund ? "refund" : "customerBalance", lang)
        let model = DocumentModel(
            kind: .creditNote, title: DocumentWords.word("creditNote", lang), number: note.number,
            issueDate: LocaleFormat.date(note.issueDate, locale: lang), reference: invoiceNumber,
            vendor: vendorParty, customer: Self.documentParty(customer),
            lines: [DocumentLine(description: "\(DocumentWords.word("creditFor", lang)) \(invoiceNumber)", period: note.reason,
                                 quantity: LocaleFormat.integer(1, locale: lang), unitPrice: amount, amount: amount)],
            totals: [DocumentTotal(label: DocumentWords.word("credited", lang), amount: amount, isBold: true)],
            notes: [outcome], footer: vendor.footer, labels: DocumentLabel.defaults(language: lang), language: lang)
        return try renderDocument(model)
    }

    /// How long a quote PDF's prices hold.
    public static let quoteValidityDays = 30

    /// An order priced by ``quote(customer:order:date:)`` as a quote PDF in the customer's
    /// language: its lines, totals and a validity date ``quoteValidityDays`` after the quote's.
    /// Nothing is written.
    public func quotePDF(customer id: String, order: Order, date: CivilDate?) async throws -> Data {
        let quote = try await self.quote(customer: id, order: order, date: date)
        let customer = try await read { tx in try await self.requireCustomer(tx, id) }
        let lang = LocaleFormat.language(customer.locale)
        func money(_ m: Money) -> String { LocaleFormat.money(m, locale: lang) }
        var labels = DocumentLabel.defaults(language: lang)
        labels[DocumentLabel.dueDate.rawValue] = DocumentWords.word("validUntil", lang)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let number = "Q-\(quote.date.year)\(two(quote.date.month))\(two(quote.date.day))-" + customer.id.suffix(6).uppercased()
        let model = DocumentModel(
            kind: .quote, title: DocumentWords.word("quote", lang), number: number,
            issueDate: LocaleFormat.date(quote.date, locale: lang),
            dueDate: LocaleFormat.date(quote.date.adding(days: Self.quoteValidityDays), locale: lang),
            vendor: vendorParty, customer: Self.documentParty(customer), lines: Self.documentLines(quote.lines, lang),
            totals: [DocumentTotal(label: DocumentWords.word("subtotal", lang), amount: money(quote.totals.net)),
                     DocumentTotal(label: DocumentWords.word("tax", lang), amount: money(quote.totals.tax)),
                     DocumentTotal(label: DocumentWords.word("total", lang), amount: money(quote.totals.total), isBold: true)],
            notes: quote.notices.map(\.message), footer: vendor.footer, labels: labels, language: lang)
        return try renderDocument(model)
    }

    /// An Enterprise deal's quote (000) as a PDF in the customer's language, in the layout of
    /// ``quotePDF(customer:order:date:)``: the quote number and validity, one line of users ×
    /// the monthly price per user, the tax of the customer's country on it (none for a
    /// tax-exempt customer; an inclusive rate is shown as included), the monthly total, the
    /// contract length and the in-arrears billing terms. Nothing is written.
    ///
    /// For example, 60 users of Enterprise at ¥3,000 for Hoshi (JP, tax included):
    /// ```swift
    /// let pdf = try await service.dealQuotePDF(deal.id) // QUO-2026-000001 · ¥180,000 a month
    /// ```
    /// - throws: `resource.not_found` (404) for an unknown deal; `deal.wrong_stage` (409)
    ///   for a deal that has no quote yet.
    public func dealQuotePDF(_ dealID: String) async throws -> Data {
        let (deal, customer, catalog) = try await read { tx in
            guard let d = try await tx.find(DealRecord.self, id: dealID) else { throw RecurError.notFound("deal", dealID) }
            return (d, try await self.requireCustomer(tx, d.customer), try await self.loadCatalog(tx))
        }
        guard let number = deal.quoteNumber, let monthly = deal.quoteMonthly ?? deal.quoteOnce ?? deal.quoteCycle, let validUntil = deal.quoteValidUntil, deal.users > 0 else {
            throw RecurError(.dealWrongStage, field: "id", "Deal \(dealID) has no quote yet (stage \(deal.stage.rawValue))",
                             ["stage": .text(deal.stage.rawValue), "action": .text("quote_pdf")])
        }
        let lang = LocaleFormat.language(customer.locale)
        func money(_ m: Money) -> String { LocaleFormat.money(m, locale: lang) }
        let plan = catalog.plans[deal.plan]
        // A plan billed in advance (Small, Premium) is quoted per payment cycle, per user only when priced per seat.
        let inAdvance = deal.quoteCycle != nil
        let units = inAdvance && plan?.isPerSeat != true ? 1 : deal.users
        // The price per user as quoted (the monthly amount is users × it), not today's catalog price.
        let perUser = Money(minorUnits: monthly.minorUnits / Int64(units), currency: monthly.currency)
        let charge = deal.charge.flatMap { catalog.charges[$0] }
        let category = charge?.taxCategory ?? plan.flatMap { catalog.products[$0.product] }?.taxCategory ?? .standard
        let rate = customer.taxExempt ? nil : catalog.taxRate(country: customer.country, category: category)
        let tax = try rate.map { try $0.tax(on: monthly) } ?? .zero(monthly.currency)
        let total = try rate?.inclusive == false ? monthly + tax : monthly
        let quotedOn = deal.history.last { $0.action == DealAction.sendQuote.name }.map { today(for: customer, at: $0.at) }
            ?? validUntil.adding(days: -Self.quoteValidityDays)
        var labels = DocumentLabel.defaults(language: lang)
        labels[DocumentLabel.dueDate.rawValue] = DocumentWords.word("validUntil", lang)
        // An event plan's quote (000) is hours × the hourly price, paid once; an Enterprise quote is per month.
        let tierName = plan?.tiers.first { $0.id == deal.tier }?.name
        let planName = [plan?.name ?? deal.plan.rawValue, tierName].compactMap { $0 }.joined(separator: " · ")
        let description = inAdvance
            ? DocumentWords.word(deal.paymentMonths == 12 ? "perYearLine" : "perMonthLine", lang, ["plan": planName])
            : deal.isEvent
            ? DocumentWords.word("eventLine", lang, ["plan": charge?.name ?? deal.charge?.rawValue ?? "", "hours": LocaleFormat.integer(Int64(deal.users), locale: lang),
                                                     "price": money(perUser), "date": deal.eventDate.map { LocaleFormat.date($0, locale: lang) } ?? ""])
            : DocumentWords.word("quoteLine", lang, ["plan": plan?.name ?? deal.plan.rawValue, "users": LocaleFormat.integer(Int64(deal.users), locale: lang),
                                                     "price": money(perUser)])
        let line = DocumentLine(
            description: description,
            quantity: LocaleFormat.integer(Int64(units), locale: lang), unitPrice: money(perUser),
            taxRate: rate.map { LocaleFormat.percentage($0.rate, locale: lang) }, amount: money(monthly))
        let model = DocumentModel(
            kind: .quote, title: DocumentWords.word("quote", lang), number: number,
            issueDate: LocaleFormat.date(quotedOn, locale: lang), dueDate: LocaleFormat.date(validUntil, locale: lang),
            vendor: vendorParty, customer: Self.documentParty(customer), lines: [line],
            totals: [DocumentTotal(label: DocumentWords.word("subtotal", lang), amount: money(monthly)),
                     DocumentTotal(label: DocumentWords.word("tax", lang), amount: money(tax)),
                     DocumentTotal(label: DocumentWords.word(deal.isEvent || deal.paymentMonths == 12 ? "total" : "monthlyTotal", lang), amount: money(total), isBold: true)],
            notes: deal.isEvent ? [DocumentWords.word("eventTerms", lang)]
                : inAdvance ? [DocumentWords.word("contractLength", lang, ["months": LocaleFormat.integer(Int64(deal.contractMonths), locale: lang)]),
                               DocumentWords.word("inAdvance", lang)]
                : [DocumentWords.word("contractLength", lang, ["months": LocaleFormat.integer(Int64(deal.contractMonths), locale: lang)]),
                   DocumentWords.word("inArrears", lang)],
            footer: vendor.footer, labels: labels, language: lang)
        return try renderDocument(model)
    }

    // MARK: - Shared

    var vendorParty: DocumentParty {
        DocumentParty(name: vendor.name, addressLines: vendor.addressLines, taxID: vendor.taxID, emails: vendor.email.map { [$0] } ?? [], logo: vendor.logo)
    }

    static func documentParty(_ customer: CustomerRecord) -> DocumentParty {
        DocumentParty(name: customer.name, addressLines: customer.address.map { $0.split(separator: "\n").map(String.init) } ?? [],
                      taxID: customer.taxID, emails: customer.invoiceEmails)
    }

    static func documentLines(_ lines: [InvoiceLine], _ lang: String) -> [DocumentLine] {
        func money(_ m: Money) -> String { LocaleFormat.money(m, locale: lang) }
        return lines.map { l in
            DocumentLine(description: l.description,
                         period: l.period.map { "\(LocaleFormat.date($0.start, locale: lang)) – \(LocaleFormat.date($0.inclusiveEnd, locale: lang))" },
                         quantity: LocaleFormat.integer(Int64(l.quantity), locale: lang), unitPrice: money(l.unitAmount),
                         discount: l.discounts.isEmpty ? nil : money(l.discounts.reduce(Money.zero(l.amount.currency)) { (try? $0 - $1.amount) ?? $0 }),
                         taxRate: l.taxRate.map { LocaleFormat.percentage($0, locale: lang) }, amount: money(l.net))
        }
    }

    /// The renderer for ``documentFonts``, loaded (fonts read and parsed) on first use and kept.
    func documentRenderer() throws(DocumentError) -> DocumentRenderer {
        if let loaded = renderer.withLock({ $0 }) { return loaded }
        let loaded = try DocumentRenderer(fonts: documentFonts)
        renderer.withLock { $0 = loaded }
        return loaded
    }

    func renderDocument(_ model: DocumentModel) throws -> Data {
        do {
            return try documentRenderer().render(model, creationDate: clock.now()).data
        } catch {
            throw RecurError(.documentUnavailable, field: "id", "The PDF could not be made: \(error.message)", ["code": .text(error.code)])
        }
    }
}
