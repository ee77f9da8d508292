public import Foundation
public import RecurCore
public import RecurPayments
import Logging

/// What importing credits did, counted by outcome, with the rows that could not be read.
public struct BankImportReport: Sendable {
    public var credits: [BankCreditRecord] = []
    public var duplicates: [String] = []
    public var rejected: [(line: Int?, code: String, message: String)] = []
    public var count: [String: Int] {
        var c: [String: Int] = ["duplicate": duplicates.count, "rejected": rejected.count]
        for s in BankCreditRecord.Status.allCases { c[s.rawValue] = credits.filter { $0.status == s }.count }
        return c
    }
}

extension RecurService {
    /// Takes one incoming credit from the bank feed or a statement: once per bank
    /// reference; matched by the payment code in its memo to a pending bank-transfer
    /// attempt and its invoice, whose amount due decides exact / under- / over-payment;
    /// anything else waits in the unmatched queue for staff. Returns nil for a duplicate.
    public func receiveBankCredit(_ credit: BankTransferCredit, source: String) async throws -> BankCreditRecord? {
        guard let bank = payments.bankTransfer else { try checkGateway("bank_transfer", payments); return nil }
        let format = try Self.codeFormat(bank)
        guard let currency = try? Currency(code: credit.currency) else {
            throw RecurErrors([RecurError(.bankStatementInvalid, field: "currency", "Unknown currency \(credit.currency)")])
        }
        let reference = credit.deduplicationKey
        return try await command(Actor("bank:\(source)")) { tx, log in
            if !(try await tx.list(BankCreditRecord.self, filters: ["bank_reference": .text(reference)], limit: 1, startingAfter: nil).items.isEmpty) {
                return nil
            }
            // The codes in the memo, each looked up as a pending bank-transfer attempt.
            var attempts: [String: PaymentAttemptRecord] = [:]
            var invoices: [String: InvoiceRecord] = [:]
            var codes = format.candidates(inMemo: credit.memo)
            if let provided = credit.providerPaymentCode { codes += format.candidates(inMemo: provided).filter { !codes.contains($0) } }
            for code in codes {
                guard let a = try await tx.list(PaymentAttemptRecord.self, filters: ["reference": .text(code.rawValue)], limit: 1, startingAfter: nil)
                    .items.first, a.gateway == "bank_transfer", let inv = try await tx.find(InvoiceRecord.self, id: a.invoice), inv.status == .open else { continue }
                attempts[code.rawValue] = a
                invoices[code.rawValue] = inv
            }
            let match = BankTransferMatcher(format: format).match(credit, seenReferences: []) { code in
                invoices[code.rawValue].map { BankTransferOpenInvoice(code: code, amountDue: $0.amountDue.minorUnits, currency: $0.currency.code) }
            }
            let day = (try? CivilDate(credit.date.year, credit.date.month, credit.date.day)) ?? CivilDate(log.now, in: .gmt)
            var record = BankCreditRecord(id: RecordID.make("bc", at: log.now), bankReference: reference,
                                          amount: Money(minorUnits: credit.amount, currency: currency), memo: credit.memo, bookedOn: day,
                                          source: source, status: .unmatched, created: log.now)
            switch match {
            case .duplicate: return nil
            case .unmatched(let why):
                record.reason = Self.describe(why)
                record.paymentCode = codes.first?.rawValue
                try await tx.insert(record)
                log.audit("bank_credit.unmatched", target: record.id, customer: nil, before: String?.none, after: record.reason)
                log.emit("bank_credit.unmatched", customer: nil,
                         object: ["id": record.id, "reference": reference, "amount": record.amount.description, "reason": record.reason ?? ""])
            case .matched(let code, _, let outcome):
                let attempt = attempts[code.rawValue]!
                let invoice = invoices[code.rawValue]!
                _ = try await tx.lock(CustomerRecord.self, id: invoice.customer)
                let payment = try await self.applyPayment(tx, log, invoiceID: invoice.id, customerID: invoice.customer, amount: record.amount,
                                                          method: "bank_transfer", reference: reference, dedupeKey: "bank_transfer:\(reference)",
                                                          receivedOn: day, attempt: attempt.id, note: credit.memo)
                switch outcome {
                case .exact: record.status = .matched
                case .underpaid: record.status = .underpaid
                case .overpaid: record.status = .overpaid
                }
                record.paymentCode = code.rawValue
                record.invoice = invoice.id
                record.payment = payment.id
                try await tx.insert(record)
                log.audit("bank_credit.\(record.status.rawValue)", target: record.id, customer: invoice.customer, before: String?.none, after: record)
            }
            return record
        }
    }

    /// A credit pushed by the bank feed (SePay's shape): `Authorization: Apikey <secret>`,
    /// answered `{"success":true}` once taken (a duplicate too), so the feed stops retrying.
    public func receiveBankFeed(body: Data, authorization: String?) async -> GatewayAnswer {
        guard let bank = payments.bankTransfer, let secret = bank.feedSecret else {
            return .json(404, ["success": "false", "error": "the bank feed is not enabled"])
        }
        let given = authorization.map { $0.hasPrefix("Apikey ") ? String($0.dropFirst(7)) : "" } ?? ""
        guard PaymentCrypto.constantTimeEquals(Array(given.utf8), Array(secret.utf8)) else {
            return .json(401, ["success": "false", "error": "auth.invalid"])
        }
        do {
            guard let credit = try BankTransferSePayPayload.decode(body).credit() else { return .json(200, ["success": "true", "note": "outgoing transfer"]) }
            let record = try await receiveBankCredit(credit, source: "feed")
            return .json(200, ["success": "true", "status": record?.status.rawValue ?? "duplicate"])
        } catch let e as BankTransferError {
            return .json(400, ["success": "false", "error": e.code.rawValue, "message": e.message])
        } catch {
            logger.error("bank feed failed: \(error)")
            return .json(500, ["success": "false", "error": "internal"])
        }
    }

    static func describe(_ why: BankTransferUnmatchedReason) -> String {
        switch why {
        case .missingBankReference: "no bank reference"
        case .amountNotPositive(let a): "amount \(a) is not positive"
        case .noPaymentCode: "no payment code in the memo"
        case .unknownPaymentCodes(let codes): "no open invoice for \(codes.map(\.rawValue).joined(separator: ", "))"
        case .ambiguousPaymentCodes(let codes): "several open invoices: \(codes.map(\.rawValue).joined(separator: ", "))"
        case .currencyMismatch(let code, let expected, let received): "\(code.rawValue) is in \(expected), the credit in \(received)"
        }
    }

    /// Reads a bank statement (CSV) and takes each credit in it; bad rows are reported
    /// with their line and reason, and the good ones are still taken. Importing the same
    /// statement twice changes nothing (every credit is a duplicate the second time).
    public func importBankStatement(_ csv: Data) async throws -> BankImportReport {
        let statement: BankStatement
        do { statement = try BankStatement.parse(csv: csv) } catch {
            throw RecurErrors([RecurError(.bankStatementInvalid, field: "body", error.message, error.values.mapValues { .text($0) })])
        }
        var report = BankImportReport()
        report.rejected = statement.rejected.map { ($0.line, $0.code.rawValue, $0.message) }
        for entry in statement.credits {
            do {
                if let r = try await receiveBankCredit(entry.credit, source: "statement") { report.credits.append(r) } else {
                    report.duplicates.append(entry.credit.bankReference)
                }
            } catch let e as RecurError {
                report.rejected.append((entry.line, e.code.rawValue, e.message))
            } catch let e as RecurErrors {
                report.rejected.append((entry.line, e.errors.first?.code.rawValue ?? "invalid", e.description))
            }
        }
        return report
    }

    /// Staff assign an unmatched credit to an invoice: the money is applied as if the
    /// code had been in the memo (an excess goes to the customer's balance).
    public func assignBankCredit(_ id: String, invoice invoiceID: String, actor: Actor) async throws -> BankCreditRecord {
        try await command(actor) { tx, log in
            guard var credit = try await tx.find(BankCreditRecord.self, id: id) else { throw RecurError.notFound("bank credit", id) }
            guard credit.status == .unmatched else {
                throw RecurError(.bankCreditNotPending, field: "id", "Bank credit \(credit.bankReference) is \(credit.status.rawValue), not unmatched",
                                 ["status": .text(credit.status.rawValue)])
            }
            let invoice = try await self.lockedInvoice(tx, invoiceID)
            guard invoice.status == .open else {
                throw RecurError(.invoiceNotPayable, field: "invoice", "Invoice \(invoice.number ?? invoiceID) is \(invoice.status.rawValue), not open",
                                 ["status": .text(invoice.status.rawValue)])
            }
            guard invoice.currency == credit.amount.currency else {
                throw RecurError(.paymentInvalid, field: "invoice", "The invoice is in \(invoice.currency.code), the credit in \(credit.amount.currency.code)")
            }
            let payment = try await self.applyPayment(tx, log, invoiceID: invoiceID, customerID: invoice.customer, amount: credit.amount,
                                                      method: "bank_transfer", reference: credit.bankReference,
                                                      dedupeKey: "bank_transfer:\(credit.bankReference)", receivedOn: credit.bookedOn, attempt: nil,
                                                      note: credit.memo)
            credit.status = .assigned
            credit.invoice = invoiceID
            credit.payment = payment.id
            try await tx.update(credit)
            log.audit("bank_credit.assigned", target: id, customer: invoice.customer, before: "unmatched", after: invoiceID)
            return credit
        }
    }

    /// Staff set aside an unmatched credit that is no customer's payment (a refund from a supplier, interest).
    public func ignoreBankCredit(_ id: String, reason: String, actor: Actor) async throws -> BankCreditRecord {
        try await command(actor) { tx, log in
            guard var credit = try await tx.find(BankCreditRecord.self, id: id) else { throw RecurError.notFound("bank credit", id) }
            guard credit.status == .unmatched else {
                throw RecurError(.bankCreditNotPending, field: "id", "Bank credit \(credit.bankReference) is \(credit.status.rawValue), not unmatched",
                                 ["status": .text(credit.status.rawValue)])
            }
            credit.status = .ignored
            credit.reason = reason
            try await tx.update(credit)
            log.audit("bank_credit.ignored", target: id, customer: nil, before: "unmatched", after: reason)
            return credit
        }
    }

    public func listBankCredits(status: String?, limit: Int?, startingAfter: String?) async throws -> Page<BankCreditRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let status { filters["status"] = .text(status) }
            return try await tx.list(BankCreditRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }
}
