import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RecurApp
import RecurCore
import RecurEngine
import RecurHTTP
import RecurStore
import Testing

/// A webhook transport that records what it is asked to post and answers with a
/// chosen status (or throws).
final class RecordingTransport: WebhookTransport, @unchecked Sendable {
    struct Post {
        var url: String
        var headers: [String: String]
        var body: Data
    }

    private let lock = NSLock()
    private var _posts: [Post] = []
    private let status: Int
    private let fails: Bool

    init(status: Int = 200, fails: Bool = false) {
        self.status = status
        self.fails = fails
    }

    var posts: [Post] { lock.withLock { _posts } }

    func post(url: String, headers: [String: String], body: Data) async throws -> Int {
        lock.withLock { _posts.append(Post(url: url, headers: headers, body: body)) }
        if fails { throw URLError(.cannotConnectToHost) }
        return status
    }
}

// MARK: System

@Suite("API: system")
struct APISystemTests {
    @Test("GET /health answers without a key and names the database", arguments: TestDatabase.all)
    func health(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let r = try await client.call(.get, "/health", key: nil)
            #expect(r.status == .ok)
            let json = try r.json
            #expect(json["status"] as? String == "ok")
            #expect(json["database"] as? String == db.rawValue)
            #expect((json["version"] as? String)?.isEmpty == false)
        }
    }

    @Test("GET /metrics is Prometheus text counting requests by method and status", arguments: TestDatabase.all)
    func metrics(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            _ = try await client.call(.get, "/health", key: nil)
            _ = try await client.call(.get, "/health", key: nil)
            _ = try await client.call(.get, "/v1/products", key: nil)
            _ = try await client.call(.post, "/v1/customers", json: #"{"name": "X"}"#)
            let r = try await client.call(.get, "/metrics", key: nil)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = r.text
            #expect(text.contains("# TYPE recur_http_requests_total counter\n"))
            #expect(text.contains("recur_http_requests_total{method=\"GET\",status=\"200\"} 2\n"))
            #expect(text.contains("recur_http_requests_total{method=\"GET\",status=\"401\"} 1\n"))
            #expect(text.contains("recur_http_requests_total{method=\"POST\",status=\"400\"} 1\n"))
            #expect(text.contains("recur_info{version=\"\(RecurInfo.version)\",store=\"\(db.rawValue)\"} 1\n"))
            // The /metrics request itself is counted once answered.
            let again = try await client.call(.get, "/metrics", key: nil).text
            #expect(again.contains("recur_http_requests_total{method=\"GET\",status=\"200\"} 3\n"))
        }
    }

    @Test("GET /openapi.yaml serves the OpenAPI 3.1 contract", arguments: TestDatabase.all)
    func openAPI(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let r = try await client.call(.get, "/openapi.yaml", key: nil)
            #expect(r.status == .ok)
            #expect(r.headers[.contentType] == "application/yaml")
            #expect(r.text.hasPrefix("openapi: 3.1.0"))
            #expect(r.text.contains("operationId: createSubscriptions"))
        }
    }
}

// MARK: Auth

@Suite("API: authentication and scopes")
struct APIAuthTests {
    @Test("No key is 401 auth.missing; an unknown key is 401 auth.invalid", arguments: TestDatabase.all)
    func missingAndInvalid(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let none = try expectProblem(try await client.call(.get, "/v1/products", key: nil), 401, "auth.missing", field: "Authorization")
            #expect(none["title"] as? String == "Unauthorized")
            try expectProblem(try await client.call(.get, "/v1/products", key: nil, headers: ["Authorization": "Basic YWRtaW46YWRtaW4="]),
                              401, "auth.missing")
            try expectProblem(try await client.call(.get, "/v1/products", key: nil, headers: ["Authorization": "Bearer   "]), 401, "auth.missing")
            try expectProblem(try await client.call(.get, "/v1/products", key: "rk_live_wrong"), 401, "auth.invalid", field: "Authorization")
            // Changes without a key write nothing.
            try expectProblem(try await client.call(.post, "/v1/customers", key: nil, json: #"{"name": "X", "currency": "VND"}"#), 401, "auth.missing")
            #expect(try await API.ids(client, "/v1/customers").count == 2)
            // The scheme is case-insensitive.
            let lower = try await client.call(.get, "/v1/products", key: nil, headers: ["Authorization": "bearer \(adminKey)"])
            #expect(lower.status == .ok)
        }
    }

    @Test("A read key may GET (200) but not POST (403 needed=write); a write key may not manage webhooks (403 needed=admin)", arguments: TestDatabase.all)
    func scopes(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let read = try await service.createAPIKey(name: "Dashboard", scope: .read, actor: .system)
            let write = try await service.createAPIKey(name: "Portal", scope: .write, actor: .system)
            #expect(read.secret.hasPrefix("rk_read_"))

            let get = try await client.call(.get, "/v1/products", key: read.secret)
            #expect(get.status == .ok)
            #expect((try get.json["data"] as? [Any])?.count == 5)
            #expect(try await client.call(.get, "/v1/customers", key: read.secret).status == .ok)

            let post = try await client.call(.post, "/v1/customers", key: read.secret, json: #"{"name": "X", "currency": "VND"}"#)
            let p = try expectProblem(post, 403, "auth.insufficient_scope", field: "Authorization")
            #expect(dig(p, "values", "needed") as? String == "write")
            #expect(dig(p, "values", "scope") as? String == "read")
            #expect(p["title"] as? String == "Forbidden")
            try expectProblem(try await client.call(.patch, "/v1/customers/cus_x", key: read.secret, json: #"{"name": "X"}"#), 403, "auth.insufficient_scope")
            #expect(try await API.ids(client, "/v1/customers").count == 2)

            // The write key creates, and is the actor of the audit entry.
            let created = try await client.call(.post, "/v1/customers", key: write.secret, json: #"{"name": "Qua Cổng", "currency": "VND"}"#)
            #expect(created.status == .created)
            let id = try #require(try created.json["id"] as? String)
            let audit = try await client.call(.get, "/v1/customers/\(id)/audit", key: read.secret).json
            #expect(dig(audit, "data", 0, "actor") as? String == "key:\(write.record.id)")

            for (method, path, body) in [(HTTPRequest.Method.get, "/v1/webhook-endpoints", nil as String?),
                                         (.post, "/v1/webhook-endpoints", #"{"url": "https://hooks.example/recur"}"#),
                                         (.delete, "/v1/webhook-endpoints/we_x", nil),
                                         (.get, "/v1/webhook-endpoints/we_x/deliveries", nil)] {
                let w = try expectProblem(try await client.call(method, path, key: write.secret, json: body), 403, "auth.insufficient_scope")
                #expect(dig(w, "values", "needed") as? String == "admin", "\(method) \(path)")
                #expect(dig(w, "values", "scope") as? String == "write")
                try expectProblem(try await client.call(method, path, key: read.secret, json: body), 403, "auth.insufficient_scope")
            }
            #expect(try await service.listWebhookEndpoints(limit: 10, startingAfter: nil).items.isEmpty)
            // The admin key may.
            #expect(try await client.call(.get, "/v1/webhook-endpoints").status == .ok)
        }
    }
}

// MARK: Idempotency

@Suite("API: idempotency")
struct APIIdempotencyTests {
    func customersNamed(_ name: String, _ service: RecurService) async throws -> Int {
        try await service.store.transaction { tx in try await tx.all(CustomerRecord.self, filters: [:]) }.filter { $0.name == name }.count
    }

    @Test("The same key and body replay the first response with Idempotent-Replayed: true; one customer is created", arguments: TestDatabase.all)
    func replay(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let body = #"{"name": "Một Lần Thôi", "currency": "VND", "country": "VN"}"#
            let first = try await client.call(.post, "/v1/customers", json: body, headers: ["Idempotency-Key": "order-42"])
            #expect(first.status == .created)
            #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            let second = try await client.call(.post, "/v1/customers", json: body, headers: ["Idempotency-Key": "order-42"])
            #expect(second.status == .created)
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(second.headers[.contentType] == first.headers[.contentType])
            #expect(second.text == first.text)
            #expect(try second.json["id"] as? String == (try first.json["id"] as? String))
            #expect(try await customersNamed("Một Lần Thôi", service) == 1)

            // Another key is another request.
            let other = try await client.call(.post, "/v1/customers", json: body, headers: ["Idempotency-Key": "order-43"])
            #expect(other.status == .created)
            #expect(try other.json["id"] as? String != (try first.json["id"] as? String))
            // Keys belong to an API key: the same key from another API key is not a replay.
            let write = try await service.createAPIKey(name: "Other", scope: .write, actor: .system)
            let fromOther = try await client.call(.post, "/v1/customers", key: write.secret, json: body, headers: ["Idempotency-Key": "order-42"])
            #expect(fromOther.status == .created)
            #expect(fromOther.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            #expect(try await customersNamed("Một Lần Thôi", service) == 3)

            // Checkout is replayed too: one subscription, one invoice number.
            let customer = try #require(try first.json["id"] as? String)
            let order = try await API.order(client, customer: customer, items: "[\(API.item("workspace", "ws_standard", seats: 10))]",
                                            headers: ["Idempotency-Key": "checkout-1"])
            #expect(order.status == .created)
            let replayed = try await API.order(client, customer: customer, items: "[\(API.item("workspace", "ws_standard", seats: 10))]",
                                               headers: ["Idempotency-Key": "checkout-1"])
            #expect(replayed.status == .created)
            #expect(replayed.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(dig(try replayed.json, "invoice", "number") as? String == "INV-2026-000001")
            #expect(try await API.ids(client, "/v1/subscriptions?customer=\(customer)").count == 1)
            #expect(try await API.ids(client, "/v1/invoices?customer=\(customer)").count == 1)
        }
    }

    @Test("The same key with another body is 422 idempotency.key_reused; a key over 255 characters is 400", arguments: TestDatabase.all)
    func keyReused(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let first = try await client.call(.post, "/v1/customers", json: #"{"name": "Khóa A", "currency": "VND"}"#, headers: ["Idempotency-Key": "k-1"])
            #expect(first.status == .created)
            let reused = try await client.call(.post, "/v1/customers", json: #"{"name": "Khóa B", "currency": "VND"}"#, headers: ["Idempotency-Key": "k-1"])
            let p = try expectProblem(reused, 422, "idempotency.key_reused", field: "Idempotency-Key")
            #expect(dig(p, "values", "key") as? String == "k-1")
            // The same key on another path is other parameters too.
            let customer = try #require(try first.json["id"] as? String)
            try expectProblem(try await client.call(.patch, "/v1/customers/\(customer)", json: #"{"name": "Khóa A", "currency": "VND"}"#,
                                                    headers: ["Idempotency-Key": "k-1"]), 422, "idempotency.key_reused")
            #expect(try await customersNamed("Khóa B", service) == 0)
            #expect(try await client.call(.get, "/v1/customers/\(customer)").json["name"] as? String == "Khóa A")

            try expectProblem(try await client.call(.post, "/v1/customers", json: #"{"name": "Dài", "currency": "VND"}"#,
                                                    headers: ["Idempotency-Key": String(repeating: "k", count: 256)]),
                              400, "request.invalid", field: "Idempotency-Key")
            #expect(try await customersNamed("Dài", service) == 0)
        }
    }

    @Test("A request refused with 422 is replayed with the same 422", arguments: TestDatabase.all)
    func failedReplayed(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let body = #"{"name": "Sai", "currency": "VND", "country": "VNM", "time_zone": "Nowhere/Here"}"#
            let first = try await client.call(.post, "/v1/customers", json: body, headers: ["Idempotency-Key": "bad-1"])
            let p1 = try expectProblem(first, 422, "customer.invalid", field: "country")
            let second = try await client.call(.post, "/v1/customers", json: body, headers: ["Idempotency-Key": "bad-1"])
            let p2 = try expectProblem(second, 422, "customer.invalid", field: "country")
            #expect(second.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(problemFields(p2) == problemFields(p1))
            #expect(problemFields(p2) == ["country", "time_zone"])
            #expect(p2["detail"] as? String == p1["detail"] as? String)
            #expect(p2["title"] as? String == p1["title"] as? String)
            #expect(p2["type"] as? String == p1["type"] as? String)
            #expect(second.text == first.text)
            #expect(try await customersNamed("Sai", service) == 0)
        }
    }

    @Test("20 concurrent identical POSTs with one key create exactly one customer; each answer is 201 (same id) or 409 in_progress", arguments: TestDatabase.all)
    func concurrent(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let body = #"{"name": "Đồng Thời", "currency": "VND", "country": "VN", "invoice_emails": ["dongthoi@example.vn"]}"#
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let r = try await client.call(.post, "/v1/customers", json: body, headers: ["Idempotency-Key": "same-key"])
                        return (Int(r.status.code), r.text)
                    }
                }
                var out: [(Int, String)] = []
                for try await a in group { out.append(a) }
                return out
            }
            #expect(answers.count == 20)
            var ids = Set<String>()
            for (status, text) in answers {
                let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                switch status {
                case 201: ids.insert(try #require(json["id"] as? String))
                case 409: #expect(json["code"] as? String == "idempotency.in_progress", "\(text)")
                default: Issue.record("unexpected \(status): \(text)")
                }
            }
            #expect(ids.count == 1)
            #expect(answers.contains { $0.0 == 201 })
            // Exactly one customer of that name, found by the list endpoint too.
            #expect(try await customersNamed("Đồng Thời", service) == 1)
            let listed = try await API.ids(client, "/v1/customers?email=dongthoi@example.vn")
            #expect(listed.count == 1)
            #expect(Set(listed) == ids)
            // Afterwards the key replays the 201.
            let after = try await client.call(.post, "/v1/customers", json: body, headers: ["Idempotency-Key": "same-key"])
            #expect(after.status == .created)
            #expect(try after.json["id"] as? String == ids.first)
        }
    }
}

// MARK: Webhooks

@Suite("API: webhooks")
struct APIWebhookTests {
    @Test("Endpoints: 201 with a whsec_ secret shown once; invalid URL 422; DELETE removes it", arguments: TestDatabase.all)
    func endpoints(db: TestDatabase) async throws {
        try await withApp(db) { client, _ in
            let r = try await client.call(.post, "/v1/webhook-endpoints", json: """
                {"url": "https://hooks.example/recur", "events": ["customer.created", "invoice.created"], "description": "ERP"}
                """)
            #expect(r.status == .created, "\(r.text)")
            let e = try r.json
            let id = try #require(e["id"] as? String)
            #expect(id.hasPrefix("we_"))
            #expect((e["secret"] as? String)?.hasPrefix("whsec_") == true)
            #expect(e["url"] as? String == "https://hooks.example/recur")
            #expect(strings(e["events"]) == ["customer.created", "invoice.created"])
            #expect(e["description"] as? String == "ERP")

            let list = try await client.call(.get, "/v1/webhook-endpoints").json
            let data = try #require(list["data"] as? [[String: Any]])
            #expect(data.map { $0["id"] as? String } == [id])
            #expect(data[0]["secret"] == nil)
            #expect(!(try await client.call(.get, "/v1/webhook-endpoints").text.contains("whsec_")))

            for url in ["ftp://hooks.example/x", "not a url", "https://"] {
                let p = try expectProblem(try await client.call(.post, "/v1/webhook-endpoints", json: #"{"url": "\#(url)"}"#),
                                          422, "webhook_endpoint.invalid", field: "url")
                #expect(dig(p, "values", "url") as? String == url)
            }
            try expectProblem(try await client.call(.post, "/v1/webhook-endpoints", json: #"{"events": []}"#), 400, "request.invalid", field: "url")

            let deleted = try await client.call(.delete, "/v1/webhook-endpoints/\(id)")
            #expect(deleted.status == .ok)
            #expect(try deleted.json["id"] as? String == id)
            #expect(try deleted.json["secret"] == nil)
            #expect((try await client.call(.get, "/v1/webhook-endpoints").json["data"] as? [Any])?.isEmpty == true)
            try expectProblem(try await client.call(.delete, "/v1/webhook-endpoints/\(id)"), 404, "resource.not_found")
            try expectProblem(try await client.call(.get, "/v1/webhook-endpoints/\(id)/deliveries"), 404, "resource.not_found")
        }
    }

    @Test("A new customer's event is delivered, signed with the endpoint's secret; a 500 leaves it pending for a retry", arguments: TestDatabase.all)
    func delivery(db: TestDatabase) async throws {
        let clock = ManualClock(testNow)
        try await withApp(db, clock: clock) { client, service in
            // The demo data's events go out before the endpoint exists (the delivery service runs every second).
            #expect(try await service.dispatchEvents() == 0)

            let r = try await client.call(.post, "/v1/webhook-endpoints", json: #"{"url": "https://hooks.example/recur", "events": ["customer.created"]}"#)
            let endpoint = try #require(try r.json["id"] as? String)
            let secret = try #require(try r.json["secret"] as? String)
            let customer = try await API.customer(client)
            // Only customer.created is wanted: a purchase's events create no deliveries.
            _ = try await API.buy(client, customer: customer, "workspace", "ws_starter", seats: 2)
            #expect(try await service.dispatchEvents() == 1)
            #expect(try await service.dispatchEvents() == 0)

            let ok = RecordingTransport(status: 200)
            #expect(try await service.deliverWebhooks(using: ok) == 1)
            let post = try #require(ok.posts.first)
            #expect(ok.posts.count == 1)
            #expect(post.url == "https://hooks.example/recur")
            #expect(post.headers["content-type"] == "application/json")
            let eventID = try #require(post.headers["webhook-id"])
            #expect(eventID.hasPrefix("evt_"))
            let timestamp = try #require(post.headers["webhook-timestamp"].flatMap { Int64($0) })
            #expect(timestamp == Int64(testNow.timeIntervalSince1970))
            let signature = try #require(post.headers["webhook-signature"])
            #expect(signature.hasPrefix("v1,"))
            #expect(WebhookSignature.verify(id: eventID, timestamp: timestamp, body: post.body, signatureHeader: signature, secret: secret, now: clock.now()))
            // Another secret, another body or a stale timestamp does not verify.
            #expect(!WebhookSignature.verify(id: eventID, timestamp: timestamp, body: post.body, signatureHeader: signature,
                                             secret: WebhookSignature.makeSecret(), now: clock.now()))
            #expect(!WebhookSignature.verify(id: eventID, timestamp: timestamp, body: post.body + Data(" ".utf8), signatureHeader: signature,
                                             secret: secret, now: clock.now()))
            #expect(!WebhookSignature.verify(id: eventID, timestamp: timestamp, body: post.body, signatureHeader: signature, secret: secret,
                                             now: clock.now().addingTimeInterval(301)))
            let payload = try #require(try JSONSerialization.jsonObject(with: post.body) as? [String: Any])
            #expect(payload["id"] as? String == eventID)
            #expect(payload["type"] as? String == "customer.created")
            #expect(payload["created"] as? String == "2026-03-01T12:00:00Z")
            #expect(dig(payload, "data", "object", "id") as? String == customer)
            #expect(dig(payload, "data", "object", "name") as? String == "Công ty TNHH Thử Nghiệm")
            // Nothing is left to send.
            #expect(try await service.deliverWebhooks(using: ok) == 0)
            #expect(ok.posts.count == 1)

            let delivered = try await client.call(.get, "/v1/webhook-endpoints/\(endpoint)/deliveries").json
            let d0 = try #require(dig(delivered, "data", 0) as? [String: Any])
            #expect((delivered["data"] as? [Any])?.count == 1)
            #expect(d0["event"] as? String == eventID)
            #expect(d0["event_type"] as? String == "customer.created")
            #expect(d0["status"] as? String == "delivered")
            #expect(int(d0["attempt"]) == 1)
            #expect(int(d0["response_status"]) == 200)
            #expect(d0["next_attempt"] == nil)

            // The next customer's delivery meets a 500: pending, attempt 1, retried in 5 seconds.
            let second = try await API.customer(client, name: "Công ty Thứ Hai", email: "ketoan@thuhai.example")
            #expect(try await service.dispatchEvents() == 1)
            let failing = RecordingTransport(status: 500)
            #expect(try await service.deliverWebhooks(using: failing) == 0)
            #expect(failing.posts.count == 1)
            let afterFailure = try await client.call(.get, "/v1/webhook-endpoints/\(endpoint)/deliveries").json
            let d1 = try #require(dig(afterFailure, "data", 1) as? [String: Any])
            #expect(d1["status"] as? String == "pending")
            #expect(int(d1["attempt"]) == 1)
            #expect(int(d1["response_status"]) == 500)
            #expect(d1["error"] as? String == "HTTP 500")
            #expect(d1["next_attempt"] as? String == "2026-03-01T12:00:05Z")
            // Not due yet: nothing is sent.
            #expect(try await service.deliverWebhooks(using: failing) == 0)
            #expect(failing.posts.count == 1)
            // An unreachable endpoint 5 seconds later: attempt 2, retried 30 seconds after that.
            clock.advance(by: 5)
            let down = RecordingTransport(fails: true)
            #expect(try await service.deliverWebhooks(using: down) == 0)
            let afterDown = try await client.call(.get, "/v1/webhook-endpoints/\(endpoint)/deliveries").json
            #expect(int(dig(afterDown, "data", 1, "attempt")) == 2)
            #expect(dig(afterDown, "data", 1, "response_status") == nil)
            #expect((dig(afterDown, "data", 1, "error") as? String)?.isEmpty == false)
            #expect(dig(afterDown, "data", 1, "next_attempt") as? String == "2026-03-01T12:00:35Z")
            // Then it works.
            clock.advance(by: 30)
            #expect(try await service.deliverWebhooks(using: ok) == 1)
            let lastPost = try #require(ok.posts.last)
            let body = try #require(try JSONSerialization.jsonObject(with: lastPost.body) as? [String: Any])
            #expect(dig(body, "data", "object", "id") as? String == second)
            let last = try await client.call(.get, "/v1/webhook-endpoints/\(endpoint)/deliveries").json
            #expect(dig(last, "data", 1, "status") as? String == "delivered")
            #expect(int(dig(last, "data", 1, "attempt")) == 3)

            // An endpoint for every event type gets the purchase's events as well.
            let all = try await client.call(.post, "/v1/webhook-endpoints", json: #"{"url": "https://all.example/hook"}"#).json
            let allID = try #require(all["id"] as? String)
            let third = try await API.customer(client, name: "Công ty Thứ Ba", email: "ketoan@thuba.example")
            _ = try await API.buy(client, customer: third, "workspace", "ws_starter", seats: 2)
            // customer.created to both endpoints; subscription.created and invoice.created to the second.
            #expect(try await service.dispatchEvents() == 4)
            let types = try await client.call(.get, "/v1/webhook-endpoints/\(allID)/deliveries").json
            #expect(Set(((types["data"] as? [[String: Any]]) ?? []).compactMap { $0["event_type"] as? String }) ==
                    ["customer.created", "subscription.created", "invoice.created"])
        }
    }
}

extension APIWebhookTests {
    @Test("Deliveries waiting for a retry, or of a deleted endpoint, do not hold up the deliveries that are due", arguments: TestDatabase.all)
    func backlog(db: TestDatabase) async throws {
        let clock = ManualClock(testNow)
        try await withApp(db, clock: clock) { client, service in
            try await service.dispatchEvents()
            let down = try await client.call(.post, "/v1/webhook-endpoints", json: #"{"url": "https://down.example/hook"}"#).json
            let downID = try #require(down["id"] as? String)
            let gone = try await client.call(.post, "/v1/webhook-endpoints", json: #"{"url": "https://gone.example/hook"}"#).json
            let goneID = try #require(gone["id"] as? String)
            // Three customers: six deliveries, three to each endpoint, all failing.
            for i in 1...3 { _ = try await API.customer(client, name: "Khách \(i)", email: "k\(i)@backlog.example") }
            #expect(try await service.dispatchEvents() == 6)
            #expect(try await service.deliverWebhooks(using: RecordingTransport(status: 503)) == 0)
            // One endpoint is deleted with its deliveries still pending.
            #expect(try await client.call(.delete, "/v1/webhook-endpoints/\(goneID)").status == .ok)

            // A healthy endpoint and a new event, one second later: it is due now, the others are not.
            clock.advance(by: 1)
            let up = try await client.call(.post, "/v1/webhook-endpoints", json: #"{"url": "https://up.example/hook", "events": ["customer.created"]}"#).json
            let upID = try #require(up["id"] as? String)
            _ = try await API.customer(client, name: "Khách 4", email: "k4@backlog.example")
            #expect(try await service.dispatchEvents() == 2)
            let ok = RecordingTransport(status: 200)
            // The new event's two deliveries are sent, even when only two pending deliveries are taken at a time.
            #expect(try await service.deliverWebhooks(using: ok, batch: 2) == 2)
            #expect(Set(ok.posts.map(\.url)) == ["https://down.example/hook", "https://up.example/hook"])
            let upDeliveries = try await client.call(.get, "/v1/webhook-endpoints/\(upID)/deliveries").json
            #expect(dig(upDeliveries, "data", 0, "status") as? String == "delivered")

            // The deleted endpoint's deliveries are closed, not left pending forever.
            let pending = try await service.store.transaction { tx in
                try await tx.all(WebhookDeliveryRecord.self, filters: ["status": .text("pending")])
            }
            #expect(pending.filter { $0.endpoint == goneID }.isEmpty)
            #expect(pending.filter { $0.endpoint == downID }.count == 3)
            // The endpoint that is down still gets its retries when they are due.
            clock.advance(by: 10)
            let later = RecordingTransport(status: 200)
            #expect(try await service.deliverWebhooks(using: later) == 3)
            #expect(Set(later.posts.map(\.url)) == ["https://down.example/hook"])
        }
    }
}

// MARK: Restart

@Suite("API: restart")
struct APIRestartTests {
    @Test("A customer, subscription and invoice written before a restart read back equal after it", arguments: TestDatabase.all)
    func restart(db: TestDatabase) async throws {
        let clock = ManualClock(testNow)
        let (store, location) = try await db.makeStore()
        let service = RecurService(store: store, clock: clock, logger: TestDatabase.logger)
        let customerID: String, subscription: SubscriptionRecord, invoice: InvoiceRecord, customer: CustomerRecord
        do {
            try await loadDemoData(service)
            let c = try await service.createCustomer(CustomerChanges(name: "Công ty Khởi Động Lại", country: "VN", currency: "VND",
                                                                     locale: "vi", timeZone: "Asia/Ho_Chi_Minh",
                                                                     invoiceEmails: ["ketoan@khoidong.example"]), actor: .system)
            customerID = c.id
            let order = Order(items: [.init(product: "workspace", plan: "ws_standard", cycle: .monthly, seats: 10)])
            let outcome = try await service.checkout(customer: c.id, order: order, date: nil, actor: .system)
            subscription = try #require(outcome.subscriptions.first)
            invoice = try #require(outcome.invoice)
            _ = try await service.addNote(subscription: subscription.id, text: "Trước khi khởi động lại", author: "An", actor: .system)
            customer = try await service.customer(c.id)
            #expect(customer.hasPurchased)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()

        let reopened = try await openStore(location, logger: TestDatabase.logger)
        let again = RecurService(store: reopened, clock: clock, logger: TestDatabase.logger)
        do {
            #expect(try await reopened.migrate() == [])
            #expect(try await again.customer(customerID) == customer)
            #expect(try await again.subscription(subscription.id) == subscription)
            #expect(try await again.invoice(invoice.id) == invoice)
            #expect(invoice.number == "INV-2026-000001")
            #expect(invoice.totals.total == Money(minorUnits: 990_000, currency: .vnd))
            #expect(try await again.notes(subscription: subscription.id).map(\.text) == ["Trước khi khởi động lại"])
            // The demo data is not loaded twice, and the demo key still works over HTTP.
            #expect(try await loadDemoData(again) == false)
            let app = Application(router: try buildRouter(service: again), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let c = try await client.call(.get, "/v1/customers/\(customerID)").json
                #expect(c["name"] as? String == "Công ty Khởi Động Lại")
                let s = try await client.call(.get, "/v1/subscriptions/\(subscription.id)").json
                #expect(int(s["seats"]) == 10)
                // The invoice sequence carries on from where it was.
                let other = try await API.customer(client)
                let bought = try await API.buy(client, customer: other, "sme_email", "email_basic")
                #expect(dig(bought, "invoice", "number") as? String == "INV-2026-000002")
            }
        } catch {
            try? await reopened.close()
            throw error
        }
        try await reopened.close()
    }
}
