import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// The sales-led plans (000's Enterprise): the customer asks for a briefing here and
/// follows the deal's steps; staff run the rest in the back office.
extension PortalPages {
    func registerEnterprise() {
        web.get("/portal/enterprise", .portal) { r in try await enterprisePage(r, errors: [], form: nil) }
        // The quote of one of the customer's own deals; another customer's is 404, as if it did not exist.
        web.get("/portal/enterprise/deals/:id/quote.pdf", .portal) { r in
            let id = r.param("id")
            guard let d = try? await service.deal(id), d.customer == customerID(r) else { throw RecurError.missing("deal", id) }
            return .file(try await service.dealQuotePDF(d.id), contentType: "application/pdf", filename: "\(d.quoteNumber ?? d.id).pdf")
        }
        web.post("/portal/enterprise", .portal) { r in
            try requireBuyer(r)
            do {
                _ = try await service.requestBriefing(customer: customerID(r), plan: r.form["plan"] ?? "", users: r.form.int("users") ?? 0,
                                                      contractMonths: r.form.int("contract_months") ?? 0, annual: r.form["annual"] == "1",
                                                      contactName: r.form["contact_name"] ?? "", contactEmail: r.form["contact_email"] ?? "",
                                                      message: r.form["message"], tier: r.form["tier"], paymentMonths: r.form.int("payment_months"),
                                                      actor: actor(r))
            } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await enterprisePage(r, errors: v, form: "briefing")
            }
            return .redirect("/portal/enterprise", flash: r.w["deal.requested"])
        }
        web.post("/portal/enterprise/event", .portal) { r in
            try requireBuyer(r)
            do {
                let date = try r.form["event_date"].map { try CivilDate(iso: $0) }
                _ = try await service.requestEventQuote(customer: customerID(r), charge: r.form["charge"] ?? "", hours: r.form.int("hours") ?? 0,
                                                        eventDate: date, contactName: r.form["contact_name"] ?? "",
                                                        contactEmail: r.form["contact_email"] ?? "", message: r.form["message"], actor: actor(r))
            } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await enterprisePage(r, errors: v, form: "event")
            }
            return .redirect("/portal/enterprise", flash: r.w["deal.requested"])
        }
    }

    /// What a deal sells: the plan's name, or the event plan's.
    static func dealName(_ d: DealRecord, _ catalog: Catalog) -> String {
        if let c = d.charge { return catalog.charges[c]?.name ?? c.rawValue }
        return catalog.plans[d.plan]?.name ?? d.plan.rawValue
    }

    /// A deal's quoted amount: per month for a plan, once for an event.
    static func quoteAmount(_ d: DealRecord, _ w: Words) -> String {
        if let once = d.quoteOnce { return w("deal.once", ["amount": w.money(once)]) }
        if let cycle = d.quoteCycle { return "\(w.money(cycle)) / \(w[d.paymentMonths == 12 ? "cycle.year" : "cycle.month"])" }
        return d.quoteMonthly.map { "\(w.money($0)) / \(w["cycle.month"])" } ?? ""
    }

    static func dealSteps(_ d: DealRecord, _ w: Words) -> HTML {
        let order: [DealRecord.Stage] = [.briefingRequested, .briefingHeld, .quoted, .applicationReceived, .contracted, .won]
        let reached = order.firstIndex(of: d.stage) ?? -1
        return "<ol class=\"steps\">\(HTML.each(order.enumerated()) { i, s in "<li\(HTML(raw: i <= reached ? " class=\"on\"" : ""))>\(w["deal.stage.\(s.rawValue)"])</li>" })</ol>"
    }

    func enterprisePage(_ r: WebRequest, errors: [RecurEngineErrorView], form which: String?) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let catalog = try await service.catalog()
        // Sales-led plans, and self-service plans also sold under contract (000: Small, Premium).
        let plans = catalog.plans.values.filter { !$0.selfService || $0.contracts == true }.sorted { ($0.product.rawValue, $0.rank) < ($1.product.rawValue, $1.rank) }
        let tiers = plans.flatMap { p in p.tiers.map { (p, $0) } }
        let deals = try await service.listDeals(customer: c.id, stage: nil, limit: 100, startingAfter: nil).items
        let chosen = r.form["plan"] ?? r.query["plan"] ?? plans.first?.id.rawValue
        func v(_ name: String, _ fallback: String) -> String { r.form.pairs.first { $0.0 == name }?.1 ?? fallback }
        let planOptions = HTML.each(plans) { p in
            "<option value=\"\(p.id.rawValue)\"\(HTML(raw: p.id.rawValue == chosen ? " selected" : ""))>\(catalog.products[p.product]?.name ?? "") · \(p.name)</option>"
        }
        let list = HTML.each(deals.reversed()) { d -> HTML in
            let what: String = d.isEvent ? "\(w.number(d.users)) \(w["deal.hours"]) · \(d.eventDate.map { w.date($0) } ?? "")" : "\(w.number(d.users)) \(w["deal.users"])"
            return """
                <section class="card" data-test="deal" data-stage="\(d.stage.rawValue)"><h2>\(Self.dealName(d, catalog)) · \(what)
                <span class="badge \(d.stage.rawValue)">\(w["deal.stage.\(d.stage.rawValue)"])</span></h2>\(Self.dealSteps(d, w))
                \(HTML.when(d.quoteNumber != nil, "<p>\(w("deal.quote_line", ["number": d.quoteNumber ?? "", "amount": Self.quoteAmount(d, w), "until": d.quoteValidUntil.map { w.date($0) } ?? ""])) · <a href=\"/portal/enterprise/deals/\(d.id)/quote.pdf\" data-test=\"quote-pdf\">\(w["deal.quote_pdf"])</a></p>"))
                \(HTML.when(d.invoice != nil, "<p><a href=\"/portal/invoices/\(d.invoice ?? "")\" data-test=\"event-invoice\">\(w["deal.event_invoice"])</a></p>"))
                \(HTML.when(d.contractNumber != nil, "<p>\(w("deal.contract_line", ["number": d.contractNumber ?? "", "start": d.contractStart.map { w.date($0) } ?? ""]))</p>"))
                </section>
                """
        }
        let member = r.session?.memberEmail ?? ""
        let memberName = c.members.first { $0.email.lowercased() == member.lowercased() }?.name
        let form: HTML = HTML.when(r.session?.mayBuy == true, """
            <h2>\(w["deal.request_title"])</h2><p class="muted">\(w["deal.request_help"])</p>
            <form method="post" action="/portal/enterprise" class="stack" data-test="briefing">\(Layout.csrfField(r))
            \(HTML.when(which == "briefing", Layout.errors(w, errors)))<label>\(w["plans.plan"])<select name="plan">\(planOptions)</select></label>
            \(HTML.when(!tiers.isEmpty, "<label>\(w["deal.tier"])<select name=\"tier\"><option value=\"\">—</option>\(HTML.each(tiers) { p, t in "<option value=\"\(t.id)\"\(HTML(raw: v("tier", "") == t.id ? " selected" : ""))>\(p.name) · \(t.name)</option>" })</select></label>"))
            <label>\(w["deal.users_expected"])<input type="number" name="users" min="1" value="\(v("users", "50"))"></label>
            <label>\(w["deal.payment"])<select name="payment_months"><option value="1">\(w["deal.pay_monthly"])</option><option value="12"\(HTML(raw: v("payment_months", "") == "12" ? " selected" : ""))>\(w["deal.pay_yearly"])</option></select></label>
            <label>\(w["deal.contract_months"])<select name="contract_months">\(HTML.each([6, 12, 24]) { m in "<option value=\"\(m)\"\(HTML(raw: v("contract_months", "12") == String(m) ? " selected" : ""))>\(w("cycle.months_count", ["n": String(m)]))</option>" })</select></label>
            <label class="check"><input type="checkbox" name="annual" value="1"\(HTML(raw: r.form.isEmpty || r.form["annual"] == "1" ? " checked" : ""))> \(w["deal.annual"])</label>
            <label>\(w["account.contact_name"])<input name="contact_name" value="\(v("contact_name", memberName ?? c.contacts.first?.name ?? ""))"></label>
            <label>\(w["account.contact_email"])<input name="contact_email" type="email" value="\(v("contact_email", member))"></label>
            <label>\(w["deal.message"])<textarea name="message">\(v("message", ""))</textarea></label>
            <p><button data-test="request-briefing">\(w["deal.request"])</button></p></form>
            """)
        let events = catalog.charges.values.filter { $0.salesLed && $0.prices.contains { $0.currency == c.currency } }.sorted { $0.id < $1.id }
        func ev(_ name: String, _ fallback: String) -> String { which == "event" ? v(name, fallback) : fallback }
        let eventForm: HTML = HTML.when(r.session?.mayBuy == true && !events.isEmpty, """
            <h2>\(w["deal.event_title"])</h2><p class="muted">\(w["deal.event_help"])</p>\(HTML.when(which == "event", Layout.errors(w, errors)))
            <form method="post" action="/portal/enterprise/event" class="stack" data-test="event">\(Layout.csrfField(r))
            <label>\(w["plans.plan"])<select name="charge">\(HTML.each(events) { e in "<option value=\"\(e.id.rawValue)\">\(e.name) · \(w("topup.each", ["price": (try? e.price(in: c.currency, field: "charge")).map { w.money($0) } ?? ""]))</option>" })</select></label>
            <label>\(w["deal.event_date"])<input type="date" name="event_date" value="\(ev("event_date", ""))"></label>
            <label>\(w["deal.hours"])<input type="number" name="hours" min="1" value="\(ev("hours", "4"))"></label>
            <label>\(w["account.contact_name"])<input name="contact_name" value="\(ev("contact_name", memberName ?? c.contacts.first?.name ?? ""))"></label>
            <label>\(w["account.contact_email"])<input name="contact_email" type="email" value="\(ev("contact_email", member))"></label>
            <label>\(w["deal.message"])<textarea name="message">\(ev("message", ""))</textarea></label>
            <p><button data-test="request-event">\(w["deal.event_request"])</button></p></form>
            """)
        return page(r, w["deal.title"], "\(readOnlyNotice(r))\(list)\(form)\(eventForm)", status: errors.isEmpty ? 200 : 422)
    }
}
