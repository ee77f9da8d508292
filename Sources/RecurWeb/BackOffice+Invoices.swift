import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// Invoices: the list by status; one invoice with its lines, totals, payments,
/// attempts and credit notes; void, uncollectible, credit note, offline payment and
/// refund; the invoice and receipt PDFs.
extension BackOfficePages {
    static let invoiceStatuses = ["draft", "open", "paid", "void", "uncollectible"]

    func registerInvoices() {
        web.get("/admin/invoices", .staff(.finance)) { try await invoicesPage($0) }
        web.get("/admin/invoices/:id", .staff(.finance)) { r in try await invoicePage(r, id: r.param("id"), errors: [], form: nil) }
        web.get("/admin/invoices/:id/pdf", .staff(.finance)) { r in
            let inv = try await service.invoice(r.param("id"))
            return .file(try await service.invoicePDF(inv.id), contentType: "application/pdf", filename: "\(inv.number ?? inv.id).pdf")
        }
        web.get("/admin/payments/:id/receipt", .staff(.finance)) { r in
            let p = try await service.payment(r.param("id"))
            return .file(try await service.receiptPDF(p.id), contentType: "application/pdf", filename: "\(p.number).pdf")
        }
        web.post("/admin/invoices/:id/void", .staff(.finance)) { r in
            try await invoiceAction(r, form: "void", done: "admin.invoice.voided") { inv in _ = try await service.voidInvoice(inv.id, actor: actor(r)) }
        }
        web.post("/admin/invoices/:id/uncollectible", .staff(.finance)) { r in
            try await invoiceAction(r, form: "uncollectible", done: "admin.invoice.marked_uncollectible") { inv in
                _ = try await service.markUncollectible(inv.id, actor: actor(r))
            }
        }
        web.post("/admin/invoices/:id/credit-notes", .staff(.finance)) { r in
            try await invoiceAction(r, form: "credit", done: "admin.invoice.credited") { inv in
                let amount = try Self.amount(r.form["amount"], inv.currency)
                _ = try await service.createCreditNote(invoice: inv.id, amount: amount, reason: r.form["reason"] ?? "",
                                                       refund: r.form["refund"] == "1", actor: actor(r))
            }
        }
        web.post("/admin/invoices/:id/payments", .staff(.finance)) { r in
            try await invoiceAction(r, form: "payment", done: "admin.invoice.payment_recorded") { inv in
                let amount = try Self.amount(r.form["amount"], inv.currency)
                let day = try Self.day(r.form["received_on"], field: "received_on")
                _ = try await service.recordPayment(invoice: inv.id, method: r.form["method"] ?? "", amount: amount, reference: r.form["reference"],
                                                    receivedOn: day, note: r.form["note"], actor: actor(r))
            }
        }
        web.post("/admin/payments/:id/refund", .staff(.finance)) { r in
            let p = try await service.payment(r.param("id"))
            let back = p.invoice.map { "/admin/invoices/\($0)" } ?? "/admin/customers/\(p.customer)"
            do {
                let amount = try Self.amount(r.form["amount"], p.amount.currency)
                _ = try await service.refundPayment(p.id, amount: amount, reason: r.form["reason"] ?? "", actor: actor(r))
            } catch {
                let errors = try views(error, r)
                guard let invoice = p.invoice else { return try await customerPage(r, errors: errors, form: "portal") }
                return try await invoicePage(r, id: invoice, errors: errors, form: "refund:\(p.id)")
            }
            return .redirect(back, flash: r.w["admin.payment.refunded"])
        }
    }

    /// Runs a change on the invoice of the URL: back to its page with a message, or the
    /// page again with the engine's errors on the form (422).
    func invoiceAction(_ r: WebRequest, form: String, done: String, _ body: (InvoiceRecord) async throws -> Void) async throws -> WebResponse {
        let inv = try await service.invoice(r.param("id"))
        do { try await body(inv) } catch {
            return try await invoicePage(r, id: inv.id, errors: try views(error, r), form: form)
        }
        return .redirect("/admin/invoices/\(inv.id)", flash: r.w[done])
    }

    func invoicesPage(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        let status = r.query["status"].flatMap { Self.invoiceStatuses.contains($0) ? $0 : nil }
        let invoices = try await Self.everything({ try await service.listInvoices(customer: nil, subscription: nil, status: status, limit: 100, startingAfter: $0) },
                                                 id: \.id)
        let tabs = HTML.each([nil] + Self.invoiceStatuses.map { Optional($0) }) { s -> HTML in
            let here = s == status
            return "<a href=\"/admin/invoices\(s.map { "?status=\($0)" } ?? "")\"\(HTML(raw: here ? " aria-current=\"page\"" : ""))>\(s.map { w["status.\($0)"] } ?? w["admin.all"])</a>"
        }
        let shown = Array(invoices.reversed().prefix(500))
        return page(r, w["admin.invoices.title"], "<nav class=\"tabs\" data-test=\"status-filter\">\(tabs)</nav>\(Self.invoiceTable(shown, w))")
    }

    func invoicePage(_ r: WebRequest, id: String, errors: [RecurEngineErrorView], form: String?) async throws -> WebResponse {
        let w = r.w
        let inv = try await service.invoice(id)
        let finance = await may(r, .finance)
        let customer = try await service.customer(inv.customer)
        let payments = try await service.listPayments(customer: nil, invoice: inv.id, limit: 100, startingAfter: nil).items
        let attempts = try await service.listPaymentAttempts(invoice: inv.id, limit: 100, startingAfter: nil).items
        let notes = try await service.listCreditNotes(customer: nil, invoice: inv.id, limit: 100, startingAfter: nil).items
        func errs(_ name: String) -> HTML { form == name ? Layout.errors(w, errors) : .empty }
        func v(_ name: String, _ n: String, _ d: String = "") -> String { Self.value(form == name ? r.form : nil, n, d) }

        let lines = HTML.each(inv.lines) { l -> HTML in
            let discounts = HTML.each(l.discounts) { d in
                "<br><span class=\"muted\">− \(w["discount.\(d.kind.rawValue)"])\(d.reference.map { " \($0)" } ?? ""): \(w.money(d.amount))</span>"
            }
            return """
                <tr><td>\(l.description)\(discounts)</td><td>\(l.period.map { "\(w.date($0.start)) – \(w.date($0.inclusiveEnd))" } ?? "")</td>
                <td class="num">\(w.number(l.quantity))</td><td class="num">\(w.money(l.unitAmount))</td><td class="num">\(w.money(l.net))</td></tr>
                """
        }
        let paymentRows = HTML.each(payments) { p -> HTML in
            let refund: HTML = HTML.when(finance && p.refundable.isPositive, """
                <tr><td colspan="9">\(errs("refund:\(p.id)"))<form method="post" action="/admin/payments/\(p.id)/refund" class="inline" data-test="refund-\(p.id)">\(Layout.csrfField(r))\
                <label class="sr">\(w["invoice.amount"])</label><input name="amount" inputmode="decimal" placeholder="\(w.money(p.refundable))" value="\(v("refund:\(p.id)", "amount"))" size="10">\
                <label class="sr">\(w["invoices.reason"])</label><input name="reason" placeholder="\(w["invoices.reason"])" value="\(v("refund:\(p.id)", "reason"))">\
                <button class="secondary">\(w["admin.payment.refund"])</button></form></td></tr>
                """)
            return "\(Self.paymentRow(p, w))\(refund)"
        }
        let attemptRows = HTML.each(attempts) { a in
            """
            <tr><td>\(Self.stamp(a.created))</td><td>\(w["gateway.\(a.gateway)"])</td><td>\(Self.badge(a.status.rawValue, w))</td><td>\(a.reference)</td>
            <td class="num">\(w.money(a.amount))</td><td>\(a.failureReason ?? "")</td></tr>
            """
        }
        let noteRows = HTML.each(notes) { n in
            "<tr><td>\(n.number)</td><td>\(w.date(n.issueDate))</td><td class=\"num\">\(w.money(n.amount))</td><td>\(n.reason)</td><td>\(n.outcome.rawValue)</td></tr>"
        }
        var actions: HTML = .empty
        if finance {
            if inv.status == .open {
                let methods = Self.options(RecurService.offlineMethods.map { ($0, w["gateway.\($0)"]) }, selected: v("payment", "method", "cash"))
                actions = """
                    <section class="card"><h2>\(w["admin.invoice.record_payment"])</h2>\(errs("payment"))
                    <form method="post" action="/admin/invoices/\(inv.id)/payments" class="stack" data-test="record-payment">\(Layout.csrfField(r))
                    <label>\(w["invoices.method"])<select name="method">\(methods)</select></label>
                    <label>\(w("admin.amount_in", ["currency": inv.currency.code]))<input name="amount" inputmode="decimal" value="\(v("payment", "amount", inv.amountDue.decimalString))"></label>
                    <label>\(w["admin.reference"])<input name="reference" value="\(v("payment", "reference"))"></label>
                    <label>\(w["admin.received_on"])<input name="received_on" type="date" value="\(v("payment", "received_on"))"></label>
                    <label>\(w["tab.notes"])<input name="note" value="\(v("payment", "note"))"></label>
                    <p><button data-test="record-payment-button">\(w["admin.invoice.record_payment"])</button></p></form></section>
                    """
            }
            if inv.status == .open || inv.status == .paid {
                actions = """
                    \(actions)<section class="card"><h2>\(w["admin.invoice.credit_note"])</h2>\(errs("credit"))
                    <form method="post" action="/admin/invoices/\(inv.id)/credit-notes" class="stack" data-test="credit-note">\(Layout.csrfField(r))
                    <label>\(w("admin.amount_in", ["currency": inv.currency.code]))<input name="amount" inputmode="decimal" value="\(v("credit", "amount"))"></label>
                    <label>\(w["invoices.reason"])<input name="reason" value="\(v("credit", "reason"))" required></label>
                    <label class="check"><input type="checkbox" name="refund" value="1"> \(w["admin.invoice.credit_refund"])</label>
                    <p><button class="secondary">\(w["admin.invoice.credit_note"])</button></p></form></section>
                    """
            }
            if inv.status == .open {
                actions = """
                    \(actions)<section class="card">\(errs("void"))\(errs("uncollectible"))
                    <form method="post" action="/admin/invoices/\(inv.id)/void" class="inline">\(Layout.csrfField(r))<button class="danger" data-test="void">\(w["admin.invoice.void"])</button></form>
                    <form method="post" action="/admin/invoices/\(inv.id)/uncollectible" class="inline">\(Layout.csrfField(r))<button class="secondary" data-test="uncollectible">\(w["admin.invoice.uncollectible"])</button></form>
                    </section>
                    """
            }
        }
        // A void or uncollectible refused because the invoice is no longer open: its form is gone, so the error shows on top.
        let refused: HTML = inv.status == .open ? .empty : "\(errs("void"))\(errs("uncollectible"))"
        let body: HTML = """
            \(refused)<p>\(Self.badge(inv.status.rawValue, w)) · <a href="/admin/customers/\(customer.id)">\(customer.name)</a> · \(w["invoice.date"]): \(w.date(inv.issueDate))
            · \(w["invoice.due"]): \(w.date(inv.dueDate)) · <a href="/admin/invoices/\(inv.id)/pdf" data-test="pdf">PDF</a></p>
            <div class="table"><table data-test="lines"><thead><tr><th>\(w["invoice.description"])</th><th>\(w["invoice.period"])</th><th class="num">\(w["invoice.quantity"])</th>
            <th class="num">\(w["invoice.unit_price"])</th><th class="num">\(w["invoice.amount"])</th></tr></thead><tbody>\(lines)</tbody><tfoot>
            <tr><td colspan="4">\(w["invoice.subtotal"])</td><td class="num">\(w.money(inv.totals.subtotal))</td></tr>
            <tr><td colspan="4">\(w["invoice.discount"])</td><td class="num">− \(w.money(inv.totals.discount))</td></tr>
            <tr><td colspan="4">\(w["invoice.tax"])</td><td class="num">\(w.money(inv.totals.tax))</td></tr>
            <tr><td colspan="4"><strong>\(w["invoice.total"])</strong></td><td class="num total" data-test="total">\(w.money(inv.totals.total))</td></tr>
            <tr><td colspan="4">\(w["invoice.paid"])</td><td class="num" data-test="amount-paid">\(w.money(inv.amountPaid))</td></tr>
            <tr><td colspan="4"><strong>\(w["invoice.amount_due"])</strong></td><td class="num" data-test="amount-due">\(w.money(inv.amountDue))</td></tr></tfoot></table></div>
            <h2>\(w["invoices.payments"])</h2>\(Self.paymentTable(w, rows: paymentRows, count: payments.count))
            <h2>\(w["admin.invoice.attempts"])</h2>
            \(Self.table(w, test: "attempts", [w["history.date"], w["invoices.method"], w["portal.status"], w["admin.reference"], w["invoice.amount"], w["admin.failure"]],
                         numeric: [4], rows: attemptRows, count: attempts.count))
            <h2>\(w["invoices.credit_notes"])</h2>
            \(Self.table(w, test: "credit-notes", [w["invoice.number"], w["invoice.date"], w["invoice.amount"], w["invoices.reason"], w["admin.outcome"]],
                         numeric: [2], rows: noteRows, count: notes.count))
            \(actions)
            """
        return page(r, w("invoice.title", ["number": inv.number ?? inv.id]), body, status: errors.isEmpty ? 200 : 422)
    }
}
