import Foundation
import Crypto
import RecurCore

extension RecurService {
    public static func hashSecret(_ secret: String) -> String { hash(secret) }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Creates an API key; the secret is returned once and only its hash is stored.
    public func createAPIKey(name: String, scope: APIKeyRecord.Scope, actor: Actor) async throws -> (record: APIKeyRecord, secret: String) {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let secret = "rk_\(scope.rawValue)_" + String((0..<32).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
        let now = clock.now()
        let record = APIKeyRecord(id: RecordID.make("key", at: now), name: name, hash: Self.hash(secret), scope: scope, created: now)
        try await command(actor) { tx, log in
            try await tx.insert(record)
            log.audit("api_key.created", target: record.id, customer: nil, before: String?.none, after: ["name": name, "scope": scope.rawValue])
        }
        return (record, secret)
    }

    /// The key a bearer secret belongs to, if it is valid and not revoked.
    public func authenticate(secret: String) async throws -> APIKeyRecord? {
        let h = Self.hash(secret)
        return try await read { tx in
            try await tx.all(APIKeyRecord.self, filters: ["hash": .text(h)]).first { !$0.revoked }
        }
    }

    // MARK: Idempotency

    public enum IdempotencyClaim: Sendable {
        /// Go on: this request owns the key.
        case proceed
        /// Replay this stored response.
        case replay(status: Int, contentType: String?, body: String)
    }

    /// Claims `key` for a request whose method, path and body hash to `requestHash`.
    /// - throws: `idempotency.in_progress` (409) while the first request runs,
    ///   `idempotency.key_reused` (422) for the same key with other parameters.
    public func claimIdempotencyKey(_ key: String, apiKey: String, requestHash: String) async throws -> IdempotencyClaim {
        let id = "\(apiKey):\(key)"
        let now = clock.now()
        return try await store.transaction { tx in
            if let existing = try await tx.find(IdempotencyRecord.self, id: id) {
                if now.timeIntervalSince(existing.created) > 24 * 3600 {
                    try await tx.delete(IdempotencyRecord.self, id: id)
                } else {
                    guard existing.requestHash == requestHash else {
                        throw RecurError(.idempotencyKeyReused, field: "Idempotency-Key",
                                         "Idempotency-Key \(key) was used with other parameters", ["key": .text(key)])
                    }
                    guard let status = existing.status else {
                        throw RecurError(.idempotencyInProgress, field: "Idempotency-Key",
                                         "A request with Idempotency-Key \(key) is still in progress", ["key": .text(key)])
                    }
                    return .replay(status: status, contentType: existing.contentType, body: existing.body ?? "")
                }
            }
            do {
                try await tx.insert(IdempotencyRecord(id: id, requestHash: requestHash, status: nil, contentType: nil, body: nil, created: now))
            } catch let e as StoreError where e.kind == .duplicate {
                throw RecurError(.idempotencyInProgress, field: "Idempotency-Key",
                                 "A request with Idempotency-Key \(key) is still in progress", ["key": .text(key)])
            }
            return .proceed
        }
    }

    /// Stores the response of a claimed key, or releases the key after a server error
    /// so the request can be retried.
    public func completeIdempotencyKey(_ key: String, apiKey: String, status: Int, contentType: String?, body: String) async throws {
        let id = "\(apiKey):\(key)"
        try await store.transaction { tx in
            guard var r = try await tx.find(IdempotencyRecord.self, id: id) else { return }
            if status >= 500 {
                try await tx.delete(IdempotencyRecord.self, id: id)
            } else {
                r.status = status
                r.contentType = contentType
                r.body = body
                try await tx.update(r)
            }
        }
    }
}
