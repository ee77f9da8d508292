import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// The sales-led flow of the Enterprise plan (000), one step per form: briefing, the
/// optional documents, quote, service application form, contract, subscription.
extension BackOfficePages {
    func registerDeals() {
        web.get("/admin/deals", .staff(.finance)) { r in try await dealsPage(r) }
        web.get("/admin/deals/:id", .staff(.finance)) { r in try await dealPage(r, errors: []) }
        web.get("/admin/deals/:id/quote.pdf", .staff(.finance)) { r in
            let d = try await service.deal(r.param("id"))
            return .file(try await service.dealQuotePDF(d.id), contentType: "application/pdf", filename: "\(d.quoteNumber ?? d.id).pdf")
        }
        web.post("/admin/deals/:id", .staff(.sales)) { r in
            let id = r.param("id")
            guard let action = dealAction(r.form) else {
                return try await dealPage(r, errors: [RecurEngineErrorView(code: "request.invalid", field: "action", text: r.w["deal.unknown_action"])])
            }
            do {
                _ = try await service.advanceDeal(id, action, actor: actor(r))
            } catch {
                guard let v = PortalPages.views(error, r.w) else { throw error }
                return try await dealPage(r, errors: v)
            }
            return .redirect("/admin/deals/\(id)", flash: r.w["deal.saved"])
        }
    }

    func dealAction(_ f: FormData) -> DealAction? {
        let kind = f["document"].flatMap(DealRecord.DocumentKind.init(rawValue:))
        switch f["action"] {
        case "hold_briefing": return .holdBriefing(note: f["note"])
        case "request_document": return kind.map { .requestDocument($0) }
        case "complete_document": return kind.map { .completeDocument($0) }
        case "send_quote": return .sendQuote
        case "receive_application":
            return .receiveApplication(legalName: f["legal_name"] ?? "", taxID: f["tax_id"], address: f["address"] ?? "", signatory: f["signatory"] ?? "")
        case "sign_contract":
            guard let text = f["start"], let start = try? CivilDate(iso: text) else { return nil }
            return .signContract(start: start)
        case "start_subscription": return .startSubscription
        case "lose": return .lose(reason: f["reason"] ?? "")
        default: return nil
        }
    }

    func dealsPage(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        let stage = r.query["stage"]
        let deals = try await service.listDeals(customer: nil, stage: stage, limit: 100, startingAfter: nil).items
        let catalog = try await service.catalog()
        var names: [String: String] = [:]
        for d in deals where names[d.customer] == nil { names[d.customer] = (try? await service.customer(d.customer))?.name ?? d.customer }
        let filters = HTML.each([nil] + DealRecord.Stage.allCases.map(\.rawValue)) { s in
            "<a href=\"/admin/deals\(s.map { "?stage=\($0)" } ?? "")\"\(HTML(raw: s == stage ? " aria-current=\"page\"" : ""))>\(s.map { w["deal.stage.\($0)"] } ?? w["deal.all"])</a>"
        }
        let rows = HTML.each(deals.reversed()) { d in
            """
            <tr data-deal="\(d.id)"><td><a href="/admin/deals/\(d.id)">\(names[d.customer] ?? d.customer)</a></td><td>\(PortalPages.dealName(d, catalog))</td>
            <td class="num">\(w.number(d.users))</td><td>\(w("cycle.months_count", ["n": String(d.contractMonths)]))</td>
            <td><span class="badge \(d.stage.rawValue)">\(w["deal.stage.\(d.stage.rawValue)"])</span></td><td>\(w.date(CivilDate(d.created, in: .gmt)))</td></tr>
            """
        }
        return page(r, w["admin.nav.deals"], """
            <nav class="tabs">\(filters)</nav><div class="table"><table data-test="deals"><thead><tr><th>\(w["portal.customer"])</th><th>\(w["plans.plan"])</th>
            <th class="num">\(w["deal.users"])</th><th>\(w["deal.contract_months"])</th><th>\(w["portal.status"])</th><th>\(w["invoice.date"])</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """)
    }

    func dealPage(_ r: WebRequest, errors: [RecurEngineErrorView]) async throws -> WebResponse {
        let w = r.w
        let d = try await service.deal(r.param("id"))
        let c = try await service.customer(d.customer)
        let catalog = try await service.catalog()
        func form(_ action: String, _ label: String, _ fields: HTML = .empty, danger: Bool = false) -> HTML {
            """
            <form method="post" action="/admin/deals/\(d.id)" class="stack card" data-test="deal-\(action)">\(Layout.csrfField(r))\
            <input type="hidden" name="action" value="\(action)">\(fields)<p><button\(HTML(raw: danger ? " class=\"danger\"" : ""))>\(label)</button></p></form>
            """
        }
        var actions: HTML = .empty
        switch d.stage {
        case .briefingRequested:
            actions = form("hold_briefing", w["deal.hold_briefing"], "<label>\(w["deal.note"])<textarea name=\"note\"></textarea></label>")
        case .briefingHeld:
            let open = d.documents.filter { $0.completedOn == nil }
            let requestable = DealRecord.DocumentKind.allCases.filter { k in !d.documents.contains { $0.kind == k } }
            if d.annual && !requestable.isEmpty {
                actions = form("request_document", w["deal.request_document"],
                               "<label>\(w["deal.document"])<select name=\"document\">\(HTML.each(requestable) { "<option value=\"\($0.rawValue)\">\(w["deal.doc.\($0.rawValue)"])</option>" })</select></label>")
            }
            for doc in open {
                actions = "\(actions)\(form("complete_document", w("deal.complete_document", ["document": w["deal.doc.\(doc.kind.rawValue)"]]), "<input type=\"hidden\" name=\"document\" value=\"\(doc.kind.rawValue)\">"))"
            }
            actions = "\(actions)\(form("send_quote", w["deal.send_quote"]))"
        case .quoted:
            actions = form("receive_application", w["deal.receive_application"], """
                <label>\(w["deal.legal_name"])<input name="legal_name" value="\(c.name)"></label><label>\(w["account.tax_id"])<input name="tax_id" value="\(c.taxID ?? "")"></label>
                <label>\(w["account.address"])<textarea name="address">\(c.address ?? "")</textarea></label><label>\(w["deal.signatory"])<input name="signatory"></label>
                """)
            actions = "\(actions)\(form("send_quote", w["deal.send_quote_again"]))"
        case .applicationReceived:
            let today = CivilDate(service.clock.now(), in: TimeZone(identifier: c.timeZone) ?? .gmt)
            actions = form("sign_contract", w["deal.sign_contract"], "<label>\(w["deal.start"])<input name=\"start\" type=\"date\" value=\"\(today.adding(months: 1).startOfMonth.description)\"></label>")
        case .contracted:
            actions = form("start_subscription", d.isEvent ? w["deal.issue_event_invoice"] : w["deal.start_subscription"])
        case .won, .lost:
            break
        }
        if ![.won, .lost].contains(d.stage) {
            actions = "\(actions)\(form("lose", w["deal.lose"], "<label>\(w["deal.reason"])<input name=\"reason\"></label>", danger: true))"
        }
        let docs = HTML.each(d.documents) { doc in
            "<li>\(w["deal.doc.\(doc.kind.rawValue)"]): \(doc.completedOn.map { w("deal.doc_done", ["date": w.date($0)]) } ?? w("deal.doc_requested", ["date": w.date(doc.requestedOn)]))</li>"
        }
        let history = HTML.each(d.history.reversed()) { s in
            "<tr><td>\(w.date(CivilDate(s.at, in: .gmt)))</td><td>\(s.action)</td><td class=\"muted\">\(s.by)</td><td>\(s.note ?? "")</td></tr>"
        }
        let body: HTML = """
            \(PortalPages.dealSteps(d, w))\(Layout.errors(w, errors))
            <div class="cards"><section class="card"><dl class="facts">
            <dt>\(w["portal.customer"])</dt><dd><a href="/admin/customers/\(c.id)">\(c.name)</a></dd>
            <dt>\(w["plans.plan"])</dt><dd>\(PortalPages.dealName(d, catalog))\(d.tier.map { t in " · " + (catalog.plans[d.plan]?.tiers.first { $0.id == t }?.name ?? t) } ?? "")</dd>
            \(HTML.when(d.paymentMonths != nil, "<dt>\(w["deal.payment"])</dt><dd data-test=\"payment\">\(d.paymentMonths == 12 ? w["deal.pay_yearly"] : w["deal.pay_monthly"])</dd>"))
            \(d.isEvent ? "<dt>\(w["deal.event_date"])</dt><dd data-test=\"event-date\">\(d.eventDate.map { w.date($0) } ?? "")</dd><dt>\(w["deal.hours"])</dt><dd>\(w.number(d.users))</dd>" as HTML
                : "<dt>\(w["deal.users"])</dt><dd>\(w.number(d.users))</dd><dt>\(w["deal.contract_months"])</dt><dd>\(w("cycle.months_count", ["n": String(d.contractMonths)]))\(d.annual ? " · " + w["deal.annual_short"] : "")</dd>")
            <dt>\(w["account.contact"])</dt><dd>\(d.contactName) · \(d.contactEmail)</dd>
            \(HTML.when(d.quoteNumber != nil, "<dt>\(w["deal.quote"])</dt><dd data-test=\"quote\">\(d.quoteNumber ?? "") · \(PortalPages.quoteAmount(d, w)) · \(w("deal.valid_until", ["date": d.quoteValidUntil.map { w.date($0) } ?? ""])) · <a href=\"/admin/deals/\(d.id)/quote.pdf\" data-test=\"quote-pdf\">\(w["deal.quote_pdf"])</a></dd>"))
            \(HTML.when(d.application != nil, "<dt>\(w["deal.application"])</dt><dd>\(d.application?.legalName ?? "") · \(d.application?.signatory ?? "")</dd>"))
            \(HTML.when(d.contractNumber != nil, "<dt>\(w["deal.contract"])</dt><dd data-test=\"contract\">\(d.contractNumber ?? "") · \(d.contractStart.map { w.date($0) } ?? "")</dd>"))
            \(HTML.when(d.invoice != nil, "<dt>\(w["admin.invoice"])</dt><dd data-test=\"invoice\"><a href=\"/admin/invoices/\(d.invoice ?? "")\">\(d.invoice ?? "")</a></dd>"))
            \(HTML.when(d.subscription != nil, "<dt>\(w["deal.subscription"])</dt><dd data-test=\"subscription\">\(d.subscription ?? "")</dd>"))
            \(HTML.when(d.lostReason != nil, "<dt>\(w["deal.reason"])</dt><dd>\(d.lostReason ?? "")</dd>"))
            </dl>\(HTML.when(!d.documents.isEmpty, "<h2>\(w["deal.documents"])</h2><ul>\(docs)</ul>"))\(HTML.when(d.message != nil, "<p class=\"muted\">\(d.message ?? "")</p>"))</section>
            <div>\(actions)</div></div>
            <h2>\(w["tab.history"])</h2><div class="table"><table><tbody>\(history)</tbody></table></div>
            """
        return page(r, w("deal.title_one", ["customer": c.name]), body,
                    status: errors.map { WebRouter.status(RecurError.Code(rawValue: $0.code)) }.max() ?? 200)
    }
}
