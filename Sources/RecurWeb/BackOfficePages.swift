import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// The back office: the vendor's staff, signed in with a password (bcrypt) and a role.
/// Every page needs a staff session; changes need the role their page names.
struct BackOfficePages: Sendable {
    let web: WebRouter
    var service: RecurService { web.service }

    func register() {
        web.get("/admin/sign-in", .none) { r in signInPage(r, errors: []) }
        web.post("/admin/sign-in", .none) { r in
            do {
                let start = try await service.staffSignIn(email: r.form["email"] ?? "", password: r.form.pairs.first { $0.0 == "password" }?.1 ?? "")
                return .signIn(token: start.token, to: "/admin")
            } catch let e as RecurError {
                // 401 for wrong credentials, 429 while the account is locked (staff.locked), with Retry-After.
                let page = signInPage(r, errors: [RecurEngineErrorView(code: e.code.rawValue, field: e.field, text: r.w.error(e))], status: WebRouter.status(e.code))
                if e.code == .staffLocked, case .int(let wait)? = e.values["retry_after"], case .page(let html, _) = page {
                    return .tooSoon(html, retryAfter: Int(wait))
                }
                return page
            }
        }
        web.post("/admin/sign-out", .none) { r in
            if let token = r.token { try await service.endSession(token: token) }
            return .signOut(to: "/admin/sign-in")
        }
        web.get("/admin", .staff(.finance)) { try await home($0) }
        registerCustomers()
        registerCatalog()
        registerCatalogRules()
        registerCharges()
        registerInvoices()
        registerPayments()
        registerWebhooks()
        registerAudit()
        registerStaff()
        registerDeals()
        registerRequests()
    }

    func actor(_ r: WebRequest) -> Actor { Actor("staff:\(r.session?.staff ?? "?")") }

    func page(_ r: WebRequest, _ title: String, _ body: HTML, status: Int = 200) -> WebResponse {
        .page(Layout.page(r, title: title, area: .staff, body), status: status)
    }

    func signInPage(_ r: WebRequest, errors: [RecurEngineErrorView], status: Int = 200) -> WebResponse {
        let w = r.w
        let demo: HTML = HTML.when(web.options.demo, "<p class=\"notice\" data-test=\"demo-staff\">\(w("admin.demo_account", ["email": BackOfficePages.demoEmail, "password": BackOfficePages.demoPassword]))</p>")
        return page(r, w["admin.sign_in_title"], """
            \(demo)\(Layout.errors(w, errors))<form method="post" action="/admin/sign-in" class="stack">\(Layout.csrfField(r))
            <label>E-mail<input name="email" type="email" autocomplete="username" required value="\(r.form["email"] ?? "")"></label>
            <label>\(w["admin.password"])<input name="password" type="password" autocomplete="current-password" required></label>
            <p><button data-test="sign-in">\(w["admin.sign_in"])</button></p></form>
            """, status: status)
    }

    static var demoEmail: String { DemoStaff.email }
    static var demoPassword: String { DemoStaff.password }

    func home(_ r: WebRequest) async throws -> WebResponse {
        let w = r.w
        let open = try await service.listInvoices(customer: nil, subscription: nil, status: "open", limit: 100, startingAfter: nil).items
        let unmatched = try await service.listBankCredits(status: "unmatched", limit: 100, startingAfter: nil).items
        let body: HTML = """
            <div class="cards">
            <section class="card"><h2><a href="/admin/invoices?status=open">\(w["admin.open_invoices"])</a></h2><p class="total" data-test="open-invoices">\(w.number(open.count))</p></section>
            <section class="card"><h2><a href="/admin/payments">\(w["admin.unmatched_transfers"])</a></h2><p class="total" data-test="unmatched">\(w.number(unmatched.count))</p></section>
            </div>
            """
        return page(r, w["admin.home_title"], body)
    }
}

/// The demo staff account, created with the demo data only and shown on the sign-in
/// page of a demo instance.
public enum DemoStaff {
    public static let email = "admin@recur.example"
    public static let password = "recur-demo-admin"
}
