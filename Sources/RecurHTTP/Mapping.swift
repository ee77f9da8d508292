import Foundation
import RecurAPI
import RecurCore
import RecurEngine

// Between the generated API types and the domain. API → domain conversions throw
// `RecurErrors` with the field at fault; domain → API conversions cannot fail.

typealias S = Components.Schemas

enum Map {
    // MARK: Money, dates

    static func money(_ m: Money) -> S.Money { .init(amount: m.minorUnits, currency: m.currency.code) }

    static func money(_ m: S.Money, field: String) throws -> Money {
        Money(minorUnits: m.amount, currency: try currency(m.currency, field: "\(field).currency"))
    }

    static func currency(_ code: String, field: String) throws -> Currency {
        do { return try Currency(code: code) } catch let e as RecurError { throw RecurErrors([e.at(field)]) }
    }

    static func date(_ text: String?, field: String) throws -> CivilDate? {
        guard let text else { return nil }
        do { return try CivilDate(iso: text) } catch let e as RecurError { throw RecurErrors([e.at(field)]) }
    }

    static func cycle(_ months: Int, field: String) throws -> BillingCycle {
        do { return try BillingCycle(months: months) } catch let e as RecurError { throw RecurErrors([e.at(field)]) }
    }

    static func period(_ p: Period) -> S.Period { .init(start: p.start.description, end: p.end.description) }

    // MARK: Catalog

    static func product(_ p: Product) -> S.Product {
        let trialEnd: String = switch p.trialEnd {
        case .lock: "lock"
        case .downgrade(let plan): "downgrade:\(plan.rawValue)"
        }
        return .init(id: p.id.rawValue, name: p.name, trialDays: p.trialDays, trialEnd: trialEnd,
                     upgradeTerm: p.upgradeTerm == .newTerm ? .newTerm : .keepPeriod, taxCategory: p.taxCategory.rawValue)
    }

    static func product(_ p: S.Product) throws -> Product {
        var trialEnd = Product.TrialEnd.lock
        if let t = p.trialEnd, t != "lock" {
            guard t.hasPrefix("downgrade:"), t.count > 10 else {
                throw RecurErrors([RecurError(.requestInvalid, field: "trial_end", "trial_end is \"lock\" or \"downgrade:<free plan id>\", not '\(t)'")])
            }
            trialEnd = .downgrade(to: PlanID(String(t.dropFirst(10))))
        }
        return Product(id: ProductID(p.id), name: p.name, trialDays: p.trialDays ?? 0, trialEnd: trialEnd,
                       upgradeTerm: p.upgradeTerm == .newTerm ? .newTerm : .keepPeriod, taxCategory: TaxCategory(rawValue: p.taxCategory ?? "standard"))
    }

    static func limits(_ l: Limits) -> S.Limits {
        var finite: [String: Int64] = [:]
        var unlimited: [String] = []
        for (q, v) in l.quotas {
            switch v {
            case .finite(let n): finite[q.rawValue] = n
            case .unlimited: unlimited.append(q.rawValue)
            }
        }
        return .init(quotas: .init(additionalProperties: finite), unlimited: unlimited.sorted(), features: l.features.map(\.rawValue).sorted())
    }

    static func limits(_ l: S.Limits?) -> Limits {
        guard let l else { return Limits() }
        var quotas: [Quota: Limit] = [:]
        for (q, n) in l.quotas?.additionalProperties ?? [:] { quotas[Quota(rawValue: q)] = .finite(n) }
        for q in l.unlimited ?? [] { quotas[Quota(rawValue: q)] = .unlimited }
        return Limits(quotas, features: Set((l.features ?? []).map { Feature(rawValue: $0) }))
    }

    static func price(_ p: Price) -> S.Price { .init(cycleMonths: p.cycle.months, amount: money(p.amount), tier: p.tier) }

    static func prices(_ ps: [S.Price]?, field: String) throws -> [Price] {
        var errors: [RecurError] = []
        var out: [Price] = []
        for (i, p) in (ps ?? []).enumerated() {
            do {
                out.append(Price(try cycle(p.cycleMonths, field: "\(field)[\(i)].cycle_months"), try money(p.amount, field: "\(field)[\(i)].amount"), tier: p.tier))
            } catch let e as RecurErrors { errors += e.errors }
        }
        if !errors.isEmpty { throw RecurErrors(errors) }
        return out
    }

    static func plan(_ p: Plan) -> S.Plan {
        let arrears: S.Plan.InArrearsPayload? = switch p.timing {
        case .inAdvance: nil
        case .inArrears(.peak): .peak
        case .inArrears(.endOfPeriod): .endOfPeriod
        }
        return .init(id: p.id.rawValue, product: p.product.rawValue, name: p.name, rank: p.rank, perSeat: p.isPerSeat,
                     minimumSeats: p.isPerSeat ? p.minimumSeats : nil, maximumSeats: p.maximumSeats, inArrears: arrears,
                     prices: p.prices.map(price), limits: limits(p.limits),
                     tiers: p.tiers.map { .init(id: $0.id, name: $0.name, limits: limits($0.limits)) },
                     free: p.isFree, softQuotas: p.softQuotas.map(\.rawValue).sorted(), selfService: p.selfService)
    }

    static func plan(_ p: S.Plan) throws -> Plan {
        let pricing: Plan.Pricing = (p.perSeat ?? false) ? .perSeat(minimum: p.minimumSeats ?? 1, maximum: p.maximumSeats) : .flat
        let timing: Plan.Timing = switch p.inArrears {
        case nil: .inAdvance
        case .peak?: .inArrears(.peak)
        case .endOfPeriod?: .inArrears(.endOfPeriod)
        }
        return Plan(id: PlanID(p.id), product: ProductID(p.product), name: p.name, rank: p.rank, pricing: pricing, timing: timing,
                    prices: try prices(p.prices, field: "prices"), limits: limits(p.limits),
                    tiers: (p.tiers ?? []).map { Plan.Tier(id: $0.id, name: $0.name, limits: limits($0.limits)) },
                    isFree: p.free ?? false, softQuotas: Set((p.softQuotas ?? []).map { Quota(rawValue: $0) }), selfService: p.selfService ?? true)
    }

    static func charge(_ c: Charge) -> S.Charge {
        .init(id: c.id.rawValue, name: c.name, prices: c.prices.map(money), topUp: c.topUp, salesLed: c.salesLed,
              maximumQuantity: c.maximumQuantity, taxCategory: c.taxCategory.rawValue)
    }

    static func charge(_ c: S.Charge) throws -> Charge {
        var errors: [RecurError] = []
        var prices: [Money] = []
        for (i, p) in c.prices.enumerated() {
            do { prices.append(try money(p, field: "prices[\(i)]")) } catch let e as RecurErrors { errors += e.errors }
        }
        if !errors.isEmpty { throw RecurErrors(errors) }
        return Charge(id: ChargeID(c.id), name: c.name, prices: prices, topUp: c.topUp, salesLed: c.salesLed ?? false,
                      maximumQuantity: c.maximumQuantity, taxCategory: c.taxCategory.map { TaxCategory(rawValue: $0) } ?? .standard)
    }

    static func addOn(_ a: AddOn) -> S.AddOn {
        .init(id: a.id.rawValue, name: a.name, prices: a.prices.map(price),
              grants: .init(additionalProperties: Dictionary(uniqueKeysWithValues: a.grants.map { ($0.key.rawValue, $0.value) })),
              products: a.products.map(\.rawValue).sorted(), maximumQuantity: a.maximumQuantity)
    }

    static func addOn(_ a: S.AddOn) throws -> AddOn {
        AddOn(id: AddOnID(a.id), name: a.name, prices: try prices(a.prices, field: "prices"),
              grants: Dictionary(uniqueKeysWithValues: (a.grants?.additionalProperties ?? [:]).map { (Quota(rawValue: $0.key), $0.value) }),
              products: Set((a.products ?? []).map { ProductID($0) }), maximumQuantity: a.maximumQuantity)
    }

    static func promotion(_ p: Promotion) -> S.Promotion {
        var percent: Int?
        var amountOff: S.Money?
        switch p.discount {
        case .percent(let pct): percent = Int(pct.basisPoints)
        case .fixed(let m): amountOff = money(m)
        }
        let duration: String = switch p.duration {
        case .once: "once"
        case .forever: "forever"
        case .cycles(let n): "cycles:\(n)"
        }
        let scope: S.Promotion.ScopePayload = switch p.scope {
        case .plan: .plan
        case .addOn: .addOn
        case .invoice: .invoice
        }
        let e = p.eligibility
        return .init(code: p.code.rawValue, name: p.name, percentBasisPoints: percent, amountOff: amountOff, scope: scope,
                     validFrom: p.validFrom?.description, validThrough: p.validThrough?.description, redemptionLimit: p.redemptionLimit,
                     timesRedeemed: p.timesRedeemed, firstPurchaseOnly: e.firstPurchaseOnly, products: e.products.map(\.rawValue).sorted(),
                     plans: e.plans.map(\.rawValue).sorted(), addOns: e.addOns.map(\.rawValue).sorted(),
                     cyclesMonths: e.cycles.map(\.months).sorted(), duration: duration)
    }

    static func promotion(_ p: S.Promotion) throws -> Promotion {
        var errors: [RecurError] = []
        var discount = Promotion.Discount.percent(.zero)
        switch (p.percentBasisPoints, p.amountOff) {
        case (let bp?, nil): discount = .percent(Percentage(basisPoints: Int64(bp)))
        case (nil, let m?):
            do { discount = .fixed(try money(m, field: "amount_off")) } catch let e as RecurErrors { errors += e.errors }
        default:
            errors.append(RecurError(.requestInvalid, field: "percent_basis_points", "Give exactly one of percent_basis_points and amount_off"))
        }
        var duration = Promotion.Duration.once
        switch p.duration ?? "once" {
        case "once": duration = .once
        case "forever": duration = .forever
        case let d where d.hasPrefix("cycles:") && Int(d.dropFirst(7)) != nil: duration = .cycles(Int(d.dropFirst(7))!)
        case let d: errors.append(RecurError(.requestInvalid, field: "duration", "duration is once, forever or cycles:N, not '\(d)'"))
        }
        var from: CivilDate?, through: CivilDate?
        do { from = try date(p.validFrom, field: "valid_from") } catch let e as RecurErrors { errors += e.errors }
        do { through = try date(p.validThrough, field: "valid_through") } catch let e as RecurErrors { errors += e.errors }
        var cycles: Set<BillingCycle> = []
        for (i, m) in (p.cyclesMonths ?? []).enumerated() {
            do { cycles.insert(try cycle(m, field: "cycles_months[\(i)]")) } catch let e as RecurErrors { errors += e.errors }
        }
        if !errors.isEmpty { throw RecurErrors(errors) }
        let scope: Promotion.Scope = switch p.scope {
        case .plan: .plan
        case .addOn: .addOn
        case .invoice: .invoice
        }
        return Promotion(code: PromotionCode(p.code), name: p.name, discount: discount, scope: scope, validFrom: from, validThrough: through,
                         redemptionLimit: p.redemptionLimit, timesRedeemed: 0,
                         eligibility: .init(products: Set((p.products ?? []).map { ProductID($0) }), plans: Set((p.plans ?? []).map { PlanID($0) }),
                                            addOns: Set((p.addOns ?? []).map { AddOnID($0) }), cycles: cycles,
                                            firstPurchaseOnly: p.firstPurchaseOnly ?? false),
                         duration: duration)
    }

    // MARK: Customers

    static func customer(_ c: CustomerRecord) -> S.Customer {
        .init(id: c.id, created: c.created, name: c.name, taxId: c.taxID, address: c.address, country: c.country, region: c.region,
              currency: c.currency.code, locale: c.locale, timeZone: c.timeZone, invoiceEmails: c.invoiceEmails,
              contacts: c.contacts.map { .init(name: $0.name, email: $0.email, phone: $0.phone, role: $0.role) },
              taxExempt: c.taxExempt, metadata: .init(additionalProperties: c.metadata), balance: money(c.balance),
              prepaidBalances: c.prepaid.map { .init(additionalProperties: $0.mapValues(money)) },
              testClock: c.testClock, paymentMethod: c.paymentMethod.map { .init(kind: $0.kind, last4: $0.last4) })
    }

    static func contacts(_ cs: [S.Contact]?) -> [Contact]? {
        cs.map { $0.map { Contact(name: $0.name, email: $0.email, phone: $0.phone, role: $0.role) } }
    }

    static func member(_ m: Member) -> S.Member {
        .init(id: m.id, email: m.email, name: m.name, role: S.Member.RolePayload(rawValue: m.role.rawValue) ?? .member)
    }

    // MARK: Subscriptions, quotes, invoices

    static func status(_ s: Subscription.Status) -> S.SubscriptionStatus { S.SubscriptionStatus(rawValue: s.rawValue)! }

    static func subscription(_ s: Subscription) -> S.Subscription {
        .init(id: s.id.rawValue, customer: s.customer.rawValue, product: s.product.rawValue, plan: s.plan.rawValue, tier: s.tier,
              seats: s.seats, addOns: .init(additionalProperties: Dictionary(uniqueKeysWithValues: s.addOns.map { ($0.key.rawValue, $0.value) })),
              currency: s.currency.code, cycleMonths: s.cycle.months, anchor: s.schedule.anchor.description, currentPeriod: period(s.currentPeriod),
              status: status(s.status), trialEnd: s.trialEnd?.description,
              renewalMode: s.renewalMode == .automatic ? .automatic : .manual, cancelAtPeriodEnd: s.cancelAtPeriodEnd,
              scheduledChange: s.scheduledChange.map {
                  .init(plan: $0.plan.rawValue, tier: $0.tier, seats: $0.seats, cycleMonths: $0.cycle.months,
                        addOns: .init(additionalProperties: Dictionary(uniqueKeysWithValues: $0.addOns.map { ($0.key.rawValue, $0.value) })))
              },
              bundle: s.bundle?.rawValue, paidForPeriod: money(s.paidForPeriod))
    }

    static func line(_ l: InvoiceLine) -> S.Line {
        .init(kind: S.Line.KindPayload(rawValue: l.kind.rawValue)!, description: l.description, charge: l.charge?.rawValue, topUp: l.topUp,
              product: l.product?.rawValue,
              plan: l.plan?.rawValue, addOn: l.addOn?.rawValue, subscription: l.subscription?.rawValue, period: l.period.map(period),
              quantity: l.quantity, unitAmount: money(l.unitAmount), amount: money(l.amount),
              discounts: l.discounts.map {
                  .init(kind: S.LineDiscount.KindPayload(rawValue: $0.kind.rawValue)!, reference: $0.reference,
                        percentBasisPoints: $0.percentage.map { Int($0.basisPoints) }, amount: money($0.amount))
              },
              net: money(l.net), tax: money(l.tax), taxName: l.taxName, taxRateBasisPoints: l.taxRate.map { Int($0.basisPoints) },
              taxInclusive: l.taxInclusive, total: money(l.total))
    }

    static func totals(_ t: Totals) -> S.Totals {
        .init(subtotal: money(t.subtotal), discount: money(t.discount), net: money(t.net), tax: money(t.tax), total: money(t.total),
              amountDue: money(t.amountDue))
    }

    static func quote(_ q: Quote) -> S.Quote {
        .init(date: q.date.description, currency: q.currency.code, lines: q.lines.map(line), totals: totals(q.totals),
              subscriptions: q.subscriptions.map(subscription), notices: q.notices.map { .init(code: $0.code, message: $0.message) },
              coTermination: q.coTermination.map {
                  .init(product: $0.product.rawValue, remainingPeriod: period($0.remainingPeriod), nextPeriod: period($0.nextPeriod),
                        chosen: $0.chosen == .remainingDays ? .remainingDays : .remainingDaysAndNextCycle, choiceRequired: $0.choiceRequired,
                        totalRemainingDays: money($0.totalRemainingDays), totalRemainingDaysAndNextCycle: money($0.totalRemainingDaysAndNextCycle))
              })
    }

    static func invoice(_ i: InvoiceRecord) -> S.Invoice {
        .init(id: i.id, number: i.number, customer: i.customer, status: S.InvoiceStatus(rawValue: i.status.rawValue)!, currency: i.currency.code,
              lines: i.lines.map(line), totals: totals(i.totals), amountPaid: money(i.amountPaid),
              amountCredited: money(i.credited ?? .zero(i.currency)), amountRemaining: money(i.amountDue), issueDate: i.issueDate.description,
              dueDate: i.dueDate.description, created: i.created, nextCollectionAt: i.nextCollectionAt)
    }

    static func changeResult(_ r: ChangeResult, invoice: InvoiceRecord?) throws -> S.ChangeResult {
        .init(subscriptions: r.subscriptions.map(subscription), lines: r.lines.map(line), totals: totals(try r.totals),
              notices: r.notices.map { .init(code: $0.code, message: $0.message) }, invoice: invoice.map(Map.invoice))
    }

    static func order(_ o: S.OrderInput) throws -> (customer: String, order: Order, date: CivilDate?) {
        var errors: [RecurError] = []
        var items: [Order.Item] = []
        for (i, it) in o.items.enumerated() {
            do {
                items.append(Order.Item(
                    product: ProductID(it.product), plan: PlanID(it.plan), tier: it.tier,
                    cycle: try cycle(it.cycleMonths, field: "items[\(i)].cycle_months"), seats: it.seats,
                    addOns: (it.addOns ?? []).map { Order.AddOnLine(addOn: AddOnID($0.addOn), quantity: $0.quantity, promotion: $0.promotion.map { PromotionCode($0) }) },
                    promotion: it.promotion.map { PromotionCode($0) }, trial: it.trial ?? false))
            } catch let e as RecurErrors { errors += e.errors }
        }
        var currency: Currency?
        var date: CivilDate?
        do { currency = try o.currency.map { try Map.currency($0, field: "currency") } } catch let e as RecurErrors { errors += e.errors }
        do { date = try Map.date(o.date, field: "date") } catch let e as RecurErrors { errors += e.errors }
        if !errors.isEmpty { throw RecurErrors(errors) }
        let order = Order(items: items, bundle: o.bundle.map { BundleID($0) }, invoicePromotion: o.invoicePromotion.map { PromotionCode($0) },
                          coTermination: o.coTermination.map { $0 == .remainingDays ? .remainingDays : .remainingDaysAndNextCycle },
                          currency: currency, renewalMode: o.renewalMode == .manual ? .manual : .automatic)
        return (o.customer, order, date)
    }

    static func audit(_ a: AuditRecord) -> S.AuditEntry {
        .init(id: a.id, created: a.created, actor: a.actor, action: a.action, target: a.target, customer: a.customer, before: a.before, after: a.after)
    }

    static func entitlements(customer: String, _ e: Entitlements) -> S.Entitlements {
        .init(customer: customer, products: e.products.values.sorted { $0.product < $1.product }.map { p in
            let l = limits(p.limits)
            return .init(product: p.product.rawValue, subscription: p.subscription.rawValue, plan: p.plan.rawValue, status: status(p.status),
                         access: S.ProductEntitlement.AccessPayload(rawValue: p.access.rawValue)!, reason: p.reason,
                         quotas: .init(additionalProperties: l.quotas?.additionalProperties ?? [:]), unlimited: l.unlimited ?? [],
                         features: l.features ?? [],
                         usage: .init(additionalProperties: Dictionary(uniqueKeysWithValues: p.usage.values.map { ($0.key.rawValue, $0.value) })))
        })
    }

    static func webhookEndpoint(_ e: WebhookEndpointRecord, revealSecret: Bool) -> S.WebhookEndpoint {
        .init(id: e.id, url: e.url, events: e.events, description: e.description, secret: revealSecret ? e.secret : nil, created: e.created)
    }

    static func delivery(_ d: WebhookDeliveryRecord) -> S.WebhookDelivery {
        .init(id: d.id, event: d.event, eventType: d.eventType, attempt: d.attempt, status: S.WebhookDelivery.StatusPayload(rawValue: d.status.rawValue)!,
              responseStatus: d.responseStatus, error: d.error, created: d.created, nextAttempt: d.nextAttempt)
    }

    static func testClock(_ c: TestClockRecord) -> S.TestClock {
        .init(id: c.id, name: c.name, frozenTime: c.now, created: c.created)
    }

    static func mailDelivery(_ d: MailDeliveryRecord) -> S.MailDelivery {
        .init(id: d.id, event: d.event, eventType: d.eventType, kind: d.kind, customer: d.customer, to: d.to, language: d.language,
              subject: d.subject, attachment: d.attachment?.filename, status: S.MailDelivery.StatusPayload(rawValue: d.status.rawValue)!,
              attempts: d.attempts, error: d.error, transport: d.transport.flatMap(S.MailDelivery.TransportPayload.init(rawValue:)),
              reply: d.reply, nextAttempt: d.nextAttempt, sentAt: d.sentAt, created: d.created)
    }

    static func creditNote(_ n: CreditNoteRecord) -> S.CreditNote {
        .init(id: n.id, number: n.number, customer: n.customer, invoice: n.invoice, amount: money(n.amount), reason: n.reason,
              outcome: S.CreditNote.OutcomePayload(rawValue: n.outcome.rawValue)!, issueDate: n.issueDate.description, created: n.created)
    }
}
