import Foundation
import Testing

@testable import RecurPayments

@Suite("2Checkout / Verifone (PAYMENTS.md section 3)")
struct TwoCheckoutTests {
    static let katT1Fields: [(String, String)] = [
        ("IPN_PID[]", "1"), ("IPN_PNAME[]", "Software program"), ("IPN_DATE", "20050303123434"),
    ]

    // An IPN with an array, a "0", an empty value and Vietnamese text; hashes from Python hmac.
    static let ipnBody =
        "SALEDATE=2024-05-21+10%3A00%3A00&REFNO=12345678&REFNOEXT=INV-0001&ORDERNO=0&ORDERSTATUS=COMPLETE&FIRSTNAME=Nguy%E1%BB%85n&COMPANY=&IPN_PID%5B%5D=1&IPN_PID%5B%5D=2&IPN_PNAME%5B%5D=Pro+plan&IPN_PNAME%5B%5D=Extra+seats&IPN_DATE=20240521100000&CURRENCY=USD&IPN_TOTALGENERAL=49.00"
    static let ipnSource =
        "192024-05-21 10:00:008123456788INV-0001108COMPLETE8Nguyễn011128Pro plan11Extra seats14202405211000003USD549.00"
    static let ipnMD5 = "12b43207c3adb253fdb79bcd127278af"
    static let ipnSHA256 = "4ab66f971a7f3f4c72ff9242c918407247eed72b413a4e30b552d193e8acc86e"
    static let ipnSHA3 = "0f90696089ea47a932940467cdc570def105e3a7ee2fa5e53c81b8ce5da0c453"
    static let key = "AABBCCDDEEFF"

    func fields(_ body: String) throws -> [(String, String)] { try FormEncoding.decodeQuery(body) }

    @Test("2co: length prefixes count UTF-8 bytes; empty is 0 and \"0\" is 10")
    func lengthPrefix() {
        #expect(TwoCheckout.lengthPrefixed("") == "0")
        #expect(TwoCheckout.lengthPrefixed("0") == "10")
        #expect(TwoCheckout.lengthPrefixed("Software program") == "16Software program")
        #expect(TwoCheckout.lengthPrefixed("đ") == "2đ")
        #expect(TwoCheckout.lengthPrefixed("日本") == "6日本")
        #expect(TwoCheckout.lengthPrefixed("🧾") == "4🧾")
    }

    @Test("2co: KAT-T1 source string and HMAC-MD5 legacy receipt")
    func katT1Legacy() throws {
        #expect(TwoCheckout.serialize(["1", "Software program", "20050303123434", "20050303123434"]) == "1116Software program14200503031234341420050303123434")
        #expect(
            try TwoCheckout.legacyReadReceipt(for: Self.katT1Fields, secretKey: Self.key, date: "20050303123434")
                == "<EPAYMENT>20050303123434|7bf97ed39681027d0c45aa45e3ea98f0</EPAYMENT>")
    }

    @Test("2co: KAT-T1 SHA-256 receipt")
    func katT1SHA256() throws {
        #expect(
            try TwoCheckout.readReceipt(for: Self.katT1Fields, secretKey: Self.key, date: "20050303123434")
                == #"<sig algo="sha256" date="20050303123434">ea6f44c39b3d204b59500998fcb9221c92744d9721a94b45fc6d5cda99980176</sig>"#)
    }

    @Test("2co: KAT-T1 SHA3-256 receipt with the in-module Keccak")
    func katT1SHA3() throws {
        #expect(
            try TwoCheckout.readReceipt(for: Self.katT1Fields, secretKey: Self.key, date: "20050303123434", algorithm: .sha3_256)
                == #"<sig algo="sha3-256" date="20050303123434">85180497aaaa4844a278b52b1ce257d2820dbf5857470a5f678fef2266d0d4a8</sig>"#)
        #expect(
            TwoCheckout.readReceiptHash(
                ipnPID: "1", ipnPName: "Software program", ipnDate: "20050303123434", date: "20050303123434",
                secretKey: Self.key, algorithm: .sha3_256) == "85180497aaaa4844a278b52b1ce257d2820dbf5857470a5f678fef2266d0d4a8")
    }

    @Test("2co: receipt uses the first array elements and the server date (YmdHis, UTC)")
    func receiptFromIPN() throws {
        let date = TwoCheckout.formatDate(Date(timeIntervalSince1970: 1_716_285_605))  // 2024-05-21 10:00:05 UTC
        #expect(date == "20240521100005")
        let ipn = try fields(Self.ipnBody)
        #expect(
            try TwoCheckout.readReceipt(for: ipn, secretKey: Self.key, date: date)
                == #"<sig algo="sha256" date="20240521100005">ce3b48641eea72e0cdc7118978e95abdc610c878534beb7474a1e7c64a332a4e</sig>"#)
        #expect(
            try TwoCheckout.legacyReadReceipt(for: ipn, secretKey: Self.key, date: date)
                == "<EPAYMENT>20240521100005|346c130ece3656d90a20f4e81d8cdaab</EPAYMENT>")
        #expect(thrownCode { try TwoCheckout.readReceipt(for: [("IPN_DATE", "1")], secretKey: Self.key, date: date) } == "field.missing")
    }

    @Test("2co: IPN source string walks fields in order, arrays element by element")
    func ipnSource() throws {
        let ipn = try fields(Self.ipnBody + "&HASH=x&SIGNATURE_SHA2_256=y&SIGNATURE_SHA3_256=z")
        #expect(TwoCheckout.ipnSourceString(ipn) == Self.ipnSource)
        #expect(TwoCheckout.Algorithm.md5.hex(secretKey: Self.key, message: Self.ipnSource) == Self.ipnMD5)
        #expect(TwoCheckout.Algorithm.sha256.hex(secretKey: Self.key, message: Self.ipnSource) == Self.ipnSHA256)
        #expect(TwoCheckout.Algorithm.sha3_256.hex(secretKey: Self.key, message: Self.ipnSource) == Self.ipnSHA3)
    }

    @Test("2co: interleaved array fields are grouped as PHP's $_POST groups them")
    func arraysGrouped() throws {
        let interleaved = try fields("IPN_PID[]=1&IPN_PNAME[]=a&IPN_PID[]=22&IPN_PNAME[]=b&X=y")
        #expect(TwoCheckout.ipnSourceString(interleaved) == "112221a1b1y")
        let grouped = TwoCheckout.groupedFields(interleaved)
        #expect(grouped.map(\.name) == ["IPN_PID[]", "IPN_PNAME[]", "X"])
        #expect(grouped.map(\.values) == [["1", "22"], ["a", "b"], ["y"]])
    }

    @Test("2co: IPN with all three signatures verifies with SHA3-256")
    func verifySHA3() throws {
        let body = Self.ipnBody + "&HASH=\(Self.ipnMD5)&SIGNATURE_SHA2_256=\(Self.ipnSHA256)&SIGNATURE_SHA3_256=\(Self.ipnSHA3)"
        #expect(try TwoCheckout.verifyIPN(body: body, secretKey: Self.key) == .sha3_256)
    }

    @Test("2co: without SHA3 the SHA-256 signature is used, then MD5")
    func verifyFallbacks() throws {
        #expect(try TwoCheckout.verifyIPN(body: Self.ipnBody + "&HASH=\(Self.ipnMD5)&SIGNATURE_SHA2_256=\(Self.ipnSHA256)", secretKey: Self.key) == .sha256)
        #expect(try TwoCheckout.verifyIPN(body: Self.ipnBody + "&HASH=\(Self.ipnMD5)", secretKey: Self.key) == .md5)
        #expect(try TwoCheckout.verifyIPN(body: "HASH=\(Self.ipnMD5)&" + Self.ipnBody, secretKey: Self.key) == .md5)
    }

    @Test("2co: upper-case hex is accepted")
    func upperCase() throws {
        #expect(try TwoCheckout.verifyIPN(body: Self.ipnBody + "&SIGNATURE_SHA3_256=\(Self.ipnSHA3.uppercased())", secretKey: Self.key) == .sha3_256)
        #expect(try TwoCheckout.verifyIPN(body: Self.ipnBody + "&HASH=\(Self.ipnMD5.uppercased())", secretKey: Self.key) == .md5)
    }

    @Test("2co: reordered fields FAIL (the hash follows the received order)")
    func reordered() throws {
        var ipn = try fields(Self.ipnBody + "&SIGNATURE_SHA2_256=\(Self.ipnSHA256)")
        ipn.swapAt(1, 2)  // REFNO and REFNOEXT
        let error = thrownError { try TwoCheckout.verifyIPN(fields: ipn, secretKey: Self.key) }
        #expect(error?.code == "signature.invalid")
        #expect(error?.values["field"] == "SIGNATURE_SHA2_256")
    }

    @Test("2co: a tampered total, a dropped field, a wrong key fail")
    func tampered() throws {
        let signed = "&SIGNATURE_SHA3_256=\(Self.ipnSHA3)"
        let raised = Self.ipnBody.replacingOccurrences(of: "IPN_TOTALGENERAL=49.00", with: "IPN_TOTALGENERAL=4.90")
        #expect(thrownCode { try TwoCheckout.verifyIPN(body: raised + signed, secretKey: Self.key) } == "signature.invalid")
        let dropped = Self.ipnBody.replacingOccurrences(of: "COMPANY=&", with: "")
        #expect(thrownCode { try TwoCheckout.verifyIPN(body: dropped + signed, secretKey: Self.key) } == "signature.invalid")
        #expect(thrownCode { try TwoCheckout.verifyIPN(body: Self.ipnBody + signed, secretKey: "AABBCCDDEEFG") } == "signature.invalid")
        #expect(thrownCode { try TwoCheckout.verifyIPN(body: Self.ipnBody + signed, secretKey: "") } == "configuration.invalid")
    }

    @Test("2co: a bad SHA3 signature does not fall back to a good MD5")
    func noDowngrade() throws {
        let body = Self.ipnBody + "&HASH=\(Self.ipnMD5)&SIGNATURE_SHA3_256=\(String(repeating: "0", count: 64))"
        #expect(thrownError { try TwoCheckout.verifyIPN(body: body, secretKey: Self.key) }?.values["algorithm"] == "sha3-256")
        #expect(try TwoCheckout.verifyIPN(body: body, secretKey: Self.key, accepting: [.md5]) == .md5)
    }

    @Test("2co: no signature, or only a refused algorithm, is signature.missing")
    func missing() {
        #expect(thrownCode { try TwoCheckout.verifyIPN(body: Self.ipnBody, secretKey: Self.key) } == "signature.missing")
        #expect(thrownCode { try TwoCheckout.verifyIPN(body: Self.ipnBody + "&HASH=", secretKey: Self.key) } == "signature.missing")
        #expect(
            thrownCode { try TwoCheckout.verifyIPN(body: Self.ipnBody + "&HASH=\(Self.ipnMD5)", secretKey: Self.key, accepting: [.sha256, .sha3_256]) }
                == "signature.missing")
    }

    @Test("2co: sign then verify an IPN with non-ASCII values")
    func roundTrip() throws {
        let ipn: [(String, String)] = [("REFNOEXT", "HĐ-2024/05"), ("FIRSTNAME", "Đặng"), ("IPN_PID[]", "7"), ("NOTE", "")]
        let source = TwoCheckout.ipnSourceString(ipn)
        #expect(source == "11HĐ-2024/057Đặng170")
        for algorithm in TwoCheckout.Algorithm.allCases {
            let signed = ipn + [(algorithm.ipnField, algorithm.hex(secretKey: "k", message: source))]
            #expect(try TwoCheckout.verifyIPN(fields: signed, secretKey: "k") == algorithm)
            #expect(try TwoCheckout.verifyIPN(body: FormEncoding.encode(signed), secretKey: "k") == algorithm)
        }
    }

    // MARK: ConvertPlus buy link (PAYMENTS.md 3.2)

    static let buyLinkParameters: [(String, String)] = [
        ("dynamic", "1"), ("prod", "Invoice INV-1"), ("price", "10.00"), ("qty", "1"), ("currency", "USD"),
        ("type", "PRODUCT"), ("tangible", "0"), ("order-ext-ref", "INV-1"),
        ("return-url", "https://recur.example/2co/return?inv=INV-1"), ("return-type", "redirect"),
        ("expiration", "1716285600"), ("tpl", "default"),
    ]
    static let buyLinkSignature = "d187a3356e6b47c54488c65de1f1da6b4f2e29b867f648c5eb29755f27793a51"

    @Test("2co buy link: sorted signed names, raw values, HMAC-SHA256 with the secret word")
    func buyLinkSignature() {
        #expect(TwoCheckout.buyLinkSignature(parameters: Self.buyLinkParameters, secretWord: "BUYLINKSECRET") == Self.buyLinkSignature)
        #expect(
            PaymentHMAC.sha256.hex(
                key: "BUYLINKSECRET",
                message: "3USD1017162856005INV-1510.0013Invoice INV-1118redirect42https://recur.example/2co/return?inv=INV-1107PRODUCT")
                == Self.buyLinkSignature)
    }

    @Test("2co buy link: merchant and unsigned parameters do not change the signature; order does not matter")
    func buyLinkUnsigned() {
        let extra = Self.buyLinkParameters + [("merchant", "OTHER"), ("tpl", "one-column"), ("language", "vi")]
        #expect(TwoCheckout.buyLinkSignature(parameters: extra, secretWord: "BUYLINKSECRET") == Self.buyLinkSignature)
        #expect(TwoCheckout.buyLinkSignature(parameters: Self.buyLinkParameters.reversed(), secretWord: "BUYLINKSECRET") == Self.buyLinkSignature)
        var changed = Self.buyLinkParameters
        changed[2] = ("price", "1.00")
        #expect(TwoCheckout.buyLinkSignature(parameters: changed, secretWord: "BUYLINKSECRET") != Self.buyLinkSignature)
    }

    @Test("2co buy link: the URL puts merchant first and the signature last")
    func buyLinkURL() throws {
        let url = try TwoCheckout.buyLinkURL(merchant: "250283563061", parameters: Self.buyLinkParameters, secretWord: "BUYLINKSECRET")
        #expect(
            url.absoluteString
                == "https://secure.2checkout.com/checkout/buy?merchant=250283563061&dynamic=1&prod=Invoice+INV-1&price=10.00&qty=1&currency=USD&type=PRODUCT&tangible=0&order-ext-ref=INV-1&return-url=https%3A%2F%2Frecur.example%2F2co%2Freturn%3Finv%3DINV-1&return-type=redirect&expiration=1716285600&tpl=default&signature=d187a3356e6b47c54488c65de1f1da6b4f2e29b867f648c5eb29755f27793a51"
        )
        #expect(thrownCode { try TwoCheckout.buyLinkURL(merchant: "", parameters: [], secretWord: "w") } == "field.missing")
        #expect(thrownCode { try TwoCheckout.buyLinkURL(merchant: "M", parameters: [("qty", "1"), ("qty", "2")], secretWord: "w") } == "field.invalid")
        #expect(thrownCode { try TwoCheckout.buyLinkURL(merchant: "M", parameters: [("merchant", "N")], secretWord: "w") } == "field.invalid")
    }
}
