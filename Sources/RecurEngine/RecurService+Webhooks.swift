public import Foundation
import RecurCore
import Crypto

/// Sends one HTTP POST; implemented at the edge (RecurApp). Returns the status code.
public protocol WebhookTransport: Sendable {
    func post(url: String, headers: [String: String], body: Data) async throws -> Int
}

/// Standard Webhooks signatures (standardwebhooks.com): the headers `webhook-id`,
/// `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "{id}.{timestamp}.{body}">` with the endpoint's `whsec_` secret.
public enum WebhookSignature {
    public static func makeSecret() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// - returns: nil for a secret that is not `whsec_` + base64.
    static func key(fromSecret secret: String) -> SymmetricKey? {
        guard secret.hasPrefix("whsec_"), let data = Data(base64Encoded: String(secret.dropFirst(6))) else { return nil }
        return SymmetricKey(data: data)
    }

    public static func sign(id: String, timestamp: Int64, body: Data, secret: String) -> String? {
        guard let key = key(fromSecret: secret) else { return nil }
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Verifies a `webhook-signature` header (several space-separated signatures may be
    /// present) and that the timestamp is within `tolerance` seconds of `now`.
    public static func verify(id: String, timestamp: Int64, body: Data, signatureHeader: String, secret: String,
                              now: Date, tolerance: TimeInterval = 300) -> Bool {
        guard abs(now.timeIntervalSince1970 - TimeInterval(timestamp)) <= tolerance,
              let expected = sign(id: id, timestamp: timestamp, body: body, secret: secret) else { return false }
        return signatureHeader.split(separator: " ").contains { constantTimeEqual(String($0), expected) }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension RecurService {
    public static let webhookRetrySchedule: [TimeInterval] = [5, 30, 120, 600, 1800, 3600, 7200, 14400]

    public func createWebhookEndpoint(url: String, events: [String], description: String?, actor: Actor) async throws -> WebhookEndpointRecord {
        guard let u = URL(string: url), ["http", "https"].contains(u.scheme ?? ""), u.host != nil else {
            throw RecurErrors([RecurError(.webhookEndpointInvalid, field: "url", "'\(url)' is not an http(s) URL", ["url": .text(url)])])
        }
        let now = clock.now()
        let endpoint = WebhookEndpointRecord(id: RecordID.make("we", at: now), url: url, events: events, description: description,
                                             secret: WebhookSignature.makeSecret(), created: now)
        return try await command(actor) { tx, log in
            try await tx.insert(endpoint)
            var shown = endpoint
            shown.secret = "whsec_…"
            log.audit("webhook_endpoint.created", target: endpoint.id, customer: nil, before: String?.none, after: shown)
            return endpoint
        }
    }

    public func deleteWebhookEndpoint(_ id: String, actor: Actor) async throws -> WebhookEndpointRecord {
        try await command(actor) { tx, log in
            guard let e = try await tx.find(WebhookEndpointRecord.self, id: id) else { throw RecurError.notFound("webhook endpoint", id) }
            try await tx.delete(WebhookEndpointRecord.self, id: id)
            // Its deliveries can never be sent now: close them rather than leave them pending.
            for var d in try await tx.all(WebhookDeliveryRecord.self, filters: ["endpoint_id": .text(id), "status": .text("pending")]) {
                d.status = .failed
                d.nextAttempt = nil
                d.error = "The endpoint was deleted"
                try await tx.update(d)
            }
            log.audit("webhook_endpoint.deleted", target: id, customer: nil, before: e.url, after: String?.none)
            return e
        }
    }

    public func listWebhookEndpoints(limit: Int?, startingAfter: String?) async throws -> Page<WebhookEndpointRecord> {
        try await read { tx in try await tx.list(WebhookEndpointRecord.self, filters: [:], limit: try Self.pageLimit(limit), startingAfter: startingAfter) }
    }

    public func webhookDeliveries(endpoint id: String, limit: Int?, startingAfter: String?) async throws -> Page<WebhookDeliveryRecord> {
        try await read { tx in
            guard try await tx.find(WebhookEndpointRecord.self, id: id) != nil else { throw RecurError.notFound("webhook endpoint", id) }
            return try await tx.list(WebhookDeliveryRecord.self, filters: ["endpoint_id": .text(id)], limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }

    /// Turns undispatched outbox events into one pending delivery per matching
    /// endpoint. Returns the number of deliveries created.
    @discardableResult
    public func dispatchEvents(batch: Int = 100) async throws -> Int {
        try await store.transaction { tx in
            let page = try await tx.list(EventRecord.self, filters: ["dispatched": .int(0)], limit: batch, startingAfter: nil).items
            guard !page.isEmpty else { return 0 }
            // Locked and read again: the mail dispatcher updates the same rows (its `mailed` flag),
            // and a second process must not dispatch them twice.
            let events = try await tx.lockAll(EventRecord.self, ids: page.map(\.id), skipLocked: true)
                .filter { !$0.dispatched }.sorted { $0.id < $1.id }
            let endpoints = try await tx.all(WebhookEndpointRecord.self, filters: [:])
            var created = 0
            for var event in events {
                for e in endpoints where e.events.isEmpty || e.events.contains(event.type) {
                    try await tx.insert(WebhookDeliveryRecord(id: RecordID.make("wd", at: event.created), endpoint: e.id, event: event.id,
                                                              eventType: event.type, attempt: 0, status: .pending, created: event.created,
                                                              nextAttempt: event.created))
                    created += 1
                }
                event.dispatched = true
                try await tx.update(event)
            }
            return created
        }
    }

    /// Sends every pending delivery whose time has come, signed; a failure is retried
    /// on ``webhookRetrySchedule`` and marked failed when it runs out. Returns the number sent.
    @discardableResult
    public func deliverWebhooks(using transport: any WebhookTransport, batch: Int = 50) async throws -> Int {
        let now = clock.now()
        let due: [(WebhookDeliveryRecord, EventRecord, WebhookEndpointRecord)] = try await read { tx in
            // Up to `batch` due deliveries, oldest first: pages on past the ones still
            // waiting for a retry, so a failing endpoint does not hold up the others.
            var out: [(WebhookDeliveryRecord, EventRecord, WebhookEndpointRecord)] = []
            var after: String?
            while out.count < batch {
                let page = try await tx.list(WebhookDeliveryRecord.self, filters: ["status": .text("pending")], limit: max(batch, 1), startingAfter: after)
                for d in page.items where (d.nextAttempt ?? now) <= now && out.count < batch {
                    guard let event = try await tx.find(EventRecord.self, id: d.event),
                          let endpoint = try await tx.find(WebhookEndpointRecord.self, id: d.endpoint) else { continue }
                    out.append((d, event, endpoint))
                }
                guard page.hasMore, let last = page.items.last else { break }
                after = last.id
            }
            return out
        }
        var sent = 0
        for (delivery, event, endpoint) in due {
            let body = Data("{\"id\":\"\(event.id)\",\"type\":\"\(event.type)\",\"created\":\"\(ISO8601DateFormatter().string(from: event.created))\",\"data\":{\"object\":\(event.payload)}}".utf8)
            let timestamp = Int64(now.timeIntervalSince1970)
            var status: Int?
            var failure: String?
            if let signature = WebhookSignature.sign(id: event.id, timestamp: timestamp, body: body, secret: endpoint.secret) {
                do {
                    status = try await transport.post(url: endpoint.url, headers: [
                        "content-type": "application/json", "webhook-id": event.id,
                        "webhook-timestamp": String(timestamp), "webhook-signature": signature,
                    ], body: body)
                } catch {
                    failure = String(describing: error)
                }
            } else {
                failure = "The endpoint's secret is not a whsec_ secret"
            }
            var next = delivery
            next.attempt += 1
            next.responseStatus = status
            next.error = failure
            if let s = status, (200..<300).contains(s) {
                next.status = .delivered
                next.nextAttempt = nil
                sent += 1
            } else if next.attempt <= Self.webhookRetrySchedule.count {
                next.nextAttempt = now.addingTimeInterval(Self.webhookRetrySchedule[next.attempt - 1])
                if failure == nil { next.error = "HTTP \(status ?? 0)" }
            } else {
                next.status = .failed
                next.nextAttempt = nil
            }
            let updated = next
            try await store.transaction { tx in try await tx.update(updated) }
        }
        return sent
    }
}
