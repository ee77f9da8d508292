import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// The catalog: products, plans and their prices, add-ons, promotions with their
/// redemptions, bundles and dependencies; new products, plans, add-ons and promotions.
extension BackOfficePages {
    func registerCatalog() {
        web.get("/admin/catalog", .staff(.finance)) { try await catalogPage($0, errors: [], form: nil) }
        web.post("/admin/catalog/products", .staff(.sales)) { r in
            try await catalogCreate(r, form: "product") {
                let f = r.form
                let trial = try Self.whole(f["trial_days"], field: "trial_days") ?? 0
                _ = try await service.createProduct(Product(id: ProductID(f["id"] ?? ""), name: f["name"] ?? "", trialDays: trial), actor: actor(r))
            }
        }
        web.post("/admin/catalog/plans", .staff(.sales)) { r in
            try await catalogCreate(r, form: "plan") {
                let f = r.form
                let currency = try Currency(code: f["currency"] ?? "")
                let prices = try Self.cyclePrices(f, currency)
                let pricing: Plan.Pricing = f["pricing"] == "per_seat"
                    ? .perSeat(minimum: try Self.whole(f["minimum_seats"], field: "minimum_seats") ?? 1, maximum: try Self.whole(f["maximum_seats"], field: "maximum_seats"))
                    : .flat
                let plan = Plan(id: PlanID(f["id"] ?? ""), product: ProductID(f["product"] ?? ""), name: f["name"] ?? "",
                                rank: try Self.whole(f["rank"], field: "rank") ?? 0, pricing: pricing, prices: prices,
                                isFree: prices.isEmpty && f["free"] == "1", selfService: f["self_service"] == "1")
                var sold = plan
                if f["contracts"] == "1" { sold.contracts = true }
                _ = try await service.createPlan(sold, actor: actor(r))
            }
        }
        web.post("/admin/catalog/add-ons", .staff(.sales)) { r in
            try await catalogCreate(r, form: "add_on") {
                let f = r.form
                let currency = try Currency(code: f["currency"] ?? "")
                var grants: [Quota: Int64] = [:]
                if let q = f["grant_quota"], let n = try Self.whole(f["grant_amount"], field: "grant_amount") { grants[Quota(rawValue: q)] = Int64(n) }
                let products = Set((f["products"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map { ProductID(String($0)) })
                let addOn = AddOn(id: AddOnID(f["id"] ?? ""), name: f["name"] ?? "", prices: try Self.cyclePrices(f, currency), grants: grants,
                                  products: products, maximumQuantity: try Self.whole(f["maximum_quantity"], field: "maximum_quantity"))
                _ = try await service.createAddOn(addOn, actor: actor(r))
            }
        }
        web.post("/admin/catalog/promotions", .staff(.sales)) { r in
            try await catalogCreate(r, form: "promotion") {
                let f = r.form
                let discount: Promotion.Discount
                if f["kind"] == "fixed" {
                    let currency = try Currency(code: f["currency"] ?? "")
                    guard let m = try Self.amount(f["value"], currency, field: "value") else { throw Self.required("value") }
                    discount = .fixed(m)
                } else {
                    discount = .percent(try Self.percentage(f["value"]))
                }
                var duration = Promotion.Duration.once
                if f["duration"] == "forever" { duration = .forever }
                if f["duration"] == "cycles" { duration = .cycles(try Self.whole(f["cycles"], field: "cycles") ?? 1) }
                let promo = Promotion(code: PromotionCode(f["code"] ?? ""), name: f["name"] ?? "", discount: discount,
                                      scope: Promotion.Scope(rawValue: f["scope"] ?? "") ?? .plan,
                                      validFrom: try Self.day(f["valid_from"], field: "valid_from"), validThrough: try Self.day(f["valid_through"], field: "valid_through"),
                                      redemptionLimit: try Self.whole(f["redemption_limit"], field: "redemption_limit"),
                                      eligibility: Promotion.Eligibility(firstPurchaseOnly: f["first_purchase"] == "1"), duration: duration)
                _ = try await service.createPromotion(promo, actor: actor(r))
            }
        }
    }

    func catalogCreate(_ r: WebRequest, form: String, _ body: () async throws -> Void) async throws -> WebResponse {
        do { try await body() } catch {
            return try await catalogPage(r, errors: try views(error, r), form: form)
        }
        return .redirect("/admin/catalog", flash: r.w["admin.catalog.created"])
    }

    static func required(_ field: String) -> RecurErrors {
        RecurErrors([RecurError(.requestInvalid, field: field, "\(field) is required")])
    }

    /// A whole number typed in a form; blank is nil.
    static func whole(_ text: String?, field: String) throws -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard let n = Int(text) else {
            throw RecurErrors([RecurError(.requestInvalid, field: field, "'\(text)' is not a whole number", ["value": .text(text)])])
        }
        return n
    }

    /// A percentage typed as `10` or `12.5`.
    static func percentage(_ text: String?) throws -> Percentage {
        let bad = RecurErrors([RecurError(.catalogInvalidPercentage, field: "value", "'\(text ?? "")' is not a percentage", ["value": .text(text ?? "")])])
        guard let text, !text.isEmpty else { throw bad }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0 else { throw bad }
        var frac = parts.count == 2 ? String(parts[1]) : ""
        guard frac.count <= 2, frac.allSatisfy(\.isNumber) else { throw bad }
        while frac.count < 2 { frac += "0" }
        let bp = whole * 100 + (Int64(frac) ?? 0)
        guard bp > 0, bp <= 10_000 else { throw bad }
        return Percentage(basisPoints: bp)
    }

    /// The monthly and yearly prices of a form, in one currency; a blank one is left out.
    static func cyclePrices(_ f: FormData, _ currency: Currency) throws -> [Price] {
        var out: [Price] = []
        var errors: [RecurError] = []
        for (field, cycle) in [("monthly", BillingCycle.monthly), ("yearly", BillingCycle.yearly)] {
            do {
                guard let m = try amount(f[field], currency, field: field) else { continue }
                guard m.isPositive else {
                    errors.append(RecurError(.catalogInvalidPrice, field: field, "A price is more than 0, not \(m)", ["amount": .money(m)]))
                    continue
                }
                out.append(Price(cycle, m))
            } catch let e as RecurError { errors.append(e) }
        }
        if !errors.isEmpty { throw RecurErrors(errors) }
        return out
    }

    func catalogPage(_ r: WebRequest, errors: [RecurEngineErrorView], form: String?) async throws -> WebResponse {
        let w = r.w
        let catalog = try await service.catalog()
        let sales = await may(r, .sales)
        func errs(_ name: String) -> HTML { form == name ? Layout.errors(w, errors) : .empty }
        func v(_ name: String, _ n: String, _ d: String = "") -> String { Self.value(form == name ? r.form : nil, n, d) }
        let products = catalog.products.values.sorted { $0.id < $1.id }
        let productRows = HTML.each(products) { p in
            "<tr data-product=\"\(p.id.rawValue)\"><td>\(p.id.rawValue)</td><td>\(p.name)</td><td class=\"num\">\(w.number(p.trialDays))</td><td>\(p.upgradeTerm.rawValue)</td></tr>"
        }
        let plans = catalog.plans.values.sorted { ($0.product, $0.rank, $0.id) < ($1.product, $1.rank, $1.id) }
        let planRows = HTML.each(plans) { p -> HTML in
            let pricing: String = switch p.pricing {
            case .flat: w["admin.catalog.flat"]
            case .perSeat(let min, let max): w("admin.catalog.per_seat", ["min": w.number(min), "max": max.map { w.number($0) } ?? "∞"])
            }
            return """
                <tr data-plan="\(p.id.rawValue)"><td>\(p.product.rawValue)</td><td>\(p.id.rawValue)</td><td>\(p.name)</td><td class="num">\(w.number(p.rank))</td>
                <td>\(pricing)</td><td>\(p.isFree ? w["plans.free"] : Self.prices(p.prices, w))</td><td>\(p.selfService ? "✓" : w["plans.sales_led"])</td></tr>
                """
        }
        let addOns = catalog.addOns.values.sorted { $0.id < $1.id }
        let addOnRows = HTML.each(addOns) { a in
            """
            <tr data-add-on="\(a.id.rawValue)"><td>\(a.id.rawValue)</td><td>\(a.name)</td><td>\(Self.prices(a.prices, w))</td>
            <td>\(a.grants.sorted { $0.key < $1.key }.map { "\(w["quota.\($0.key.rawValue)"]) +\(w.number($0.value))" }.joined(separator: ", "))</td>
            <td>\(a.products.map(\.rawValue).sorted().joined(separator: ", "))</td></tr>
            """
        }
        let promos = catalog.promotions.values.sorted { $0.code < $1.code }
        let promoRows = HTML.each(promos) { p -> HTML in
            let discount: String = switch p.discount {
            case .percent(let pct): Self.percent(pct)
            case .fixed(let m): w.money(m)
            }
            let duration: String = switch p.duration {
            case .once: w["admin.promotion.once"]
            case .forever: w["admin.promotion.forever"]
            case .cycles(let n): w("admin.promotion.cycles", ["n": w.number(n)])
            }
            return """
                <tr data-promotion="\(p.code.rawValue)"><td>\(p.code.rawValue)</td><td>\(p.name)</td><td>\(discount)</td><td>\(p.scope.rawValue)</td><td>\(duration)</td>
                <td>\(p.validFrom.map { w.date($0) } ?? "…") – \(p.validThrough.map { w.date($0) } ?? "…")</td>
                <td class="num" data-test="redemptions">\(w.number(p.timesRedeemed))\(p.redemptionLimit.map { " / \(w.number($0))" } ?? "")</td></tr>
                """
        }
        let bundleRows = HTML.each(catalog.bundles) { b in
            "<tr><td>\(b.id.rawValue)</td><td>\(b.name)</td><td>\(b.products.map(\.rawValue).sorted().joined(separator: ", "))</td><td>\(Self.percent(b.discount))</td><td>\(b.allowedCycles.sorted().map { PortalPages.cycleName($0, w) }.joined(separator: ", "))</td></tr>"
        }
        let depRows = HTML.each(catalog.dependencies) { d in
            "<tr><td>\(d.dependent.rawValue)</td><td>\(d.base.rawValue)</td><td>\(d.minimumBasePlan.rawValue)</td><td>\(d.autoAddBasePlan?.rawValue ?? "")</td><td>\(d.seatRule.rawValue)</td><td>\(d.cycleConflict.rawValue)</td></tr>"
        }
        let productOptions = Self.options(products.map { ($0.id.rawValue, $0.name) }, selected: v("plan", "product"))
        let forms: HTML = sales ? """
            <h2>\(w["admin.catalog.new"])</h2><div class="cards">
            <section class="card"><h3>\(w["admin.product"])</h3>\(errs("product"))
            <form method="post" action="/admin/catalog/products" class="stack" data-test="new-product">\(Layout.csrfField(r))
            <label>Id<input name="id" value="\(v("product", "id"))" required></label><label>\(w["admin.name"])<input name="name" value="\(v("product", "name"))" required></label>
            <label>\(w["admin.catalog.trial_days"])<input name="trial_days" inputmode="numeric" value="\(v("product", "trial_days", "0"))"></label>
            <p><button>\(w["admin.create"])</button></p></form></section>
            <section class="card"><h3>\(w["plans.plan"])</h3>\(errs("plan"))
            <form method="post" action="/admin/catalog/plans" class="stack" data-test="new-plan">\(Layout.csrfField(r))
            <label>\(w["admin.product"])<select name="product">\(productOptions)</select></label>
            <label>Id<input name="id" value="\(v("plan", "id"))" required></label><label>\(w["admin.name"])<input name="name" value="\(v("plan", "name"))" required></label>
            <label>\(w["admin.catalog.rank"])<input name="rank" inputmode="numeric" value="\(v("plan", "rank", "1"))"></label>
            <label>\(w["admin.catalog.pricing"])<select name="pricing">\(Self.options([("flat", w["admin.catalog.flat_price"]), ("per_seat", w["plans.per_seat"])], selected: v("plan", "pricing", "flat")))</select></label>
            <label>\(w["admin.catalog.minimum_seats"])<input name="minimum_seats" inputmode="numeric" value="\(v("plan", "minimum_seats"))"></label>
            <label>\(w["admin.catalog.maximum_seats"])<input name="maximum_seats" inputmode="numeric" value="\(v("plan", "maximum_seats"))"></label>
            <label>\(w["admin.customer.currency"])<input name="currency" value="\(v("plan", "currency", "VND"))" maxlength="3" required></label>
            <label>\(w["cycle.monthly"])<input name="monthly" inputmode="decimal" value="\(v("plan", "monthly"))"></label>
            <label>\(w["cycle.yearly"])<input name="yearly" inputmode="decimal" value="\(v("plan", "yearly"))"></label>
            <label class="check"><input type="checkbox" name="free" value="1"> \(w["plans.free"])</label>
            <label class="check"><input type="checkbox" name="self_service" value="1" checked> \(w["admin.catalog.self_service"])</label>
            <label class="check"><input type="checkbox" name="contracts" value="1"> \(w["admin.catalog.contracts"])</label>
            <p><button data-test="create-plan">\(w["admin.create"])</button></p></form></section>
            <section class="card"><h3>\(w["admin.catalog.add_on"])</h3>\(errs("add_on"))
            <form method="post" action="/admin/catalog/add-ons" class="stack" data-test="new-add-on">\(Layout.csrfField(r))
            <label>Id<input name="id" value="\(v("add_on", "id"))" required></label><label>\(w["admin.name"])<input name="name" value="\(v("add_on", "name"))" required></label>
            <label>\(w["admin.customer.currency"])<input name="currency" value="\(v("add_on", "currency", "VND"))" maxlength="3" required></label>
            <label>\(w["cycle.monthly"])<input name="monthly" inputmode="decimal" value="\(v("add_on", "monthly"))"></label>
            <label>\(w["cycle.yearly"])<input name="yearly" inputmode="decimal" value="\(v("add_on", "yearly"))"></label>
            <label>\(w["admin.catalog.grant_quota"])<input name="grant_quota" value="\(v("add_on", "grant_quota"))" placeholder="storage_mb"></label>
            <label>\(w["admin.catalog.grant_amount"])<input name="grant_amount" inputmode="numeric" value="\(v("add_on", "grant_amount"))"></label>
            <label>\(w["admin.catalog.products"])<input name="products" value="\(v("add_on", "products"))"></label>
            <label>\(w["admin.catalog.maximum_quantity"])<input name="maximum_quantity" inputmode="numeric" value="\(v("add_on", "maximum_quantity"))"></label>
            <p><button>\(w["admin.create"])</button></p></form></section>
            <section class="card"><h3>\(w["admin.catalog.promotion"])</h3>\(errs("promotion"))
            <form method="post" action="/admin/catalog/promotions" class="stack" data-test="new-promotion">\(Layout.csrfField(r))
            <label>\(w["admin.catalog.code"])<input name="code" value="\(v("promotion", "code"))" required></label><label>\(w["admin.name"])<input name="name" value="\(v("promotion", "name"))" required></label>
            <label>\(w["admin.catalog.discount"])<select name="kind">\(Self.options([("percent", "%"), ("fixed", w["admin.catalog.fixed"])], selected: v("promotion", "kind", "percent")))</select></label>
            <label>\(w["admin.catalog.value"])<input name="value" inputmode="decimal" value="\(v("promotion", "value"))" required></label>
            <label>\(w["admin.customer.currency"])<input name="currency" value="\(v("promotion", "currency"))" maxlength="3"></label>
            <label>\(w["admin.catalog.scope"])<select name="scope">\(Self.options([("plan", w["plans.plan"]), ("add_on", w["admin.catalog.add_on"]), ("invoice", w["admin.invoice"])], selected: v("promotion", "scope", "plan")))</select></label>
            <label>\(w["admin.catalog.duration"])<select name="duration">\(Self.options([("once", w["admin.promotion.once"]), ("forever", w["admin.promotion.forever"]), ("cycles", w("admin.promotion.cycles", ["n": "n"]))], selected: v("promotion", "duration", "once")))</select></label>
            <label>\(w["admin.catalog.cycles"])<input name="cycles" inputmode="numeric" value="\(v("promotion", "cycles"))"></label>
            <label>\(w["admin.catalog.valid_from"])<input name="valid_from" type="date" value="\(v("promotion", "valid_from"))"></label>
            <label>\(w["admin.catalog.valid_through"])<input name="valid_through" type="date" value="\(v("promotion", "valid_through"))"></label>
            <label>\(w["admin.catalog.redemption_limit"])<input name="redemption_limit" inputmode="numeric" value="\(v("promotion", "redemption_limit"))"></label>
            <label class="check"><input type="checkbox" name="first_purchase" value="1"> \(w["admin.catalog.first_purchase"])</label>
            <p><button>\(w["admin.create"])</button></p></form></section>
            \(catalogRuleForms(r, catalog, errs: errs, v: v))\(chargeForm(r, errs: errs, v: v))</div>
            """ : .empty
        let body: HTML = """
            <h2>\(w["admin.catalog.products"])</h2>
            \(Self.table(w, test: "products", ["Id", w["admin.name"], w["admin.catalog.trial_days"], w["admin.catalog.upgrade_term"]], numeric: [2], rows: productRows, count: products.count))
            <h2>\(w["nav.plans"])</h2>
            \(Self.table(w, test: "plans", [w["admin.product"], "Id", w["admin.name"], w["admin.catalog.rank"], w["admin.catalog.pricing"], w["admin.catalog.prices"], w["admin.catalog.self_service"]],
                         numeric: [3], rows: planRows, count: plans.count))
            <h2>\(w["admin.catalog.add_ons"])</h2>
            \(Self.table(w, test: "add-ons", ["Id", w["admin.name"], w["admin.catalog.prices"], w["admin.catalog.grants"], w["admin.catalog.products"]], rows: addOnRows, count: addOns.count))
            <h2>\(w["admin.catalog.promotions"])</h2>
            \(Self.table(w, test: "promotions", [w["admin.catalog.code"], w["admin.name"], w["admin.catalog.discount"], w["admin.catalog.scope"], w["admin.catalog.duration"],
                                                 w["admin.catalog.valid"], w["admin.catalog.redemptions"]], numeric: [6], rows: promoRows, count: promos.count))
            <h2>\(w["admin.charge.title"])</h2>
            \(Self.chargesTable(catalog, w))
            <h2>\(w["admin.catalog.bundles"])</h2>
            \(Self.table(w, test: "bundles", ["Id", w["admin.name"], w["admin.catalog.products"], w["admin.catalog.discount"], w["admin.catalog.cycles"]], rows: bundleRows, count: catalog.bundles.count))
            <h2>\(w["admin.catalog.dependencies"])</h2>
            \(Self.table(w, test: "dependencies", [w["admin.catalog.dependent"], w["admin.catalog.base"], w["admin.catalog.minimum_plan"], w["admin.catalog.auto_add"],
                                                   w["admin.catalog.seat_rule"], w["admin.catalog.cycle_conflict"]], rows: depRows, count: catalog.dependencies.count))
            \(forms)
            """
        return page(r, w["admin.catalog.title"], body, status: errors.map { WebRouter.status(RecurError.Code(rawValue: $0.code)) }.max() ?? 200)
    }
}
