import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RecurCore
import RecurEngine
import RecurWeb
import Testing

/// The back office through ``Browser`` (cookies and form tokens), answering the test client's responses.
struct StaffBrowser {
    let browser: Browser
    init(_ client: any TestClientProtocol) { browser = Browser(client) }
    var cookies: [String: String] { browser.cookies }
    var csrf: String {
        get { browser.csrf }
        nonmutating set { browser.csrf = newValue }
    }

    @discardableResult
    func get(_ path: String) async throws -> TestResponse { try await browser.get(path).response }

    /// POSTs a form, with the page's CSRF token unless `csrf` is false.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf withToken: Bool = true) async throws -> TestResponse {
        try await browser.post(path, fields, csrf: withToken).response
    }

    /// Signs in on /admin/sign-in and opens /admin (for the session's form token).
    static func signIn(_ client: any TestClientProtocol, email: String = DemoStaff.email, password: String = DemoStaff.password) async throws -> StaffBrowser {
        let b = StaffBrowser(client)
        let answer = try await b.browser.staffSignIn(email: email, password: password)
        #expect(answer.status == 303, "\(answer.text)")
        #expect(b.cookies["recur_session"] != nil)
        return b
    }
}

/// A customer of the demo catalog with an open invoice, bought through `checkout`.
func openInvoice(_ service: RecurService) async throws -> InvoiceRecord {
    let c = try await service.createCustomer(CustomerChanges(name: "Công ty Văn Phòng", country: "VN", currency: "VND", locale: "vi",
                                                             timeZone: "Asia/Ho_Chi_Minh", invoiceEmails: ["ketoan@vanphong.example"]), actor: .system)
    let outcome = try await service.checkout(customer: c.id, order: Order(items: [.init(product: "workspace", plan: "ws_standard", cycle: .monthly, seats: 10)]),
                                             date: nil, actor: .system)
    let invoice = try #require(outcome.invoice)
    #expect(invoice.status == .open)
    #expect(invoice.amountDue.minorUnits > 0)
    return invoice
}

@Suite("Back office pages")
struct BackOfficeTests {
    @Test("A wrong password is refused with 401 and no session", arguments: TestDatabase.all)
    func wrongPassword(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            var b = StaffBrowser(client)
            try await b.get("/admin/sign-in")
            let answer = try await b.post("/admin/sign-in", [("email", DemoStaff.email), ("password", "not-the-password")])
            #expect(answer.status == .unauthorized)
            #expect(!answer.headers[values: .setCookie].contains { $0.hasPrefix("recur_session=") })
            #expect(answer.text.contains("data-code=\"auth.invalid\""))
        }
    }

    @Test("Every page answers 200 to an admin, sends a stranger to the sign-in, and an unknown id is 404", arguments: TestDatabase.all)
    func everyPage(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let invoice = try await openInvoice(service)
            let payment = try await service.recordPayment(invoice: invoice.id, method: "cash", amount: Money(minorUnits: 1000, currency: .vnd), reference: nil,
                                                          receivedOn: nil, note: nil, actor: .system)
            let pages = ["/admin", "/admin/customers", "/admin/customers?email=x%40y.example", "/admin/customers/\(invoice.customer)", "/admin/catalog",
                         "/admin/invoices", "/admin/invoices?status=open", "/admin/invoices/\(invoice.id)", "/admin/payments", "/admin/webhooks",
                         "/admin/audit", "/admin/audit?page=2", "/admin/staff"]
            var b = try await StaffBrowser.signIn(client)
            for path in pages {
                let page = try await b.get(path)
                #expect(page.status == .ok, "\(path): \(page.status)")
                #expect(page.text.contains("<h1>"), "\(path)")
            }
            let pdf = try await b.get("/admin/invoices/\(invoice.id)/pdf")
            #expect(pdf.status == .ok && pdf.headers[.contentType] == "application/pdf")
            let receipt = try await b.get("/admin/payments/\(payment.id)/receipt")
            #expect(receipt.status == .ok && receipt.headers[.contentType] == "application/pdf")
            for path in ["/admin/customers/cus_nope", "/admin/invoices/inv_nope", "/admin/invoices/inv_nope/pdf", "/admin/payments/pay_nope/receipt"] {
                #expect(try await b.get(path).status == .notFound, "\(path)")
            }
            var stranger = StaffBrowser(client)
            for path in pages {
                let page = try await stranger.get(path)
                #expect(page.status == .seeOther, "\(path)")
                #expect(page.headers[.location] == "/admin/sign-in", "\(path)")
            }
        }
    }

    @Test("A POST without the form token is 403 and changes nothing", arguments: TestDatabase.all)
    func csrf(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            var b = try await StaffBrowser.signIn(client)
            let before = try await service.listCustomers(email: nil, limit: 100, startingAfter: nil).items.count
            let answer = try await b.post("/admin/customers", [("name", "Forged Ltd"), ("currency", "USD")], csrf: false)
            #expect(answer.status == .forbidden)
            let wrong = try await b.post("/admin/customers", [("_csrf", "x"), ("name", "Forged Ltd"), ("currency", "USD")], csrf: false)
            #expect(wrong.status == .forbidden)
            #expect(try await service.listCustomers(email: nil, limit: 100, startingAfter: nil).items.count == before)
            // With the token it works.
            let made = try await b.post("/admin/customers", [("name", "Real Ltd"), ("currency", "USD"), ("country", "US"), ("locale", "en"), ("time_zone", "UTC")])
            #expect(made.status == .seeOther, "\(made.text)")
            #expect(try await service.listCustomers(email: nil, limit: 100, startingAfter: nil).items.count == before + 1)
        }
    }

    @Test("A finance member gets 403 on a sales form and cannot create staff", arguments: TestDatabase.all)
    func roles(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            _ = try await service.createStaff(email: "thu@recur.example", name: "Thu", role: .finance, password: "finance-password-1", actor: .system)
            var b = try await StaffBrowser.signIn(client, email: "thu@recur.example", password: "finance-password-1")
            let product = try await b.post("/admin/catalog/products", [("id", "finance_made"), ("name", "Finance made")])
            #expect(product.status == .forbidden)
            #expect(try await service.catalog().products[ProductID("finance_made")] == nil)
            let staff = try await b.post("/admin/staff", [("name", "Eve"), ("email", "eve@recur.example"), ("role", "admin"), ("password", "0123456789ab")])
            #expect(staff.status == .forbidden)
            #expect(try await service.listStaff().count == 2)
            // Reading is fine, and the forms are not shown.
            let catalog = try await b.get("/admin/catalog")
            #expect(catalog.status == .ok)
            #expect(!catalog.text.contains("data-test=\"new-plan\""))
        }
    }

    @Test("A cash payment of a concrete amount, then the rest, pays an open invoice", arguments: TestDatabase.all)
    func cashPayment(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let invoice = try await openInvoice(service)
            let total = invoice.totals.total.minorUnits
            var b = try await StaffBrowser.signIn(client)
            let first = try await b.post("/admin/invoices/\(invoice.id)/payments", [("method", "cash"), ("amount", "100000"), ("reference", "Receipt book 12"),
                                                                                     ("received_on", "2026-03-01")])
            #expect(first.status == .seeOther, "\(first.text)")
            var now = try await service.invoice(invoice.id)
            #expect(now.status == .open)
            #expect(now.amountPaid == Money(minorUnits: 100_000, currency: .vnd))
            #expect(now.amountDue == Money(minorUnits: total - 100_000, currency: .vnd))
            // A bad amount: the form again with the error, nothing recorded.
            let bad = try await b.post("/admin/invoices/\(invoice.id)/payments", [("method", "cash"), ("amount", "12.5")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("data-code=\"money.invalid\""))
            #expect(try await service.listPayments(customer: nil, invoice: invoice.id, limit: 100, startingAfter: nil).items.count == 1)
            let rest = try await b.post("/admin/invoices/\(invoice.id)/payments", [("method", "cash"), ("amount", String(total - 100_000))])
            #expect(rest.status == .seeOther, "\(rest.text)")
            now = try await service.invoice(invoice.id)
            #expect(now.status == .paid)
            #expect(now.amountPaid.minorUnits == total)
            #expect(now.amountDue.minorUnits == 0)
            let payments = try await service.listPayments(customer: nil, invoice: invoice.id, limit: 100, startingAfter: nil).items
            #expect(payments.map(\.amount.minorUnits) == [100_000, total - 100_000])
            #expect(payments.allSatisfy { $0.method == "cash" })
            #expect(payments.first?.reference == "Receipt book 12")
            let page = try await b.get("/admin/invoices/\(invoice.id)")
            #expect(page.text.contains("badge paid"))
        }
    }

    @Test("An unmatched line of a bank statement waits in the queue; assigning it pays the invoice", arguments: TestDatabase.all)
    func bankQueue(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let invoice = try await openInvoice(service)
            let due = invoice.amountDue.minorUnits
            var grouped = ""
            for (i, ch) in String(due).reversed().enumerated() {
                if i > 0 && i % 3 == 0 { grouped.append(".") }
                grouped.append(ch)
            }
            let amount = String(grouped.reversed())
            let csv = """
                Ngày giao dịch,Số tham chiếu,Nội dung,Ghi có,Ghi nợ
                01/03/2026,FT777,"chuyen tien phan mem thang 3",\(amount),
                """
            var b = try await StaffBrowser.signIn(client)
            let imported = try await b.post("/admin/payments/statement", [("csv", csv)])
            #expect(imported.status == .ok, "\(imported.text)")
            #expect(imported.text.contains("data-count=\"unmatched\">1<"))
            let credit = try #require(try await service.listBankCredits(status: "unmatched", limit: 100, startingAfter: nil).items.first)
            #expect(credit.amount == invoice.amountDue)
            let queue = try await b.get("/admin/payments")
            #expect(queue.text.contains("data-credit=\"\(credit.id)\""))
            #expect(queue.text.contains("FT777"))
            let assigned = try await b.post("/admin/bank-credits/\(credit.id)/assign", [("invoice", invoice.id)])
            #expect(assigned.status == .seeOther, "\(assigned.text)")
            let paid = try await service.invoice(invoice.id)
            #expect(paid.status == .paid)
            #expect(paid.amountPaid.minorUnits == due)
            #expect(try await service.listBankCredits(status: "unmatched", limit: 100, startingAfter: nil).items.isEmpty)
            // Assigning it again: the engine's refusal on the page.
            let again = try await b.post("/admin/bank-credits/\(credit.id)/assign", [("invoice", invoice.id)])
            #expect(again.status == .unprocessableContent)
            #expect(again.text.contains("data-code=\"bank_credit.not_pending\""))
            #expect(try await b.post("/admin/bank-credits/bcr_nope/assign", [("invoice", invoice.id)]).status == .notFound)
        }
    }

    @Test("A plan with a bad price shows the error and creates nothing", arguments: TestDatabase.all)
    func badPlan(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            var b = try await StaffBrowser.signIn(client)
            let fields = [("product", "workspace"), ("id", "ws_bad"), ("name", "Bad"), ("rank", "9"), ("pricing", "per_seat"), ("minimum_seats", "2"),
                          ("currency", "VND"), ("yearly", "1000000")]
            let answer = try await b.post("/admin/catalog/plans", fields + [("monthly", "abc")])
            #expect(answer.status == .unprocessableContent)
            #expect(answer.text.contains("data-code=\"money.invalid\" data-field=\"monthly\""))
            #expect(answer.text.contains("value=\"ws_bad\""))
            #expect(try await service.catalog().plans[PlanID("ws_bad")] == nil)
            let unknownProduct = try await b.post("/admin/catalog/plans", [("product", "nope"), ("id", "ws_bad"), ("name", "Bad"), ("currency", "VND"), ("monthly", "1000")])
            #expect(unknownProduct.status == .unprocessableContent)
            #expect(try await service.catalog().plans[PlanID("ws_bad")] == nil)
            let good = try await b.post("/admin/catalog/plans", fields + [("monthly", "100000"), ("self_service", "1"), ("contracts", "1")])
            #expect(good.status == .seeOther, "\(good.text)")
            let plan = try #require(try await service.catalog().plans[PlanID("ws_bad")])
            #expect(plan.prices.contains(Price(.monthly, Money(minorUnits: 100_000, currency: .vnd))))
            #expect(plan.selfService && plan.contracts == true, "sold in the portal and under contract")
            #expect(plan.pricing == .perSeat(minimum: 2, maximum: nil))
        }
    }

    @Test("Voiding an open invoice", arguments: TestDatabase.all)
    func void(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let invoice = try await openInvoice(service)
            var b = try await StaffBrowser.signIn(client)
            let answer = try await b.post("/admin/invoices/\(invoice.id)/void", [])
            #expect(answer.status == .seeOther)
            #expect(answer.headers[.location] == "/admin/invoices/\(invoice.id)")
            #expect(try await service.invoice(invoice.id).status == .void)
            let again = try await b.post("/admin/invoices/\(invoice.id)/void", [])
            #expect(again.status == .unprocessableContent)
            #expect(again.text.contains("invoice.not_open"))
            #expect(try await b.post("/admin/invoices/inv_nope/void", []).status == .notFound)
        }
    }
}
