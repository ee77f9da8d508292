import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurCore
import RecurEngine
import RecurWeb
import Testing

/// A deal of `users` on Enterprise for `customer`, briefed and (unless `quote` is false) quoted.
private func enterpriseDeal(_ service: RecurService, _ customer: String, users: Int, months: Int, quote: Bool = true) async throws -> DealRecord {
    let staff = Actor("staff:test")
    var d = try await service.requestBriefing(customer: customer, plan: "meeting_enterprise", users: users, contractMonths: months, annual: false,
                                              contactName: "Tanaka", contactEmail: "tanaka@hoshi.example", message: nil, actor: .system)
    d = try await service.advanceDeal(d.id, .holdBriefing(note: nil), actor: staff)
    if quote { d = try await service.advanceDeal(d.id, .sendQuote, actor: staff) }
    return d
}

/// The PDF's text (pdftotext), spaces collapsed, or nil without poppler; `qpdf --check` must pass.
func pdfText(_ data: Data) throws -> String? {
    #expect(data.prefix(5) == Data("%PDF-".utf8))
    let path = scratchURL("recur-deal-quote-\(UUID().uuidString).pdf").path
    try data.write(to: URL(fileURLWithPath: path))
    if let check = try tool("qpdf", ["--check", path]) {
        #expect(check.contains("No syntax or stream encoding errors"), "\(check)")
    }
    return try tool("pdftotext", [path, "-"]).map { $0.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression) }
}

/// The Enterprise plan's monthly price per user in yen, from the demo catalog.
private func enterprisePrice(_ service: RecurService) async throws -> Money {
    let catalog = try await service.catalog()
    let plan = try #require(catalog.plans[PlanID("meeting_enterprise")])
    return try catalog.price(of: plan, cycle: .monthly, currency: .jpy, tier: nil, field: "plan").unitAmount
}

@Suite("Enterprise deal quote PDFs")
struct DealQuotePDFTests {
    @Test("ja: Hoshi's quote of 60 × ¥3,000 = ¥180,000 a month, tax included (¥16,364), 12 months, in arrears, in Japanese",
          arguments: TestDatabase.all)
    func japanese(db: TestDatabase) async throws {
        try await withApp(db) { _, service in
            let hoshi = try await demoCustomers(service).hoshi
            let deal = try await enterpriseDeal(service, hoshi.id, users: 60, months: 12)
            let perUser = try await enterprisePrice(service)
            #expect(perUser == Money(minorUnits: 3_000, currency: .jpy))
            let monthly = try perUser * 60
            #expect(monthly == Money(minorUnits: 180_000, currency: .jpy) && deal.quoteMonthly == monthly)
            // Japan's consumption tax is included in the price: 180,000 × 10/110 = 16,363.6 → ¥16,364.
            let rate = try #require(try await service.catalog().taxRate(country: "JP", category: .standard))
            #expect(try rate.tax(on: monthly) == Money(minorUnits: 16_364, currency: .jpy))
            guard let text = try pdfText(try await service.dealQuotePDF(deal.id)) else { return }
            for expected in ["見積書", "QUO-2026-000001", "有効期限", "2026/03/31", "2026/03/01", "Kabushiki Kaisha Hoshi", "Recur Demo Software JSC",
                             "60", "¥3,000", "¥180,000", "¥16,364", "消費税", "月額合計", "契約期間：12か月",
                             "実際のユーザー数に基づき毎月後払いで請求し、お支払期限は翌月末です。"] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
            #expect(!text.contains("¥196,364"), "an inclusive tax is not added on top")
        }
    }

    @Test("en: 50 × ¥3,000 = ¥150,000 a month + 10 % VAT ¥15,000 = ¥165,000 for a Vietnamese company; 6 months; refusals 409 and 404",
          arguments: TestDatabase.all)
    func english(db: TestDatabase) async throws {
        try await withApp(db) { _, service in
            let c = try await service.createCustomer(CustomerChanges(name: "Lotus Meetings JSC", country: "VN", currency: "JPY", locale: "en",
                                                                     timeZone: "Asia/Ho_Chi_Minh", invoiceEmails: ["billing@lotus.example"]), actor: .system)
            let open = try await enterpriseDeal(service, c.id, users: 50, months: 6, quote: false)
            do {
                _ = try await service.dealQuotePDF(open.id)
                Issue.record("no quote yet")
            } catch let e as RecurError {
                #expect(e.code == .dealWrongStage && e.code.httpStatus == 409)
                #expect(e.values["stage"] == .text("briefing_held"))
            }
            do {
                _ = try await service.dealQuotePDF("deal_nope")
                Issue.record("unknown deal")
            } catch let e as RecurError {
                #expect(e.code == .resourceNotFound)
            }
            let deal = try await service.advanceDeal(open.id, .sendQuote, actor: Actor("staff:test"))
            let monthly = try await enterprisePrice(service) * 50
            #expect(monthly == Money(minorUnits: 150_000, currency: .jpy) && deal.quoteMonthly == monthly)
            guard let text = try pdfText(try await service.dealQuotePDF(deal.id)) else { return }
            for expected in ["Quote", try #require(deal.quoteNumber), "Valid until", "31/03/2026", "Lotus Meetings JSC", "billing@lotus.example",
                             "Enterprise — 50 users × ¥3,000, per month", "¥150,000", "¥15,000", "Total per month", "¥165,000",
                             "Contract length: 6 months", "Billed monthly in arrears by the real user count, due at the end of the following month."] {
                #expect(text.contains(expected), "missing \(expected) in\n\(text)")
            }
        }
    }

    @Test("pages: staff and the deal's customer download the quote, linked from both deal pages; a stranger is sent to sign in; another customer's deal is 404; no quote yet is 409",
          arguments: TestDatabase.all)
    func pages(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, hoshi) = try await demoCustomers(service)
            let open = try await enterpriseDeal(service, hoshi.id, users: 60, months: 12, quote: false)

            let admin = Browser(client)
            #expect(try await admin.staffSignIn(email: DemoStaff.email, password: DemoStaff.password).status == 303)
            #expect(try await admin.get("/admin/deals/\(open.id)/quote.pdf").status == 409)
            #expect(!(try await admin.get("/admin/deals/\(open.id)").text.contains("quote.pdf")))
            let customer = Browser(client)
            try await customer.portalSignIn(customer: hoshi.id, member: "tanaka@hoshi.example")
            #expect(try await customer.get("/portal/enterprise/deals/\(open.id)/quote.pdf").status == 409)

            let deal = try await service.advanceDeal(open.id, .sendQuote, actor: Actor("staff:test"))
            let number = try #require(deal.quoteNumber)
            #expect(try await admin.get("/admin/deals/\(deal.id)").text.contains("href=\"/admin/deals/\(deal.id)/quote.pdf\""))
            let staffPDF = try await admin.get("/admin/deals/\(deal.id)/quote.pdf")
            #expect(staffPDF.status == 200)
            #expect(staffPDF.headers[.contentType] == "application/pdf")
            #expect(staffPDF.headers[.contentDisposition] == "inline; filename=\"\(number).pdf\"")
            if let text = try pdfText(staffPDF.bytes) { #expect(text.contains(number) && text.contains("¥180,000")) }
            #expect(try await admin.get("/admin/deals/deal_nope/quote.pdf").status == 404)

            #expect(try await customer.get("/portal/enterprise").text.contains("href=\"/portal/enterprise/deals/\(deal.id)/quote.pdf\""))
            let portalPDF = try await customer.get("/portal/enterprise/deals/\(deal.id)/quote.pdf")
            #expect(portalPDF.status == 200)
            #expect(portalPDF.headers[.contentType] == "application/pdf")
            if let text = try pdfText(portalPDF.bytes) { #expect(text.contains(number) && text.contains("¥180,000")) }

            let other = Browser(client)
            try await other.portalSignIn(customer: saoMai.id, member: try #require(saoMai.members.first?.email))
            #expect(try await other.get("/portal/enterprise/deals/\(deal.id)/quote.pdf").status == 404)
            #expect(try await other.get("/portal/enterprise/deals/deal_nope/quote.pdf").status == 404)

            let stranger = Browser(client)
            let noPortal = try await stranger.get("/portal/enterprise/deals/\(deal.id)/quote.pdf")
            #expect(noPortal.status == 303 && noPortal.location == "/portal/sign-in")
            let noStaff = try await stranger.get("/admin/deals/\(deal.id)/quote.pdf")
            #expect(noStaff.status == 303 && noStaff.location == "/admin/sign-in")
            // A portal session is no staff session.
            #expect(try await customer.get("/admin/deals/\(deal.id)/quote.pdf").location == "/admin/sign-in")
        }
    }
}
