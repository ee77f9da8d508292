import Foundation

@testable import RecurDocuments

/// Models for the layout tests, formatted as the domain would format them.
enum DocumentSamples {
    /// A QR-shaped matrix (finder patterns, timing lines, pseudo-random data) — not a decodable
    /// code: the VietQR encoder lives in RecurPayments; the renderer only draws modules.
    static func qrMatrix(size: Int = 29, seed: UInt64 = 7) -> [[Bool]] {
        var modules = [[Bool]](repeating: [Bool](repeating: false, count: size), count: size)
        var state = seed
        for row in 0..<size {
            for column in 0..<size {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                modules[row][column] = (state >> 33) & 1 == 1
            }
        }
        for (top, leftEdge) in [(0, 0), (0, size - 7), (size - 7, 0)] {
            for row in -1...7 {
                for column in -1...7 {
                    let r = top + row, c = leftEdge + column
                    guard r >= 0, r < size, c >= 0, c < size else { continue }
                    let ring = max(abs(row - 3), abs(column - 3))
                    modules[r][c] = ring == 3 || ring <= 1
                }
            }
        }
        for index in 8..<(size - 8) {
            modules[6][index] = index % 2 == 0
            modules[index][6] = index % 2 == 0
        }
        return modules
    }

    /// A 160 × 48 RGB logo: a rounded accent square with a white "S" bar pattern and a grey word mark.
    static func logo() -> PDFImage {
        let width = 160, height = 48
        var samples = Data(capacity: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                var pixel: [UInt8] = [255, 255, 255]
                if x < 48 {
                    let dx = Double(min(x, 47 - x)), dy = Double(min(y, 47 - y))
                    let corner = dx < 8 && dy < 8 && (8 - dx) * (8 - dx) + (8 - dy) * (8 - dy) > 64
                    if !corner {
                        pixel = [31, 78, 121]
                        let inS = (y >= 10 && y < 16 && x >= 12 && x < 36) || (y >= 21 && y < 27 && x >= 12 && x < 36)
                            || (y >= 32 && y < 38 && x >= 12 && x < 36) || (y >= 10 && y < 27 && x >= 12 && x < 18)
                            || (y >= 21 && y < 38 && x >= 30 && x < 36)
                        if inS { pixel = [255, 196, 0] }
                    }
                } else if x >= 58, y >= 16, y < 32, (x - 58) % 14 < 10, x < 156 {
                    pixel = [120, 130, 145]
                }
                samples.append(contentsOf: pixel)
            }
        }
        return try! PDFImage(width: width, height: height, colorSpace: .rgb, samples: samples)
    }

    static let vendor = DocumentParty(
        name: "Công ty TNHH Sao Mai",
        addressLines: ["Tầng 12, Tòa nhà Bitexco, 2 Hải Triều", "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"],
        taxID: "0312345678", emails: ["ketoan@saomai.vn"], logo: logo())

    static let customer = DocumentParty(
        name: "Công ty Cổ phần Phần mềm Đông Á",
        addressLines: ["Số 8 Nguyễn Huệ", "Quận 1, TP. Hồ Chí Minh"], taxID: "0109876543",
        emails: ["thanhtoan@dongasoft.vn"])

    static func vietnameseInvoice(lineCount: Int = 4) -> DocumentModel {
        var lines = [
            DocumentLine(description: "Gói Workspace Tiêu chuẩn", period: "01/01/2025 – 31/01/2025", quantity: "1",
                         unitPrice: "1.250.000 ₫", taxRate: "10%", amount: "1.250.000 ₫"),
            DocumentLine(description: "Người dùng bổ sung (giấy phép theo tháng, tính theo ngày sử dụng thực tế trong kỳ, áp dụng cho tài khoản quản trị và người dùng thường)",
                         period: "15/01/2025 – 31/01/2025", quantity: "12", unitPrice: "85.000 ₫", discount: "−10%",
                         taxRate: "10%", amount: "493.548 ₫"),
            DocumentLine(description: "Lưu trữ mở rộng 500 GB", period: "01/01/2025 – 31/01/2025", quantity: "2",
                         unitPrice: "150.000 ₫", taxRate: "10%", amount: "300.000 ₫"),
            DocumentLine(description: "Phí thiết lập một lần", quantity: "1", unitPrice: "500.000 ₫", discount: "−100.000 ₫",
                         taxRate: "10%", amount: "400.000 ₫"),
        ]
        var index = 0
        while lines.count < lineCount {
            index += 1
            lines.append(DocumentLine(description: "Dịch vụ sao lưu dữ liệu, chi nhánh số \(index)", period: "01/01/2025 – 31/01/2025",
                                      quantity: "\(index % 5 + 1)", unitPrice: "45.000 ₫", taxRate: "10%",
                                      amount: "\((index % 5 + 1) * 45).000 ₫"))
        }
        return DocumentModel(
            kind: .invoice, title: "HÓA ĐƠN GTGT", number: "HD-2025-000123", issueDate: "01/02/2025", dueDate: "15/02/2025",
            vendor: vendor, customer: customer, lines: Array(lines.prefix(lineCount)),
            totals: [
                DocumentTotal(label: "Cộng tiền hàng", amount: "2.443.548 ₫"),
                DocumentTotal(label: "Thuế GTGT (10%)", amount: "244.355 ₫"),
                DocumentTotal(label: "Tổng cộng", amount: "2.687.903 ₫", isBold: true),
            ],
            paymentInstructions: [
                "Chuyển khoản đến: Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank) — Chi nhánh Sài Gòn",
                "Số tài khoản: 0071 0001 23456 — Chủ tài khoản: CÔNG TY TNHH SAO MAI",
                "Nội dung chuyển khoản: HD2025000123",
                "Quét mã VietQR bằng ứng dụng ngân hàng để thanh toán nhanh.",
            ],
            qrCode: DocumentQRCode(modules: qrMatrix(), caption: "VietQR · 2.687.903 ₫"),
            notes: ["Hóa đơn điện tử đã được ký số. Vui lòng thanh toán trước ngày đến hạn để tránh gián đoạn dịch vụ."],
            footer: "Công ty TNHH Sao Mai · MST 0312345678 · Hotline 1900 1234 · saomai.vn",
            labels: DocumentLabel.defaults(language: "vi"), language: "vi-VN")
    }

    static func frenchCreditNote() -> DocumentModel {
        DocumentModel(
            kind: .creditNote, title: "Avoir", number: "AV-2025-0007", issueDate: "3 mars 2025", reference: "F-2025-0042",
            vendor: DocumentParty(name: "Éditions Lumière SARL", addressLines: ["12 rue de la Paix", "75002 Paris"],
                                  taxID: "FR40123456789", emails: ["compta@lumiere.fr"]),
            customer: DocumentParty(name: "Café des Artistes", addressLines: ["4 place du Marché", "69001 Lyon"], emails: ["gerant@cafe.fr"]),
            lines: [DocumentLine(description: "Remboursement partiel — abonnement Équipe", period: "du 1er au 28 février 2025",
                                 quantity: "1", unitPrice: "1 250,00 €", taxRate: "20 %", amount: "1 250,00 €")],
            totals: [DocumentTotal(label: "Total HT", amount: "1 041,67 €"), DocumentTotal(label: "TVA 20 %", amount: "208,33 €"),
                     DocumentTotal(label: "Montant dû", amount: "1 250,00 €", isBold: true)],
            paymentInstructions: ["Le montant sera crédité sur votre prochaine facture."],
            labels: DocumentLabel.defaults(language: "fr"), language: "fr-FR")
    }

    static func malayQuote() -> DocumentModel {
        DocumentModel(
            kind: .quote, title: "Sebut Harga", number: "SH-2025-0031", issueDate: "5 Mac 2025", dueDate: "4 April 2025",
            vendor: DocumentParty(name: "Awan Teknologi Sdn. Bhd.", addressLines: ["Menara Awan, Jalan Ampang", "50450 Kuala Lumpur"],
                                  taxID: "C12345678900", emails: ["jualan@awan.my"]),
            customer: DocumentParty(name: "Kedai Buku Cahaya", addressLines: ["No. 7, Jalan Bunga Raya", "10200 George Town, Pulau Pinang"]),
            lines: [DocumentLine(description: "Pakej Perniagaan (12 bulan)", quantity: "1", unitPrice: "RM 1,250.00", amount: "RM 1,250.00")],
            totals: [DocumentTotal(label: "Jumlah", amount: "RM 1,250.00", isBold: true)],
            labels: DocumentLabel.defaults(language: "ms").merging(["dueDate": "Sah sehingga"]) { $1 }, language: "ms-MY")
    }
}
