import Foundation

/// Which commercial document is rendered.
public enum DocumentKind: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case invoice
    case creditNote
    case quote
}

/// The vendor or the customer, as printed.
public struct DocumentParty: Sendable, Equatable, Hashable {
    public var name: String
    public var addressLines: [String]
    public var taxID: String?
    public var emails: [String]
    /// Printed under the name (vendor: top-left of the first page), scaled to fit 150 × 54 pt.
    public var logo: PDFImage?

    public init(name: String, addressLines: [String] = [], taxID: String? = nil, emails: [String] = [], logo: PDFImage? = nil) {
        self.name = name
        self.addressLines = addressLines
        self.taxID = taxID
        self.emails = emails
        self.logo = logo
    }
}

/// One line of the table, every value already formatted for the customer's locale.
public struct DocumentLine: Sendable, Equatable, Hashable {
    public var description: String
    /// Service period ("01/01/2025 – 31/01/2025"), printed under the description.
    public var period: String?
    public var quantity: String
    public var unitPrice: String
    /// The discount column is shown when any line has one.
    public var discount: String?
    /// The tax column is shown when any line has one.
    public var taxRate: String?
    public var amount: String

    public init(description: String, period: String? = nil, quantity: String, unitPrice: String,
                discount: String? = nil, taxRate: String? = nil, amount: String) {
        self.description = description
        self.period = period
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.discount = discount
        self.taxRate = taxRate
        self.amount = amount
    }
}

/// A row of the totals block ("Subtotal", "VAT 10%", "Total").
public struct DocumentTotal: Sendable, Equatable, Hashable {
    public var label: String
    public var amount: String
    /// Bold rows are emphasised (the grand total / amount due); the last bold row is also shown
    /// in the highlighted box beside the customer's details.
    public var isBold: Bool

    public init(label: String, amount: String, isBold: Bool = false) {
        self.label = label
        self.amount = amount
        self.isBold = isBold
    }
}

/// A QR code to print with the payment instructions (e.g. the VietQR of a bank transfer):
/// `modules[row][column]` true is dark. The layout adds the quiet zone.
public struct DocumentQRCode: Sendable, Equatable, Hashable {
    public var modules: [[Bool]]
    public var caption: String?

    public init(modules: [[Bool]], caption: String? = nil) {
        self.modules = modules
        self.caption = caption
    }
}

/// Translatable headings and captions; keys of ``DocumentModel/labels``.
public enum DocumentLabel: String, Sendable, Equatable, Hashable, CaseIterable {
    case number
    case issueDate
    case dueDate
    case reference
    case billTo
    case taxID
    case email
    case description
    case quantity
    case unitPrice
    case discount
    case taxRate
    case amount
    case paymentInstructions
    case notes
    case page
    case continued

    /// English defaults, used for any key the model's labels lack.
    public var english: String {
        switch self {
        case .number: "No."
        case .issueDate: "Issue date"
        case .dueDate: "Due date"
        case .reference: "Reference"
        case .billTo: "Bill to"
        case .taxID: "Tax ID"
        case .email: "Email"
        case .description: "Description"
        case .quantity: "Qty"
        case .unitPrice: "Unit price"
        case .discount: "Discount"
        case .taxRate: "Tax"
        case .amount: "Amount"
        case .paymentInstructions: "Payment instructions"
        case .notes: "Notes"
        case .page: "Page"
        case .continued: "continued"
        }
    }

    /// Ready-made label sets for the languages Recur ships ("en", "vi", "fr", "ms", "ja"; Japanese
    /// needs a CJK fallback font such as IPA Gothic); other languages get English. Callers may override any entry.
    public static func defaults(language: String) -> [String: String] {
        let code = language.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? ""
        let table: [DocumentLabel: String]
        switch code {
        case "vi":
            table = [.number: "Số", .issueDate: "Ngày lập", .dueDate: "Hạn thanh toán", .reference: "Tham chiếu",
                     .billTo: "Khách hàng", .taxID: "MST", .email: "Email", .description: "Mô tả", .quantity: "SL",
                     .unitPrice: "Đơn giá", .discount: "Chiết khấu", .taxRate: "Thuế", .amount: "Thành tiền",
                     .paymentInstructions: "Hướng dẫn thanh toán", .notes: "Ghi chú", .page: "Trang", .continued: "tiếp theo"]
        case "fr":
            table = [.number: "N°", .issueDate: "Date d’émission", .dueDate: "Échéance", .reference: "Référence",
                     .billTo: "Facturé à", .taxID: "N° TVA", .email: "E-mail", .description: "Désignation", .quantity: "Qté",
                     .unitPrice: "Prix unitaire", .discount: "Remise", .taxRate: "TVA", .amount: "Montant",
                     .paymentInstructions: "Modalités de paiement", .notes: "Remarques", .page: "Page", .continued: "suite"]
        case "ms":
            table = [.number: "No.", .issueDate: "Tarikh", .dueDate: "Tarikh akhir", .reference: "Rujukan",
                     .billTo: "Dibilkan kepada", .taxID: "No. cukai", .email: "E-mel", .description: "Perihal", .quantity: "Kuantiti",
                     .unitPrice: "Harga seunit", .discount: "Diskaun", .taxRate: "Cukai", .amount: "Jumlah",
                     .paymentInstructions: "Arahan pembayaran", .notes: "Catatan", .page: "Halaman", .continued: "sambungan"]
        case "ja":
            table = [.number: "番号", .issueDate: "発行日", .dueDate: "お支払期限", .reference: "参照", .billTo: "請求先",
                     .taxID: "登録番号", .email: "メール", .description: "品目", .quantity: "数量", .unitPrice: "単価",
                     .discount: "値引", .taxRate: "税率", .amount: "金額", .paymentInstructions: "お支払い方法",
                     .notes: "備考", .page: "ページ", .continued: "続き"]
        default:
            table = [:]
        }
        var result: [String: String] = [:]
        for label in DocumentLabel.allCases { result[label.rawValue] = table[label] ?? label.english }
        return result
    }
}

/// Everything printed on an invoice, credit note or quote, already formatted and translated:
/// the renderer does no number, date or currency formatting and needs nothing from the domain.
public struct DocumentModel: Sendable, Equatable, Hashable {
    public var kind: DocumentKind
    /// "HÓA ĐƠN GTGT", "Invoice", "Avoir"…; empty → a default for the kind.
    public var title: String
    public var number: String
    public var issueDate: String
    /// Due date (invoice), or "valid until" for a quote with labels["dueDate"] set accordingly.
    public var dueDate: String?
    /// E.g. the invoice a credit note refers to.
    public var reference: String?
    public var vendor: DocumentParty
    public var customer: DocumentParty
    public var lines: [DocumentLine]
    public var totals: [DocumentTotal]
    public var paymentInstructions: [String]
    public var qrCode: DocumentQRCode?
    public var notes: [String]
    public var footer: String?
    /// Headings keyed by ``DocumentLabel`` raw values; missing keys fall back to English.
    public var labels: [String: String]
    /// BCP 47 language of the text ("vi-VN"), recorded in the PDF for accessibility.
    public var language: String?

    public init(kind: DocumentKind, title: String, number: String, issueDate: String, dueDate: String? = nil,
                reference: String? = nil, vendor: DocumentParty, customer: DocumentParty, lines: [DocumentLine],
                totals: [DocumentTotal], paymentInstructions: [String] = [], qrCode: DocumentQRCode? = nil,
                notes: [String] = [], footer: String? = nil, labels: [String: String] = [:], language: String? = nil) {
        self.kind = kind
        self.title = title
        self.number = number
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.reference = reference
        self.vendor = vendor
        self.customer = customer
        self.lines = lines
        self.totals = totals
        self.paymentInstructions = paymentInstructions
        self.qrCode = qrCode
        self.notes = notes
        self.footer = footer
        self.labels = labels
        self.language = language
    }

    /// The label for a key: the model's translation, else English.
    public func label(_ key: DocumentLabel) -> String {
        if let value = labels[key.rawValue], !value.isEmpty { return value }
        return key.english
    }

    /// The title, or a default for the kind when empty.
    public var displayTitle: String {
        if !title.trimmingCharacters(in: .whitespaces).isEmpty { return title }
        switch kind {
        case .invoice: return "Invoice"
        case .creditNote: return "Credit note"
        case .quote: return "Quote"
        }
    }
}
