import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// Purchase history (002, 003): every invoice and credit note, each as a PDF; one
/// invoice with its payments and, while it is open, the ways to pay it.
extension PortalPages {
    func registerInvoices() {
        web.get("/portal/invoices", .portal) { try await invoicesPage($0) }
        web.get("/portal/invoices/:id", .portal) { try await invoicePage($0) }
        web.get("/portal/invoices/:id/pdf", .portal) { r in
            let inv = try await ownInvoice(r)
            return .file(try await service.invoicePDF(inv.id), contentType: "application/pdf", filename: "\(inv.number ?? inv.id).pdf")
        }
        web.post("/portal/invoices/:id/pay", .portal) { r in
            try requireBuyer(r)
            let inv = try await ownInvoice(r)
            guard inv.status == .open, inv.amountDue.minorUnits > 0 else {
                return .redirect("/portal/invoices/\(inv.id)", flash: r.w["invoice.nothing_due"])
            }
            return try await pay(r, invoice: inv, gateway: r.form["gateway"] ?? "", saveMethod: r.form["save"] == "1")
        }
        web.get("/portal/credit-notes/:id/pdf", .portal) { r in
            let id = r.param("id")
            guard let note = try? await service.creditNote(id), note.customer == customerID(r) else { throw RecurError.missing("credit note", id) }
            return .file(try await service.creditNotePDF(note.id), contentType: "application/pdf", filename: "\(note.number).pdf")
        }
        web.get("/portal/payments/:id/receipt", .portal) { r in
            let id = r.param("id")
            guard let p = try? await service.payment(id), p.customer == customerID(r) else { throw RecurError.missing("payment", id) }
            return .file(try await service.receiptPDF(p.id), contentType: "application/pdf", filename: "\(p.number).pdf")
        }
    }

    func ownInvoice(_ r: WebRequest) async throws -> InvoiceRecord {
        let id = r.param("id")
        guard let inv = try? await service.invoice(id), inv.customer == customerID(r) else { throw RecurError.missing("invoice", id) }
        return inv
    }

    static func invoiceTable(_ invoices: some Sequence<InvoiceRecord>, _ w: Words) -> HTML {
        let rows = HTML.each(invoices) { i in
            """
            <tr data-invoice="\(i.id)"><td><a href="/portal/invoices/\(i.id)">\(i.number ?? i.id)</a></td><td>\(w.date(i.issueDate))</td><td>\(w.date(i.dueDate))</td>
            <td>\(badge(i.status.rawValue, w))</td><td class="num">\(w.money(i.totals.total))</td><td class="num">\(w.money(i.amountDue))</td>
            <td><a href="/portal/invoices/\(i.id)/pdf" data-test="pdf">PDF</a></td></tr>
            """
        }
        return """
            <div class="table"><table data-test="invoices"><thead><tr><th>\(w["invoice.number"])</th><th>\(w["invoice.date"])</th><th>\(w["invoice.due"])</th>
            <th>\(w["portal.status"])</th><th class="num">\(w["invoice.total"])</th><th class="num">\(w["invoice.amount_due"])</th><th></th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
    }

    func invoicesPage(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let invoices = try await service.listInvoices(customer: c.id, subscription: nil, status: nil, limit: 100, startingAfter: nil).items
        let notes = try await service.listCreditNotes(customer: c.id, invoice: nil, limit: 100, startingAfter: nil).items
        let payments = try await service.listPayments(customer: c.id, invoice: nil, limit: 100, startingAfter: nil).items
        let noteRows = HTML.each(notes.reversed()) { n in
            "<tr><td>\(n.number)</td><td>\(w.date(n.issueDate))</td><td class=\"num\">\(w.money(n.amount))</td><td>\(n.reason)</td><td><a href=\"/portal/credit-notes/\(n.id)/pdf\">PDF</a></td></tr>"
        }
        let paymentRows = HTML.each(payments.reversed()) { p in
            "<tr><td>\(p.number)</td><td>\(w.date(p.receivedOn))</td><td>\(w["gateway.\(p.method)"])</td><td class=\"num\">\(w.money(p.amount))</td><td><a href=\"/portal/payments/\(p.id)/receipt\" data-test=\"receipt\">PDF</a></td></tr>"
        }
        let body: HTML = """
            \(invoices.isEmpty ? "<p class=\"muted\">\(w["invoices.none"])</p>" : Self.invoiceTable(invoices.reversed(), w))
            \(HTML.when(!notes.isEmpty, "<h2>\(w["invoices.credit_notes"])</h2><div class=\"table\"><table data-test=\"credit-notes\"><thead><tr><th>\(w["invoice.number"])</th><th>\(w["invoice.date"])</th><th class=\"num\">\(w["invoice.amount"])</th><th>\(w["invoices.reason"])</th><th></th></tr></thead><tbody>\(noteRows)</tbody></table></div>"))
            \(HTML.when(!payments.isEmpty, "<h2>\(w["invoices.payments"])</h2><div class=\"table\"><table data-test=\"payments\"><thead><tr><th>\(w["invoices.receipt"])</th><th>\(w["invoice.date"])</th><th>\(w["invoices.method"])</th><th class=\"num\">\(w["invoice.amount"])</th><th></th></tr></thead><tbody>\(paymentRows)</tbody></table></div>"))
            """
        return page(r, w["invoices.title"], body)
    }

    func invoicePage(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        let inv = try await ownInvoice(r)
        let payments = try await service.listPayments(customer: nil, invoice: inv.id, limit: 100, startingAfter: nil).items
        let attempts = try await service.listPaymentAttempts(invoice: inv.id, limit: 100, startingAfter: nil).items
        let rows = HTML.each(inv.lines) { l -> HTML in
            let discounts = HTML.each(l.discounts) { d in
                "<br><span class=\"muted\">− \(w["discount.\(d.kind.rawValue)"])\(d.reference.map { " \($0)" } ?? ""): \(w.money(d.amount))</span>"
            }
            return """
                <tr><td>\(l.description)\(discounts)</td><td>\(l.period.map { "\(w.date($0.start)) – \(w.date($0.inclusiveEnd))" } ?? "")</td>
                <td class="num">\(w.number(l.quantity))</td><td class="num">\(w.money(l.unitAmount))</td><td class="num">\(w.money(l.net))</td></tr>
                """
        }
        let paid = HTML.each(payments) { p in
            "<li>\(p.number) · \(w.date(p.receivedOn)) · \(w["gateway.\(p.method)"]) · <strong>\(w.money(p.applied))</strong> · <a href=\"/portal/payments/\(p.id)/receipt\">\(w["invoices.receipt"]) PDF</a></li>"
        }
        // While open: the bank-transfer instructions with the VietQR code, and the gateways.
        var payBlock: HTML = .empty
        if inv.status == .open, inv.amountDue.minorUnits > 0 {
            if let transfer = attempts.last(where: { $0.gateway == "bank_transfer" && $0.status == .pending }),
               let t = try? await service.transferInstructions(attempt: transfer.id) {
                payBlock = """
                    <section class="card" data-test="transfer"><h2>\(w["invoice.transfer_title"])</h2>
                    <dl class="facts"><dt>\(w["invoice.bank"])</dt><dd>\(t.bankName)</dd><dt>\(w["invoice.account"])</dt><dd>\(t.accountNumber) · \(t.accountName)</dd>
                    <dt>\(w["invoice.amount"])</dt><dd>\(w.money(t.amount))</dd><dt>\(w["invoice.memo"])</dt><dd><strong data-test="payment-code">\(t.paymentCode)</strong></dd></dl>
                    <p><img src="/payments/qr/\(transfer.id).png" alt="VietQR" width="220" height="220"></p><p class="muted">\(w["invoice.transfer_help"])</p></section>
                    """
            }
            if r.session?.mayBuy == true {
                let choices = HTML.each(service.payments.enabled.enumerated()) { i, g in
                    "<label class=\"check\"><input type=\"radio\" name=\"gateway\" value=\"\(g)\"\(HTML(raw: i == 0 ? " checked" : ""))> \(w["gateway.\(g)"])</label>"
                }
                payBlock = """
                    \(payBlock)<form method="post" action="/portal/invoices/\(inv.id)/pay" class="stack card" data-test="pay-form">\(Layout.csrfField(r))
                    <h2>\(w["invoice.pay_title"])</h2><fieldset><legend>\(w["checkout.gateway"])</legend>\(choices)</fieldset>
                    <label class="check"><input type="checkbox" name="save" value="1"> \(w["invoice.save_card"])</label>
                    <p><button data-test="pay">\(w("invoice.pay", ["amount": w.money(inv.amountDue)]))</button></p></form>
                    """
            }
        }
        let success: HTML = inv.status == .paid
            ? "<p class=\"flash\" data-test=\"paid\">\(w["invoice.paid_thanks"]) <a class=\"button\" href=\"/portal/invoices/\(inv.id)/pdf\" data-test=\"download\">\(w["invoice.download"])</a></p>" : .empty
        let body: HTML = """
            \(success)<p>\(Self.badge(inv.status.rawValue, w)) · \(w["invoice.date"]): \(w.date(inv.issueDate)) · \(w["invoice.due"]): \(w.date(inv.dueDate))
            · <a href="/portal/invoices/\(inv.id)/pdf" data-test="pdf">\(w["invoice.view_pdf"])</a></p>
            <div class="table"><table data-test="lines"><thead><tr><th>\(w["invoice.description"])</th><th>\(w["invoice.period"])</th><th class="num">\(w["invoice.quantity"])</th>
            <th class="num">\(w["invoice.unit_price"])</th><th class="num">\(w["invoice.amount"])</th></tr></thead><tbody>\(rows)</tbody><tfoot>
            <tr><td colspan="4">\(w["invoice.subtotal"])</td><td class="num">\(w.money(inv.totals.subtotal))</td></tr>
            <tr><td colspan="4">\(w["invoice.discount"])</td><td class="num">− \(w.money(inv.totals.discount))</td></tr>
            <tr><td colspan="4">\(w["invoice.tax"])</td><td class="num">\(w.money(inv.totals.tax))</td></tr>
            <tr><td colspan="4"><strong>\(w["invoice.total"])</strong></td><td class="num total" data-test="total">\(w.money(inv.totals.total))</td></tr>
            <tr><td colspan="4">\(w["invoice.paid"])</td><td class="num">\(w.money(inv.amountPaid))</td></tr>
            <tr><td colspan="4"><strong>\(w["invoice.amount_due"])</strong></td><td class="num" data-test="amount-due">\(w.money(inv.amountDue))</td></tr></tfoot></table></div>
            \(HTML.when(!payments.isEmpty, "<h2>\(w["invoices.payments"])</h2><ul>\(paid)</ul>"))
            \(payBlock)
            """
        return page(r, w("invoice.title", ["number": inv.number ?? inv.id]), body)
    }
}
