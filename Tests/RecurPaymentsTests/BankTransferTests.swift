import Foundation
import Testing

@testable import RecurPayments

/// Payment codes, memo normalisation, code extraction and the matching decision
/// (docs/PAYMENTS.md §6.2).
struct BankTransferTests {
    static let format = try! BankTransferCodeFormat(prefix: "SUB", suffixLength: 6)
    static let invoiceCode = try! format.validate("SUB8K2J7QS")

    static func credit(
        _ amount: Int64, memo: String, reference: String = "FT24207000001", currency: String = "VND",
        providerCode: String? = nil
    ) -> BankTransferCredit {
        BankTransferCredit(
            bankReference: reference, amount: amount, currency: currency, memo: memo,
            date: BankTransferDate(year: 2024, month: 7, day: 25)!, providerPaymentCode: providerCode)
    }

    // MARK: Codes

    @Test("payment code: SUB + 8K2J7Q has check character S")
    func checkCharacter() throws {
        #expect(Self.invoiceCode.rawValue == "SUB8K2J7QS")
        let valid = BankTransferCodeFormat.alphabet.filter { (try? Self.format.validate("SUB8K2J7Q\($0)")) != nil }
        #expect(valid == ["S"])
    }

    @Test("payment code: numbers encode as zero-padded base-32 Crockford suffixes with a check character", arguments: [
        (UInt64(0), "SUB0000005"), (1, "SUB0000013"), (31, "SUB00000Z6"), (32, "SUB0000104"),
        (8_675_309, "SUB088QZD5"), (1_073_741_823, "SUBZZZZZZB"), (1_073_741_824, "SUB0000005"),
    ] as [(UInt64, String)])
    func encodeNumbers(number: UInt64, code: String) {
        #expect(Self.format.code(for: number).rawValue == code)
    }

    @Test("payment code: INV with 8-digit suffix for 42 is INV0000001A3, 12 characters")
    func otherFormat() throws {
        let format = try BankTransferCodeFormat(prefix: "INV", suffixLength: 8)
        #expect(format.codeLength == 12)
        #expect(format.code(for: 42).rawValue == "INV0000001A3")
    }

    @Test("payment code: prefix must be 1–10 upper-case letters and suffix 3–20 long", arguments: [
        ("sub", 6), ("SUBSCRIPTIO", 6), ("SUB1", 6), ("", 6), ("ĐH", 6), ("SUB", 2), ("SUB", 21),
    ] as [(String, Int)])
    func badFormat(prefix: String, suffixLength: Int) {
        let error = #expect(throws: BankTransferError.self) {
            try BankTransferCodeFormat(prefix: prefix, suffixLength: suffixLength)
        }
        #expect(error?.code == .paymentCodeFormatInvalid)
    }

    @Test("payment code: validation reads lower case, separators and O/I/L as 0/1/1")
    func tolerantValidation() throws {
        #expect(try Self.format.validate("sub-8k2j 7qs").rawValue == "SUB8K2J7QS")
        #expect(try Self.format.validate("SUB.088.QZD.5").rawValue == "SUB088QZD5")
        #expect(try Self.format.validate("SUBO88QZD5").rawValue == "SUB088QZD5")
        #expect(try Self.format.validate("SUB00000I3").rawValue == "SUB0000013")
        #expect(try Self.format.validate("SUB00000L3").rawValue == "SUB0000013")
    }

    @Test("payment code: wrong check, wrong prefix, wrong length and U are rejected with their codes", arguments: [
        ("SUB8K2J7QT", BankTransferError.Code.paymentCodeCheckFailed),
        ("SUB8K2J7Q5", .paymentCodeCheckFailed),
        ("INV8K2J7QS", .paymentCodeMalformed),
        ("SUB8K2J7QSX", .paymentCodeMalformed),
        ("SUB8K2J7Q", .paymentCodeMalformed),
        ("SUB8K2JUQS", .paymentCodeMalformed),
    ] as [(String, BankTransferError.Code)])
    func invalidCodes(text: String, code: BankTransferError.Code) {
        let error = #expect(throws: BankTransferError.self) { try Self.format.validate(text) }
        #expect(error?.code == code)
        #expect(error?.values["code"] == text)
    }

    @Test("payment code: 300 random codes each fail validation after any single-character change")
    func singleChangeDetected() throws {
        var random = BankTransferTestRandom(seed: 2024)
        var changes = 0
        for _ in 0..<300 {
            let code = Self.format.randomCode(using: &random)
            #expect(try Self.format.validate(code.rawValue) == code)
            var characters = Array(code.rawValue)
            for position in 3..<characters.count {
                let original = characters[position]
                for replacement in BankTransferCodeFormat.alphabet where replacement != original {
                    characters[position] = replacement
                    #expect(throws: BankTransferError.self) { try Self.format.validate(String(characters)) }
                    changes += 1
                }
                characters[position] = original
            }
        }
        #expect(changes == 300 * 7 * 31)
    }

    @Test("payment code: swapping two neighbouring suffix characters is caught, except 0Z ↔ Z0")
    func transpositions() throws {
        var missed: [String] = []
        for a in BankTransferCodeFormat.alphabet {
            for b in BankTransferCodeFormat.alphabet where a != b {
                // Build a code whose suffix holds "ab", then swap it to "ba".
                let format = Self.format
                let valid = BankTransferCodeFormat.alphabet.compactMap { check in
                    try? format.validate("SUB12\(a)\(b)45\(check)")
                }
                try #require(valid.count == 1)
                let swapped = "SUB12\(b)\(a)45" + String(valid[0].rawValue.last!)
                if (try? format.validate(swapped)) != nil { missed.append("\(a)\(b)") }
            }
        }
        #expect(missed == ["0Z", "Z0"])
    }

    @Test("payment code: a changed prefix letter is caught too (ABC…, prefix letters count A=0…Z=25)")
    func prefixChangeDetected() throws {
        let format = try BankTransferCodeFormat(prefix: "ABC", suffixLength: 5)
        let code = format.code(for: 123_456)
        var caught = 0
        for position in 0..<3 {
            var characters = Array(code.rawValue)
            for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" where letter != characters[position] {
                characters[position] = letter
                let other = try BankTransferCodeFormat(prefix: String(characters.prefix(3)), suffixLength: 5)
                if (try? other.validate(String(characters))) == nil { caught += 1 }
            }
        }
        #expect(caught == 3 * 25)
    }

    @Test("payment code: random codes use only Crockford characters and differ")
    func randomCodes() {
        var random = BankTransferTestRandom(seed: 7)
        let codes = (0..<1000).map { _ in Self.format.randomCode(using: &random).rawValue }
        #expect(Set(codes).count == 1000)
        #expect(codes.allSatisfy { $0.count == 10 && $0.hasPrefix("SUB") })
        #expect(codes.allSatisfy { $0.dropFirst(3).allSatisfy(BankTransferCodeFormat.alphabet.contains) })
        #expect(Self.format.randomCode().rawValue.count == 10)
    }

    // MARK: Memos

    @Test("memo: normalising upper-cases, strips marks and đ, and drops spaces and punctuation")
    func normalise() {
        #expect(
            BankTransferMemo.normalise("MBVCB.3278907687.sub 8k2j.7qs.CT tu 0123 Nguyễn Văn Đức")
                == "MBVCB3278907687SUB8K2J7QSCTTU0123NGUYENVANDUC")
        #expect(BankTransferMemo.normalise("Chuyển tiền: HĐ-SUB8K2J7QS (tháng 7)") == "CHUYENTIENHDSUB8K2J7QSTHANG7")
        #expect(BankTransferMemo.normalise("  ,.;-_/\\  ") == "")
    }

    @Test("memo: the code is found inside bank text, split by spaces and dots, in lower case", arguments: [
        "MBVCB.3278907687.SUB8K2J7QS.CT tu 0123456789 NGUYEN VAN A",
        "sub8k2j7qs",
        "IBFT SUB 8K2J 7QS thanh toan",
        "TKThe :0123, tai MB. SUB.8K2J.7QS-CHUYEN TIEN",
        "Thanh toán hóa đơn SUB8K2J7QSCT tu VCB",
        "REM Tfr Ac: 1234 O@L SUB8K2J7QS",
        "SUBSUB8K2J7QS",
    ])
    func findsCode(memo: String) {
        #expect(Self.format.candidates(inMemo: memo) == [Self.invoiceCode])
    }

    @Test("memo: no candidate when the check fails, the code is truncated or the prefix is absent", arguments: [
        "MBVCB.3278907687.SUB8K2J7QT.CT tu", "CT tu 0123 SUB8K2J7", "8K2J7QS", "", "SUBSCRIPTION FEE",
    ])
    func noCode(memo: String) {
        #expect(Self.format.candidates(inMemo: memo) == [])
    }

    @Test("memo: two different codes are both returned in order, repeats once")
    func twoCodes() {
        let memo = "SUB088QZD5 va SUB8K2J7QS, SUB088QZD5"
        #expect(Self.format.candidates(inMemo: memo).map(\.rawValue) == ["SUB088QZD5", "SUB8K2J7QS"])
    }

    @Test("memo: for 500 random codes embedded in noise, spaces, dots and lower case, exactly that code is found")
    func propertyEmbedded() {
        var random = BankTransferTestRandom(seed: 6_2_2)
        let noise = [
            "MBVCB.3278907687.", "CT tu 0123456789 ", "Chuyển tiền ", "IBFT ", "NGUYEN VAN A chuyen khoan ",
            "FT24207", ".CT DEN:0711", " tai Vietcombank", "Thanh toán hóa đơn ", "-", "", "REF 99 ",
        ]
        for _ in 0..<500 {
            let code = Self.format.randomCode(using: &random)
            var text = ""
            for character in code.rawValue {
                switch Int.random(in: 0..<6, using: &random) {
                case 0: text += " "
                case 1: text += "."
                default: break
                }
                text += Bool.random(using: &random) ? character.lowercased() : String(character)
            }
            let memo = noise.randomElement(using: &random)! + text + noise.randomElement(using: &random)!
            #expect(Self.format.candidates(inMemo: memo) == [code], "\(memo)")
        }
    }

    // MARK: Matching

    static let openInvoices: [BankTransferCode: BankTransferOpenInvoice] = [
        invoiceCode: BankTransferOpenInvoice(code: invoiceCode, amountDue: 1_250_000),
        try! format.validate("SUB088QZD5"): BankTransferOpenInvoice(code: try! format.validate("SUB088QZD5"), amountDue: 500_000),
    ]

    static let matcher = BankTransferMatcher(format: format)

    @Test("match: 1,250,000 ₫ received for 1,250,000 ₫ due is exact")
    func exact() {
        let decision = Self.matcher.match(
            Self.credit(1_250_000, memo: "MBVCB.3278907687.SUB8K2J7QS.CT tu 0123"), openInvoices: Self.openInvoices,
            seenReferences: [])
        #expect(decision == .matched(code: Self.invoiceCode, appliedAmount: 1_250_000, outcome: .exact))
    }

    @Test("match: 1,245,000 ₫ received for 1,250,000 ₫ due is underpaid by 5,000, all 1,245,000 applied")
    func underpaid() {
        let decision = Self.matcher.match(
            Self.credit(1_245_000, memo: "SUB8K2J7QS"), openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .matched(code: Self.invoiceCode, appliedAmount: 1_245_000, outcome: .underpaid(remaining: 5_000)))
    }

    @Test("match: after underpaying, a second 5,000 ₫ transfer against the remaining 5,000 is exact")
    func underpaidThenRest() {
        let remaining = [Self.invoiceCode: BankTransferOpenInvoice(code: Self.invoiceCode, amountDue: 5_000)]
        let decision = Self.matcher.match(
            Self.credit(5_000, memo: "SUB8K2J7QS bu phi", reference: "FT24207000002"), openInvoices: remaining,
            seenReferences: ["FT24207000001"])
        #expect(decision == .matched(code: Self.invoiceCode, appliedAmount: 5_000, outcome: .exact))
    }

    @Test("match: 1,300,000 ₫ received for 1,250,000 ₫ due applies 1,250,000 and reports 50,000 excess")
    func overpaid() {
        let decision = Self.matcher.match(
            Self.credit(1_300_000, memo: "sub 8k2j 7qs"), openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .matched(code: Self.invoiceCode, appliedAmount: 1_250_000, outcome: .overpaid(excess: 50_000)))
    }

    @Test("match: a seen bank reference is a duplicate, compared trimmed and upper-cased, before anything else")
    func duplicate() {
        let seen: Set<String> = ["MBVCB.3278907687"]
        let retry = Self.credit(1_250_000, memo: "SUB8K2J7QS", reference: " mbvcb.3278907687 ")
        #expect(retry.deduplicationKey == "MBVCB.3278907687")
        #expect(
            Self.matcher.match(retry, openInvoices: Self.openInvoices, seenReferences: seen)
                == .duplicate(bankReference: " mbvcb.3278907687 "))
        let noCode = Self.credit(0, memo: "", reference: "MBVCB.3278907687")
        #expect(Self.matcher.match(noCode, openInvoices: [:], seenReferences: seen) == .duplicate(bankReference: "MBVCB.3278907687"))
    }

    @Test("match: a memo without a valid code goes to manual reconciliation as noPaymentCode")
    func noPaymentCode() {
        let decision = Self.matcher.match(
            Self.credit(1_250_000, memo: "chuyen tien hoa don thang 7"), openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .unmatched(.noPaymentCode))
    }

    @Test("match: a valid code that is not open (already paid) is unknownPaymentCodes")
    func unknownCode() {
        let decision = Self.matcher.match(
            Self.credit(1_250_000, memo: "SUB0000013"), openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .unmatched(.unknownPaymentCodes([Self.format.code(for: 1)])))
    }

    @Test("match: a memo naming two open invoices is ambiguous")
    func ambiguous() {
        let decision = Self.matcher.match(
            Self.credit(1_750_000, memo: "SUB8K2J7QS SUB088QZD5"), openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .unmatched(.ambiguousPaymentCodes([Self.invoiceCode, try! Self.format.validate("SUB088QZD5")])))
    }

    @Test("match: one open and one unknown code in the memo matches the open one")
    func openAndUnknown() {
        let decision = Self.matcher.match(
            Self.credit(500_000, memo: "SUB0000013 SUB088QZD5"), openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .matched(code: try! Self.format.validate("SUB088QZD5"), appliedAmount: 500_000, outcome: .exact))
    }

    @Test("match: a USD credit against a VND invoice is a currency mismatch")
    func currencyMismatch() {
        let decision = Self.matcher.match(
            Self.credit(50, memo: "SUB8K2J7QS", currency: "USD"), openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .unmatched(.currencyMismatch(invoice: Self.invoiceCode, expected: "VND", received: "USD")))
    }

    @Test("match: zero amount and a missing bank reference are unmatched")
    func invalidCredits() {
        #expect(
            Self.matcher.match(Self.credit(0, memo: "SUB8K2J7QS"), openInvoices: Self.openInvoices, seenReferences: [])
                == .unmatched(.amountNotPositive(0)))
        #expect(
            Self.matcher.match(
                Self.credit(1_250_000, memo: "SUB8K2J7QS", reference: "  "), openInvoices: Self.openInvoices,
                seenReferences: []) == .unmatched(.missingBankReference))
    }

    @Test("match: the provider's extracted code is used when the bank cut the memo")
    func providerCode() {
        let decision = Self.matcher.match(
            Self.credit(1_250_000, memo: "MBVCB.3278907687.SUB8K2", providerCode: "SUB8K2J7QS"),
            openInvoices: Self.openInvoices, seenReferences: [])
        #expect(decision == .matched(code: Self.invoiceCode, appliedAmount: 1_250_000, outcome: .exact))
    }

    @Test("match: the closure lookup gives the same decision as the dictionary")
    func closureLookup() {
        var asked: [String] = []
        let decision = Self.matcher.match(Self.credit(1_245_000, memo: "SUB8K2J7QS"), seenReferences: []) { code in
            asked.append(code.rawValue)
            return Self.openInvoices[code]
        }
        #expect(asked == ["SUB8K2J7QS"])
        #expect(decision == .matched(code: Self.invoiceCode, appliedAmount: 1_245_000, outcome: .underpaid(remaining: 5_000)))
    }

    @Test("date: yyyy-MM-dd round trip, leap days, and invalid days")
    func dates() {
        #expect(BankTransferDate("2024-02-29")?.description == "2024-02-29")
        #expect(BankTransferDate("2023-02-29") == nil)
        #expect(BankTransferDate("2024-13-01") == nil)
        #expect(BankTransferDate("2024-7-25") == nil)
        #expect(BankTransferDate(year: 2000, month: 2, day: 29) != nil)
        #expect(BankTransferDate(year: 1900, month: 2, day: 29) == nil)
        #expect(BankTransferDate("2024-07-25")! < BankTransferDate("2024-07-26")!)
    }

    @Test("credit: encodes to JSON with the date as yyyy-MM-dd and decodes back")
    func creditCodable() throws {
        let credit = Self.credit(1_250_000, memo: "SUB8K2J7QS", providerCode: "SUB8K2J7QS")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(credit), as: UTF8.self)
        #expect(json.contains(#""date":"2024-07-25""#))
        #expect(json.contains(#""providerPaymentCode":"SUB8K2J7QS""#))
        #expect(try JSONDecoder().decode(BankTransferCredit.self, from: Data(json.utf8)) == credit)
    }
}
