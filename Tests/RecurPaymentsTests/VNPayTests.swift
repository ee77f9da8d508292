import Foundation
import Testing

@testable import RecurPayments

@Suite("VNPAY 2.1.0 (PAYMENTS.md section 1)")
struct VNPayTests {
    // KAT-V1 (PAYMENTS.md 1.4), verified against [LHG].
    static let katV1Canonical =
        "vnp_Amount=1000000&vnp_BankCode=NCB&vnp_BankTranNo=VNP14422574&vnp_CardType=ATM&vnp_OrderInfo=Thanh+toan+don+hang+2024-05-21T02%3A17%3A31.249Z&vnp_PayDate=20240521091806&vnp_ResponseCode=00&vnp_TmnCode=TEST_TMN_CODE&vnp_TransactionNo=14422574&vnp_TransactionStatus=00&vnp_TxnRef=1716257871703"
    static let katV1Hash =
        "649982421beb422556a1374713c74e58e716ecbd05007c0c0e1f7effdfaf361dbf146889ca446139afe11b9954c4d5c486e99e3b86fcfab6957f29eb0be72895"
    static let katV1Query = katV1Canonical + "&vnp_SecureHash=" + katV1Hash

    let vnpay = VNPay(configuration: .init(tmnCode: "TEST_TMN_CODE", hashSecret: "test_secret"))

    /// KAT-V1 with one field replaced, the original hash kept.
    func katV1Query(replacing field: String, with value: String) -> String {
        Self.katV1Query.split(separator: "&").map { pair in
            pair.hasPrefix(field + "=") ? "\(field)=\(value)" : String(pair)
        }.joined(separator: "&")
    }

    /// A query signed with test_secret over `fields`.
    func signedQuery(_ fields: [(String, String)]) -> String {
        VNPay.canonicalQuery(fields) + "&vnp_SecureHash=" + VNPay.secureHash(for: fields, secret: "test_secret")
    }

    // MARK: Known answers

    @Test("vnpay: KAT-V1 canonical string and hash")
    func katV1Canonical() {
        let fields: [(String, String)] = [
            ("vnp_TxnRef", "1716257871703"), ("vnp_Amount", "1000000"), ("vnp_BankCode", "NCB"),
            ("vnp_BankTranNo", "VNP14422574"), ("vnp_CardType", "ATM"),
            ("vnp_OrderInfo", "Thanh toan don hang 2024-05-21T02:17:31.249Z"), ("vnp_PayDate", "20240521091806"),
            ("vnp_ResponseCode", "00"), ("vnp_TmnCode", "TEST_TMN_CODE"), ("vnp_TransactionNo", "14422574"),
            ("vnp_TransactionStatus", "00"), ("vnp_SecureHash", "ignored"), ("vnp_SecureHashType", "SHA512"),
        ]
        #expect(VNPay.canonicalQuery(fields) == Self.katV1Canonical)
        #expect(VNPay.secureHash(for: fields, secret: "test_secret") == Self.katV1Hash)
    }

    @Test("vnpay: KAT-V1 verifies the return URL")
    func katV1Verifies() throws {
        let callback = try vnpay.verifyCallback(query: Self.katV1Query)
        #expect(callback.txnRef == "1716257871703")
        #expect(callback.amount == 10_000)
        #expect(callback.currency == "VND")
        #expect(callback.responseCode == "00")
        #expect(callback.transactionStatus == "00")
        #expect(callback.transactionNo == "14422574")
        #expect(callback.bankCode == "NCB")
        #expect(callback.bankTranNo == "VNP14422574")
        #expect(callback.cardType == "ATM")
        #expect(callback.orderInfo == "Thanh toan don hang 2024-05-21T02:17:31.249Z")
        #expect(callback.payDate == Date(timeIntervalSince1970: 1_716_257_886))  // 2024-05-21 09:18:06 GMT+7
        #expect(callback.isSuccess)
        #expect(callback.response == .success)
        #expect(callback.status == .success)
    }

    @Test("vnpay: KAT-V1 with upper-case hex, shuffled order, SecureHashType and foreign params still verifies")
    func katV1Variants() throws {
        let upper = Self.katV1Canonical + "&vnp_SecureHash=" + Self.katV1Hash.uppercased()
        #expect(try vnpay.verifyCallback(query: upper).amount == 10_000)

        let shuffled = Self.katV1Query.split(separator: "&").reversed().joined(separator: "&")
        #expect(try vnpay.verifyCallback(query: shuffled).txnRef == "1716257871703")

        let extra = "?utm_source=mail&" + Self.katV1Query + "&vnp_SecureHashType=HmacSHA512"
        #expect(try vnpay.verifyCallback(query: extra).transactionNo == "14422574")
    }

    @Test("vnpay: KAT-V3 raw HMAC-SHA512 over a given string")
    func katV3() {
        #expect(
            PaymentHMAC.sha512.hex(
                key: "YOUR_SECURE_SECRET",
                message: "vnp_Amount=10000&vnp_OrderInfo=Payment+for+order+%231234567890&vnp_TnxRef=1234567890")
                == "7bb8160a5d2085a85b3267817a40ee4f770a335282f19714726e6fc6f28a64c75a1e7e9c1aa96f3cbda5ce44095088fb4cb2af66c596d2f655b0b53966312089"
        )
    }

    static let docExampleFields: [(String, String)] = [
        ("vnp_Version", "2.1.0"), ("vnp_Command", "pay"), ("vnp_TmnCode", "DEMOV210"), ("vnp_Amount", "1806000"),
        ("vnp_CreateDate", "20210801153333"), ("vnp_CurrCode", "VND"), ("vnp_IpAddr", "127.0.0.1"),
        ("vnp_Locale", "vn"), ("vnp_OrderInfo", "Thanh toan don hang :5"), ("vnp_OrderType", "other"),
        ("vnp_ReturnUrl", "https://domainmerchant.vn/ReturnUrl"), ("vnp_TxnRef", "5"), ("vnp_BankCode", ""),
    ]

    @Test("vnpay: KAT-V4 doc example canonical string matches the official sample URL and hashes")
    func katV4() {
        #expect(
            VNPay.canonicalQuery(Self.docExampleFields)
                == "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
        )
        #expect(
            VNPay.secureHash(for: Self.docExampleFields, secret: "TESTSECRETKEY0123456789ABCDEFGHIJ")
                == "e3690afc136276cc05d43905004c3fad55f8b050cfd25b3d2195f71aadff0db44421113a4c6bcdf605397a7616f1dca4206fae94fcb160a9104b76709436ec3a"
        )
    }

    // MARK: Payment URL

    @Test("vnpay: payment URL for the doc example (+15 min expiry, GMT+7, hash last) matches Python")
    func paymentURL() throws {
        let demo = VNPay(configuration: .init(tmnCode: "DEMOV210", hashSecret: "TESTSECRETKEY0123456789ABCDEFGHIJ"))
        let request = VNPay.PaymentRequest(
            txnRef: "5", amount: 18_060, orderInfo: "Thanh toán đơn hàng :5", ipAddress: "127.0.0.1",
            returnURL: "https://domainmerchant.vn/ReturnUrl",
            createdAt: Date(timeIntervalSince1970: 1_627_806_813))  // 2021-08-01 15:33:33 GMT+7
        let url = try demo.paymentURL(for: request)
        #expect(
            url.absoluteString
                == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND&vnp_ExpireDate=20210801154833&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0&vnp_SecureHash=dd1a117146fca646f2cf6f9d64dd7f83968af44f12564f7dd516154919e1fe08a860648baa9a2e86d78df48431977fcaed1d8a703f9379b837149ab1bf0d2abc"
        )
        #expect(url.host == "sandbox.vnpayment.vn")
    }

    @Test("vnpay: bank code, locale and bill fields are sent; empty bill fields are left out")
    func paymentParametersOptional() throws {
        let request = VNPay.PaymentRequest(
            txnRef: "INV-0001", amount: 250_000, orderInfo: "INV-0001", locale: .english, ipAddress: "203.0.113.7",
            returnURL: "https://recur.example/r", bankCode: "VNBANK",
            createdAt: Date(timeIntervalSince1970: 1_700_000_000),
            expiresAt: Date(timeIntervalSince1970: 1_700_000_600),
            additionalFields: ["vnp_Bill_Email": "a@b.vn", "vnp_Bill_Mobile": ""])
        let fields = Dictionary(uniqueKeysWithValues: try vnpay.paymentParameters(for: request))
        #expect(fields["vnp_Amount"] == "25000000")
        #expect(fields["vnp_BankCode"] == "VNBANK")
        #expect(fields["vnp_Locale"] == "en")
        #expect(fields["vnp_CreateDate"] == "20231115051320")
        #expect(fields["vnp_ExpireDate"] == "20231115052320")
        #expect(fields["vnp_Bill_Email"] == "a@b.vn")
        #expect(fields["vnp_Bill_Mobile"] == nil)
        #expect(fields["vnp_SecureHashType"] == nil)
        #expect(fields.count == 15)
    }

    @Test("vnpay: a payment URL round-trips through verification as a callback would")
    func paymentURLRoundTrip() throws {
        let request = VNPay.PaymentRequest(
            txnRef: "INV-0002", amount: 99_000, orderInfo: "Hóa đơn INV-0002", ipAddress: "10.0.0.1",
            returnURL: "https://recur.example/r", createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        let url = try vnpay.paymentURL(for: request)
        let query = try #require(url.query)
        // The request has no response fields, so it verifies but does not parse as a callback.
        #expect(thrownCode { try vnpay.verifyCallback(query: query) } == "field.missing")
        let signed = try FormEncoding.decodeQuery(query)
        let hash = try #require(signed.last)
        #expect(hash.0 == "vnp_SecureHash")
        #expect(hash.1 == VNPay.secureHash(for: signed, secret: "test_secret"))
    }

    @Test("vnpay: sanitise strips Vietnamese diacritics including đ/Đ and keeps .,:-_")
    func sanitize() {
        #expect(VNPay.sanitize("Thanh toán hóa đơn #INV-7 (Đà Nẵng)") == "Thanh toan hoa don INV-7 Da Nang")
        #expect(
            VNPay.sanitize("ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳýỷỹỵ đĐ ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚĂƠƯ")
                == "aaaaa aaaaa eeeee ooooo ooooo uuuuu yyyyy dD AAAAEEEIIOOOOUUAOU")
        #expect(VNPay.sanitize("So tien: 100.000,00 VND_x-y") == "So tien: 100.000,00 VND_x-y")
        #expect(VNPay.sanitize("Ho\u{0301}a") == "Hoa")  // already decomposed input
        #expect(VNPay.sanitize("  a/b\\c\"d'e  ") == "a b c d e")
        #expect(VNPay.sanitize(String(repeating: "ab ", count: 10), maxLength: 5) == "ab ab")
        #expect(VNPay.isSafeText("INV-0001 a.b,c:d_e"))
        #expect(!VNPay.isSafeText("INV#1"))
        #expect(!VNPay.isSafeText("đ"))
    }

    @Test("vnpay: invalid payments are refused with typed errors")
    func paymentValidation() {
        func request(txnRef: String = "INV-1", amount: Int64 = 1000, currency: String = "VND", info: String = "x") -> VNPay.PaymentRequest {
            .init(
                txnRef: txnRef, amount: amount, currency: currency, orderInfo: info, ipAddress: "1.2.3.4",
                returnURL: "https://r", createdAt: Date(timeIntervalSince1970: 0))
        }
        #expect(thrownCode { try vnpay.paymentURL(for: request(currency: "USD")) } == "currency.unsupported")
        #expect(thrownCode { try vnpay.paymentURL(for: request(amount: 0)) } == "amount.invalid")
        #expect(thrownCode { try vnpay.paymentURL(for: request(amount: -5)) } == "amount.invalid")
        #expect(thrownCode { try vnpay.paymentURL(for: request(amount: 10_000_000_000)) } == "amount.invalid")
        #expect(thrownCode { try vnpay.paymentURL(for: request(amount: .max)) } == "amount.invalid")
        #expect(thrownCode { try vnpay.paymentURL(for: request(txnRef: "INV#1")) } == "field.invalid")
        #expect(thrownCode { try vnpay.paymentURL(for: request(txnRef: "")) } == "field.missing")
        #expect(thrownCode { try vnpay.paymentURL(for: request(info: "###")) } == "field.missing")
        #expect(thrownCode { try vnpay.paymentURL(for: request(amount: 9_999_999_999)) } == nil)
    }

    // MARK: Hostile callbacks

    @Test("vnpay: tampered amount fails verification")
    func tamperedAmount() {
        let error = thrownError { try vnpay.verifyCallback(query: katV1Query(replacing: "vnp_Amount", with: "100000000")) }
        #expect(error?.code == "signature.invalid")
        #expect(error?.values["field"] == "vnp_SecureHash")
    }

    @Test("vnpay: tampered response code or order info fails verification")
    func tamperedField() {
        #expect(thrownCode { try vnpay.verifyCallback(query: katV1Query(replacing: "vnp_ResponseCode", with: "24")) } == "signature.invalid")
        #expect(thrownCode { try vnpay.verifyCallback(query: katV1Query(replacing: "vnp_TxnRef", with: "1716257871704")) } == "signature.invalid")
        #expect(thrownCode { try vnpay.verifyCallback(query: katV1Query(replacing: "vnp_OrderInfo", with: "Thanh+toan")) } == "signature.invalid")
        #expect(thrownCode { try vnpay.verifyCallback(query: Self.katV1Query + "&vnp_Extra=1") } == "signature.invalid")
    }

    @Test("vnpay: missing or empty vnp_SecureHash is signature.missing")
    func missingHash() {
        #expect(thrownCode { try vnpay.verifyCallback(query: Self.katV1Canonical) } == "signature.missing")
        #expect(thrownCode { try vnpay.verifyCallback(query: Self.katV1Canonical + "&vnp_SecureHash=") } == "signature.missing")
    }

    @Test("vnpay: wrong secret, truncated hash and duplicated fields fail")
    func wrongSecret() {
        let other = VNPay(configuration: .init(tmnCode: "TEST_TMN_CODE", hashSecret: "test_secreT"))
        #expect(thrownCode { try other.verifyCallback(query: Self.katV1Query) } == "signature.invalid")
        #expect(thrownCode { try vnpay.verifyCallback(query: String(Self.katV1Query.dropLast(2))) } == "signature.invalid")
        #expect(thrownCode { try vnpay.verifyCallback(query: Self.katV1Query + "&vnp_Amount=1000000") } == "signature.invalid")
    }

    @Test("vnpay: a signed amount that is not a multiple of 100 is amount.invalid")
    func oddAmount() {
        let fields: [(String, String)] = [
            ("vnp_Amount", "1000050"), ("vnp_BankCode", "NCB"), ("vnp_ResponseCode", "00"),
            ("vnp_TmnCode", "TEST_TMN_CODE"), ("vnp_TransactionNo", "14422574"), ("vnp_TransactionStatus", "00"),
            ("vnp_TxnRef", "1716257871703"),
        ]
        #expect(
            VNPay.secureHash(for: fields, secret: "test_secret")
                == "d920df7cd24aba59648247ccfd1e576c68e760d2443a56eee8536e6b1630ccb04320b0c62770333b6bdb8739754f1164e5f73d4da128ec038358dae8cd47274d"
        )
        let error = thrownError { try vnpay.verifyCallback(query: signedQuery(fields)) }
        #expect(error?.code == "amount.invalid")
        #expect(error?.values["vnp_Amount"] == "1000050")
    }

    @Test("vnpay: a callback signed for another terminal is field.invalid")
    func otherTerminal() {
        let other = VNPay(configuration: .init(tmnCode: "OTHERTMN", hashSecret: "test_secret"))
        let error = thrownError { try other.verifyCallback(query: Self.katV1Query) }
        #expect(error?.code == "field.invalid")
        #expect(error?.values["field"] == "vnp_TmnCode")
    }

    @Test("vnpay: a cancelled payment verifies but is not a success")
    func cancelledPayment() throws {
        let fields: [(String, String)] = [
            ("vnp_Amount", "1000000"), ("vnp_ResponseCode", "24"), ("vnp_TmnCode", "TEST_TMN_CODE"),
            ("vnp_TransactionNo", "0"), ("vnp_TransactionStatus", "02"), ("vnp_TxnRef", "INV-9"),
        ]
        let callback = try vnpay.verifyCallback(query: signedQuery(fields))
        #expect(!callback.isSuccess)
        #expect(callback.response == .cancelledByCustomer)
        #expect(callback.response?.description == "customer cancelled")
        #expect(callback.status == .error)
        #expect(callback.payDate == nil)
        #expect(callback.transactionNo == "0")
    }

    @Test("vnpay: success needs both codes 00 (not the PHP demo's ||)")
    func successRule() throws {
        let fields: [(String, String)] = [
            ("vnp_Amount", "1000000"), ("vnp_ResponseCode", "00"), ("vnp_TmnCode", "TEST_TMN_CODE"),
            ("vnp_TransactionStatus", "01"), ("vnp_TxnRef", "INV-9"),
        ]
        #expect(try vnpay.verifyCallback(query: signedQuery(fields)).isSuccess == false)
    }

    // MARK: IPN decision table (PAYMENTS.md 1.5)

    var verified: Result<VNPay.Callback, PaymentProtocolError> {
        Result { () throws(PaymentProtocolError) in try vnpay.verifyCallback(query: Self.katV1Query) }
    }

    func ipn(_ query: String, _ order: VNPay.OrderLookup) -> VNPay.IPNResponse {
        VNPay.ipnResponse(for: Result { () throws(PaymentProtocolError) in try vnpay.verifyCallback(query: query) }, order: order)
    }

    @Test("vnpay ipn: 97 for a bad checksum, before the order is looked at")
    func ipn97() {
        let response = ipn(katV1Query(replacing: "vnp_Amount", with: "2000000"), .notFound)
        #expect(response.rspCode == .invalidSignature)
        #expect(response.jsonBody == #"{"RspCode":"97","Message":"Invalid signature"}"#)
        #expect(ipn(Self.katV1Canonical, .found(amount: 10_000, currency: "VND", isPending: true)).rspCode.rawValue == "97")
    }

    @Test("vnpay ipn: 01 when the order is not found")
    func ipn01() {
        let response = ipn(Self.katV1Query, .notFound)
        #expect(response.rspCode.rawValue == "01")
        #expect(response.jsonBody == #"{"RspCode":"01","Message":"Order not found"}"#)
    }

    @Test("vnpay ipn: 04 when the amount or currency differs, checked before 02")
    func ipn04() {
        #expect(ipn(Self.katV1Query, .found(amount: 10_001, currency: "VND", isPending: true)).jsonBody == #"{"RspCode":"04","Message":"invalid amount"}"#)
        #expect(ipn(Self.katV1Query, .found(amount: 10_000, currency: "USD", isPending: true)).rspCode == .invalidAmount)
        #expect(ipn(Self.katV1Query, .found(amount: 9_999, currency: "VND", isPending: false)).rspCode == .invalidAmount)
    }

    @Test("vnpay ipn: 02 when the order was already confirmed (a retried IPN)")
    func ipn02() {
        let response = ipn(Self.katV1Query, .found(amount: 10_000, currency: "vnd", isPending: false))
        #expect(response.jsonBody == #"{"RspCode":"02","Message":"Order already confirmed"}"#)
        #expect(response.rspCode.endsRetries)
        #expect(!response.recordsResult)
    }

    @Test("vnpay ipn: 00 Confirm Success records the result")
    func ipn00() {
        let response = VNPay.ipnResponse(for: verified, order: .found(amount: 10_000, currency: "VND", isPending: true))
        #expect(response.jsonBody == #"{"RspCode":"00","Message":"Confirm Success"}"#)
        #expect(response.recordsResult)
        #expect(response.rspCode.endsRetries)
    }

    @Test("vnpay ipn: 99 for a failing lookup, missing input or an unreadable amount")
    func ipn99() {
        struct StoreDown: Error {}
        let failing = VNPay.ipnResponse(for: verified) { _ in throw StoreDown() }
        #expect(failing.jsonBody == #"{"RspCode":"99","Message":"Unknow error"}"#)
        #expect(!failing.rspCode.endsRetries)

        #expect(ipn("", .notFound).jsonBody == #"{"RspCode":"99","Message":"Input data required"}"#)
        #expect(ipn("foo=bar", .notFound).rspCode == .unknownError)

        let odd: [(String, String)] = [
            ("vnp_Amount", "1000050"), ("vnp_BankCode", "NCB"), ("vnp_ResponseCode", "00"),
            ("vnp_TmnCode", "TEST_TMN_CODE"), ("vnp_TransactionNo", "14422574"), ("vnp_TransactionStatus", "00"),
            ("vnp_TxnRef", "1716257871703"),
        ]
        #expect(ipn(signedQuery(odd), .notFound).jsonBody == #"{"RspCode":"99","Message":"Unknow error"}"#)
    }

    @Test("vnpay ipn: the lookup runs only for a verified callback, with its txnRef")
    func ipnLookupArgument() {
        var seen: [String] = []
        _ = VNPay.ipnResponse(for: verified) { callback in
            seen.append(callback.txnRef)
            return .notFound
        }
        let bad = Result<VNPay.Callback, PaymentProtocolError> { () throws(PaymentProtocolError) in
            try vnpay.verifyCallback(query: Self.katV1Canonical)
        }
        _ = VNPay.ipnResponse(for: bad) { callback in
            seen.append("unexpected")
            return .notFound
        }
        #expect(seen == ["1716257871703"])
    }

    @Test("vnpay ipn: RspCode table and messages")
    func rspCodeTable() {
        #expect(VNPay.RspCode.allCases.map(\.rawValue) == ["00", "01", "02", "04", "97", "99"])
        #expect(VNPay.RspCode.allCases.filter(\.endsRetries) == [.confirmSuccess, .orderAlreadyConfirmed])
        #expect(VNPay.RspCode.orderNotFound.description == "01 Order not found")
    }

    // MARK: querydr and refund (PAYMENTS.md 1.7)

    static let dec21 = Date(timeIntervalSince1970: 1_703_129_400)  // 2023-12-21 10:30:00 GMT+7

    @Test("vnpay querydr: computed vector ac23f7e0…2eb565 and the body in wire order")
    func queryDR() {
        let request = vnpay.queryRequest(
            .init(
                requestId: "REQUEST123456", txnRef: "TXN123456789", orderInfo: "Test order query",
                transactionDate: Self.dec21, createdAt: Self.dec21, ipAddress: "127.0.0.1"))
        let hash =
            "ac23f7e0db3fc8bc6dc83350725b891aa921ec7a83d1a370978d314457eeda176ff26a87bd4e13dc896c24890238b29fadf033080a07aa52abafa830cd2eb565"
        #expect(request.secureHash == hash)
        #expect(
            VNPay.pipeChecksum(
                [
                    "REQUEST123456", "2.1.0", "querydr", "TEST_TMN_CODE", "TXN123456789", "20231221103000",
                    "20231221103000", "127.0.0.1", "Test order query",
                ], secret: "test_secret") == hash)
        #expect(
            request.jsonText
                == #"{"vnp_RequestId":"REQUEST123456","vnp_Version":"2.1.0","vnp_Command":"querydr","vnp_TmnCode":"TEST_TMN_CODE","vnp_TxnRef":"TXN123456789","vnp_OrderInfo":"Test order query","vnp_TransactionDate":"20231221103000","vnp_CreateDate":"20231221103000","vnp_IpAddr":"127.0.0.1","vnp_SecureHash":"\#(hash)"}"#
        )
        #expect(request.url.absoluteString == "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction")
    }

    @Test("vnpay querydr: vnp_TransactionNo is sent when known but is not hashed")
    func queryDRTransactionNo() {
        let request = vnpay.queryRequest(
            .init(
                requestId: "REQUEST123456", txnRef: "TXN123456789", orderInfo: "Test order query",
                transactionNo: "14422574", transactionDate: Self.dec21, createdAt: Self.dec21, ipAddress: "127.0.0.1"))
        #expect(request.fields.map(\.0).contains("vnp_TransactionNo"))
        #expect(request.secureHash.hasPrefix("ac23f7e0"))
    }

    @Test("vnpay refund: computed vector 1b0d3f82…ba9a33, amount ×100")
    func refund() throws {
        let request = try vnpay.refundRequest(
            .init(
                requestId: "REFUND123456", type: .full, txnRef: "TXN123456789", amount: 10_000,
                transactionNo: "14422574", transactionDate: Self.dec21, createdBy: "merchant_user",
                createdAt: Self.dec21, ipAddress: "127.0.0.1", orderInfo: "Test refund order"))
        #expect(
            request.secureHash
                == "1b0d3f82bc64cda12af250a284e72895b965ad745fef5a5b4f2b0ab50142e0089598fd9fd28e73d1c4ede96932996c3b08b4e9ab8a02fa5e88ecc555afba9a33"
        )
        let fields = Dictionary(uniqueKeysWithValues: request.fields)
        #expect(fields["vnp_Amount"] == "1000000")
        #expect(fields["vnp_TransactionType"] == "02")
        #expect(fields["vnp_Command"] == "refund")
        #expect(request.fields.last?.0 == "vnp_SecureHash")
    }

    @Test("vnpay refund: unknown transaction number is sent as 0; partial is 03; non-VND refused")
    func refundDefaults() throws {
        let request = try vnpay.refundRequest(
            .init(
                requestId: "R2", type: .partial, txnRef: "T", amount: 5_000, transactionDate: Self.dec21,
                createdBy: "u", createdAt: Self.dec21, ipAddress: "127.0.0.1", orderInfo: "p"))
        let fields = Dictionary(uniqueKeysWithValues: request.fields)
        #expect(fields["vnp_TransactionNo"] == "0")
        #expect(fields["vnp_TransactionType"] == "03")
        #expect(
            request.secureHash
                == VNPay.pipeChecksum(
                    ["R2", "2.1.0", "refund", "TEST_TMN_CODE", "03", "T", "500000", "0", "20231221103000", "u", "20231221103000", "127.0.0.1", "p"],
                    secret: "test_secret"))
        #expect(
            thrownCode {
                try vnpay.refundRequest(
                    .init(
                        requestId: "R3", type: .full, txnRef: "T", amount: 5, currency: "EUR", transactionDate: Self.dec21,
                        createdBy: "u", createdAt: Self.dec21, ipAddress: "1", orderInfo: "p"))
            } == "currency.unsupported")
    }

    static let queryResponseHash =
        "1d2e28b846ea2203ae4f24c6b4218eb42869f10aa56a1ebd867b86a291f9a48280aa29f0c5e996e9bfcdb2a458b16ff3d1c7ac4f312b0b4c1f03fcc7e32b9848"

    func queryResponseJSON(amount: String = "\"1000000\"", hash: String? = queryResponseHash) -> Data {
        var text =
            #"{"vnp_ResponseId":"RESP0001","vnp_Command":"querydr","vnp_ResponseCode":"00","vnp_Message":"QueryDR Success","vnp_TmnCode":"TEST_TMN_CODE","vnp_TxnRef":"TXN123456789","vnp_Amount":\#(amount),"vnp_OrderInfo":"Test order query","vnp_BankCode":"NCB","vnp_PayDate":"20231221103512","vnp_TransactionNo":"14422574","vnp_TransactionType":"01","vnp_TransactionStatus":"00","vnp_PromotionCode":null"#
        if let hash { text += #","vnp_SecureHash":"\#(hash)""# }
        return Data((text + "}").utf8)
    }

    @Test("vnpay querydr response: a signed answer verifies and confirms the payment")
    func queryResponse() throws {
        let response = try vnpay.verifyQueryResponse(queryResponseJSON())
        #expect(response.isSigned)
        #expect(response.confirmsPayment)
        #expect(response.amount == 10_000)
        #expect(response["vnp_TransactionNo"] == "14422574")
        #expect(VNPay.QueryResponseCode(rawValue: response.responseCode) == .success)
    }

    @Test("vnpay querydr response: numeric JSON amounts hash as their decimal text; upper-case hex accepted")
    func queryResponseNumeric() throws {
        #expect(try vnpay.verifyQueryResponse(queryResponseJSON(amount: "1000000")).amount == 10_000)
        #expect(try vnpay.verifyQueryResponse(queryResponseJSON(hash: Self.queryResponseHash.uppercased())).isSigned)
    }

    @Test("vnpay querydr response: tampered amount, missing hash and non-JSON fail")
    func queryResponseHostile() {
        #expect(thrownCode { try vnpay.verifyQueryResponse(queryResponseJSON(amount: "\"2000000\"")) } == "signature.invalid")
        #expect(thrownCode { try vnpay.verifyQueryResponse(queryResponseJSON(hash: nil)) } == "signature.missing")
        #expect(thrownCode { try vnpay.verifyQueryResponse(Data("[1,2]".utf8)) } == "json.invalid")
        #expect(thrownCode { try vnpay.verifyQueryResponse(Data("not json".utf8)) } == "json.invalid")
    }

    @Test("vnpay querydr response: 91 and 97 come back unsigned and never confirm a payment")
    func queryResponseUnsigned() throws {
        let notFound = try vnpay.verifyQueryResponse(
            Data(#"{"vnp_ResponseId":"X","vnp_Command":"querydr","vnp_ResponseCode":"91","vnp_Message":"Not found"}"#.utf8))
        #expect(!notFound.isSigned)
        #expect(!notFound.confirmsPayment)
        #expect(notFound.responseCode == "91")
        let badChecksum = try vnpay.verifyQueryResponse(Data(#"{"vnp_ResponseCode":"97","vnp_SecureHash":"abcd"}"#.utf8))
        #expect(!badChecksum.isSigned)
        #expect(thrownCode { try vnpay.verifyQueryResponse(Data(#"{"vnp_ResponseCode":"94"}"#.utf8)) } == "signature.missing")
    }

    @Test("vnpay refund response: 13 fields, raw vnp_Amount hashed")
    func refundResponse() throws {
        let body = Data(
            #"{"vnp_ResponseId":"RESP0002","vnp_Command":"refund","vnp_ResponseCode":"00","vnp_Message":"Refund success","vnp_TmnCode":"TEST_TMN_CODE","vnp_TxnRef":"TXN123456789","vnp_Amount":"1000000","vnp_BankCode":"NCB","vnp_PayDate":"20231221110000","vnp_TransactionNo":"14422575","vnp_TransactionType":"02","vnp_TransactionStatus":"05","vnp_OrderInfo":"Test refund order","vnp_SecureHash":"c6b661e567cc73d79a866d72b476ddf99e7c29deddb77ce6db7318494d5d42255804e2a7c3660807bdea21b6b4b858ee3c48a430c97b0969f211610d90c4e6d9"}"#
                .utf8)
        let response = try vnpay.verifyRefundResponse(body)
        #expect(response.isSigned)
        #expect(!response.confirmsPayment)  // a refund answer is not a payment
        #expect(response.transactionStatus == "05")
        #expect(VNPay.refundResponseHashFields.count == 13)
        #expect(VNPay.refundResponseHashFields.last == "vnp_OrderInfo")
        // The querydr list (15 fields) gives a different string, so the same body fails there.
        #expect(thrownCode { try vnpay.verifyQueryResponse(body) } == "signature.invalid")
    }

    // MARK: Code tables (PAYMENTS.md 1.6, 1.7)

    @Test("vnpay: response code tables have the documented codes and meanings")
    func codeTables() {
        #expect(VNPay.ResponseCode.allCases.map(\.rawValue) == ["00", "07", "09", "10", "11", "12", "13", "24", "51", "65", "75", "79", "99"])
        #expect(VNPay.ResponseCode(rawValue: "51")?.description == "insufficient balance")
        #expect(VNPay.TransactionStatus.allCases.map(\.rawValue) == ["00", "01", "02", "04", "05", "06", "07", "09"])
        #expect(VNPay.TransactionStatus(rawValue: "09")?.description == "refund rejected")
        #expect(VNPay.QueryResponseCode(rawValue: "94")?.description == "duplicate request")
        #expect(VNPay.RefundResponseCode(rawValue: "94")?.description == "refund already requested")
        #expect(VNPay.RefundResponseCode(rawValue: "95") == .transactionNotSuccessful)
        #expect(VNPay.ResponseCode(rawValue: "42") == nil)
    }

    @Test("vnpay: dates are GMT+7 whatever the machine's zone")
    func dates() {
        #expect(VNPay.formatDate(Date(timeIntervalSince1970: 1_627_806_813)) == "20210801153333")
        #expect(VNPay.parseDate("20210801153333") == Date(timeIntervalSince1970: 1_627_806_813))
        #expect(VNPay.parseDate("2021080115333") == nil)
    }
}
