import Foundation
import HummingbirdCore
import Hummingbird
import HTTPTypes
import RecurCore
import RecurEngine

/// Customers: the list with search by e-mail, a new customer, and one customer's page
/// with billing details, members, subscriptions, invoices, payments, credit notes,
/// balance, audit trail and a one-time portal link.
extension BackOfficePages {
    func registerCustomers() {
        web.get("/admin/customers", .staff(.finance)) { try await customersPage($0, errors: []) }
        web.post("/admin/customers", .staff(.sales)) { r in
            let f = r.form
            var changes = CustomerChanges(name: f["name"], country: f["country"]?.uppercased(), currency: f["currency"]?.uppercased(),
                                          locale: f["locale"], timeZone: f["time_zone"])
            if let email = f["invoice_email"] { changes.invoiceEmails = [email] }
            do {
                let c = try await service.createCustomer(changes, actor: actor(r))
                if let owner = f["owner_email"] {
                    _ = try await service.addMember(customer: c.id, email: owner, name: f["owner_name"], role: .owner, actor: actor(r))
                }
                return .redirect("/admin/customers/\(c.id)", flash: r.w["admin.customer.created"])
            } catch {
                return try await customersPage(r, errors: try views(error, r))
            }
        }
        web.get("/admin/customers/:id", .staff(.finance)) { try await customerPage($0, errors: [], form: nil) }
        web.post("/admin/customers/:id", .staff(.sales)) { r in
            let c = try await service.customer(r.param("id"))
            do {
                _ = try await service.updateCustomer(c.id, PortalPages.customerChanges(r.form, keepContactsOf: c), actor: actor(r))
            } catch {
                return try await customerPage(r, errors: try views(error, r), form: "details")
            }
            return .redirect("/admin/customers/\(c.id)", flash: r.w["account.saved"])
        }
        web.post("/admin/customers/:id/members", .staff(.sales)) { r in
            let c = try await service.customer(r.param("id"))
            do {
                let role = Member.Role(rawValue: r.form["member_role"] ?? "") ?? .member
                _ = try await service.addMember(customer: c.id, email: r.form["member_email"] ?? "", name: r.form["member_name"], role: role, actor: actor(r))
            } catch {
                return try await customerPage(r, errors: try views(error, r), form: "members")
            }
            return .redirect("/admin/customers/\(c.id)", flash: r.w["admin.customer.member_added"])
        }
        web.post("/admin/customers/:id/portal-link", .staff(.sales)) { r in
            let c = try await service.customer(r.param("id"))
            do {
                let (token, link) = try await service.createPortalLink(customer: c.id, memberEmail: r.form["member"] ?? "", locale: nil, returnURL: nil, actor: actor(r))
                let url = service.portalURL(token: token)
                let w = r.w
                return page(r, w["admin.portal_link.title"], """
                    <p>\(w("admin.portal_link.text", ["member": link.memberEmail, "customer": c.name]))</p>
                    <p class="card"><code data-test="portal-link">\(url)</code></p>
                    <p class="muted">\(w("admin.portal_link.expires", ["time": Self.stamp(link.expires)]))</p>
                    <p><a href="/admin/customers/\(c.id)">\(w["nav.back"])</a></p>
                    """)
            } catch {
                return try await customerPage(r, errors: try views(error, r), form: "portal")
            }
        }
    }

    func customersPage(_ r: WebRequest, errors: [RecurEngineErrorView]) async throws -> WebResponse {
        let w = r.w
        let email = r.query["email"]
        let customers = try await Self.everything({ try await service.listCustomers(email: email, limit: 100, startingAfter: $0) }, id: \.id, max: 1000)
        let rows = HTML.each(customers.reversed()) { c in
            """
            <tr data-customer="\(c.id)"><td><a href="/admin/customers/\(c.id)">\(c.name)</a><br><span class="muted">\(c.id)</span></td>
            <td>\(c.members.map(\.email).joined(separator: ", "))</td><td>\(c.country ?? "")</td><td>\(c.currency.code)</td>
            <td class="num">\(w.money(c.balance))</td></tr>
            """
        }
        let f: FormData? = errors.isEmpty ? nil : r.form
        func v(_ n: String, _ d: String = "") -> String { Self.value(f, n, d) }
        let langs = Self.options(Lang.allCases.map { ($0.rawValue, $0.name) }, selected: v("locale", "en"))
        let create: HTML = await may(r, .sales) ? """
            <h2 id="new">\(w["admin.customer.new"])</h2>\(Layout.errors(w, errors))
            <form method="post" action="/admin/customers" class="stack card" data-test="new-customer">\(Layout.csrfField(r))
            <label>\(w["account.name"])<input name="name" value="\(v("name"))" required></label>
            <label>\(w["admin.customer.currency"])<input name="currency" value="\(v("currency", "VND"))" maxlength="3" required></label>
            <label>\(w["account.country"])<input name="country" value="\(v("country", "VN"))" maxlength="2"></label>
            <label>\(w["account.language"])<select name="locale">\(langs)</select></label>
            <label>\(w["admin.customer.time_zone"])<input name="time_zone" value="\(v("time_zone", "Asia/Ho_Chi_Minh"))"></label>
            <label>\(w["admin.customer.invoice_email"])<input name="invoice_email" type="email" value="\(v("invoice_email"))"></label>
            <label>\(w["admin.customer.owner_email"])<input name="owner_email" type="email" value="\(v("owner_email"))"></label>
            <label>\(w["admin.customer.owner_name"])<input name="owner_name" value="\(v("owner_name"))"></label>
            <p><button data-test="create-customer">\(w["admin.create"])</button></p></form>
            """ : .empty
        let body: HTML = """
            <form method="get" action="/admin/customers" class="inline" role="search"><label class="sr">E-mail</label>
            <input name="email" type="search" placeholder="\(w["admin.customer.search"])" value="\(email ?? "")"><button>\(w["admin.search"])</button></form>
            \(Self.table(w, test: "customers", [w["account.name"], w["account.members"], w["admin.country"], w["admin.customer.currency"], w["portal.balance"]],
                         numeric: [4], rows: rows, count: customers.count))
            \(create)
            """
        return page(r, w["admin.customers.title"], body, status: errors.isEmpty ? 200 : 422)
    }

    /// One customer; `form` names the form the errors belong to (its values are shown again).
    func customerPage(_ r: WebRequest, errors: [RecurEngineErrorView], form: String?) async throws -> WebResponse {
        let w = r.w
        let c = try await service.customer(r.param("id"))
        let sales = await may(r, .sales)
        let subs = try await service.listSubscriptions(customer: c.id, status: nil, limit: 100, startingAfter: nil).items
        let invoices = try await Self.everything({ try await service.listInvoices(customer: c.id, subscription: nil, status: nil, limit: 100, startingAfter: $0) }, id: \.id)
        let payments = try await Self.everything({ try await service.listPayments(customer: c.id, invoice: nil, limit: 100, startingAfter: $0) }, id: \.id)
        let notes = try await service.listCreditNotes(customer: c.id, invoice: nil, limit: 100, startingAfter: nil).items
        let audit = try await Self.everything({ try await service.audit(customer: c.id, target: nil, limit: 100, startingAfter: $0) }, id: \.id)
        let catalog = try await service.catalog()
        func errs(_ name: String) -> HTML { form == name ? Layout.errors(w, errors) : .empty }
        let f: FormData? = form == nil ? nil : r.form
        let contact = c.contacts.first
        func v(_ n: String, _ d: String?) -> String { Self.value(form == "details" ? f : nil, n, d) }
        let langs = Self.options(Lang.allCases.map { ($0.rawValue, $0.name) }, selected: v("locale", c.locale))
        let disabled = HTML(raw: sales ? "" : " disabled")

        let details: HTML = """
            \(errs("details"))<form method="post" action="/admin/customers/\(c.id)" class="stack card" data-test="details">\(Layout.csrfField(r))
            <label>\(w["account.name"])<input name="name" value="\(v("name", c.name))" required\(disabled)></label>
            <label>\(w["account.tax_id"])<input name="tax_id" value="\(v("tax_id", c.taxID))"\(disabled)></label>
            <label>\(w["account.address"])<textarea name="address"\(disabled)>\(v("address", c.address))</textarea></label>
            <label>\(w["account.country"])<input name="country" value="\(v("country", c.country))" maxlength="2"\(disabled)></label>
            <label>\(w["account.region"])<input name="region" value="\(v("region", c.region))"\(disabled)></label>
            <label>\(w["account.invoice_emails"])<textarea name="invoice_emails"\(disabled)>\(v("invoice_emails", c.invoiceEmails.joined(separator: "\n")))</textarea></label>
            <label>\(w["account.language"])<select name="locale"\(disabled)>\(langs)</select></label>
            <label>\(w["account.contact_name"])<input name="contact_name" value="\(v("contact_name", contact?.name))"\(disabled)></label>
            <label>\(w["account.contact_email"])<input name="contact_email" type="email" value="\(v("contact_email", contact?.email))"\(disabled)></label>
            <label>\(w["account.contact_phone"])<input name="contact_phone" value="\(v("contact_phone", contact?.phone))"\(disabled)></label>
            \(HTML.when(sales, "<p><button data-test=\"save-customer\">\(w["form.save"])</button></p>"))</form>
            """
        let memberRows = HTML.each(c.members) { m in
            let link: HTML = HTML.when(sales, """
                <form method="post" action="/admin/customers/\(c.id)/portal-link" class="inline">\(Layout.csrfField(r))<input type="hidden" name="member" value="\(m.email)">\
                <button class="secondary" data-test="portal-link-\(m.email)">\(w["admin.portal_link.make"])</button></form>
                """)
            return "<tr><td>\(m.name ?? "")</td><td>\(m.email)</td><td>\(w["role.\(m.role.rawValue)"])</td><td>\(link)</td></tr>"
        }
        let mf: FormData? = form == "members" ? f : nil
        let roles = Self.options(Member.Role.allCases.map { ($0.rawValue, w["role.\($0.rawValue)"]) }, selected: Self.value(mf, "member_role", "member"))
        let addMember: HTML = HTML.when(sales, """
            \(errs("members"))<form method="post" action="/admin/customers/\(c.id)/members" class="stack card" data-test="add-member">\(Layout.csrfField(r))
            <h3>\(w["admin.customer.add_member"])</h3>
            <label>E-mail<input name="member_email" type="email" value="\(Self.value(mf, "member_email"))" required></label>
            <label>\(w["account.contact_name"])<input name="member_name" value="\(Self.value(mf, "member_name"))"></label>
            <label>\(w["portal.role"])<select name="member_role">\(roles)</select></label>
            <p><button data-test="add-member-button">\(w["admin.add"])</button></p></form>
            """)
        let subRows = HTML.each(subs) { rec -> HTML in
            let s = rec.subscription
            return """
                <tr data-subscription="\(s.id.rawValue)"><td>\(catalog.products[s.product]?.name ?? s.product.rawValue)</td><td>\(catalog.plans[s.plan]?.name ?? s.plan.rawValue)</td>
                <td>\(Self.badge(s.status.rawValue, w))</td><td class="num">\(w.number(s.seats))</td><td>\(PortalPages.cycleName(s.cycle, w))</td>
                <td>\(w.date(s.currentPeriod.start)) – \(w.date(s.currentPeriod.inclusiveEnd))</td></tr>
                """
        }
        let paymentRows = HTML.each(payments.reversed()) { p in Self.paymentRow(p, w) }
        let noteRows = HTML.each(notes.reversed()) { n in
            "<tr><td>\(n.number)</td><td>\(w.date(n.issueDate))</td><td><a href=\"/admin/invoices/\(n.invoice)\">\(n.invoice)</a></td><td class=\"num\">\(w.money(n.amount))</td><td>\(n.reason)</td></tr>"
        }
        let body: HTML = """
            \(errs("portal"))
            <dl class="facts card"><dt>Id</dt><dd>\(c.id)</dd><dt>\(w["admin.customer.currency"])</dt><dd>\(c.currency.code)</dd>
            <dt>\(w["portal.balance"])</dt><dd data-test="balance">\(w.money(c.balance))</dd>
            <dt>\(w["admin.customer.payment_method"])</dt><dd>\(c.paymentMethod.map { "\($0.kind) ···· \($0.last4)" } ?? w["payment_method.none"])</dd></dl>
            <h2>\(w["account.title"])</h2>\(details)
            <h2>\(w["account.members"])</h2>
            \(Self.table(w, test: "members", [w["account.contact_name"], "E-mail", w["portal.role"], ""], rows: memberRows, count: c.members.count))
            \(addMember)
            <h2>\(w["nav.subscriptions"])</h2>
            \(Self.table(w, test: "subscriptions", [w["admin.product"], w["plans.plan"], w["portal.status"], w["admin.seats"], w["portal.cycle"], w["invoice.period"]],
                         numeric: [3], rows: subRows, count: subs.count))
            \(customerCharges(r, c, catalog, form: form, errs: errs, sales: sales))
            <h2>\(w["admin.nav.invoices"])</h2>\(Self.invoiceTable(invoices.reversed(), w))
            <h2>\(w["invoices.payments"])</h2>
            \(Self.paymentTable(w, rows: paymentRows, count: payments.count))
            <h2>\(w["invoices.credit_notes"])</h2>
            \(Self.table(w, test: "credit-notes", [w["invoice.number"], w["invoice.date"], w["admin.invoice"], w["invoice.amount"], w["invoices.reason"]],
                         numeric: [3], rows: noteRows, count: notes.count))
            <h2>\(w["admin.audit.title"])</h2>\(Self.auditTable(Array(audit.reversed().prefix(100)), w))
            """
        return page(r, c.name, body, status: errors.isEmpty ? 200 : 422)
    }

    static func paymentRow(_ p: PaymentRecord, _ w: Words) -> HTML {
        """
        <tr data-payment="\(p.id)"><td>\(p.number)</td><td>\(w.date(p.receivedOn))</td><td><a href="/admin/customers/\(p.customer)">\(p.customer)</a></td>
        <td>\(p.invoice.map { link("/admin/invoices/\($0)", $0) } ?? .empty)</td><td>\(w["gateway.\(p.method)"])</td><td>\(p.reference ?? "")</td>
        <td class="num">\(w.money(p.amount))</td><td class="num">\(w.money(p.refundable))</td><td><a href="/admin/payments/\(p.id)/receipt">PDF</a></td></tr>
        """
    }

    static func paymentTable(_ w: Words, rows: HTML, count: Int) -> HTML {
        table(w, test: "payments", [w["invoices.receipt"], w["invoice.date"], w["portal.customer"], w["admin.invoice"], w["invoices.method"], w["admin.reference"],
                                    w["invoice.amount"], w["admin.refundable"], ""], numeric: [6, 7], rows: rows, count: count)
    }

    static func invoiceTable(_ invoices: some Swift.Collection<InvoiceRecord>, _ w: Words) -> HTML {
        let rows = HTML.each(invoices) { i in
            """
            <tr data-invoice="\(i.id)"><td><a href="/admin/invoices/\(i.id)">\(i.number ?? i.id)</a></td><td><a href="/admin/customers/\(i.customer)">\(i.customer)</a></td>
            <td>\(w.date(i.issueDate))</td><td>\(w.date(i.dueDate))</td><td>\(badge(i.status.rawValue, w))</td>
            <td class="num">\(w.money(i.totals.total))</td><td class="num">\(w.money(i.amountDue))</td><td><a href="/admin/invoices/\(i.id)/pdf">PDF</a></td></tr>
            """
        }
        return table(w, test: "invoices", [w["invoice.number"], w["portal.customer"], w["invoice.date"], w["invoice.due"], w["portal.status"], w["invoice.total"],
                                           w["invoice.amount_due"], ""], numeric: [5, 6], rows: rows, count: invoices.count)
    }

    static func auditTable(_ records: [AuditRecord], _ w: Words) -> HTML {
        let rows = HTML.each(records) { a in
            """
            <tr><td>\(stamp(a.created))</td><td>\(a.actor)</td><td>\(a.action)</td><td>\(a.target)</td>
            <td>\(a.customer.map { link("/admin/customers/\($0)", $0) } ?? .empty)</td>
            <td><details><summary>\(w["admin.audit.change"])</summary><pre>\(a.before ?? "")</pre><pre>\(a.after ?? "")</pre></details></td></tr>
            """
        }
        return table(w, test: "audit", [w["history.date"], w["history.who"], w["history.what"], w["admin.audit.target"], w["portal.customer"], ""],
                     rows: rows, count: records.count)
    }
}
