public import Foundation
import RecurCore
import Logging
import Synchronization

/// What a billing run did.
public struct BillingReport: Sendable, Hashable, CustomStringConvertible {
    public var subscriptions = 0
    public var invoices = 0
    public var chargesSucceeded = 0
    public var chargesFailed = 0
    public var actions: [String: Int] = [:]
    /// The subscriptions the run could not bill, each with why (looked at again in a day).
    public var failures: [Failure] = []
    public init() {}

    public struct Failure: Sendable, Hashable {
        public var subscription: String
        public var error: String
    }

    public mutating func merge(_ o: BillingReport) {
        subscriptions += o.subscriptions
        invoices += o.invoices
        chargesSucceeded += o.chargesSucceeded
        chargesFailed += o.chargesFailed
        for (k, v) in o.actions { actions[k, default: 0] += v }
        failures += o.failures
    }

    public var description: String {
        "\(subscriptions) subscriptions, \(invoices) invoices, \(chargesSucceeded) charges succeeded, \(chargesFailed) failed; "
            + actions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

extension RecurService {
    /// The instant a civil date starts in the customer's time zone.
    func instant(_ date: CivilDate, for customer: CustomerRecord) -> Date {
        date.startInstant(in: TimeZone(identifier: customer.timeZone) ?? .gmt)
    }

    /// When the billing run must next look at `s`, or nil.
    func nextBillingAt(_ s: Subscription, collection: Collection?, customer: CustomerRecord) -> Date? {
        Lifecycle.next(s, collection: collection ?? .clear, policy: policy).map { instant($0.on, for: customer) }
    }

    /// The time a customer lives at: its test clock's, or the real one.
    func now(for customer: CustomerRecord, _ tx: any Transaction, default now: Date) async throws -> Date {
        guard let id = customer.testClock else { return now }
        return try await tx.find(TestClockRecord.self, id: id)?.now ?? now
    }

    /// `date`, or today for the customer (on its test clock, if it has one).
    func day(_ date: CivilDate?, for customer: CustomerRecord, _ tx: any Transaction, default now: Date) async throws -> CivilDate {
        if let date { return date }
        return today(for: customer, at: try await self.now(for: customer, tx, default: now))
    }

    /// Runs the billing for everything due at `now` (or the real time): in batches of
    /// `batchSize` subscriptions, each batch one transaction with its invoices, audit
    /// entries and events, written together in multi-row statements. Subscriptions of
    /// customers on a test clock are left to their clock. Returns what was done.
    ///
    /// A subscription is claimed by its indexed `next_billing_at`; every action that
    /// has fallen due is applied in date order (renewals, retries, expiry…), and the
    /// next time is set. Each renewal invoice carries the unique key
    /// `<subscription>@<period start>`, so a second worker or a re-run after a crash
    /// can never invoice a period twice.
    @discardableResult
    public func runBilling(until now: Date? = nil, batchSize: Int = 500, charger: (any PaymentCharger)? = nil,
                           testClock: String? = nil, overlapBatches: Bool = true,
                           handBackAfter: Duration = .milliseconds(500)) async throws -> BillingReport {
        let now = now ?? clock.now()
        let charger = charger ?? GatewayCharger(service: self)
        var total = BillingReport()
        var cursor: (Int64, String)?
        // The catalog is read once per run, not once per batch (decoding it costs more than a batch's pricing).
        let catalog = try await read { tx in try await self.loadCatalog(tx) }
        let run = BatchRun(now: now, seconds: now.wholeSeconds, batchSize: batchSize, catalog: catalog,
                           charger: charger, testClock: testClock)
        let overlap = store.queuesWrites && overlapBatches
        // The keyset cursor moves past every batch claimed (subscriptions left to another test
        // clock included), so the run ends when nothing is due after it.
        var conflicts = 0
        // Open invoices no renewal tracks are chased before the subscriptions are billed (an
        // unpaid checkout's expiry comes before a renewal a long catch-up would reach later)
        // and after (the months in arrears this run closed).
        total.merge(try await chaseInvoices(run))
        while true {
            let after = cursor
            let outcome: (BillingReport, (Int64, String)?)
            // What this transaction's batches have committed so far (`commitAndContinue`), which a
            // conflict in a later batch does not undo.
            let committed = CommittedBatches()
            do {
                outcome = try await store.transaction { tx -> (BillingReport, (Int64, String)?) in
                    guard overlap else {
                        guard let claimed = try await self.claim(run, after: after, tx: tx) else { return (BillingReport(), nil) }
                        let billed = try await self.bill(claimed, run, tx: tx)
                        try await self.write(billed, tx: tx)
                        return (billed.report, claimed.tail)
                    }
                    // Overlapped (SQLite): batch k+1 is read, behind batch k-1's queued writes, and
                    // decoded while batch k is priced; batch k's writes are queued behind that read
                    // and their JSON is built while it runs; batch k+1 is priced while SQLite writes
                    // batch k. Each batch still commits on its own. The writer is handed back every
                    // `handBackAfter`, so the API is never kept waiting longer.
                    let handBack = ContinuousClock.now + handBackAfter
                    var report = BillingReport()
                    var claimed = try await self.claim(run, after: after, tx: tx)
                    guard claimed != nil else { return (report, nil) }
                    var last = after
                    var queuedCommit: (report: BillingReport, tail: (Int64, String)?) = (report, nil)
                    while let batch = claimed {
                        // The read of batch k+1 sees the database as batch k-1 left it: batch k's writes
                        // wait for it (`readAhead`); the customers batch k changes are then taken from memory.
                        let next = tx.readAhead { () -> (ClaimedBatch?, read: Bool) in
                            let go = ContinuousClock.now < handBack
                            return (try await self.claim(run, after: batch.tail, tx: tx, if: go), go)
                        }
                        // The commit queued before this read has happened once the read has (SQLite
                        // stops at the first failure in its queue, and a read waits for what came before it).
                        let committedBeforeNext = queuedCommit
                        let billed: BilledBatch
                        do {
                            billed = try await self.bill(batch, run, tx: tx)
                            try await self.write(billed, tx: tx)
                        } catch {
                            // Never leave the read running on the connection past the transaction.
                            _ = await next.result
                            throw error
                        }
                        report.merge(billed.report)
                        last = batch.tail
                        // The hand-back is decided after pricing (charges may be slow): a batch read
                        // ahead past it is dropped, and the next transaction reads it again.
                        let (ahead, read) = try await next.value
                        if read { committed.state.withLock { $0 = committedBeforeNext } }
                        claimed = ContinuousClock.now < handBack ? ahead?.carrying(billed.customers) : nil
                        if claimed != nil {
                            try await tx.commitAndContinue()
                            queuedCommit = (report, last)
                        }
                    }
                    return (report, last)
                }
            } catch let error as StoreError where error.kind == .conflict && error.table == "sequences" && conflicts < 3 {
                // Another process numbered documents on the same SQLite file between two batches
                // (its counters were then not what this transaction knew): the batches before stay,
                // the failing one rolled back, and a new transaction reads the counters again,
                // going on after the last batch committed.
                conflicts += 1
                let (report, tail) = committed.state.withLock { $0 }
                total.merge(report)
                if let tail { cursor = tail }
                logger.warning("billing run: \(error), going on in a new transaction")
                continue
            }
            conflicts = 0
            let (report, last) = outcome
            total.merge(report)
            guard let last else { break }
            cursor = last
        }
        total.merge(try await chaseInvoices(run))
        return total
    }

    /// The report and cursor of the batches a billing transaction has committed so far.
    final class CommittedBatches: Sendable {
        let state = Mutex<(report: BillingReport, tail: (Int64, String)?)>((BillingReport(), nil))
    }

    /// The time each customer of a batch lives at: the run's, or its test clock's (read once a batch).
    struct ClockTimes {
        var byClock: [String: Date] = [:]
        mutating func now(for customer: CustomerRecord, run: BatchRun, tx: any Transaction, service: RecurService) async throws -> Date {
            guard let id = customer.testClock else { return run.now }
            if let known = byClock[id] { return known }
            let time = try await service.now(for: customer, tx, default: run.now)
            byClock[id] = time
            return time
        }
    }

    /// What stays the same for every batch of a run.
    struct BatchRun: Sendable {
        let now: Date
        let seconds: Int64
        let batchSize: Int
        let catalog: Catalog
        let charger: any PaymentCharger
        let testClock: String?
    }

    /// A batch of due subscriptions with their customers, read and locked.
    struct ClaimedBatch: Sendable {
        var records: [SubscriptionRecord]
        var customers: [String: CustomerRecord]
        /// The cursor after this batch: its last subscription's (next billing time, id).
        var tail: (Int64, String)

        /// The batch with the customers in `changed` (by a batch not yet written) as that batch left them.
        func carrying(_ changed: [String: CustomerRecord]) -> ClaimedBatch {
            var batch = self
            for (id, customer) in changed where batch.customers[id] != nil { batch.customers[id] = customer }
            return batch
        }
    }

    /// The next due subscriptions after `after` and their customers; nil when none is due, or
    /// when not `go` (the run hands the writer back).
    func claim(_ run: BatchRun, after: (Int64, String)?, tx: any Transaction, if go: Bool = true) async throws -> ClaimedBatch? {
        guard go else { return nil }
        let batch = try await tx.due(SubscriptionRecord.self, column: "next_billing_at", atMost: run.seconds, after: after,
                                     limit: run.batchSize)
        guard let lastRecord = batch.last else { return nil }
        let tail = ((lastRecord.nextBillingAt ?? .distantPast).wholeSeconds, lastRecord.id)
        let customerIDs = Array(Set(batch.map(\.subscription.customer.rawValue))).sorted()
        let customers = Dictionary(uniqueKeysWithValues: try await tx.lockAll(CustomerRecord.self, ids: customerIDs, skipLocked: true).map { ($0.id, $0) })
        return ClaimedBatch(records: batch, customers: customers, tail: tail)
    }

    /// A batch billed in memory, not yet written.
    struct BilledBatch {
        var report: BillingReport
        /// Every customer of the batch as the batch leaves it.
        var customers: [String: CustomerRecord]
        var changedCustomers: [CustomerRecord]
        let log: CommandLog
        let writes: BatchWrites
    }

    /// Applies what has fallen due to every subscription of the batch.
    func bill(_ claimed: ClaimedBatch, _ run: BatchRun, tx: any Transaction) async throws -> BilledBatch {
        var customers = claimed.customers
        var clocks = ClockTimes()
        var report = BillingReport()
        let log = CommandLog(actor: Actor("billing"), now: run.now)
        let writes = BatchWrites()
        for record in claimed.records {
            let cid = record.subscription.customer.rawValue
            // Another test clock's customer, or (PostgreSQL) one an API call holds: the cursor has
            // moved past it, so it waits for its clock or for the next run.
            guard var customer = customers[cid], customer.testClock == run.testClock else { continue }
            let at = try await clocks.now(for: customer, run: run, tx: tx, service: self)
            // One subscription the catalog can no longer price (a removed price, a broken
            // rule) must not stop everyone else's billing: its work is undone, it is
            // reported, and it is looked at again tomorrow.
            let logMark = log.checkpoint()
            let writesMark = writes.checkpoint()
            do {
                let r = try await self.process(record, customer: &customer, catalog: run.catalog, until: at, charger: run.charger,
                                               tx: tx, log: log, writes: writes)
                customers[cid] = customer
                report.merge(r)
            } catch let error as RecurError {
                try self.defer(record, error: error.description, writes: writes, log: log, logMark: logMark, writesMark: writesMark, report: &report)
            } catch let error as RecurErrors {
                try self.defer(record, error: error.description, writes: writes, log: log, logMark: logMark, writesMark: writesMark, report: &report)
            }
        }
        let changed = customers.values.filter { claimed.customers[$0.id] != $0 }.sorted { $0.id < $1.id }
        for customer in changed {
            // A credit on the balance paid (part of) run invoices: the balance's move is audited.
            if let before = claimed.customers[customer.id]?.balance, before != customer.balance {
                log.audit("customer.balance_applied", target: customer.id, customer: customer.id,
                          before: ["balance": before.description], after: ["balance": customer.balance.description])
            }
        }
        return BilledBatch(report: report, customers: customers, changedCustomers: changed, log: log, writes: writes)
    }

    /// Writes a billed batch in multi-row statements, and numbers its new invoices and receipts
    /// (a block per yearly series, gap-free). What needs no document number is written first:
    /// from the numbering to the commit the counters' rows are locked, and a second worker's
    /// batch waits on them (PostgreSQL), so the less written after it the better. (SQLite numbers
    /// from memory after a transaction's first use of a counter, without waiting for the queue.)
    func write(_ billed: BilledBatch, tx: any Transaction) async throws {
        let writes = billed.writes
        let log = billed.log
        try await tx.saveAll(writes.changedInvoices.values.sorted { $0.id < $1.id })
        try await tx.saveAll(writes.subscriptions)
        let logged = log.checkpoint()
        try await tx.insertAll(Array(log.audits[..<logged.audits]))
        try await tx.insertAll(Array(log.events[..<logged.events]))
        try await number(writes, tx: tx)
        for invoice in writes.invoices {
            log.audit("invoice.created", target: invoice.id, customer: invoice.customer, before: String?.none,
                      after: ["number": invoice.number ?? "", "total": invoice.totals.total.description, "status": invoice.status.rawValue])
            for (action, after) in writes.chargeAudits[invoice.id] ?? [] {
                log.audit(action, target: invoice.id, customer: invoice.customer, before: String?.none, after: after)
            }
            // A thin event: the run writes many invoices, and the full one is a GET away.
            log.emit("invoice.created", customer: invoice.customer,
                     object: ["id": invoice.id, "number": invoice.number ?? "", "customer": invoice.customer,
                              "subscription": invoice.subscriptions.first ?? "", "status": invoice.status.rawValue,
                              "total": String(invoice.totals.total.minorUnits), "currency": invoice.currency.code])
        }
        try await tx.insertAll(writes.invoices)
        try await tx.insertAll(writes.payments)
        try await tx.saveAll(billed.changedCustomers)
        try await tx.insertAll(Array(log.audits[logged.audits...]))
        try await tx.insertAll(Array(log.events[logged.events...]))
    }

    /// What one batch writes at its end.
    final class BatchWrites {
        /// New invoices, numbered when the batch is written.
        var invoices: [InvoiceRecord] = []
        /// Existing invoices changed by a retried charge.
        var changedInvoices: [String: InvoiceRecord] = [:]
        var subscriptions: [SubscriptionRecord] = []
        /// Successful charges, numbered as receipts when the batch is flushed.
        var payments: [PaymentRecord] = []
        /// What charges did to the new invoices (audited after their `invoice.created`), by invoice id.
        var chargeAudits: [String: [(action: String, after: [String: String])]] = [:]

        struct Mark {
            var invoices: Int
            var changed: [String: InvoiceRecord]
            var subscriptions: Int
            var payments: Int
            var chargeAudits: [String: [(action: String, after: [String: String])]]
        }
        func checkpoint() -> Mark {
            Mark(invoices: invoices.count, changed: changedInvoices, subscriptions: subscriptions.count, payments: payments.count, chargeAudits: chargeAudits)
        }
        func rollback(to m: Mark) {
            chargeAudits = m.chargeAudits
            invoices.removeLast(invoices.count - m.invoices)
            changedInvoices = m.changed
            subscriptions.removeLast(subscriptions.count - m.subscriptions)
            payments.removeLast(payments.count - m.payments)
        }
    }

    /// Undoes what a failed subscription queued in the batch, reports the failure as an
    /// event, and looks at the subscription again in a day.
    func `defer`(_ record: SubscriptionRecord, error: String, writes: BatchWrites, log: CommandLog, logMark: (audits: Int, events: Int),
                 writesMark: BatchWrites.Mark, report: inout BillingReport) throws {
        writes.rollback(to: writesMark)
        log.rollback(to: logMark)
        var r = record
        r.nextBillingAt = log.now.addingTimeInterval(86_400)
        writes.subscriptions.append(r)
        report.actions["failed", default: 0] += 1
        report.failures.append(.init(subscription: record.id, error: error))
        log.audit("subscription.billing_failed", target: record.id, customer: record.subscription.customer.rawValue, before: String?.none,
                  after: ["error": error, "retry_at": r.nextBillingAt.map { $0.formatted(.iso8601) } ?? ""])
        log.emit("billing.failed", customer: record.subscription.customer.rawValue, object: ["subscription": record.id, "error": error])
        logger.error("billing of \(record.id) failed: \(error)")
    }

    /// Gives the batch's new invoices (INV-year series) and receipts (RCP-year) their numbers.
    func number(_ writes: BatchWrites, tx: any Transaction) async throws {
        let invoiceNumbers = try await documentNumbers(writes.invoices.map { "INV-\($0.issueDate.year)" }, tx: tx)
        for (i, number) in invoiceNumbers.enumerated() { writes.invoices[i].number = number }
        let receiptNumbers = try await documentNumbers(writes.payments.map { "RCP-\($0.receivedOn.year)" }, tx: tx)
        for (i, number) in receiptNumbers.enumerated() { writes.payments[i].number = number }
    }

    /// One gap-free number for each document, in the series named for it: a block per series, series in name order.
    func documentNumbers(_ series: [String], tx: any Transaction) async throws -> [String] {
        var numbers = [String](repeating: "", count: series.count)
        for (name, indices) in Dictionary(grouping: series.indices, by: { series[$0] }).sorted(by: { $0.key < $1.key }) {
            for (i, n) in zip(indices, try await tx.nextSequenceValues(name, count: indices.count)) { numbers[i] = Self.documentNumber(name, n) }
        }
        return numbers
    }

    /// The part of a subscription an audit entry of the billing run records.
    struct AuditState: Encodable, JSONWritable {
        var status: String
        var plan: String
        var seats: Int
        var period: String
        func writeJSON(_ w: inout JSONWriter) {
            w.object { o in
                o.field("period", period)
                o.field("plan", plan)
                o.field("seats", Int64(seats))
                o.field("status", status)
            }
        }

        init(_ s: Subscription) {
            status = s.status.rawValue
            plan = s.plan.rawValue
            seats = s.seats
            period = s.currentPeriod.description
        }
    }

    /// Applies every action of one subscription that has fallen due by `until`, in
    /// order, and queues the subscription with its next billing time.
    func process(_ record: SubscriptionRecord, customer: inout CustomerRecord, catalog: Catalog, until: Date,
                 charger: any PaymentCharger, tx: any Transaction, log: CommandLog, writes: BatchWrites) async throws -> BillingReport {
        var report = BillingReport()
        report.subscriptions = 1
        var r = record
        var c = r.collection ?? .clear
        let today = today(for: customer, at: until)
        let cid = customer.id
        var steps = 0
        while let (on, action) = Lifecycle.next(r.subscription, collection: c, policy: policy), on <= today, steps < 10_000 {
            steps += 1
            let before = r.subscription
            let name: String
            switch action {
            // A run that catches up (a test clock moved weeks at once, a server that was down) does not
            // send a reminder whose news is stale: one for a trial end or renewal that is already due
            // by the run's day, or an overdue reminder with a later one also due. It is marked sent.
            case .trialReminder where (r.subscription.trialEnd.map { $0 <= today } ?? false),
                 .renewalReminder where r.subscription.currentPeriod.end <= today,
                 .trialReminder where Self.laterReminderDue(after: action, on: on, r.subscription, c, today: today, policy: policy),
                 .renewalReminder where Self.laterReminderDue(after: action, on: on, r.subscription, c, today: today, policy: policy),
                 .overdueReminder where Self.laterReminderDue(after: action, on: on, r.subscription, c, today: today, policy: policy):
                name = "reminder_skipped"
                c.remindersSent.insert(action.reminderKey(on: on)!)
            case .trialReminder(let days):
                name = "trial_reminder"
                c.remindersSent.insert(action.reminderKey(on: on)!)
                log.emit("subscription.trial_will_end", customer: cid,
                         object: ["subscription": r.id, "days_left": String(days), "trial_end": r.subscription.trialEnd?.description ?? ""])
            case .renewalReminder(let days):
                name = "renewal_reminder"
                c.remindersSent.insert(action.reminderKey(on: on)!)
                log.emit("subscription.renewal_reminder", customer: cid,
                         object: ["subscription": r.id, "days_left": String(days), "renews_on": r.subscription.currentPeriod.end.description])
            case .overdueReminder(let days):
                name = "overdue_reminder"
                c.remindersSent.insert(action.reminderKey(on: on)!)
                log.emit("invoice.overdue", customer: cid,
                         object: ["subscription": r.id, "invoice": c.openInvoice ?? "", "days_overdue": String(days)])
            case .endTrial:
                name = "trial_ended"
                let changes = SubscriptionChanges(catalog: catalog, customer: customer.pricingCustomer, usage: customer.usageByProduct)
                let result = try changes.endTrial(r.subscription, hasPaymentMethod: customer.paymentMethod != nil)
                r.subscription = result.subscription
                c = Collection(remindersSent: c.remindersSent)
                if !result.lines.isEmpty {
                    try await collect(&r, &c, lines: result.lines, on: on, customer: &customer, charger: charger, log: log, writes: writes, report: &report)
                }
            case .periodEnd:
                let plan = try catalog.plan(r.subscription.plan, field: "plan")
                if plan.isInArrears {
                    name = "arrears_closed"
                    let product = r.subscription.product.rawValue
                    let endUsers = Int(customer.usage[product]?[.users] ?? 0)
                    let peak = Int(max(customer.peakUsers?[product] ?? 0, Int64(endUsers)))
                    let (lines, due) = try ArrearsBilling(catalog: catalog, customer: customer.pricingCustomer)
                        .close(r.subscription, month: r.subscription.currentPeriod, peakUsers: peak, endOfPeriodUsers: endUsers)
                    var peaks = customer.peakUsers ?? [:]
                    peaks[product] = Int64(endUsers)
                    customer.peakUsers = peaks
                    if var invoice = try runInvoice(&r, lines: lines, on: on, due: due, customer: &customer, log: log) {
                        // Reminded (and charged, under automatic renewal) once overdue; never expired for it.
                        startChasing(&invoice, expires: false, customer: customer)
                        writes.invoices.append(invoice)
                        report.invoices += 1
                    }
                    // Nothing is prepaid in arrears: an upgrade mid-month has nothing to credit.
                    r.subscription.paidForPeriod = .zero(r.subscription.currency)
                    if r.subscription.cancelAtPeriodEnd {
                        r.subscription.status = .cancelled
                    } else {
                        r.subscription.currentPeriod = r.subscription.schedule.period(containing: r.subscription.currentPeriod.end)
                    }
                } else {
                    let result = try Renewal(catalog: catalog, customer: customer.pricingCustomer).renew(r.subscription)
                    r.subscription = result.subscription
                    if r.subscription.status == .cancelled {
                        name = "cancelled"
                        c = .clear
                    } else {
                        name = "renewed"
                        c = Collection(remindersSent: c.remindersSent.filter { !$0.hasPrefix("renewal-") })
                        if r.subscription.status == .pastDue { r.subscription.status = .active }
                        try await collect(&r, &c, lines: result.lines, on: on, customer: &customer, charger: charger, log: log,
                                          writes: writes, report: &report)
                    }
                }
            case .retryCharge(let attempt):
                name = "charge_retried"
                guard let invoiceID = c.openInvoice else {
                    c = Collection(remindersSent: c.remindersSent)
                    break
                }
                // The open invoice may have been issued earlier in this same batch.
                let pending = writes.invoices.firstIndex { $0.id == invoiceID }
                var invoice: InvoiceRecord
                if let pending { invoice = writes.invoices[pending] } else if let changed = writes.changedInvoices[invoiceID] {
                    invoice = changed
                } else if let stored = try await tx.find(InvoiceRecord.self, id: invoiceID) {
                    invoice = stored
                } else {
                    c = Collection(remindersSent: c.remindersSent)
                    break
                }
                if invoice.status != .open || invoice.amountDue.isZero {
                    c = Collection(remindersSent: c.remindersSent)
                    r.subscription.status = .active
                    break
                }
                let paid = try await charge(&invoice, customer: customer, charger: charger, on: on, log: log, writes: writes, report: &report)
                if let pending { writes.invoices[pending] = invoice } else { writes.changedInvoices[invoiceID] = invoice }
                if paid {
                    auditCharge("invoice.paid", invoice: invoice,
                                after: ["status": invoice.status.rawValue, "amount_paid": invoice.amountPaid.description, "attempt": String(attempt)],
                                log: log, writes: writes)
                    c = Collection(remindersSent: c.remindersSent)
                    r.subscription.status = .active
                    r.subscription.paidForPeriod = invoice.totals.net
                } else {
                    c.failedCharges = attempt
                }
            case .expire:
                name = "expired"
                r.subscription.status = .expired
                c.expiredOn = on
                log.emit("subscription.expired", customer: cid, object: ["subscription": r.id, "on": on.description])
            case .lock:
                name = "locked"
                r.subscription.status = .locked
                log.emit("subscription.locked", customer: cid, object: ["subscription": r.id, "on": on.description])
            }
            report.actions[name, default: 0] += 1
            if before != r.subscription {
                log.audit("subscription.\(name)", target: r.id, customer: cid, before: AuditState(before), after: AuditState(r.subscription))
            }
        }
        r.collection = c == .clear ? nil : c
        r.nextBillingAt = nextBillingAt(r.subscription, collection: c, customer: customer)
        writes.subscriptions.append(r)
        return report
    }

    /// Whether, once the reminder `action` due `on` is marked sent, the next action is a later
    /// reminder of the same kind also due by `today` (the later one says more).
    static func laterReminderDue(after action: LifecycleAction, on: CivilDate, _ s: Subscription, _ c: Collection, today: CivilDate,
                                 policy: BillingPolicy) -> Bool {
        guard let key = action.reminderKey(on: on) else { return false }
        var after = c
        after.remindersSent.insert(key)
        guard let (next, following) = Lifecycle.next(s, collection: after, policy: policy), next <= today else { return false }
        switch (action, following) {
        case (.trialReminder, .trialReminder), (.renewalReminder, .renewalReminder), (.overdueReminder, .overdueReminder): return true
        default: return false
        }
    }

    /// Invoices `lines` for the period just started and collects them: charged to
    /// the saved method under automatic renewal (a failure starts dunning), or left
    /// open for a manual renewal (the grace period starts).
    func collect(_ r: inout SubscriptionRecord, _ c: inout Collection, lines: [InvoiceLine], on: CivilDate, customer: inout CustomerRecord,
                 charger: any PaymentCharger, log: CommandLog, writes: BatchWrites, report: inout BillingReport) async throws {
        let due = policy.paymentTerms.dueDate(issuedOn: on)
        guard var invoice = try runInvoice(&r, lines: lines, on: on, due: due, customer: &customer, log: log) else { return }
        report.invoices += 1
        defer { writes.invoices.append(invoice) }
        // What was paid for the new period is what an upgrade may later credit: nothing until it is paid.
        r.subscription.paidForPeriod = .zero(invoice.currency)
        guard invoice.status == .open else {
            r.subscription.paidForPeriod = invoice.totals.net
            return
        }
        if r.subscription.renewalMode == .automatic, customer.paymentMethod != nil {
            if try await charge(&invoice, customer: customer, charger: charger, on: on, log: log, writes: writes, report: &report) {
                r.subscription.paidForPeriod = invoice.totals.net
                return
            }
            r.subscription.status = .pastDue
            c.openInvoice = invoice.id
            c.openSince = on
            c.failedCharges = 1
        } else {
            c.openInvoice = invoice.id
            c.openSince = on
            c.failedCharges = 0
        }
    }

    /// A run invoice (numbered when the batch is written) under its unique billing key;
    /// nil when there is nothing to invoice. A credit on the customer's balance pays
    /// what it can of it.
    func runInvoice(_ r: inout SubscriptionRecord, lines: [InvoiceLine], on: CivilDate, due: CivilDate, customer: inout CustomerRecord,
                    log: CommandLog) throws -> InvoiceRecord? {
        guard !lines.isEmpty else { return nil }
        let key = "\(r.id)@\(lines.compactMap(\.period?.start).min() ?? on)"
        let totals = try Totals(lines: lines, currency: customer.currency)
        let paid = try Self.settle(totals, with: &customer)
        return InvoiceRecord(id: RecordID.make("in", at: log.now), number: nil, customer: customer.id, subscriptions: [r.id],
                             status: try paid.isLess(than: totals.amountDue) ? .open : .paid, currency: customer.currency, lines: lines,
                             totals: totals, amountPaid: paid, issueDate: on, dueDate: due, created: log.now, billingKey: key)
    }

    /// Audits what a charge did to an invoice: at once for a stored invoice; after the invoice's
    /// own `invoice.created` entry for one this batch issues (numbered, and so audited, when the
    /// batch is written), so that its history reads in order.
    func auditCharge(_ action: String, invoice: InvoiceRecord, after: [String: String], log: CommandLog, writes: BatchWrites) {
        if invoice.number == nil {
            writes.chargeAudits[invoice.id, default: []].append((action, after))
        } else {
            log.audit(action, target: invoice.id, customer: invoice.customer, before: String?.none, after: after)
        }
    }

    /// Charges an open invoice; true when it was paid.
    func charge(_ invoice: inout InvoiceRecord, customer: CustomerRecord, charger: any PaymentCharger, on: CivilDate, log: CommandLog,
                writes: BatchWrites, report: inout BillingReport) async throws -> Bool {
        guard let method = customer.paymentMethod else { return false }
        let amount = invoice.amountDue
        // The gateway's idempotency reference is the period's billing key: the same however
        // often a rolled-back batch is run again (retries add the attempt in issue 5's gateways).
        switch try await charger.charge(method, amount: amount, invoice: invoice.billingKey ?? invoice.id) {
        case .succeeded(let reference):
            invoice.amountPaid = try invoice.amountPaid + amount
            invoice.status = .paid
            report.chargesSucceeded += 1
            // The money, as every other payment: a receipt (numbered when the batch is written), keyed by the charge.
            let gateway = method.kind
            writes.payments.append(PaymentRecord(id: RecordID.make("py", at: log.now), number: "", invoice: invoice.id, customer: customer.id,
                                                 method: gateway, amount: amount, applied: amount, reference: reference,
                                                 dedupeKey: "\(gateway):\(invoice.id):\(reference)", receivedOn: on, attempt: nil, note: nil,
                                                 recordedBy: log.actor.id, created: log.now))
            log.emit("invoice.paid", customer: customer.id, object: ["invoice": invoice.id, "reference": reference, "amount": amount.description])
            return true
        case .failed(let reason):
            report.chargesFailed += 1
            // Every failed charge is in the audit history (a successful one shows as the invoice paid).
            auditCharge("invoice.payment_failed", invoice: invoice, after: ["amount": amount.description, "reason": reason, "method": method.kind],
                        log: log, writes: writes)
            log.emit("invoice.payment_failed", customer: customer.id, object: ["invoice": invoice.id, "reason": reason])
            return false
        }
    }
}
