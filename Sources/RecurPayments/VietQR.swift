import Foundation

/// A NAPAS VietQR bank-transfer payload: the text a customer's banking app reads
/// from the QR code to pre-fill a NAPAS 247 transfer.
///
/// The payload is EMVCo merchant-presented TLV with NAPAS's account template in
/// field 38, as laid down in "Tài liệu quy định định dạng mã VietQR … NAPAS247 v1.0
/// (09/2021)" (docs/PAYMENTS.md §6.1). Recur issues the dynamic form (`01=12`) with the
/// amount in field 54 and the invoice's payment code as the purpose (`62/08`), so
/// the transfer arrives with the amount and the code the matcher looks for.
///
/// For example:
/// ```swift
/// let qr = VietQR(bankBIN: "970403", accountNumber: "0011012345678",
///                 amount: 180_000, billNumber: "NPS6869", purpose: "thanh toán đơn hàng")
/// try qr.payload()
/// // "00020101021238570010A000000727…0819thanh toan don hang63042E2E"
/// ```
public struct VietQR: Hashable, Sendable {
    /// Field 01, the point of initiation.
    public enum Initiation: String, Hashable, Sendable, CaseIterable {
        /// `11`: a reusable code, usually without an amount.
        case `static` = "11"
        /// `12`: a single-use code for one payment, usually with an amount.
        case dynamic = "12"
    }

    /// Field 38/02, the NAPAS service code.
    public enum Service: String, Hashable, Sendable, CaseIterable {
        /// `QRIBFTTA`: transfer to a bank account.
        case account = "QRIBFTTA"
        /// `QRIBFTTC`: transfer to a card number.
        case card = "QRIBFTTC"
    }

    /// The NAPAS application id in field 38/00.
    public static let napasGUID = "A000000727"
    /// ISO 4217 numeric code of the Vietnamese dong, field 53.
    public static let currencyVND = "704"
    /// The longest purpose (`62/08`) and bill number (`62/01`) NAPAS accepts.
    public static let maximumPurposeLength = 25

    public var initiation: Initiation
    /// The 6-digit bank BIN (acquirer id), e.g. `970415` VietinBank, `970422` MB, `970418` BIDV.
    public var bankBIN: String
    /// The beneficiary's account (or card) number, at most 19 letters or digits.
    public var accountNumber: String
    public var service: Service
    /// The amount in dong (VND has no minor digits), or nil to let the payer type it.
    public var amount: Int64?
    /// Field 62/01, the bill number, at most 25 ASCII characters.
    public var billNumber: String?
    /// Field 62/08, the purpose of transaction ("nội dung chuyển khoản"). Vietnamese
    /// text is transliterated to ASCII when the payload is built; the result must be at
    /// most 25 characters.
    public var purpose: String?

    /// A transfer to `accountNumber` at the bank `bankBIN`. The initiation defaults to
    /// dynamic when there is an amount and to static otherwise.
    public init(
        initiation: Initiation? = nil,
        bankBIN: String,
        accountNumber: String,
        service: Service = .account,
        amount: Int64? = nil,
        billNumber: String? = nil,
        purpose: String? = nil
    ) {
        self.initiation = initiation ?? (amount == nil ? .static : .dynamic)
        self.bankBIN = bankBIN
        self.accountNumber = accountNumber
        self.service = service
        self.amount = amount
        self.billNumber = billNumber
        self.purpose = purpose
    }

    /// The payload text with its CRC, ready to be drawn as a QR code.
    ///
    /// - throws: `BankTransferError` with `.vietqrBankBINInvalid`, `.vietqrAccountInvalid`,
    ///   `.vietqrAccountTooLong`, `.vietqrAmountInvalid`, `.vietqrAmountTooLong`,
    ///   `.vietqrBillNumberTooLong`, `.vietqrPurposeTooLong` or `.vietqrTextInvalid`.
    public func payload() throws(BankTransferError) -> String {
        guard bankBIN.utf8.count == 6, bankBIN.utf8.allSatisfy(Self.isDigit) else {
            throw BankTransferError(.vietqrBankBINInvalid, "bank BIN \"\(bankBIN)\" is not 6 digits", ["bin": bankBIN])
        }
        guard !accountNumber.isEmpty, accountNumber.unicodeScalars.allSatisfy(Self.isASCIIAlphanumeric) else {
            throw BankTransferError(
                .vietqrAccountInvalid, "account number \"\(accountNumber)\" must be ASCII letters and digits",
                ["accountNumber": accountNumber])
        }
        guard accountNumber.utf8.count <= 19 else {
            throw BankTransferError(
                .vietqrAccountTooLong, "account number has \(accountNumber.utf8.count) characters, at most 19 are allowed",
                ["accountNumber": accountNumber, "length": String(accountNumber.utf8.count), "maximum": "19"])
        }
        var root: [TLV] = [
            TLV("00", "01"),
            TLV("01", initiation.rawValue),
            TLV("38", TLV.encode([
                TLV("00", Self.napasGUID),
                TLV("01", TLV.encode([TLV("00", bankBIN), TLV("01", accountNumber)])),
                TLV("02", service.rawValue),
            ])),
            TLV("53", Self.currencyVND),
        ]
        if let amount {
            guard amount > 0 else {
                throw BankTransferError(.vietqrAmountInvalid, "amount \(amount) must be positive", ["amount": String(amount)])
            }
            let text = String(amount)
            guard text.utf8.count <= 13 else {
                throw BankTransferError(
                    .vietqrAmountTooLong, "amount \(text) has \(text.utf8.count) digits, at most 13 are allowed",
                    ["amount": text, "length": String(text.utf8.count), "maximum": "13"])
            }
            root.append(TLV("54", text))
        }
        root.append(TLV("58", "VN"))
        var additional: [TLV] = []
        if let billNumber, !billNumber.isEmpty {
            let ascii = try Self.asciiField(billNumber, name: "billNumber")
            guard ascii.utf8.count <= Self.maximumPurposeLength else {
                throw BankTransferError(
                    .vietqrBillNumberTooLong, "bill number \"\(ascii)\" has \(ascii.utf8.count) characters, at most 25 are allowed",
                    ["billNumber": ascii, "length": String(ascii.utf8.count), "maximum": "25"])
            }
            additional.append(TLV("01", ascii))
        }
        if let purpose, !purpose.isEmpty {
            let ascii = try Self.asciiField(purpose, name: "purpose")
            guard ascii.utf8.count <= Self.maximumPurposeLength else {
                throw BankTransferError(
                    .vietqrPurposeTooLong,
                    "purpose \"\(ascii)\" has \(ascii.utf8.count) characters after transliteration, at most 25 are allowed",
                    ["purpose": ascii, "length": String(ascii.utf8.count), "maximum": "25"])
            }
            additional.append(TLV("08", ascii))
        }
        if !additional.isEmpty {
            root.append(TLV("62", TLV.encode(additional)))
        }
        let body = TLV.encode(root) + "6304"
        return body + Self.crcHex(body)
    }

    /// The payload drawn as a QR code, at level M by default as banks print them.
    ///
    /// - throws: as `payload()`.
    public func qrCode(errorCorrection: QRCode.ErrorCorrection = .medium) throws(BankTransferError) -> QRCode {
        try QRCode(text: payload(), errorCorrection: errorCorrection)
    }

    /// Reads a VietQR payload back, checking its CRC first.
    ///
    /// Fields Recur does not use (MCC, merchant name, other additional data) are
    /// skipped; `purpose` and `billNumber` are returned as written.
    ///
    /// - throws: `BankTransferError` with `.vietqrCRCMismatch` when field 63 does not match,
    ///   `.vietqrMalformed` when the TLV structure is broken and `.vietqrUnsupported` when
    ///   the payload is not a NAPAS transfer in VND.
    public init(payload: String) throws(BankTransferError) {
        let utf8 = Array(payload.utf8)
        guard utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw BankTransferError(.vietqrMalformed, "payload holds characters outside printable ASCII")
        }
        guard utf8.count >= 8, String(decoding: utf8[(utf8.count - 8)..<(utf8.count - 4)], as: UTF8.self) == "6304" else {
            throw BankTransferError(.vietqrMalformed, "payload does not end with a CRC field 6304XXXX")
        }
        let body = String(decoding: utf8[..<(utf8.count - 4)], as: UTF8.self)
        let written = String(decoding: utf8[(utf8.count - 4)...], as: UTF8.self)
        let expected = Self.crcHex(body)
        guard written.uppercased() == expected else {
            throw BankTransferError(
                .vietqrCRCMismatch, "CRC \(written) does not match the payload's CRC \(expected)",
                ["written": written, "expected": expected])
        }
        let root = try TLV.decode(payload)
        func value(_ tag: String, in fields: [TLV]) -> String? { fields.first { $0.tag == tag }?.value }

        guard value("00", in: root) == "01" else {
            throw BankTransferError(.vietqrMalformed, "payload format indicator (00) is not 01")
        }
        guard let initiationText = value("01", in: root), let initiation = Initiation(rawValue: initiationText) else {
            throw BankTransferError(.vietqrMalformed, "point of initiation (01) is not 11 or 12")
        }
        guard let accountTemplate = value("38", in: root) else {
            throw BankTransferError(.vietqrUnsupported, "no NAPAS account template (38)")
        }
        let account = try TLV.decode(accountTemplate)
        guard value("00", in: account) == Self.napasGUID else {
            throw BankTransferError(
                .vietqrUnsupported, "account template GUID is not NAPAS \(Self.napasGUID)",
                ["guid": value("00", in: account) ?? ""])
        }
        guard let beneficiaryText = value("01", in: account) else {
            throw BankTransferError(.vietqrMalformed, "no beneficiary organisation (38/01)")
        }
        let beneficiary = try TLV.decode(beneficiaryText)
        guard let bin = value("00", in: beneficiary), let accountNumber = value("01", in: beneficiary) else {
            throw BankTransferError(.vietqrMalformed, "beneficiary organisation lacks the BIN (00) or account (01)")
        }
        guard let serviceText = value("02", in: account), let service = Service(rawValue: serviceText) else {
            throw BankTransferError(
                .vietqrUnsupported, "service code (38/02) is not QRIBFTTA or QRIBFTTC",
                ["service": value("02", in: account) ?? ""])
        }
        guard value("53", in: root) == Self.currencyVND else {
            throw BankTransferError(
                .vietqrUnsupported, "currency (53) is not 704 (VND)", ["currency": value("53", in: root) ?? ""])
        }
        var amount: Int64?
        if let text = value("54", in: root) {
            amount = try Self.parseAmount(text)
        }
        var billNumber: String?
        var purpose: String?
        if let additionalText = value("62", in: root) {
            let additional = try TLV.decode(additionalText)
            billNumber = value("01", in: additional)
            purpose = value("08", in: additional)
        }
        self.init(
            initiation: initiation, bankBIN: bin, accountNumber: accountNumber, service: service,
            amount: amount, billNumber: billNumber, purpose: purpose)
    }

    // MARK: - Text

    /// Vietnamese text written in plain ASCII, the way banks and subiz/vietqr write
    /// transfer memos: tone and vowel marks removed, `đ`/`Đ` written `d`/`D`.
    ///
    /// For example, `VietQR.transliterate("Thanh toán đơn hàng Đà Nẵng")` is
    /// `"Thanh toan don hang Da Nang"`. Characters that have no ASCII form (emoji, CJK)
    /// are kept as they are.
    public static func transliterate(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "đ": scalars.append("d")
            case "Đ": scalars.append("D")
            case _ where scalar.isASCII: scalars.append(scalar)
            default:
                // Canonical decomposition splits "ệ" into "e" + U+0323 + U+0302 and
                // "ư" into "u" + U+031B; dropping the combining marks leaves the letter.
                for part in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                where part.properties.generalCategory != .nonspacingMark {
                    scalars.append(part)
                }
            }
        }
        return String(scalars)
    }

    // MARK: - CRC

    /// CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no
    /// final XOR) of the UTF-8 bytes of `text`, the checksum of EMVCo field 63.
    ///
    /// For example, `VietQR.crc16("123456789")` is `0x29B1`.
    public static func crc16(_ text: String) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in text.utf8 {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }

    /// `crc16(text)` as the four upper-case hex digits written in field 63.
    public static func crcHex(_ text: String) -> String {
        let hex = String(crc16(text), radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }

    // MARK: - Helpers

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "0"..."9", "A"..."Z", "a"..."z": true
        default: false
        }
    }

    /// Transliterates `text` and checks it is printable ASCII, as EMVCo "ans" fields must be.
    private static func asciiField(_ text: String, name: String) throws(BankTransferError) -> String {
        let ascii = transliterate(text)
        if let bad = ascii.unicodeScalars.first(where: { $0.value < 0x20 || $0.value >= 0x7F }) {
            throw BankTransferError(
                .vietqrTextInvalid,
                "\(name) \"\(text)\" holds U+\(String(bad.value, radix: 16, uppercase: true)), which has no ASCII form",
                [name: text])
        }
        return ascii
    }

    /// Field 54: digits with at most one `.`; VND takes no non-zero fraction.
    private static func parseAmount(_ text: String) throws(BankTransferError) -> Int64 {
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard text.utf8.count <= 13, parts.count <= 2, let whole = parts.first, !whole.isEmpty,
            whole.utf8.allSatisfy(isDigit),
            parts.count == 1 || parts[1].utf8.allSatisfy({ $0 == 0x30 }),
            let amount = Int64(whole), amount > 0
        else {
            throw BankTransferError(.vietqrAmountInvalid, "amount (54) \"\(text)\" is not a whole positive number of dong", ["amount": text])
        }
        return amount
    }
}

extension VietQR {
    /// One EMVCo tag-length-value data object: a 2-digit tag, a 2-digit length in
    /// characters, then the value (ASCII only, so characters and bytes agree).
    public struct TLV: Hashable, Sendable {
        public var tag: String
        public var value: String

        public init(_ tag: String, _ value: String) {
            self.tag = tag
            self.value = value
        }

        /// The objects written one after another: `[TLV("00", "01")]` is `"000201"`.
        ///
        /// Callers pass ASCII values of at most 99 characters; `VietQR.payload()` checks
        /// its fields before they get here.
        public static func encode(_ fields: [TLV]) -> String {
            var out = ""
            for field in fields {
                let length = field.value.utf8.count
                precondition(length <= 99, "EMVCo values are at most 99 characters")
                out += field.tag + (length < 10 ? "0" : "") + String(length) + field.value
            }
            return out
        }

        /// Splits `text` into its data objects, in order.
        ///
        /// - throws: `BankTransferError` `.vietqrMalformed` when a tag or length is not two
        ///   digits, or a length runs past the end of the text.
        public static func decode(_ text: String) throws(BankTransferError) -> [TLV] {
            let bytes = Array(text.utf8)
            var fields: [TLV] = []
            var i = 0
            while i < bytes.count {
                guard i + 4 <= bytes.count, bytes[i..<(i + 4)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    throw BankTransferError(
                        .vietqrMalformed, "no two-digit tag and length at offset \(i)", ["offset": String(i), "text": text])
                }
                let tag = String(decoding: bytes[i..<(i + 2)], as: UTF8.self)
                let length = Int(bytes[i + 2] - 0x30) * 10 + Int(bytes[i + 3] - 0x30)
                guard i + 4 + length <= bytes.count else {
                    throw BankTransferError(
                        .vietqrMalformed, "field \(tag) at offset \(i) claims \(length) characters, past the end",
                        ["offset": String(i), "tag": tag, "length": String(length)])
                }
                fields.append(TLV(tag, String(decoding: bytes[(i + 4)..<(i + 4 + length)], as: UTF8.self)))
                i += 4 + length
            }
            return fields
        }
    }
}
