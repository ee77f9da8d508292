import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// The sales-led plans (000's Enterprise): the customer asks for a briefing here and
/// follows the deal's steps; staff run the rest in the back office.
extension PortalPages {
    func registerEnterprise() {
        web.get("/portal/enterprise", .portal) { r in try await enterprisePage(r, errors: []) }
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
                                                      message: r.form["message"], actor: actor(r))
            } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await enterprisePage(r, errors: v)
            }
            return .redirect("/portal/enterprise", flash: r.w["deal.requested"])
        }
    }

    static func dealSteps(_ d: DealRecord, _ w: Words) -> HTML {
        let order: [DealRecord.Stage] = [.briefingRequested, .briefingHeld, .quoted, .applicationReceived, .contracted, .won]
        let reached = order.firstIndex(of: d.stage) ?? -1
        return "<ol class=\"steps\">\(HTML.each(order.enumerated()) { i, s in "<li\(HTML(raw: i <= reached ? " class=\"on\"" : ""))>\(w["deal.stage.\(s.rawValue)"])</li>" })</ol>"
    }

    func enterprisePage(_ r: WebRequest, errors: [RecurEngineErrorView]) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let catalog = try await service.catalog()
        let plans = catalog.plans.values.filter { !$0.selfService }.sorted { $0.id.rawValue < $1.id.rawValue }
        let deals = try await service.listDeals(customer: c.id, stage: nil, limit: 100, startingAfter: nil).items
        let chosen = r.form["plan"] ?? r.query["plan"] ?? plans.first?.id.rawValue
        func v(_ name: String, _ fallback: String) -> String { r.form.pairs.first { $0.0 == name }?.1 ?? fallback }
        let planOptions = HTML.each(plans) { p in
            "<option value=\"\(p.id.rawValue)\"\(HTML(raw: p.id.rawValue == chosen ? " selected" : ""))>\(catalog.products[p.product]?.name ?? "") · \(p.name)</option>"
        }
        let list = HTML.each(deals.reversed()) { d -> HTML in
            let plan = catalog.plans[d.plan]
            return """
                <section class="card" data-test="deal" data-stage="\(d.stage.rawValue)"><h2>\(plan?.name ?? d.plan.rawValue) · \(w.number(d.users)) \(w["deal.users"])
                <span class="badge \(d.stage.rawValue)">\(w["deal.stage.\(d.stage.rawValue)"])</span></h2>\(Self.dealSteps(d, w))
                \(HTML.when(d.quoteNumber != nil, "<p>\(w("deal.quote_line", ["number": d.quoteNumber ?? "", "amount": d.quoteMonthly.map { w.money($0) } ?? "", "until": d.quoteValidUntil.map { w.date($0) } ?? ""])) · <a href=\"/portal/enterprise/deals/\(d.id)/quote.pdf\" data-test=\"quote-pdf\">\(w["deal.quote_pdf"])</a></p>"))
                \(HTML.when(d.contractNumber != nil, "<p>\(w("deal.contract_line", ["number": d.contractNumber ?? "", "start": d.contractStart.map { w.date($0) } ?? ""]))</p>"))
                </section>
                """
        }
        let member = r.session?.memberEmail ?? ""
        let memberName = c.members.first { $0.email.lowercased() == member.lowercased() }?.name
        let form: HTML = HTML.when(r.session?.mayBuy == true, """
            <h2>\(w["deal.request_title"])</h2><p class="muted">\(w["deal.request_help"])</p>\(Layout.errors(w, errors))
            <form method="post" action="/portal/enterprise" class="stack" data-test="briefing">\(Layout.csrfField(r))
            <label>\(w["plans.plan"])<select name="plan">\(planOptions)</select></label>
            <label>\(w["deal.users_expected"])<input type="number" name="users" min="1" value="\(v("users", "50"))"></label>
            <label>\(w["deal.contract_months"])<select name="contract_months">\(HTML.each([6, 12, 24]) { m in "<option value=\"\(m)\"\(HTML(raw: v("contract_months", "12") == String(m) ? " selected" : ""))>\(w("cycle.months_count", ["n": String(m)]))</option>" })</select></label>
            <label class="check"><input type="checkbox" name="annual" value="1"\(HTML(raw: r.form.isEmpty || r.form["annual"] == "1" ? " checked" : ""))> \(w["deal.annual"])</label>
            <label>\(w["account.contact_name"])<input name="contact_name" value="\(v("contact_name", memberName ?? c.contacts.first?.name ?? ""))"></label>
            <label>\(w["account.contact_email"])<input name="contact_email" type="email" value="\(v("contact_email", member))"></label>
            <label>\(w["deal.message"])<textarea name="message">\(v("message", ""))</textarea></label>
            <p><button data-test="request-briefing">\(w["deal.request"])</button></p></form>
            """)
        return page(r, w["deal.title"], "\(readOnlyNotice(r))\(list)\(form)", status: errors.isEmpty ? 200 : 422)
    }
}
