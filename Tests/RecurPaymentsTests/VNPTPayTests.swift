import Foundation
import Testing

@testable import RecurPayments

@Suite("VNPT Pay (PAYMENTS.md 4.1)")
struct VNPTPayTests {
    // The SDK README's sample credentials and order; hashes from Python hashlib.
    static let secretKey = "36e3c5b5a6d53fce2a2cc23d46ee5988"
    static let created = Date(timeIntervalSince1970: 1_582_312_942)  // 2020-02-22 02:22:22 GMT+7

    let vnpt = VNPTPay(configuration: .init(merchantServiceID: "6901", secretKey: secretKey, apiKey: "acf392daf78c3cbeeb9705dab9a63219"))

    @Test("vnpt: SECURE_CODE is SHA-256 of the values and the key joined with |")
    func secureCode() {
        #expect(VNPTPay.secureCode(["a", "", "b"], secretKey: "k") == PaymentCrypto.sha256Hex("a||b|k"))
        #expect(PaymentCrypto.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("vnpt: INIT body in the SDK's field order with its SECURE_CODE")
    func initBody() throws {
        let request = try vnpt.initRequest(
            .init(merchantOrderID: "OID-009", amount: 69_000, description: "Mô tả yêu cầu thanh toán", createdAt: Self.created, clientIP: "127.0.0.1"))
        #expect(request.secureCode == "a9cedc320bff815bdfd912a0fc616398bbef316272cf541173f89bb73f9ac032")
        #expect(request.fields.map(\.0) == [
            "ACTION", "VERSION", "MERCHANT_SERVICE_ID", "MERCHANT_ORDER_ID", "AMOUNT", "AMOUNT_DETAIL", "SERVICE_ID", "DEVICE",
            "LOCALE", "CURRENCY_CODE", "PAYMENT_METHOD", "DESCRIPTION", "CREATE_DATE", "CLIENT_IP", "SECURE_CODE",
        ])
        #expect(
            request.jsonText
                == #"{"ACTION":"INIT","VERSION":"1.0.5","MERCHANT_SERVICE_ID":6901,"MERCHANT_ORDER_ID":"OID-009","AMOUNT":69000,"AMOUNT_DETAIL":"69000","SERVICE_ID":"1","DEVICE":1,"LOCALE":"vi-VN","CURRENCY_CODE":"VND","PAYMENT_METHOD":"VNPTPAY","DESCRIPTION":"Mô tả yêu cầu thanh toán","CREATE_DATE":"20200222022222","CLIENT_IP":"127.0.0.1","SECURE_CODE":"a9cedc320bff815bdfd912a0fc616398bbef316272cf541173f89bb73f9ac032"}"#
        )
        #expect(request.url.absoluteString == "https://sandbox.vnptpay.vn/rest/payment/v1.0.5/init")
        // The body is valid JSON.
        let parsed = try JSONSerialization.jsonObject(with: request.jsonBody) as? [String: Any]
        #expect(parsed?["AMOUNT"] as? Int == 69_000)
    }

    @Test("vnpt: QUERY body and SECURE_CODE")
    func queryBody() {
        let request = vnpt.queryRequest(merchantOrderID: "OID-009", createdAt: Self.created)
        #expect(request.secureCode == "4fdf09dc1ca81efeef41773e8c62846c3285c1cbba53b892e15fd49d0b6c9b9a")
        #expect(
            request.jsonText
                == #"{"ACTION":"QUERY","VERSION":"1.0.5","MERCHANT_SERVICE_ID":6901,"MERCHANT_ORDER_ID":"OID-009","CREATE_DATE":"20200222022222","SECURE_CODE":"4fdf09dc1ca81efeef41773e8c62846c3285c1cbba53b892e15fd49d0b6c9b9a"}"#
        )
        #expect(request.url.lastPathComponent == "query_transaction")
    }

    @Test("vnpt: a non-numeric service id is sent as a JSON string; bad inits are refused")
    func initValidation() {
        let lettered = VNPTPay(configuration: .init(merchantServiceID: "SVC-A", secretKey: "k", apiKey: "t"))
        #expect(lettered.queryRequest(merchantOrderID: "O", createdAt: Self.created).jsonText.contains(#""MERCHANT_SERVICE_ID":"SVC-A""#))
        func request(amount: Int64 = 1, currency: String = "VND", id: String = "O") -> VNPTPay.InitRequest {
            .init(merchantOrderID: id, amount: amount, currency: currency, description: "d", createdAt: Self.created, clientIP: "1")
        }
        #expect(thrownCode { try vnpt.initRequest(request(currency: "USD")) } == "currency.unsupported")
        #expect(thrownCode { try vnpt.initRequest(request(amount: 0)) } == "amount.invalid")
        #expect(thrownCode { try vnpt.initRequest(request(id: "")) } == "field.missing")
    }

    static let queryAnswer =
        #"{"RESPONSE_CODE":"00","DESCRIPTION":"Thanh cong","MERCHANT_ORDER_ID":"OID-009","VNPTPAY_TRANSACTION_ID":"VP123456789","AMOUNT":69000,"LOCALE":"vi-VN","CURRENCY_CODE":"VND","PAYMENT_METHOD":"VNPTPAY","PAY_DATE":"20200222023000","TRANSACTION_STATUS":"00","ADDITIONAL_INFO":"","SECURE_CODE":"8d5d9c8a36fbdcfd91fa8b6ef6eed9c22c0daeec14838acab7abf1da77117fad"}"#

    @Test("vnpt: a query answer verifies over the assumed field order")
    func verifyResponse() throws {
        let fields = try vnpt.verifyResponse(Data(Self.queryAnswer.utf8), signedFieldOrder: VNPTPay.queryResponseFieldOrder)
        #expect(fields["VNPTPAY_TRANSACTION_ID"] == "VP123456789")
        #expect(fields["AMOUNT"] == "69000")
        let upper = Self.queryAnswer.replacingOccurrences(of: "8d5d9c8a36fbdcfd", with: "8D5D9C8A36FBDCFD")
        #expect(try vnpt.verifyResponse(Data(upper.utf8), signedFieldOrder: VNPTPay.queryResponseFieldOrder)["RESPONSE_CODE"] == "00")
    }

    @Test("vnpt: tampered amount, other order, missing code and a wrong key fail")
    func verifyResponseHostile() {
        let order = VNPTPay.queryResponseFieldOrder
        let tampered = Self.queryAnswer.replacingOccurrences(of: "69000", with: "6900")
        #expect(thrownCode { try vnpt.verifyResponse(Data(tampered.utf8), signedFieldOrder: order) } == "signature.invalid")
        #expect(thrownCode { try vnpt.verifyResponse(Data(Self.queryAnswer.utf8), signedFieldOrder: Array(order.reversed())) } == "signature.invalid")
        let unsigned = Self.queryAnswer.replacingOccurrences(of: #""SECURE_CODE""#, with: #""OTHER""#)
        #expect(thrownCode { try vnpt.verifyResponse(Data(unsigned.utf8), signedFieldOrder: order) } == "signature.missing")
        let other = VNPTPay(configuration: .init(merchantServiceID: "6901", secretKey: "other", apiKey: ""))
        #expect(thrownCode { try other.verifyResponse(Data(Self.queryAnswer.utf8), signedFieldOrder: order) } == "signature.invalid")
        #expect(thrownCode { try vnpt.verifyResponse(Data("{".utf8), signedFieldOrder: order) } == "json.invalid")
    }

    @Test("vnpt: a notification in the assumed format parses into a typed result")
    func notificationDefault() throws {
        let notification = try vnpt.verifyNotification(Data(Self.queryAnswer.utf8))
        #expect(notification.merchantOrderID == "OID-009")
        #expect(notification.transactionID == "VP123456789")
        #expect(notification.amount == 69_000)
        #expect(notification.currency == "VND")
        #expect(notification.responseCode == "00")
        #expect(notification.transactionStatus == "00")
        #expect(notification.payDate == Date(timeIntervalSince1970: 1_582_313_400))  // 2020-02-22 02:30:00 GMT+7
        #expect(notification.paymentMethod == "VNPTPAY")
        #expect(notification.isSuccess)
    }

    @Test("vnpt: a notification format with other names, order and success values")
    func notificationCustom() throws {
        var format = VNPTPay.NotificationFormat()
        format.merchantOrderID = "orderId"
        format.amount = "amount"
        format.responseCode = "status"
        format.transactionStatus = "txnStatus"
        format.transactionID = "txnId"
        format.secureCode = "checksum"
        format.signedFieldOrder = ["orderId", "amount", "status"]
        format.successValues = ["SUCCESS"]
        let body = #"{"orderId":"OID-010","amount":"150000","status":"SUCCESS","txnId":"T1","checksum":"159c3d0da90ccdf25c6d929e49793084296fc877ed6ed2fb59354653bdc8f2d5"}"#
        let notification = try vnpt.verifyNotification(Data(body.utf8), format: format)
        #expect(notification.merchantOrderID == "OID-010")
        #expect(notification.amount == 150_000)
        #expect(notification.transactionID == "T1")
        #expect(notification.transactionStatus == nil)
        #expect(notification.isSuccess)

        let failed = body.replacingOccurrences(of: #""status":"SUCCESS""#, with: #""status":"FAILED""#)
        #expect(thrownCode { try vnpt.verifyNotification(Data(failed.utf8), format: format) } == "signature.invalid")
        #expect(thrownCode { try vnpt.verifyNotification(Data(body.utf8)) } == "signature.missing")
    }

    @Test("vnpt: a signed notification with a failed status is not a success; bad amounts are refused")
    func notificationStatus() throws {
        func signed(_ fields: [(String, String)], order: [String]) -> Data {
            let values = Dictionary(uniqueKeysWithValues: fields)
            let code = VNPTPay.secureCode(order.map { values[$0] ?? "" }, secretKey: Self.secretKey)
            let json = (fields + [("SECURE_CODE", code)]).map { "\"\($0.0)\":\"\($0.1)\"" }.joined(separator: ",")
            return Data("{\(json)}".utf8)
        }
        let order = VNPTPay.queryResponseFieldOrder
        let failed = signed([("RESPONSE_CODE", "00"), ("MERCHANT_ORDER_ID", "O"), ("AMOUNT", "5"), ("TRANSACTION_STATUS", "02")], order: order)
        #expect(try vnpt.verifyNotification(failed).isSuccess == false)
        let rejected = signed([("RESPONSE_CODE", "07"), ("MERCHANT_ORDER_ID", "O"), ("AMOUNT", "5")], order: order)
        #expect(try vnpt.verifyNotification(rejected).isSuccess == false)
        let fractional = signed([("RESPONSE_CODE", "00"), ("MERCHANT_ORDER_ID", "O"), ("AMOUNT", "5.5")], order: order)
        #expect(thrownCode { try vnpt.verifyNotification(fractional) } == "amount.invalid")
        let dollars = signed([("RESPONSE_CODE", "00"), ("MERCHANT_ORDER_ID", "O"), ("AMOUNT", "5"), ("CURRENCY_CODE", "USD")], order: order)
        #expect(thrownCode { try vnpt.verifyNotification(dollars) } == "currency.unsupported")
        let noOrder = signed([("RESPONSE_CODE", "00"), ("AMOUNT", "5")], order: order)
        #expect(thrownError { try vnpt.verifyNotification(noOrder) }?.values["field"] == "MERCHANT_ORDER_ID")
    }
}
