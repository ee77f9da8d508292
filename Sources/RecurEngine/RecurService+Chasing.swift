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
                // The customers are locked before their invoices, in the order every API command takes
                // (a payment locks the customer, then writes the invoice): a customer another command
                // holds is skipped (its invoices wait for the next run), and an invoice is locked, and
                // looked at again, only under its customer's lock.
                let due = try await tx.dueUnlocked(InvoiceRecord.self, column: "collect_at", atMost: run.seconds, after: after, limit: run.batchSize)
                guard let last = due.last else { return (BillingReport(), nil) }
                let tail = ((last.collectAt ?? .distantPast).wholeSeconds, last.id)
                let ids = Array(Set(due.map(\.customer))).sorted()
                let customers = Dictionary(uniqueKeysWithValues: try await tx.lockAll(CustomerRecord.self, ids: ids, skipLocked: true).map { ($0.id, $0) })
                let log = CommandLog(actor: Actor("billing"), now: run.now)
                let writes = BatchWrites()
                var report = BillingReport()
                var clocks = ClockTimes()
                var subscriptions: [String: SubscriptionRecord] = [:]
                for listed in due {
                    guard let customer = customers[listed.customer], customer.testClock == run.testClock,
                          let invoice = try await tx.lock(InvoiceRecord.self, id: listed.id),
                          let next = invoice.nextCollectionAt, next.wholeSeconds <= run.seconds else { continue }
                    let at = try await clocks.now(for: customer, run: run, tx: tx, service: self)
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
        // Set when the expiry must wait (see `.expire`): the run looks again on that day.
        var deferredTo: CivilDate?
        while deferredTo == nil, invoice.status == .open, !invoice.amountDue.isZero, steps < 100,
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
                // (What each subscription paid for its period was set when the invoice was issued, from its own lines.)
                if try await charge(&invoice, customer: customer, charger: run.charger, on: on, log: log, writes: writes, report: &report) {
                    name = "invoice_charged"
                    auditCharge("invoice.paid", invoice: invoice,
                                after: ["status": invoice.status.rawValue, "amount_paid": invoice.amountPaid.description, "attempt": String(attempt)],
                                log: log, writes: writes)
                } else {
                    name = "invoice_charge_failed"
                    chase.failedCharges = attempt
                }
            case .expire:
                // A subscription with a step of its own due before this day (a renewal, a cancellation
                // at period end) takes it first: a run that catches up defers the expiry to its pass
                // after the subscriptions (`collect_at` stays due). One waiting on its renewal's invoice
                // (dunning, the manual grace, or expired for it) is looked at again tomorrow: it expires
                // by that invoice, or, once that is paid, by this one. Once locked, it is left alone.
                if subs.contains(where: { r in
                    [.active, .pastDue, .trialing].contains(r.subscription.status)
                        && (Lifecycle.next(r.subscription, collection: r.collection ?? .clear, policy: policy).map { $0.on < on } ?? false)
                }) {
                    deferredTo = on
                    continue
                }
                if subs.contains(where: { [.active, .pastDue, .expired].contains($0.subscription.status) && $0.collection?.openInvoice != nil
                                          && $0.collection?.openInvoice != invoice.id }) {
                    deferredTo = max(on, today.adding(days: 1))
                    chase.expiryDeferredTo = deferredTo
                    continue
                }
                name = "invoice_expired"
                chase.expired = true
                // The day it expires: its due day, or the day it was put off to.
                let on = max(on, chase.expiryDeferredTo ?? on)
                for i in subs.indices {
                    var r = subs[i]
                    let plan = run.catalog.plans[r.subscription.plan]
                    // A subscription billed in arrears is not cut off by an invoice (its contract governs);
                    // a trialing, cancelled, expired or locked one has nothing to expire.
                    guard [.active, .pastDue].contains(r.subscription.status), !(plan?.isInArrears ?? false) else { continue }
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
        invoice.collectAt = invoice.status != .open || invoice.amountDue.isZero ? nil
            : deferredTo.map { instant($0, for: customer) } ?? nextChaseAt(invoice, chase, automatic: automatic, customer: customer)
        writes.changedInvoices[invoice.id] = invoice
    }
}
