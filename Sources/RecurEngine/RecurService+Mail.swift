public import Foundation
import RecurCore
import Logging

/// E-mail to customers, from the outbox: ``RecurService/queueMails(batch:)`` turns events
/// into one ``MailDeliveryRecord`` per message and recipient, and
/// ``RecurService/sendMails(using:batch:)`` sends what is due through the ``Mailer`` port.
///
/// What is mailed, to every address in the customer's `invoiceEmails`:
/// - `invoice.created`: every new invoice with a total above zero, its PDF attached — an
///   open one with what is due and by when, one already paid (by the balance or a charge)
///   as such: customers need every invoice for their books;
/// - `payment.received` and `invoice.paid`: a receipt per payment, its PDF attached (the
///   billing run's charges only emit `invoice.paid`; the receipt key makes it one mail);
/// - `subscription.renewal_reminder`, `subscription.trial_will_end`;
/// - dunning: `invoice.payment_failed` and `invoice.overdue`, the invoice attached;
/// - `subscription.expired`, `subscription.locked`; `credit_note.created` (its PDF attached).
extension RecurService {
    /// Seconds after each failed attempt before the next: 1 min, 5 min, 30 min, 2 h, 6 h;
    /// then the delivery is failed.
    public static let mailRetrySchedule: [TimeInterval] = [60, 300, 1800, 7200, 21600]
    /// How long a worker holds a delivery it is sending: after that, one that died mid-send
    /// leaves it to the others.
    public static let mailSendLease: TimeInterval = 600

    /// The event types that may produce e-mail.
    static let mailedEvents: Set<String> = [
        "invoice.created", "payment.received", "invoice.paid", "subscription.renewal_reminder", "subscription.trial_will_end",
        "invoice.payment_failed", "invoice.overdue", "subscription.expired", "subscription.locked", "credit_note.created",
    ]

    /// What one ``queueMails(batch:)`` did.
    public struct MailQueueReport: Sendable, Hashable {
        /// Events looked at (and marked mailed), whether or not they make e-mail.
        public var events: Int
        /// Deliveries queued: one per message and recipient.
        public var queued: Int
    }

    /// Turns up to `batch` events not yet looked at for e-mail into queued deliveries, in
    /// one transaction with marking them: each event is mailed once, across restarts and
    /// processes (the events are claimed with `SKIP LOCKED`; a delivery's unique
    /// `dedupe_key` backs it). No PDF is made here.
    @discardableResult
    public func queueMails(batch: Int = 500) async throws -> MailQueueReport {
        try await store.transaction { tx in
            let page = try await tx.list(EventRecord.self, filters: ["mailed": .int(0)], limit: batch, startingAfter: nil).items
            guard !page.isEmpty else { return MailQueueReport(events: 0, queued: 0) }
            var events = try await tx.lockAll(EventRecord.self, ids: page.map(\.id), skipLocked: true)
                .filter { $0.mailed == false }.sorted { $0.id < $1.id }
            var queued = 0
            for i in events.indices {
                if Self.mailedEvents.contains(events[i].type) {
                    for d in try await self.deliveries(for: events[i], tx) {
                        // Another event (payment.received, then invoice.paid) may have queued the same message.
                        if try await tx.all(MailDeliveryRecord.self, filters: ["dedupe_key": .text(d.dedupeKey)]).isEmpty {
                            try await tx.insert(d)
                            queued += 1
                        }
                    }
                }
                events[i].mailed = true
            }
            try await tx.saveAll(events)
            return MailQueueReport(events: events.count, queued: queued)
        }
    }

    /// Sends the deliveries whose time has come: claims them (a lease, so a second
    /// process leaves them alone), renders their PDFs, sends each through `mailer`, and
    /// records the outcome — sent with the server's reply, or the error and the next try
    /// (``mailRetrySchedule``), or failed. Returns the number sent.
    @discardableResult
    public func sendMails(using mailer: any Mailer, batch: Int = 20) async throws -> Int {
        let now = clock.now()
        let claimed: [MailDeliveryRecord] = try await store.transaction { tx in
            let due = try await tx.due(MailDeliveryRecord.self, column: "next_attempt_at", atMost: now.wholeSeconds,
                                       after: nil, limit: batch)
            var out: [MailDeliveryRecord] = []
            for var d in due where d.status == .queued {
                d.attempts += 1
                d.nextAttempt = now.addingTimeInterval(Self.mailSendLease)
                try await tx.update(d)
                out.append(d)
            }
            return out
        }
        var sent = 0
        // One rendering per document, however many addresses it goes to.
        var pdfs: [MailDeliveryRecord.Document: Data] = [:]
        for var d in claimed {
            do {
                var attachments: [OutgoingMail.Attachment] = []
                if let doc = d.attachment {
                    let pdf: Data
                    if let done = pdfs[doc] { pdf = done } else {
                        pdf = switch doc.kind {
                        case "receipt": try await receiptPDF(doc.id)
                        case "credit_note": try await creditNotePDF(doc.id)
                        default: try await invoicePDF(doc.id)
                        }
                        pdfs[doc] = pdf
                    }
                    attachments.append(OutgoingMail.Attachment(filename: doc.filename, contentType: "application/pdf", data: pdf))
                }
                let customer = d.customer
                let customerName: String? = (try? await read { tx in try await tx.find(CustomerRecord.self, id: customer)?.name }) ?? nil
                let answer = try await mailer.send(OutgoingMail(id: d.id, to: d.to, toName: customerName, subject: d.subject, text: d.text,
                                                                html: d.html, attachments: attachments, kind: d.kind, language: d.language))
                d.status = .sent
                d.transport = answer.transport
                d.reply = answer.reply
                d.sentAt = clock.now()
                d.nextAttempt = nil
                d.error = nil
                sent += 1
            } catch {
                let permanent = (error as? MailerError)?.permanent ?? false
                d.error = String(describing: error)
                if permanent || d.attempts > Self.mailRetrySchedule.count {
                    d.status = .failed
                    d.nextAttempt = nil
                } else {
                    d.nextAttempt = now.addingTimeInterval(Self.mailRetrySchedule[d.attempts - 1])
                }
                logger.warning("mail \(d.id) to \(d.to) (\(d.kind)) failed, attempt \(d.attempts): \(error)")
            }
            let outcome = d
            try await store.transaction { tx in try await tx.update(outcome) }
        }
        return sent
    }

    /// The e-mail delivery log, newest last, filtered by customer and status
    /// (`queued`, `sent`, `failed`).
    /// - throws: `request.invalid` for another status or a limit outside 1…100.
    public func listMailDeliveries(customer: String?, status: String?, limit: Int?, startingAfter: String?) async throws -> Page<MailDeliveryRecord> {
        var filters: [String: ColumnValue] = [:]
        if let customer { filters["customer_id"] = .text(customer) }
        if let status {
            guard MailDeliveryRecord.Status(rawValue: status) != nil else {
                throw RecurErrors([RecurError(.requestInvalid, field: "status", "status is queued, sent or failed, not '\(status)'",
                                              ["status": .text(status)])])
            }
            filters["status"] = .text(status)
        }
        let n = try Self.pageLimit(limit)
        let chosen = filters
        return try await read { tx in try await tx.list(MailDeliveryRecord.self, filters: chosen, limit: n, startingAfter: startingAfter) }
    }

    // MARK: composing

    /// The messages one event makes: one per invoice address of its customer.
    func deliveries(for event: EventRecord, _ tx: any Transaction) async throws -> [MailDeliveryRecord] {
        guard let cid = event.customer, let customer = try await tx.find(CustomerRecord.self, id: cid) else { return [] }
        var seen = Set<String>()
        let recipients = customer.invoiceEmails.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.contains("@") && seen.insert($0.lowercased()).inserted }
        guard !recipients.isEmpty else { return [] }
        let payload = (try? JSONSerialization.jsonObject(with: Data(event.payload.utf8))) as? [String: Any] ?? [:]
        func field(_ k: String) -> String { (payload[k] as? String) ?? (payload[k] as? NSNumber)?.stringValue ?? "" }
        let lang = LocaleFormat.language(customer.locale)
        func money(_ m: Money) -> String { LocaleFormat.money(m, locale: lang) }
        func date(_ d: CivilDate) -> String { LocaleFormat.date(d, locale: lang) }
        func isoDate(_ iso: String) -> String { (try? CivilDate(iso: iso)).map { date($0) } ?? iso }
        var facts = MailTexts.Facts(customer: customer.name, vendor: vendor.name)

        // (kind, key the message is unique by, attachment)
        var drafts: [(String, String, MailDeliveryRecord.Document?, MailTexts.Facts)] = []
        func invoiceFacts(_ invoice: InvoiceRecord) -> MailTexts.Facts {
            var f = facts
            f.number = invoice.number ?? invoice.id
            f.total = money(invoice.totals.total)
            f.due = money(invoice.amountDue)
            f.issueDate = date(invoice.issueDate)
            f.dueDate = date(invoice.dueDate)
            return f
        }
        func invoiceDocument(_ invoice: InvoiceRecord) -> MailDeliveryRecord.Document {
            MailDeliveryRecord.Document(kind: "invoice", id: invoice.id, filename: "\(invoice.number ?? invoice.id).pdf")
        }
        func plan(_ subscriptionID: String) async throws -> String {
            guard let s = try await tx.find(SubscriptionRecord.self, id: subscriptionID)?.subscription else { return subscriptionID }
            let product = try await tx.find(ProductRecord.self, id: s.product.rawValue)?.product.name
            let plan = try await tx.find(PlanRecord.self, id: s.plan.rawValue)?.plan.name ?? s.plan.rawValue
            guard let product, !plan.localizedCaseInsensitiveContains(product) else { return plan }
            return "\(product) \(plan)"
        }
        func receipt(_ payment: PaymentRecord) async throws {
            var f = facts
            f.number = payment.number
            f.amount = money(payment.amount)
            f.date = date(payment.receivedOn)
            if let iid = payment.invoice { f.invoice = try await tx.find(InvoiceRecord.self, id: iid)?.number ?? "" }
            drafts.append(("receipt", "receipt:\(payment.id)", MailDeliveryRecord.Document(kind: "receipt", id: payment.id, filename: "\(payment.number).pdf"), f))
        }

        switch event.type {
        case "invoice.created":
            guard let invoice = try await tx.find(InvoiceRecord.self, id: field("id")), invoice.totals.total.isPositive,
                  invoice.status == .open || invoice.status == .paid else { return [] }
            var f = invoiceFacts(invoice)
            if invoice.amountDue.isZero { f.variant = "paid" }
            drafts.append(("invoice", "invoice:\(invoice.id)", invoiceDocument(invoice), f))
        case "payment.received":
            guard let payment = try await tx.find(PaymentRecord.self, id: field("id")) else { return [] }
            try await receipt(payment)
        case "invoice.paid":
            let iid = field("invoice")
            guard !iid.isEmpty else { return [] }
            for p in try await tx.all(PaymentRecord.self, filters: ["invoice_id": .text(iid)]) { try await receipt(p) }
        case "subscription.renewal_reminder", "subscription.trial_will_end":
            facts.plan = try await plan(field("subscription"))
            facts.days = field("days_left")
            let trial = event.type == "subscription.trial_will_end"
            facts.date = isoDate(field(trial ? "trial_end" : "renews_on"))
            drafts.append((trial ? "trial_reminder" : "renewal_reminder", "\(trial ? "trial_reminder" : "renewal_reminder"):\(event.id)", nil, facts))
        case "invoice.payment_failed", "invoice.overdue":
            guard let invoice = try await tx.find(InvoiceRecord.self, id: field("invoice")), invoice.status == .open else { return [] }
            var f = invoiceFacts(invoice)
            let failed = event.type == "invoice.payment_failed"
            f.reason = field("reason")
            f.days = field("days_overdue")
            drafts.append((failed ? "payment_failed" : "overdue", "\(failed ? "payment_failed" : "overdue"):\(event.id)", invoiceDocument(invoice), f))
        case "subscription.expired", "subscription.locked":
            facts.plan = try await plan(field("subscription"))
            facts.date = isoDate(field("on"))
            let kind = event.type == "subscription.expired" ? "expired" : "locked"
            drafts.append((kind, "\(kind):\(event.id)", nil, facts))
        case "credit_note.created":
            guard let note = try await tx.find(CreditNoteRecord.self, id: field("id")) else { return [] }
            facts.number = note.number
            facts.amount = money(note.amount)
            facts.invoice = try await tx.find(InvoiceRecord.self, id: note.invoice)?.number ?? note.invoice
            facts.variant = note.outcome.rawValue
            drafts.append(("credit_note", "credit_note:\(note.id)",
                           MailDeliveryRecord.Document(kind: "credit_note", id: note.id, filename: "\(note.number).pdf"), facts))
        default:
            return []
        }
        let now = clock.now()
        var out: [MailDeliveryRecord] = []
        for (kind, key, document, f) in drafts {
            let composed = MailTexts.compose(kind, lang, f)
            for to in recipients {
                out.append(MailDeliveryRecord(id: RecordID.make("md", at: now), dedupeKey: "\(key):\(to.lowercased())", event: event.id,
                                              eventType: event.type, kind: kind, customer: customer.id, to: to, language: lang,
                                              subject: composed.subject, text: composed.text, html: composed.html, attachment: document,
                                              nextAttempt: now, created: now))
            }
        }
        return out
    }
}
