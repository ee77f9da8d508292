import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// The checkout wizard (001, 003, 004): plan and cycle → seats → add-ons → promotions →
/// the cost breakdown → billing details → terms → payment method and renewal mode →
/// the gateway → the invoice. One form, no JavaScript: "Update the price" posts it back
/// and the breakdown is the engine's own quote.
extension PortalPages {
    func registerCheckout() {
        web.get("/portal/checkout", .portal) { r in try await checkoutPage(r, r.query, errors: []) }
        web.post("/portal/checkout", .portal) { r in
            r.form["action"] == "pay" ? try await placeOrder(r) : try await checkoutPage(r, r.form, errors: [])
        }
    }

    /// The order a checkout form describes, or nil before a plan is chosen.
    static func order(_ f: FormData, catalog: Catalog) -> Order? {
        guard let planID = f["plan"], let plan = catalog.plans[PlanID(planID)] else { return nil }
        let cycle = f.int("cycle").flatMap { try? BillingCycle(months: $0) } ?? plan.prices.map(\.cycle).min() ?? .monthly
        let addOns = catalog.addOns.values.filter { $0.products.contains(plan.product) }.sorted { $0.id.rawValue < $1.id.rawValue }
            .compactMap { a -> Order.AddOnLine? in
                guard let q = f.int("addon.\(a.id.rawValue)"), q != 0 else { return nil }
                return Order.AddOnLine(addOn: a.id, quantity: q, promotion: f["addon_promo"].map { PromotionCode($0.uppercased()) })
            }
        let item = Order.Item(product: plan.product, plan: plan.id, tier: f["tier"] ?? plan.tiers.first?.id, cycle: cycle,
                              seats: plan.isPerSeat ? (f.int("seats") ?? plan.minimumSeats) : nil, addOns: addOns,
                              promotion: f["promo"].map { PromotionCode($0.uppercased()) }, trial: f["trial"] == "1")
        return Order(items: [item], invoicePromotion: f["invoice_promo"].map { PromotionCode($0.uppercased()) },
                     coTermination: f["coterm"].flatMap(Order.CoTermination.init(rawValue:)),
                     renewalMode: f["renewal"] == "manual" ? .manual : .automatic)
    }

    func checkoutPage(_ r: WebRequest, _ f: FormData, errors given: [RecurEngineErrorView]) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let catalog = try await service.catalog()
        var errors = given
        let order = Self.order(f, catalog: catalog)
        var quote: Quote?
        if let order, errors.isEmpty {
            do { quote = try await service.quote(customer: c.id, order: order, date: nil) } catch {
                guard let v = Self.views(error, w) else { throw error }
                errors = v
            }
        }
        let plan = order.flatMap { catalog.plans[$0.items[0].plan] }
        func value(_ name: String) -> String { f.pairs.first { $0.0 == name }?.1 ?? "" }
        func checked(_ on: Bool) -> HTML { HTML(raw: on ? " checked" : "") }

        // 1. Product, plan and cycle.
        let planChoices = HTML.each(catalog.products.values.sorted { $0.id.rawValue < $1.id.rawValue }) { product -> HTML in
            let plans = catalog.plans(of: product.id).filter { $0.selfService && !$0.isFree }
            guard !plans.isEmpty else { return .empty }
            let options = HTML.each(plans) { p -> HTML in
                let price = try? catalog.price(of: p, cycle: .monthly, currency: c.currency, tier: p.tiers.first?.id, field: "plan")
                return """
                    <label class="check"><input type="radio" name="plan" value="\(p.id.rawValue)"\(checked(p.id == plan?.id))> \(p.name)\
                    \(HTML.when(price != nil, " <span class=\"muted\">\(price.map { w.money($0.unitAmount) } ?? "") / \(w["cycle.month"])\(p.isPerSeat ? " / " + w["plans.seat"] : "")</span>"))</label>
                    """
            }
            return "<fieldset><legend>\(product.name)</legend>\(options)</fieldset>"
        }
        let cycles = Set((plan?.prices ?? []).map(\.cycle)).union(plan.map { _ in [BillingCycle.monthly, .yearly] } ?? []).sorted()
        let cycle = order?.items[0].cycle
        let cycleChoices = HTML.each(cycles) { cy in
            "<label class=\"check\"><input type=\"radio\" name=\"cycle\" value=\"\(cy.months)\"\(checked(cy == cycle))> \(Self.cycleName(cy, w))</label>"
        }
        let tiers = HTML.each(plan?.tiers ?? []) { t in
            "<label class=\"check\"><input type=\"radio\" name=\"tier\" value=\"\(t.id)\"\(checked(t.id == order?.items[0].tier))> \(t.name)</label>"
        }
        // 2. Seats, 3. add-ons, 4. promotions.
        let seats: HTML = plan?.isPerSeat == true ? """
            <label>\(w["checkout.seats"])<input type="number" name="seats" min="\(plan?.minimumSeats ?? 1)"\
            \(HTML(raw: plan?.maximumSeats.map { " max=\"\($0)\"" } ?? "")) value="\(order?.items[0].seats ?? plan?.minimumSeats ?? 1)" data-test="seats"></label>
            <p class="muted">\(w("checkout.seats_help", ["min": String(plan?.minimumSeats ?? 1), "max": plan?.maximumSeats.map { String($0) } ?? "∞"]))</p>
            """ : .empty
        let addOns = catalog.addOns.values.filter { a in plan.map { p in a.products.contains(p.product) } ?? false }.sorted { $0.id.rawValue < $1.id.rawValue }
        let addOnFields = HTML.each(addOns) { a -> HTML in
            let price = try? catalog.price(of: a, cycle: .monthly, currency: c.currency, field: "addOn")
            return """
                <label>\(a.name) <span class="muted">\(price.map { w.money($0.unitAmount) } ?? "") / \(w["cycle.month"])</span>\
                <input type="number" name="addon.\(a.id.rawValue)" min="0" value="\(value("addon.\(a.id.rawValue)").isEmpty ? "0" : value("addon.\(a.id.rawValue)"))" data-test="addon-\(a.id.rawValue)"></label>
                """
        }
        let trialOffer: HTML = {
            guard let plan, let product = catalog.products[plan.product], product.trialDays > 0 else { return .empty }
            return "<label class=\"check\"><input type=\"checkbox\" name=\"trial\" value=\"1\"\(checked(f["trial"] == "1"))> \(w("checkout.trial", ["days": String(product.trialDays)]))</label>"
        }()
        // The breakdown and, where it applies, the co-termination choice (001).
        let breakdown = quote.map { Self.breakdown($0, w, catalog: catalog) } ?? (plan == nil ? "<p class=\"muted\">\(w["checkout.choose_plan"])</p>" : .empty)
        let coterm: HTML = quote?.coTermination.map { o in
            """
            <fieldset data-test="coterm"><legend>\(w["checkout.coterm_title"])</legend><p>\(w("checkout.coterm_text", ["end": w.date(o.remainingPeriod.inclusiveEnd)]))</p>
            <label class="check"><input type="radio" name="coterm" value="remaining_days"\(checked(o.chosen == .remainingDays))> \
            \(w("checkout.coterm_a", ["from": w.date(o.remainingPeriod.start), "to": w.date(o.remainingPeriod.inclusiveEnd)])) — <strong>\(w.money(o.totalRemainingDays))</strong></label>
            <label class="check"><input type="radio" name="coterm" value="remaining_days_and_next_cycle"\(checked(o.chosen == .remainingDaysAndNextCycle))> \
            \(w("checkout.coterm_b", ["to": w.date(o.nextPeriod.inclusiveEnd)])) — <strong>\(w.money(o.totalRemainingDaysAndNextCycle))</strong></label></fieldset>
            """
        } ?? .empty
        // 5. Billing details, 6. terms, 7. payment and renewal.
        let contact = c.contacts.first
        func v(_ name: String, _ current: String?) -> String { f.pairs.first { $0.0 == name }?.1 ?? current ?? "" }
        let gateways = service.payments.enabled
        let chosenGateway = f["gateway"] ?? gateways.first ?? ""
        let gatewayChoices = HTML.each(gateways) { g in
            "<label class=\"check\"><input type=\"radio\" name=\"gateway\" value=\"\(g)\"\(checked(g == chosenGateway))> \(w["gateway.\(g)"])</label>"
        }
        let renewal = order?.renewalMode ?? .automatic
        let buyer = r.session?.mayBuy == true
        let steps = HTML.each(["checkout.step_plan", "checkout.step_seats", "checkout.step_addons", "checkout.step_promotions", "checkout.step_review",
                               "checkout.step_details", "checkout.step_pay"].enumerated()) { i, key in
            "<li\(HTML(raw: (plan == nil ? 0 : quote == nil ? 1 : 4) >= i ? " class=\"on\"" : ""))>\(i + 1). \(w[key])</li>"
        }
        let body: HTML = """
            \(readOnlyNotice(r))<ol class="steps">\(steps)</ol>\(Layout.errors(w, errors))
            <form method="post" action="/portal/checkout" class="stack" data-test="checkout">\(Layout.csrfField(r))
            <h2>1. \(w["checkout.step_plan"])</h2>\(planChoices)
            \(HTML.when(!tiers.text.isEmpty, "<fieldset><legend>\(w["checkout.tier"])</legend>\(tiers)</fieldset>"))
            \(HTML.when(!cycleChoices.text.isEmpty, "<fieldset><legend>\(w["checkout.cycle"])</legend>\(cycleChoices)</fieldset>"))
            \(trialOffer)
            <h2>2. \(w["checkout.step_seats"])</h2>\(seats)
            <h2>3. \(w["checkout.step_addons"])</h2>\(addOnFields)
            <h2>4. \(w["checkout.step_promotions"])</h2>
            <label>\(w["checkout.promo_plan"])<input name="promo" value="\(value("promo"))" data-test="promo"></label>
            <label>\(w["checkout.promo_addon"])<input name="addon_promo" value="\(value("addon_promo"))" data-test="addon-promo"></label>
            <label>\(w["checkout.promo_invoice"])<input name="invoice_promo" value="\(value("invoice_promo"))" data-test="invoice-promo"></label>
            <p><button name="action" value="review" class="secondary" data-test="review">\(w["checkout.update"])</button></p>
            <h2>5. \(w["checkout.step_review"])</h2>\(coterm)\(breakdown)
            <h2>6. \(w["checkout.step_details"])</h2>
            <label>\(w["account.name"])<input name="name" value="\(v("name", c.name))"></label>
            <label>\(w["account.tax_id"])<input name="tax_id" value="\(v("tax_id", c.taxID))"></label>
            <label>\(w["account.address"])<textarea name="address">\(v("address", c.address))</textarea></label>
            <label>\(w["account.invoice_emails"])<textarea name="invoice_emails" data-test="invoice-emails">\(v("invoice_emails", c.invoiceEmails.joined(separator: "\n")))</textarea></label>
            <label>\(w["account.contact_name"])<input name="contact_name" value="\(v("contact_name", contact?.name))"></label>
            <label>\(w["account.contact_email"])<input name="contact_email" value="\(v("contact_email", contact?.email))"></label>
            <label>\(w["account.contact_phone"])<input name="contact_phone" value="\(v("contact_phone", contact?.phone))"></label>
            <h2>7. \(w["checkout.step_pay"])</h2>
            <fieldset><legend>\(w["checkout.gateway"])</legend>\(gatewayChoices)</fieldset>
            <fieldset><legend>\(w["portal.renewal"])</legend>
            <label class="check"><input type="radio" name="renewal" value="automatic"\(checked(renewal == .automatic))> \(w["renewal.automatic"])</label>
            <label class="check"><input type="radio" name="renewal" value="manual"\(checked(renewal == .manual))> \(w["renewal.manual"])</label></fieldset>
            <label class="check"><input type="checkbox" name="terms" value="1" data-test="terms"\(checked(f["terms"] == "1"))> \(w["checkout.terms"])</label>
            \(HTML.when(buyer, "<p><button name=\"action\" value=\"pay\" data-test=\"pay\">\(w["checkout.pay"])</button></p>"))
            </form>
            """
        return page(r, w["checkout.title"], body, status: errors.isEmpty ? 200 : 422)
    }

    /// The quote's lines and totals.
    static func breakdown(_ q: Quote, _ w: Words, catalog: Catalog) -> HTML {
        let rows = HTML.each(q.lines) { l -> HTML in
            let discounts = HTML.each(l.discounts) { d in
                "<br><span class=\"muted\">− \(w["discount.\(d.kind.rawValue)"])\(d.reference.map { " \($0)" } ?? ""): \(w.money(d.amount))</span>"
            }
            let period = l.period.map { "\(w.date($0.start)) – \(w.date($0.inclusiveEnd))" } ?? ""
            return """
                <tr><td>\(l.description)\(discounts)</td><td>\(period)</td><td class="num">\(w.number(l.quantity))</td>
                <td class="num">\(w.money(l.unitAmount))</td><td class="num">\(w.money(l.net))</td></tr>
                """
        }
        let notices = HTML.each(q.notices) { n in "<p class=\"notice\" data-code=\"\(n.code)\">\(w["notice.\(n.code)"] == "notice.\(n.code)" ? n.message : w["notice.\(n.code)"])</p>" }
        let recurring = HTML.each(q.recurring.sorted { $0.key.rawValue < $1.key.rawValue }) { id, amount -> HTML in
            let s = q.subscriptions.first { $0.id == id }
            let name = s.flatMap { catalog.products[$0.product]?.name } ?? ""
            return "<li>\(w("checkout.next_renewal", ["product": name, "amount": w.money(amount), "date": s.map { w.date($0.currentPeriod.end) } ?? ""]))</li>"
        }
        return """
            \(notices)<div class="table"><table data-test="breakdown"><thead><tr><th>\(w["invoice.description"])</th><th>\(w["invoice.period"])</th>
            <th class="num">\(w["invoice.quantity"])</th><th class="num">\(w["invoice.unit_price"])</th><th class="num">\(w["invoice.amount"])</th></tr></thead>
            <tbody>\(rows)</tbody><tfoot>
            <tr><td colspan="4">\(w["invoice.subtotal"])</td><td class="num">\(w.money(q.totals.subtotal))</td></tr>
            <tr><td colspan="4">\(w["invoice.discount"])</td><td class="num" data-test="discount">− \(w.money(q.totals.discount))</td></tr>
            <tr><td colspan="4">\(w["invoice.tax"])</td><td class="num" data-test="tax">\(w.money(q.totals.tax))</td></tr>
            <tr><td colspan="4"><strong>\(w["invoice.total"])</strong></td><td class="num total" data-test="total">\(w.money(q.totals.total))</td></tr>
            </tfoot></table></div><ul class="muted">\(recurring)</ul>
            """
    }

    func placeOrder(_ r: WebRequest) async throws -> WebResponse {
        try requireBuyer(r)
        let w = r.w
        let c = try await customer(r)
        let catalog = try await service.catalog()
        var errors: [RecurEngineErrorView] = []
        if r.form["terms"] != "1" {
            errors.append(RecurEngineErrorView(code: "terms.not_accepted", field: "terms", text: w["error.terms"]))
        }
        let gateway = r.form["gateway"] ?? ""
        if !service.payments.enabled.contains(gateway) {
            errors.append(RecurEngineErrorView(code: "payment.gateway_disabled", field: "gateway", text: w["error.gateway"]))
        }
        guard let order = Self.order(r.form, catalog: catalog) else {
            errors.append(RecurEngineErrorView(code: "order.empty", field: "plan", text: w["checkout.choose_plan"]))
            return try await checkoutPage(r, r.form, errors: errors)
        }
        if let plan = catalog.plans[order.items[0].plan], !plan.selfService {
            errors.append(RecurEngineErrorView(code: "plan.sales_led", field: "plan", text: w["plans.sales_led"]))
        }
        if !errors.isEmpty { return try await checkoutPage(r, r.form, errors: errors) }
        let outcome: CheckoutOutcome
        do {
            // The billing details and the order in one transaction: a refused order changes nothing.
            outcome = try await service.checkout(customer: c.id, order: order, date: nil,
                                                 details: Self.customerChanges(r.form, keepContactsOf: c), actor: actor(r))
        } catch {
            guard let views = Self.views(error, w) else { throw error }
            return try await checkoutPage(r, r.form, errors: views)
        }
        guard let invoice = outcome.invoice, invoice.amountDue.minorUnits > 0 else {
            let first = outcome.subscriptions.first.map { "/portal/subscriptions/\($0.id)" } ?? "/portal"
            return .redirect(first, flash: w["checkout.done_no_payment"])
        }
        return try await pay(r, invoice: invoice, gateway: gateway, saveMethod: order.renewalMode == .automatic)
    }

    /// Starts paying an invoice at a gateway: its page, or the transfer instructions.
    func pay(_ r: WebRequest, invoice: InvoiceRecord, gateway: String, saveMethod: Bool) async throws -> WebResponse {
        let back = service.payments.publicURL + "/portal/invoices/\(invoice.id)"
        do {
            let start = try await service.startPayment(invoice: invoice.id, gateway: gateway, returnURL: back, clientIP: clientIP(r),
                                                       savePaymentMethod: saveMethod && gateway == "stripe", actor: actor(r))
            if let url = start.redirectURL { return .redirect(url) }
            return .redirect("/portal/invoices/\(invoice.id)", flash: r.w["invoice.transfer_flash"])
        } catch {
            guard let views = Self.views(error, r.w) else { throw error }
            return .redirect("/portal/invoices/\(invoice.id)", flash: views.map(\.text).joined(separator: " "))
        }
    }

    func clientIP(_ r: WebRequest) -> String {
        r.request.headers[.init("X-Forwarded-For")!]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "127.0.0.1"
    }
}
