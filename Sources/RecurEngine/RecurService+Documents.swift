public import Foundation
public import RecurCore
import RecurDocuments
import RecurPayments

/// Who issues the documents: printed at the top of every invoice.
public struct VendorProfile: Sendable {
    public var name: String
    public var addressLines: [String]
    public var taxID: String?
    public var email: String?
    public var footer: String?
    public init(name: String, addressLines: [String], taxID: String? = nil, email: String? = nil, footer: String? = nil) {
        self.name = name
        self.addressLines = addressLines
        self.taxID = taxID
        self.email = email
        self.footer = footer
    }

    public static let demo = VendorProfile(name: "Recur Demo Software JSC", addressLines: ["12 Nguyễn Huệ, Quận 1", "TP. Hồ Chí Minh, Việt Nam"],
                                           taxID: "0319999999", email: "billing@recur.example", footer: "Recur Demo Software JSC · billing@recur.example")
}

/// The words documents print, in each language (DejaVu has no CJK glyphs: Japanese gets English).
enum DocumentWords {
    static let words: [String: [String: String]] = [
        "invoice": ["vi": "HÓA ĐƠN", "fr": "Facture", "ms": "Invois", "en": "Invoice", "ja": "Invoice"],
        "receipt": ["vi": "BIÊN LAI THU TIỀN", "fr": "Reçu", "ms": "Resit", "en": "Receipt", "ja": "Receipt"],
        "paymentFor": ["vi": "Thanh toán hóa đơn", "fr": "Paiement de la facture", "ms": "Bayaran invois", "en": "Payment of invoice", "ja": "Payment of invoice"],
        "received": ["vi": "Số tiền đã nhận", "fr": "Montant reçu", "ms": "Jumlah diterima", "en": "Amount received", "ja": "Amount received"],
        "applied": ["vi": "Trừ vào hóa đơn", "fr": "Imputé sur la facture", "ms": "Dikenakan pada invois", "en": "Applied to the invoice", "ja": "Applied to the invoice"],
        "toBalance": ["vi": "Chuyển vào số dư", "fr": "Porté au crédit du compte", "ms": "Ke baki akaun", "en": "Credited to the balance", "ja": "Credited to the balance"],
        "refunded": ["vi": "Đã hoàn tiền", "fr": "Remboursé", "ms": "Dikembalikan", "en": "Refunded", "ja": "Refunded"],
        "method": ["vi": "Hình thức", "fr": "Moyen de paiement", "ms": "Kaedah", "en": "Method", "ja": "Method"],
        "subtotal": ["vi": "Cộng tiền hàng", "fr": "Total HT", "ms": "Jumlah kecil", "en": "Subtotal", "ja": "Subtotal"],
        "discount": ["vi": "Chiết khấu", "fr": "Remises", "ms": "Diskaun", "en": "Discounts", "ja": "Discounts"],
        "tax": ["vi": "Thuế GTGT", "fr": "TVA", "ms": "Cukai", "en": "Tax", "ja": "Tax"],
        "total": ["vi": "Tổng cộng", "fr": "Total TTC", "ms": "Jumlah", "en": "Total", "ja": "Total"],
        "paid": ["vi": "Đã thanh toán", "fr": "Déjà payé", "ms": "Telah dibayar", "en": "Paid", "ja": "Paid"],
        "due": ["vi": "Còn phải trả", "fr": "Montant dû", "ms": "Baki perlu dibayar", "en": "Amount due", "ja": "Amount due"],
        "transfer": ["vi": "Chuyển khoản đến", "fr": "Virement à", "ms": "Pindahan ke", "en": "Transfer to", "ja": "Transfer to"],
        "account": ["vi": "Số tài khoản", "fr": "Compte", "ms": "No. akaun", "en": "Account", "ja": "Account"],
        "content": ["vi": "Nội dung chuyển khoản", "fr": "Libellé du virement", "ms": "Rujukan pindahan", "en": "Transfer reference", "ja": "Transfer reference"],
        "scan": ["vi": "Quét mã VietQR bằng ứng dụng ngân hàng", "fr": "Scannez le code VietQR avec votre banque", "ms": "Imbas kod VietQR dengan aplikasi bank",
                 "en": "Scan the VietQR code with a banking app", "ja": "Scan the VietQR code with a banking app"],
        "thanks": ["vi": "Đã thanh toán đủ. Cảm ơn quý khách!", "fr": "Facture acquittée. Merci !", "ms": "Telah dibayar sepenuhnya. Terima kasih!",
                   "en": "Paid in full. Thank you!", "ja": "Paid in full. Thank you!"],
    ]

    static func word(_ key: String, _ lang: String) -> String { words[key]?[lang] ?? words[key]?["en"] ?? key }
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
        let lines = invoice.lines.map { l in
            DocumentLine(description: l.description,
                         period: l.period.map { "\(LocaleFormat.date($0.start, locale: lang)) – \(LocaleFormat.date($0.inclusiveEnd, locale: lang))" },
                         quantity: LocaleFormat.integer(Int64(l.quantity), locale: lang), unitPrice: money(l.unitAmount),
                         discount: l.discounts.isEmpty ? nil : money(l.discounts.reduce(Money.zero(l.amount.currency)) { (try? $0 - $1.amount) ?? $0 }),
                         taxRate: l.taxRate.map { LocaleFormat.percentage($0, locale: lang) }, amount: money(l.net))
        }
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
        let vendor = self.vendor
        let model = DocumentModel(
            kind: .invoice, title: DocumentWords.word("invoice", lang), number: invoice.number ?? invoice.id,
            issueDate: LocaleFormat.date(invoice.issueDate, locale: lang), dueDate: LocaleFormat.date(invoice.dueDate, locale: lang),
            vendor: DocumentParty(name: vendor.name, addressLines: vendor.addressLines, taxID: vendor.taxID, emails: vendor.email.map { [$0] } ?? []),
            customer: DocumentParty(name: customer.name, addressLines: customer.address.map { $0.split(separator: "\n").map(String.init) } ?? [],
                                    taxID: customer.taxID, emails: customer.invoiceEmails),
            lines: lines, totals: totals, paymentInstructions: instructions, qrCode: qr, footer: vendor.footer,
            labels: DocumentLabel.defaults(language: lang), language: lang)
        do {
            return try DocumentRenderer().render(model, creationDate: clock.now()).data
        } catch {
            throw RecurError(.documentUnavailable, field: "id", "The PDF could not be made: \(error.message)", ["code": .text(error.code)])
        }
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
        let vendor = self.vendor
        let model = DocumentModel(
            kind: .invoice, title: DocumentWords.word("receipt", lang), number: payment.number,
            issueDate: LocaleFormat.date(payment.receivedOn, locale: lang), reference: invoice?.number,
            vendor: DocumentParty(name: vendor.name, addressLines: vendor.addressLines, taxID: vendor.taxID, emails: vendor.email.map { [$0] } ?? []),
            customer: DocumentParty(name: customer.name, addressLines: customer.address.map { $0.split(separator: "\n").map(String.init) } ?? [],
                                    taxID: customer.taxID, emails: customer.invoiceEmails),
            lines: [DocumentLine(description: what, period: how, quantity: "1", unitPrice: money(payment.amount), amount: money(payment.amount))],
            totals: totals, paymentInstructions: payment.note.map { [$0] } ?? [], footer: vendor.footer,
            labels: DocumentLabel.defaults(language: lang), language: lang)
        do {
            return try DocumentRenderer().render(model, creationDate: clock.now()).data
        } catch {
            throw RecurError(.documentUnavailable, field: "id", "The PDF could not be made: \(error.message)", ["code": .text(error.code)])
        }
    }
}
