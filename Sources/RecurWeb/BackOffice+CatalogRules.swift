import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// The catalog editor's changes to what exists: a plan's prices, bundles, dependencies.
extension BackOfficePages {
    func registerCatalogRules() {
        web.post("/admin/catalog/plan-prices", .staff(.sales)) { r in
            try await catalogCreate(r, form: "plan_prices") {
                let f = r.form
                let currency = try Currency(code: f["currency"] ?? "")
                let prices = try Self.cyclePrices(f, currency)
                let catalog = try await service.catalog()
                guard let plan = catalog.plans[PlanID(f["plan"] ?? "")] else { throw RecurError(.resourceNotFound, field: "plan", "No plan \(f["plan"] ?? "")") }
                // The other currencies' prices, and other cycles in this currency, stay as they are.
                let kept = plan.prices.filter { $0.amount.currency != currency || ($0.cycle != .monthly && $0.cycle != .yearly) || $0.tier != nil }
                _ = try await service.setPlanPrices(plan.id.rawValue, kept + prices, actor: actor(r))
            }
        }
        web.post("/admin/catalog/bundles", .staff(.sales)) { r in
            try await catalogCreate(r, form: "bundle") {
                let f = r.form
                let products = Set((f["products"] ?? "").split(separator: ",").map { ProductID($0.trimmingCharacters(in: .whitespaces)) })
                let bundle = ProductBundle(id: BundleID(f["id"] ?? ""), name: f["name"] ?? "", products: products,
                                           discount: try Self.percentage(f["discount"]), allowedCycles: f["yearly_only"] == "1" ? [.yearly] : [.monthly, .yearly])
                _ = try await service.addCatalogRule(bundle: bundle, actor: actor(r))
            }
        }
        web.post("/admin/catalog/dependencies", .staff(.sales)) { r in
            try await catalogCreate(r, form: "dependency") {
                let f = r.form
                let dependency = Dependency(dependent: ProductID(f["dependent"] ?? ""), base: ProductID(f["base"] ?? ""),
                                            minimumBasePlan: PlanID(f["minimum_base_plan"] ?? ""), autoAddBasePlan: f["auto_add_plan"].map { PlanID($0) },
                                            seatRule: Dependency.SeatRule(rawValue: f["seat_rule"] ?? "") ?? .independent,
                                            cycleConflict: Dependency.CycleConflict(rawValue: f["cycle_conflict"] ?? "") ?? .refuse,
                                            coTerminate: f["co_terminate"] == "1")
                _ = try await service.addCatalogRule(dependency: dependency, actor: actor(r))
            }
        }
    }

    /// The three forms, for the catalog page.
    func catalogRuleForms(_ r: WebRequest, _ catalog: Catalog, errs: (String) -> HTML, v: (String, String, String) -> String) -> HTML {
        let w = r.w
        let plans = catalog.plans.values.sorted { $0.id.rawValue < $1.id.rawValue }
        let products = catalog.products.values.sorted { $0.id.rawValue < $1.id.rawValue }
        let planOptions = Self.options(plans.map { ($0.id.rawValue, "\(catalog.products[$0.product]?.name ?? "") · \($0.name)") }, selected: v("plan_prices", "plan", ""))
        func productOptions(_ form: String, _ field: String) -> HTML {
            Self.options(products.map { ($0.id.rawValue, $0.name) }, selected: v(form, field, ""))
        }
        return """
            <section class="card"><h3>\(w["admin.catalog.plan_prices"])</h3>\(errs("plan_prices"))
            <form method="post" action="/admin/catalog/plan-prices" class="stack" data-test="plan-prices">\(Layout.csrfField(r))
            <label>\(w["plans.plan"])<select name="plan">\(planOptions)</select></label>
            <label>\(w["admin.customer.currency"])<input name="currency" value="\(v("plan_prices", "currency", "VND"))" maxlength="3" required></label>
            <label>\(w["cycle.monthly"])<input name="monthly" inputmode="decimal" value="\(v("plan_prices", "monthly", ""))"></label>
            <label>\(w["cycle.yearly"])<input name="yearly" inputmode="decimal" value="\(v("plan_prices", "yearly", ""))"></label>
            <p class="muted">\(w["admin.catalog.plan_prices_help"])</p><p><button>\(w["form.save"])</button></p></form></section>
            <section class="card"><h3>\(w["admin.catalog.bundle"])</h3>\(errs("bundle"))
            <form method="post" action="/admin/catalog/bundles" class="stack" data-test="new-bundle">\(Layout.csrfField(r))
            <label>Id<input name="id" value="\(v("bundle", "id", ""))" required></label><label>\(w["admin.name"])<input name="name" value="\(v("bundle", "name", ""))" required></label>
            <label>\(w["admin.catalog.products"])<input name="products" value="\(v("bundle", "products", ""))" placeholder="workspace, operation_process"></label>
            <label>\(w["admin.catalog.discount"]) (%)<input name="discount" inputmode="decimal" value="\(v("bundle", "discount", ""))"></label>
            <label class="check"><input type="checkbox" name="yearly_only" value="1" checked> \(w["admin.catalog.yearly_only"])</label>
            <p><button>\(w["admin.create"])</button></p></form></section>
            <section class="card"><h3>\(w["admin.catalog.dependency"])</h3>\(errs("dependency"))
            <form method="post" action="/admin/catalog/dependencies" class="stack" data-test="new-dependency">\(Layout.csrfField(r))
            <label>\(w["admin.catalog.dependent"])<select name="dependent">\(productOptions("dependency", "dependent"))</select></label>
            <label>\(w["admin.catalog.base"])<select name="base">\(productOptions("dependency", "base"))</select></label>
            <label>\(w["admin.catalog.minimum_plan"])<input name="minimum_base_plan" value="\(v("dependency", "minimum_base_plan", ""))" required></label>
            <label>\(w["admin.catalog.auto_add"])<input name="auto_add_plan" value="\(v("dependency", "auto_add_plan", ""))"></label>
            <label>\(w["admin.catalog.seat_rule"])<select name="seat_rule">\(Self.options([("independent", w["admin.catalog.seat_independent"]), ("equal", w["admin.catalog.seat_equal"]), ("at_most", w["admin.catalog.seat_at_most"])], selected: v("dependency", "seat_rule", "independent")))</select></label>
            <label>\(w["admin.catalog.cycle_conflict"])<select name="cycle_conflict">\(Self.options([("refuse", w["admin.catalog.conflict_refuse"]), ("switch_base", w["admin.catalog.conflict_switch"])], selected: v("dependency", "cycle_conflict", "refuse")))</select></label>
            <label class="check"><input type="checkbox" name="co_terminate" value="1" checked> \(w["admin.catalog.co_terminate"])</label>
            <p><button>\(w["admin.create"])</button></p></form></section>
            """
    }
}
