import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurCore
import RecurEngine
import RecurWeb
import Testing

/// One-off charges: 002's prepaid phone credit and 000's event plan.
@Suite("One-off purchases and prepaid balances")
struct OneOffTests {
    func customer(_ client: any TestClientProtocol, currency: String = "VND", country: String = "VN") async throws -> String {
        let c = try await client.call(.post, "/v1/customers", json: #"{"name":"Prepaid Co","currency":"\#(currency)","country":"\#(country)"}"#)
        return try #require(try c.json["id"] as? String)
    }

    @Test("phone credit: bought ×3, the balance is credited only when the invoice is paid, then spent", arguments: TestDatabase.all)
    func phoneCredit(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let cid = try await customer(client)
            let bought = try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"phone_credit","quantity":3}"#)
            #expect(bought.status == .created, "\(bought.text)")
            let invoice = try bought.json
            let line = try #require((invoice["lines"] as? [[String: Any]])?.first)
            #expect(line["kind"] as? String == "one_off")
            #expect(line["charge"] as? String == "phone_credit")
            #expect(line["top_up"] as? String == "phone_credit")
            #expect(int(line["quantity"]) == 3)
            #expect(money(line["unit_amount"]) == "100000 VND")
            #expect(money(line["amount"]) == "300000 VND")
            #expect(money(line["tax"]) == "30000 VND")
            #expect(money(line["total"]) == "330000 VND")
            #expect(invoice["status"] as? String == "open")
            #expect(money(invoice["amount_remaining"]) == "330000 VND")
            #expect(money(dig(invoice, "totals", "total")) == "330000 VND")
            // Not paid yet: nothing to spend.
            #expect(try await client.call(.get, "/v1/customers/\(cid)").json["prepaid_balances"] == nil)
            try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/balances/phone_credit/debit",
                                                    json: #"{"amount":{"amount":1,"currency":"VND"}}"#), 409, "balance.insufficient")

            let id = try #require(invoice["id"] as? String)
            let paid = try await client.call(.post, "/v1/invoices/\(id)/pay", json: "{}")
            #expect(try paid.json["status"] as? String == "paid")
            var c = try await client.call(.get, "/v1/customers/\(cid)").json
            #expect(money(dig(c, "prepaid_balances", "phone_credit")) == "300000 VND")

            let spent = try await client.call(.post, "/v1/customers/\(cid)/balances/phone_credit/debit",
                                              json: #"{"amount":{"amount":120000,"currency":"VND"},"reference":"call-0001"}"#)
            #expect(spent.status == .ok, "\(spent.text)")
            #expect(money(try spent.json["remaining"]) == "180000 VND")
            #expect(money(try spent.json["amount"]) == "120000 VND")

            // More than is left: refused with both numbers, nothing taken.
            let tooMuch = try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/balances/phone_credit/debit",
                                                                  json: #"{"amount":{"amount":180001,"currency":"VND"}}"#),
                                            409, "balance.insufficient", field: "amount")
            #expect(dig(tooMuch, "values", "available") as? String == "180000 VND")
            #expect(dig(tooMuch, "values", "requested") as? String == "180001 VND")
            try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/balances/phone_credit/debit",
                                                    json: #"{"amount":{"amount":100,"currency":"EUR"}}"#), 422, "balance.invalid", field: "amount.currency")
            try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/balances/phone_credit/debit",
                                                    json: #"{"amount":{"amount":0,"currency":"VND"}}"#), 422, "balance.invalid", field: "amount")
            try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/balances/sms_credit/debit",
                                                    json: #"{"amount":{"amount":10,"currency":"VND"}}"#), 422, "balance.invalid", field: "balance")
            c = try await client.call(.get, "/v1/customers/\(cid)").json
            #expect(money(dig(c, "prepaid_balances", "phone_credit")) == "180000 VND")

            // The whole rest can be spent, to exactly zero.
            let rest = try await client.call(.post, "/v1/customers/\(cid)/balances/phone_credit/debit",
                                             json: #"{"amount":{"amount":180000,"currency":"VND"}}"#)
            #expect(money(try rest.json["remaining"]) == "0 VND")

            // Every step is in the customer's audit trail.
            let audit = try await client.call(.get, "/v1/customers/\(cid)/audit?limit=100").json
            let actions = (audit["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions.filter { $0 == "balance.debited" }.count == 2)
            #expect(actions.contains("balance.topped_up"))
            #expect(actions.contains("charge.purchased"))
        }
    }

    @Test("refusals: unknown charge, bad quantity, a sales-led event plan, an unknown customer; nothing is invoiced", arguments: TestDatabase.all)
    func refusals(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let cid = try await customer(client)
            try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"gold_bars","quantity":1}"#),
                              422, "charge.unknown", field: "charge")
            let zero = try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"phone_credit","quantity":0}"#),
                                         422, "charge.invalid_quantity", field: "quantity")
            #expect(dig(zero, "values", "maximum") as? String == "50")
            try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"phone_credit","quantity":51}"#),
                              422, "charge.invalid_quantity", field: "quantity")
            try expectProblem(try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"event_interpretation","quantity":4}"#),
                              422, "charge.sales_led", field: "charge")
            try expectProblem(try await client.call(.post, "/v1/customers/cus_missing/purchases", json: #"{"charge":"phone_credit","quantity":1}"#),
                              404, "resource.not_found")
            let invoices = try await client.call(.get, "/v1/invoices?customer=\(cid)").json
            #expect((invoices["data"] as? [Any])?.count == 0)
        }
    }

    @Test("a customer with a credit balance gets the top-up at once: the balance pays the invoice", arguments: TestDatabase.all)
    func creditPaysAtOnce(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let cid = try await customer(client)
            // 132,000 paid for Workspace Starter, then 200,000 credited back to the balance.
            let bought = try await client.call(.post, "/v1/subscriptions",
                                               json: #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_starter","cycle_months":1,"seats":2}]}"#)
            let first = try #require(dig(try bought.json, "invoice", "id") as? String)
            _ = try await client.call(.post, "/v1/invoices/\(first)/pay", json: "{}")
            _ = try await client.call(.post, "/v1/invoices/\(first)/credit-notes", json: #"{"reason":"goodwill"}"#)
            #expect(money(try await client.call(.get, "/v1/customers/\(cid)").json["balance"]) == "-132000 VND")
            // 1 × 100,000 + 10,000 VAT = 110,000, paid from the 132,000 credit.
            let credit = try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"phone_credit","quantity":1}"#).json
            #expect(credit["status"] as? String == "paid")
            #expect(money(credit["amount_paid"]) == "110000 VND")
            let c = try await client.call(.get, "/v1/customers/\(cid)").json
            #expect(money(c["balance"]) == "-22000 VND")
            #expect(money(dig(c, "prepaid_balances", "phone_credit")) == "100000 VND")
            let record = try await service.customer(cid)
            #expect(record.prepaid?["phone_credit"] == Money(minorUnits: 100_000, currency: .vnd))
        }
    }

    @Test("Japan: consumption tax is inside the price; the top-up is what was bought", arguments: TestDatabase.all)
    func japanInclusive(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let cid = try await customer(client, currency: "JPY", country: "JP")
            let invoice = try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"phone_credit","quantity":2}"#).json
            let line = try #require((invoice["lines"] as? [[String: Any]])?.first)
            #expect(money(line["amount"]) == "2000 JPY")
            // 2,000 × 10 / 110 = 181.8… → 182, inside the 2,000.
            #expect(money(line["tax"]) == "182 JPY")
            #expect(money(line["total"]) == "2000 JPY")
            _ = try await client.call(.post, "/v1/invoices/\(try #require(invoice["id"] as? String))/pay", json: "{}")
            #expect(money(dig(try await client.call(.get, "/v1/customers/\(cid)").json, "prepaid_balances", "phone_credit")) == "2000 JPY")
        }
    }

    @Test("charges in the catalog: listed, created, refused when invalid or taken", arguments: TestDatabase.all)
    func catalog(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let list = try await client.call(.get, "/v1/charges").json
            let ids = (list["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["event_interpretation", "phone_credit"])
            let event = (list["data"] as? [[String: Any]])?.first
            #expect(event?["sales_led"] as? Bool == true)
            #expect((event?["prices"] as? [Any])?.contains { money($0) == "6000000 VND" } == true)

            let created = try await client.call(.post, "/v1/charges",
                                                json: #"{"id":"sms_credit","name":"SMS credit","prices":[{"amount":50000,"currency":"VND"}],"top_up":"sms_credit"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(try created.json["top_up"] as? String == "sms_credit")
            try expectProblem(try await client.call(.post, "/v1/charges",
                                                    json: #"{"id":"sms_credit","name":"Again","prices":[{"amount":1,"currency":"VND"}]}"#), 409, "resource.exists")
            let bad = try await client.call(.post, "/v1/charges",
                                            json: #"{"id":"bad","name":"Bad","prices":[{"amount":0,"currency":"VND"}],"top_up":"SMS Credit"}"#)
            #expect(bad.status.code == 422, "\(bad.text)")
            let fields = problemFields(try bad.json)
            #expect(fields.contains("charges.bad.prices[0]"))
            #expect(fields.contains("charges.bad.topUp"))
            #expect((try await client.call(.get, "/v1/charges").json["data"] as? [Any])?.count == 3)
            // The new charge sells at once.
            let cid = try await customer(client)
            let inv = try await client.call(.post, "/v1/customers/\(cid)/purchases", json: #"{"charge":"sms_credit","quantity":2}"#).json
            #expect(money(dig(inv, "totals", "total")) == "110000 VND")
        }
    }
}

@Suite("Portal: prepaid credit (002)")
struct PortalTopUpTests {
    @Test("the subscription page shows the phone balance; top-up is priced, bought, paid, credited; refusals and read-only members",
          arguments: TestDatabase.all)
    func topUp(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, hoshi) = try await demoCustomers(service)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            let overview = try await b.get("/portal")
            #expect(overview.text.contains("data-test=\"balances\""))
            #expect(overview.text.contains("data-balance=\"phone_credit\">0 ₫"))

            // The price first: 2 × 100.000 ₫ + 10 % VAT.
            let preview = try await b.get("/portal/top-up?charge=phone_credit&quantity=2")
            #expect(preview.status == 200)
            #expect(preview.text.contains("data-test=\"credit\">200.000 ₫"))
            #expect(preview.text.contains("data-test=\"tax\">20.000 ₫"))
            #expect(preview.text.contains("data-test=\"total\">220.000 ₫"))
            // The event plan is sold under a contract: not offered here, refused if posted.
            #expect(!preview.text.contains("event_interpretation"))
            let sold = try await b.post("/portal/top-up", [("charge", "event_interpretation"), ("quantity", "2")])
            #expect(sold.status == 422)
            #expect(sold.text.contains("data-code=\"charge.sales_led\""))
            let tooMany = try await b.post("/portal/top-up", [("charge", "phone_credit"), ("quantity", "51")])
            #expect(tooMany.status == 422)
            #expect(tooMany.text.contains("data-code=\"charge.invalid_quantity\" data-field=\"quantity\""))
            let notNumber = try await b.get("/portal/top-up?charge=phone_credit&quantity=two")
            #expect(notNumber.status == 422)
            #expect(notNumber.text.contains("data-code=\"charge.invalid_quantity\" data-field=\"quantity\""))
            #expect(notNumber.text.visibleText.contains("Chọn số lượng từ 1 đến 50."))
            #expect(try await service.listInvoices(customer: saoMai.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items.isEmpty)

            let bought = try await b.post("/portal/top-up", [("charge", "phone_credit"), ("quantity", "2")])
            #expect(bought.status == 303)
            let invoiceID = try #require(bought.location?.split(separator: "/").last.map(String.init))
            let invoicePage = try await b.get("/portal/invoices/\(invoiceID)")
            #expect(invoicePage.text.contains("data-test=\"amount-due\">220.000 ₫"))
            #expect(invoicePage.text.contains("data-test=\"pay-form\""))
            // Paid (as a gateway or staff would): the credit arrives.
            _ = try await service.payInvoiceOutOfBand(invoiceID, reference: "test", actor: Actor("test"))
            let after = try await b.get("/portal")
            #expect(after.text.contains("data-balance=\"phone_credit\">200.000 ₫"))

            // A member without the billing role sees the balance, not the button, and may not buy.
            let member = Browser(client)
            try await member.portalSignIn(customer: saoMai.id, member: "binh@saomai.example")
            let seen = try await member.get("/portal/top-up?charge=phone_credit&quantity=1")
            #expect(seen.text.contains("data-test=\"read-only\""))
            #expect(!seen.text.contains("data-test=\"buy-form\""))
            #expect(try await member.post("/portal/top-up", [("charge", "phone_credit"), ("quantity", "1")]).status == 403)

            // Another customer's page shows its own balance, in its own currency and language.
            let tanaka = Browser(client)
            try await tanaka.portalSignIn(customer: hoshi.id, member: "tanaka@hoshi.example")
            let jp = try await tanaka.get("/portal")
            #expect(jp.text.contains("data-balance=\"phone_credit\">¥0"))
            #expect(!jp.text.contains("200.000"))
        }
    }
}

@Suite("Event plan deals (000)")
struct EventDealTests {
    @Test("event plan: quote 6 h × 6.000.000 ₫ = 36.000.000 ₫ once → application → contract → one invoice with VAT, due the day before the event",
          arguments: TestDatabase.all)
    func eventFlow(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let staff = Actor("staff:test")
            // Through the portal, as the customer asks.
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            let page = try await b.get("/portal/enterprise")
            #expect(page.text.contains("data-test=\"event\""))
            let past = try await b.post("/portal/enterprise/event", [("charge", "event_interpretation"), ("hours", "6"), ("event_date", "2026-02-01"),
                                                                     ("contact_name", "An"), ("contact_email", "an@saomai.example")])
            #expect(past.status == 422)
            #expect(past.text.contains("data-code=\"deal.invalid\" data-field=\"event_date\""))
            let tooLong = try await b.post("/portal/enterprise/event", [("charge", "event_interpretation"), ("hours", "25"), ("event_date", "2026-05-20"),
                                                                        ("contact_name", "An"), ("contact_email", "an@saomai.example")])
            #expect(tooLong.text.contains("data-code=\"deal.invalid\" data-field=\"users\""))
            let notEvent = try await b.post("/portal/enterprise/event", [("charge", "phone_credit"), ("hours", "2"), ("event_date", "2026-05-20"),
                                                                         ("contact_name", "An"), ("contact_email", "an@saomai.example")])
            #expect(notEvent.text.contains("data-code=\"deal.invalid\" data-field=\"charge\""))
            #expect(try await service.listDeals(customer: saoMai.id, stage: nil, limit: 10, startingAfter: nil).items.isEmpty)
            let asked = try await b.post("/portal/enterprise/event", [("charge", "event_interpretation"), ("hours", "6"), ("event_date", "2026-05-20"),
                                                                      ("contact_name", "An"), ("contact_email", "an@saomai.example"), ("message", "Annual conference")])
            #expect(asked.status == 303)
            var d = try #require(try await service.listDeals(customer: saoMai.id, stage: nil, limit: 10, startingAfter: nil).items.first)
            let eventDay = try CivilDate(2026, 5, 20)
            #expect(d.isEvent && d.users == 6 && d.eventDate == eventDay)
            // Documents are for annual Enterprise contracts only.
            d = try await service.advanceDeal(d.id, .holdBriefing(note: nil), actor: staff)
            do {
                _ = try await service.advanceDeal(d.id, .requestDocument(.nda), actor: staff)
                Issue.record("an event's deal takes no NDA")
            } catch let e as RecurErrors {
                #expect(e.errors.map(\.field) == ["document"])
                #expect(e.codes == [.dealInvalid])
            }
            d = try await service.advanceDeal(d.id, .sendQuote, actor: staff)
            #expect(d.quoteOnce == Money(minorUnits: 36_000_000, currency: .vnd))
            #expect(d.quoteMonthly == nil)
            let quoted = try await b.get("/portal/enterprise")
            #expect(quoted.text.contains("36.000.000 ₫"))
            // The quote as a PDF: 6 hours × 6.000.000 ₫, 10 % VAT, 39.600.000 ₫ once.
            let pdf = try await b.get("/portal/enterprise/deals/\(d.id)/quote.pdf")
            #expect(pdf.status == 200)
            if let text = try pdfText(pdf.bytes) {
                #expect(text.contains(d.quoteNumber ?? "?"))
                #expect(text.contains("6.000.000 ₫") && text.contains("36.000.000 ₫") && text.contains("3.600.000 ₫") && text.contains("39.600.000 ₫"), "\(text)")
                #expect(text.contains(LocaleFormat.date(eventDay, locale: "vi")), "\(text)")
            }
            d = try await service.advanceDeal(d.id, .receiveApplication(legalName: "Công ty Sao Mai", taxID: nil, address: "Hà Nội", signatory: "An"), actor: staff)
            d = try await service.advanceDeal(d.id, .signContract(start: try CivilDate(2026, 3, 1)), actor: staff)
            #expect(try await service.listInvoices(customer: saoMai.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items.isEmpty)
            d = try await service.advanceDeal(d.id, .startSubscription, actor: staff)
            #expect(d.stage == .won)
            #expect(d.subscription == nil)
            let invoice = try await service.invoice(try #require(d.invoice))
            #expect(invoice.lines.count == 1)
            #expect(invoice.lines[0].kind == .oneOff && invoice.lines[0].quantity == 6)
            #expect(invoice.lines[0].description.contains("2026-05-20") && invoice.lines[0].description.contains(d.contractNumber ?? "?"))
            #expect(invoice.totals.net == Money(minorUnits: 36_000_000, currency: .vnd))
            #expect(invoice.totals.tax == Money(minorUnits: 3_600_000, currency: .vnd))
            #expect(invoice.totals.total == Money(minorUnits: 39_600_000, currency: .vnd))
            #expect(invoice.dueDate == (try CivilDate(2026, 5, 19)))
            #expect(invoice.status == .open)
            #expect(try await service.listSubscriptions(customer: saoMai.id, status: nil, limit: 10, startingAfter: nil).items.isEmpty)
            #expect(d.history.last?.action == "subscription_started")
            // The customer sees the invoice from the deal; staff see it on the deal page.
            #expect(try await b.get("/portal/enterprise").text.contains("/portal/invoices/\(invoice.id)"))
            let admin = Browser(client)
            #expect(try await admin.staffSignIn(email: DemoStaff.email, password: DemoStaff.password).status == 303)
            let dealPage = try await admin.get("/admin/deals/\(d.id)")
            #expect(dealPage.text.contains("data-test=\"invoice\""))
            #expect(dealPage.text.contains("data-test=\"event-date\""))
        }
    }

    @Test("back office: charges listed and created in the catalog; a one-off sale on the customer's page; balances shown", arguments: TestDatabase.all)
    func backOffice(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let admin = Browser(client)
            #expect(try await admin.staffSignIn(email: DemoStaff.email, password: DemoStaff.password).status == 303)
            let catalog = try await admin.get("/admin/catalog")
            #expect(catalog.text.contains("data-charge=\"phone_credit\""))
            #expect(catalog.text.contains("data-charge=\"event_interpretation\""))
            let bad = try await admin.post("/admin/catalog/charges", [("id", "sms"), ("name", "SMS"), ("currency", "VND"), ("price", "-5"), ("top_up", "sms_credit")])
            #expect(bad.status == 422)
            let made = try await admin.post("/admin/catalog/charges", [("id", "sms"), ("name", "SMS credit"), ("currency", "VND"), ("price", "50000"), ("top_up", "sms_credit")])
            #expect(made.status == 303)
            #expect(try await service.catalog().charges["sms"]?.prices == [Money(minorUnits: 50_000, currency: .vnd)])

            let sold = try await admin.post("/admin/customers/\(saoMai.id)/sales", [("charge", "phone_credit"), ("quantity", "5")])
            #expect(sold.status == 303)
            let invoices = try await service.listInvoices(customer: saoMai.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items
            #expect(invoices.map(\.totals.total) == [Money(minorUnits: 550_000, currency: .vnd)])
            let refused = try await admin.post("/admin/customers/\(saoMai.id)/sales", [("charge", "phone_credit"), ("quantity", "0")])
            #expect(refused.status == 422)
            #expect(refused.text.contains("data-code=\"charge.invalid_quantity\""))
            _ = try await service.payInvoiceOutOfBand(invoices[0].id, reference: "cash", actor: Actor("test"))
            let page = try await admin.get("/admin/customers/\(saoMai.id)")
            #expect(page.text.contains("data-balance=\"phone_credit\">500,000 ₫"))
        }
    }
}

@Suite("Small and Premium under contract (000)")
struct ContractPlanTests {
    @Test("Small 600 minutes, annual, one sum: quoted ¥660,000 a year, contracted, subscribed yearly with its first invoice; Premium monthly",
          arguments: TestDatabase.all)
    func smallAndPremium(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (_, hoshi) = try await demoCustomers(service)
            let staff = Actor("staff:test")
            // Refused: no tier for Small, one sum on a contract that is not annual, a 3-month payment cycle.
            do {
                _ = try await service.requestBriefing(customer: hoshi.id, plan: "meeting_small", users: 5, contractMonths: 6, annual: false,
                                                      contactName: "田中", contactEmail: "tanaka@hoshi.example", message: nil, tier: nil, paymentMonths: 12, actor: .system)
                Issue.record("refused")
            } catch let e as RecurErrors {
                #expect(Set(e.errors.map(\.field)) == ["tier", "payment_months"])
            }
            do {
                _ = try await service.requestBriefing(customer: hoshi.id, plan: "meeting_premium", users: 5, contractMonths: 12, annual: true,
                                                      contactName: "田中", contactEmail: "tanaka@hoshi.example", message: nil, paymentMonths: 3, actor: .system)
                Issue.record("a 3-month payment cycle is refused")
            } catch let e as RecurErrors {
                #expect(e.errors.map(\.field) == ["payment_months"])
            }

            var d = try await service.requestBriefing(customer: hoshi.id, plan: "meeting_small", users: 8, contractMonths: 12, annual: true,
                                                      contactName: "田中", contactEmail: "tanaka@hoshi.example", message: nil, tier: "600",
                                                      paymentMonths: 12, actor: .system)
            d = try await service.advanceDeal(d.id, .holdBriefing(note: nil), actor: staff)
            d = try await service.advanceDeal(d.id, .sendQuote, actor: staff)
            #expect(d.quoteCycle == Money(minorUnits: 660_000, currency: .jpy))
            #expect(d.quoteMonthly == nil)
            let b = Browser(client)
            try await b.portalSignIn(customer: hoshi.id, member: "tanaka@hoshi.example")
            let pdf = try await b.get("/portal/enterprise/deals/\(d.id)/quote.pdf")
            #expect(pdf.status == 200)
            if let text = try pdfText(pdf.bytes) {
                #expect(text.contains("600 minutes") && text.contains("¥660,000") && text.contains("¥60,000"), "\(text)")
            }
            d = try await service.advanceDeal(d.id, .receiveApplication(legalName: "株式会社ホシ", taxID: nil, address: "Tokyo", signatory: "星"), actor: staff)
            d = try await service.advanceDeal(d.id, .signContract(start: try CivilDate(2026, 3, 1)), actor: staff)
            d = try await service.advanceDeal(d.id, .startSubscription, actor: staff)
            let sub = try await service.subscription(try #require(d.subscription)).subscription
            #expect(sub.plan == "meeting_small" && sub.tier == "600" && sub.cycle == .yearly && sub.renewalMode == .manual)
            let invoices = try await service.listInvoices(customer: hoshi.id, subscription: nil, status: nil, limit: 10, startingAfter: nil).items
            #expect(invoices.map(\.totals.total) == [Money(minorUnits: 660_000, currency: .jpy)])
            #expect(invoices.first?.totals.tax == Money(minorUnits: 60_000, currency: .jpy))

            // Premium, 6 months, paid every month: ¥200,000 a month.
            var p = try await service.requestBriefing(customer: hoshi.id, plan: "meeting_premium", users: 1, contractMonths: 6, annual: false,
                                                      contactName: "田中", contactEmail: "tanaka@hoshi.example", message: nil, paymentMonths: 1, actor: .system)
            p = try await service.advanceDeal(p.id, .holdBriefing(note: nil), actor: staff)
            p = try await service.advanceDeal(p.id, .sendQuote, actor: staff)
            #expect(p.quoteCycle == Money(minorUnits: 200_000, currency: .jpy))
            let page = try await b.get("/portal/enterprise")
            #expect(page.text.contains("¥200,000 / 月"), "\(page.text.visibleText)")
        }
    }
}
