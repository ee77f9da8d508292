import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurEngine
import Testing

@Suite("API: void, uncollectible, credit notes")
struct APIInvoiceAdjustmentTests {
    /// A customer with one open checkout invoice: Workspace Starter 2 seats monthly = 120,000 + 12,000 VAT.
    func openInvoice(_ client: any TestClientProtocol) async throws -> (customer: String, invoice: String) {
        let c = try await client.call(.post, "/v1/customers", json: #"{"name":"Adjust Co","currency":"VND","country":"VN"}"#)
        let cid = try #require(try c.json["id"] as? String)
        let bought = try await client.call(.post, "/v1/subscriptions",
                                           json: #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_starter","cycle_months":1,"seats":2}]}"#)
        let invoice = try #require(dig(try bought.json, "invoice", "id") as? String)
        return (cid, invoice)
    }

    @Test("void and mark-uncollectible take open invoices only", arguments: TestDatabase.all)
    func voidAndUncollectible(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (_, first) = try await openInvoice(client)
            let voided = try await client.call(.post, "/v1/invoices/\(first)/void").json
            #expect(voided["status"] as? String == "void")
            #expect(int(dig(voided, "amount_remaining", "amount")) == 132_000)
            try expectProblem(try await client.call(.post, "/v1/invoices/\(first)/void"), 422, "invoice.not_open")
            try expectProblem(try await client.call(.post, "/v1/invoices/\(first)/pay", json: "{}"), 422, "invoice.not_payable")
            let (_, second) = try await openInvoice(client)
            let written = try await client.call(.post, "/v1/invoices/\(second)/mark-uncollectible").json
            #expect(written["status"] as? String == "uncollectible")
            try expectProblem(try await client.call(.post, "/v1/invoices/in_missing/void"), 404, "resource.not_found")
        }
    }

    @Test("a credit note lowers what is due on an open invoice, and pays it when nothing is left", arguments: TestDatabase.all)
    func creditOpenInvoice(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (cid, invoice) = try await openInvoice(client)
            let note = try await client.call(.post, "/v1/invoices/\(invoice)/credit-notes",
                                             json: #"{"amount":{"amount":32000,"currency":"VND"},"reason":"goodwill"}"#)
            #expect(note.status == .created)
            let n = try note.json
            #expect(n["number"] as? String == "CN-2026-000001")
            #expect(n["outcome"] as? String == "reduced_amount_due")
            var got = try await client.call(.get, "/v1/invoices/\(invoice)").json
            #expect(int(dig(got, "amount_remaining", "amount")) == 100_000)
            #expect(int(dig(got, "amount_credited", "amount")) == 32_000)
            #expect(got["status"] as? String == "open")
            // More than is left is refused with the numbers.
            let tooMuch = try await client.call(.post, "/v1/invoices/\(invoice)/credit-notes",
                                                json: #"{"amount":{"amount":100001,"currency":"VND"},"reason":"x"}"#)
            let p = try expectProblem(tooMuch, 422, "credit_note.invalid", field: "amount")
            #expect(dig(p, "values", "creditable") as? String == "100000 VND")
            try expectProblem(try await client.call(.post, "/v1/invoices/\(invoice)/credit-notes",
                                                    json: #"{"amount":{"amount":100,"currency":"EUR"},"reason":"x"}"#),
                              422, "credit_note.invalid", field: "amount.currency")
            // The rest: the invoice is settled.
            _ = try await client.call(.post, "/v1/invoices/\(invoice)/credit-notes", json: #"{"reason":"settled"}"#)
            got = try await client.call(.get, "/v1/invoices/\(invoice)").json
            #expect(got["status"] as? String == "paid")
            #expect(int(dig(got, "amount_remaining", "amount")) == 0)
            let list = try await client.call(.get, "/v1/credit-notes?customer=\(cid)").json
            #expect((list["data"] as? [[String: Any]])?.compactMap { int(dig($0, "amount", "amount")) } == [32_000, 100_000])
        }
    }

    @Test("a credit note on a paid invoice credits the balance, which pays the next invoice; or is a refund", arguments: TestDatabase.all)
    func creditPaidInvoice(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let (cid, invoice) = try await openInvoice(client)
            _ = try await client.call(.post, "/v1/invoices/\(invoice)/pay", json: "{}")
            let note = try await client.call(.post, "/v1/invoices/\(invoice)/credit-notes",
                                             json: #"{"amount":{"amount":50000,"currency":"VND"},"reason":"service outage"}"#).json
            #expect(note["outcome"] as? String == "customer_balance")
            #expect(money(try await client.call(.get, "/v1/customers/\(cid)").json["balance"]) == "-50000 VND")
            let refund = try await client.call(.post, "/v1/invoices/\(invoice)/credit-notes",
                                               json: #"{"amount":{"amount":10000,"currency":"VND"},"reason":"refund","refund":true}"#).json
            #expect(refund["outcome"] as? String == "refund")
            #expect(money(try await client.call(.get, "/v1/customers/\(cid)").json["balance"]) == "-50000 VND")
            // The next purchase (App Builder needs Workspace: it exists) uses the 50,000 credit.
            let next = try await client.call(.post, "/v1/subscriptions",
                                             json: #"{"customer":"\#(cid)","items":[{"product":"app_builder","plan":"ab_starter","cycle_months":1,"seats":2}]}"#).json
            // 2 × 50,000 = 100,000 + 10,000 VAT = 110,000, of which 50,000 is paid by the balance.
            #expect(int(dig(next, "invoice", "amount_paid", "amount")) == 50_000)
            #expect(int(dig(next, "invoice", "amount_remaining", "amount")) == 60_000)
            #expect(money(try await client.call(.get, "/v1/customers/\(cid)").json["balance"]) == "0 VND")
        }
    }
}
