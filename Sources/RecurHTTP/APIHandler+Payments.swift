import Foundation
import OpenAPIRuntime
import RecurAPI
import RecurCore
import RecurEngine

extension APIHandler {
    func createPaymentAttempt(_ input: Operations.CreatePaymentAttempt.Input) async throws -> Operations.CreatePaymentAttempt.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let start = try await service.startPayment(invoice: input.path.id, gateway: b.gateway.rawValue, returnURL: b.returnUrl,
                                                   clientIP: b.clientIp, savePaymentMethod: b.savePaymentMethod ?? false, actor: actor)
        return .created(.init(body: .json(Map.attempt(start.attempt, transfer: start.transfer, publicURL: service.payments.publicURL))))
    }

    func listPaymentAttempts(_ input: Operations.ListPaymentAttempts.Input) async throws -> Operations.ListPaymentAttempts.Output {
        let page = try await service.listPaymentAttempts(invoice: input.path.id, limit: input.query.limit, startingAfter: input.query.startingAfter)
        var items: [S.PaymentAttempt] = []
        for a in page.items { items.append(try await attemptWithTransfer(a)) }
        return .ok(.init(body: .json(.init(data: items, hasMore: page.hasMore))))
    }

    func getPaymentAttempt(_ input: Operations.GetPaymentAttempt.Input) async throws -> Operations.GetPaymentAttempt.Output {
        .ok(.init(body: .json(try await attemptWithTransfer(try await service.paymentAttempt(input.path.id)))))
    }

    func attemptWithTransfer(_ a: PaymentAttemptRecord) async throws -> S.PaymentAttempt {
        let transfer = a.gateway == "bank_transfer" && a.status == .pending ? try? await service.transferInstructions(attempt: a.id) : nil
        return Map.attempt(a, transfer: transfer, publicURL: service.payments.publicURL)
    }

    func recordPayment(_ input: Operations.RecordPayment.Input) async throws -> Operations.RecordPayment.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let amount = try b.amount.map { try Map.money($0, field: "amount") }
        let payment = try await service.recordPayment(invoice: input.path.id, method: b.method.rawValue, amount: amount, reference: b.reference,
                                                      receivedOn: try Map.date(b.receivedOn, field: "received_on"), note: b.note, actor: actor)
        return .created(.init(body: .json(Map.payment(payment))))
    }

    func listPayments(_ input: Operations.ListPayments.Input) async throws -> Operations.ListPayments.Output {
        let q = input.query
        let page = try await service.listPayments(customer: q.customer, invoice: q.invoice, limit: q.limit, startingAfter: q.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.payment), hasMore: page.hasMore))))
    }

    func getPayment(_ input: Operations.GetPayment.Input) async throws -> Operations.GetPayment.Output {
        .ok(.init(body: .json(Map.payment(try await service.payment(input.path.id)))))
    }

    func refundPayment(_ input: Operations.RefundPayment.Input) async throws -> Operations.RefundPayment.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let amount = try b.amount.map { try Map.money($0, field: "amount") }
        return .ok(.init(body: .json(Map.payment(try await service.refundPayment(input.path.id, amount: amount, reason: b.reason, actor: actor)))))
    }

    func queryPaymentAttempt(_ input: Operations.QueryPaymentAttempt.Input) async throws -> Operations.QueryPaymentAttempt.Output {
        .ok(.init(body: .json(try await attemptWithTransfer(try await service.queryPaymentAttempt(input.path.id)))))
    }

    func importBankStatement(_ input: Operations.ImportBankStatement.Input) async throws -> Operations.ImportBankStatement.Output {
        guard case .csv(let body) = input.body else { throw unsupported }
        let data: Data
        do { data = try await Data(collecting: body, upTo: 10 * 1024 * 1024) } catch {
            throw RecurErrors([RecurError(.bankStatementInvalid, field: "body", "A statement is at most 10 MiB")])
        }
        let report = try await service.importBankStatement(data)
        return .ok(.init(body: .json(.init(counts: .init(additionalProperties: report.count), credits: report.credits.map(Map.bankCredit),
                                           duplicates: report.duplicates,
                                           rejected: report.rejected.map { .init(line: $0.line, code: $0.code, message: $0.message) }))))
    }

    func listBankCredits(_ input: Operations.ListBankCredits.Input) async throws -> Operations.ListBankCredits.Output {
        let q = input.query
        let page = try await service.listBankCredits(status: q.status?.rawValue, limit: q.limit, startingAfter: q.startingAfter)
        return .ok(.init(body: .json(.init(data: page.items.map(Map.bankCredit), hasMore: page.hasMore))))
    }

    func assignBankCredit(_ input: Operations.AssignBankCredit.Input) async throws -> Operations.AssignBankCredit.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        return .ok(.init(body: .json(Map.bankCredit(try await service.assignBankCredit(input.path.id, invoice: b.invoice, actor: actor)))))
    }

    func ignoreBankCredit(_ input: Operations.IgnoreBankCredit.Input) async throws -> Operations.IgnoreBankCredit.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        return .ok(.init(body: .json(Map.bankCredit(try await service.ignoreBankCredit(input.path.id, reason: b.reason, actor: actor)))))
    }

    func getInvoicePDF(_ input: Operations.GetInvoicePDF.Input) async throws -> Operations.GetInvoicePDF.Output {
        let data = try await service.invoicePDF(input.path.id)
        return .ok(.init(body: .pdf(HTTPBody(data))))
    }

    func getCreditNotePDF(_ input: Operations.GetCreditNotePDF.Input) async throws -> Operations.GetCreditNotePDF.Output {
        .ok(.init(body: .pdf(HTTPBody(try await service.creditNotePDF(input.path.id)))))
    }

    func createQuotePDF(_ input: Operations.CreateQuotePDF.Input) async throws -> Operations.CreateQuotePDF.Output {
        guard case .json(let b) = input.body else { throw unsupported }
        let (customer, order, date) = try Map.order(b)
        return .ok(.init(body: .pdf(HTTPBody(try await service.quotePDF(customer: customer, order: order, date: date)))))
    }

    func getPaymentReceipt(_ input: Operations.GetPaymentReceipt.Input) async throws -> Operations.GetPaymentReceipt.Output {
        .ok(.init(body: .pdf(HTTPBody(try await service.receiptPDF(input.path.id)))))
    }

    func getPaymentGateways(_ input: Operations.GetPaymentGateways.Input) async throws -> Operations.GetPaymentGateways.Output {
        let p = service.payments
        return .ok(.init(body: .json(.init(sandbox: p.sandbox, enabled: p.enabled, settings: .init(additionalProperties: p.publicSummary)))))
    }
}

extension Map {
    static func attempt(_ a: PaymentAttemptRecord, transfer: TransferInstructions?, publicURL: String) -> S.PaymentAttempt {
        .init(id: a.id, invoice: a.invoice, customer: a.customer, gateway: a.gateway, amount: money(a.amount),
              status: S.PaymentAttempt.StatusPayload(rawValue: a.status.rawValue)!, reference: a.reference, gatewayReference: a.gatewayReference,
              redirectUrl: a.redirectURL, returnUrl: a.returnURL, failureReason: a.failureReason,
              transfer: transfer.map { t in
                  .init(paymentCode: t.paymentCode, bankName: t.bankName, bankBin: t.bankBIN, accountNumber: t.accountNumber,
                        accountName: t.accountName, amount: money(t.amount), vietqr: t.vietQR,
                        qrPngUrl: "\(publicURL)/payments/qr/\(a.id).png", qrSvgUrl: "\(publicURL)/payments/qr/\(a.id).svg")
              },
              created: a.created, updated: a.updated)
    }

    static func payment(_ p: PaymentRecord) -> S.Payment {
        .init(id: p.id, number: p.number, invoice: p.invoice, customer: p.customer, method: p.method, amount: money(p.amount), applied: money(p.applied),
              reference: p.reference, receivedOn: p.receivedOn.description, attempt: p.attempt, note: p.note, recordedBy: p.recordedBy, created: p.created,
              refunds: p.refunds?.map { .init(id: $0.id, amount: money($0.amount), reason: $0.reason, gatewayReference: $0.gatewayReference,
                                               creditNote: $0.creditNote, created: $0.created) })
    }

    static func bankCredit(_ c: BankCreditRecord) -> S.BankCredit {
        .init(id: c.id, bankReference: c.bankReference, amount: money(c.amount), memo: c.memo, bookedOn: c.bookedOn.description, source: c.source,
              status: S.BankCredit.StatusPayload(rawValue: c.status.rawValue)!, paymentCode: c.paymentCode, invoice: c.invoice, payment: c.payment,
              reason: c.reason, created: c.created)
    }
}
