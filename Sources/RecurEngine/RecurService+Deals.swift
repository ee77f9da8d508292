import Foundation
public import RecurCore

extension RecurError.Code {
    public static let dealInvalid: Self = "deal.invalid"
    /// The action does not fit the deal's stage (HTTP 409).
    public static let dealWrongStage: Self = "deal.wrong_stage"
}

/// What staff do to a deal, one step of 000's sales-led flow at a time.
public enum DealAction: Sendable {
    case holdBriefing(note: String?)
    case requestDocument(DealRecord.DocumentKind)
    case completeDocument(DealRecord.DocumentKind)
    case sendQuote
    case receiveApplication(legalName: String, taxID: String?, address: String, signatory: String)
    case signContract(start: CivilDate)
    /// Creates the in-arrears subscription from the contract.
    case startSubscription
    case lose(reason: String)

    var name: String {
        switch self {
        case .holdBriefing: "briefing_held"
        case .requestDocument(let k): "document_requested:\(k.rawValue)"
        case .completeDocument(let k): "document_completed:\(k.rawValue)"
        case .sendQuote: "quote_sent"
        case .receiveApplication: "application_received"
        case .signContract: "contract_signed"
        case .startSubscription: "subscription_started"
        case .lose: "lost"
        }
    }
}

extension RecurService {
    /// The shortest contract: shorter use pays in the app (000).
    public static let minimumContractMonths = 6

    /// A customer asks for a briefing on a sales-led plan (000's Enterprise).
    /// - throws: `deal.invalid` (422) for a self-service plan, fewer users than the plan's
    ///   minimum, a contract under 6 months, a missing contact; `resource.not_found`.
    ///
    /// A self-service plan sold under contract too (`Plan.contracts`, 000's Small and
    /// Premium) takes its `tier` and how it is paid: `paymentMonths` 1 (every month) or
    /// 12 (one sum a year, annual contracts only). Its users count only for a plan priced
    /// per seat.
    public func requestBriefing(customer id: String, plan planID: String, users: Int, contractMonths: Int, annual: Bool,
                                contactName: String, contactEmail: String, message: String?, tier: String? = nil,
                                paymentMonths: Int? = nil, actor: Actor) async throws -> DealRecord {
        try await command(actor) { tx, log in
            let customer = try await self.requireCustomer(tx, id)
            let catalog = try await self.loadCatalog(tx)
            var errors: [RecurError] = []
            let plan = catalog.plans[PlanID(planID)]
            if plan == nil {
                errors.append(RecurError(.dealInvalid, field: "plan", "No plan \(planID)", ["plan": .text(planID)]))
            } else if plan?.selfService == true && plan?.contracts != true {
                errors.append(RecurError(.dealInvalid, field: "plan", "\(planID) is bought in the portal, not through sales", ["plan": .text(planID)]))
            }
            if let plan, !plan.isInArrears {
                if let tier, !plan.tiers.contains(where: { $0.id == tier }) {
                    errors.append(RecurError(.dealInvalid, field: "tier", "\(plan.name) has no tier \(tier)", ["tier": .text(tier)]))
                } else if tier == nil && !plan.tiers.isEmpty {
                    errors.append(RecurError(.dealInvalid, field: "tier", "Choose a tier of \(plan.name): \(plan.tiers.map(\.id).joined(separator: ", "))"))
                }
                if ![1, 12].contains(paymentMonths ?? 1) {
                    errors.append(RecurError(.dealInvalid, field: "payment_months", "A contract is paid every month (1) or in one sum a year (12), not \(paymentMonths ?? 0)"))
                } else if paymentMonths == 12 && !annual {
                    errors.append(RecurError(.dealInvalid, field: "payment_months", "Paying in one sum is for annual contracts"))
                }
            }
            if let plan, plan.isPerSeat, users < plan.minimumSeats {
                errors.append(RecurError(.dealInvalid, field: "users", "\(plan.name) is for \(plan.minimumSeats) users or more, not \(users)",
                                         ["users": .int(Int64(users)), "minimum": .int(Int64(plan.minimumSeats))]))
            }
            if contractMonths < Self.minimumContractMonths {
                errors.append(RecurError(.dealInvalid, field: "contract_months",
                                         "Contracts are for \(Self.minimumContractMonths) months or more, not \(contractMonths); shorter use is paid in the app",
                                         ["months": .int(Int64(contractMonths)), "minimum": .int(Int64(Self.minimumContractMonths))]))
            }
            errors += Self.contactProblems(name: contactName, email: contactEmail)
            if !errors.isEmpty { throw RecurErrors(errors) }
            var deal = DealRecord(id: RecordID.make("deal", at: log.now), customer: customer.id, plan: PlanID(planID), users: users,
                                  contractMonths: contractMonths, annual: annual, contactName: contactName, contactEmail: contactEmail,
                                  message: message, created: log.now)
            if let plan, !plan.isInArrears {
                deal.tier = tier
                deal.paymentMonths = paymentMonths ?? 1
            }
            deal.history.append(.init(action: "briefing_requested", at: log.now, by: actor.id, note: message))
            try await tx.insert(deal)
            log.audit("deal.briefing_requested", target: deal.id, customer: customer.id, before: String?.none, after: deal)
            log.emit("deal.created", customer: customer.id, object: deal)
            return deal
        }
    }

    /// A customer asks for a quote for an event plan (000: simultaneous interpretation
    /// for one event): a one-off charge sold under its own contract, not a subscription.
    /// `hours` is the quantity quoted; the contract issues one invoice, due the day before
    /// the event.
    /// - throws: `deal.invalid` (422) for a charge that is not sales-led, hours outside the
    ///   charge's range, an event date not in the future, a missing contact.
    public func requestEventQuote(customer id: String, charge chargeID: String, hours: Int, eventDate: CivilDate?,
                                  contactName: String, contactEmail: String, message: String?, actor: Actor) async throws -> DealRecord {
        try await command(actor) { tx, log in
            let customer = try await self.requireCustomer(tx, id)
            let catalog = try await self.loadCatalog(tx)
            let today = try await self.day(nil, for: customer, tx, default: log.now)
            var errors: [RecurError] = []
            let charge = catalog.charges[ChargeID(chargeID)]
            if charge == nil || charge?.salesLed != true {
                errors.append(RecurError(.dealInvalid, field: "charge", "\(chargeID) is not an event plan sold under a contract", ["charge": .text(chargeID)]))
            }
            let maximum = charge?.maximumQuantity ?? 1_000
            if hours < 1 || hours > maximum {
                errors.append(RecurError(.dealInvalid, field: "users", "An event is quoted for 1 to \(maximum) hours, not \(hours)",
                                         ["hours": .int(Int64(hours)), "maximum": .int(Int64(maximum))]))
            }
            if let charge, !charge.prices.contains(where: { $0.currency == customer.currency }) {
                errors.append(RecurError(.dealInvalid, field: "charge", "\(charge.name) is not sold in \(customer.currency.code)"))
            }
            if let d = eventDate {
                if d <= today { errors.append(RecurError(.dealInvalid, field: "event_date", "The event date \(d) is not in the future", ["event_date": .date(d)])) }
            } else {
                errors.append(RecurError(.dealInvalid, field: "event_date", "The event's date is needed"))
            }
            errors += Self.contactProblems(name: contactName, email: contactEmail)
            if !errors.isEmpty { throw RecurErrors(errors) }
            var deal = DealRecord(id: RecordID.make("deal", at: log.now), customer: customer.id, plan: PlanID(""), users: hours,
                                  contractMonths: 0, annual: false, contactName: contactName, contactEmail: contactEmail,
                                  message: message, created: log.now)
            deal.charge = ChargeID(chargeID)
            deal.eventDate = eventDate
            deal.history.append(.init(action: "briefing_requested", at: log.now, by: actor.id, note: message))
            try await tx.insert(deal)
            log.audit("deal.briefing_requested", target: deal.id, customer: customer.id, before: String?.none, after: deal)
            log.emit("deal.created", customer: customer.id, object: deal)
            return deal
        }
    }

    /// A deal's contact: a name and an e-mail address are needed.
    static func contactProblems(name: String, email: String) -> [RecurError] {
        var errors: [RecurError] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(RecurError(.dealInvalid, field: "contact_name", "A contact name is needed"))
        }
        if !isEmail(email) {
            errors.append(RecurError(.dealInvalid, field: "contact_email", "'\(email)' is not an e-mail address", ["email": .text(email)]))
        }
        return errors
    }

    public func deal(_ id: String) async throws -> DealRecord {
        try await read { tx in
            guard let d = try await tx.find(DealRecord.self, id: id) else { throw RecurError.notFound("deal", id) }
            return d
        }
    }

    public func listDeals(customer: String?, stage: String?, limit: Int?, startingAfter: String?) async throws -> Page<DealRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let customer { filters["customer_id"] = .text(customer) }
            if let stage { filters["stage"] = .text(stage) }
            return try await tx.list(DealRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }

    /// Moves a deal one step. Each step fits only some stages; the documents only an annual contract.
    /// - throws: `deal.wrong_stage` (409) naming the stage, `deal.invalid` (422) for bad input.
    public func advanceDeal(_ id: String, _ action: DealAction, actor: Actor) async throws -> DealRecord {
        guard case .startSubscription = action else { return try await step(id, action, actor: actor, subscription: nil) }
        let deal = try await self.deal(id)
        // An event's contract issues its invoice in the deal's own step (one transaction).
        if deal.isEvent { return try await step(id, action, actor: actor, subscription: nil) }
        // The contract becomes a subscription through checkout, as any purchase does: in arrears
        // by users, so nothing is invoiced now and each month close invoices it. A retry after a
        // failure between the two steps finds the subscription and does not make a second one.
        guard deal.stage == .contracted else { return try await step(id, action, actor: actor, subscription: nil) }
        let existing = try await listSubscriptions(customer: deal.customer, status: nil, limit: 100, startingAfter: nil).items
            .first { $0.subscription.plan == deal.plan && $0.subscription.isLive }
        var subscription = existing?.id
        if subscription == nil {
            let plan = try await catalog().plan(deal.plan, field: "plan")
            // In arrears (Enterprise): monthly by users. In advance (Small, Premium): the contract's tier and
            // payment cycle, invoiced now for the first cycle and then at each renewal (manual: invoices, no card).
            let cycle = try BillingCycle(months: deal.paymentMonths ?? 1)
            let order = Order(items: [.init(product: plan.product, plan: deal.plan, tier: deal.tier, cycle: cycle,
                                            seats: plan.isPerSeat ? deal.users : nil)], renewalMode: .manual)
            subscription = try await checkout(customer: deal.customer, order: order, date: nil, actor: actor).subscriptions.first?.id
        }
        return try await step(id, action, actor: actor, subscription: subscription)
    }

    func step(_ id: String, _ action: DealAction, actor: Actor, subscription: String?) async throws -> DealRecord {
        try await command(actor) { tx, log in
            guard let before = try await tx.lock(DealRecord.self, id: id) else { throw RecurError.notFound("deal", id) }
            let customer = try await self.requireCustomer(tx, before.customer)
            let today = self.today(for: customer, at: log.now)
            var deal = before
            func requireStage(_ allowed: Set<DealRecord.Stage>) throws {
                guard allowed.contains(deal.stage) else {
                    throw RecurError(.dealWrongStage, field: "action",
                                     "\(action.name) does not fit a deal at \(deal.stage.rawValue)",
                                     ["stage": .text(deal.stage.rawValue), "action": .text(action.name)])
                }
            }
            var note: String?
            switch action {
            case .holdBriefing(let n):
                try requireStage([.briefingRequested])
                deal.stage = .briefingHeld
                note = n
            case .requestDocument(let kind):
                try requireStage([.briefingHeld])
                guard deal.annual else {
                    throw RecurErrors([RecurError(.dealInvalid, field: "document", "The NDA, GDPR SCC and security questionnaire are for annual contracts only")])
                }
                guard !deal.documents.contains(where: { $0.kind == kind }) else {
                    throw RecurErrors([RecurError(.dealInvalid, field: "document", "\(kind.rawValue) was requested already", ["document": .text(kind.rawValue)])])
                }
                deal.documents.append(.init(kind: kind, completedOn: nil, requestedOn: today))
            case .completeDocument(let kind):
                try requireStage([.briefingHeld])
                guard let i = deal.documents.firstIndex(where: { $0.kind == kind && $0.completedOn == nil }) else {
                    throw RecurErrors([RecurError(.dealInvalid, field: "document", "No open \(kind.rawValue) on this deal", ["document": .text(kind.rawValue)])])
                }
                deal.documents[i].completedOn = today
            case .sendQuote:
                try requireStage([.briefingHeld, .quoted])
                if let open = deal.documents.first(where: { $0.completedOn == nil }) {
                    throw RecurErrors([RecurError(.dealInvalid, field: "document", "\(open.kind.rawValue) is still open: complete it before quoting",
                                                  ["document": .text(open.kind.rawValue)])])
                }
                let catalog = try await self.loadCatalog(tx)
                if let chargeID = deal.charge {
                    let unit = try catalog.charge(chargeID, field: "charge").price(in: customer.currency, field: "charge")
                    deal.quoteOnce = try unit * deal.users
                } else if let months = deal.paymentMonths {
                    // Billed in advance: the plan's price for the payment cycle (the catalog's yearly discount
                    // included), × users when priced per seat.
                    let plan = try catalog.plan(deal.plan, field: "plan")
                    let price = try catalog.price(of: plan, cycle: try BillingCycle(months: months), currency: customer.currency,
                                                  tier: deal.tier, field: "plan")
                    let cycleAmount = try price.unitAmount - price.unitAmount.percentage(price.cycleDiscount)
                    deal.quoteCycle = plan.isPerSeat ? try cycleAmount * deal.users : cycleAmount
                } else {
                    let plan = try catalog.plan(deal.plan, field: "plan")
                    let price = try catalog.price(of: plan, cycle: .monthly, currency: customer.currency, tier: nil, field: "plan")
                    deal.quoteMonthly = try price.unitAmount * deal.users
                }
                let series = "QUO-\(today.year)"
                deal.quoteNumber = Self.documentNumber(series, try await tx.nextSequenceValue(series))
                deal.quoteValidUntil = today.adding(days: Self.quoteValidityDays)
                deal.stage = .quoted
            case .receiveApplication(let legalName, let taxID, let address, let signatory):
                try requireStage([.quoted])
                var errors: [RecurError] = []
                if legalName.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(RecurError(.dealInvalid, field: "legal_name", "The legal name is needed")) }
                if address.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(RecurError(.dealInvalid, field: "address", "The address is needed")) }
                if signatory.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(RecurError(.dealInvalid, field: "signatory", "The signatory is needed")) }
                if let until = deal.quoteValidUntil, today > until {
                    errors.append(RecurError(.dealInvalid, field: "quote", "The quote expired on \(until): send a new one", ["valid_until": .date(until)]))
                }
                if !errors.isEmpty { throw RecurErrors(errors) }
                deal.application = .init(legalName: legalName, taxID: taxID, address: address, signatory: signatory, receivedOn: today)
                deal.stage = .applicationReceived
            case .signContract(let start):
                try requireStage([.applicationReceived])
                guard start >= today.startOfMonth else {
                    throw RecurErrors([RecurError(.dealInvalid, field: "start", "A contract cannot start in a past month (\(start))", ["start": .date(start)])])
                }
                let series = "CTR-\(today.year)"
                deal.contractNumber = Self.documentNumber(series, try await tx.nextSequenceValue(series))
                deal.contractStart = start
                deal.stage = .contracted
            case .startSubscription:
                try requireStage([.contracted])
                if let chargeID = deal.charge {
                    // The event's one invoice, due the day before the event (never before today).
                    let name = try await self.loadCatalog(tx).charge(chargeID, field: "charge").name
                    let when = deal.eventDate.map { "\(name) — \($0), \(deal.contractNumber ?? "")" } ?? name
                    let invoice = try await self.purchase(tx, log, customer: deal.customer, charge: chargeID.rawValue, quantity: deal.users,
                                                          description: when, dueDate: deal.eventDate?.adding(days: -1), contract: true)
                    deal.invoice = invoice.id
                } else {
                    deal.subscription = subscription
                }
                deal.stage = .won
            case .lose(let reason):
                try requireStage([.briefingRequested, .briefingHeld, .quoted, .applicationReceived, .contracted])
                guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw RecurErrors([RecurError(.dealInvalid, field: "reason", "Say why the deal is lost")])
                }
                deal.lostReason = reason
                deal.stage = .lost
            }
            deal.history.append(.init(action: action.name, at: log.now, by: actor.id, note: note))
            try await tx.update(deal)
            log.audit("deal.\(action.name.split(separator: ":")[0])", target: deal.id, customer: deal.customer, before: before, after: deal)
            log.emit("deal.updated", customer: deal.customer, object: deal)
            return deal
        }
    }
}
