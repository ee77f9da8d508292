/// How far a customer may use a product right now.
public enum AccessMode: String, Hashable, Sendable, Codable, Comparable {
    /// Everything the plan grants.
    case full
    /// View and delete only: no uploads, no new records (002: over the Free
    /// storage quota; also an expired subscription in its grace time).
    case readOnly = "read_only"
    /// Nothing but the payment pages.
    case locked

    private var order: Int { switch self { case .full: 0; case .readOnly: 1; case .locked: 2 } }
    public static func < (l: AccessMode, r: AccessMode) -> Bool { l.order < r.order }
}

/// A quota whose usage is above its limit.
public struct LimitViolation: Hashable, Sendable {
    public var quota: Quota
    public var limit: Int64
    public var usage: Int64
    /// The plan lists the quota as soft: the account turns read-only instead.
    public var soft: Bool

    /// The notice shown when a soft quota is over its limit: the account turns read-only (002).
    func readOnlyNotice(plan: Plan) -> Quote.Notice {
        .init(code: "access.read_only", message: "\(quota) in use (\(usage)) is above the \(plan.name) limit (\(limit)): the account becomes read-only")
    }

    func error(product: Product, plan: Plan, field: String) -> RecurError {
        RecurError(.planLimitBelowUsage, field: field,
                   "\(product.name) \(plan.name) allows \(limit) \(quota), but \(usage) are in use (\(usage - limit) over)",
                   ["quota": .text(quota.rawValue), "limit": .int(limit), "usage": .int(usage), "over": .int(usage - limit)])
    }
}

/// What a customer may use: per product, the plan, the access mode, the effective
/// limits (plan, tier, seats and add-ons) and features — the answer the vendor's
/// application asks for on every request.
public struct Entitlements: Hashable, Sendable, Codable {
    public struct ProductAccess: Hashable, Sendable, Codable {
        public var product: ProductID
        public var subscription: SubscriptionID
        public var plan: PlanID
        public var status: Subscription.Status
        public var access: AccessMode
        public var limits: Limits
        public var usage: Usage
        /// Why access is not full, when it is not.
        public var reason: String?
    }

    /// The answer to "may this customer do X?".
    public struct Decision: Hashable, Sendable, Codable {
        public var allowed: Bool
        public var reason: String?
        /// For a quota: how much is left (nil when unlimited).
        public var remaining: Int64?
    }

    public var products: [ProductID: ProductAccess]

    /// The entitlements of a customer's subscriptions on `date`.
    public init(catalog: Catalog, subscriptions: [Subscription], usage: [ProductID: Usage], on date: CivilDate) {
        var out: [ProductID: ProductAccess] = [:]
        // The most relevant subscription per product: a live one over an ended one, then the latest.
        let ranked = subscriptions.sorted { a, b in
            (a.isLive ? 1 : 0, a.currentPeriod.end) > (b.isLive ? 1 : 0, b.currentPeriod.end)
        }
        for s in ranked where out[s.product] == nil {
            guard let plan = catalog.plans[s.plan] else { continue }
            let addOns = s.addOns.compactMap { id, q in catalog.addOns[id].map { ($0, q) } }
            var limits = Entitlements.limits(plan: plan, tier: s.tier, seats: s.seats, addOns: addOns)
            let used = usage[s.product] ?? Usage()
            var access = AccessMode.full
            var reason: String?
            switch s.status {
            case .trialing, .active, .pastDue:
                if s.currentPeriod.end <= date && !(s.status == .trialing && (s.trialEnd ?? date) > date) {
                    access = .readOnly
                    reason = "The period ended on \(s.currentPeriod.inclusiveEnd) and has not been renewed"
                }
            case .expired:
                access = .readOnly
                reason = "The subscription expired; renew it to restore full access"
            case .locked, .cancelled:
                access = .locked
                reason = s.status == .locked ? "The subscription is locked; only payment is possible" : "The subscription is cancelled"
            }
            if access == .full, let v = Entitlements.violations(of: limits, by: used, plan: plan).first(where: \.soft) {
                access = .readOnly
                reason = "\(v.quota) in use (\(v.usage)) is above the limit (\(v.limit)): view and delete only until usage is back under it"
                limits.features.remove(.customDomain)
            }
            // 002: support only with an active paid plan.
            if plan.isFree || s.status == .trialing || access != .full { limits.features.remove(.support) }
            out[s.product] = ProductAccess(product: s.product, subscription: s.id, plan: s.plan, status: s.status, access: access,
                                     limits: limits, usage: used, reason: reason)
        }
        products = out
    }

    /// May the customer use `feature` of `product`?
    public func check(_ feature: Feature, of product: ProductID) -> Decision {
        guard let p = products[product] else { return Decision(allowed: false, reason: "No subscription to \(product)") }
        guard p.access == .full else { return Decision(allowed: false, reason: p.reason) }
        return p.limits.features.contains(feature)
            ? Decision(allowed: true)
            : Decision(allowed: false, reason: "The \(p.plan) plan does not include \(feature)")
    }

    /// May the customer add `amount` more of `quota` in `product` (one more user, 500 MB more)?
    public func check(_ quota: Quota, of product: ProductID, adding amount: Int64 = 1) -> Decision {
        guard let p = products[product] else { return Decision(allowed: false, reason: "No subscription to \(product)") }
        let limit = p.limits[quota]
        let used = p.usage[quota]
        let remaining: Int64? = if case .finite(let n) = limit { max(0, n - used) } else { nil }
        guard p.access == .full else { return Decision(allowed: false, reason: p.reason, remaining: remaining) }
        let (wanted, overflow) = used.addingReportingOverflow(amount)
        guard !overflow, limit.allows(wanted) else {
            return Decision(allowed: false, reason: "\(quota): \(used) of \(limit) used; \(amount) more would exceed it", remaining: remaining)
        }
        return Decision(allowed: true, remaining: remaining)
    }

    /// The limits of a plan with its tier, seats and add-on quantities.
    public static func limits(plan: Plan, tier: String?, seats: Int, addOns: [(AddOn, Int)]) -> Limits {
        var limits = plan.limits(tier: tier, seats: seats)
        for (addOn, quantity) in addOns {
            for (quota, grant) in addOn.grants {
                let (extra, o) = grant.multipliedReportingOverflow(by: Int64(quantity))
                limits.quotas[quota] = limits[quota].adding(o ? .max : extra)
            }
        }
        return limits
    }

    /// The quotas that `limits` declares and `usage` exceeds, in quota order.
    public static func violations(of limits: Limits, by usage: Usage, plan: Plan) -> [LimitViolation] {
        limits.quotas.sorted { $0.key < $1.key }.compactMap { quota, limit in
            guard case .finite(let n) = limit, usage[quota] > n else { return nil }
            return LimitViolation(quota: quota, limit: n, usage: usage[quota], soft: plan.softQuotas.contains(quota))
        }
    }
}
