import Foundation
import Testing

@testable import RecurPayments

/// NAPAS VietQR payloads (docs/PAYMENTS.md §6.1).
struct VietQRTests {
    static let katQ1 = "00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA53037045802VN6304"
    static let katQ2 =
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang6304"

    // MARK: Known answers

    @Test("vietqr: CRC-16/CCITT-FALSE of \"123456789\" is 29B1")
    func crcCheckValue() {
        #expect(VietQR.crc16("123456789") == 0x29B1)
        #expect(VietQR.crcHex("123456789") == "29B1")
        #expect(VietQR.crcHex("") == "FFFF")
    }

    @Test("vietqr: KAT-Q1 NAPAS static sample string has CRC F4E5")
    func katQ1() {
        #expect(VietQR.crcHex(Self.katQ1) == "F4E5")
    }

    @Test("vietqr: KAT-Q1's length typo (0112 before a 13-digit account) fails nested parsing, not the CRC")
    func katQ1Typo() {
        let error = #expect(throws: BankTransferError.self) { try VietQR(payload: Self.katQ1 + "F4E5") }
        #expect(error?.code == .vietqrMalformed)
    }

    @Test("vietqr: static payload for KAT-Q1's account has the corrected length 0113 and CRC 9E6F")
    func katQ1Corrected() throws {
        let payload = try VietQR(bankBIN: "970403", accountNumber: "0011012345678").payload()
        #expect(payload == Self.katQ1.replacingOccurrences(of: "01120011", with: "01130011") + "9E6F")
    }

    @Test("vietqr: KAT-Q2 dynamic payload with amount and purpose has CRC 2E2E")
    func katQ2() throws {
        #expect(VietQR.crcHex(Self.katQ2) == "2E2E")
        let qr = VietQR(
            bankBIN: "970403", accountNumber: "0011012345678", amount: 180_000, billNumber: "NPS6869",
            purpose: "thanh toan don hang")
        #expect(qr.initiation == .dynamic)
        #expect(try qr.payload() == Self.katQ2 + "2E2E")
    }

    @Test("vietqr: KAT-Q2 drawn as a QR code is a version-8 symbol at level M")
    func katQ2QRCode() throws {
        let qr = VietQR(
            bankBIN: "970403", accountNumber: "0011012345678", amount: 180_000, billNumber: "NPS6869",
            purpose: "thanh toan don hang")
        let code = try qr.qrCode()
        #expect(code.version == 8)
        #expect(code.errorCorrection == .medium)
        #expect(code == (try QRCode(text: Self.katQ2 + "2E2E", errorCorrection: .medium)))
    }

    @Test("vietqr: Vietnamese purpose is transliterated to ASCII, giving the KAT-Q2 payload")
    func katQ2Vietnamese() throws {
        let qr = VietQR(
            bankBIN: "970403", accountNumber: "0011012345678", amount: 180_000, billNumber: "NPS6869",
            purpose: "thanh toán đơn hàng")
        #expect(try qr.payload() == Self.katQ2 + "2E2E")
    }

    @Test("vietqr: parsing KAT-Q2 gives BIN 970403, account 0011012345678, 180,000 VND, NPS6869 and the purpose")
    func parseKATQ2() throws {
        let qr = try VietQR(payload: Self.katQ2 + "2E2E")
        #expect(qr.initiation == .dynamic)
        #expect(qr.bankBIN == "970403")
        #expect(qr.accountNumber == "0011012345678")
        #expect(qr.service == .account)
        #expect(qr.amount == 180_000)
        #expect(qr.billNumber == "NPS6869")
        #expect(qr.purpose == "thanh toan don hang")
    }

    @Test("vietqr: card transfer uses service QRIBFTTC and static initiation 11 without amount")
    func cardService() throws {
        let payload = try VietQR(bankBIN: "970418", accountNumber: "9704180012345678", service: .card).payload()
        #expect(
            payload
                == "00020101021138600010A00000072701300006970418011697041800123456780208QRIBFTTC53037045802VN6304616F")
    }

    @Test("vietqr: purpose field 62/08 carries the payment code for MB account 0123456789, 1,250,000 VND")
    func recurInvoicePayload() throws {
        let payload = try VietQR(
            bankBIN: "970422", accountNumber: "0123456789", amount: 1_250_000, purpose: "Thanh toán SUB8K2J7QS"
        ).payload()
        #expect(
            payload
                == "00020101021238540010A00000072701240006970422011001234567890208QRIBFTTA5303704540712500005802VN62250821Thanh toan SUB8K2J7QS63042CC4"
        )
    }

    // MARK: Round trips and tampering

    @Test("vietqr: builder → parser round trip keeps every field", arguments: [
        VietQR(bankBIN: "970415", accountNumber: "113366668888"),
        VietQR(bankBIN: "970422", accountNumber: "0123456789", amount: 1_250_000, purpose: "SUB8K2J7QS"),
        VietQR(initiation: .static, bankBIN: "970418", accountNumber: "1234567890123456789",
               amount: 50_000, billNumber: "INV-2024-0001", purpose: "Recur invoice INV-0001"),
        VietQR(initiation: .dynamic, bankBIN: "970403", accountNumber: "0011012345678", service: .card,
               amount: 9_999_999_999_999, purpose: "***"),
    ])
    func roundTrip(qr: VietQR) throws {
        let payload = try qr.payload()
        #expect(try VietQR(payload: payload) == qr)
        #expect(VietQR.crcHex(String(payload.dropLast(4))) == String(payload.suffix(4)))
    }

    @Test("vietqr: a changed CRC digit is rejected as crc_mismatch naming the expected 2E2E")
    func tamperedCRC() {
        let error = #expect(throws: BankTransferError.self) { try VietQR(payload: Self.katQ2 + "2E2F") }
        #expect(error?.code == .vietqrCRCMismatch)
        #expect(error?.values == ["written": "2E2F", "expected": "2E2E"])
    }

    @Test("vietqr: an amount changed from 180000 to 190000 under the old CRC is rejected")
    func tamperedAmount() {
        let tampered = Self.katQ2.replacingOccurrences(of: "5406180000", with: "5406190000") + "2E2E"
        let error = #expect(throws: BankTransferError.self) { try VietQR(payload: tampered) }
        #expect(error?.code == .vietqrCRCMismatch)
    }

    @Test("vietqr: a lower-case CRC is accepted")
    func lowerCaseCRC() throws {
        #expect(try VietQR(payload: Self.katQ2 + "2e2e").amount == 180_000)
    }

    @Test("vietqr: a payload without a trailing 6304 CRC field is malformed")
    func missingCRC() {
        let error = #expect(throws: BankTransferError.self) { try VietQR(payload: Self.katQ2) }
        #expect(error?.code == .vietqrMalformed)
    }

    @Test("vietqr: a non-NAPAS GUID in field 38 is unsupported even with a valid CRC")
    func foreignGUID() {
        let body = Self.katQ2.replacingOccurrences(of: "A000000727", with: "A000000999")
        let error = #expect(throws: BankTransferError.self) { try VietQR(payload: body + VietQR.crcHex(body)) }
        #expect(error?.code == .vietqrUnsupported)
        #expect(error?.values["guid"] == "A000000999")
    }

    @Test("vietqr: currency other than 704 is unsupported")
    func foreignCurrency() {
        let body = Self.katQ2.replacingOccurrences(of: "5303704", with: "5303840")
        let error = #expect(throws: BankTransferError.self) { try VietQR(payload: body + VietQR.crcHex(body)) }
        #expect(error?.code == .vietqrUnsupported)
        #expect(error?.values["currency"] == "840")
    }

    @Test("vietqr: amount 50000. (trailing point) parses as 50,000; 50000.5 is invalid")
    func amountWithPoint() throws {
        let base = "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA5303704"
        let withPoint = base + "540650000.5802VN6304"
        #expect(try VietQR(payload: withPoint + VietQR.crcHex(withPoint)).amount == 50_000)
        let fractional = base + "540750000.55802VN6304"
        let error = #expect(throws: BankTransferError.self) {
            try VietQR(payload: fractional + VietQR.crcHex(fractional))
        }
        #expect(error?.code == .vietqrAmountInvalid)
    }

    // MARK: Validation

    @Test("vietqr: bank BIN must be 6 digits", arguments: ["97040", "9704031", "97040A", ""])
    func badBIN(bin: String) {
        let error = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: bin, accountNumber: "0011012345678").payload()
        }
        #expect(error?.code == .vietqrBankBINInvalid)
        #expect(error?.values == ["bin": bin])
    }

    @Test("vietqr: account of 20 characters is too long (maximum 19)")
    func accountTooLong() throws {
        let error = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: "970403", accountNumber: "12345678901234567890").payload()
        }
        #expect(error?.code == .vietqrAccountTooLong)
        #expect(error?.values["length"] == "20")
        #expect(try VietQR(bankBIN: "970403", accountNumber: "1234567890123456789").payload().count == 100)
    }

    @Test("vietqr: account with a space or Vietnamese letter is invalid", arguments: ["0011 0123", "ĐN001", ""])
    func accountInvalid(account: String) {
        let error = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: "970403", accountNumber: account).payload()
        }
        #expect(error?.code == .vietqrAccountInvalid)
    }

    @Test("vietqr: purpose of 30 characters after transliteration is too long (maximum 25)")
    func purposeTooLong() {
        let error = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: "970422", accountNumber: "0123456789", amount: 1_000, purpose: "Thanh toán đơn hàng SUB8K2J7QS")
                .payload()
        }
        #expect(error?.code == .vietqrPurposeTooLong)
        #expect(error?.code.rawValue == "vietqr.purpose_too_long")
        #expect(error?.values == ["purpose": "Thanh toan don hang SUB8K2J7QS", "length": "30", "maximum": "25"])
    }

    @Test("vietqr: purpose of exactly 25 characters after transliteration fits")
    func purposeAtLimit() throws {
        let payload = try VietQR(
            bankBIN: "970422", accountNumber: "0123456789", amount: 1_000, purpose: "Thanh toán SUB8K2J7QS ĐH1"
        ).payload()
        #expect(payload.contains("62290825Thanh toan SUB8K2J7QS DH16304"))
    }

    @Test("vietqr: purpose with an emoji has no ASCII form")
    func purposeEmoji() {
        let error = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: "970422", accountNumber: "0123456789", purpose: "Cảm ơn 🙏").payload()
        }
        #expect(error?.code == .vietqrTextInvalid)
    }

    @Test("vietqr: bill number of 26 characters is too long")
    func billNumberTooLong() {
        let error = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: "970422", accountNumber: "0123456789", billNumber: String(repeating: "9", count: 26))
                .payload()
        }
        #expect(error?.code == .vietqrBillNumberTooLong)
    }

    @Test("vietqr: amount of 14 digits is too long, 13 digits fit, zero is invalid")
    func amountLimits() throws {
        let tooLong = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: "970422", accountNumber: "0123456789", amount: 10_000_000_000_000).payload()
        }
        #expect(tooLong?.code == .vietqrAmountTooLong)
        #expect(tooLong?.values["length"] == "14")
        let fits = try VietQR(bankBIN: "970422", accountNumber: "0123456789", amount: 9_999_999_999_999).payload()
        #expect(fits.contains("54139999999999999"))
        let zero = #expect(throws: BankTransferError.self) {
            try VietQR(bankBIN: "970422", accountNumber: "0123456789", amount: 0).payload()
        }
        #expect(zero?.code == .vietqrAmountInvalid)
    }

    // MARK: Text and TLV

    @Test("vietqr: transliteration strips tones and vowel marks and writes đ/Đ as d/D")
    func transliteration() {
        #expect(VietQR.transliterate("Thanh toán đơn hàng Đà Nẵng") == "Thanh toan don hang Da Nang")
        #expect(VietQR.transliterate("ăâêôơưĂÂÊÔƠƯđĐ") == "aaeoouAAEOOUdD")
        #expect(VietQR.transliterate("Nguyễn Thị Hồng Nhung, Huỳnh Đức Thưởng") == "Nguyen Thi Hong Nhung, Huynh Duc Thuong")
        #expect(VietQR.transliterate("ỲỴỶỸ ỳỵỷỹ ỆệỢợ") == "YYYY yyyy EeOo")
        #expect(VietQR.transliterate("plain ASCII 123 *#") == "plain ASCII 123 *#")
    }

    @Test("vietqr: TLV encodes 2-digit zero-padded lengths and decodes nested templates")
    func tlv() throws {
        #expect(VietQR.TLV.encode([VietQR.TLV("00", "01"), VietQR.TLV("58", "VN")]) == "0002015802VN")
        let fields = try VietQR.TLV.decode("0010A00000072701270006970403011300110123456780208QRIBFTTA")
        #expect(fields.map(\.tag) == ["00", "01", "02"])
        #expect(fields[1].value == "000697040301130011012345678")
        #expect(try VietQR.TLV.decode(fields[1].value) == [VietQR.TLV("00", "970403"), VietQR.TLV("01", "0011012345678")])
    }

    @Test("vietqr: TLV length past the end of the text is malformed")
    func tlvOverrun() {
        let error = #expect(throws: BankTransferError.self) { try VietQR.TLV.decode("0005ABC") }
        #expect(error?.code == .vietqrMalformed)
        #expect(error?.values["length"] == "5")
    }
}
