import Foundation
import HummingbirdCore
import Hummingbird
public import RecurCore
import RecurEngine

/// The customer portal: one member of one customer, signed in through a link the
/// vendor's application made (`POST /v1/portal-sessions`) or, on a demo instance, the
/// demo sign-in. Every page reads only the session's customer: an id of another
/// customer's subscription, invoice or payment answers 404, as an unknown one does.
struct PortalPages: Sendable {
    let web: WebRouter
    var service: RecurService { web.service }

    func register() {
        web.get("/portal/sign-in", .none) { try await signIn($0) }
        web.post("/portal/demo", .none) { try await demoSignIn($0) }
        web.get("/portal/enter/:token", .none) { try await enter($0) }
        web.post("/portal/sign-out", .none) { r in
            if let token = r.token { try await service.endSession(token: token) }
            return .signOut(to: "/portal/sign-in")
        }
        web.get("/portal", .portal) { try await overview($0) }
        web.get("/portal/plans", .portal) { try await plans($0) }
        web.get("/portal/account", .portal) { try await account($0, errors: []) }
        web.post("/portal/account", .portal) { try await saveAccount($0) }
        registerCheckout()
        registerSubscriptions()
        registerInvoices()
        registerEnterprise()
        registerSupport()
        registerTopUp()
    }

    // MARK: Helpers

    func customerID(_ r: WebRequest) -> String { r.session?.customer ?? "" }

    func customer(_ r: WebRequest) async throws -> CustomerRecord { try await service.customer(customerID(r)) }

    func page(_ r: WebRequest, _ title: String, _ body: HTML, status: Int = 200) -> WebResponse {
        .page(Layout.page(r, title: title, area: .portal, body), status: status)
    }

    /// Members without the billing role look but do not buy or change (004).
    func requireBuyer(_ r: WebRequest) throws {
        guard r.session?.mayBuy == true else {
            throw RecurError(.portalReadOnly, field: "role", "Only owners and billing admins may buy or change; \(r.session?.memberEmail ?? "this member") may look only")
        }
    }

    static func views(_ error: any Error, _ w: Words) -> [RecurEngineErrorView]? {
        switch error {
        case let e as RecurError: [RecurEngineErrorView(code: e.code.rawValue, field: e.field, text: w.error(e))]
        case let e as RecurErrors: e.errors.map { RecurEngineErrorView(code: $0.code.rawValue, field: $0.field, text: w.error($0)) }
        default: nil
        }
    }

    func readOnlyNotice(_ r: WebRequest) -> HTML {
        HTML.when(r.session?.mayBuy != true, "<p class=\"notice\" data-test=\"read-only\">\(r.w["portal.read_only"])</p>")
    }

    static func badge(_ status: String, _ w: Words) -> HTML { "<span class=\"badge \(status)\">\(w["status.\(status)"])</span>" }

    // MARK: Sign-in

    func signIn(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        var demo: HTML = .empty
        if web.options.demo {
            let customers = try await service.listCustomers(email: nil, limit: 100, startingAfter: nil).items
            let rows = HTML.each(customers) { c in
                HTML.each(c.members) { m in
                    """
                    <tr><td>\(c.name)</td><td>\(m.name ?? "")<br><span class="muted">\(m.email)</span></td><td>\(w["role.\(m.role.rawValue)"])</td>
                    <td><form method="post" action="/portal/demo" class="inline">\(Layout.csrfField(r))<input type="hidden" name="customer" value="\(c.id)">\
                    <input type="hidden" name="member" value="\(m.email)"><button data-test="demo-\(m.email)">\(w["portal.sign_in_as"])</button></form></td></tr>
                    """
                }
            }
            demo = """
                <h2>\(w["portal.demo_title"])</h2><p class="muted">\(w["portal.demo_text"])</p>
                <div class="table"><table><thead><tr><th>\(w["portal.customer"])</th><th>\(w["portal.member"])</th><th>\(w["portal.role"])</th><th></th></tr></thead>
                <tbody>\(rows)</tbody></table></div>
                """
        }
        return .page(Layout.page(r, title: w["portal.sign_in_title"], area: .portal, "<p>\(w["portal.sign_in_text"])</p>\(demo)"))
    }

    func demoSignIn(_ r: WebRequest) async throws -> WebResponse {
        guard web.options.demo else { throw RecurError.notFoundPage() }
        let start = try await service.startPortalSession(customer: r.form["customer"] ?? "", memberEmail: r.form["member"] ?? "")
        return .signIn(token: start.token, to: "/portal")
    }

    func enter(_ r: WebRequest) async throws -> WebResponse {
        let (start, _) = try await service.enterPortal(token: r.param("token"))
        return .signIn(token: start.token, to: "/portal")
    }

    // MARK: Overview: the subscription page (002, 003, 004)

    func overview(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let catalog = try await service.catalog()
        let subs = try await service.listSubscriptions(customer: c.id, status: nil, limit: 100, startingAfter: nil).items
        let ent = try await service.entitlements(customer: c.id)
        let openInvoices = try await service.listInvoices(customer: c.id, subscription: nil, status: "open", limit: 100, startingAfter: nil).items
        var body: HTML = readOnlyNotice(r)
        if subs.contains(where: { [.locked, .expired, .pastDue].contains($0.subscription.status) }) || !openInvoices.isEmpty {
            body = "\(body)<div class=\"notice\" data-test=\"pay-notice\">\(w["portal.locked_notice"]) <a href=\"/portal/invoices\">\(w["portal.pay_now"])</a></div>"
        }
        if subs.isEmpty {
            body = "\(body)<div class=\"card\"><p>\(w["portal.no_subscriptions"])</p><p><a class=\"button\" href=\"/portal/plans\">\(w["portal.see_plans"])</a></p></div>"
        }
        let cards = HTML.each(subs) { rec -> HTML in
            let s = rec.subscription
            let product = catalog.products[s.product]?.name ?? s.product.rawValue
            let plan = catalog.plans[s.plan]
            let access = ent.products[s.product]
            let dateKey = s.status == .trialing ? "portal.trial_ends" : (s.cancelAtPeriodEnd || s.renewalMode == .manual ? "portal.expires_on" : "portal.renews_on")
            let endDate = s.status == .trialing ? (s.trialEnd ?? s.currentPeriod.end) : s.currentPeriod.end
            let meters = HTML.each(Self.shownQuotas) { q -> HTML in
                guard let limits = access?.limits, let limit = limits.quotas[q] else { return .empty }
                let used = access?.usage[q] ?? 0
                return Self.meter(w, label: w["quota.\(q.rawValue)"], used: used, limit: limit, quota: q)
            }
            let renewal: HTML = HTML.when(r.session?.mayBuy == true && s.isLive, """
                <form method="post" action="/portal/subscriptions/\(s.id.rawValue)/renewal" class="inline">\(Layout.csrfField(r))\
                <input type="hidden" name="mode" value="\(s.renewalMode == .automatic ? "manual" : "automatic")">\
                <button class="secondary" data-test="renewal-switch">\(s.renewalMode == .automatic ? w["portal.renewal_to_manual"] : w["portal.renewal_to_automatic"])</button></form>
                """)
            return """
                <section class="card" data-test="subscription" data-id="\(s.id.rawValue)">
                <h2><a href="/portal/subscriptions/\(s.id.rawValue)">\(product)</a> · \(plan?.name ?? s.plan.rawValue) \(Self.badge(s.status.rawValue, w))</h2>
                <dl class="facts"><dt>\(w[dateKey])</dt><dd data-test="end-date">\(w.date(s.status == .trialing ? endDate : s.currentPeriod.inclusiveEnd))</dd>
                <dt>\(w["portal.cycle"])</dt><dd>\(Self.cycleName(s.cycle, w))</dd>
                <dt>\(w["portal.renewal"])</dt><dd>\(w["renewal.\(s.renewalMode.rawValue)"]) \(renewal)</dd>
                \(HTML.when(access?.reason != nil, "<dt>\(w["portal.access"])</dt><dd>\(w["access.\(access?.access.rawValue ?? "")"])</dd>"))</dl>
                \(meters)
                <p><a href="/portal/subscriptions/\(s.id.rawValue)">\(w["portal.manage"])</a> · <a href="/portal/plans?product=\(s.product.rawValue)">\(w["portal.compare_plans"])</a></p>
                </section>
                """
        }
        let balance: HTML = c.balance.isZero ? .empty : "<p>\(w["portal.balance"]): <strong>\(w.money(c.balance))</strong></p>"
        // 002: other balances (phone credit) beside the plans' quotas.
        let prepaid = Self.balancesCard(c, catalog, w, mayBuy: r.session?.mayBuy == true)
        return page(r, w("portal.overview_title", ["customer": c.name]), "\(body)\(balance)<div class=\"cards\">\(cards)\(prepaid)</div>")
    }

    static let shownQuotas: [Quota] = [.users, .storageMB, .minutes, .documents, .emailsPerMonth, .automationRuns, .dataRecords, .businessToolsUsers]

    static func meter(_ w: Words, label: String, used: Int64, limit: Limit, quota: Quota) -> HTML {
        func show(_ n: Int64) -> String { quota == .storageMB ? Self.storage(n, w) : w.number(n) }
        switch limit {
        case .unlimited:
            return "<p class=\"quota\" data-quota=\"\(quota.rawValue)\">\(label): \(show(used)) / \(w["quota.unlimited"])</p>"
        case .finite(let max):
            let pct = max > 0 ? min(100, Int(used * 100 / max)) : 100
            return """
                <p class="quota" data-quota="\(quota.rawValue)">\(label): <strong>\(show(used))</strong> / \(show(max))</p>\
                <div class="meter\(HTML(raw: used > max ? " full" : ""))"><span style="width:\(pct)%"></span></div>
                """
        }
    }

    static func storage(_ mb: Int64, _ w: Words) -> String {
        mb >= 1024 && mb % 1024 == 0 ? "\(w.number(mb / 1024)) GB" : "\(w.number(mb)) MB"
    }

    static func cycleName(_ c: BillingCycle, _ w: Words) -> String {
        switch c.months {
        case 1: w["cycle.monthly"]
        case 12: w["cycle.yearly"]
        default: w("cycle.months", ["n": String(c.months)])
        }
    }

    // MARK: Plans table

    func plans(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let catalog = try await service.catalog()
        let subs = try await service.listSubscriptions(customer: c.id, status: nil, limit: 100, startingAfter: nil).items.map(\.subscription)
        let only = r.query["product"].map { ProductID($0) }
        let products = catalog.products.values.filter { only == nil || $0.id == only }.sorted { $0.id.rawValue < $1.id.rawValue }
        let sections = HTML.each(products) { product -> HTML in
            let current = subs.first { $0.product == product.id && $0.status != .cancelled }
            let usage = c.usageByProduct[product.id] ?? Usage()
            let rows = HTML.each(catalog.plans(of: product.id)) { plan -> HTML in
                let monthly = try? catalog.price(of: plan, cycle: .monthly, currency: c.currency, tier: plan.tiers.first?.id, field: "plan")
                let yearly = try? catalog.price(of: plan, cycle: .yearly, currency: c.currency, tier: plan.tiers.first?.id, field: "plan")
                let limits = plan.limits.overridden(by: plan.tiers.first?.limits ?? Limits())
                // 003: a plan below current usage cannot be chosen; say which limit and by how much.
                var seatsNeeded = Limits()
                if plan.isPerSeat { seatsNeeded.quotas[.users] = plan.maximumSeats.map { .finite(Int64($0)) } ?? .unlimited }
                let violations = Entitlements.violations(of: limits.overridden(by: seatsNeeded), by: usage, plan: plan).filter { !$0.soft }
                let isCurrent = current?.plan == plan.id
                let why = HTML.each(violations) { v in
                    "<li data-test=\"why\">\(w("plans.over_limit", ["quota": w["quota.\(v.quota.rawValue)"], "usage": w.number(v.usage), "limit": w.number(v.limit), "over": w.number(v.usage - v.limit)]))</li>"
                }
                let perSeat = plan.isPerSeat ? " " + w["plans.per_seat"] : ""
                let action: HTML
                if isCurrent {
                    action = "<strong>\(w["plans.current"])</strong>"
                } else if !violations.isEmpty {
                    action = "<span class=\"muted\">\(w["plans.unavailable"])</span><ul>\(why)</ul>"
                } else if !plan.selfService {
                    action = "<a class=\"button secondary\" href=\"/portal/enterprise?plan=\(plan.id.rawValue)\" data-test=\"contact-sales\">\(w["plans.sales_led"])</a>"
                } else if plan.isFree || r.session?.mayBuy != true {
                    action = .empty
                } else if let current, current.isLive {
                    action = "<a class=\"button\" href=\"/portal/subscriptions/\(current.id.rawValue)/change?plan=\(plan.id.rawValue)\">\(w[plan.rank > (catalog.plans[current.plan]?.rank ?? 0) ? "plans.upgrade" : "plans.change"])</a>"
                } else {
                    action = "<a class=\"button\" href=\"/portal/checkout?plan=\(plan.id.rawValue)\">\(w["plans.choose"])</a>"
                }
                let features = HTML.each(Self.shownQuotas) { q -> HTML in
                    guard let l = limits.quotas[q] else { return .empty }
                    let text: String = switch l {
                    case .unlimited: w["quota.unlimited"]
                    case .finite(let n): q == .storageMB ? Self.storage(n, w) : w.number(n)
                    }
                    return "<li>\(w["quota.\(q.rawValue)"]): \(text)</li>"
                }
                let rowClass = isCurrent ? "current" : (violations.isEmpty ? "" : "unavailable")
                return """
                    <tr class="\(rowClass)" data-plan="\(plan.id.rawValue)"><td><strong>\(plan.name)</strong>\(HTML.when(!plan.tiers.isEmpty, " <span class=\"muted\">(\(plan.tiers.map(\.name).joined(separator: " / ")))</span>"))</td>
                    <td class="num">\(plan.isFree ? w["plans.free"] : (monthly.map { w.money($0.unitAmount) + perSeat } ?? "—"))</td>
                    <td class="num" data-test="yearly">\(plan.isFree ? w["plans.free"] : (yearly.map { Self.yearlyText($0, w) + perSeat } ?? "—"))</td>
                    <td><ul>\(features)</ul></td><td>\(action)</td></tr>
                    """
            }
            return """
                <h2>\(product.name)</h2><div class="table"><table data-product="\(product.id.rawValue)"><thead><tr><th>\(w["plans.plan"])</th><th class="num">\(w["cycle.monthly"])</th>
                <th class="num">\(w["cycle.yearly"])</th><th>\(w["plans.includes"])</th><th></th></tr></thead><tbody>\(rows)</tbody></table></div>
                """
        }
        return page(r, w["plans.title"], "\(readOnlyNotice(r))<p class=\"muted\">\(w["plans.yearly_note"])</p>\(sections)")
    }

    /// A year's price after the yearly discount, with the discount named: 864.000 ₫ (−20 %).
    static func yearlyText(_ p: ResolvedPrice, _ w: Words) -> String {
        guard p.cycleDiscount.basisPoints > 0, let cut = try? p.unitAmount.percentage(p.cycleDiscount), let net = try? p.unitAmount - cut else {
            return w.money(p.unitAmount)
        }
        return "\(w.money(net)) (−\(LocaleFormat.percentage(p.cycleDiscount, locale: w.lang.rawValue)))"
    }

    // MARK: Account: billing details

    func account(_ r: WebRequest, errors: [RecurEngineErrorView]) async throws -> WebResponse {
        let w = r.w
        let c = try await customer(r)
        let contact = c.contacts.first
        let f = r.form.isEmpty ? nil : r.form
        func v(_ name: String, _ current: String?) -> String { f?.pairs.first { $0.0 == name }?.1 ?? current ?? "" }
        let disabled = HTML(raw: r.session?.mayBuy == true ? "" : " disabled")
        let langs = HTML.each(Lang.allCases) { l in "<option value=\"\(l.rawValue)\"\(HTML(raw: l.rawValue == v("locale", c.locale) ? " selected" : ""))>\(l.name)</option>" }
        let members = HTML.each(c.members) { m in "<tr><td>\(m.name ?? "")</td><td>\(m.email)</td><td>\(w["role.\(m.role.rawValue)"])</td></tr>" }
        let body: HTML = """
            \(readOnlyNotice(r))\(Layout.errors(w, errors))
            <form method="post" action="/portal/account" class="stack">\(Layout.csrfField(r))
            <fieldset><legend>\(w["account.company"])</legend>
            <label>\(w["account.name"])<input name="name" value="\(v("name", c.name))" required\(disabled)></label>
            <label>\(w["account.tax_id"])<input name="tax_id" value="\(v("tax_id", c.taxID))"\(disabled)></label>
            <label>\(w["account.address"])<textarea name="address"\(disabled)>\(v("address", c.address))</textarea></label>
            <label>\(w["account.country"])<input name="country" value="\(v("country", c.country))" maxlength="2"\(disabled)></label>
            <label>\(w["account.region"])<input name="region" value="\(v("region", c.region))"\(disabled)></label></fieldset>
            <fieldset><legend>\(w["account.invoicing"])</legend>
            <label>\(w["account.invoice_emails"])<textarea name="invoice_emails" data-test="invoice-emails"\(disabled)>\(v("invoice_emails", c.invoiceEmails.joined(separator: "\n")))</textarea></label>
            <p class="muted">\(w["account.invoice_emails_help"])</p>
            <label>\(w["account.language"])<select name="locale"\(disabled)>\(langs)</select></label></fieldset>
            <fieldset><legend>\(w["account.contact"])</legend>
            <label>\(w["account.contact_name"])<input name="contact_name" value="\(v("contact_name", contact?.name))"\(disabled)></label>
            <label>\(w["account.contact_email"])<input name="contact_email" type="email" value="\(v("contact_email", contact?.email))"\(disabled)></label>
            <label>\(w["account.contact_phone"])<input name="contact_phone" value="\(v("contact_phone", contact?.phone))"\(disabled)></label></fieldset>
            \(HTML.when(r.session?.mayBuy == true, "<p><button data-test=\"save-account\">\(w["form.save"])</button></p>"))
            </form>
            <h2>\(w["account.members"])</h2><div class="table"><table><thead><tr><th>\(w["account.contact_name"])</th><th>E-mail</th><th>\(w["portal.role"])</th></tr></thead><tbody>\(members)</tbody></table></div>
            """
        return page(r, w["account.title"], body, status: errors.isEmpty ? 200 : 422)
    }

    /// The billing details a form sends, as changes to the customer.
    static func customerChanges(_ f: FormData, keepContactsOf c: CustomerRecord) -> CustomerChanges {
        var changes = CustomerChanges()
        if let name = f["name"] { changes.name = name }
        if f.pairs.contains(where: { $0.0 == "tax_id" }) { changes.taxID = f["tax_id"] ?? "" }
        if f.pairs.contains(where: { $0.0 == "address" }) { changes.address = f["address"] ?? "" }
        if let country = f["country"] { changes.country = country.uppercased() }
        if f.pairs.contains(where: { $0.0 == "region" }) { changes.region = f["region"] ?? "" }
        if let emails = f.pairs.first(where: { $0.0 == "invoice_emails" })?.1 {
            changes.invoiceEmails = emails.split(whereSeparator: { $0.isNewline || $0 == "," || $0 == ";" || $0 == " " })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let locale = f["locale"] { changes.locale = locale }
        if let name = f["contact_name"] {
            var contacts = c.contacts
            let contact = Contact(name: name, email: f["contact_email"], phone: f["contact_phone"], role: contacts.first?.role ?? "billing")
            if contacts.isEmpty { contacts = [contact] } else { contacts[0] = contact }
            changes.contacts = contacts
        }
        return changes
    }

    func saveAccount(_ r: WebRequest) async throws -> WebResponse {
        try requireBuyer(r)
        let c = try await customer(r)
        do {
            _ = try await service.updateCustomer(c.id, Self.customerChanges(r.form, keepContactsOf: c), actor: actor(r))
        } catch {
            guard let views = Self.views(error, r.w) else { throw error }
            return try await account(r, errors: views)
        }
        return .redirect("/portal/account", flash: r.w["account.saved"])
    }

    func actor(_ r: WebRequest) -> Actor { Actor("member:\(r.session?.memberEmail ?? "?")@\(customerID(r))") }
}

extension RecurError {
    static func notFoundPage() -> RecurError { RecurError(.resourceNotFound, field: nil, "Not found") }
    /// 404 for a thing that does not exist or is not the visitor's to see: the same answer for both.
    static func missing(_ kind: String, _ id: String) -> RecurError {
        RecurError(.resourceNotFound, field: "id", "No \(kind) \(id)", ["id": .text(id), "resource": .text(kind)])
    }
}
