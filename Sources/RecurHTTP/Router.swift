import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import RecurAPI
import RecurCore
public import RecurEngine
import Synchronization

/// Request counts by method and status, for /metrics.
public final class RequestMetrics: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    private let started = Date()
    public init() {}

    func record(method: String, status: Int) {
        counts.withLock { $0["\(method)|\(status)", default: 0] += 1 }
    }

    /// Prometheus text exposition format.
    func render(store: String) -> String {
        var out = "# HELP recur_http_requests_total HTTP requests answered, by method and status.\n# TYPE recur_http_requests_total counter\n"
        for (key, n) in counts.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "|")
            out += "recur_http_requests_total{method=\"\(parts[0])\",status=\"\(parts[1])\"} \(n)\n"
        }
        out += "# HELP recur_uptime_seconds Seconds since the server started.\n# TYPE recur_uptime_seconds gauge\n"
        out += "recur_uptime_seconds \(Int(Date().timeIntervalSince(started)))\n"
        out += "# HELP recur_info Build information.\n# TYPE recur_info gauge\nrecur_info{version=\"\(RecurInfo.version)\",store=\"\(store)\"} 1\n"
        return out
    }
}

struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RequestMetrics
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        metrics.record(method: request.method.rawValue, status: Int(response.status.code))
        return response
    }
}

/// The HTTP surface of Recur: the generated API under /v1 and /health, plus
/// /metrics and /openapi.yaml, behind metrics, problem+json, auth and idempotency.
public func buildRouter(service: RecurService, metrics: RequestMetrics = RequestMetrics()) throws -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: AuthMiddleware(service: service))
    router.add(middleware: IdempotencyMiddleware(service: service))
    router.get("/metrics") { _, _ in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render(store: service.store.kind))))
    }
    router.get("/openapi.yaml") { _, _ in
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: RecurAPISpec.yaml())))
    }
    try APIHandler(service: service, version: RecurInfo.version).registerHandlers(on: router, configuration: Configuration(dateTranscoder: RFC3339DateTranscoder()))
    PaymentRoutes.register(on: router, service: service)
    return router
}
