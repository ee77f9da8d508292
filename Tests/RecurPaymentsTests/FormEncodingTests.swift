import Testing

@testable import RecurPayments

@Suite("Form encoding (PAYMENTS.md 1.3)")
struct FormEncodingTests {
    @Test("form: PHP urlencode keeps only A-Za-z0-9-_. and encodes ~ * ! ' ( )")
    func phpUnreservedSet() {
        #expect(FormEncoding.encode("AZaz09-_.") == "AZaz09-_.")
        #expect(FormEncoding.encode("~") == "%7E")
        #expect(FormEncoding.encode("*") == "%2A")
        #expect(FormEncoding.encode("!'()") == "%21%27%28%29")
    }

    @Test("form: space is +, reserved characters and UTF-8 bytes are upper-case %XX")
    func reservedAndUTF8() {
        #expect(FormEncoding.encode("a b") == "a+b")
        #expect(FormEncoding.encode("/:#&=+") == "%2F%3A%23%26%3D%2B")
        #expect(FormEncoding.encode("đ") == "%C4%91")
        #expect(FormEncoding.encode("Thanh toán") == "Thanh+to%C3%A1n")
        #expect(FormEncoding.encode("€") == "%E2%82%AC")
        #expect(FormEncoding.encode("") == "")
    }

    @Test("form: pairs are joined as k=v&k=v in the given order")
    func pairs() {
        #expect(FormEncoding.encode([("b", "1 2"), ("a", "x/y"), ("c", "")]) == "b=1+2&a=x%2Fy&c=")
    }

    @Test("form: decoding keeps received order and repeated keys")
    func decodeOrder() throws {
        let pairs = try FormEncoding.decodeQuery("?z=1&a=%C4%91+x&IPN_PID%5B%5D=1&IPN_PID%5B%5D=2&flag&&e=")
        #expect(pairs.map(\.0) == ["z", "a", "IPN_PID[]", "IPN_PID[]", "flag", "e"])
        #expect(pairs.map(\.1) == ["1", "đ x", "1", "2", "", ""])
    }

    @Test("form: lower-case escapes decode and a literal + in a value survives as %2B")
    func decodeCases() throws {
        #expect(try FormEncoding.decode("%c4%91") == "đ")
        #expect(try FormEncoding.decode("a%2Bb+c") == "a+b c")
        #expect(try FormEncoding.decode("50%25") == "50%")
    }

    @Test("form: malformed escapes and non-UTF-8 bytes are encoding.invalid")
    func decodeErrors() {
        #expect(thrownCode { try FormEncoding.decode("%") } == "encoding.invalid")
        #expect(thrownCode { try FormEncoding.decode("%4") } == "encoding.invalid")
        #expect(thrownCode { try FormEncoding.decode("%G1") } == "encoding.invalid")
        #expect(thrownCode { try FormEncoding.decode("%FF") } == "encoding.invalid")
        #expect(thrownCode { try FormEncoding.decodeQuery("a=1&b=%E2%82") } == "encoding.invalid")
    }

    @Test("form: decode(encode(s)) == s for ASCII, Vietnamese, symbols and emoji")
    func roundTrip() throws {
        for text in ["plain", "Hóa đơn số 7: 100.000₫", "a+b=c&d", "~*!'()", "👩‍💻 ok", " "] {
            #expect(try FormEncoding.decode(FormEncoding.encode(text)) == text)
        }
    }
}
