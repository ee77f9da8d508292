import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurCore
import RecurEngine
import Testing

// MARK: Helpers the API tests share

/// Requests and checks the HTTP API tests repeat.
enum API {
    /// Creates a customer (Vietnam, VND, Ho Chi Minh City by default) and returns its id.
    static func customer(_ client: any TestClientProtocol, name: String = "Công ty TNHH Thử Nghiệm", country: String = "VN",
                         currency: String = "VND", timeZone: String = "Asia/Ho_Chi_Minh",
                         email: String = "ketoan@thunghiem.example",
                         sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let r = try await client.call(.post, "/v1/customers", json: """
            {"name": "\(name)", "country": "\(country)", "currency": "\(currency)", "time_zone": "\(timeZone)",
             "invoice_emails": ["\(email)"]}
            """)
        #expect(r.status == .created, "\(r.text)", sourceLocation: sourceLocation)
        return try #require(dig(try r.json, "id") as? String, sourceLocation: sourceLocation)
    }

    /// POST /v1/subscriptions (or /v1/quotes) for `customer` with the items given as JSON.
    static func order(_ client: any TestClientProtocol, _ path: String = "/v1/subscriptions", customer: String, items: String,
                      extra: String = "", headers: [String: String] = [:]) async throws -> TestResponse {
        try await client.call(.post, path, json: "{\"customer\": \"\(customer)\", \"items\": \(items)\(extra)}", headers: headers)
    }

    /// One item of an order.
    static func item(_ product: String, _ plan: String, seats: Int? = nil, cycle: Int = 1) -> String {
        "{\"product\": \"\(product)\", \"plan\": \"\(plan)\", \"cycle_months\": \(cycle)\(seats.map { ", \"seats\": \($0)" } ?? "")}"
    }

    /// Buys `plan` for `customer` and returns the checkout's JSON.
    static func buy(_ client: any TestClientProtocol, customer: String, _ product: String, _ plan: String, seats: Int? = nil,
                    cycle: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let r = try await order(client, customer: customer, items: "[\(item(product, plan, seats: seats, cycle: cycle))]")
        #expect(r.status == .created, "\(r.text)", sourceLocation: sourceLocation)
        return try r.json
    }

    /// The ids of every item of a list endpoint, following `has_more` through the pages.
    static func ids(_ client: any TestClientProtocol, _ path: String, key: String = "id") async throws -> [String] {
        var out: [String] = []
        var after: String?
        let sep = path.contains("?") ? "&" : "?"
        for _ in 0..<50 {
            let r = try await client.call(.get, path + sep + "limit=100" + (after.map { "&starting_after=\($0)" } ?? ""))
            #expect(r.status == .ok, "\(r.text)")
            let json = try r.json
            let page = (json["data"] as? [[String: Any]]) ?? []
            out += page.compactMap { $0[key] as? String }
            guard json["has_more"] as? Bool == true, let last = page.last?["id"] as? String else { break }
            after = last
        }
        return out
    }
}

/// Checks a response is problem+json with `status` and `code` (and `field`), and returns its JSON.
@discardableResult
func expectProblem(_ r: TestResponse, _ status: Int, _ code: String, field: String? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    #expect(Int(r.status.code) == status, "\(r.text)", sourceLocation: sourceLocation)
    #expect(r.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let json = try r.json
    #expect(json["code"] as? String == code, "\(r.text)", sourceLocation: sourceLocation)
    #expect(int(json["status"]) == Int64(status), sourceLocation: sourceLocation)
    #expect(json["type"] as? String == "https://recur.dev/errors/\(code)", sourceLocation: sourceLocation)
    if let field { #expect(json["field"] as? String == field, "\(r.text)", sourceLocation: sourceLocation) }
    return json
}

/// The `code` of each item of a problem's `errors`.
func problemCodes(_ json: [String: Any]) -> [String] {
    ((json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
}

/// The `field` of each item of a problem's `errors`.
func problemFields(_ json: [String: Any]) -> [String] {
    ((json["errors"] as? [[String: Any]]) ?? []).map { ($0["field"] as? String) ?? "-" }
}

/// `{amount, currency}` as "amount CUR", e.g. "990000 VND".
func money(_ value: Any?) -> String? {
    guard let a = int(dig(value, "amount")), let c = dig(value, "currency") as? String else { return nil }
    return "\(a) \(c)"
}

func strings(_ value: Any?) -> [String] { (value as? [Any])?.compactMap { $0 as? String } ?? [] }

// MARK: Catalog

@Suite("API: catalog")
struct APICatalogTests {
    @Test("GET /v1/products lists the 5 demo products in id order, paged with limit and starting_after", arguments: TestDatabase.all)
    func listProducts(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let all = try await client.call(.get, "/v1/products")
            #expect(all.status == .ok)
            let json = try all.json
            #expect((json["data"] as? [Any])?.count == 5)
            #expect(json["has_more"] as? Bool == false)
            #expect(strings((json["data"] as? [[String: Any]])?.map { $0["id"] as Any }) ==
                    ["app_builder", "meeting", "operation_process", "sme_email", "workspace"])
            #expect(dig(json, "data", 4, "name") as? String == "Digital Workspace")
            #expect(int(dig(json, "data", 4, "trial_days")) == 30)
            #expect(dig(json, "data", 4, "trial_end") as? String == "downgrade:ws_free")
            #expect(dig(json, "data", 1, "upgrade_term") as? String == "new_term")

            let p1 = try await client.call(.get, "/v1/products?limit=2").json
            #expect((p1["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["app_builder", "meeting"])
            #expect(p1["has_more"] as? Bool == true)
            let p2 = try await client.call(.get, "/v1/products?limit=2&starting_after=meeting").json
            #expect((p2["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["operation_process", "sme_email"])
            #expect(p2["has_more"] as? Bool == true)
            let p3 = try await client.call(.get, "/v1/products?limit=2&starting_after=sme_email").json
            #expect((p3["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["workspace"])
            #expect(p3["has_more"] as? Bool == false)

            // A limit out of 1…100 is refused, naming the field.
            let p0 = try await client.call(.get, "/v1/products?limit=0")
            try expectProblem(p0, 400, "request.invalid", field: "limit")
            try expectProblem(try await client.call(.get, "/v1/products?limit=101"), 400, "request.invalid", field: "limit")
            // A limit that is not a number cannot be read.
            try expectProblem(try await client.call(.get, "/v1/products?limit=many"), 400, "request.invalid")
        }
    }

    @Test("GET /v1/plans/ws_standard: per-seat with its prices, limits and features; plans filter by product", arguments: TestDatabase.all)
    func getPlan(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let r = try await client.call(.get, "/v1/plans/ws_standard")
            #expect(r.status == .ok)
            let plan = try r.json
            #expect(plan["id"] as? String == "ws_standard")
            #expect(plan["product"] as? String == "workspace")
            #expect(plan["name"] as? String == "Standard")
            #expect(int(plan["rank"]) == 2)
            #expect(plan["per_seat"] as? Bool == true)
            #expect(int(plan["minimum_seats"]) == 2)
            #expect(int(plan["maximum_seats"]) == 500)
            #expect(plan["free"] as? Bool == false)
            #expect(plan["self_service"] as? Bool == true)
            let prices = try #require(plan["prices"] as? [[String: Any]])
            #expect(prices.count == 3)
            let vnd = try #require(prices.first { dig($0, "amount", "currency") as? String == "VND" })
            #expect(int(vnd["cycle_months"]) == 1)
            #expect(int(dig(vnd, "amount", "amount")) == 90_000)
            #expect(int(dig(prices.first { dig($0, "amount", "currency") as? String == "EUR" }, "amount", "amount")) == 450)
            #expect(strings(dig(plan, "limits", "features")) == ["custom_domain", "support"])
            #expect(int(dig(plan, "limits", "quotas", "business_tools_users")) == 25)
            #expect(int(dig(plan, "limits", "quotas", "storage_mb")) == 204_800)

            let premium = try await client.call(.get, "/v1/plans/ws_premium").json
            #expect(premium["maximum_seats"] == nil)
            #expect(strings(dig(premium, "limits", "unlimited")) == ["business_tools_users", "documents", "emails_per_month"])

            let meeting = try await client.call(.get, "/v1/plans/meeting_small").json
            #expect(meeting["per_seat"] as? Bool == false)
            #expect(meeting["minimum_seats"] == nil)
            #expect((meeting["tiers"] as? [[String: Any]])?.map { $0["id"] as? String } == ["300", "600", "1500"])

            let ids = try await API.ids(client, "/v1/plans?product=workspace")
            #expect(ids == ["ws_free", "ws_premium", "ws_standard", "ws_starter"])
            #expect(try await API.ids(client, "/v1/plans?product=nothing") == [])

            #expect(try await API.ids(client, "/v1/add-ons") == ["automation_1000", "docs_100", "records_10000", "storage_10gb"])
            #expect(try await API.ids(client, "/v1/promotions", key: "code") == ["INVOICE100K", "STORAGE50", "WELCOME10"])
            let storage = try await client.call(.get, "/v1/add-ons/storage_10gb").json
            #expect(int(dig(storage, "grants", "storage_mb")) == 10_240)
            #expect(strings(storage["products"]) == ["app_builder", "operation_process", "workspace"])
            let promo = try await client.call(.get, "/v1/promotions/INVOICE100K").json
            #expect(promo["scope"] as? String == "invoice")
            #expect(money(promo["amount_off"]) == "100000 VND")
            #expect(promo["valid_through"] as? String == "2027-12-31")
            #expect(int(promo["redemption_limit"]) == 1_000)
            #expect(int(promo["times_redeemed"]) == 0)
        }
    }

    @Test("Unknown catalog ids are 404 resource.not_found", arguments: TestDatabase.all)
    func unknownIDs(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            for (path, kind) in [("/v1/products/nothing", "product"), ("/v1/plans/nothing", "plan"),
                                 ("/v1/add-ons/nothing", "add-on"), ("/v1/promotions/NOTHING", "promotion")] {
                let p = try expectProblem(try await client.call(.get, path), 404, "resource.not_found", field: "id")
                #expect(dig(p, "values", "resource") as? String == kind)
                #expect(p["title"] as? String == "Not Found")
            }
        }
    }

    @Test("POST a product, plan, add-on and promotion: 201, then each reads back", arguments: TestDatabase.all)
    func createCatalogEntries(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let product = try await client.call(.post, "/v1/products", json: """
                {"id": "crm", "name": "CRM", "trial_days": 14, "upgrade_term": "keep_period"}
                """)
            #expect(product.status == .created, "\(product.text)")
            #expect(try product.json["trial_end"] as? String == "lock")
            let gotProduct = try await client.call(.get, "/v1/products/crm").json
            #expect(gotProduct["name"] as? String == "CRM")
            #expect(int(gotProduct["trial_days"]) == 14)

            let plan = try await client.call(.post, "/v1/plans", json: """
                {"id": "crm_basic", "product": "crm", "name": "Basic", "rank": 1, "per_seat": true, "minimum_seats": 3,
                 "prices": [{"cycle_months": 1, "amount": {"amount": 70000, "currency": "VND"}},
                            {"cycle_months": 12, "amount": {"amount": 700000, "currency": "VND"}}],
                 "limits": {"quotas": {"data_records": 5000}, "features": ["support"]}}
                """)
            #expect(plan.status == .created, "\(plan.text)")
            let gotPlan = try await client.call(.get, "/v1/plans/crm_basic").json
            #expect(gotPlan["product"] as? String == "crm")
            #expect(gotPlan["per_seat"] as? Bool == true)
            #expect(int(gotPlan["minimum_seats"]) == 3)
            #expect((gotPlan["prices"] as? [[String: Any]])?.map { int($0["cycle_months"]) } == [1, 12])
            #expect((gotPlan["prices"] as? [[String: Any]])?.map { int(dig($0, "amount", "amount")) } == [70_000, 700_000])
            #expect(int(dig(gotPlan, "limits", "quotas", "data_records")) == 5_000)
            #expect(strings(dig(gotPlan, "limits", "features")) == ["support"])

            let addOn = try await client.call(.post, "/v1/add-ons", json: """
                {"id": "crm_contacts", "name": "Contacts ×1000", "products": ["crm"], "maximum_quantity": 9,
                 "prices": [{"cycle_months": 1, "amount": {"amount": 20000, "currency": "VND"}}], "grants": {"data_records": 1000}}
                """)
            #expect(addOn.status == .created, "\(addOn.text)")
            let gotAddOn = try await client.call(.get, "/v1/add-ons/crm_contacts").json
            #expect(int(gotAddOn["maximum_quantity"]) == 9)
            #expect(int(dig(gotAddOn, "grants", "data_records")) == 1_000)
            #expect(strings(gotAddOn["products"]) == ["crm"])

            let promo = try await client.call(.post, "/v1/promotions", json: """
                {"code": "CRM20", "name": "20 % off CRM", "scope": "plan", "percent_basis_points": 2000, "products": ["crm"],
                 "valid_from": "2026-01-01", "valid_through": "2026-12-31", "duration": "cycles:3", "redemption_limit": 50}
                """)
            #expect(promo.status == .created, "\(promo.text)")
            let gotPromo = try await client.call(.get, "/v1/promotions/CRM20").json
            #expect(int(gotPromo["percent_basis_points"]) == 2_000)
            #expect(gotPromo["amount_off"] == nil)
            #expect(gotPromo["duration"] as? String == "cycles:3")
            #expect(gotPromo["valid_from"] as? String == "2026-01-01")
            #expect(strings(gotPromo["products"]) == ["crm"])

            // The new plan can be bought: 70,000 × 3 seats = 210,000 + 21,000 VAT.
            let customer = try await API.customer(client)
            let quote = try await API.order(client, "/v1/quotes", customer: customer, items: "[\(API.item("crm", "crm_basic", seats: 3))]")
            #expect(quote.status == .ok, "\(quote.text)")
            #expect(money(dig(try quote.json, "totals", "total")) == "231000 VND")

            // Every creation is audited.
            let audit = try await service.audit(customer: nil, target: nil, limit: 100, startingAfter: nil).items.map(\.action)
            for action in ["product.created", "plan.created", "add_on.created", "promotion.created"] { #expect(audit.contains(action)) }
        }
    }

    @Test("A plan of an unknown product is 422 with catalog.unknown_reference in errors[], and nothing is written", arguments: TestDatabase.all)
    func planOfUnknownProduct(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let r = try await client.call(.post, "/v1/plans", json: """
                {"id": "ghost_basic", "product": "ghost", "name": "Basic", "rank": 1,
                 "prices": [{"cycle_months": 1, "amount": {"amount": 1000, "currency": "VND"}}]}
                """)
            let p = try expectProblem(r, 422, "catalog.unknown_reference")
            #expect(problemCodes(p) == ["catalog.unknown_reference"])
            #expect(dig(p, "errors", 0, "values", "id") as? String == "ghost")
            try expectProblem(try await client.call(.get, "/v1/plans/ghost_basic"), 404, "resource.not_found")

            // A paid plan without a price is refused too, with every problem listed.
            let both = try await client.call(.post, "/v1/plans", json: """
                {"id": "ghost_free", "product": "ghost", "name": "Nothing", "rank": 1}
                """)
            let p2 = try expectProblem(both, 422, "catalog.unknown_reference")
            #expect(Set(problemCodes(p2)) == ["catalog.unknown_reference", "catalog.missing_price"])
        }
    }

    @Test("Duplicate catalog ids are 409 resource.exists", arguments: TestDatabase.all)
    func duplicates(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            try expectProblem(try await client.call(.post, "/v1/products", json: #"{"id": "workspace", "name": "Again"}"#),
                              409, "resource.exists", field: "id")
            try expectProblem(try await client.call(.post, "/v1/plans", json: """
                {"id": "ws_standard", "product": "workspace", "name": "Again", "rank": 2,
                 "prices": [{"cycle_months": 1, "amount": {"amount": 1, "currency": "VND"}}]}
                """), 409, "resource.exists", field: "id")
            try expectProblem(try await client.call(.post, "/v1/add-ons", json: """
                {"id": "docs_100", "name": "Again", "prices": [{"cycle_months": 1, "amount": {"amount": 1, "currency": "VND"}}]}
                """), 409, "resource.exists", field: "id")
            try expectProblem(try await client.call(.post, "/v1/promotions", json: """
                {"code": "WELCOME10", "name": "Again", "scope": "plan", "percent_basis_points": 500}
                """), 409, "resource.exists", field: "id")
            // The originals are untouched.
            #expect(try await client.call(.get, "/v1/products/workspace").json["name"] as? String == "Digital Workspace")
        }
    }

    @Test("Unreadable requests are 400 request.invalid, with the field when the decoder names one", arguments: TestDatabase.all)
    func unreadable(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            // Malformed JSON.
            try expectProblem(try await client.call(.post, "/v1/products", json: #"{"id": "crm", "name": "#), 400, "request.invalid")
            // A required field is missing.
            let missing = try expectProblem(try await client.call(.post, "/v1/products", json: #"{"id": "crm"}"#), 400, "request.invalid",
                                            field: "name")
            #expect((missing["detail"] as? String)?.contains("name is required") == true)
            // A field of the wrong type, nested.
            try expectProblem(try await client.call(.post, "/v1/plans", json: """
                {"id": "crm_x", "product": "workspace", "name": "X", "rank": "first"}
                """), 400, "request.invalid", field: "rank")
            // An enum value that does not exist.
            try expectProblem(try await client.call(.post, "/v1/promotions", json: """
                {"code": "X1", "name": "X", "scope": "everything", "percent_basis_points": 100}
                """), 400, "request.invalid", field: "scope")
            // An id with characters ids may not have.
            try expectProblem(try await client.call(.post, "/v1/products", json: #"{"id": "crm pro", "name": "CRM"}"#), 400,
                              "request.invalid", field: "id")
            // A bad trial_end.
            try expectProblem(try await client.call(.post, "/v1/products", json: #"{"id": "crm", "name": "CRM", "trial_end": "explode"}"#),
                              400, "request.invalid", field: "trial_end")
            // Nothing was created by any of them.
            try expectProblem(try await client.call(.get, "/v1/products/crm"), 404, "resource.not_found")
            #expect(try await API.ids(client, "/v1/products").count == 5)
        }
    }

    @Test("A promotion with both percent_basis_points and amount_off, or neither, is refused", arguments: TestDatabase.all)
    func promotionDiscountExclusive(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let both = try await client.call(.post, "/v1/promotions", json: """
                {"code": "BOTH", "name": "Both", "scope": "invoice", "percent_basis_points": 1000,
                 "amount_off": {"amount": 50000, "currency": "VND"}}
                """)
            let p = try expectProblem(both, 400, "request.invalid", field: "percent_basis_points")
            #expect(problemCodes(p) == ["request.invalid"])
            let neither = try await client.call(.post, "/v1/promotions", json: #"{"code": "NONE", "name": "None", "scope": "invoice"}"#)
            try expectProblem(neither, 400, "request.invalid", field: "percent_basis_points")
            // Several problems at once are all listed: bad duration, bad date, unknown currency.
            let many = try await client.call(.post, "/v1/promotions", json: """
                {"code": "MANY", "name": "Many", "scope": "invoice", "amount_off": {"amount": 5, "currency": "XXX"},
                 "duration": "sometimes", "valid_from": "2026-02-30"}
                """)
            let pm = try #require(try? many.json)
            #expect(Int(many.status.code) == 422 || Int(many.status.code) == 400)
            #expect(Set(problemFields(pm)) == ["amount_off.currency", "duration", "valid_from"])
            for code in ["BOTH", "NONE", "MANY"] {
                try expectProblem(try await client.call(.get, "/v1/promotions/\(code)"), 404, "resource.not_found")
            }
        }
    }
}

// MARK: Customers

@Suite("API: customers")
struct APICustomerTests {
    @Test("POST /v1/customers creates a cus_ customer with a zero VND balance; GET reads it back", arguments: TestDatabase.all)
    func createAndGet(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let r = try await client.call(.post, "/v1/customers", json: """
                {"name": "  Công ty Cổ phần Bình Minh  ", "tax_id": "0109999999", "country": "vn", "currency": "vnd", "locale": "vi",
                 "time_zone": "Asia/Ho_Chi_Minh", "invoice_emails": ["ketoan@binhminh.example"],
                 "contacts": [{"name": "Trần Thị Bình", "email": "binh@binhminh.example", "role": "billing"}],
                 "metadata": {"crm_id": "42"}}
                """)
            #expect(r.status == .created, "\(r.text)")
            let c = try r.json
            let id = try #require(c["id"] as? String)
            #expect(id.hasPrefix("cus_"))
            #expect(id.count == 4 + 22)
            #expect(c["name"] as? String == "Công ty Cổ phần Bình Minh")
            #expect(c["country"] as? String == "VN")
            #expect(c["currency"] as? String == "VND")
            #expect(money(c["balance"]) == "0 VND")
            #expect(c["locale"] as? String == "vi")
            #expect(c["time_zone"] as? String == "Asia/Ho_Chi_Minh")
            #expect(c["tax_exempt"] as? Bool == false)
            #expect(strings(c["invoice_emails"]) == ["ketoan@binhminh.example"])
            #expect(dig(c, "contacts", 0, "name") as? String == "Trần Thị Bình")
            #expect(dig(c, "metadata", "crm_id") as? String == "42")
            #expect(c["created"] as? String == "2026-03-01T12:00:00Z")

            let got = try await client.call(.get, "/v1/customers/\(id)")
            #expect(got.status == .ok)
            let g = try got.json
            #expect(g["id"] as? String == id)
            #expect(g["name"] as? String == "Công ty Cổ phần Bình Minh")
            #expect(g["tax_id"] as? String == "0109999999")
            #expect(money(g["balance"]) == "0 VND")
            #expect(dig(g, "contacts", 0, "role") as? String == "billing")

            // Defaults: locale en, time zone UTC.
            let minimal = try await client.call(.post, "/v1/customers", json: #"{"name": "Hoshi GK", "currency": "JPY"}"#).json
            #expect(minimal["locale"] as? String == "en")
            #expect(minimal["time_zone"] as? String == "UTC")
            #expect(money(minimal["balance"]) == "0 JPY")

            try expectProblem(try await client.call(.get, "/v1/customers/cus_nothing"), 404, "resource.not_found", field: "id")
            // The demo's two customers and these two.
            #expect(try await API.ids(client, "/v1/customers").count == 4)
        }
    }

    @Test("PATCH /v1/customers/{id} changes the name and invoice e-mails and leaves the rest", arguments: TestDatabase.all)
    func update(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let id = try await API.customer(client)
            let r = try await client.call(.patch, "/v1/customers/\(id)", json: """
                {"name": "Công ty TNHH Thử Nghiệm Mới", "invoice_emails": ["a@moi.example", "b@moi.example"]}
                """)
            #expect(r.status == .ok, "\(r.text)")
            let c = try r.json
            #expect(c["name"] as? String == "Công ty TNHH Thử Nghiệm Mới")
            #expect(strings(c["invoice_emails"]) == ["a@moi.example", "b@moi.example"])
            #expect(c["country"] as? String == "VN")
            #expect(c["time_zone"] as? String == "Asia/Ho_Chi_Minh")
            let got = try await client.call(.get, "/v1/customers/\(id)").json
            #expect(got["name"] as? String == "Công ty TNHH Thử Nghiệm Mới")
            #expect(strings(got["invoice_emails"]) == ["a@moi.example", "b@moi.example"])

            // Found by its (new) first invoice e-mail, no longer by the old one.
            #expect(try await API.ids(client, "/v1/customers?email=a@moi.example") == [id])
            #expect(try await API.ids(client, "/v1/customers?email=ketoan@thunghiem.example") == [])

            // An invalid change is refused whole: the valid name in it is not applied either.
            let bad = try await client.call(.patch, "/v1/customers/\(id)", json: #"{"name": "Đổi tên", "time_zone": "Asia/Saigon_Nowhere"}"#)
            try expectProblem(bad, 422, "customer.invalid", field: "time_zone")
            #expect(try await client.call(.get, "/v1/customers/\(id)").json["name"] as? String == "Công ty TNHH Thử Nghiệm Mới")
            // An empty name is refused.
            try expectProblem(try await client.call(.patch, "/v1/customers/\(id)", json: #"{"name": "  "}"#), 422, "customer.invalid", field: "name")
            try expectProblem(try await client.call(.patch, "/v1/customers/cus_nothing", json: #"{"name": "X"}"#), 404, "resource.not_found")

            let audit = try await client.call(.get, "/v1/customers/\(id)/audit").json
            #expect((audit["data"] as? [[String: Any]])?.compactMap { $0["action"] as? String } == ["customer.created", "customer.updated"])
        }
    }

    @Test("Invalid customer fields are 422 with every problem in errors[], and nothing is created", arguments: TestDatabase.all)
    func invalidCustomer(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let before = try await API.ids(client, "/v1/customers")
            let r = try await client.call(.post, "/v1/customers", json: """
                {"name": "Sai Hết", "country": "VNM", "currency": "XXX", "locale": "de", "time_zone": "Mars/Olympus_Mons",
                 "invoice_emails": ["ketoan@saihet.example", "not-an-email"]}
                """)
            let p = try expectProblem(r, 422, "customer.invalid", field: "country")
            #expect(problemCodes(p) == ["customer.invalid", "currency.unknown", "customer.invalid", "customer.invalid", "customer.invalid"])
            #expect(problemFields(p) == ["country", "currency", "locale", "time_zone", "invoice_emails[1]"])
            #expect(dig(p, "errors", 0, "values", "country") as? String == "VNM")
            #expect(dig(p, "errors", 1, "values", "currency") as? String == "XXX")
            #expect(dig(p, "errors", 4, "values", "email") as? String == "not-an-email")
            #expect((p["detail"] as? String)?.hasPrefix("5 problems: ") == true)
            #expect(try await API.ids(client, "/v1/customers") == before)

            // Missing both required fields is a 400 naming the first.
            try expectProblem(try await client.call(.post, "/v1/customers", json: #"{"country": "VN"}"#), 400, "request.invalid", field: "name")
            // Nothing was audited or queued for webhooks beyond the demo's two customers.
            let created = try await service.audit(customer: nil, target: nil, limit: 100, startingAfter: nil).items.filter { $0.action == "customer.created" }
            #expect(created.count == 2)
        }
    }

    @Test("GET /v1/customers?email= finds customers by invoice e-mail, case-insensitively", arguments: TestDatabase.all)
    func listByEmail(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let saoMai = try await API.ids(client, "/v1/customers?email=ketoan@saomai.example")
            #expect(saoMai.count == 1)
            #expect(try await client.call(.get, "/v1/customers/\(saoMai[0])").json["name"] as? String == "Công ty TNHH Sao Mai")
            #expect(try await API.ids(client, "/v1/customers?email=KeToan@SaoMai.Example") == saoMai)
            #expect(try await API.ids(client, "/v1/customers?email=keiri@hoshi.example").count == 1)
            #expect(try await API.ids(client, "/v1/customers?email=nobody@nowhere.example") == [])
            let mine = try await API.customer(client, email: "ketoan@thunghiem.example")
            #expect(try await API.ids(client, "/v1/customers?email=ketoan@thunghiem.example") == [mine])
            let page = try await client.call(.get, "/v1/customers?limit=1").json
            #expect((page["data"] as? [Any])?.count == 1)
            #expect(page["has_more"] as? Bool == true)
        }
    }

    @Test("Members: add an owner, a billing admin and a member; a second time is 409; list them", arguments: TestDatabase.all)
    func members(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let id = try await API.customer(client)
            var ids: [String] = []
            for (email, role) in [("an@thunghiem.example", "owner"), ("binh@thunghiem.example", "billing_admin"), ("chi@thunghiem.example", "member")] {
                let r = try await client.call(.post, "/v1/customers/\(id)/members", json: #"{"email": "\#(email)", "name": "X", "role": "\#(role)"}"#)
                #expect(r.status == .created, "\(r.text)")
                let m = try r.json
                #expect(m["email"] as? String == email)
                #expect(m["role"] as? String == role)
                ids.append(try #require(m["id"] as? String))
            }
            #expect(ids.allSatisfy { $0.hasPrefix("mem_") })
            #expect(Set(ids).count == 3)

            let dup = try await client.call(.post, "/v1/customers/\(id)/members", json: #"{"email": "AN@thunghiem.example", "role": "member"}"#)
            let p = try expectProblem(dup, 409, "resource.exists", field: "email")
            #expect(dig(p, "values", "email") as? String == "AN@thunghiem.example")
            try expectProblem(try await client.call(.post, "/v1/customers/\(id)/members", json: #"{"email": "not mail", "role": "member"}"#),
                              422, "customer.invalid", field: "email")
            try expectProblem(try await client.call(.post, "/v1/customers/\(id)/members", json: #"{"email": "d@thunghiem.example", "role": "boss"}"#),
                              400, "request.invalid", field: "role")
            try expectProblem(try await client.call(.post, "/v1/customers/cus_nothing/members", json: #"{"email": "d@x.example", "role": "member"}"#),
                              404, "resource.not_found")

            let list = try await client.call(.get, "/v1/customers/\(id)/members")
            #expect(list.status == .ok)
            let data = try #require(try list.json["data"] as? [[String: Any]])
            #expect(data.map { $0["id"] as? String } == ids)
            #expect(data.map { $0["role"] as? String } == ["owner", "billing_admin", "member"])
            try expectProblem(try await client.call(.get, "/v1/customers/cus_nothing/members"), 404, "resource.not_found")
        }
    }

    @Test("Usage: POST replaces the reported values, GET returns them; negative, above a billion or unknown product is 422", arguments: TestDatabase.all)
    func usage(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let id = try await API.customer(client)
            let r = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "workspace", "quotas": {"users": 7, "storage_mb": 2048}}"#)
            #expect(r.status == .ok, "\(r.text)")
            #expect(int(dig(try r.json, "quotas", "users")) == 7)
            #expect(int(dig(try r.json, "quotas", "storage_mb")) == 2_048)
            // A second report replaces one value and keeps the other.
            let r2 = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "workspace", "quotas": {"users": 9}}"#)
            #expect(int(dig(try r2.json, "quotas", "users")) == 9)
            #expect(int(dig(try r2.json, "quotas", "storage_mb")) == 2_048)
            _ = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "meeting", "quotas": {"minutes": 120}}"#)

            let got = try await client.call(.get, "/v1/customers/\(id)/usage").json
            let data = try #require(got["data"] as? [[String: Any]])
            #expect(data.map { $0["product"] as? String } == ["meeting", "workspace"])
            #expect(int(dig(data[0], "quotas", "minutes")) == 120)
            #expect(int(dig(data[1], "quotas", "users")) == 9)
            #expect(int(dig(data[1], "quotas", "storage_mb")) == 2_048)

            let negative = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "workspace", "quotas": {"users": -1, "storage_mb": -5}}"#)
            let p = try expectProblem(negative, 422, "usage.invalid", field: "quotas.storage_mb")
            #expect(problemFields(p) == ["quotas.storage_mb", "quotas.users"])
            // Above a billion (Int64.max here) an in-arrears invoice priced on it could overflow: refused with the maximum.
            let huge = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "workspace", "quotas": {"users": 9223372036854775807, "storage_mb": 1000000000}}"#)
            let ph = try expectProblem(huge, 422, "usage.invalid", field: "quotas.users")
            #expect(problemFields(ph) == ["quotas.users"])
            #expect(dig(ph, "values", "maximum") as? String == "1000000000")
            let unknown = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "ghost", "quotas": {"users": 1}}"#)
            let pu = try expectProblem(unknown, 422, "product.unknown", field: "product")
            #expect(dig(pu, "values", "product") as? String == "ghost")
            try expectProblem(try await client.call(.post, "/v1/customers/cus_nothing/usage", json: #"{"product": "workspace", "quotas": {"users": 1}}"#),
                              404, "resource.not_found")
            // The refused reports changed nothing.
            let after = try await client.call(.get, "/v1/customers/\(id)/usage").json
            #expect(int(dig(after, "data", 1, "quotas", "users")) == 9)
        }
    }

    @Test("Entitlements after a purchase: users = seats, the plan's features; checks by quota and feature", arguments: TestDatabase.all)
    func entitlements(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let id = try await API.customer(client)
            // Nothing bought yet.
            let none = try await client.call(.get, "/v1/customers/\(id)/entitlements").json
            #expect(none["customer"] as? String == id)
            #expect((none["products"] as? [Any])?.isEmpty == true)
            let noSub = try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace&feature=custom_domain").json
            #expect(noSub["allowed"] as? Bool == false)
            #expect(noSub["reason"] as? String == "No subscription to workspace")

            let bought = try await API.buy(client, customer: id, "workspace", "ws_standard", seats: 10)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)
            _ = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "workspace", "quotas": {"users": 10, "storage_mb": 1024}}"#)

            let e = try await client.call(.get, "/v1/customers/\(id)/entitlements")
            #expect(e.status == .ok)
            let products = try #require(try e.json["products"] as? [[String: Any]])
            #expect(products.count == 1)
            let ws = products[0]
            #expect(ws["product"] as? String == "workspace")
            #expect(ws["subscription"] as? String == sub)
            #expect(ws["plan"] as? String == "ws_standard")
            #expect(ws["status"] as? String == "active")
            #expect(ws["access"] as? String == "full")
            #expect(int(dig(ws, "quotas", "users")) == 10)
            #expect(int(dig(ws, "quotas", "business_tools_users")) == 25)
            #expect(strings(ws["features"]) == ["custom_domain", "support"])
            #expect(int(dig(ws, "usage", "users")) == 10)

            // 10 of 10 users: one more is refused, with nothing remaining.
            let full = try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace&quota=users&adding=1").json
            #expect(full["allowed"] as? Bool == false)
            #expect(int(full["remaining"]) == 0)
            #expect(full["reason"] as? String == "users: 10 of 10 used; 1 more would exceed it")
            // Storage: 1,024 of 204,800 MB used; 1,000 more fits.
            let storage = try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace&quota=storage_mb&adding=1000").json
            #expect(storage["allowed"] as? Bool == true)
            #expect(int(storage["remaining"]) == 203_776)
            let domain = try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace&feature=custom_domain").json
            #expect(domain["allowed"] as? Bool == true)
            let sso = try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace&feature=sso").json
            #expect(sso["allowed"] as? Bool == false)
            #expect(sso["reason"] as? String == "The ws_standard plan does not include sso")

            // Exactly one of feature and quota; product is required.
            try expectProblem(try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace"), 400, "request.invalid")
            try expectProblem(try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace&feature=sso&quota=users"),
                              400, "request.invalid")
            try expectProblem(try await client.call(.get, "/v1/customers/\(id)/entitlements/check?feature=sso"), 400, "request.invalid")
            try expectProblem(try await client.call(.get, "/v1/customers/cus_nothing/entitlements"), 404, "resource.not_found")

            // Two fewer users in use: one more is allowed again.
            _ = try await client.call(.post, "/v1/customers/\(id)/usage", json: #"{"product": "workspace", "quotas": {"users": 8}}"#)
            let room = try await client.call(.get, "/v1/customers/\(id)/entitlements/check?product=workspace&quota=users").json
            #expect(room["allowed"] as? Bool == true)
            #expect(int(room["remaining"]) == 2)
        }
    }

    @Test("GET /v1/customers/{id}/audit lists customer.created, subscription.created and invoice.created in order", arguments: TestDatabase.all)
    func audit(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let id = try await API.customer(client)
            let bought = try await API.buy(client, customer: id, "workspace", "ws_starter", seats: 3)
            let sub = try #require(dig(bought, "subscriptions", 0, "id") as? String)
            let invoice = try #require(dig(bought, "invoice", "id") as? String)
            let r = try await client.call(.get, "/v1/customers/\(id)/audit")
            #expect(r.status == .ok)
            let data = try #require(try r.json["data"] as? [[String: Any]])
            #expect(data.map { $0["action"] as? String } == ["customer.created", "subscription.created", "invoice.created"])
            #expect(data.map { $0["target"] as? String } == [id, sub, invoice])
            #expect(data.allSatisfy { $0["actor"] as? String == "key:key_demo" })
            #expect(data.allSatisfy { $0["customer"] as? String == id })
            #expect(data[0]["before"] == nil)
            #expect((data[1]["after"] as? String)?.contains("\"ws_starter\"") == true)
            #expect(data[2]["created"] as? String == "2026-03-01T12:00:00Z")
            // Paged.
            let page = try await client.call(.get, "/v1/customers/\(id)/audit?limit=2").json
            #expect((page["data"] as? [Any])?.count == 2)
            #expect(page["has_more"] as? Bool == true)
            // Another customer's history is not mixed in, and an unknown customer is 404.
            let demo = try await API.ids(client, "/v1/customers?email=ketoan@saomai.example")[0]
            let demoAudit = try await client.call(.get, "/v1/customers/\(demo)/audit").json
            // The demo data adds three portal members to Sao Mai after creating it.
            #expect((demoAudit["data"] as? [[String: Any]])?.map { $0["action"] as? String }
                == ["customer.created", "customer.member_added", "customer.member_added", "customer.member_added"])
            #expect(dig(demoAudit, "data", 0, "actor") as? String == "system")
            try expectProblem(try await client.call(.get, "/v1/customers/cus_nothing/audit"), 404, "resource.not_found")
        }
    }
}
