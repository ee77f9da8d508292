import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurCore
import RecurEngine
import RecurApp
import RecurWeb
import Testing


/// The checkout form for Workspace Standard, yearly, 5 users, 10 GB extra storage at half price, WELCOME10.
private let workspaceOrder: [(String, String)] = [
    ("plan", "ws_standard"), ("cycle", "12"), ("seats", "5"), ("addon.storage_10gb", "1"), ("addon_promo", "STORAGE50"), ("promo", "WELCOME10"),
]

@Suite("Customer portal")
struct PortalTests {
    @Test("entry: no session goes to sign-in; the demo sign-in needs the form's CSRF token; the session cookie is HttpOnly and SameSite", arguments: TestDatabase.all)
    func signIn(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let b = Browser(client)
            let first = try await b.get("/portal")
            #expect(first.status == 303)
            #expect(first.location == "/portal/sign-in")
            let page = try await b.get("/portal/sign-in")
            #expect(page.text.contains("an@saomai.example"))
            // Without the token: refused, no session.
            let forged = try await b.post("/portal/demo", [("customer", saoMai.id), ("member", "an@saomai.example")], csrf: false)
            #expect(forged.status == 403)
            #expect(b.cookies["recur_session"] == nil)
            let ok = try await b.post("/portal/demo", [("customer", saoMai.id), ("member", "an@saomai.example")])
            #expect(ok.status == 303)
            let cookie = try #require(ok.setCookies.first { $0.hasPrefix("recur_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            let home = try await b.get("/portal")
            #expect(home.status == 200)
            #expect(home.text.contains("Công ty TNHH Sao Mai"))
            // Signed out, the cookie no longer opens anything.
            let old = b.cookies["recur_session"]
            try await b.post("/portal/sign-out", [])
            b.cookies["recur_session"] = old
            #expect(try await b.get("/portal").status == 303)
        }
    }

    @Test("POST /v1/portal-sessions: a one-time link for a member; used twice, expired or for a stranger it is refused", arguments: TestDatabase.all)
    func portalLinks(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let made = try await client.call(.post, "/v1/portal-sessions", json: #"{"customer":"\#(saoMai.id)","member":"ketoan@saomai.example","locale":"fr"}"#)
            #expect(made.status == .created)
            let url = try #require(try made.json["url"] as? String)
            #expect(url.hasPrefix("http://127.0.0.1:8080/portal/enter/"))
            let path = String(url.dropFirst("http://127.0.0.1:8080".count))
            let b = Browser(client)
            let entered = try await b.get(path)
            #expect(entered.status == 303 && entered.location == "/portal")
            #expect(try await b.get("/portal").status == 200)
            // The same link again: refused.
            let again = try await Browser(client).get(path)
            #expect(again.status == 401)
            #expect(again.text.contains("expired or was used"))
            #expect(again.headers[values: .setCookie].allSatisfy { !$0.hasPrefix("recur_session=") })
            // Not a member, not a language Recur speaks, unknown customer.
            let stranger = try await client.call(.post, "/v1/portal-sessions", json: #"{"customer":"\#(saoMai.id)","member":"someone@else.example"}"#)
            #expect(stranger.status.code == 422)
            #expect(try stranger.json["code"] as? String == "portal_link.invalid")
            let locale = try await client.call(.post, "/v1/portal-sessions", json: #"{"customer":"\#(saoMai.id)","member":"an@saomai.example","locale":"de"}"#)
            #expect(locale.status.code == 400, "locale is an enum in the spec: the generated decoder refuses 'de'")
            #expect(try locale.json["code"] as? String == "request.invalid")
            let unknown = try await client.call(.post, "/v1/portal-sessions", json: #"{"customer":"cus_nope","member":"an@saomai.example"}"#)
            #expect(unknown.status == .notFound)
            // Without an API key: 401.
            #expect(try await client.call(.post, "/v1/portal-sessions", key: nil, json: "{}").status == .unauthorized)
        }
    }

    @Test("checkout: the breakdown is the engine's quote — 5 users yearly, storage at half price, WELCOME10, VAT: 4.540.800 ₫", arguments: TestDatabase.all)
    func checkoutBreakdown(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            let page = try await b.post("/portal/checkout", workspaceOrder + [("action", "review")])
            #expect(page.status == 200)
            let text = page.text.visibleText
            // 5 × 1.080.000 ₫ − 20 % yearly − 10 % WELCOME10 = 3.888.000 ₫; storage 600.000 ₫ − 120.000 ₫ − 240.000 ₫ = 240.000 ₫.
            #expect(text.contains("3.888.000 ₫"))
            #expect(text.contains("240.000 ₫"))
            #expect(text.contains("6.000.000 ₫"), "subtotal")
            #expect(text.contains("1.872.000 ₫"), "discounts")
            #expect(text.contains("412.800 ₫"), "VAT 10 %")
            #expect(text.contains("4.540.800 ₫"), "total")
            // A bad promotion: the form comes back with the engine's error, 422.
            let bad = try await b.post("/portal/checkout", [("plan", "ws_standard"), ("cycle", "12"), ("seats", "5"), ("promo", "NOPE"), ("action", "review")])
            #expect(bad.status == 422)
            #expect(bad.text.contains("data-code=\"promotion.unknown\" data-field=\"items[0].promotion\""))
        }
    }

    @Test("checkout by bank transfer: one open invoice of 4.540.800 ₫ with its payment code; details saved; its PDF; terms refused first", arguments: TestDatabase.all)
    func checkoutBankTransfer(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "ketoan@saomai.example")
            let details: [(String, String)] = [("gateway", "bank_transfer"), ("renewal", "manual"),
                                               ("invoice_emails", "ketoan@saomai.example\nboss@saomai.example")]
            // Terms not accepted: nothing bought, nothing changed.
            let refused = try await b.post("/portal/checkout", workspaceOrder + details + [("action", "pay")])
            #expect(refused.status == 422)
            #expect(refused.text.contains("terms.not_accepted"))
            #expect(try await service.listInvoices(customer: saoMai.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items.isEmpty)
            #expect(try await service.customer(saoMai.id).invoiceEmails == ["ketoan@saomai.example", "giamdoc@saomai.example"])
            // The engine refuses the order (an unknown promotion): the billing details, saved in the
            // same transaction as the order, are not saved either.
            let unknownPromo = try await b.post("/portal/checkout", workspaceOrder.filter { $0.0 != "promo" } + details + [("promo", "NOPE"), ("terms", "1"), ("action", "pay")])
            #expect(unknownPromo.status == 422)
            #expect(unknownPromo.text.contains("data-code=\"promotion.unknown\""))
            #expect(try await service.customer(saoMai.id).invoiceEmails == ["ketoan@saomai.example", "giamdoc@saomai.example"])
            #expect(try await service.listInvoices(customer: saoMai.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items.isEmpty)

            let paid = try await b.post("/portal/checkout", workspaceOrder + details + [("terms", "1"), ("action", "pay")])
            #expect(paid.status == 303)
            let invoices = try await service.listInvoices(customer: saoMai.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items
            #expect(invoices.count == 1)
            let invoice = try #require(invoices.first)
            #expect(invoice.totals.total.minorUnits == 4_540_800)
            #expect(invoice.status == .open)
            #expect(paid.location == "/portal/invoices/\(invoice.id)")
            #expect(try await service.customer(saoMai.id).invoiceEmails == ["ketoan@saomai.example", "boss@saomai.example"])
            let subs = try await service.listSubscriptions(customer: saoMai.id, status: nil, limit: 10, startingAfter: nil).items
            #expect(subs.count == 1 && subs[0].subscription.renewalMode == .manual && subs[0].subscription.seats == 5)

            let page = try await b.get(paid.location!)
            #expect(page.status == 200)
            #expect(page.text.contains("data-test=\"transfer\""))
            #expect(page.text.visibleText.contains("4.540.800 ₫"))
            let pdf = try await b.get("/portal/invoices/\(invoice.id)/pdf")
            #expect(pdf.status == 200)
            #expect(pdf.headers[.contentType] == "application/pdf")
            #expect(pdf.bytes.prefix(5) == Data("%PDF-".utf8))
            let history = try await b.get("/portal/invoices")
            #expect(history.text.contains(invoice.number ?? "?"))
        }
    }

    @Test("one customer never sees another's: subscription, invoice, PDF, receipt and change pages answer 404", arguments: TestDatabase.all)
    func isolation(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, hoshi) = try await demoCustomers(service)
            let order = Order(items: [.init(product: "workspace", plan: "ws_standard", cycle: .monthly, seats: 2)])
            let outcome = try await service.checkout(customer: saoMai.id, order: order, date: nil, actor: .system)
            let invoice = try #require(outcome.invoice)
            #expect(invoice.totals.total.minorUnits == 198_000, "2 × 90,000 ₫ + 10 % VAT")
            let sub = try #require(outcome.subscriptions.first)
            let payment = try await service.recordPayment(invoice: invoice.id, method: "cash", amount: invoice.amountDue, reference: "CASH-1",
                                                          receivedOn: nil, note: nil, actor: .system)
            let refund = try await service.refundPayment(payment.id, amount: Money(minorUnits: 10_000, currency: .vnd), reason: "goodwill", actor: .system)
            let note = try #require(refund.refunds?.first?.creditNote)
            let b = Browser(client)
            try await b.portalSignIn(customer: hoshi.id, member: "tanaka@hoshi.example")
            for path in ["/portal/invoices/\(invoice.id)", "/portal/invoices/\(invoice.id)/pdf", "/portal/subscriptions/\(sub.id)",
                         "/portal/subscriptions/\(sub.id)?tab=history", "/portal/subscriptions/\(sub.id)/change", "/portal/payments/\(payment.id)/receipt", "/portal/credit-notes/\(note)/pdf"] {
                let r = try await b.get(path)
                #expect(r.status == 404, "\(path) answered \(r.status)")
                #expect(!r.text.contains(invoice.number ?? "INV"))
            }
            for (path, fields) in [("/portal/subscriptions/\(sub.id)/renewal", [("mode", "manual")]), ("/portal/subscriptions/\(sub.id)/cancel", []),
                                   ("/portal/subscriptions/\(sub.id)/seats", [("email", "x@hoshi.example"), ("name", "X")]),
                                   ("/portal/invoices/\(invoice.id)/pay", [("gateway", "stripe")])] {
                let r = try await b.post(path, fields)
                #expect(r.status == 404, "\(path) answered \(r.status)")
            }
            let after = try await service.subscription(sub.id)
            #expect(after.subscription.renewalMode == sub.subscription.renewalMode && !after.subscription.cancelAtPeriodEnd && after.seatAssignments.isEmpty)
            // Hoshi's own lists do not show Sao Mai's invoice.
            #expect(!(try await b.get("/portal/invoices")).text.contains(invoice.number ?? "INV"))
            // Sao Mai's own member gets them all.
            let owner = Browser(client)
            try await owner.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            for path in ["/portal/invoices/\(invoice.id)/pdf", "/portal/payments/\(payment.id)/receipt", "/portal/credit-notes/\(note)/pdf"] {
                let r = try await owner.get(path)
                #expect(r.status == 200 && r.bytes.prefix(5) == Data("%PDF-".utf8), "\(path): \(r.status)")
            }
            #expect(try await owner.get("/portal/invoices").text.contains("/portal/credit-notes/\(note)/pdf"))
        }
    }

    @Test("a member without the billing role looks but cannot buy or change (004): forms hidden, posts refused with 403", arguments: TestDatabase.all)
    func readOnlyMember(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let outcome = try await buyWorkspace(service, saoMai.id)
            let sub = try #require(outcome.subscriptions.first)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "binh@saomai.example")
            let home = try await b.get("/portal")
            #expect(home.text.contains("data-test=\"read-only\""))
            #expect(!home.text.contains("data-test=\"renewal-switch\""))
            let checkout = try await b.get("/portal/checkout?plan=ws_standard")
            #expect(!checkout.text.contains("data-test=\"pay\""))
            let pay = try await b.post("/portal/checkout", workspaceOrder + [("gateway", "bank_transfer"), ("terms", "1"), ("action", "pay")])
            #expect(pay.status == 403)
            let renewal = try await b.post("/portal/subscriptions/\(sub.id)/renewal", [("mode", "manual")])
            #expect(renewal.status == 403)
            let account = try await b.post("/portal/account", [("name", "Hijacked")])
            #expect(account.status == 403)
            #expect(try await service.customer(saoMai.id).name == "Công ty TNHH Sao Mai")
            #expect(try await service.subscription(sub.id).subscription.renewalMode == .automatic)
            #expect(try await service.listInvoices(customer: saoMai.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items.count == 1)
        }
    }

    @Test("employees: seats assigned up to the plan's seats; one too many is refused with the numbers and nothing saved", arguments: TestDatabase.all)
    func employees(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let outcome = try await buyWorkspace(service, saoMai.id)
            let sub = try #require(outcome.subscriptions.first)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            try await b.get("/portal/subscriptions/\(sub.id)")
            let ok = try await b.post("/portal/subscriptions/\(sub.id)/seats", [("email", "an@saomai.example"), ("name", "An"), ("tools", "0"),
                                                                                  ("email", "binh@saomai.example"), ("name", "Bình")])
            #expect(ok.status == 303)
            let saved = try await service.subscription(sub.id).seatAssignments
            #expect(saved.map(\.email) == ["an@saomai.example", "binh@saomai.example"])
            #expect(saved.map(\.businessTools) == [true, false])
            let tooMany = try await b.post("/portal/subscriptions/\(sub.id)/seats", [("email", "a@saomai.example"), ("name", ""), ("email", "b@saomai.example"),
                                                                                       ("name", ""), ("email", "c@saomai.example"), ("name", "")])
            #expect(tooMany.status == 422)
            #expect(tooMany.text.contains("class=\"errors\""))
            #expect(try await service.subscription(sub.id).seatAssignments.map(\.email) == ["an@saomai.example", "binh@saomai.example"])
            let page = try await b.get("/portal/subscriptions/\(sub.id)?tab=employees")
            #expect(page.text.contains("binh@saomai.example"))
        }
    }

    @Test("plans table: the current plan highlighted; a plan below current usage unavailable, saying which limit and by how much (003)", arguments: TestDatabase.all)
    func plansTable(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            _ = try await buyWorkspace(service, saoMai.id)
            // 60 GB used: Starter allows 50 GB.
            _ = try await service.reportUsage(customer: saoMai.id, product: "workspace", quotas: ["storage_mb": 61_440], actor: .system)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            b.cookies["recur_lang"] = "en"
            let page = try await b.get("/portal/plans?product=workspace")
            #expect(page.status == 200)
            #expect(page.text.contains("<tr class=\"current\" data-plan=\"ws_standard\">"))
            #expect(page.text.contains("<tr class=\"unavailable\" data-plan=\"ws_starter\">"))
            #expect(page.text.visibleText.contains("Storage: you use 61,440, the plan allows 51,200 (10,240 too many)"))
            #expect(page.text.contains("<tr class=\"\" data-plan=\"ws_premium\">"))
            #expect(page.text.visibleText.contains("150,000 ₫ per user"), "Premium monthly per user in VND, English format")
            #expect(page.text.visibleText.contains("864,000 ₫ (−20%) per user"), "Standard yearly: 12 × 90,000 ₫ less 20 %")
        }
    }

    @Test("languages: the customer's own (vi) by default, the switcher's choice after, Accept-Language before sign-in", arguments: TestDatabase.all)
    func languages(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let anonymous = Browser(client)
            anonymous.acceptLanguage = "ja-JP,ja;q=0.9,en;q=0.5"
            #expect(try await anonymous.get("/portal/sign-in").text.contains("<html lang=\"ja\">"))
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            let vi = try await b.get("/portal")
            #expect(vi.text.contains("<html lang=\"vi\">"))
            #expect(vi.text.contains("Gói dịch vụ"))
            let switched = try await b.post("/language", [("lang", "fr"), ("back", "/portal/plans")])
            #expect(switched.status == 303 && switched.location == "/portal/plans")
            #expect(b.cookies["recur_lang"] == "fr")
            let fr = try await b.get("/portal/plans")
            #expect(fr.text.contains("<html lang=\"fr\">"))
            #expect(fr.text.visibleText.contains("1 080 000 ₫") || fr.text.visibleText.contains("90 000 ₫"), "French grouping of VND prices")
            // An outside address for "back" is not followed.
            let evil = try await b.post("/language", [("lang", "en"), ("back", "//evil.example/x")])
            #expect(evil.location == "/portal")
            #expect(try await b.post("/language", [("lang", "en"), ("back", "/\\evil.example/x")]).location == "/portal")
        }
    }
}

@Suite("Customer portal: every page")
struct PortalEveryPageTests {
    @Test("every portal page answers 200 to its member in every language, and sends a stranger to sign-in", arguments: TestDatabase.all)
    func everyPage(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (_, hoshi) = try await demoCustomers(service)
            let outcome = try await service.checkout(customer: hoshi.id, order: Order(items: [.init(product: "meeting", plan: "meeting_small", tier: "600", cycle: .monthly)]),
                                                     date: nil, actor: .system)
            let sub = try #require(outcome.subscriptions.first)
            let invoice = try #require(outcome.invoice)
            #expect(invoice.totals.total == Money(minorUnits: 55_000, currency: .jpy), "¥55,000 a month, consumption tax included")
            let paths = ["/portal", "/portal/plans", "/portal/checkout", "/portal/invoices",
                         "/portal/invoices/\(invoice.id)", "/portal/account", "/portal/enterprise", "/portal/support", "/portal/subscriptions/\(sub.id)/change"]
                + ["employees", "details", "notes", "payment", "invoices", "history"].map { "/portal/subscriptions/\(sub.id)?tab=\($0)" }
            let stranger = Browser(client)
            for path in paths {
                let r = try await stranger.get(path)
                #expect(r.status == 303 && r.location == "/portal/sign-in", "\(path) without a session: \(r.status)")
            }
            let b = Browser(client)
            try await b.portalSignIn(customer: hoshi.id, member: "tanaka@hoshi.example")
            for lang in ["ja", "vi", "en", "fr", "ms"] {
                b.cookies["recur_lang"] = lang
                for path in paths {
                    let r = try await b.get(path)
                    #expect(r.status == 200, "\(path) in \(lang): \(r.status)")
                    #expect(r.text.contains("<html lang=\"\(lang)\">"))
                    // Markup never shows as text (a String where HTML was meant).
                    #expect(!r.text.contains("&lt;p") && !r.text.contains("&lt;a ") && !r.text.contains("&lt;tr"), "\(path) in \(lang) shows escaped markup")
                }
            }
            b.cookies["recur_lang"] = "ja"
            // Buying a product the customer already has is refused on the page, with the reason.
            let again = try await b.get("/portal/checkout?plan=meeting_premium")
            #expect(again.status == 422)
            #expect(again.text.contains("class=\"errors\""))
            let home = try await b.get("/portal")
            #expect(home.text.contains("サブスクリプション"))
            let page = try await b.get("/portal/invoices/\(invoice.id)")
            #expect(page.text.visibleText.contains("¥55,000"))
        }
    }
}

@Suite("Customer portal: forms")
struct PortalFormTests {
    @Test("billing details: saved with several invoice addresses; a bad address is refused on the form and nothing changes; notes; renewal switch; cancel and keep",
          arguments: TestDatabase.all)
    func forms(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            try await b.get("/portal/account")
            let bad = try await b.post("/portal/account", [("name", "Sao Mai JSC"), ("invoice_emails", "ok@saomai.example\nnot-an-address")])
            #expect(bad.status == 422)
            #expect(bad.text.contains("not-an-address"))
            #expect(try await service.customer(saoMai.id).name == "Công ty TNHH Sao Mai")
            let good = try await b.post("/portal/account", [("name", "Sao Mai JSC"), ("tax_id", "0312345678"), ("invoice_emails", "a@saomai.example\r\nb@saomai.example, c@saomai.example"),
                                                            ("locale", "en"), ("contact_name", "An"), ("contact_email", "an@saomai.example"), ("contact_phone", "+84 28 1")])
            #expect(good.status == 303)
            let c = try await service.customer(saoMai.id)
            #expect(c.name == "Sao Mai JSC" && c.locale == "en")
            #expect(c.invoiceEmails == ["a@saomai.example", "b@saomai.example", "c@saomai.example"])
            #expect(c.contacts.first?.phone == "+84 28 1")

            let sub = try #require(try await buyWorkspace(service, saoMai.id).subscriptions.first)
            try await b.get("/portal/subscriptions/\(sub.id)?tab=notes")
            #expect(try await b.post("/portal/subscriptions/\(sub.id)/notes", [("text", "   ")]).status == 422)
            #expect(try await b.post("/portal/subscriptions/\(sub.id)/notes", [("text", "Kế toán: hóa đơn gửi ngày 5")]).status == 303)
            #expect(try await service.notes(subscription: sub.id).map(\.text) == ["Kế toán: hóa đơn gửi ngày 5"])
            #expect(try await b.post("/portal/subscriptions/\(sub.id)/renewal", [("mode", "manual")]).status == 303)
            #expect(try await service.subscription(sub.id).subscription.renewalMode == .manual)
            #expect(try await b.post("/portal/subscriptions/\(sub.id)/cancel", []).status == 303)
            #expect(try await service.subscription(sub.id).subscription.cancelAtPeriodEnd)
            #expect(try await b.post("/portal/subscriptions/\(sub.id)/cancel", [("undo", "1")]).status == 303)
            #expect(try await !service.subscription(sub.id).subscription.cancelAtPeriodEnd)
            // A card for automatic renewals (sandbox): a bad number is refused.
            #expect(try await b.post("/portal/subscriptions/\(sub.id)/payment-method", [("card_number", "42")]).status == 422)
            #expect(try await b.post("/portal/subscriptions/\(sub.id)/payment-method", [("card_number", "4242 4242 4242 4242")]).status == 303)
            #expect(try await service.customer(saoMai.id).paymentMethod?.last4 == "4242")
        }
    }

    @Test("change: Standard → Premium previews the prorated amount, applies it, and pays at the gateway; the same plan again is refused",
          arguments: TestDatabase.all)
    func change(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let outcome = try await buyWorkspace(service, saoMai.id)
            let sub = try #require(outcome.subscriptions.first)
            _ = try await service.recordPayment(invoice: try #require(outcome.invoice).id, method: "cash", amount: nil, reference: "C1", receivedOn: nil, note: nil, actor: .system)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            b.cookies["recur_lang"] = "en"
            let preview = try await b.post("/portal/subscriptions/\(sub.id)/change", [("plan", "ws_premium"), ("seats", "2"), ("cycle", "1"), ("action", "preview")])
            #expect(preview.status == 200)
            // Same day: the whole month of Standard (2 × 90,000 ₫ + VAT = 198,000 ₫) is credited, Premium charged (2 × 150,000 ₫ + VAT = 330,000 ₫).
            #expect(preview.text.visibleText.contains("132,000 ₫"), "due now: 330,000 ₫ − 198,000 ₫")
            let applied = try await b.post("/portal/subscriptions/\(sub.id)/change", [("plan", "ws_premium"), ("seats", "2"), ("cycle", "1"), ("gateway", "stripe"), ("action", "apply")])
            #expect(applied.status == 303)
            #expect(applied.location?.contains("/sandbox/stripe/pay/") == true)
            #expect(try await service.subscription(sub.id).subscription.plan == "ws_premium")
            let open = try await service.listInvoices(customer: saoMai.id, subscription: nil, status: "open", limit: 10, startingAfter: nil).items
            #expect(open.map(\.amountDue.minorUnits) == [132_000])
        }
    }
}

@Suite("Customer portal: demo sign-in")
struct PortalDemoTests {
    @Test("without demo data there is no demo sign-in: no member listed, the demo form is 404, and isDemoDatabase says no", arguments: TestDatabase.all)
    func noDemo(db: TestDatabase) async throws {
        try await withApp(db, demo: false) { client, service in
            let demo = try await isDemoDatabase(service)
            #expect(demo == false)
            let c = try await service.createCustomer(CustomerChanges(name: "Real Co", currency: "EUR", invoiceEmails: ["billing@real.example"]), actor: .system)
            _ = try await service.addMember(customer: c.id, email: "boss@real.example", name: "Boss", role: .owner, actor: .system)
            let b = Browser(client)
            let page = try await b.get("/portal/sign-in")
            #expect(page.status == 200)
            #expect(!page.text.contains("boss@real.example") && !page.text.contains("Real Co"))
            let forced = try await b.post("/portal/demo", [("customer", c.id), ("member", "boss@real.example")])
            #expect(forced.status == 404)
            #expect(b.cookies["recur_session"] == nil)
            let staffPage = try await b.get("/admin/sign-in")
            #expect(!staffPage.text.contains(DemoStaff.password))
        }
        try await withApp(db, demo: true) { _, service in
            let demo = try await isDemoDatabase(service)
            #expect(demo)
        }
    }
}
