import Foundation
import RecurAPI
import RecurCore
import RecurEngine

/// The API's operations, generated from openapi.yaml; each is a thin call into the
/// engine and a mapping of its result. Errors are thrown and become problem+json in
/// ``ProblemMiddleware``.
struct APIHandler: APIProtocol {
    let service: RecurService
    let version: String

    var actor: Actor { RequestAuth.actor }

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        try await service.store.ping()
        return .ok(.init(body: .json(.init(status: "ok", database: service.store.kind, version: version))))
    }

    // MARK: Catalog

    func listProducts(_ input: Operations.ListProducts.Input) async throws -> Operations.ListProducts.Output {
        let page = try await service.listProducts(limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map { Map.product($0.product) }, hasMore: page.hasMore))))
    }

    func createProduct(_ input: Operations.CreateProduct.Input) async throws -> Operations.CreateProduct.Output {
        guard case .json(let body) = input.body else { throw unsupported }
        let r = try await service.createProduct(try Map.product(body), actor: actor)
        return .created(.init(body: .json(Map.product(r.product))))
    }

    func getProduct(_ input: Operations.GetProduct.Input) async throws -> Operations.GetProduct.Output {
        .ok(.init(body: .json(Map.product(try await service.product(input.path.id).product))))
    }

    func listPlans(_ input: Operations.ListPlans.Input) async throws -> Operations.ListPlans.Output {
        let page = try await service.listPlans(product: input.query.product, limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map { Map.plan($0.plan) }, hasMore: page.hasMore))))
    }

    func createPlan(_ input: Operations.CreatePlan.Input) async throws -> Operations.CreatePlan.Output {
        guard case .json(let body) = input.body else { throw unsupported }
        let r = try await service.createPlan(try Map.plan(body), actor: actor)
        return .created(.init(body: .json(Map.plan(r.plan))))
    }

    func getPlan(_ input: Operations.GetPlan.Input) async throws -> Operations.GetPlan.Output {
        .ok(.init(body: .json(Map.plan(try await service.plan(input.path.id).plan))))
    }

    func listAddOns(_ input: Operations.ListAddOns.Input) async throws -> Operations.ListAddOns.Output {
        let page = try await service.listAddOns(limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map { Map.addOn($0.addOn) }, hasMore: page.hasMore))))
    }

    func createAddOn(_ input: Operations.CreateAddOn.Input) async throws -> Operations.CreateAddOn.Output {
        guard case .json(let body) = input.body else { throw unsupported }
        let r = try await service.createAddOn(try Map.addOn(body), actor: actor)
        return .created(.init(body: .json(Map.addOn(r.addOn))))
    }

    func getAddOn(_ input: Operations.GetAddOn.Input) async throws -> Operations.GetAddOn.Output {
        .ok(.init(body: .json(Map.addOn(try await service.addOn(input.path.id).addOn))))
    }

    func listCharges(_ input: Operations.ListCharges.Input) async throws -> Operations.ListCharges.Output {
        .ok(.init(body: .json(.init(data: try await service.charges().map(Map.charge), hasMore: false))))
    }

    func createCharge(_ input: Operations.CreateCharge.Input) async throws -> Operations.CreateCharge.Output {
        guard case .json(let body) = input.body else { throw unsupported }
        return .created(.init(body: .json(Map.charge(try await service.createCharge(try Map.charge(body), actor: actor)))))
    }

    func listPromotions(_ input: Operations.ListPromotions.Input) async throws -> Operations.ListPromotions.Output {
        let page = try await service.listPromotions(limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map { Map.promotion($0.promotion) }, hasMore: page.hasMore))))
    }

    func createPromotion(_ input: Operations.CreatePromotion.Input) async throws -> Operations.CreatePromotion.Output {
        guard case .json(let body) = input.body else { throw unsupported }
        let r = try await service.createPromotion(try Map.promotion(body), actor: actor)
        return .created(.init(body: .json(Map.promotion(r.promotion))))
    }

    func getPromotion(_ input: Operations.GetPromotion.Input) async throws -> Operations.GetPromotion.Output {
        .ok(.init(body: .json(Map.promotion(try await service.promotion(input.path.id).promotion))))
    }

    // MARK: Customers

    func listCustomers(_ input: Operations.ListCustomers.Input) async throws -> Operations.ListCustomers.Output {
        let page = try await service.listCustomers(email: input.query.email, limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.customer), hasMore: page.hasMore))))
    }

    func createCustomer(_ input: Operations.CreateCustomer.Input) async throws -> Operations.CreateCustomer.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let changes = CustomerChanges(name: b.name, taxID: b.taxId, address: b.address, country: b.country, region: b.region,
                                      currency: b.currency, locale: b.locale, timeZone: b.timeZone, invoiceEmails: b.invoiceEmails,
                                      contacts: Map.contacts(b.contacts), taxExempt: b.taxExempt, metadata: b.metadata?.additionalProperties,
                                      testClock: b.testClock)
        return .created(.init(body: .json(Map.customer(try await service.createCustomer(changes, actor: actor)))))
    }

    func getCustomer(_ input: Operations.GetCustomer.Input) async throws -> Operations.GetCustomer.Output {
        .ok(.init(body: .json(Map.customer(try await service.customer(input.path.id)))))
    }

    func updateCustomer(_ input: Operations.UpdateCustomer.Input) async throws -> Operations.UpdateCustomer.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let changes = CustomerChanges(name: b.name, taxID: b.taxId, address: b.address, country: b.country, region: b.region,
                                      locale: b.locale, timeZone: b.timeZone, invoiceEmails: b.invoiceEmails,
                                      contacts: Map.contacts(b.contacts), taxExempt: b.taxExempt, metadata: b.metadata?.additionalProperties)
        return .ok(.init(body: .json(Map.customer(try await service.updateCustomer(input.path.id, changes, actor: actor)))))
    }

    func listMembers(_ input: Operations.ListMembers.Input) async throws -> Operations.ListMembers.Output {
        let c = try await service.customer(input.path.id)
        return .ok(.init(body: .json(.init(data: c.members.map(Map.member), hasMore: false))))
    }

    func addMember(_ input: Operations.AddMember.Input) async throws -> Operations.AddMember.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let role = Member.Role(rawValue: b.role.rawValue) ?? .member
        let m = try await service.addMember(customer: input.path.id, email: b.email, name: b.name, role: role, actor: actor)
        return .created(.init(body: .json(Map.member(m))))
    }

    func getEntitlements(_ input: Operations.GetEntitlements.Input) async throws -> Operations.GetEntitlements.Output {
        let e = try await service.entitlements(customer: input.path.id)
        return .ok(.init(body: .json(Map.entitlements(customer: input.path.id, e))))
    }

    func checkEntitlement(_ input: Operations.CheckEntitlement.Input) async throws -> Operations.CheckEntitlement.Output {
        let q = input.query
        guard (q.feature == nil) != (q.quota == nil) else {
            throw RecurErrors([RecurError(.requestInvalid, field: "feature", "Ask for exactly one of feature and quota")])
        }
        let e = try await service.entitlements(customer: input.path.id)
        let product = ProductID(q.product)
        let d = if let f = q.feature { e.check(Feature(rawValue: f), of: product) } else { e.check(Quota(rawValue: q.quota!), of: product, adding: q.adding ?? 1) }
        return .ok(.init(body: .json(.init(allowed: d.allowed, reason: d.reason, remaining: d.remaining))))
    }

    func getUsage(_ input: Operations.GetUsage.Input) async throws -> Operations.GetUsage.Output {
        let c = try await service.customer(input.path.id)
        let data = c.usage.sorted { $0.key < $1.key }.map { product, usage in
            S.UsageReport(product: product, quotas: .init(additionalProperties: Dictionary(uniqueKeysWithValues: usage.values.map { ($0.key.rawValue, $0.value) })))
        }
        return .ok(.init(body: .json(.init(data: data))))
    }

    func reportUsage(_ input: Operations.ReportUsage.Input) async throws -> Operations.ReportUsage.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let usage = try await service.reportUsage(customer: input.path.id, product: b.product, quotas: b.quotas.additionalProperties, actor: actor)
        return .ok(.init(body: .json(.init(product: b.product, quotas: .init(additionalProperties: Dictionary(uniqueKeysWithValues: usage.values.map { ($0.key.rawValue, $0.value) }))))))
    }

    func purchaseCharge(_ input: Operations.PurchaseCharge.Input) async throws -> Operations.PurchaseCharge.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let invoice = try await service.purchase(customer: input.path.id, charge: b.charge, quantity: b.quantity, actor: actor)
        return .created(.init(body: .json(Map.invoice(invoice))))
    }

    func debitBalance(_ input: Operations.DebitBalance.Input) async throws -> Operations.DebitBalance.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let d = try await service.debitBalance(customer: input.path.id, balance: input.path.balance, amount: try Map.money(b.amount, field: "amount"),
                                               reference: b.reference, actor: actor)
        return .ok(.init(body: .json(.init(balance: d.balance, amount: Map.money(d.amount), remaining: Map.money(d.remaining)))))
    }

    func listCustomerAudit(_ input: Operations.ListCustomerAudit.Input) async throws -> Operations.ListCustomerAudit.Output {
        let page = try await service.audit(customer: input.path.id, target: nil, limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.audit), hasMore: page.hasMore))))
    }

    // MARK: Quotes and subscriptions

    func createQuote(_ input: Operations.CreateQuote.Input) async throws -> Operations.CreateQuote.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let (customer, order, date) = try Map.order(b)
        return .ok(.init(body: .json(Map.quote(try await service.quote(customer: customer, order: order, date: date)))))
    }

    func listSubscriptions(_ input: Operations.ListSubscriptions.Input) async throws -> Operations.ListSubscriptions.Output {
        let q = input.query
        let page = try await service.listSubscriptions(customer: q.customer, status: q.status?.rawValue, limit: q.limit, startingAfter: q.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map { Map.subscription($0.subscription) }, hasMore: page.hasMore))))
    }

    func createSubscriptions(_ input: Operations.CreateSubscriptions.Input) async throws -> Operations.CreateSubscriptions.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let (customer, order, date) = try Map.order(b)
        let outcome = try await service.checkout(customer: customer, order: order, date: date, actor: actor)
        return .created(.init(body: .json(.init(subscriptions: outcome.subscriptions.map { Map.subscription($0.subscription) },
                                                invoice: outcome.invoice.map(Map.invoice), quote: Map.quote(outcome.quote)))))
    }

    func getSubscription(_ input: Operations.GetSubscription.Input) async throws -> Operations.GetSubscription.Output {
        .ok(.init(body: .json(Map.subscription(try await service.subscription(input.path.id).subscription))))
    }

    func changeRequest(_ b: S.ChangeInput) throws -> ChangeRequest {
        ChangeRequest(plan: b.plan, tier: b.tier, seats: b.seats, cycleMonths: b.cycleMonths, addOns: b.addOns?.additionalProperties,
                      date: try Map.date(b.date, field: "date"))
    }

    func previewSubscriptionChange(_ input: Operations.PreviewSubscriptionChange.Input) async throws -> Operations.PreviewSubscriptionChange.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let r = try await service.previewChange(subscription: input.path.id, try changeRequest(b))
        return .ok(.init(body: .json(try Map.changeResult(r, invoice: nil))))
    }

    func changeSubscription(_ input: Operations.ChangeSubscription.Input) async throws -> Operations.ChangeSubscription.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let o = try await service.applyChange(subscription: input.path.id, try changeRequest(b), actor: actor)
        return .ok(.init(body: .json(try Map.changeResult(o.result, invoice: o.invoice))))
    }

    func setRenewalMode(_ input: Operations.SetRenewalMode.Input) async throws -> Operations.SetRenewalMode.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let r = try await service.setRenewalMode(subscription: input.path.id, b.renewalMode == .manual ? .manual : .automatic, actor: actor)
        return .ok(.init(body: .json(Map.subscription(r.subscription))))
    }

    func cancelSubscription(_ input: Operations.CancelSubscription.Input) async throws -> Operations.CancelSubscription.Output {
        .ok(.init(body: .json(Map.subscription(try await service.cancel(subscription: input.path.id, actor: actor).subscription))))
    }

    func resumeSubscription(_ input: Operations.ResumeSubscription.Input) async throws -> Operations.ResumeSubscription.Output {
        .ok(.init(body: .json(Map.subscription(try await service.resume(subscription: input.path.id, actor: actor).subscription))))
    }

    static func assignments(_ r: SubscriptionRecord) -> S.SeatAssignments {
        .init(assignments: r.seatAssignments.map { .init(email: $0.email, name: $0.name, businessTools: $0.businessTools) })
    }

    func listSeatAssignments(_ input: Operations.ListSeatAssignments.Input) async throws -> Operations.ListSeatAssignments.Output {
        .ok(.init(body: .json(Self.assignments(try await service.subscription(input.path.id)))))
    }

    func setSeatAssignments(_ input: Operations.SetSeatAssignments.Input) async throws -> Operations.SetSeatAssignments.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let list = b.assignments.map { SeatAssignment(email: $0.email, name: $0.name, businessTools: $0.businessTools ?? false) }
        return .ok(.init(body: .json(Self.assignments(try await service.setSeatAssignments(subscription: input.path.id, list, actor: actor)))))
    }

    static func note(_ n: NoteRecord) -> S.Note { .init(id: n.id, created: n.created, text: n.text, author: n.author) }

    func listNotes(_ input: Operations.ListNotes.Input) async throws -> Operations.ListNotes.Output {
        .ok(.init(body: .json(.init(data: try await service.notes(subscription: input.path.id).map(Self.note), hasMore: false))))
    }

    func addNote(_ input: Operations.AddNote.Input) async throws -> Operations.AddNote.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let n = try await service.addNote(subscription: input.path.id, text: b.text, author: b.author, actor: actor)
        return .created(.init(body: .json(Self.note(n))))
    }

    func listSubscriptionAudit(_ input: Operations.ListSubscriptionAudit.Input) async throws -> Operations.ListSubscriptionAudit.Output {
        _ = try await service.subscription(input.path.id)
        let page = try await service.audit(customer: nil, target: input.path.id, limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.audit), hasMore: page.hasMore))))
    }

    // MARK: Invoices

    func listInvoices(_ input: Operations.ListInvoices.Input) async throws -> Operations.ListInvoices.Output {
        let q = input.query
        let page = try await service.listInvoices(customer: q.customer, subscription: q.subscription, status: q.status?.rawValue,
                                                  limit: q.limit, startingAfter: q.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.invoice), hasMore: page.hasMore))))
    }

    func getInvoice(_ input: Operations.GetInvoice.Input) async throws -> Operations.GetInvoice.Output {
        .ok(.init(body: .json(Map.invoice(try await service.invoice(input.path.id)))))
    }

    // MARK: Webhooks

    func listWebhookEndpoints(_ input: Operations.ListWebhookEndpoints.Input) async throws -> Operations.ListWebhookEndpoints.Output {
        let page = try await service.listWebhookEndpoints(limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map { Map.webhookEndpoint($0, revealSecret: false) }, hasMore: page.hasMore))))
    }

    func createWebhookEndpoint(_ input: Operations.CreateWebhookEndpoint.Input) async throws -> Operations.CreateWebhookEndpoint.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let e = try await service.createWebhookEndpoint(url: b.url, events: b.events ?? [], description: b.description, actor: actor)
        return .created(.init(body: .json(Map.webhookEndpoint(e, revealSecret: true))))
    }

    func deleteWebhookEndpoint(_ input: Operations.DeleteWebhookEndpoint.Input) async throws -> Operations.DeleteWebhookEndpoint.Output {
        .ok(.init(body: .json(Map.webhookEndpoint(try await service.deleteWebhookEndpoint(input.path.id, actor: actor), revealSecret: false))))
    }

    func listWebhookDeliveries(_ input: Operations.ListWebhookDeliveries.Input) async throws -> Operations.ListWebhookDeliveries.Output {
        let page = try await service.webhookDeliveries(endpoint: input.path.id, limit: input.query.limit, startingAfter: input.query.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.delivery), hasMore: page.hasMore))))
    }

    // MARK: Payment methods, out-of-band payments, test clocks

    func setPaymentMethod(_ input: Operations.SetPaymentMethod.Input) async throws -> Operations.SetPaymentMethod.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        return .ok(.init(body: .json(Map.customer(try await service.setPaymentMethod(customer: input.path.id, cardNumber: b.cardNumber, actor: actor)))))
    }

    func payInvoice(_ input: Operations.PayInvoice.Input) async throws -> Operations.PayInvoice.Output {
        var reference: String?
        if case .json(let b)? = input.body { reference = b.reference }
        return .ok(.init(body: .json(Map.invoice(try await service.payInvoiceOutOfBand(input.path.id, reference: reference, actor: actor)))))
    }

    func voidInvoice(_ input: Operations.VoidInvoice.Input) async throws -> Operations.VoidInvoice.Output {
        .ok(.init(body: .json(Map.invoice(try await service.voidInvoice(input.path.id, actor: actor)))))
    }

    func markInvoiceUncollectible(_ input: Operations.MarkInvoiceUncollectible.Input) async throws -> Operations.MarkInvoiceUncollectible.Output {
        .ok(.init(body: .json(Map.invoice(try await service.markUncollectible(input.path.id, actor: actor)))))
    }

    func createCreditNote(_ input: Operations.CreateCreditNote.Input) async throws -> Operations.CreateCreditNote.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let amount = try b.amount.map { try Map.money($0, field: "amount") }
        let note = try await service.createCreditNote(invoice: input.path.id, amount: amount, reason: b.reason, refund: b.refund ?? false, actor: actor)
        return .created(.init(body: .json(Map.creditNote(note))))
    }

    func listCreditNotes(_ input: Operations.ListCreditNotes.Input) async throws -> Operations.ListCreditNotes.Output {
        let q = input.query
        let page = try await service.listCreditNotes(customer: q.customer, invoice: q.invoice, limit: q.limit, startingAfter: q.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.creditNote), hasMore: page.hasMore))))
    }

    func createPortalSession(_ input: Operations.CreatePortalSession.Input) async throws -> Operations.CreatePortalSession.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let (token, link) = try await service.createPortalLink(customer: b.customer, memberEmail: b.member, locale: b.locale?.rawValue,
                                                               returnURL: b.returnUrl, actor: actor)
        return .created(.init(body: .json(.init(url: service.portalURL(token: token), expiresAt: link.expires,
                                                customer: link.customer, member: link.memberEmail))))
    }

    func listMailDeliveries(_ input: Operations.ListMailDeliveries.Input) async throws -> Operations.ListMailDeliveries.Output {
        let q = input.query
        let page = try await service.listMailDeliveries(customer: q.customer, status: q.status?.rawValue, limit: q.limit, startingAfter: q.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.mailDelivery), hasMore: page.hasMore))))
    }

    func createTestClock(_ input: Operations.CreateTestClock.Input) async throws -> Operations.CreateTestClock.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let c = try await service.createTestClock(name: b.name ?? "Test clock", at: b.frozenTime, actor: actor)
        return .created(.init(body: .json(Map.testClock(c))))
    }

    func getTestClock(_ input: Operations.GetTestClock.Input) async throws -> Operations.GetTestClock.Output {
        .ok(.init(body: .json(Map.testClock(try await service.testClock(input.path.id)))))
    }

    func advanceTestClock(_ input: Operations.AdvanceTestClock.Input) async throws -> Operations.AdvanceTestClock.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let (clock, r) = try await service.advanceTestClock(input.path.id, to: b.frozenTime, actor: actor)
        return .ok(.init(body: .json(.init(clock: Map.testClock(clock), subscriptions: r.subscriptions, invoices: r.invoices,
                                           chargesSucceeded: r.chargesSucceeded, chargesFailed: r.chargesFailed,
                                           actions: .init(additionalProperties: r.actions),
                                           failures: r.failures.map { .init(subscription: $0.subscription, error: $0.error) }))))
    }

    var unsupported: RecurErrors {
        RecurErrors([RecurError(.requestInvalid, field: "Content-Type", "Send the body as application/json")])
    }
}
