import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// Payments: the recent ones, a bank statement import, and the queue of bank
/// transfers no invoice took (unmatched) or took short (underpaid).
extension BackOfficePages {
    func registerPayments() {
        web.get("/admin/payments", .staff(.finance)) { try await paymentsPage($0, errors: [], form: nil, report: nil) }
        web.post("/admin/payments/statement", .staff(.finance)) { r in
            do {
                let report = try await service.importBankStatement(Data((r.form.pairs.first { $0.0 == "csv" }?.1 ?? "").utf8))
                return try await paymentsPage(r, errors: [], form: nil, report: report)
            } catch {
                return try await paymentsPage(r, errors: try views(error, r), form: "statement", report: nil)
            }
        }
        web.post("/admin/bank-credits/:id/assign", .staff(.finance)) { r in
            do {
                _ = try await service.assignBankCredit(r.param("id"), invoice: r.form["invoice"] ?? "", actor: actor(r))
            } catch let e as RecurError where e.code == .resourceNotFound && e.values["resource"] == .text("bank credit") {
                throw e
            } catch {
                return try await paymentsPage(r, errors: try views(error, r), form: "credit:\(r.param("id"))", report: nil)
            }
            return .redirect("/admin/payments", flash: r.w["admin.bank.assigned"])
        }
        web.post("/admin/bank-credits/:id/ignore", .staff(.finance)) { r in
            do {
                _ = try await service.ignoreBankCredit(r.param("id"), reason: r.form["reason"] ?? "", actor: actor(r))
            } catch let e as RecurError where e.code == .resourceNotFound {
                throw e
            } catch {
                return try await paymentsPage(r, errors: try views(error, r), form: "credit:\(r.param("id"))", report: nil)
            }
            return .redirect("/admin/payments", flash: r.w["admin.bank.ignored"])
        }
    }

    func paymentsPage(_ r: WebRequest, errors: [RecurEngineErrorView], form: String?, report: BankImportReport?) async throws -> WebResponse {
        let w = r.w
        let finance = await may(r, .finance)
        func errs(_ name: String) -> HTML { form == name ? Layout.errors(w, errors) : .empty }
        let payments = try await Self.everything({ try await service.listPayments(customer: nil, invoice: nil, limit: 100, startingAfter: $0) }, id: \.id)
        let recent = payments.reversed().prefix(50)
        let unmatched = try await Self.everything({ try await service.listBankCredits(status: "unmatched", limit: 100, startingAfter: $0) }, id: \.id)
        let underpaid = try await Self.everything({ try await service.listBankCredits(status: "underpaid", limit: 100, startingAfter: $0) }, id: \.id)
        let open = try await Self.everything({ try await service.listInvoices(customer: nil, subscription: nil, status: "open", limit: 100, startingAfter: $0) }, id: \.id)
        let queueRows = HTML.each(unmatched + underpaid) { c -> HTML in
            var actions: HTML = .empty
            if finance && c.status == .unmatched {
                let choices = Self.options(open.filter { $0.currency == c.amount.currency }.map { ($0.id, "\($0.number ?? $0.id) · \($0.customer) · \(w.money($0.amountDue))") },
                                           selected: form == "credit:\(c.id)" ? r.form["invoice"] : nil)
                actions = """
                    \(errs("credit:\(c.id)"))<form method="post" action="/admin/bank-credits/\(c.id)/assign" class="inline" data-test="assign-\(c.id)">\(Layout.csrfField(r))\
                    <select name="invoice" aria-label="\(w["admin.invoice"])">\(choices)</select><button>\(w["admin.bank.assign"])</button></form>
                    <form method="post" action="/admin/bank-credits/\(c.id)/ignore" class="inline">\(Layout.csrfField(r))\
                    <input name="reason" placeholder="\(w["invoices.reason"])" aria-label="\(w["invoices.reason"])"><button class="secondary">\(w["admin.bank.ignore"])</button></form>
                    """
            } else if let inv = c.invoice {
                actions = Self.link("/admin/invoices/\(inv)", inv)
            }
            return """
                <tr data-credit="\(c.id)"><td>\(w.date(c.bookedOn))</td><td>\(c.bankReference)</td><td>\(c.memo)</td><td class="num">\(w.money(c.amount))</td>
                <td>\(Self.badge(c.status.rawValue, w))</td><td>\(actions)</td></tr>
                """
        }
        var reportBlock: HTML = .empty
        if let report {
            let counts = HTML.each(report.count.sorted { $0.key < $1.key }.filter { $0.value > 0 }) { k, n in "<dt>\(w["status.\(k)"])</dt><dd data-count=\"\(k)\">\(w.number(n))</dd>" }
            let rejected = HTML.each(report.rejected) { row in "<li>\(row.line.map { w("admin.bank.line", ["n": w.number($0)]) } ?? ""): \(row.message)</li>" }
            reportBlock = "<section class=\"flash\" data-test=\"import-report\"><strong>\(w["admin.bank.imported"])</strong><dl class=\"facts\">\(counts)</dl>\(HTML.when(!report.rejected.isEmpty, "<ul>\(rejected)</ul>"))</section>"
        }
        let pasted = form == "statement" ? (r.form.pairs.first { $0.0 == "csv" }?.1 ?? "") : ""
        let importForm: HTML = HTML.when(finance, """
            <h2>\(w["admin.bank.import"])</h2>\(errs("statement"))
            <form method="post" action="/admin/payments/statement" class="stack card" data-test="statement">\(Layout.csrfField(r))
            <label>\(w["admin.bank.csv"])<textarea name="csv" rows="8" required>\(pasted)</textarea></label>
            <p class="muted">\(w["admin.bank.csv_help"])</p><p><button data-test="import">\(w["admin.bank.import_button"])</button></p></form>
            """)
        // A refusal about a credit no longer in the queue (assigned meanwhile) shows above it.
        let shownInRow = finance && unmatched.contains { form == "credit:\($0.id)" }
        let topErrors: HTML = HTML.when(form?.hasPrefix("credit:") == true && !shownInRow, Layout.errors(w, errors))
        let body: HTML = """
            \(topErrors)\(reportBlock)
            <h2>\(w["admin.bank.queue"])</h2>
            \(Self.table(w, test: "bank-queue", [w["invoice.date"], w["admin.reference"], w["invoice.memo"], w["invoice.amount"], w["portal.status"], ""],
                         numeric: [3], rows: queueRows, count: unmatched.count + underpaid.count))
            \(importForm)
            <h2>\(w["admin.payments.recent"])</h2>\(Self.paymentTable(w, rows: HTML.each(recent) { Self.paymentRow($0, w) }, count: recent.count))
            """
        return page(r, w["admin.payments.title"], body, status: errors.isEmpty ? 200 : 422)
    }
}
