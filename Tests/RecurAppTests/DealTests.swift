import Foundation
import HummingbirdTesting
import RecurApp
import RecurCore
import RecurEngine
import RecurWeb
import Testing

private func hoshi(_ service: RecurService) async throws -> CustomerRecord { try await demoCustomers(service).hoshi }

@Suite("Enterprise deals (000)")
struct DealTests {
    @Test("briefing → NDA → quote of 60 × ¥3,000 = ¥180,000 a month → application → contract → subscription in arrears, nothing invoiced now",
          arguments: TestDatabase.all)
    func wholeFlow(db: TestDatabase) async throws {
        try await withApp(db) { _, service in
            let c = try await hoshi(service)
            let staff = Actor("staff:test")
            var d = try await service.requestBriefing(customer: c.id, plan: "meeting_enterprise", users: 60, contractMonths: 12, annual: true,
                                                      contactName: "田中 花子", contactEmail: "tanaka@hoshi.example", message: "Board meetings", actor: .system)
            #expect(d.stage == .briefingRequested)
            d = try await service.advanceDeal(d.id, .holdBriefing(note: "Call on Monday"), actor: staff)
            d = try await service.advanceDeal(d.id, .requestDocument(.nda), actor: staff)
            // The quote waits for the open NDA.
            await #expect(throws: RecurErrors.self) { try await service.advanceDeal(d.id, .sendQuote, actor: staff) }
            d = try await service.advanceDeal(d.id, .completeDocument(.nda), actor: staff)
            #expect(d.documents.first?.completedOn == (try CivilDate(2026, 3, 1)))
            d = try await service.advanceDeal(d.id, .sendQuote, actor: staff)
            #expect(d.stage == .quoted)
            #expect(d.quoteNumber == "QUO-2026-000001")
            #expect(d.quoteMonthly == Money(minorUnits: 180_000, currency: .jpy))
            #expect(d.quoteValidUntil == (try CivilDate(2026, 3, 31)))
            d = try await service.advanceDeal(d.id, .receiveApplication(legalName: "株式会社ホシ", taxID: "T1234567890123", address: "1-1 Marunouchi", signatory: "星 太郎"),
                                              actor: staff)
            d = try await service.advanceDeal(d.id, .signContract(start: try CivilDate(2026, 4, 1)), actor: staff)
            #expect(d.contractNumber == "CTR-2026-000001")
            d = try await service.advanceDeal(d.id, .startSubscription, actor: staff)
            #expect(d.stage == .won)
            let sub = try await service.subscription(try #require(d.subscription))
            #expect(sub.subscription.plan == "meeting_enterprise" && sub.subscription.seats == 60 && sub.subscription.renewalMode == .manual)
            #expect(try await service.listInvoices(customer: c.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items.isEmpty,
                    "in arrears: the month close invoices, not the contract")
            #expect(d.history.map(\.action) == ["briefing_requested", "briefing_held", "document_requested:nda", "document_completed:nda", "quote_sent",
                                                "application_received", "contract_signed", "subscription_started"])
            // Done is done.
            do {
                _ = try await service.advanceDeal(d.id, .lose(reason: "late"), actor: staff)
                Issue.record("a won deal cannot be lost")
            } catch let e as RecurError {
                #expect(e.code == .dealWrongStage)
                #expect(e.values["stage"] == .text("won"))
            }
        }
    }

    @Test("refused: a self-service plan, 49 users under the minimum of 50, a 5-month contract, documents on a monthly contract, steps out of order",
          arguments: TestDatabase.all)
    func refusals(db: TestDatabase) async throws {
        try await withApp(db) { _, service in
            let c = try await hoshi(service)
            do {
                _ = try await service.requestBriefing(customer: c.id, plan: "email_basic", users: 49, contractMonths: 5, annual: false,
                                                      contactName: "", contactEmail: "nope", message: nil, actor: .system)
                Issue.record("refused")
            } catch let e as RecurErrors {
                #expect(Set(e.errors.map(\.field)) == ["plan", "contract_months", "contact_name", "contact_email"])
            }
            do {
                _ = try await service.requestBriefing(customer: c.id, plan: "meeting_enterprise", users: 49, contractMonths: 6, annual: false,
                                                      contactName: "T", contactEmail: "t@hoshi.example", message: nil, actor: .system)
                Issue.record("refused")
            } catch let e as RecurErrors {
                #expect(e.errors.map(\.field) == ["users"])
                #expect(e.errors.first?.values["minimum"] == .int(50))
            }
            let d = try await service.requestBriefing(customer: c.id, plan: "meeting_enterprise", users: 50, contractMonths: 6, annual: false,
                                                      contactName: "T", contactEmail: "t@hoshi.example", message: nil, actor: .system)
            do {
                _ = try await service.advanceDeal(d.id, .signContract(start: try CivilDate(2026, 4, 1)), actor: .system)
                Issue.record("out of order")
            } catch let e as RecurError {
                #expect(e.code == .dealWrongStage)
            }
            _ = try await service.advanceDeal(d.id, .holdBriefing(note: nil), actor: .system)
            await #expect(throws: RecurErrors.self) { try await service.advanceDeal(d.id, .requestDocument(.gdprSCC), actor: .system) }
            #expect(try await service.deal(d.id).stage == .briefingHeld)
        }
    }

    @Test("pages: the customer asks in the portal; staff move the deal in the back office; finance may look, not move; CSRF required",
          arguments: TestDatabase.all)
    func pages(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let c = try await hoshi(service)
            let customer = Browser(client)
            try await customer.portalSignIn(customer: c.id, member: "tanaka@hoshi.example")
            let plans = try await customer.get("/portal/plans?product=meeting")
            #expect(plans.text.contains("data-test=\"contact-sales\""))
            let short = try await customer.post("/portal/enterprise", [("plan", "meeting_enterprise"), ("users", "60"), ("contract_months", "5"),
                                                                         ("contact_name", "Tanaka"), ("contact_email", "tanaka@hoshi.example")])
            #expect(short.status == 422)
            #expect(short.text.contains("data-field=\"contract_months\""))
            let asked = try await customer.post("/portal/enterprise", [("plan", "meeting_enterprise"), ("users", "60"), ("contract_months", "12"),
                                                                         ("annual", "1"), ("contact_name", "Tanaka"), ("contact_email", "tanaka@hoshi.example")])
            #expect(asked.status == 303)
            let deal = try #require(try await service.listDeals(customer: c.id, stage: nil, limit: 10, startingAfter: nil).items.first)
            #expect(deal.users == 60 && deal.annual)

            let admin = Browser(client)
            #expect(try await admin.staffSignIn(email: DemoStaff.email, password: DemoStaff.password).status == 303)
            #expect(try await admin.get("/admin/deals").text.contains(deal.id))
            #expect(try await admin.get("/admin/deals/\(deal.id)").status == 200)
            #expect(try await admin.post("/admin/deals/\(deal.id)", [("action", "hold_briefing")], csrf: false).status == 403)
            #expect(try await service.deal(deal.id).stage == .briefingRequested)
            #expect(try await admin.post("/admin/deals/\(deal.id)", [("action", "hold_briefing"), ("note", "ok")]).status == 303)
            #expect(try await admin.post("/admin/deals/\(deal.id)", [("action", "send_quote")]).status == 303)
            let quoted = try await admin.get("/admin/deals/\(deal.id)")
            #expect(quoted.text.visibleText.contains("QUO-2026-000001 · ¥180,000"))
            let wrong = try await admin.post("/admin/deals/\(deal.id)", [("action", "start_subscription")])
            #expect(wrong.status == 409)
            #expect(try await admin.get("/admin/deals/nope").status == 404)

            _ = try await service.createStaff(email: "fin@recur.example", name: "Finance", role: .finance, password: "finance-pass-1", actor: .system)
            let finance = Browser(client)
            #expect(try await finance.staffSignIn(email: "fin@recur.example", password: "finance-pass-1").status == 303)
            #expect(try await finance.get("/admin/deals/\(deal.id)").status == 200)
            #expect(try await finance.post("/admin/deals/\(deal.id)", [("action", "lose"), ("reason", "x")]).status == 403)
            #expect(try await service.deal(deal.id).stage == .quoted)
            // The customer sees the quote in the portal.
            #expect(try await customer.get("/portal/enterprise").text.contains("QUO-2026-000001"))
        }
    }

    @Test("staff sign-in: a wrong password is 401 with no session; a short password cannot be set; e-mails are unique", arguments: TestDatabase.all)
    func staffAccounts(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let b = Browser(client)
            let wrong = try await b.staffSignIn(email: DemoStaff.email, password: "wrong-password")
            #expect(wrong.status == 401)
            #expect(b.cookies["recur_session"] == nil)
            #expect(try await b.get("/admin").location == "/admin/sign-in")
            await #expect(throws: RecurErrors.self) {
                try await service.createStaff(email: "x@recur.example", name: "X", role: .sales, password: "short", actor: .system)
            }
            do {
                _ = try await service.createStaff(email: DemoStaff.email.uppercased(), name: "Again", role: .sales, password: "long-enough-1", actor: .system)
                Issue.record("duplicate e-mail")
            } catch let e as RecurError {
                #expect(e.code == .resourceExists)
            }
            let stored = try #require(try await service.listStaff().first { $0.email == DemoStaff.email })
            #expect(stored.passwordHash.hasPrefix("$2b$10$") && !stored.passwordHash.contains(DemoStaff.password))
        }
    }
}
