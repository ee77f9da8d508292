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
            // Its invoice is open; the run charges the saved card the next day.
            #expect(dig(try bought.json, "invoice", "status") as? String == "open")
            #expect(dig(try bought.json, "invoice", "next_collection_at") as? String == "2026-01-16T00:00:00Z")
            // The customer lives on its clock: on 15/1 its period has just begun, though the server's
            // own day (1/3/2026) is after the period's end.
            let ws = try #require((try await client.call(.get, "/v1/customers/\(cid)/entitlements").json["products"] as? [[String: Any]])?.first)
            #expect(ws["status"] as? String == "active")
            #expect(ws["access"] as? String == "full")
            let check = try await client.call(.get, "/v1/customers/\(cid)/entitlements/check?product=workspace&quota=users&adding=1").json
            #expect(check["allowed"] as? Bool == true)
            let advanced = try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"2026-06-15T00:00:00Z"}"#)
            let a = try advanced.json
            // The checkout's invoice is charged to the saved card the next day (16/1), then five renewals.
            #expect(int(a["invoices"]) == 5)
            #expect(int(a["charges_succeeded"]) == 6)
            #expect(int(dig(a, "actions", "renewed")) == 5)
            #expect(int(dig(a, "actions", "invoice_charged")) == 1)
            #expect((a["failures"] as? [Any])?.isEmpty == true)
            let list = try await client.call(.get, "/v1/invoices?customer=\(cid)&status=paid&limit=100").json
            let totals = (list["data"] as? [[String: Any]])?.compactMap { int(dig($0, "totals", "total", "amount")) }
            // 4 seats × 90,000 = 360,000 + 10 % VAT = 396,000 each month.
            #expect(totals == [396_000, 396_000, 396_000, 396_000, 396_000, 396_000])
            #expect((list["data"] as? [[String: Any]])?.allSatisfy { $0["next_collection_at"] == nil } == true)
            try expectProblem(try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"2026-05-01T00:00:00Z"}"#),
                              422, "test_clock.backwards")
            let got = try await client.call(.get, "/v1/test-clocks/\(clockID)").json
            #expect(got["frozen_time"] as? String == "2026-06-15T00:00:00Z")
        }
    }

    @Test("a clock's time is RFC 3339 read strictly: no rolled-over days, fractions and offsets read, 1970 to 2999, only forward", arguments: TestDatabase.all)
    func clockTimes(db: TestDatabase) async throws {
        try await withApp(db, testMode: true) { client, _ in
            // A day the month lacks, a date alone, no zone, words, year 0: not a time at all (400), nothing created.
            for bad in ["2027-02-30T00:00:00Z", "2026-02-29T00:00:00Z", "2027-03-15", "2027-03-15T00:00:00", "next tuesday",
                        "0000-01-01T00:00:00Z", "2027-03-15T24:00:00Z", "2027-03-15T10:00:00+25:00", "2027-03-15T10:00:00.Z"] {
                let r = try expectProblem(try await client.call(.post, "/v1/test-clocks", json: #"{"frozen_time":"\#(bad)"}"#), 400, "request.invalid")
                #expect((r["detail"] as? String)?.contains("RFC 3339") == true, "\(bad)")
            }
            // Outside 1970–2999: 422 with the field.
            for far in ["3000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z"] {
                try expectProblem(try await client.call(.post, "/v1/test-clocks", json: #"{"frozen_time":"\#(far)"}"#),
                                  422, "test_clock.out_of_range", field: "frozen_time")
            }
            // 10:00:00.5 at +07:00 is 03:00:00.5 UTC; a clock keeps whole seconds.
            let clock = try await client.call(.post, "/v1/test-clocks", json: #"{"frozen_time":"2027-03-02T10:00:00.5+07:00"}"#)
            #expect(clock.status == .created, "\(clock.text)")
            let clockID = try #require(try clock.json["id"] as? String)
            #expect(try clock.json["frozen_time"] as? String == "2027-03-02T03:00:00Z")
            // Not after the clock's time, or past 2999: refused, and the clock stays where it was.
            try expectProblem(try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"2027-03-02T03:00:00.500Z"}"#),
                              422, "test_clock.backwards", field: "frozen_time")
            try expectProblem(try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"3000-01-01T00:00:00Z"}"#),
                              422, "test_clock.out_of_range", field: "frozen_time")
            try expectProblem(try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"2027-04-31T00:00:00Z"}"#),
                              400, "request.invalid")
            let moved = try await client.call(.post, "/v1/test-clocks/\(clockID)/advance", json: #"{"frozen_time":"2027-03-02T03:00:01Z"}"#)
            #expect(moved.status == .ok, "\(moved.text)")
            #expect(try await client.call(.get, "/v1/test-clocks/\(clockID)").json["frozen_time"] as? String == "2027-03-02T03:00:01Z")
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
            // The money is a receipt like any offline payment, under the reference given.
            let payments = try #require(try await client.call(.get, "/v1/payments?customer=\(cid)").json["data"] as? [[String: Any]])
            #expect(payments.count == 1)
            #expect(payments.first?["method"] as? String == "other")
            #expect(payments.first?["reference"] as? String == "cash receipt 0042")
            #expect(payments.first?["invoice"] as? String == invoice)
            #expect(int(dig(payments.first ?? [:], "amount", "amount")) == 132_000)
            #expect((payments.first?["number"] as? String)?.hasPrefix("RCP-2026-") == true)
            try expectProblem(try await client.call(.post, "/v1/invoices/\(invoice)/pay", json: "{}"), 422, "invoice.not_payable")
            try expectProblem(try await client.call(.post, "/v1/invoices/in_nope/pay", json: "{}"), 404, "resource.not_found")
        }
    }
}
