import Foundation
import RecurCore

extension RecurService {
    /// Starts chasing a newly issued invoice that no renewal tracks (a checkout's, a change's,
    /// an arrears month's, a one-off's): while it is open, the billing run looks at it from the
    /// day after its due date (``InvoiceChasing``).
    func startChasing(_ invoice: inout InvoiceRecord, expires: Bool, customer: CustomerRecord) {
        guard invoice.status == .open else { return }
        let chase = InvoiceChase(expires: expires)
        invoice.chase = chase
        invoice.collectAt = nextChaseAt(invoice, chase, automatic: nil, customer: customer)
    }

    /// When the run must next look at an invoice's chasing; `automatic` nil when not yet known
    /// (the earlier of both schedules).
    func nextChaseAt(_ invoice: InvoiceRecord, _ chase: InvoiceChase, automatic: Bool?, customer: CustomerRecord) -> Date? {
        let days = (automatic.map { [$0] } ?? [false, true]).compactMap {
            InvoiceChasing.next(dueDate: invoice.dueDate, chase: chase, automatic: $0, policy: policy)?.on
        }
        return days.min().map { instant($0, for: customer) }
    }

    /// The billing run's pass over the open invoices whose chasing has fallen due: charges of the
    /// saved method, overdue reminders and the expiry of their subscriptions, in date order, in
    /// batches that each commit on their own. Customers on another test clock are left to it.
    func chaseInvoices(_ run: BatchRun) async throws -> BillingReport {
        var total = BillingReport()
        var cursor: (Int64, String)?
        while true {
            let after = cursor
            let (report, tail) = try await store.transaction { tx -> (BillingReport, (Int64, String)?) in
                let due = try await tx.due(InvoiceRecord.self, column: "collect_at", atMost: run.seconds, after: after, limit: run.batchSize)
                guard let last = due.last else { return (BillingReport(), nil) }
                let tail = (Int64((last.collectAt ?? .distantPast).timeIntervalSince1970.rounded(.down)), last.id)
                let ids = Array(Set(due.map(\.customer))).sorted()
                let customers = Dictionary(uniqueKeysWithValues: try await tx.lockAll(CustomerRecord.self, ids: ids, skipLocked: true).map { ($0.id, $0) })
                let log = CommandLog(actor: Actor("billing"), now: run.now)
                let writes = BatchWrites()
                var report = BillingReport()
                var clocks: [String: Date] = [:]
                var subscriptions: [String: SubscriptionRecord] = [:]
                for invoice in due {
                    guard let customer = customers[invoice.customer], customer.testClock == run.testClock else { continue }
                    var at = run.now
                    if let clockID = customer.testClock {
                        if clocks[clockID] == nil { clocks[clockID] = try await self.now(for: customer, tx, default: run.now) }
                        at = clocks[clockID]!
                    }
                    try await self.chase(invoice, customer: customer, today: self.today(for: customer, at: at), run: run, tx: tx, log: log,
                                         writes: writes, subscriptions: &subscriptions, report: &report)
                }
                writes.subscriptions = subscriptions.values.sorted { $0.id < $1.id }
                try await self.write(BilledBatch(report: report, customers: customers, changedCustomers: [], log: log, writes: writes), tx: tx)
                return (report, tail)
            }
            total.merge(report)
            guard let tail else { return total }
            cursor = tail
        }
    }

    /// Applies every step of one invoice's chasing that has fallen due by `today`.
    func chase(_ stored: InvoiceRecord, customer: CustomerRecord, today: CivilDate, run: BatchRun, tx: any Transaction, log: CommandLog,
               writes: BatchWrites, subscriptions: inout [String: SubscriptionRecord], report: inout BillingReport) async throws {
        var invoice = stored
        var chase = invoice.chase ?? InvoiceChase(expires: false)
        // The invoice's subscriptions, as this batch has left them.
        var subs: [SubscriptionRecord] = []
        for sid in invoice.subscriptions {
            if let s = subscriptions[sid] { subs.append(s) } else if let s = try await tx.find(SubscriptionRecord.self, id: sid) { subs.append(s) }
        }
        // Charged automatically when every subscription it is for renews automatically and a method is saved.
        let automatic = customer.paymentMethod != nil && !subs.isEmpty && subs.allSatisfy { $0.subscription.renewalMode == .automatic }
        var steps = 0
        while invoice.status == .open, !invoice.amountDue.isZero, steps < 100,
              let (on, action) = InvoiceChasing.next(dueDate: invoice.dueDate, chase: chase, automatic: automatic, policy: policy), on <= today {
            steps += 1
            let name: String
            switch action {
            case .overdueReminder(let days):
                if InvoiceChasing.isStale(reminder: days, dueDate: invoice.dueDate, chase: chase, automatic: automatic, policy: policy, today: today) {
                    name = "invoice_reminder_skipped"
                } else {
                    name = "invoice_overdue_reminder"
                    log.emit("invoice.overdue", customer: customer.id,
                             object: ["invoice": invoice.id, "subscription": invoice.subscriptions.first ?? "", "days_overdue": String(days)])
                    log.audit("invoice.overdue", target: invoice.id, customer: customer.id, before: String?.none,
                              after: ["days_overdue": String(days), "amount_due": invoice.amountDue.description])
                }
                chase.remindersSent.insert(days)
            case .charge(let attempt):
                name = "invoice_charged"
                if try await charge(&invoice, customer: customer, charger: run.charger, on: on, log: log, writes: writes, report: &report) {
                    auditCharge("invoice.paid", invoice: invoice,
                                after: ["status": invoice.status.rawValue, "amount_paid": invoice.amountPaid.description, "attempt": String(attempt)],
                                log: log, writes: writes)
                    // What was bought is paid for: an upgrade may later credit it.
                    for i in subs.indices where subs[i].subscription.isLive {
                        subs[i].subscription.paidForPeriod = invoice.totals.net
                        subscriptions[subs[i].id] = subs[i]
                    }
                } else {
                    chase.failedCharges = attempt
                }
            case .expire:
                name = "invoice_expired"
                chase.expired = true
                for i in subs.indices {
                    var r = subs[i]
                    let plan = run.catalog.plans[r.subscription.plan]
                    // A subscription billed in arrears is not cut off by an invoice (its contract
                    // governs); one already chased for its renewal expires by its own dunning.
                    guard [.active, .pastDue].contains(r.subscription.status), !(plan?.isInArrears ?? false),
                          r.collection?.openInvoice == nil else { continue }
                    let before = r.subscription
                    r.subscription.status = .expired
                    // The subscription waits on the invoice as on a renewal's: paying it reactivates it.
                    r.collection = Collection(openInvoice: invoice.id, openSince: invoice.dueDate, failedCharges: chase.failedCharges,
                                              expiredOn: on, remindersSent: r.collection?.remindersSent ?? [])
                    r.nextBillingAt = nextBillingAt(r.subscription, collection: r.collection, customer: customer)
                    log.emit("subscription.expired", customer: customer.id, object: ["subscription": r.id, "on": on.description, "invoice": invoice.id])
                    log.audit("subscription.expired", target: r.id, customer: customer.id, before: AuditState(before), after: AuditState(r.subscription))
                    subs[i] = r
                    subscriptions[r.id] = r
                    report.actions["expired", default: 0] += 1
                }
            }
            report.actions[name, default: 0] += 1
        }
        invoice.chase = chase
        invoice.collectAt = invoice.status == .open && !invoice.amountDue.isZero
            ? nextChaseAt(invoice, chase, automatic: automatic, customer: customer) : nil
        writes.changedInvoices[invoice.id] = invoice
    }
}
