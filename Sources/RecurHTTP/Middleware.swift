import Foundation
public import Hummingbird
import RecurCore
public import RecurEngine
import Crypto
import NIOCore
import HTTPTypes
import Logging

/// The API key a request runs as, for the handlers behind the OpenAPI transport.
public enum RequestAuth {
    @TaskLocal public static var key: APIKeyRecord?
    public static var actor: Actor { key.map { Actor("key:\($0.id)") } ?? .system }
}

/// Bearer API keys with scopes: GET needs `read`, a change `write`, webhook
/// endpoints `admin`. Only paths under /v1 are guarded.
public struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let service: RecurService
    public init(service: RecurService) { self.service = service }

    static func requiredScope(method: HTTPRequest.Method, path: String) -> APIKeyRecord.Scope {
        if path.hasPrefix("/v1/webhook-endpoints") || path.hasPrefix("/v1/test-clocks") { return .admin }
        return method == .get || method == .head ? .read : .write
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1/") else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
              case let secret = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), !secret.isEmpty else {
            throw RecurError(.authMissing, field: "Authorization", "Send a secret API key as 'Authorization: Bearer <key>'")
        }
        guard let key = try await service.authenticate(secret: secret) else {
            throw RecurError(.authInvalid, field: "Authorization", "The API key is not valid")
        }
        let needed = Self.requiredScope(method: request.method, path: request.uri.path)
        guard key.scope >= needed else {
            throw RecurError(.authScope, field: "Authorization", "This request needs a key with the \(needed.rawValue) scope; the key has \(key.scope.rawValue)",
                             ["needed": .text(needed.rawValue), "scope": .text(key.scope.rawValue)])
        }
        return try await RequestAuth.$key.withValue(key) { try await next(request, context) }
    }
}

/// `Idempotency-Key` on every POST, PUT, PATCH and DELETE: the first response is
/// stored and replayed for 24 hours; the same key with other parameters is refused;
/// a duplicate that arrives while the first runs gets 409.
public struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let service: RecurService
    public init(service: RecurService) { self.service = service }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method), let key = request.headers[HTTPField.Name("Idempotency-Key")!] else {
            return try await next(request, context)
        }
        guard !key.isEmpty, key.count <= 255 else {
            throw RecurError(.requestInvalid, field: "Idempotency-Key", "An Idempotency-Key is 1 to 255 characters")
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.description)\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let scope = RequestAuth.key?.id ?? "anonymous"

        switch try await service.claimIdempotencyKey(key, apiKey: scope, requestHash: hash) {
        case .replay(let status, let contentType, let stored):
            var headers = HTTPFields()
            if let contentType { headers[.contentType] = contentType }
            headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored)))
        case .proceed:
            let response: Response
            do {
                response = try await next(request, context)
            } catch {
                let problem = Problem.from(error)
                try await service.completeIdempotencyKey(key, apiKey: scope, status: problem.status, contentType: "application/problem+json",
                                                         body: String(decoding: problem.body, as: UTF8.self))
                throw error
            }
            let collector = BodyCollector()
            try await response.body.write(collector)
            let text = String(buffer: collector.buffer)
            try await service.completeIdempotencyKey(key, apiKey: scope, status: Int(response.status.code),
                                                     contentType: response.headers[.contentType], body: text)
            var replayable = response
            replayable.body = .init(byteBuffer: collector.buffer)
            return replayable
        }
    }
}

/// Gathers a response body so it can be stored and sent.
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    var buffer = ByteBuffer()
    func write(_ buffer: ByteBuffer) async throws {
        var b = buffer
        self.buffer.writeBuffer(&b)
    }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
