import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// Support and custom implementation (002): support only with an active paid plan, from
/// one channel at a time — the vendor or a partner; implementation requests to a partner.
extension PortalPages {
    func registerSupport() {
        web.get("/portal/support", .portal) { r in try await supportPage(r, errors: [], form: nil) }
        web.post("/portal/support/channel", .portal) { r in
            try requireBuyer(r)
            do { _ = try await service.setSupportChannel(customer: customerID(r), r.form["channel"] ?? "", actor: actor(r)) } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await supportPage(r, errors: v, form: "channel")
            }
            return .redirect("/portal/support", flash: r.w["support.channel_saved"])
        }
        web.post("/portal/support/requests", .portal) { r in
            let kind: ServiceRequestRecord.Kind = r.form["kind"] == "implementation" ? .implementation : .support
            do {
                _ = try await service.sendServiceRequest(customer: customerID(r), kind: kind, partner: r.form["partner"], subject: r.form["subject"] ?? "",
                                                         message: r.form["message"] ?? "", contactEmail: r.form["contact_email"] ?? "", actor: actor(r))
            } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await supportPage(r, errors: v, form: kind.rawValue)
            }
            return .redirect("/portal/support", flash: r.w["support.sent"])
        }
    }

    func supportPage(_ r: WebRequest, errors: [RecurEngineErrorView], form: String?) async throws -> WebResponse {
        let w = r.w
        let id = customerID(r)
        let entitled = try await service.supportEntitled(customer: id)
        let channel = try await service.supportChannel(customer: id)
        let partners = service.partners
        let requests = try await service.listServiceRequests(customer: id, status: nil, limit: 100, startingAfter: nil).items
        func errs(_ name: String) -> HTML { form == name ? Layout.errors(w, errors) : .empty }
        func v(_ name: String) -> String { r.form.pairs.first { $0.0 == name }?.1 ?? "" }
        func name(_ channel: String) -> String { channel == "vendor" ? w["support.vendor"] : partners.first { $0.id == channel }?.name ?? channel }
        let channels = HTML.each(["vendor"] + partners.map(\.id)) { c in
            "<label class=\"check\"><input type=\"radio\" name=\"channel\" value=\"\(c)\"\(HTML(raw: c == channel ? " checked" : ""))> \(name(c))</label>"
        }
        let partnerOptions = HTML.each(partners) { p in "<option value=\"\(p.id)\"\(HTML(raw: v("partner") == p.id ? " selected" : ""))>\(p.name)</option>" }
        let rows = HTML.each(requests.reversed()) { q in
            "<tr><td>\(w.date(CivilDate(q.created, in: .gmt)))</td><td>\(w["support.kind.\(q.kind.rawValue)"])</td><td>\(name(q.routedTo))</td><td>\(q.subject)</td><td>\(Self.badge(q.status.rawValue, w))</td></tr>"
        }
        let member = r.session?.memberEmail ?? ""
        let entitlement: HTML = entitled
            ? "<p data-test=\"entitled\">\(w("support.entitled", ["channel": name(channel)]))</p>"
            : "<p class=\"notice\" data-test=\"not-entitled\">\(w["support.not_entitled"]) <a href=\"/portal/plans\">\(w["portal.see_plans"])</a></p>"
        let body: HTML = """
            <section class="card" data-test="support-entitlement"><h2>\(w["support.title_support"])</h2>
            \(entitlement)
            \(errs("channel"))\(HTML.when(entitled && r.session?.mayBuy == true, """
                <form method="post" action="/portal/support/channel" class="stack" data-test="channel">\(Layout.csrfField(r))<fieldset><legend>\(w["support.channel"])</legend>\(channels)</fieldset>
                <p class="muted">\(w["support.one_channel"])</p><p><button class="secondary">\(w["form.save"])</button></p></form>
                """))
            \(errs("support"))\(HTML.when(entitled, """
                <form method="post" action="/portal/support/requests" class="stack" data-test="support-request">\(Layout.csrfField(r))<input type="hidden" name="kind" value="support">
                <label>\(w["support.subject"])<input name="subject" value="\(form == "support" ? v("subject") : "")"></label>
                <label>\(w["support.message"])<textarea name="message">\(form == "support" ? v("message") : "")</textarea></label>
                <label>\(w["account.contact_email"])<input name="contact_email" type="email" value="\(form == "support" ? v("contact_email") : member)"></label>
                <p><button>\(w["support.send"])</button></p></form>
                """))</section>
            <section class="card"><h2>\(w["support.title_implementation"])</h2><p class="muted">\(w["support.implementation_help"])</p>\(errs("implementation"))
            <form method="post" action="/portal/support/requests" class="stack" data-test="implementation-request">\(Layout.csrfField(r))<input type="hidden" name="kind" value="implementation">
            <label>\(w["support.partner"])<select name="partner">\(partnerOptions)</select></label>
            <label>\(w["support.subject"])<input name="subject" value="\(form == "implementation" ? v("subject") : "")"></label>
            <label>\(w["support.message"])<textarea name="message">\(form == "implementation" ? v("message") : "")</textarea></label>
            <label>\(w["account.contact_email"])<input name="contact_email" type="email" value="\(form == "implementation" ? v("contact_email") : member)"></label>
            <p><button>\(w["support.send"])</button></p></form></section>
            \(HTML.when(!requests.isEmpty, "<h2>\(w["support.requests"])</h2><div class=\"table\"><table data-test=\"requests\"><tbody>\(rows)</tbody></table></div>"))
            """
        return page(r, w["support.title"], body, status: errors.map { WebRouter.status(RecurError.Code(rawValue: $0.code)) }.max() ?? 200)
    }
}
