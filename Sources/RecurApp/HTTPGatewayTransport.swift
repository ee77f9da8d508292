import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import RecurCore
import RecurEngine
import RecurPayments

/// Calls gateways' APIs (Stripe sessions, VNPT Pay init) over HTTPS in production.
struct HTTPGatewayTransport: GatewayTransport {
    func send(_ request: GatewayRequest) async throws -> GatewayResponse {
        guard let url = URL(string: request.url) else {
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", "Not a URL: \(request.url)")
        }
        var r = URLRequest(url: url, timeoutInterval: 30)
        r.httpMethod = request.method
        for (k, v) in request.headers { r.setValue(v, forHTTPHeaderField: k) }
        r.httpBody = request.body
        do {
            let (data, response) = try await URLSession.shared.data(for: r)
            return GatewayResponse(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data)
        } catch {
            throw RecurError(.paymentGatewayUnavailable, field: "gateway", "\(url.host ?? request.url) could not be reached: \(error.localizedDescription)")
        }
    }
}
