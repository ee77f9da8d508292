import Foundation
public import RecurCore

extension RecurService {
    /// The catalog as stored, validated as a whole.
    func loadCatalog(_ tx: any Transaction) async throws -> Catalog {
        let products = try await tx.all(ProductRecord.self, filters: [:]).map(\.product)
        let plans = try await tx.all(PlanRecord.self, filters: [:]).map(\.plan)
        let addOns = try await tx.all(AddOnRecord.self, filters: [:]).map(\.addOn)
        let promotions = try await tx.all(PromotionRecord.self, filters: [:]).map(\.promotion)
        let rules = try await tx.find(CatalogRulesRecord.self, id: "catalog")
        var discounts: [BillingCycle: Percentage] = [:]
        for (months, p) in rules?.cycleDiscounts ?? [:] { discounts[try BillingCycle(months: months)] = p }
        return try Catalog(products: products, plans: plans, addOns: addOns, dependencies: rules?.dependencies ?? [],
                           bundles: rules?.bundles ?? [], cycleDiscounts: discounts, promotions: promotions,
                           taxRates: rules?.taxRates ?? [], charges: rules?.charges ?? [])
    }

    public func catalog() async throws -> Catalog {
        try await read { tx in try await self.loadCatalog(tx) }
    }

    /// Loads `catalog` into an empty store (the demo data); does nothing if any product exists.
    /// - returns: true when the catalog was loaded.
    @discardableResult
    public func seedCatalog(_ catalog: Catalog) async throws -> Bool {
        try await command(.system) { tx, log in
            guard try await tx.list(ProductRecord.self, filters: [:], limit: 1, startingAfter: nil).items.isEmpty else { return false }
            let now = log.now
            for p in catalog.products.values.sorted(by: { $0.id < $1.id }) { try await tx.insert(ProductRecord(product: p, created: now)) }
            for p in catalog.plans.values.sorted(by: { $0.id < $1.id }) { try await tx.insert(PlanRecord(plan: p, created: now)) }
            for a in catalog.addOns.values.sorted(by: { $0.id < $1.id }) { try await tx.insert(AddOnRecord(addOn: a, created: now)) }
            for p in catalog.promotions.values.sorted(by: { $0.code < $1.code }) { try await tx.insert(PromotionRecord(promotion: p, created: now)) }
            try await tx.insert(CatalogRulesRecord(
                dependencies: catalog.dependencies, bundles: catalog.bundles,
                cycleDiscounts: Dictionary(uniqueKeysWithValues: catalog.cycleDiscounts.map { ($0.key.months, $0.value) }),
                taxRates: catalog.taxRates, charges: catalog.charges.values.sorted { $0.id < $1.id }))
            log.audit("catalog.seeded", target: "catalog", customer: nil, before: String?.none,
                      after: "\(catalog.products.count) products, \(catalog.plans.count) plans")
            return true
        }
    }

    // MARK: Products, plans, add-ons, promotions

    public func listProducts(limit: Int?, startingAfter: String?) async throws -> Page<ProductRecord> {
        try await read { tx in try await tx.list(ProductRecord.self, filters: [:], limit: try Self.pageLimit(limit), startingAfter: startingAfter) }
    }

    public func product(_ id: String) async throws -> ProductRecord {
        try await read { tx in
            guard let r = try await tx.find(ProductRecord.self, id: id) else { throw RecurError.notFound("product", id) }
            return r
        }
    }

    public func listPlans(product: String?, limit: Int?, startingAfter: String?) async throws -> Page<PlanRecord> {
        try await read { tx in
            try await tx.list(PlanRecord.self, filters: product.map { ["product_id": .text($0)] } ?? [:],
                              limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }

    public func plan(_ id: String) async throws -> PlanRecord {
        try await read { tx in
            guard let r = try await tx.find(PlanRecord.self, id: id) else { throw RecurError.notFound("plan", id) }
            return r
        }
    }

    public func listAddOns(limit: Int?, startingAfter: String?) async throws -> Page<AddOnRecord> {
        try await read { tx in try await tx.list(AddOnRecord.self, filters: [:], limit: try Self.pageLimit(limit), startingAfter: startingAfter) }
    }

    public func addOn(_ id: String) async throws -> AddOnRecord {
        try await read { tx in
            guard let r = try await tx.find(AddOnRecord.self, id: id) else { throw RecurError.notFound("add-on", id) }
            return r
        }
    }

    public func listPromotions(limit: Int?, startingAfter: String?) async throws -> Page<PromotionRecord> {
        try await read { tx in try await tx.list(PromotionRecord.self, filters: [:], limit: try Self.pageLimit(limit), startingAfter: startingAfter) }
    }

    public func promotion(_ code: String) async throws -> PromotionRecord {
        try await read { tx in
            guard let r = try await tx.find(PromotionRecord.self, id: code) else { throw RecurError.notFound("promotion", code) }
            return r
        }
    }

    /// Adds one catalog entry after validating the whole catalog with it: an entry
    /// that would make the catalog invalid is refused with every problem listed.
    func addToCatalog<R: Record>(_ record: R, kind: String, actor: Actor,
                                 merge: @escaping @Sendable (Catalog) throws -> Catalog) async throws -> R {
        try await command(actor) { tx, log in
            if try await tx.find(R.self, id: record.id) != nil {
                throw RecurError(.resourceExists, field: "id", "A \(kind) with id \(record.id) exists already", ["id": .text(record.id)])
            }
            _ = try merge(try await self.loadCatalog(tx))
            try await tx.insert(record)
            log.audit("\(kind).created", target: record.id, customer: nil, before: String?.none, after: record)
            log.emit("\(kind).created", customer: nil, object: record)
            return record
        }
    }

    public func createProduct(_ p: Product, actor: Actor) async throws -> ProductRecord {
        try requireID(p.id.rawValue)
        return try await addToCatalog(ProductRecord(product: p, created: clock.now()), kind: "product", actor: actor) { c in
            try c.replacing(products: Array(c.products.values) + [p])
        }
    }

    public func createPlan(_ p: Plan, actor: Actor) async throws -> PlanRecord {
        try requireID(p.id.rawValue)
        return try await addToCatalog(PlanRecord(plan: p, created: clock.now()), kind: "plan", actor: actor) { c in
            try c.replacing(plans: Array(c.plans.values) + [p])
        }
    }

    public func createAddOn(_ a: AddOn, actor: Actor) async throws -> AddOnRecord {
        try requireID(a.id.rawValue)
        return try await addToCatalog(AddOnRecord(addOn: a, created: clock.now()), kind: "add_on", actor: actor) { c in
            try c.replacing(addOns: Array(c.addOns.values) + [a])
        }
    }

    public func createPromotion(_ p: Promotion, actor: Actor) async throws -> PromotionRecord {
        try requireID(p.code.rawValue)
        return try await addToCatalog(PromotionRecord(promotion: p, created: clock.now()), kind: "promotion", actor: actor) { c in
            try c.replacing(promotions: Array(c.promotions.values) + [p])
        }
    }

    func requireID(_ id: String) throws {
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw RecurErrors([RecurError(.requestInvalid, field: "id", "An id is 1 to 64 letters, digits, '_' or '-', not '\(id)'", ["id": .text(id)])])
        }
    }
}

extension Catalog {
    /// This catalog with some of its parts replaced, validated again.
    public func replacing(products: [Product]? = nil, plans: [Plan]? = nil, addOns: [AddOn]? = nil,
                          promotions: [Promotion]? = nil) throws -> Catalog {
        try Catalog(products: products ?? Array(self.products.values), plans: plans ?? Array(self.plans.values),
                    addOns: addOns ?? Array(self.addOns.values), dependencies: dependencies, bundles: bundles,
                    cycleDiscounts: cycleDiscounts, promotions: promotions ?? Array(self.promotions.values), taxRates: taxRates,
                    charges: Array(charges.values))
    }
}

// MARK: Editing the catalog (the back office's catalog editor)

extension RecurService {
    /// Replaces a plan's prices (renewals after the change are charged the new prices;
    /// invoices already issued keep theirs). The catalog is validated as a whole first.
    /// - throws: `resource.not_found`, `catalog.*` (422) for prices the catalog refuses.
    public func setPlanPrices(_ id: String, _ prices: [Price], actor: Actor) async throws -> PlanRecord {
        try await command(actor) { tx, log in
            guard let before = try await tx.find(PlanRecord.self, id: id) else { throw RecurError.notFound("plan", id) }
            var after = before
            after.plan.prices = prices
            let catalog = try await self.loadCatalog(tx)
            _ = try catalog.replacing(plans: catalog.plans.values.map { $0.id == after.plan.id ? after.plan : $0 })
            try await tx.update(after)
            log.audit("plan.prices_set", target: id, customer: nil, before: before.plan.prices, after: prices)
            log.emit("plan.updated", customer: nil, object: after)
            return after
        }
    }

    /// Adds a bundle or a dependency to the catalog's rules, validated with the whole catalog.
    /// - throws: `resource.exists` (409) for a bundle id or a dependent product already there,
    ///   `catalog.*` (422) for what the catalog refuses (unknown products or plans…).
    public func addCatalogRule(bundle: ProductBundle? = nil, dependency: Dependency? = nil, actor: Actor) async throws -> Catalog {
        try await command(actor) { tx, log in
            let catalog = try await self.loadCatalog(tx)
            var rules = try await tx.find(CatalogRulesRecord.self, id: "catalog")
                ?? CatalogRulesRecord(dependencies: [], bundles: [], cycleDiscounts: [:], taxRates: [])
            if let bundle {
                if rules.bundles.contains(where: { $0.id == bundle.id }) {
                    throw RecurError(.resourceExists, field: "id", "A bundle with id \(bundle.id.rawValue) exists already", ["id": .text(bundle.id.rawValue)])
                }
                rules.bundles.append(bundle)
            }
            if let dependency {
                if rules.dependencies.contains(where: { $0.dependent == dependency.dependent }) {
                    throw RecurError(.resourceExists, field: "dependent", "\(dependency.dependent.rawValue) depends on a product already",
                                     ["dependent": .text(dependency.dependent.rawValue)])
                }
                rules.dependencies.append(dependency)
            }
            let updated = try Catalog(products: Array(catalog.products.values), plans: Array(catalog.plans.values), addOns: Array(catalog.addOns.values),
                                      dependencies: rules.dependencies, bundles: rules.bundles, cycleDiscounts: catalog.cycleDiscounts,
                                      promotions: Array(catalog.promotions.values), taxRates: catalog.taxRates,
                                      charges: Array(catalog.charges.values))
            if try await tx.find(CatalogRulesRecord.self, id: "catalog") == nil { try await tx.insert(rules) } else { try await tx.update(rules) }
            if let bundle { log.audit("bundle.created", target: bundle.id.rawValue, customer: nil, before: String?.none, after: bundle) }
            if let dependency {
                log.audit("dependency.created", target: dependency.dependent.rawValue, customer: nil, before: String?.none, after: dependency)
            }
            return updated
        }
    }
}
