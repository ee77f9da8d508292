import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurCore
import RecurEngine
import Testing

/// Quotes, checkout, changes, cancellation, seats, notes and invoices over HTTP.
/// The clock stands at 2026-03-01 12:00 UTC (19:00 in Ho Chi Minh City), so a
/// monthly period starts 2026-03-01 and ends 2026-04-01 (31 days). VN VAT is 10 %.
@Suite("API: subscriptions and invoices")
struct APISubscriptionTests {
    let ws = API.item("workspace", "ws_standard", seats: 10)

    /// kind, amount, net, tax, total of a line.
    func amounts(_ line: Any?) -> [Int64?] {
        [int(dig(line, "amount", "amount")), int(dig(line, "net", "amount")), int(dig(line, "tax", "amount")), int(dig(line, "total", "amount"))]
    }

    /// subtotal, discount, net, tax, total, amount_due.
    func totals(_ t: Any?) -> [Int64?] {
        ["subtotal", "discount", "net", "tax", "total", "amount_due"].map { int(dig(t, $0, "amount")) }
    }

    @Test("POST /v1/quotes prices Workspace Standard × 10 at 900,000 + 90,000 VAT = 990,000 VND and writes nothing", arguments: TestDatabase.all)
    func quote(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let customer = try await API.customer(client)
            let r = try await API.order(client, "/v1/quotes", customer: customer, items: "[\(ws)]")
            #expect(r.status == .ok, "\(r.text)")
            let q = try r.json
            #expect(q["date"] as? String == "2026-03-01")
            #expect(q["currency"] as? String == "VND")
            let lines = try #require(q["lines"] as? [[String: Any]])
            #expect(lines.count == 1)
            let line = lines[0]
            #expect(line["kind"] as? String == "plan")
            #expect(line["description"] as? String == "Digital Workspace Standard")
            #expect(line["product"] as? String == "workspace")
            #expect(line["plan"] as? String == "ws_standard")
            #expect(int(line["quantity"]) == 10)
            #expect(money(line["unit_amount"]) == "90000 VND")
            #expect(amounts(line) == [900_000, 900_000, 90_000, 990_000])
            #expect(line["tax_name"] as? String == "VAT")
            #expect(int(line["tax_rate_basis_points"]) == 1_000)
            #expect(line["tax_inclusive"] as? Bool == false)
            #expect(dig(line, "period", "start") as? String == "2026-03-01")
            #expect(dig(line, "period", "end") as? String == "2026-04-01")
            #expect(totals(q["totals"]) == [900_000, 0, 900_000, 90_000, 990_000, 990_000])
            #expect(dig(q, "totals", "total", "currency") as? String == "VND")
            let sub = try #require(dig(q, "subscriptions", 0) as? [String: Any])
            #expect(sub["plan"] as? String == "ws_standard")
            #expect(int(sub["seats"]) == 10)
            #expect(sub["status"] as? String == "active")
            #expect(sub["anchor"] as? String == "2026-03-01")
            #expect(money(sub["paid_for_period"]) == "900000 VND")
            #expect((q["notices"] as? [Any])?.isEmpty == true)

            // Yearly: 10,800,000 − 20 % (2,160,000) = 8,640,000 + 864,000 VAT = 9,504,000.
            let yearly = try await API.order(client, "/v1/quotes", customer: customer,
                                             items: "[\(API.item("workspace", "ws_standard", seats: 10, cycle: 12))]").json
            #expect(totals(yearly["totals"]) == [10_800_000, 2_160_000, 8_640_000, 864_000, 9_504_000, 9_504_000])
            #expect(dig(yearly, "lines", 0, "discounts", 0, "kind") as? String == "cycle")
            #expect(int(dig(yearly, "lines", 0, "discounts", 0, "percent_basis_points")) == 2_000)
            #expect(dig(yearly, "subscriptions", 0, "current_period", "end") as? String == "2027-03-01")

            // WELCOME10 on a first purchase: 900,000 − 90,000 = 810,000 + 81,000 = 891,000.
            let welcome = try await API.order(client, "/v1/quotes", customer: customer, items: """
                [{"product": "workspace", "plan": "ws_standard", "cycle_months": 1, "seats": 10, "promotion": "WELCOME10"}]
                """).json
            #expect(totals(welcome["totals"]) == [900_000, 90_000, 810_000, 81_000, 891_000, 891_000])

            // Nothing was written by any quote.
            #expect(try await API.ids(client, "/v1/subscriptions?customer=\(customer)") == [])
            #expect(try await API.ids(client, "/v1/subscriptions") == [])
            #expect(try await API.ids(client, "/v1/invoices") == [])
            #expect(int(try await client.call(.get, "/v1/promotions/WELCOME10").json["times_redeemed"]) == 0)
            let actions = try await service.audit(customer: customer, target: nil, limit: 100, startingAfter: nil).items.map(\.action)
            #expect(actions == ["customer.created"])
        }
    }

    @Test("POST /v1/subscriptions creates the subscription and invoice INV-2026-000001 (open, 990,000 due); the next is 000002", arguments: TestDatabase.all)
    func checkout(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let r = try await API.order(client, customer: customer, items: "[\(ws)]")
            #expect(r.status == .created, "\(r.text)")
            let out = try r.json
            let subs = try #require(out["subscriptions"] as? [[String: Any]])
            #expect(subs.count == 1)
            let sub = subs[0]
            let subID = try #require(sub["id"] as? String)
            #expect(subID.hasPrefix("sub_"))
            #expect(sub["customer"] as? String == customer)
            #expect(sub["product"] as? String == "workspace")
            #expect(sub["plan"] as? String == "ws_standard")
            #expect(int(sub["seats"]) == 10)
            #expect(sub["currency"] as? String == "VND")
            #expect(int(sub["cycle_months"]) == 1)
            #expect(sub["status"] as? String == "active")
            #expect(sub["renewal_mode"] as? String == "automatic")
            #expect(sub["cancel_at_period_end"] as? Bool == false)
            #expect(dig(sub, "current_period", "start") as? String == "2026-03-01")
            #expect(dig(sub, "current_period", "end") as? String == "2026-04-01")
            #expect(money(sub["paid_for_period"]) == "900000 VND")

            let invoice = try #require(out["invoice"] as? [String: Any])
            let invoiceID = try #require(invoice["id"] as? String)
            #expect(invoiceID.hasPrefix("in_"))
            #expect(invoice["number"] as? String == "INV-2026-000001")
            #expect(invoice["status"] as? String == "open")
            #expect(invoice["customer"] as? String == customer)
            #expect(invoice["currency"] as? String == "VND")
            #expect(invoice["issue_date"] as? String == "2026-03-01")
            #expect(invoice["due_date"] as? String == "2026-03-01")
            #expect(totals(invoice["totals"]) == [900_000, 0, 900_000, 90_000, 990_000, 990_000])
            #expect(money(invoice["amount_paid"]) == "0 VND")
            #expect(dig(invoice, "lines", 0, "subscription") as? String == subID)
            #expect(totals(dig(out, "quote", "totals")) == [900_000, 0, 900_000, 90_000, 990_000, 990_000])

            // The subscription and the invoice read back as created.
            let got = try await client.call(.get, "/v1/subscriptions/\(subID)")
            #expect(got.status == .ok)
            let g = try got.json
            #expect(g["plan"] as? String == "ws_standard")
            #expect(int(g["seats"]) == 10)
            #expect(money(g["paid_for_period"]) == "900000 VND")
            let gotInvoice = try await client.call(.get, "/v1/invoices/\(invoiceID)")
            #expect(gotInvoice.status == .ok)
            let gi = try gotInvoice.json
            #expect(gi["number"] as? String == "INV-2026-000001")
            #expect(totals(gi["totals"]) == [900_000, 0, 900_000, 90_000, 990_000, 990_000])
            #expect(amounts(dig(gi, "lines", 0)) == [900_000, 900_000, 90_000, 990_000])

            // Another customer's purchase is the next number: SME e-mail, 100,000 + 10,000.
            let other = try await API.customer(client, name: "Công ty Khác", email: "ketoan@khac.example")
            let second = try await API.buy(client, customer: other, "sme_email", "email_basic")
            #expect(dig(second, "invoice", "number") as? String == "INV-2026-000002")
            #expect(totals(dig(second, "invoice", "totals")) == [100_000, 0, 100_000, 10_000, 110_000, 110_000])
            #expect(int(dig(second, "subscriptions", 0, "seats")) == 1)

            // Lists and filters.
            #expect(try await API.ids(client, "/v1/subscriptions?customer=\(customer)") == [subID])
            #expect(try await API.ids(client, "/v1/subscriptions?status=active").count == 2)
            #expect(try await API.ids(client, "/v1/subscriptions?status=cancelled") == [])
            #expect(try await API.ids(client, "/v1/invoices?customer=\(customer)") == [invoiceID])
            #expect(try await API.ids(client, "/v1/invoices?status=open").count == 2)
            #expect(try await API.ids(client, "/v1/invoices?status=paid") == [])
            #expect(try await API.ids(client, "/v1/invoices?subscription=\(subID)") == [invoiceID])
            #expect(try await API.ids(client, "/v1/invoices?customer=\(customer)&status=open") == [invoiceID])
            try expectProblem(try await client.call(.get, "/v1/invoices?status=overdue"), 400, "request.invalid")
            try expectProblem(try await client.call(.get, "/v1/invoices/in_nothing"), 404, "resource.not_found", field: "id")
            try expectProblem(try await client.call(.get, "/v1/subscriptions/sub_nothing"), 404, "resource.not_found", field: "id")

            // Buying Workspace again while it is live is refused.
            let again = try await API.order(client, customer: customer, items: "[\(ws)]")
            try expectProblem(again, 422, "subscription.already_active")
        }
    }

    @Test("Operation Process alone adds Workspace Starter: 2 subscriptions, notice dependency.base_added, 550,000 VND", arguments: TestDatabase.all)
    func autoAddedBase(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let out = try await API.buy(client, customer: customer, "operation_process", "op_starter", seats: 5)
            let subs = try #require(out["subscriptions"] as? [[String: Any]])
            #expect(subs.map { $0["product"] as? String } == ["workspace", "operation_process"])
            #expect(subs.map { $0["plan"] as? String } == ["ws_starter", "op_starter"])
            #expect(subs.map { int($0["seats"]) } == [5, 5])
            let notices = try #require(dig(out, "quote", "notices") as? [[String: Any]])
            #expect(notices.map { $0["code"] as? String } == ["dependency.base_added"])
            #expect(notices.first?["message"] as? String == "Digital Workspace Starter is added: Operation Process needs it")
            // 300,000 + 30,000 and 200,000 + 20,000.
            let lines = try #require(dig(out, "invoice", "lines") as? [[String: Any]])
            #expect(lines.map { $0["description"] as? String } == ["Digital Workspace Starter", "Operation Process Starter"])
            #expect(lines.map(amounts) == [[300_000, 300_000, 30_000, 330_000], [200_000, 200_000, 20_000, 220_000]])
            #expect(totals(dig(out, "invoice", "totals")) == [500_000, 0, 500_000, 50_000, 550_000, 550_000])
            #expect(Set(strings(subs.map { $0["id"] as Any })) == Set(try await API.ids(client, "/v1/subscriptions?customer=\(customer)")))
            #expect(try await API.ids(client, "/v1/invoices?customer=\(customer)").count == 1)
        }
    }

    @Test("Checkout refusals: App Builder 12 seats over Workspace 10, 1 seat, unknown customer; nothing is written", arguments: TestDatabase.all)
    func refusals(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let customer = try await API.customer(client)
            let first = try await API.buy(client, customer: customer, "workspace", "ws_standard", seats: 10)
            let wsID = try #require(dig(first, "subscriptions", 0, "id") as? String)
            let auditBefore = try await service.audit(customer: nil, target: nil, limit: 100, startingAfter: nil).items.count
            let eventsBefore = try await service.store.transaction { tx in try await tx.all(EventRecord.self, filters: [:]).count }

            let tooMany = try await API.order(client, customer: customer, items: "[\(API.item("app_builder", "ab_standard", seats: 12))]")
            let p = try expectProblem(tooMany, 422, "dependency.seats_exceed_base", field: "items[0].seats")
            #expect(dig(p, "values", "seats") as? String == "12")
            #expect(dig(p, "values", "baseSeats") as? String == "10")
            #expect(p["detail"] as? String == "App Builder seats 12 exceed Digital Workspace seats 10")
            #expect(problemCodes(p) == ["dependency.seats_exceed_base"])

            let oneSeat = try await API.order(client, customer: customer, items: "[\(API.item("app_builder", "ab_standard", seats: 1))]")
            let p1 = try expectProblem(oneSeat, 422, "seats.below_minimum", field: "items[0].seats")
            #expect(dig(p1, "values", "seats") as? String == "1")
            #expect(dig(p1, "values", "minimum") as? String == "2")

            // Several items, several problems: every one is listed.
            let both = try await API.order(client, customer: customer, items: """
                [\(API.item("app_builder", "ab_standard", seats: 12)), \(API.item("operation_process", "op_standard", seats: 3))]
                """)
            let pb = try expectProblem(both, 422, "dependency.seats_must_equal_base")
            #expect(problemCodes(pb) == ["dependency.seats_must_equal_base", "dependency.seats_exceed_base"])
            #expect(problemFields(pb) == ["items[1].seats", "items[0].seats"])
            // An unknown plan is found before the dependency rules are looked at.
            try expectProblem(try await API.order(client, customer: customer, items: "[\(API.item("sme_email", "email_nothing"))]"),
                              422, "plan.unknown")

            let nobody = try await API.order(client, customer: "cus_nothing", items: "[\(ws)]")
            try expectProblem(nobody, 404, "resource.not_found")
            try expectProblem(try await API.order(client, customer: customer, items: "[]"), 422, "order.empty")
            try expectProblem(try await API.order(client, customer: customer, items: "[\(API.item("workspace", "ws_standard", seats: 10, cycle: 0))]"),
                              422, "cycle.invalid", field: "items[0].cycle_months")

            // 12 App Builder seats fit after Workspace goes to 12 (an upgrade now: 2 seats × 90,000 × 31/31).
            let more = try await client.call(.post, "/v1/subscriptions/\(wsID)/change", json: #"{"seats": 12}"#)
            #expect(more.status == .ok, "\(more.text)")
            #expect(totals(try more.json["totals"]) == [180_000, 0, 180_000, 18_000, 198_000, 198_000])

            // The refusals wrote nothing: one Workspace subscription, one invoice for it, one for the seats.
            #expect(try await API.ids(client, "/v1/subscriptions?customer=\(customer)") == [wsID])
            let invoices = try await API.ids(client, "/v1/invoices?customer=\(customer)")
            #expect(invoices.count == 2)
            let numbers = try await invoices.asyncMap { try await client.call(.get, "/v1/invoices/\($0)").json["number"] as? String }
            #expect(Set(numbers.compactMap { $0 }) == ["INV-2026-000001", "INV-2026-000002"])
            let auditAfter = try await service.audit(customer: nil, target: nil, limit: 100, startingAfter: nil).items
            // The seat change wrote subscription.updated and invoice.created; the refusals nothing.
            #expect(auditAfter.count == auditBefore + 2)
            let eventsAfter = try await service.store.transaction { tx in try await tx.all(EventRecord.self, filters: [:]).count }
            #expect(eventsAfter == eventsBefore + 2)
        }
    }

    @Test("A checkout that fails validation leaves no subscription, invoice, audit entry, event or invoice number behind", arguments: TestDatabase.all)
    func noHalfWrittenState(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let customer = try await API.customer(client)
            let audit = try await service.audit(customer: nil, target: nil, limit: 100, startingAfter: nil).items.map(\.id)
            let events = try await service.store.transaction { tx in try await tx.all(EventRecord.self, filters: [:]).map(\.id) }

            // Workspace with two dependents that break its seat rules, in one order.
            let r = try await API.order(client, customer: customer, items: """
                [\(API.item("workspace", "ws_standard", seats: 10)), \(API.item("app_builder", "ab_standard", seats: 12)),
                 \(API.item("operation_process", "op_standard", seats: 3))]
                """)
            let p = try expectProblem(r, 422, "dependency.seats_must_equal_base")
            #expect(problemCodes(p) == ["dependency.seats_must_equal_base", "dependency.seats_exceed_base"])

            #expect(try await API.ids(client, "/v1/subscriptions") == [])
            #expect(try await API.ids(client, "/v1/invoices") == [])
            #expect(try await service.audit(customer: nil, target: nil, limit: 100, startingAfter: nil).items.map(\.id) == audit)
            #expect(try await service.store.transaction { tx in try await tx.all(EventRecord.self, filters: [:]).map(\.id) } == events)
            let c = try await client.call(.get, "/v1/customers/\(customer)").json
            #expect(money(c["balance"]) == "0 VND")
            // The invoice sequence did not move: the first real invoice is still number 1.
            let ok = try await API.buy(client, customer: customer, "workspace", "ws_standard", seats: 10)
            #expect(dig(ok, "invoice", "number") as? String == "INV-2026-000001")
        }
    }

    @Test("preview-change writes nothing; change upgrades ws_starter → ws_standard on 2026-03-17 with credit and charge lines", arguments: TestDatabase.all)
    func upgrade(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let bought = try await API.buy(client, customer: customer, "workspace", "ws_starter", seats: 10)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)
            #expect(totals(dig(bought, "invoice", "totals")) == [600_000, 0, 600_000, 60_000, 660_000, 660_000])
            let body = #"{"plan": "ws_standard", "date": "2026-03-17"}"#

            let preview = try await client.call(.post, "/v1/subscriptions/\(sub)/preview-change", json: body)
            #expect(preview.status == .ok, "\(preview.text)")
            let pv = try preview.json
            // [2026-03-17, 2026-04-01) is 15 of 31 days. Credit 600,000 × 15/31 = 290,323, VAT −29,032;
            // charge 900,000 × 15/31 = 435,484, VAT 43,548; 159,677 due.
            let lines = try #require(pv["lines"] as? [[String: Any]])
            #expect(lines.map { $0["kind"] as? String } == ["credit", "plan"])
            #expect(amounts(lines[0]) == [-290_323, -290_323, -29_032, -319_355])
            #expect(amounts(lines[1]) == [435_484, 435_484, 43_548, 479_032])
            #expect(lines.map { dig($0, "period", "start") as? String } == ["2026-03-17", "2026-03-17"])
            #expect(lines.map { dig($0, "period", "end") as? String } == ["2026-04-01", "2026-04-01"])
            #expect(totals(pv["totals"]) == [145_161, 0, 145_161, 14_516, 159_677, 159_677])
            #expect(dig(pv, "subscriptions", 0, "plan") as? String == "ws_standard")
            #expect(pv["invoice"] == nil)
            // Nothing changed.
            #expect(try await client.call(.get, "/v1/subscriptions/\(sub)").json["plan"] as? String == "ws_starter")
            #expect(try await API.ids(client, "/v1/invoices?customer=\(customer)").count == 1)

            let change = try await client.call(.post, "/v1/subscriptions/\(sub)/change", json: body)
            #expect(change.status == .ok, "\(change.text)")
            let ch = try change.json
            #expect(totals(ch["totals"]) == [145_161, 0, 145_161, 14_516, 159_677, 159_677])
            let invoice = try #require(ch["invoice"] as? [String: Any])
            #expect(invoice["number"] as? String == "INV-2026-000002")
            #expect(invoice["status"] as? String == "open")
            #expect(invoice["issue_date"] as? String == "2026-03-17")
            #expect(money(dig(invoice, "totals", "amount_due")) == "159677 VND")
            #expect((invoice["lines"] as? [Any])?.count == 2)
            let after = try await client.call(.get, "/v1/subscriptions/\(sub)").json
            #expect(after["plan"] as? String == "ws_standard")
            #expect(money(after["paid_for_period"]) == "900000 VND")
            #expect(dig(after, "current_period", "end") as? String == "2026-04-01")
            #expect(try await API.ids(client, "/v1/invoices?subscription=\(sub)").count == 2)

            let audit = try await client.call(.get, "/v1/subscriptions/\(sub)/audit").json
            #expect((audit["data"] as? [[String: Any]])?.map { $0["action"] as? String } == ["subscription.created", "subscription.updated"])
            // A change to a plan of another product is refused.
            try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/change", json: #"{"plan": "op_standard"}"#),
                              422, "plan.not_of_product", field: "plan")
            try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/preview-change", json: #"{"seats": 1}"#),
                              422, "seats.below_minimum", field: "seats")
            try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/change", json: #"{"date": "2026-13-01"}"#),
                              422, "date.invalid", field: "date")
            // The period is [2026-03-01, 2026-04-01): a change dated at its end, or years away, has no days to prorate.
            for date in ["2026-04-01", "2030-01-01", "2026-02-28"] {
                let outside = try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/change", json: #"{"seats": 9, "date": "\#(date)"}"#),
                                                422, "change.date_outside_period", field: "date")
                #expect(dig(outside, "values", "period_end") as? String == "2026-04-01")
                try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/preview-change", json: #"{"seats": 9, "date": "\#(date)"}"#),
                                  422, "change.date_outside_period", field: "date")
            }
            // Refused, nothing written: still the two invoices and 10 seats.
            #expect(try await API.ids(client, "/v1/invoices?subscription=\(sub)").count == 2)
            #expect(int(try await client.call(.get, "/v1/subscriptions/\(sub)").json["seats"]) == 10)
        }
    }

    @Test("A higher plan with fewer seats credits more than it charges: the invoice is paid and the credit goes to the balance", arguments: TestDatabase.all)
    func upgradeToCredit(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let bought = try await API.buy(client, customer: customer, "workspace", "ws_starter", seats: 10)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)
            let r = try await client.call(.post, "/v1/subscriptions/\(sub)/change", json: #"{"plan": "ws_standard", "seats": 2, "date": "2026-03-17"}"#)
            #expect(r.status == .ok, "\(r.text)")
            // Credit −290,323 − 29,032 = −319,355; charge 180,000 × 15/31 = 87,097 + 8,710 = 95,807.
            let ch = try r.json
            #expect(amounts(dig(ch, "lines", 1)) == [87_097, 87_097, 8_710, 95_807])
            #expect(totals(ch["totals"]) == [-203_226, 0, -203_226, -20_322, -223_548, 0])
            #expect(dig(ch, "invoice", "status") as? String == "paid")
            #expect(money(try await client.call(.get, "/v1/customers/\(customer)").json["balance"]) == "-223548 VND")
        }
    }

    @Test("A downgrade is scheduled for the period end: no lines, no invoice", arguments: TestDatabase.all)
    func downgrade(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let bought = try await API.buy(client, customer: customer, "workspace", "ws_standard", seats: 10)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)
            let r = try await client.call(.post, "/v1/subscriptions/\(sub)/change", json: #"{"plan": "ws_starter"}"#)
            #expect(r.status == .ok, "\(r.text)")
            let ch = try r.json
            #expect((ch["lines"] as? [Any])?.isEmpty == true)
            #expect(ch["invoice"] == nil)
            #expect(totals(ch["totals"]) == [0, 0, 0, 0, 0, 0])
            let s = try #require(dig(ch, "subscriptions", 0) as? [String: Any])
            #expect(s["plan"] as? String == "ws_standard")
            #expect(dig(s, "scheduled_change", "plan") as? String == "ws_starter")
            #expect(int(dig(s, "scheduled_change", "seats")) == 10)
            #expect(int(dig(s, "scheduled_change", "cycle_months")) == 1)
            let got = try await client.call(.get, "/v1/subscriptions/\(sub)").json
            #expect(got["plan"] as? String == "ws_standard")
            #expect(dig(got, "scheduled_change", "plan") as? String == "ws_starter")
            #expect(try await API.ids(client, "/v1/invoices?customer=\(customer)").count == 1)
        }
    }

    @Test("renewal-mode manual; cancel → cancel_at_period_end true (twice is fine); resume → false", arguments: TestDatabase.all)
    func renewalCancelResume(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let bought = try await API.buy(client, customer: customer, "workspace", "ws_standard", seats: 10)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)

            let manual = try await client.call(.post, "/v1/subscriptions/\(sub)/renewal-mode", json: #"{"renewal_mode": "manual"}"#)
            #expect(manual.status == .ok, "\(manual.text)")
            #expect(try manual.json["renewal_mode"] as? String == "manual")
            #expect(try await client.call(.get, "/v1/subscriptions/\(sub)").json["renewal_mode"] as? String == "manual")
            try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/renewal-mode", json: #"{"renewal_mode": "sometimes"}"#),
                              400, "request.invalid", field: "renewal_mode")

            for _ in 0..<2 {
                let cancel = try await client.call(.post, "/v1/subscriptions/\(sub)/cancel")
                #expect(cancel.status == .ok, "\(cancel.text)")
                let c = try cancel.json
                #expect(c["cancel_at_period_end"] as? Bool == true)
                #expect(c["status"] as? String == "active")
                #expect(dig(c, "current_period", "end") as? String == "2026-04-01")
            }
            #expect(try await client.call(.get, "/v1/subscriptions/\(sub)").json["cancel_at_period_end"] as? Bool == true)
            let resume = try await client.call(.post, "/v1/subscriptions/\(sub)/resume")
            #expect(resume.status == .ok)
            #expect(try resume.json["cancel_at_period_end"] as? Bool == false)
            #expect(try resume.json["renewal_mode"] as? String == "manual")
            #expect(try await client.call(.get, "/v1/subscriptions/\(sub)").json["cancel_at_period_end"] as? Bool == false)

            let audit = try await client.call(.get, "/v1/subscriptions/\(sub)/audit").json
            #expect((audit["data"] as? [[String: Any]])?.map { $0["action"] as? String } ==
                    ["subscription.created", "subscription.renewal_mode_set", "subscription.cancel_scheduled",
                     "subscription.cancel_scheduled", "subscription.resumed"])
            // No money moved.
            #expect(try await API.ids(client, "/v1/invoices?customer=\(customer)").count == 1)
        }
    }

    @Test("Seat assignments: PUT then GET; more people than seats, or business-tools users over the plan's limit, is 422", arguments: TestDatabase.all)
    func seatAssignments(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            // Starter: 10 seats, at most 5 business-tools users.
            let bought = try await API.buy(client, customer: customer, "workspace", "ws_starter", seats: 10)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)
            let empty = try await client.call(.get, "/v1/subscriptions/\(sub)/seat-assignments")
            #expect(empty.status == .ok)
            #expect((try empty.json["assignments"] as? [Any])?.isEmpty == true)

            let put = try await client.call(.put, "/v1/subscriptions/\(sub)/seat-assignments", json: """
                {"assignments": [{"email": "an@thunghiem.example", "name": "An", "business_tools": true},
                                 {"email": "binh@thunghiem.example", "business_tools": true},
                                 {"email": "chi@thunghiem.example"}]}
                """)
            #expect(put.status == .ok, "\(put.text)")
            let got = try await client.call(.get, "/v1/subscriptions/\(sub)/seat-assignments").json
            let list = try #require(got["assignments"] as? [[String: Any]])
            #expect(list.map { $0["email"] as? String } == ["an@thunghiem.example", "binh@thunghiem.example", "chi@thunghiem.example"])
            #expect(list.map { $0["business_tools"] as? Bool } == [true, true, false])
            #expect(list[0]["name"] as? String == "An")

            func people(_ n: Int, tools: Int) -> String {
                let items = (0..<n).map { #"{"email": "u\#($0)@thunghiem.example", "business_tools": \#($0 < tools)}"# }
                return "{\"assignments\": [\(items.joined(separator: ", "))]}"
            }
            let eleven = try await client.call(.put, "/v1/subscriptions/\(sub)/seat-assignments", json: people(11, tools: 0))
            let p = try expectProblem(eleven, 422, "seat_assignments.invalid", field: "assignments")
            #expect(dig(p, "values", "assigned") as? String == "11")
            #expect(dig(p, "values", "seats") as? String == "10")

            let six = try await client.call(.put, "/v1/subscriptions/\(sub)/seat-assignments", json: people(6, tools: 6))
            let p6 = try expectProblem(six, 422, "seat_assignments.invalid", field: "assignments")
            #expect(dig(p6, "values", "businessTools") as? String == "6")
            #expect(dig(p6, "values", "limit") as? String == "5")
            // Five is the limit and is fine.
            let five = try await client.call(.put, "/v1/subscriptions/\(sub)/seat-assignments", json: people(10, tools: 5))
            #expect(five.status == .ok, "\(five.text)")

            let dup = try await client.call(.put, "/v1/subscriptions/\(sub)/seat-assignments", json: """
                {"assignments": [{"email": "an@thunghiem.example"}, {"email": "AN@thunghiem.example"}, {"email": "nope"}]}
                """)
            let pd = try expectProblem(dup, 422, "seat_assignments.invalid", field: "assignments[1].email")
            #expect(problemFields(pd) == ["assignments[1].email", "assignments[2].email"])

            // The refusals kept the last accepted list.
            let final = try await client.call(.get, "/v1/subscriptions/\(sub)/seat-assignments").json
            #expect((final["assignments"] as? [Any])?.count == 10)
            try expectProblem(try await client.call(.get, "/v1/subscriptions/sub_nothing/seat-assignments"), 404, "resource.not_found")
        }
    }

    @Test("Notes: POST adds one (201), GET lists them oldest first; an empty note is refused", arguments: TestDatabase.all)
    func notes(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let bought = try await API.buy(client, customer: customer, "workspace", "ws_standard", seats: 10)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)
            var ids: [String] = []
            for i in 1...12 {
                let r = try await client.call(.post, "/v1/subscriptions/\(sub)/notes", json: #"{"text": "  Ghi chú số \#(i)  ", "author": "An"}"#)
                #expect(r.status == .created, "\(r.text)")
                let n = try r.json
                #expect(n["text"] as? String == "Ghi chú số \(i)")
                #expect(n["author"] as? String == "An")
                #expect(n["created"] as? String == "2026-03-01T12:00:00Z")
                ids.append(try #require(n["id"] as? String))
            }
            #expect(ids.allSatisfy { $0.hasPrefix("note_") })
            let list = try await client.call(.get, "/v1/subscriptions/\(sub)/notes").json
            let data = try #require(list["data"] as? [[String: Any]])
            #expect(data.map { $0["id"] as? String } == ids)
            #expect(data.map { $0["text"] as? String } == (1...12).map { "Ghi chú số \($0)" })

            try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/notes", json: #"{"text": ""}"#), 400, "request.invalid", field: "text")
            try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/notes", json: #"{"text": "  \n "}"#), 400, "request.invalid", field: "text")
            try expectProblem(try await client.call(.post, "/v1/subscriptions/\(sub)/notes", json: #"{"author": "An"}"#), 400, "request.invalid", field: "text")
            try expectProblem(try await client.call(.post, "/v1/subscriptions/sub_nothing/notes", json: #"{"text": "x"}"#), 404, "resource.not_found")
            try expectProblem(try await client.call(.get, "/v1/subscriptions/sub_nothing/notes"), 404, "resource.not_found")
            #expect((try await client.call(.get, "/v1/subscriptions/\(sub)/notes").json["data"] as? [Any])?.count == 12)

            let audit = try await client.call(.get, "/v1/subscriptions/\(sub)/audit?limit=100").json
            let actions = (audit["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
            #expect(actions == ["subscription.created"] + Array(repeating: "subscription.note_added", count: 12))
        }
    }

    @Test("Add-ons with an add-on promotion at checkout: lines, discount, counted redemption, entitlements; JPY tax included", arguments: TestDatabase.all)
    func addOnsAndCurrencies(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let customer = try await API.customer(client)
            let r = try await API.order(client, customer: customer, items: """
                [{"product": "workspace", "plan": "ws_standard", "cycle_months": 1, "seats": 10,
                  "add_ons": [{"add_on": "storage_10gb", "quantity": 2, "promotion": "STORAGE50"}]}]
                """)
            #expect(r.status == .created, "\(r.text)")
            let out = try r.json
            // Plan 900,000 + 90,000; storage 2 × 50,000 = 100,000 − 50 % = 50,000 + 5,000.
            let lines = try #require(dig(out, "invoice", "lines") as? [[String: Any]])
            #expect(lines.map { $0["kind"] as? String } == ["plan", "add_on"])
            #expect(lines[1]["add_on"] as? String == "storage_10gb")
            #expect(int(lines[1]["quantity"]) == 2)
            #expect(amounts(lines[1]) == [100_000, 50_000, 5_000, 55_000])
            #expect(dig(lines[1], "discounts", 0, "kind") as? String == "promotion")
            #expect(dig(lines[1], "discounts", 0, "reference") as? String == "STORAGE50")
            #expect(money(dig(lines[1], "discounts", 0, "amount")) == "50000 VND")
            #expect(totals(dig(out, "invoice", "totals")) == [1_000_000, 50_000, 950_000, 95_000, 1_045_000, 1_045_000])
            let sub = try #require(dig(out, "subscriptions", 0) as? [String: Any])
            #expect(int(dig(sub, "add_ons", "storage_10gb")) == 2)
            #expect(int(try await client.call(.get, "/v1/promotions/STORAGE50").json["times_redeemed"]) == 1)
            // 200 GB of the plan and 2 × 10 GB.
            let e = try await client.call(.get, "/v1/customers/\(customer)/entitlements").json
            #expect(int(dig(e, "products", 0, "quotas", "storage_mb")) == 225_280)

            // Removing the add-on takes effect at the period end.
            let sid = try #require(sub["id"] as? String)
            let remove = try await client.call(.post, "/v1/subscriptions/\(sid)/change", json: #"{"add_ons": {"storage_10gb": 0}}"#)
            #expect(remove.status == .ok, "\(remove.text)")
            #expect(try remove.json["invoice"] == nil)
            #expect(dig(try remove.json, "subscriptions", 0, "scheduled_change", "add_ons", "storage_10gb") == nil)
            #expect(int(dig(try await client.call(.get, "/v1/subscriptions/\(sid)").json, "add_ons", "storage_10gb")) == 2)

            // Japan: Meeting Small, 300-minute tier, yearly, 360,000 JPY with 10 % consumption tax included:
            // 360,000 × 1,000 ÷ 11,000 = 32,727.27 → 32,727.
            let jp = try await API.customer(client, name: "Hoshi KK", country: "JP", currency: "JPY", timeZone: "Asia/Tokyo",
                                            email: "keiri@hoshi-kk.example")
            let q = try await API.order(client, "/v1/quotes", customer: jp, items: """
                [{"product": "meeting", "plan": "meeting_small", "tier": "300", "cycle_months": 12}]
                """)
            #expect(q.status == .ok, "\(q.text)")
            let qj = try q.json
            #expect(qj["currency"] as? String == "JPY")
            #expect(dig(qj, "lines", 0, "tax_inclusive") as? Bool == true)
            #expect(dig(qj, "lines", 0, "tax_name") as? String == "Consumption tax")
            #expect(amounts(dig(qj, "lines", 0)) == [360_000, 360_000, 32_727, 360_000])
            #expect(totals(qj["totals"]) == [360_000, 0, 360_000, 32_727, 360_000, 360_000])
            // Without the tier it is refused.
            try expectProblem(try await API.order(client, "/v1/quotes", customer: jp, items: #"[{"product": "meeting", "plan": "meeting_small", "cycle_months": 12}]"#),
                              422, "plan.tier_required")
        }
    }

    @Test("Every subscription operation on an unknown id is 404", arguments: TestDatabase.all)
    func unknownSubscription(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let requests: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/v1/subscriptions/sub_nothing", nil),
                (.post, "/v1/subscriptions/sub_nothing/preview-change", #"{"seats": 3}"#),
                (.post, "/v1/subscriptions/sub_nothing/change", #"{"seats": 3}"#),
                (.post, "/v1/subscriptions/sub_nothing/renewal-mode", #"{"renewal_mode": "manual"}"#),
                (.post, "/v1/subscriptions/sub_nothing/cancel", nil),
                (.post, "/v1/subscriptions/sub_nothing/resume", nil),
                (.get, "/v1/subscriptions/sub_nothing/seat-assignments", nil),
                (.put, "/v1/subscriptions/sub_nothing/seat-assignments", #"{"assignments": []}"#),
                (.get, "/v1/subscriptions/sub_nothing/audit", nil),
            ]
            for (method, path, body) in requests {
                let p = try expectProblem(try await client.call(method, path, json: body), 404, "resource.not_found", field: "id")
                #expect(dig(p, "values", "id") as? String == "sub_nothing", "\(method) \(path)")
            }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await transform(e)) }
        return out
    }
}
