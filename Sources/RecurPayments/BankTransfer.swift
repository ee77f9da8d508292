import Foundation

// Per-invoice payment codes, memo normalisation and the decision that applies an
// incoming bank credit to an open invoice (docs/PAYMENTS.md §6.2).
//
// Each invoice paid by bank transfer gets a short code, `PREFIX` + a Crockford
// base-32 suffix + one check character (`SUB` `8K2J7Q` `S`). The customer puts it in
// the transfer's memo ("nội dung chuyển khoản"); the VietQR purpose field carries it
// for them. Banks add their own text around it and may split it with spaces or dots,
// so a credit's memo is normalised and scanned for the prefix followed by a suffix
// whose check character holds.
//
// The check character is Luhn mod 32 over the code: prefix letters count as A=0 … Z=25,
// suffix characters as their Crockford values. It catches every single mistyped
// character and every swap of two neighbours except `0Z` ↔ `Z0`, and a random string
// in a memo passes for a code only once in 32 tries.

/// The format of a merchant's payment codes: a fixed prefix and a suffix length.
///
/// For example:
/// ```swift
/// let format = try BankTransferCodeFormat(prefix: "SUB", suffixLength: 6)
/// let code = format.code(for: 8_675_309)              // "SUB088QZD5": suffix 088QZD, check 5
/// format.candidates(inMemo: "MBVCB.3278907687.sub 088 qzd 5.CT tu 0123")  // [SUB088QZD5]
/// ```
public struct BankTransferCodeFormat: Hashable, Sendable {
    /// Crockford's base-32 digits: no I, L, O or U, so codes survive handwriting and typing.
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    /// Accepted suffix lengths (the check character comes on top).
    public static let suffixLengths = 3...20

    /// 1 to 10 upper-case letters A–Z.
    public let prefix: String
    /// Crockford digits after the prefix, before the check character.
    public let suffixLength: Int

    /// The length of a whole code: prefix, suffix and check character.
    public var codeLength: Int { prefix.utf8.count + suffixLength + 1 }

    /// - throws: `BankTransferError` `.paymentCodeFormatInvalid` when the prefix is not
    ///   1–10 upper-case letters A–Z or the suffix length is not 3...20.
    public init(prefix: String = "SUB", suffixLength: Int = 6) throws(BankTransferError) {
        guard (1...10).contains(prefix.utf8.count), prefix.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
            throw BankTransferError(
                .paymentCodeFormatInvalid, "prefix \"\(prefix)\" must be 1 to 10 upper-case letters A-Z", ["prefix": prefix])
        }
        guard Self.suffixLengths.contains(suffixLength) else {
            throw BankTransferError(
                .paymentCodeFormatInvalid, "suffix length \(suffixLength) must be 3...20",
                ["suffixLength": String(suffixLength)])
        }
        self.prefix = prefix
        self.suffixLength = suffixLength
    }

    /// The code whose suffix is `number` in base 32 (taken modulo 32^suffixLength),
    /// zero-padded, with its check character.
    public func code(for number: UInt64) -> BankTransferCode {
        var digits = [Int](repeating: 0, count: suffixLength)
        var rest = number
        for i in stride(from: suffixLength - 1, through: 0, by: -1) {
            digits[i] = Int(rest % 32)
            rest /= 32
        }
        return code(suffix: digits)
    }

    /// A code with a random suffix drawn from `generator`.
    public func randomCode(using generator: inout some RandomNumberGenerator) -> BankTransferCode {
        code(suffix: (0..<suffixLength).map { _ in Int.random(in: 0..<32, using: &generator) })
    }

    /// A code with a random suffix from the system's secure generator.
    public func randomCode() -> BankTransferCode {
        var generator = SystemRandomNumberGenerator()
        return randomCode(using: &generator)
    }

    /// Reads `text` as a code of this format. It is normalised first, so
    /// `"sub-8k2j 7qs"` reads as `SUB8K2J7QS`; in the suffix, `O` reads as `0` and `I`
    /// or `L` as `1`, as Crockford decoding allows.
    ///
    /// - throws: `BankTransferError` `.paymentCodeMalformed` when the prefix, length or a
    ///   character is wrong, `.paymentCodeCheckFailed` when the check character does not hold.
    public func validate(_ text: String) throws(BankTransferError) -> BankTransferCode {
        let normalised = Array(BankTransferMemo.normalise(text).utf8)
        let prefixBytes = Array(prefix.utf8)
        guard normalised.count == codeLength, normalised.starts(with: prefixBytes) else {
            throw BankTransferError(
                .paymentCodeMalformed,
                "\"\(text)\" is not \(prefix) followed by \(suffixLength + 1) letters or digits",
                ["code": text, "prefix": prefix, "length": String(codeLength)])
        }
        guard let values = Self.suffixValues(normalised[prefixBytes.count...]) else {
            throw BankTransferError(
                .paymentCodeMalformed, "\"\(text)\" holds a character outside Crockford base 32 (U)", ["code": text])
        }
        guard isValid(suffixAndCheck: values) else {
            throw BankTransferError(.paymentCodeCheckFailed, "the check character of \"\(text)\" does not match", ["code": text])
        }
        return BankTransferCode(prefix: prefix, values: values)
    }

    /// The codes of this format found in `memo`, in order of appearance, each once.
    /// The memo is normalised first (`BankTransferMemo.normalise`).
    public func candidates(inMemo memo: String) -> [BankTransferCode] {
        candidates(inNormalisedMemo: BankTransferMemo.normalise(memo))
    }

    /// The codes of this format in a memo already normalised: every place the prefix
    /// occurs, followed by `suffixLength + 1` Crockford characters whose check
    /// character holds. Bank text right before or after the code does not matter.
    public func candidates(inNormalisedMemo memo: String) -> [BankTransferCode] {
        let bytes = Array(memo.utf8)
        let prefixBytes = Array(prefix.utf8)
        var found: [BankTransferCode] = []
        var start = 0
        while start + codeLength <= bytes.count {
            defer { start += 1 }
            guard bytes[start..<(start + prefixBytes.count)].elementsEqual(prefixBytes) else { continue }
            let tail = bytes[(start + prefixBytes.count)..<(start + codeLength)]
            guard let values = Self.suffixValues(tail), isValid(suffixAndCheck: values) else { continue }
            let code = BankTransferCode(prefix: prefix, values: values)
            if !found.contains(code) { found.append(code) }
        }
        return found
    }

    // MARK: - Check character (Luhn mod 32)

    private func code(suffix: [Int]) -> BankTransferCode {
        BankTransferCode(prefix: prefix, values: suffix + [checkValue(suffix: suffix)])
    }

    /// The prefix as numbers for the checksum: A=0 … Z=25.
    private var prefixValues: [Int] { prefix.utf8.map { Int($0) - 0x41 } }

    func checkValue(suffix: [Int]) -> Int {
        let values = prefixValues + suffix
        var factor = 2
        var sum = 0
        for value in values.reversed() {
            let addend = factor * value
            sum += addend / 32 + addend % 32
            factor = factor == 2 ? 1 : 2
        }
        return (32 - sum % 32) % 32
    }

    func isValid(suffixAndCheck values: [Int]) -> Bool {
        values.count == suffixLength + 1 && checkValue(suffix: Array(values.dropLast())) == values.last
    }

    /// Crockford values of normalised characters, reading O as 0 and I or L as 1; nil
    /// when a character is U (the only upper-case letter Crockford leaves out).
    private static func suffixValues(_ bytes: ArraySlice<UInt8>) -> [Int]? {
        var values: [Int] = []
        values.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case 0x4F: values.append(0)  // O
            case 0x49, 0x4C: values.append(1)  // I, L
            default:
                guard let index = alphabetBytes.firstIndex(of: byte) else { return nil }
                values.append(index)
            }
        }
        return values
    }

    private static let alphabetBytes: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
}

/// A payment code that passed its check character, in canonical form (`SUB8K2J7QS`).
public struct BankTransferCode: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String

    init(prefix: String, values: [Int]) {
        rawValue = prefix + String(values.map { BankTransferCodeFormat.alphabet[$0] })
    }

    public var description: String { rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Transfer memos as the matcher reads them.
public enum BankTransferMemo {
    /// Upper-case ASCII letters and digits only: Vietnamese marks stripped (`đ` → `D`),
    /// spaces, dots, dashes and every other character removed.
    ///
    /// For example, `"MBVCB.3278907687.sub 8k2j.7qs.CT tu 0123 Nguyễn Văn Đức"` becomes
    /// `"MBVCB3278907687SUB8K2J7QSCTTU0123NGUYENVANDUC"`.
    public static func normalise(_ memo: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in VietQR.transliterate(memo).unicodeScalars {
            switch scalar {
            case "A"..."Z", "0"..."9": scalars.append(scalar)
            case "a"..."z": scalars.append(Unicode.Scalar(scalar.value - 0x20)!)
            default: continue
            }
        }
        return String(scalars)
    }
}

// MARK: - Matching

/// A calendar date of a bank booking (the bank's local date, GMT+7 in Vietnam).
public struct BankTransferDate: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// nil unless `year`-`month`-`day` is a date of the proleptic Gregorian calendar
    /// in years 1...9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Reads `yyyy-MM-dd`.
    public init?(_ iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == 4, parts[1].utf8.count == 2, parts[2].utf8.count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `yyyy-MM-dd`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = BankTransferDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not a yyyy-MM-dd date")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Money received on the merchant's bank account, as a bank statement or a bank-feed
/// webhook reports it.
public struct BankTransferCredit: Hashable, Sendable, Codable {
    /// The bank's reference for the booking (`FT24207…`, `MBVCB.3278907687`): the key
    /// duplicates are recognised by.
    public var bankReference: String
    /// The amount credited, in minor units (whole dong for VND).
    public var amount: Int64
    /// ISO 4217 code, `VND`.
    public var currency: String
    /// The transfer's description as the bank shows it.
    public var memo: String
    public var date: BankTransferDate
    /// The merchant account credited, when known.
    public var accountNumber: String?
    /// The bank or gateway name, when known (`Vietcombank`).
    public var gateway: String?
    /// The bank-feed provider's own id for the transaction (SePay `id`), when known.
    public var providerTransactionID: String?
    /// A payment code the provider already extracted from the memo (SePay `code`), when known.
    public var providerPaymentCode: String?

    public init(
        bankReference: String, amount: Int64, currency: String = "VND", memo: String, date: BankTransferDate,
        accountNumber: String? = nil, gateway: String? = nil, providerTransactionID: String? = nil,
        providerPaymentCode: String? = nil
    ) {
        self.bankReference = bankReference
        self.amount = amount
        self.currency = currency
        self.memo = memo
        self.date = date
        self.accountNumber = accountNumber
        self.gateway = gateway
        self.providerTransactionID = providerTransactionID
        self.providerPaymentCode = providerPaymentCode
    }

    /// The bank reference trimmed and upper-cased: store this for every credit applied
    /// or queued, and pass the stored keys as `seenReferences` when matching.
    public var deduplicationKey: String {
        bankReference.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
    }
}

/// What is still owed on an invoice that can be paid by transfer.
public struct BankTransferOpenInvoice: Hashable, Sendable {
    public var code: BankTransferCode
    /// The amount still due, in minor units.
    public var amountDue: Int64
    public var currency: String

    public init(code: BankTransferCode, amountDue: Int64, currency: String = "VND") {
        self.code = code
        self.amountDue = amountDue
        self.currency = currency
    }
}

/// How a matched credit compares with the amount due.
public enum BankTransferOutcome: Hashable, Sendable {
    /// The credit pays the invoice exactly.
    case exact
    /// The credit is short by `remaining`; the invoice stays open for it (bank fees
    /// are the customer's).
    case underpaid(remaining: Int64)
    /// The credit exceeds the amount due by `excess`, to be refunded or kept as credit.
    case overpaid(excess: Int64)
}

/// Why a credit went to the manual reconciliation queue.
public enum BankTransferUnmatchedReason: Hashable, Sendable {
    /// The credit has no bank reference, so it could not be deduplicated.
    case missingBankReference
    /// The amount is zero or negative.
    case amountNotPositive(Int64)
    /// No valid payment code of the format is in the memo.
    case noPaymentCode
    /// Valid codes were found, but none is an open invoice (already paid, cancelled or mistyped).
    case unknownPaymentCodes([BankTransferCode])
    /// The memo names more than one open invoice.
    case ambiguousPaymentCodes([BankTransferCode])
    /// The credit's currency is not the invoice's.
    case currencyMismatch(invoice: BankTransferCode, expected: String, received: String)
}

/// The decision for one incoming credit.
public enum BankTransferMatch: Hashable, Sendable {
    /// The bank reference was seen before: a webhook retry or a re-uploaded statement.
    case duplicate(bankReference: String)
    /// The credit cannot be applied automatically.
    case unmatched(BankTransferUnmatchedReason)
    /// Apply `appliedAmount` (at most the amount due) to the invoice `code`.
    case matched(code: BankTransferCode, appliedAmount: Int64, outcome: BankTransferOutcome)
}

/// Decides what an incoming bank credit pays, as a pure function of the credit, the
/// open invoices and the references already seen.
///
/// For example, 1,245,000 ₫ received against 1,250,000 ₫ due:
/// ```swift
/// let matcher = BankTransferMatcher(format: format)
/// matcher.match(credit, seenReferences: []) { invoices[$0] }
/// // .matched(code: SUB088QZD5, appliedAmount: 1_245_000, outcome: .underpaid(remaining: 5_000))
/// ```
public struct BankTransferMatcher: Hashable, Sendable {
    public var format: BankTransferCodeFormat

    public init(format: BankTransferCodeFormat) {
        self.format = format
    }

    /// The decision for `credit`, in this order:
    /// 1. no bank reference → unmatched; reference in `seenReferences` (as
    ///    `deduplicationKey`) → duplicate;
    /// 2. amount not positive → unmatched;
    /// 3. the payment codes in the memo (and the provider's extracted code) that are open
    ///    invoices: none → unmatched (no code, or unknown codes), several → ambiguous;
    /// 4. a currency other than the invoice's → unmatched;
    /// 5. otherwise matched: exact, underpaid (the whole credit applied, the rest still
    ///    due) or overpaid (the amount due applied, the excess reported).
    public func match(
        _ credit: BankTransferCredit,
        seenReferences: Set<String>,
        openInvoice: (BankTransferCode) -> BankTransferOpenInvoice?
    ) -> BankTransferMatch {
        let key = credit.deduplicationKey
        guard !key.isEmpty else { return .unmatched(.missingBankReference) }
        if seenReferences.contains(key) { return .duplicate(bankReference: credit.bankReference) }
        guard credit.amount > 0 else { return .unmatched(.amountNotPositive(credit.amount)) }

        var codes = format.candidates(inMemo: credit.memo)
        if let provided = credit.providerPaymentCode {
            for code in format.candidates(inMemo: provided) where !codes.contains(code) {
                codes.append(code)
            }
        }
        let open = codes.compactMap(openInvoice)
        guard let invoice = open.first else {
            return .unmatched(codes.isEmpty ? .noPaymentCode : .unknownPaymentCodes(codes))
        }
        guard open.count == 1 else { return .unmatched(.ambiguousPaymentCodes(open.map(\.code))) }
        guard invoice.currency.uppercased() == credit.currency.uppercased() else {
            return .unmatched(.currencyMismatch(invoice: invoice.code, expected: invoice.currency, received: credit.currency))
        }
        if credit.amount == invoice.amountDue {
            return .matched(code: invoice.code, appliedAmount: credit.amount, outcome: .exact)
        } else if credit.amount < invoice.amountDue {
            return .matched(
                code: invoice.code, appliedAmount: credit.amount,
                outcome: .underpaid(remaining: invoice.amountDue - credit.amount))
        } else {
            return .matched(
                code: invoice.code, appliedAmount: invoice.amountDue,
                outcome: .overpaid(excess: credit.amount - invoice.amountDue))
        }
    }

    /// `match(_:seenReferences:openInvoice:)` over a dictionary of open invoices.
    public func match(
        _ credit: BankTransferCredit,
        openInvoices: [BankTransferCode: BankTransferOpenInvoice],
        seenReferences: Set<String>
    ) -> BankTransferMatch {
        match(credit, seenReferences: seenReferences) { openInvoices[$0] }
    }
}
