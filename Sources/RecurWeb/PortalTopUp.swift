import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// Prepaid credit (002: the phone balance): the customer's balances, and a one-off
/// purchase of a self-service charge, priced before it is bought and paid like any
/// invoice. The credit arrives when the invoice is paid.
extension PortalPages {
    func registerTopUp() {
        web.get("/portal/top-up", .portal) { r in try await topUpPage(r, errors: []) }
        web.post("/portal/top-up", .portal) { r in
            try requireBuyer(r)
            let invoice: InvoiceRecord
            do {
                invoice = try await service.purchase(customer: customerID(r), charge: r.form["charge"] ?? "",
                                                     quantity: r.form.int("quantity") ?? 0, actor: actor(r))
            } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await topUpPage(r, errors: v)
            }
            let done = invoice.status == .paid ? r.w["topup.added"] : r.w["topup.bought"]
            return .redirect("/portal/invoices/\(invoice.id)", flash: done)
        }
    }

    /// The name a page shows for a prepaid balance: its word, or the name of the charge that tops it up.
    static func balanceName(_ key: String, _ catalog: Catalog, _ w: Words) -> String {
        let word = w["balance.\(key)"]
        if word != "balance.\(key)" { return word }
        return catalog.charges.values.first { $0.topUp == key }?.name ?? key
    }

    /// The balances card of the subscription page: every prepaid balance, zero ones
    /// included when a self-service charge tops them up, and the way to top up.
    static func balancesCard(_ c: CustomerRecord, _ catalog: Catalog, _ w: Words, mayBuy: Bool) -> HTML {
        var keys = Set(c.prepaid?.keys.map { $0 } ?? [])
        for charge in catalog.charges.values where !charge.salesLed && charge.topUp != nil && charge.prices.contains(where: { $0.currency == c.currency }) {
            keys.insert(charge.topUp!)
        }
        guard !keys.isEmpty else { return .empty }
        let rows = HTML.each(keys.sorted()) { k in
            "<dt>\(balanceName(k, catalog, w))</dt><dd data-balance=\"\(k)\">\(w.money(c.prepaid?[k] ?? .zero(c.currency)))</dd>"
        }
        return """
            <section class="card" data-test="balances"><h2>\(w["topup.balances"])</h2><dl class="facts">\(rows)</dl>
            \(HTML.when(mayBuy, "<p><a class=\"button secondary\" href=\"/portal/top-up\" data-test=\"top-up\">\(w["topup.link"])</a></p>"))</section>
            """
    }

    func topUpPage(_ r: WebRequest, errors: [RecurEngineErrorView]) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let catalog = try await service.catalog()
        let charges = catalog.charges.values
            .filter { !$0.salesLed && $0.prices.contains { $0.currency == c.currency } }
            .sorted { $0.id < $1.id }
        // The form's values: what was posted (after a refusal), else the query (the preview), else the first charge.
        let source = r.form.isEmpty ? r.query : r.form
        let chosen = source["charge"] ?? charges.first?.id.rawValue ?? ""
        let quantityText = source["quantity"] ?? "1"
        // Text that is no whole number goes to the engine as 0: refused there with the charge's own bounds.
        var preview: HTML = .empty
        var previewErrors = errors
        if errors.isEmpty, r.query["charge"] != nil {
            do {
                let line = try await service.previewPurchase(customer: c.id, charge: chosen, quantity: Int(quantityText) ?? 0)
                let credit: HTML = HTML.when(line.topUp != nil, """
                    <dt>\(w["topup.credit"])</dt><dd data-test="credit">\(w.money(line.amount))</dd>
                    """)
                preview = """
                    <dl class="facts" data-test="preview">\(credit)<dt>\(w["invoice.tax"])\(line.taxName.map { " (\($0))" } ?? "")</dt><dd data-test="tax">\(w.money(line.tax))</dd>
                    <dt><strong>\(w["topup.total"])</strong></dt><dd><strong data-test="total">\(w.money(line.total))</strong></dd></dl>
                    """
            } catch {
                guard let v = Self.views(error, w) else { throw error }
                previewErrors = v
            }
        }
        let options = HTML.each(charges) { ch in
            let price = (try? ch.price(in: c.currency, field: "charge")).map { w.money($0) } ?? ""
            return "<option value=\"\(ch.id.rawValue)\"\(HTML(raw: ch.id.rawValue == chosen ? " selected" : ""))>\(ch.name) · \(w("topup.each", ["price": price]))</option>"
        }
        let mayBuy = r.session?.mayBuy == true
        let form: HTML = charges.isEmpty ? "<p class=\"muted\">\(w["topup.nothing"])</p>" : """
            \(Layout.errors(w, previewErrors))
            <form method="get" action="/portal/top-up" class="stack" data-test="preview-form">
            <label>\(w["topup.charge"])<select name="charge">\(options)</select></label>
            <label>\(w["invoice.quantity"])<input name="quantity" inputmode="numeric" value="\(quantityText)"></label>
            <p><button class="secondary" data-test="see-price">\(w["topup.see_price"])</button></p></form>
            \(preview)
            \(HTML.when(mayBuy && !preview.text.isEmpty, """
                <form method="post" action="/portal/top-up" data-test="buy-form">\(Layout.csrfField(r))
                <input type="hidden" name="charge" value="\(chosen)"><input type="hidden" name="quantity" value="\(quantityText)">
                <p><button data-test="buy">\(w["topup.buy"])</button></p></form>
                """))
            """
        let status = previewErrors.map { WebRouter.status(RecurError.Code(rawValue: $0.code)) }.max() ?? 200
        return page(r, w["topup.title"], """
            \(readOnlyNotice(r))\(Self.balancesCard(c, catalog, w, mayBuy: false))
            <section class="card"><h2>\(w["topup.buy_title"])</h2><p class="muted">\(w["topup.help"])</p>\(form)</section>
            """, status: status)
    }
}
