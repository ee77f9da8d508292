import Foundation
import HummingbirdTesting
import RecurApp
import RecurCore
import RecurEngine
import RecurWeb
import Testing

@Suite("Back office: catalog editor")
struct CatalogEditorTests {
    @Test("a plan's prices change in one currency, the others stay; a bad price changes nothing; quotes use the new price", arguments: TestDatabase.all)
    func planPrices(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let b = Browser(client)
            #expect(try await b.staffSignIn(email: DemoStaff.email, password: DemoStaff.password).status == 303)
            try await b.get("/admin/catalog")
            let bad = try await b.post("/admin/catalog/plan-prices", [("plan", "ws_standard"), ("currency", "VND"), ("monthly", "abc")])
            #expect(bad.status == 422)
            #expect(try await service.catalog().plans["ws_standard"]?.prices.first { $0.amount.currency == .vnd }?.amount.minorUnits == 90_000)
            let ok = try await b.post("/admin/catalog/plan-prices", [("plan", "ws_standard"), ("currency", "VND"), ("monthly", "100000")])
            #expect(ok.status == 303)
            let prices = try #require(try await service.catalog().plans["ws_standard"]).prices
            #expect(prices.filter { $0.amount.currency == .vnd }.map(\.amount.minorUnits) == [100_000])
            #expect(prices.first { $0.amount.currency == .eur }?.amount.minorUnits == 450, "EUR untouched")
            let (saoMai, _) = try await demoCustomers(service)
            let quote = try await service.quote(customer: saoMai.id, order: Order(items: [.init(product: "workspace", plan: "ws_standard", cycle: .monthly, seats: 2)]), date: nil)
            #expect(quote.totals.total.minorUnits == 220_000, "2 × 100,000 ₫ + 10 % VAT")
        }
    }

    @Test("bundles and dependencies: added when the catalog accepts them; a duplicate is 409, an unknown product 422, and nothing is written", arguments: TestDatabase.all)
    func rules(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let b = Browser(client)
            #expect(try await b.staffSignIn(email: DemoStaff.email, password: DemoStaff.password).status == 303)
            try await b.get("/admin/catalog")
            let made = try await b.post("/admin/catalog/bundles", [("id", "ws_op"), ("name", "Workspace + Process"), ("products", "workspace, operation_process"),
                                                                    ("discount", "5"), ("yearly_only", "1")])
            #expect(made.status == 303)
            let bundle = try #require(try await service.catalog().bundles.first { $0.id == "ws_op" })
            #expect(bundle.products == ["workspace", "operation_process"] && bundle.discount == Percentage(percent: 5) && bundle.allowedCycles == [.yearly])
            #expect(try await b.post("/admin/catalog/bundles", [("id", "ws_op"), ("name", "Again"), ("products", "workspace,app_builder"), ("discount", "5")]).status == 409)
            let unknown = try await b.post("/admin/catalog/bundles", [("id", "nope"), ("name", "Nope"), ("products", "workspace,nothing"), ("discount", "5")])
            #expect(unknown.status == 422)
            #expect(try await service.catalog().bundles.count == 2)

            #expect(try await b.post("/admin/catalog/dependencies", [("dependent", "app_builder"), ("base", "workspace"), ("minimum_base_plan", "ws_starter")]).status == 409)
            let dep = try await b.post("/admin/catalog/dependencies", [("dependent", "sme_email"), ("base", "workspace"), ("minimum_base_plan", "ws_starter"),
                                                                        ("seat_rule", "independent"), ("cycle_conflict", "refuse"), ("co_terminate", "1")])
            #expect(dep.status == 303)
            let d = try #require(try await service.catalog().dependencies.first { $0.dependent == "sme_email" })
            #expect(d.base == "workspace" && d.minimumBasePlan == "ws_starter" && d.coTerminate)
            let badPlan = try await b.post("/admin/catalog/dependencies", [("dependent", "meeting"), ("base", "workspace"), ("minimum_base_plan", "no_plan")])
            #expect(badPlan.status == 422)
            #expect(try await service.catalog().dependencies.count == 3)
            // Finance looks but does not edit.
            _ = try await service.createStaff(email: "fin2@recur.example", name: "F", role: .finance, password: "finance-pass-2", actor: .system)
            let finance = Browser(client)
            #expect(try await finance.staffSignIn(email: "fin2@recur.example", password: "finance-pass-2").status == 303)
            #expect(try await finance.post("/admin/catalog/bundles", [("id", "x"), ("name", "X"), ("products", "workspace,app_builder"), ("discount", "5")]).status == 403)
        }
    }
}
