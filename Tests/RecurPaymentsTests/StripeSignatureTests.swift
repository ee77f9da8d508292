import Foundation
import Testing

@testable import RecurPayments

@Suite("Stripe (PAYMENTS.md section 2)")
struct StripeSignatureTests {
    // KAT-S1 (PAYMENTS.md 2.1), verified with the official library.
    static let payload = Array(
        #"{"id":"evt_test_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_123","object":"invoice"}}}"#.utf8)
    static let goodV1 = "763c7245e0851c064adda608f5cdd93d10fd2d475cb6f10d0d0e5d76154aee02"
    static let header = "t=1700000000,v1=" + goodV1
    static let t: Int64 = 1_700_000_000

    let stripe = StripeSignature(secret: "whsec_test_secret")

    func at(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    @Test("stripe: KAT-S1 header")
    func katS1Header() {
        #expect(stripe.header(for: Self.payload, timestamp: Self.t) == Self.header)
        #expect(stripe.signature(for: Self.payload, timestamp: Self.t) == Self.goodV1)
    }

    @Test("stripe: KAT-S1 verifies within tolerance and returns the signed timestamp")
    func katS1Verifies() throws {
        #expect(try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t + 10)) == Self.t)
        #expect(try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t + 300)) == Self.t)
        #expect(try stripe.verify(payload: Data(Self.payload), header: Self.header, now: at(Self.t)) == Self.t)
    }

    @Test("stripe: KAT-S1 is too old 301 s later (the library's 'outside the tolerance zone')")
    func katS1TooOld() {
        let error = thrownError { try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t + 301)) }
        #expect(error?.code == "timestamp.outside_tolerance")
        #expect(error?.values["direction"] == "past")
        #expect(error?.values["timestamp"] == "1700000000")
        #expect(error?.values["tolerance"] == "300")
    }

    @Test("stripe: a replayed header is accepted only inside the window; no window when tolerance is nil")
    func replay() throws {
        #expect(try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t + 299)) == Self.t)
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t + 86_400)) } == "timestamp.outside_tolerance")
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t + 61), tolerance: 60) } == "timestamp.outside_tolerance")
        #expect(try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t + 86_400), tolerance: nil) == Self.t)
    }

    @Test("stripe: more than the tolerance in the future is rejected too")
    func future() throws {
        let error = thrownError { try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t - 301)) }
        #expect(error?.code == "timestamp.outside_tolerance")
        #expect(error?.values["direction"] == "future")
        #expect(try stripe.verify(payload: Self.payload, header: Self.header, now: at(Self.t - 299)) == Self.t)
    }

    @Test("stripe: several v1 values pass if any matches; v0 is ignored")
    func multipleV1() throws {
        let rolled = "t=1700000000,v1=deadbeef,v1=\(Self.goodV1),v0=abc"
        #expect(try stripe.verify(payload: Self.payload, header: rolled, now: at(Self.t)) == Self.t)
        let parsed = StripeSignature.Header(parsing: rolled)
        #expect(parsed.timestamp == Self.t)
        #expect(parsed.v1 == ["deadbeef", Self.goodV1])
        let spaced = "t=1700000000, v1=\(Self.goodV1)"
        #expect(try stripe.verify(payload: Self.payload, header: spaced, now: at(Self.t)) == Self.t)
    }

    @Test("stripe: a v0 signature alone does not count")
    func onlyV0() {
        let error = thrownError { try stripe.verify(payload: Self.payload, header: "t=1700000000,v0=\(Self.goodV1)", now: at(Self.t)) }
        #expect(error?.code == "signature.missing")
        #expect(error?.values["field"] == "v1")
    }

    @Test("stripe: no header, and a header without a timestamp, are typed errors")
    func headerMissing() {
        #expect(thrownError { try stripe.verify(payload: Self.payload, header: nil, now: at(Self.t)) }?.values["field"] == "Stripe-Signature")
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: "", now: at(Self.t)) } == "signature.missing")
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: "v1=\(Self.goodV1)", now: at(Self.t)) } == "signature.malformed")
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: "t=soon,v1=\(Self.goodV1)", now: at(Self.t)) } == "signature.malformed")
    }

    @Test("stripe: tampered body, wrong secret, secret without whsec_ and upper-case hex fail")
    func badSignature() {
        var tampered = Self.payload
        tampered[tampered.count - 3] = UInt8(ascii: "X")
        #expect(thrownCode { try stripe.verify(payload: tampered, header: Self.header, now: at(Self.t)) } == "signature.invalid")
        #expect(thrownCode { try stripe.verify(payload: Self.payload + [0x20], header: Self.header, now: at(Self.t)) } == "signature.invalid")
        let wrong = StripeSignature(secret: "whsec_other")
        #expect(thrownCode { try wrong.verify(payload: Self.payload, header: Self.header, now: at(Self.t)) } == "signature.invalid")
        let unprefixed = StripeSignature(secret: "test_secret")
        #expect(thrownCode { try unprefixed.verify(payload: Self.payload, header: Self.header, now: at(Self.t)) } == "signature.invalid")
        // The official libraries compare hex exactly; so does Recur.
        let upper = "t=1700000000,v1=" + Self.goodV1.uppercased()
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: upper, now: at(Self.t)) } == "signature.invalid")
        // A changed timestamp changes the signed string.
        let shifted = "t=1700000001,v1=" + Self.goodV1
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: shifted, now: at(Self.t)) } == "signature.invalid")
    }

    @Test("stripe: the signature is checked before the time, as in stripe-python")
    func signatureBeforeTime() {
        let forgedOld = "t=1600000000,v1=deadbeef"
        #expect(thrownCode { try stripe.verify(payload: Self.payload, header: forgedOld, now: at(Self.t)) } == "signature.invalid")
    }

    @Test("stripe: an empty secret is a configuration error")
    func emptySecret() {
        #expect(thrownCode { try StripeSignature(secret: " ").verify(payload: Self.payload, header: Self.header, now: at(Self.t)) } == "configuration.invalid")
    }

    @Test("stripe: sign then verify over non-ASCII and non-UTF-8 bytes")
    func roundTrip() throws {
        let bodies: [[UInt8]] = [
            Array(#"{"name":"Nguyễn Văn A","amount":"250.000₫","emoji":"🧾"}"#.utf8),
            [0x00, 0xff, 0xfe, 0x80, 0x0a],
            [],
        ]
        for body in bodies {
            let header = stripe.header(for: body, timestamp: 1_750_000_000)
            #expect(try stripe.verify(payload: body, header: header, now: at(1_750_000_100)) == 1_750_000_000)
        }
    }

    // MARK: Currency and Checkout Session (PAYMENTS.md 2.3)

    @Test("stripe: zero-decimal currencies are exactly the 16 of 2.3, any case")
    func zeroDecimal() {
        #expect(StripeCurrency.zeroDecimalCodes.count == 16)
        for code in ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"] {
            #expect(StripeCurrency.isZeroDecimal(code))
        }
        #expect(StripeCurrency.isZeroDecimal("vnd"))
        #expect(!StripeCurrency.isZeroDecimal("EUR"))
        #expect(!StripeCurrency.isZeroDecimal("MYR"))
        #expect(!StripeCurrency.isZeroDecimal("USD"))
    }

    @Test("stripe: Recur minor units to unit_amount (VND/JPY exp 0, EUR/MYR exp 2 pass through)")
    func unitAmount() throws {
        #expect(try StripeCurrency.unitAmount(minorUnits: 250_000, currency: "VND", exponent: 0) == 250_000)
        #expect(try StripeCurrency.unitAmount(minorUnits: 1_500, currency: "JPY", exponent: 0) == 1_500)
        #expect(try StripeCurrency.unitAmount(minorUnits: 1_999, currency: "EUR", exponent: 2) == 1_999)
        #expect(try StripeCurrency.unitAmount(minorUnits: 4_990, currency: "myr", exponent: 2) == 4_990)
        #expect(try StripeCurrency.unitAmount(minorUnits: 12, currency: "EUR", exponent: 0) == 1_200)
        #expect(try StripeCurrency.unitAmount(minorUnits: 150_000, currency: "JPY", exponent: 2) == 1_500)
        #expect(thrownCode { try StripeCurrency.unitAmount(minorUnits: 150_050, currency: "JPY", exponent: 2) } == "amount.invalid")
        #expect(thrownCode { try StripeCurrency.unitAmount(minorUnits: -1, currency: "EUR", exponent: 2) } == "amount.invalid")
        #expect(thrownCode { try StripeCurrency.unitAmount(minorUnits: .max, currency: "EUR", exponent: 0) } == "amount.invalid")
        #expect(thrownCode { try StripeCurrency.unitAmount(minorUnits: 1, currency: "EURO", exponent: 2) } == "currency.unsupported")
        #expect(thrownCode { try StripeCurrency.unitAmount(minorUnits: 1, currency: "EUR", exponent: 7) } == "currency.unsupported")
    }

    @Test("stripe: checkout session fields for an invoice, in bracket notation")
    func checkoutSession() throws {
        let request = StripeCheckoutSessionRequest(
            invoiceID: "INV-0001", amount: 1999, currency: "EUR", currencyExponent: 2,
            successURL: "https://recur.example/return", cancelURL: "https://recur.example/cancel",
            expiresAt: Date(timeIntervalSince1970: 1_700_086_400))
        let fields = try request.formFields()
        #expect(fields.map(\.0) == [
            "mode", "line_items[0][price_data][currency]", "line_items[0][price_data][unit_amount]",
            "line_items[0][price_data][product_data][name]", "line_items[0][quantity]", "client_reference_id",
            "metadata[invoice_id]", "payment_intent_data[metadata][invoice_id]", "success_url", "cancel_url", "expires_at",
        ])
        #expect(fields.map(\.1) == [
            "payment", "eur", "1999", "Invoice INV-0001", "1", "INV-0001", "INV-0001", "INV-0001",
            "https://recur.example/return?session_id={CHECKOUT_SESSION_ID}", "https://recur.example/cancel", "1700086400",
        ])
        #expect(
            FormEncoding.encode(Array(fields.prefix(3)))
                == "mode=payment&line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=eur&line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=1999"
        )
    }

    @Test("stripe: checkout session keeps an existing placeholder, appends with &, prefers customer over email")
    func checkoutSessionVariants() throws {
        var request = StripeCheckoutSessionRequest(
            invoiceID: "INV-7", amount: 250_000, currency: "VND", currencyExponent: 0, productName: "Hóa đơn INV-7",
            successURL: "https://r.example/ok?lang=vi", cancelURL: "https://r.example/no",
            customerEmail: "a@b.vn", customer: "cus_123")
        var fields = Dictionary(uniqueKeysWithValues: try request.formFields())
        #expect(fields["success_url"] == "https://r.example/ok?lang=vi&session_id={CHECKOUT_SESSION_ID}")
        #expect(fields["line_items[0][price_data][unit_amount]"] == "250000")
        #expect(fields["line_items[0][price_data][currency]"] == "vnd")
        #expect(fields["line_items[0][price_data][product_data][name]"] == "Hóa đơn INV-7")
        #expect(fields["customer"] == "cus_123")
        #expect(fields["customer_email"] == nil)
        #expect(fields["expires_at"] == nil)

        request.successURL = "https://r.example/ok/{CHECKOUT_SESSION_ID}"
        request.customer = nil
        fields = Dictionary(uniqueKeysWithValues: try request.formFields())
        #expect(fields["success_url"] == "https://r.example/ok/{CHECKOUT_SESSION_ID}")
        #expect(fields["customer_email"] == "a@b.vn")

        request.amount = 0
        #expect(thrownCode { try request.formFields() } == "amount.invalid")
        request.amount = 1
        request.invoiceID = ""
        #expect(thrownCode { try request.formFields() } == "field.missing")
    }
}
