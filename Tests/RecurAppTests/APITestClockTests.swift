import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurEngine
import Testing

@Suite("API: test clocks, payment methods, out-of-band payment")
struct APITestClockTests {
    @Test("test clocks are refused on a server not in test mode", arguments: TestDatabase.all)
    func refusedOutsideTestMode(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let r = try await client.call(.post, "/v1/test-clocks", json: #"{"frozen_time":"2026-03-01T00:00:00Z"}"#)
            let p = try expectProblem(r, 422, "test_clock.disabled")
            #expect((p["detail"] as? String)?.contains("--test-mode") == true)
            let c = try await client.call(.post, "/v1/customers", json: #"{"name":"X","currency":"VND","test_clock":"clock_x"}"#)
            try expectProblem(c, 422, "test_clock.disabled")
        }
    }

    @Test("advancing a clock five months renews, charges and invoices each month; it never goes back", arguments: TestDatabase.all)
    func advance(db: TestDatabase) async throws {
        try await withApp(db, testMode: true) { client, _ in
            let clock = try await client.call(.post, "/v1/test-clocks", json: #"{"name":"sim","frozen_time":"2026-01-15T00:00:00Z"}"#)
            #expect(clock.status == .created)
            let clockID = try #require(try clock.json["id"] as? String)
            let c = try await client.call(.post, "/v1/customers",
                                          json: #"{"name":"Clock Co","currency":"VND","country":"VN","time_zone":"UTC","test_clock":"\#(clockID)"}"#)
            let cid = try #require(try c.json["id"] as? String)
            let pm = try await client.call(.put, "/v1/customers/\(cid)/payment-method", json: #"{"card_number":"4242 4242 4242 4242"}"#)
            #expect(dig(try pm.json, "payment_method", "last4") as? String == "4242")
            try expectProblem(try await client.call(.put, "/v1/customers/\(cid)/payment-method", json: #"{"card_number":"12"}"#),
                              400, "request.invalid", field: "card_number")
            // Bought on the clock's day: the first period is 15/1–15/2/2026.
            let bought = try await client.call(.post, "/v1/subscriptions",
                                               json: #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_standard","cycle_months":1,"seats":4}]}"#)
            #expect(dig(try bought.json, "subscriptions", 0, "current_period", "start") as? String == "2026-01-15")
            let advanced = try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"2026-06-15T00:00:00Z"}"#)
            let a = try advanced.json
            #expect(int(a["invoices"]) == 5)
            #expect(int(a["charges_succeeded"]) == 5)
            #expect(int(dig(a, "actions", "renewed")) == 5)
            let list = try await client.call(.get, "/v1/invoices?customer=\(cid)&status=paid&limit=100").json
            let totals = (list["data"] as? [[String: Any]])?.compactMap { int(dig($0, "totals", "total", "amount")) }
            // 4 seats × 90,000 = 360,000 + 10 % VAT = 396,000 each month.
            #expect(totals == [396_000, 396_000, 396_000, 396_000, 396_000])
            try expectProblem(try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"2026-05-01T00:00:00Z"}"#),
                              422, "test_clock.backwards")
            let got = try await client.call(.get, "/v1/test-clocks/\(clockID)").json
            #expect(got["frozen_time"] as? String == "2026-06-15T00:00:00Z")
        }
    }

    @Test("paying the open checkout invoice out of band marks it paid; paying it twice is refused", arguments: TestDatabase.all)
    func payOutOfBand(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let c = try await client.call(.post, "/v1/customers", json: #"{"name":"Cash Co","currency":"VND","country":"VN"}"#)
            let cid = try #require(try c.json["id"] as? String)
            let bought = try await client.call(.post, "/v1/subscriptions",
                                               json: #"{"customer":"\#(cid)","items":[{"product":"workspace","plan":"ws_starter","cycle_months":1,"seats":2}]}"#)
            let invoice = try #require(dig(try bought.json, "invoice", "id") as? String)
            let paid = try await client.call(.post, "/v1/invoices/\(invoice)/pay", json: #"{"reference":"cash receipt 0042"}"#).json
            #expect(paid["status"] as? String == "paid")
            #expect(int(dig(paid, "amount_paid", "amount")) == 132_000)
            try expectProblem(try await client.call(.post, "/v1/invoices/\(invoice)/pay", json: "{}"), 422, "invoice.not_payable")
            try expectProblem(try await client.call(.post, "/v1/invoices/in_nope/pay", json: "{}"), 404, "resource.not_found")
        }
    }
}
