import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore
public import RecurEngine
import RecurPayments

/// The routes gateways and customers' browsers reach, outside /v1 (no API key: each
/// checks its gateway's own signature): notifications, return pages, VietQR images, and
/// in sandbox mode the simulators under /sandbox/.
public enum PaymentRoutes {
    static func response(_ a: GatewayAnswer) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = a.contentType
        return Response(status: .init(code: a.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: a.body)))
    }

    static func redirect(_ url: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = url
        return Response(status: .seeOther, headers: headers)
    }

    static func form(_ request: Request) async throws -> String { String(decoding: try await body(request), as: UTF8.self) }

    static func finish(_ r: (GatewayAnswer?, redirect: String?)) -> Response {
        if let url = r.redirect { return redirect(url) }
        return response(r.0 ?? Pages.message(500, "sandbox error"))
    }

    static func body(_ request: Request) async throws -> Data {
        var request = request
        let buffer = try await request.collectBody(upTo: 1_048_576)
        return Data(buffer.readableBytesView)
    }

    /// Registers the payment routes; returns the simulators when the instance is in sandbox mode.
    @discardableResult
    public static func register(on router: Router<BasicRequestContext>, service: RecurService) -> GatewaySimulators? {
        let callbacks = PaymentCallbacks(service: service)
        router.get("/payments/vnpay/ipn") { request, _ in response(await callbacks.vnpayIPN(query: request.uri.query ?? "")) }
        router.get("/payments/vnpay/return") { request, _ in response(await callbacks.vnpayReturn(query: request.uri.query ?? "")) }
        router.post("/payments/stripe/webhook") { request, _ in
            let signature = request.headers[HTTPField.Name("Stripe-Signature")!]
            return response(await callbacks.stripeWebhook(body: try await body(request), signature: signature))
        }
        router.post("/payments/2checkout/ipn") { request, _ in
            response(await callbacks.twoCheckoutIPN(body: String(decoding: try await body(request), as: UTF8.self)))
        }
        router.post("/payments/vnptpay/notify") { request, _ in response(await callbacks.vnptpayNotify(body: try await body(request))) }
        router.post("/payments/bank-feed") { request, _ in
            response(await callbacks.bankFeed(body: try await body(request), authorization: request.headers[.authorization]))
        }
        router.get("/payments/return/:attempt") { _, context in
            response(await callbacks.returnPage(attempt: context.parameters.get("attempt") ?? ""))
        }
        router.get("/payments/qr/:file") { _, context in
            let file = context.parameters.get("file") ?? ""
            let png = file.hasSuffix(".png")
            let id = String(file.dropLast(png ? 4 : file.hasSuffix(".svg") ? 4 : 0))
            let (status, type, data) = await callbacks.qr(attempt: id, png: png)
            var headers = HTTPFields()
            headers[.contentType] = type
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        guard service.payments.sandbox else { return nil }
        let sim = GatewaySimulators(service: service)
        service.setGatewayTransport(sim)
        router.get("/sandbox/vnpay/paymentv2/vpcpay.html") { request, _ in response(sim.vnpayPage(query: request.uri.query ?? "")) }
        router.post("/sandbox/vnpay/complete") { request, _ in finish(await sim.vnpayComplete(form: try await form(request))) }
        router.get("/sandbox/stripe/pay/:session") { _, context in response(sim.stripePage(session: context.parameters.get("session") ?? "")) }
        router.post("/sandbox/stripe/pay/:session") { request, context in
            finish(await sim.stripePay(session: context.parameters.get("session") ?? "", form: try await form(request)))
        }
        router.get("/sandbox/2checkout/checkout/buy") { request, _ in response(sim.twoCheckoutPage(query: request.uri.query ?? "")) }
        router.post("/sandbox/2checkout/complete") { request, _ in finish(await sim.twoCheckoutComplete(form: try await form(request))) }
        router.get("/sandbox/vnptpay/pay/:order") { _, context in response(sim.vnptPage(order: context.parameters.get("order") ?? "")) }
        router.post("/sandbox/vnptpay/pay/:order") { request, context in
            finish(await sim.vnptPay(order: context.parameters.get("order") ?? "", form: try await form(request)))
        }
        return sim
    }
}
