import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// One subscription and its tabs (002): employees, details, notes, payment method,
/// invoices, history; its renewal switch, plan changes and cancellation.
extension PortalPages {
    func registerSubscriptions() {
        web.get("/portal/subscriptions/:id", .portal) { try await subscriptionPage($0) }
        web.post("/portal/subscriptions/:id/renewal", .portal) { r in
            try requireBuyer(r)
            let s = try await ownSubscription(r)
            let mode: Subscription.RenewalMode = r.form["mode"] == "manual" ? .manual : .automatic
            _ = try await service.setRenewalMode(subscription: s.id, mode, actor: actor(r))
            return .redirect(r.form["back"] == "details" ? "/portal/subscriptions/\(s.id)?tab=details" : "/portal", flash: r.w["renewal.saved_\(mode.rawValue)"])
        }
        web.post("/portal/subscriptions/:id/cancel", .portal) { r in
            try requireBuyer(r)
            let s = try await ownSubscription(r)
            if r.form["undo"] == "1" { _ = try await service.resume(subscription: s.id, actor: actor(r)) } else {
                _ = try await service.cancel(subscription: s.id, actor: actor(r))
            }
            return .redirect("/portal/subscriptions/\(s.id)?tab=details", flash: r.w[r.form["undo"] == "1" ? "subscription.resumed" : "subscription.cancelled"])
        }
        web.post("/portal/subscriptions/:id/seats", .portal) { try await saveSeats($0) }
        web.post("/portal/subscriptions/:id/notes", .portal) { r in
            try requireBuyer(r)
            let s = try await ownSubscription(r)
            do {
                _ = try await service.addNote(subscription: s.id, text: r.form["text"] ?? "", author: r.session?.memberEmail, actor: actor(r))
            } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await subscriptionPage(r, tab: "notes", errors: v)
            }
            return .redirect("/portal/subscriptions/\(s.id)?tab=notes", flash: r.w["notes.saved"])
        }
        web.post("/portal/subscriptions/:id/payment-method", .portal) { r in
            try requireBuyer(r)
            let s = try await ownSubscription(r)
            do {
                _ = try await service.setPaymentMethod(customer: customerID(r), cardNumber: r.form["card_number"] ?? "", actor: actor(r))
            } catch {
                guard let v = Self.views(error, r.w) else { throw error }
                return try await subscriptionPage(r, tab: "payment", errors: v)
            }
            return .redirect("/portal/subscriptions/\(s.id)?tab=payment", flash: r.w["payment_method.saved"])
        }
        web.get("/portal/subscriptions/:id/change", .portal) { r in try await changePage(r, r.query, errors: []) }
        web.post("/portal/subscriptions/:id/change", .portal) { r in
            r.form["action"] == "apply" ? try await applyChange(r) : try await changePage(r, r.form, errors: [])
        }
    }

    /// The subscription in the path, if it is this customer's; 404 otherwise.
    func ownSubscription(_ r: WebRequest) async throws -> SubscriptionRecord {
        let id = r.param("id")
        guard let s = try? await service.subscription(id), s.subscription.customer.rawValue == customerID(r) else {
            throw RecurError.missing("subscription", id)
        }
        return s
    }

    func subscriptionPage(_ r: WebRequest, tab given: String? = nil, errors: [RecurEngineErrorView] = []) async throws -> WebResponse {
        let w = r.w
        let rec = try await ownSubscription(r)
        let s = rec.subscription
        let catalog = try await service.catalog()
        let c = try await customer(r)
        let plan = catalog.plans[s.plan]
        let product = catalog.products[s.product]?.name ?? s.product.rawValue
        let tab = given ?? r.query["tab"] ?? "employees"
        let tabs = HTML.each(["employees", "details", "notes", "payment", "invoices", "history"]) { t in
            "<a href=\"/portal/subscriptions/\(s.id.rawValue)?tab=\(t)\"\(HTML(raw: t == tab ? " aria-current=\"page\"" : ""))>\(w["tab.\(t)"])</a>"
        }
        let buyer = r.session?.mayBuy == true
        let content: HTML
        switch tab {
        case "details":
            let addOns = HTML.each(s.addOns.sorted { $0.key.rawValue < $1.key.rawValue }) { id, q in "<li>\(catalog.addOns[id]?.name ?? id.rawValue) × \(w.number(q))</li>" }
            let scheduled: HTML = s.scheduledChange.map { ch in
                "<p class=\"notice\">\(w("subscription.scheduled", ["plan": catalog.plans[ch.plan]?.name ?? ch.plan.rawValue, "date": w.date(s.currentPeriod.end)]))</p>"
            } ?? .empty
            let cancelForm: HTML = HTML.when(buyer && s.isLive, """
                <form method="post" action="/portal/subscriptions/\(s.id.rawValue)/cancel" class="inline">\(Layout.csrfField(r))\
                \(HTML.when(s.cancelAtPeriodEnd, "<input type=\"hidden\" name=\"undo\" value=\"1\">"))\
                <button class="\(s.cancelAtPeriodEnd ? "secondary" : "danger")" data-test="cancel">\(w[s.cancelAtPeriodEnd ? "subscription.resume" : "subscription.cancel"])</button></form>
                """)
            let renewalForm: HTML = HTML.when(buyer && s.isLive, """
                <form method="post" action="/portal/subscriptions/\(s.id.rawValue)/renewal" class="inline">\(Layout.csrfField(r))\
                <input type="hidden" name="back" value="details"><input type="hidden" name="mode" value="\(s.renewalMode == .automatic ? "manual" : "automatic")">\
                <button class="secondary">\(w[s.renewalMode == .automatic ? "portal.renewal_to_manual" : "portal.renewal_to_automatic"])</button></form>
                """)
            content = """
                \(scheduled)<dl class="facts"><dt>\(w["plans.plan"])</dt><dd>\(plan?.name ?? s.plan.rawValue)\(s.tier.map { " (\($0))" } ?? "")</dd>
                <dt>\(w["portal.status"])</dt><dd>\(Self.badge(s.status.rawValue, w))</dd>
                <dt>\(w["portal.cycle"])</dt><dd>\(Self.cycleName(s.cycle, w))</dd>
                <dt>\(w["invoice.period"])</dt><dd data-test="period">\(w.date(s.currentPeriod.start)) – \(w.date(s.currentPeriod.inclusiveEnd))</dd>
                \(HTML.when(s.trialEnd != nil && s.status == .trialing, "<dt>\(w["portal.trial_ends"])</dt><dd>\(s.trialEnd.map { w.date($0) } ?? "")</dd>"))
                <dt>\(w["checkout.seats"])</dt><dd data-test="seats">\(w.number(s.seats))</dd>
                <dt>\(w["checkout.step_addons"])</dt><dd><ul>\(addOns)</ul></dd>
                <dt>\(w["portal.renewal"])</dt><dd>\(w["renewal.\(s.renewalMode.rawValue)"])\(s.cancelAtPeriodEnd ? " · " + w["subscription.ends_at_period_end"] : "")</dd>
                <dt>\(w["portal.started"])</dt><dd>\(w.date(s.startedOn))</dd></dl>
                <p>\(HTML.when(buyer && s.isLive, "<a class=\"button\" href=\"/portal/subscriptions/\(s.id.rawValue)/change\" data-test=\"change\">\(w["subscription.change"])</a> "))\(renewalForm) \(cancelForm)</p>
                """
        case "notes":
            let notes = try await service.notes(subscription: s.id.rawValue)
            let list = HTML.each(notes.reversed()) { n in "<li><span class=\"muted\">\(n.author ?? "") · \(w.date(CivilDate(n.created, in: .gmt)))</span><br>\(n.text)</li>" }
            content = """
                \(Layout.errors(w, errors))<ul data-test="notes">\(list)</ul>
                \(HTML.when(buyer, "<form method=\"post\" action=\"/portal/subscriptions/\(s.id.rawValue)/notes\" class=\"stack\">\(Layout.csrfField(r))<label>\(w["notes.new"])<textarea name=\"text\" required></textarea></label><p><button>\(w["form.save"])</button></p></form>"))
                """
        case "payment":
            let method: HTML = c.paymentMethod.map { m in "<p data-test=\"payment-method\">\(w["payment_method.card"]) •••• \(m.last4) <span class=\"muted\">(\(m.kind))</span></p>" }
                ?? "<p class=\"muted\">\(w["payment_method.none"])</p>"
            content = """
                \(Layout.errors(w, errors))\(method)<p class="muted">\(w["payment_method.help"])</p>
                \(HTML.when(buyer && service.payments.sandbox, """
                    <form method="post" action="/portal/subscriptions/\(s.id.rawValue)/payment-method" class="stack">\(Layout.csrfField(r))\
                    <label>\(w["payment_method.card_number"])<input name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242"></label>\
                    <p class="muted">\(w["payment_method.sandbox_help"])</p><p><button>\(w["payment_method.update"])</button></p></form>
                    """))
                """
        case "invoices":
            let invoices = try await service.listInvoices(customer: c.id, subscription: s.id.rawValue, status: nil, limit: 100, startingAfter: nil).items
            content = Self.invoiceTable(invoices.reversed(), w)
        case "history":
            let entries = try await service.audit(customer: c.id, target: s.id.rawValue, limit: 100, startingAfter: nil).items
            let rows = HTML.each(entries.reversed()) { a in
                "<tr><td>\(w.date(CivilDate(a.created, in: TimeZone(identifier: c.timeZone) ?? .gmt)))</td><td>\(w["audit.\(a.action)"] == "audit.\(a.action)" ? a.action : w["audit.\(a.action)"])</td><td class=\"muted\">\(a.actor)</td></tr>"
            }
            content = "<div class=\"table\"><table data-test=\"history\"><thead><tr><th>\(w["history.date"])</th><th>\(w["history.what"])</th><th>\(w["history.who"])</th></tr></thead><tbody>\(rows)</tbody></table></div>"
        default:
            content = try await employeesTab(r, rec, plan: plan, errors: errors)
        }
        let body: HTML = """
            \(readOnlyNotice(r))<p>\(Self.badge(s.status.rawValue, w)) · \(plan?.name ?? "") · \(Self.cycleName(s.cycle, w))</p>
            <nav class="tabs">\(tabs)</nav>\(content)
            """
        return page(r, product, body, status: errors.isEmpty ? 200 : 422)
    }

    /// Who holds the seats and who may use the business tools (002), as many as the plan allows.
    func employeesTab(_ r: WebRequest, _ rec: SubscriptionRecord, plan: Plan?, errors: [RecurEngineErrorView]) async throws -> HTML {
        let w = r.w
        let s = rec.subscription
        let tools = plan?.limits.quotas[.businessToolsUsers]
        let given = r.form.all("email")
        let current: [SeatAssignment] = given.isEmpty ? rec.seatAssignments : zip(given, r.form.all("name")).enumerated().map { i, p in
            SeatAssignment(email: p.0, name: p.1, businessTools: r.form.all("tools").contains(String(i)))
        }
        let rows = max(current.count + 2, min(s.seats, current.count + 5))
        let buyer = r.session?.mayBuy == true
        let disabled = HTML(raw: buyer ? "" : " disabled")
        let lines = HTML.each(0..<rows) { i -> HTML in
            let a = i < current.count ? current[i] : nil
            return """
                <tr><td><input name="email" type="email" value="\(a?.email ?? "")" aria-label="E-mail \(i + 1)"\(disabled)></td>
                <td><input name="name" value="\(a?.name ?? "")" aria-label="\(w["account.contact_name"]) \(i + 1)"\(disabled)></td>
                <td><label class="check"><input type="checkbox" name="tools" value="\(i)"\(HTML(raw: a?.businessTools == true ? " checked" : ""))\(disabled)> \(w["employees.tools"])</label></td></tr>
                """
        }
        let toolsText = tools.map { l -> String in
            switch l {
            case .unlimited: w["quota.unlimited"]
            case .finite(let n): w.number(n)
            }
        } ?? "0"
        return """
            \(Layout.errors(w, errors))<p data-test="seat-count">\(w("employees.count", ["assigned": w.number(rec.seatAssignments.count), "seats": w.number(s.seats), "tools": toolsText]))</p>
            <form method="post" action="/portal/subscriptions/\(s.id.rawValue)/seats">\(Layout.csrfField(r))
            <div class="table"><table data-test="employees"><thead><tr><th>E-mail</th><th>\(w["account.contact_name"])</th><th>\(w["employees.tools_title"])</th></tr></thead>
            <tbody>\(lines)</tbody></table></div>\(HTML.when(buyer, "<p><button data-test=\"save-seats\">\(w["form.save"])</button></p>"))</form>
            """
    }

    func saveSeats(_ r: WebRequest) async throws -> WebResponse {
        try requireBuyer(r)
        let s = try await ownSubscription(r)
        let emails = r.form.all("email"), names = r.form.all("name"), tools = Set(r.form.all("tools"))
        var assignments: [SeatAssignment] = []
        for (i, email) in emails.enumerated() {
            let e = email.trimmingCharacters(in: .whitespaces)
            guard !e.isEmpty else { continue }
            let name = i < names.count ? names[i].trimmingCharacters(in: .whitespaces) : ""
            assignments.append(SeatAssignment(email: e, name: name.isEmpty ? nil : name, businessTools: tools.contains(String(i))))
        }
        do {
            _ = try await service.setSeatAssignments(subscription: s.id, assignments, actor: actor(r))
        } catch {
            guard let v = Self.views(error, r.w) else { throw error }
            return try await subscriptionPage(r, tab: "employees", errors: v)
        }
        return .redirect("/portal/subscriptions/\(s.id)?tab=employees", flash: r.w["employees.saved"])
    }

    // MARK: Changes: upgrade now with proration, downgrade at period end (002: compare and upgrade)

    static func changeRequest(_ f: FormData, _ s: Subscription, catalog: Catalog) -> ChangeRequest {
        var addOns: [String: Int]?
        let fields = f.pairs.filter { $0.0.hasPrefix("addon.") }
        if !fields.isEmpty {
            addOns = [:]
            for (k, v) in fields { addOns?[String(k.dropFirst(6))] = Int(v.trimmingCharacters(in: .whitespaces)) ?? 0 }
        }
        return ChangeRequest(plan: f["plan"], tier: f["tier"], seats: f.int("seats"), cycleMonths: f.int("cycle"), addOns: addOns)
    }

    func changePage(_ r: WebRequest, _ f: FormData, errors given: [RecurEngineErrorView]) async throws -> WebResponse {
        try requireBuyer(r)
        let w = r.w
        let rec = try await ownSubscription(r)
        let s = rec.subscription
        let catalog = try await service.catalog()
        var errors = given
        let request = Self.changeRequest(f, s, catalog: catalog)
        var preview: ChangeResult?
        if errors.isEmpty {
            do { preview = try await service.previewChange(subscription: s.id.rawValue, request) } catch {
                guard let v = Self.views(error, w) else { throw error }
                errors = v
            }
        }
        let planID = request.plan.map { PlanID($0) } ?? s.plan
        let plans = catalog.plans(of: s.product).filter { $0.selfService }
        let planChoices = HTML.each(plans) { p in
            "<label class=\"check\"><input type=\"radio\" name=\"plan\" value=\"\(p.id.rawValue)\"\(HTML(raw: p.id == planID ? " checked" : ""))> \(p.name)\(p.id == s.plan ? " (" + w["plans.current"] + ")" : "")</label>"
        }
        let chosen = catalog.plans[planID]
        let addOns = catalog.addOns.values.filter { $0.products.contains(s.product) }.sorted { $0.id.rawValue < $1.id.rawValue }
        let addOnFields = HTML.each(addOns) { a in
            "<label>\(a.name)<input type=\"number\" min=\"0\" name=\"addon.\(a.id.rawValue)\" value=\(request.addOns?[a.id.rawValue] ?? s.addOns[a.id] ?? 0)></label>"
        }
        let lines: HTML = preview.map { p in
            let rows = HTML.each(p.lines) { l in
                "<tr><td>\(l.description)</td><td>\(l.period.map { "\(w.date($0.start)) – \(w.date($0.inclusiveEnd))" } ?? "")</td><td class=\"num\">\(w.money(l.total))</td></tr>"
            }
            let total = (try? p.totals.total).map { w.money($0) } ?? ""
            let when: HTML = p.lines.isEmpty ? "<p class=\"notice\" data-test=\"scheduled\">\(w("change.at_period_end", ["date": w.date(s.currentPeriod.end)]))</p>" : .empty
            return """
                \(when)<div class="table"><table data-test="change-lines"><thead><tr><th>\(w["invoice.description"])</th><th>\(w["invoice.period"])</th><th class="num">\(w["invoice.amount"])</th></tr></thead>
                <tbody>\(rows)</tbody><tfoot><tr><td colspan="2"><strong>\(w["change.due_now"])</strong></td><td class="num total" data-test="due-now">\(total)</td></tr></tfoot></table></div>
                """
        } ?? .empty
        let gateways = HTML.each(service.payments.enabled.enumerated()) { i, g in
            "<label class=\"check\"><input type=\"radio\" name=\"gateway\" value=\"\(g)\"\(HTML(raw: (f["gateway"] ?? service.payments.enabled.first) == g ? " checked" : ""))> \(w["gateway.\(g)"])</label>"
        }
        let body: HTML = """
            \(Layout.errors(w, errors))<form method="post" action="/portal/subscriptions/\(s.id.rawValue)/change" class="stack">\(Layout.csrfField(r))
            <fieldset><legend>\(w["plans.plan"])</legend>\(planChoices)</fieldset>
            \(HTML.when(chosen?.isPerSeat == true, "<label>\(w["checkout.seats"])<input type=\"number\" name=\"seats\" min=\"1\" value=\"\(request.seats ?? s.seats)\" data-test=\"seats\"></label>"))
            <label>\(w["checkout.cycle"])<select name="cycle">\(HTML.each([1, 12]) { m in "<option value=\"\(m)\"\(HTML(raw: (request.cycleMonths ?? s.cycle.months) == m ? " selected" : ""))>\(Self.cycleName((try? BillingCycle(months: m)) ?? .monthly, w))</option>" })</select></label>
            \(addOnFields)
            <p><button name="action" value="preview" class="secondary" data-test="preview">\(w["checkout.update"])</button></p>
            \(lines)
            <fieldset><legend>\(w["checkout.gateway"])</legend>\(gateways)</fieldset>
            <p><button name="action" value="apply" data-test="apply">\(w["change.apply"])</button></p></form>
            """
        return page(r, w("change.title", ["product": catalog.products[s.product]?.name ?? ""]), body, status: errors.isEmpty ? 200 : 422)
    }

    func applyChange(_ r: WebRequest) async throws -> WebResponse {
        try requireBuyer(r)
        let rec = try await ownSubscription(r)
        let catalog = try await service.catalog()
        let outcome: ChangeOutcome
        do {
            outcome = try await service.applyChange(subscription: rec.id, Self.changeRequest(r.form, rec.subscription, catalog: catalog), actor: actor(r))
        } catch {
            guard let v = Self.views(error, r.w) else { throw error }
            return try await changePage(r, r.form, errors: v)
        }
        guard let invoice = outcome.invoice, invoice.amountDue.minorUnits > 0 else {
            return .redirect("/portal/subscriptions/\(rec.id)?tab=details", flash: r.w["change.done"])
        }
        return try await pay(r, invoice: invoice, gateway: r.form["gateway"] ?? "bank_transfer", saveMethod: false)
    }
}
