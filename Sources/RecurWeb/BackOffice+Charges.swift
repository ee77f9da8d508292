import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// One-off charges in the back office: the catalog's list and its form for a new charge;
/// on a customer's page, the prepaid balances and a one-off sale (an event plan under
/// its contract, prepaid credit sold by phone), invoiced at once.
extension BackOfficePages {
    func registerCharges() {
        web.post("/admin/catalog/charges", .staff(.sales)) { r in
            try await catalogCreate(r, form: "charge") {
                let f = r.form
                let currency = try Currency(code: f["currency"] ?? "")
                guard let price = try Self.amount(f["price"], currency, field: "price") else { throw Self.required("price") }
                let charge = Charge(id: ChargeID(f["id"] ?? ""), name: f["name"] ?? "", prices: [price], topUp: f["top_up"],
                                    salesLed: f["sales_led"] == "1", maximumQuantity: try Self.whole(f["maximum_quantity"], field: "maximum_quantity"))
                _ = try await service.createCharge(charge, actor: actor(r))
            }
        }
        web.post("/admin/customers/:id/sales", .staff(.sales)) { r in
            let c = try await service.customer(r.param("id"))
            let invoice: InvoiceRecord
            do {
                let quantity = try Self.whole(r.form["quantity"], field: "quantity") ?? 1
                invoice = try await service.purchase(customer: c.id, charge: r.form["charge"] ?? "", quantity: quantity, description: r.form["description"],
                                                     dueDate: try Self.day(r.form["due_date"], field: "due_date"), contract: true, actor: actor(r))
            } catch {
                return try await customerPage(r, errors: try views(error, r), form: "sale")
            }
            return .redirect("/admin/invoices/\(invoice.id)", flash: r.w["admin.sale.invoiced"])
        }
    }

    /// The catalog page's table of charges.
    static func chargesTable(_ catalog: Catalog, _ w: Words) -> HTML {
        let charges = catalog.charges.values.sorted { $0.id < $1.id }
        let rows = HTML.each(charges) { ch in
            """
            <tr data-charge="\(ch.id.rawValue)"><td>\(ch.id.rawValue)</td><td>\(ch.name)</td><td>\(ch.prices.map { w.money($0) }.joined(separator: " · "))</td>
            <td>\(ch.topUp ?? "")</td><td>\(ch.salesLed ? w["admin.charge.sales_led"] : w["admin.charge.self_service"])</td></tr>
            """
        }
        return Self.table(w, test: "charges", ["Id", w["admin.name"], w["admin.catalog.prices"], w["admin.charge.top_up"], w["admin.charge.sold"]],
                          rows: rows, count: charges.count)
    }

    /// The catalog page's form for a new charge.
    func chargeForm(_ r: WebRequest, errs: (String) -> HTML, v: (String, String, String) -> String) -> HTML {
        let w = r.w
        return """
            <section class="card"><h3>\(w["admin.charge.new"])</h3>\(errs("charge"))
            <form method="post" action="/admin/catalog/charges" class="stack" data-test="new-charge">\(Layout.csrfField(r))
            <label>Id<input name="id" value="\(v("charge", "id", ""))" required></label><label>\(w["admin.name"])<input name="name" value="\(v("charge", "name", ""))" required></label>
            <label>\(w["admin.customer.currency"])<input name="currency" value="\(v("charge", "currency", "VND"))" maxlength="3" required></label>
            <label>\(w["admin.charge.unit_price"])<input name="price" inputmode="decimal" value="\(v("charge", "price", ""))" required></label>
            <label>\(w["admin.charge.top_up"])<input name="top_up" value="\(v("charge", "top_up", ""))" placeholder="phone_credit"></label>
            <label>\(w["admin.catalog.maximum_quantity"])<input name="maximum_quantity" inputmode="numeric" value="\(v("charge", "maximum_quantity", ""))"></label>
            <label class="check"><input type="checkbox" name="sales_led" value="1"> \(w["admin.charge.sales_led"])</label>
            <p><button data-test="create-charge">\(w["admin.create"])</button></p></form></section>
            """
    }

    /// The customer page's prepaid balances and one-off sale form.
    func customerCharges(_ r: WebRequest, _ c: CustomerRecord, _ catalog: Catalog, form: String?, errs: (String) -> HTML, sales: Bool) -> HTML {
        let w = r.w
        let balances = HTML.each((c.prepaid ?? [:]).sorted { $0.key < $1.key }) { k, m in
            "<dt>\(PortalPages.balanceName(k, catalog, w))</dt><dd data-balance=\"\(k)\">\(w.money(m))</dd>"
        }
        let sellable = catalog.charges.values.filter { $0.prices.contains { $0.currency == c.currency } }.sorted { $0.id < $1.id }
        let f: FormData? = form == "sale" ? r.form : nil
        let options = Self.options(sellable.map { ch in
            (ch.id.rawValue, "\(ch.name) · \((try? ch.price(in: c.currency, field: "charge")).map { w.money($0) } ?? "")")
        }, selected: Self.value(f, "charge", ""))
        let sale: HTML = HTML.when(sales && !sellable.isEmpty, """
            \(errs("sale"))<form method="post" action="/admin/customers/\(c.id)/sales" class="stack card" data-test="sell">\(Layout.csrfField(r))
            <h3>\(w["admin.sale.title"])</h3><p class="muted">\(w["admin.sale.help"])</p>
            <label>\(w["topup.charge"])<select name="charge">\(options)</select></label>
            <label>\(w["invoice.quantity"])<input name="quantity" inputmode="numeric" value="\(Self.value(f, "quantity", "1"))"></label>
            <label>\(w["invoice.description"])<input name="description" value="\(Self.value(f, "description"))"></label>
            <label>\(w["invoice.due"])<input name="due_date" type="date" value="\(Self.value(f, "due_date"))"></label>
            <p><button data-test="sell-button">\(w["admin.sale.invoice"])</button></p></form>
            """)
        let shown: HTML = c.prepaid?.isEmpty == false
            ? "<dl class=\"facts card\" data-test=\"prepaid\">\(balances)</dl>" : "<p class=\"muted\">\(w["admin.charge.no_balance"])</p>"
        return """
            <h2>\(w["topup.balances"])</h2>
            \(shown)
            \(sale)
            """
    }
}
