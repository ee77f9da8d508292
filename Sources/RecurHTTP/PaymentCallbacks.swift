public import Foundation
public import RecurEngine
import RecurCore
public import RecurPayments
import Logging

/// The gateway-facing endpoints, as functions of the bytes received: the HTTP routes
/// call them, and so do the sandbox simulators (with the same bytes a gateway sends).
/// A callback with a bad signature, a wrong amount or currency, an unknown order or a
/// replay changes nothing and gets the answer its gateway expects.
public struct PaymentCallbacks: Sendable {
    public let service: RecurService
    let logger = Logger(label: "recur.payments")

    public init(service: RecurService) { self.service = service }

    // MARK: VNPAY (PAYMENTS.md 1.5)

    /// The IPN: `{"RspCode":"..","Message":".."}` with HTTP 200, in VNPAY's check order —
    /// 97 bad checksum, 01 unknown order, 04 wrong amount, 02 already confirmed, 00
    /// recorded (paid or failed), 99 anything else (VNPAY retries 01, 04, 97 and 99).
    public func vnpayIPN(query: String) async -> GatewayAnswer {
        await service.handleCallback(gateway: "vnpay", GatewayCallback(query: query, now: service.clock.now()))
    }

    /// The browser's return from VNPAY: verified and shown, never applied (the IPN does that).
    public func vnpayReturn(query: String) async -> GatewayAnswer {
        guard let (attempt, event) = try? await service.verifiedReturn(gateway: "vnpay", GatewayCallback(query: query, now: service.clock.now())) else {
            return Pages.message(400, "This return link from VNPAY could not be verified; nothing was changed.")
        }
        let text = event.succeeded ? "VNPAY reports the payment as successful." : "VNPAY reports the payment as not completed (\(event.failureReason ?? ""))."
        return Pages.result(attempt: attempt, gatewayText: text)
    }

    // MARK: Stripe (PAYMENTS.md 2)

    /// The webhook: the Stripe-Signature over the raw body is checked first (400 when it
    /// fails, so Stripe retries and the dashboard shows it); verified events are answered
    /// 200 whatever they contain, since Stripe retries only to deliver.
    public func stripeWebhook(body: Data, signature: String?) async -> GatewayAnswer {
        await service.handleCallback(gateway: "stripe", GatewayCallback(body: body, headers: signature.map { ["stripe-signature": $0] } ?? [:],
                                                                                now: service.clock.now()))
    }

    // MARK: 2Checkout (PAYMENTS.md 3.1)

    /// The IPN: HMAC over the fields in received order; a verified IPN is answered with
    /// the `<sig>` read receipt (without it 2Checkout sends again), a bad one with 400.
    public func twoCheckoutIPN(body: String) async -> GatewayAnswer {
        await service.handleCallback(gateway: "2checkout", GatewayCallback(body: Data(body.utf8), now: service.clock.now()))
    }

    // MARK: VNPT Pay (PAYMENTS.md 4.1 — the notification format is an assumption)

    /// The notification: JSON with `SECURE_CODE` over the query answer's fields; answered
    /// `{"RESPONSE_CODE": …}` with VNPAY's code meanings (00 recorded, 01 unknown order,
    /// 02 already confirmed, 04 wrong amount, 97 bad signature, 99 error).
    public func vnptpayNotify(body: Data) async -> GatewayAnswer {
        await service.handleCallback(gateway: "vnptpay", GatewayCallback(body: body, now: service.clock.now()))
    }

    // MARK: Bank feed (SePay-style webhook, PAYMENTS.md 6.2)

    /// A credit pushed by the bank feed: `Authorization: Apikey <secret>`; answered
    /// `{"success":true}` once taken (a duplicate too), so the feed stops retrying.
    public func bankFeed(body: Data, authorization: String?) async -> GatewayAnswer {
        await service.receiveBankFeed(body: body, authorization: authorization)
    }

    // MARK: Pages for the customer

    /// Where online gateways send the customer back: the attempt as Recur knows it.
    public func returnPage(attempt id: String) async -> GatewayAnswer {
        guard let attempt = try? await service.paymentAttempt(id) else { return Pages.message(404, "No such payment.") }
        return Pages.result(attempt: attempt, gatewayText: nil)
    }

    /// A bank-transfer attempt's VietQR code, drawn by Recur.
    public func qr(attempt id: String, png: Bool) async -> (Int, String, Data) {
        guard let t = try? await service.transferInstructions(attempt: id), let payload = t.vietQR,
              let code = try? QRCode(text: payload, errorCorrection: .medium) else {
            return (404, "text/plain", Data("No QR code for this payment".utf8))
        }
        return png ? (200, "image/png", code.png(scale: 8, quietZone: 4)) : (200, "image/svg+xml", Data(code.svg(moduleSize: 8, quietZone: 4).utf8))
    }
}

/// Small server-rendered pages of the payment flow (the portal and back office are RecurWeb's).
enum Pages {
    static func escape(_ s: String) -> String { s.htmlEscaped }

    static func page(_ title: String, _ body: String, refresh: Int? = nil) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
        \(refresh.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? "")<title>\(escape(title))</title>\
        <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2330}\
        .box{border:1px solid #d5dae3;border-radius:8px;padding:1.5rem}h1{font-size:1.4rem}.amount{font-size:1.8rem;font-weight:600}\
        button,.button{background:#2f5fd0;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;font-size:1rem;cursor:pointer;text-decoration:none}\
        .secondary{background:#e8ebf1;color:#1d2330}.muted{color:#5b6475;font-size:.9rem}.error{color:#b3261e}\
        input{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin:.3rem 0 1rem}</style></head>\
        <body><div class="box">\(body)</div></body></html>
        """
    }

    static func message(_ status: Int, _ text: String) -> GatewayAnswer {
        GatewayAnswer(status: status, contentType: "text/html; charset=utf-8", body: page("Recur", "<h1>\(escape(text))</h1>"))
    }

    static func result(attempt: PaymentAttemptRecord?, gatewayText: String?) -> GatewayAnswer {
        guard let a = attempt else { return message(404, "No such payment.") }
        let headline = switch a.status {
        case .succeeded: "Payment received"
        case .pending: "Waiting for the payment to be confirmed…"
        case .failed: "The payment did not go through"
        case .expired: "This payment link has expired"
        case .refunded: "This payment was refunded"
        }
        var body = "<h1 id=\"status\" data-status=\"\(a.status.rawValue)\">\(escape(headline))</h1>"
        body += "<p class=\"amount\">\(escape(a.amount.decimalString)) \(escape(a.amount.currency.code))</p>"
        body += "<p class=\"muted\">Invoice \(escape(a.invoice)) · \(escape(a.gateway)) · \(escape(a.id))</p>"
        if let gatewayText { body += "<p>\(escape(gatewayText))</p>" }
        if let reason = a.failureReason, a.status == .failed { body += "<p class=\"error\">\(escape(reason))</p>" }
        if let url = a.returnURL { body += "<p><a class=\"button\" href=\"\(escape(url))\">Continue</a></p>" }
        return GatewayAnswer(status: 200, contentType: "text/html; charset=utf-8", body: page(headline, body, refresh: a.status == .pending ? 3 : nil))
    }
}
