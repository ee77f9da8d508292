import Foundation
import Testing
@testable import RecurPayments

@Suite("PaymentGateway implementations")
struct PaymentGatewayProtocolTests {
    let vnpay = VNPayGateway(configuration: .init(tmnCode: "TESTTMN1", hashSecret: "secret-for-tests"))
    let now = Date(timeIntervalSince1970: 1_772_366_400)

    func ipn(_ fields: [(String, String)], secret: String = "secret-for-tests") -> GatewayCallback {
        GatewayCallback(query: VNPay.canonicalQuery(fields) + "&vnp_SecureHash=" + VNPay.secureHash(for: fields, secret: secret), now: now)
    }

    var fields: [(String, String)] {
        [("vnp_Amount", "29700000"), ("vnp_ResponseCode", "00"), ("vnp_TmnCode", "TESTTMN1"), ("vnp_TransactionNo", "123"),
         ("vnp_TransactionStatus", "00"), ("vnp_TxnRef", "pay_1")]
    }

    @Test("vnpay gateway: a verified IPN is an event of 297,000 VND; each outcome gets its RspCode in VNPAY's order")
    func vnpayAnswers() throws {
        let verdict = vnpay.verify(ipn(fields))
        guard case .event(let e) = verdict else { Issue.record("not an event: \(verdict)"); return }
        #expect(e == GatewayEvent(reference: "pay_1", amount: 297_000, currency: "VND", succeeded: true, gatewayReference: "123", eventType: "ipn"))
        let expected: [(GatewayOutcome, String)] = [(.notFound, "01"), (.amountMismatch, "04"), (.currencyMismatch, "04"), (.alreadyProcessed, "02"),
                                                    (.recorded, "00"), (.error, "99")]
        for (outcome, code) in expected {
            let a = vnpay.answer(verdict, outcome: outcome, callback: ipn(fields))
            #expect(a.status == 200)
            #expect(a.body.contains("\"RspCode\":\"\(code)\""), "\(outcome) → \(a.body)")
        }
        let forged = vnpay.verify(ipn(fields, secret: "wrong"))
        #expect(vnpay.answer(forged, outcome: nil, callback: ipn(fields)).body == #"{"Message":"Invalid signature","RspCode":"97"}"#)
    }

    @Test("2checkout gateway: decimal totals become minor units exactly, or refuse to")
    func decimals() throws {
        let e = GatewayEvent(reference: "r", amount: 1620, currency: "EUR", succeeded: true, gatewayReference: nil, eventType: "ipn")
        var twoDecimals = e
        twoDecimals.amountDecimals = 2
        #expect(twoDecimals.minorUnits(exponent: 2) == 1_620)
        #expect(twoDecimals.minorUnits(exponent: 0) == nil)          // 16.20 dong is not a whole amount
        var vnd = e
        vnd.amount = 25_000_000
        vnd.amountDecimals = 2                                        // "250000.00"
        #expect(vnd.minorUnits(exponent: 0) == 250_000)
        var noDecimals = e
        noDecimals.amount = 16
        noDecimals.amountDecimals = 0                                 // "16" euros
        #expect(noDecimals.minorUnits(exponent: 2) == 1_600)
        #expect(e.minorUnits(exponent: 2) == 1_620)                   // already minor units
        #expect(TwoCheckoutGateway.minorUnits("16.20")! == (1_620, 2))
        #expect(TwoCheckoutGateway.minorUnits("250000")! == (250_000, 0))
        #expect(TwoCheckoutGateway.minorUnits("1,6") == nil)
        #expect(TwoCheckoutGateway.minorUnits("-5") == nil)
        #expect(TwoCheckoutGateway.minorUnits("") == nil)
    }

    @Test("2checkout gateway: the buy link prices 1620 cents as 16.20 and 250000 dong as 250000, and is signed")
    func buyLinkPrices() async throws {
        struct NoNetwork: GatewayTransport {
            func send(_ request: GatewayRequest) async throws -> GatewayResponse { Issue.record("no call expected"); return GatewayResponse(status: 500, body: Data()) }
        }
        let tco = TwoCheckoutGateway(merchant: "M1", secretKey: "k", buyLinkSecret: "w", checkoutURL: "https://secure.2checkout.com/checkout/buy")
        for (amount, currency, exponent, price) in [(Int64(1_620), "EUR", 2, "16.20"), (5, "EUR", 2, "0.05"), (250_000, "VND", 0, "250000")] {
            let page = try await tco.startPayment(GatewayPaymentRequest(reference: "pay_1", invoiceNumber: "INV-1", amount: amount, currency: currency,
                                                                        currencyExponent: exponent, returnURL: "https://r.example/x", clientIP: "1.2.3.4",
                                                                        now: now), transport: NoNetwork())
            #expect(page.url.contains("price=\(price)&"), "\(page.url)")
            #expect(page.url.contains("signature="))
        }
    }
}
