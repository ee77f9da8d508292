public import Foundation

/// The credits of an uploaded bank-statement CSV file, read through a header-driven
/// column mapping, with every row that could not be read reported by line.
///
/// Vietnamese banks export statements with Vietnamese or English headers, comma or
/// semicolon separated, amounts written `1.250.000`, `1,250,000` or `1 250 000` and
/// dates written `dd/MM/yyyy`. The parser reads the CSV as RFC 4180 lays down (quoted
/// fields, doubled quotes, CRLF or LF, a UTF-8 BOM), finds the header row (lines above it,
/// such as the bank's name and the account, are skipped), maps its columns by name,
/// keeps credits, skips debits, and reports each bad row without losing the good ones.
///
/// For example:
/// ```swift
/// let statement = try BankStatement.parse(csv: """
///     Ngày giao dịch;Số tham chiếu;Nội dung;Ghi nợ;Ghi có
///     25/07/2024;FT24207001;MBVCB.3278907687.SUB088QZD5.CT tu 0123;;1.250.000
///     """)
/// statement.credits[0].credit.amount   // 1_250_000
/// statement.credits[0].line            // 2
/// ```
public struct BankStatement: Hashable, Sendable {
    /// A credit and the line of the file it was read from.
    public struct Entry: Hashable, Sendable {
        /// The 1-based line the row starts on (the header is usually line 1).
        public let line: Int
        public let credit: BankTransferCredit
    }

    /// How the file is read where it does not say.
    public struct Options: Hashable, Sendable {
        /// The currency of amounts when there is no currency column (or it is empty).
        public var currency: String
        /// The merchant account the statement is for, copied into each credit.
        public var accountNumber: String?
        /// The bank's name, copied into each credit.
        public var gateway: String?

        public init(currency: String = "VND", accountNumber: String? = nil, gateway: String? = nil) {
            self.currency = currency
            self.accountNumber = accountNumber
            self.gateway = gateway
        }
    }

    /// The credits, in file order.
    public var credits: [Entry]
    /// One error per row that could not be read (`.statementRowInvalid` with
    /// `values["reason"]`, or `.statementCSVMalformed`), each with its line.
    public var rejected: [BankTransferError]
    /// Lines of debit rows, skipped on purpose.
    public var debitLines: [Int]
    /// The columns the header was mapped to.
    public var columns: BankStatementColumns
    /// The field delimiter detected from the header: `,`, `;` or a tab.
    public var delimiter: Character

    /// Reads a statement from the bytes of an uploaded file: UTF-8 with or without a
    /// BOM, or UTF-16 with a BOM (Excel's "Unicode text").
    ///
    /// - throws: `BankTransferError` `.statementEncodingInvalid`, or as `parse(csv:options:)`.
    public static func parse(csv data: Data, options: Options = Options()) throws(BankTransferError) -> BankStatement {
        let bytes = [UInt8](data)
        let text: String?
        if bytes.starts(with: [0xFF, 0xFE]) {
            text = String(bytes: bytes.dropFirst(2), encoding: .utf16LittleEndian)
        } else if bytes.starts(with: [0xFE, 0xFF]) {
            text = String(bytes: bytes.dropFirst(2), encoding: .utf16BigEndian)
        } else {
            text = String(validating: bytes, as: UTF8.self)
        }
        guard let text else {
            throw BankTransferError(.statementEncodingInvalid, "the file is not UTF-8 or UTF-16 text")
        }
        return try parse(csv: text, options: options)
    }

    /// Reads a statement from CSV text.
    ///
    /// - throws: `BankTransferError` `.statementEmpty` when there is no row at all, and
    ///   `.statementColumnMissing` when no row in the first 30 names a date, reference,
    ///   description and credit (or amount) column. Problems in data rows do not throw:
    ///   they are listed in `rejected`.
    public static func parse(csv text: String, options: Options = Options()) throws(BankTransferError) -> BankStatement {
        let scalars = Array(text.unicodeScalars.drop(while: { $0 == "\u{FEFF}" }))
        guard scalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw BankTransferError(.statementEmpty, "the file has no rows")
        }
        // Try the delimiter most frequent on the first line first; the first one that
        // yields a recognisable header wins.
        let firstLine = scalars.prefix(while: { $0 != "\n" && $0 != "\r" })
        let ranked = [Unicode.Scalar(","), ";", "\t"].sorted { a, b in
            firstLine.filter { $0 == a }.count > firstLine.filter { $0 == b }.count
        }
        var firstHeader: [String]?
        for delimiter in ranked {
            let (records, failure) = BankStatementCSV.records(scalars, delimiter: delimiter)
            if firstHeader == nil { firstHeader = records.first?.fields }
            for (index, record) in records.prefix(30).enumerated() {
                guard let columns = BankStatementColumns(header: record.fields) else { continue }
                return read(
                    records: records[(index + 1)...], failure: failure, columns: columns,
                    delimiter: Character(delimiter), options: options)
            }
        }
        let header = firstHeader ?? []
        let missing = BankStatementColumns.missingRoles(header: header)
        throw BankTransferError(
            .statementColumnMissing,
            "no header row names the \(missing.joined(separator: ", ")) column\(missing.count == 1 ? "" : "s")",
            ["missing": missing.joined(separator: ","), "header": header.joined(separator: "|")])
    }

    private static func read(
        records: ArraySlice<BankStatementCSV.Record>, failure: BankTransferError?, columns: BankStatementColumns,
        delimiter: Character, options: Options
    ) -> BankStatement {
        var statement = BankStatement(credits: [], rejected: [], debitLines: [], columns: columns, delimiter: delimiter)
        for record in records {
            if record.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            do {
                if let credit = try columns.credit(from: record.fields, options: options) {
                    statement.credits.append(Entry(line: record.line, credit: credit))
                } else {
                    statement.debitLines.append(record.line)
                }
            } catch {
                statement.rejected.append(error.at(line: record.line))
            }
        }
        if let failure { statement.rejected.append(failure) }
        return statement
    }

    // MARK: - Amounts and dates

    /// An amount cell as signed minor units.
    ///
    /// Accepts `1250000`, `1.250.000`, `1,250,000`, `1 250 000`, `+1,250,000 VND`,
    /// `-500.000 ₫`, `(500,000)` and a zero fraction (`1,250,000.00`). A single `.` or
    /// `,` followed by exactly three digits groups thousands (`1.250` is 1,250); followed
    /// by other than three digits it is the decimal separator.
    ///
    /// - parameter fractionDigits: the currency's minor digits (0 for VND).
    /// - throws: `BankTransferError` `.statementAmountInvalid` when the text is not a
    ///   number, `.statementAmountFractional` when it has more non-zero fraction digits
    ///   than the currency has (any non-zero fraction for VND).
    public static func parseAmount(_ text: String, fractionDigits: Int = 0) throws(BankTransferError) -> Int64 {
        func invalid(_ why: String) -> BankTransferError {
            BankTransferError(.statementAmountInvalid, "amount \"\(text)\" \(why)", ["amount": text])
        }
        var core = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var negative = false
        if core.hasPrefix("("), core.hasSuffix(")") {
            negative = true
            core = String(core.dropFirst().dropLast())
        }
        // A currency word or sign before or after the number.
        for marker in ["VND", "VNĐ", "vnd", "vnđ", "₫", "đ", "Đ"] {
            if core.hasSuffix(marker) { core = String(core.dropLast(marker.count)) }
            if core.hasPrefix(marker) { core = String(core.dropFirst(marker.count)) }
            core = core.trimmingCharacters(in: .whitespaces)
        }
        if core.hasPrefix("+") || core.hasPrefix("-") {
            if core.hasPrefix("-") { negative.toggle() }
            core = String(core.dropFirst()).trimmingCharacters(in: .whitespaces)
        }
        // Spaces of any width group thousands, like "1 250 000".
        var chars: [Character] = []
        for ch in core {
            switch ch {
            case " ", "\u{00A0}", "\u{202F}", "\u{2009}": chars.append(" ")
            case "0"..."9", ".", ",", "'": chars.append(ch)
            default: throw invalid("holds \"\(ch)\", which is not part of a number")
            }
        }
        guard let first = chars.first, first.isNumber, let last = chars.last, last.isNumber else {
            throw invalid("is not a number")
        }

        // Which separator, if any, is the decimal one.
        let separators = chars.enumerated().filter { !$0.element.isNumber }
        let pointKinds = Set(separators.map(\.element).filter { (ch: Character) in ch == "." || ch == "," })
        var decimalIndex: Int?
        if let lastSeparator = separators.last, lastSeparator.element == "." || lastSeparator.element == "," {
            let kind = lastSeparator.element
            let occurrences = separators.filter { $0.element == kind }.count
            let digitsAfter = chars.count - lastSeparator.offset - 1
            if pointKinds.count == 2 {
                guard occurrences == 1 else { throw invalid("mixes separators") }
                decimalIndex = lastSeparator.offset
            } else if occurrences == 1 && digitsAfter != 3 {
                decimalIndex = lastSeparator.offset
            }
        }
        let integerChars = decimalIndex.map { Array(chars[..<$0]) } ?? chars
        let fraction = decimalIndex.map { String(chars[($0 + 1)...]) } ?? ""
        guard fraction.allSatisfy(\.isNumber) else { throw invalid("has separators after the decimal point") }

        // Thousands groups: one kind of separator, 1–3 digits then groups of exactly 3.
        let groupSeparators = Set(integerChars.filter { !$0.isNumber })
        guard groupSeparators.count <= 1 else { throw invalid("mixes thousands separators") }
        var groups: [Substring] = [Substring(String(integerChars))]
        if let separator = groupSeparators.first {
            groups = String(integerChars).split(separator: separator, omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else {
                throw invalid("has thousands groups of the wrong size")
            }
        }
        let digits = groups.joined()

        let significantFraction = String(fraction.reversed().drop(while: { $0 == "0" }).reversed())
        guard significantFraction.count <= fractionDigits else {
            throw BankTransferError(
                .statementAmountFractional,
                fractionDigits == 0
                    ? "amount \"\(text)\" has a fraction, but the currency has no minor unit"
                    : "amount \"\(text)\" has more than \(fractionDigits) decimal digits",
                ["amount": text, "fractionDigits": String(fractionDigits)])
        }
        let minor = digits + significantFraction + String(repeating: "0", count: fractionDigits - significantFraction.count)
        guard let magnitude = Int64(minor) else { throw invalid("is too large") }
        return negative ? -magnitude : magnitude
    }

    /// A date cell: `yyyy-MM-dd`, `dd/MM/yyyy` or `dd-MM-yyyy` (day and month may have
    /// one digit), optionally followed by a time (`25/07/2024 14:02:37`,
    /// `2024-07-25T14:02:37+07:00`), which is ignored: the date is the bank's local date.
    ///
    /// - throws: `BankTransferError` `.statementDateInvalid` for another format or a day
    ///   that is not on the calendar (`31/02/2024`).
    public static func parseDate(_ text: String) throws(BankTransferError) -> BankTransferDate {
        let invalid = BankTransferError(
            .statementDateInvalid, "date \"\(text)\" is not yyyy-MM-dd, dd/MM/yyyy or dd-MM-yyyy", ["date": text])
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let split = trimmed.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "T" })
        guard let datePart = split.first else { throw invalid }
        if split.count == 2 {
            let time = split[1].trimmingCharacters(in: .whitespaces)
            guard let first = time.first, first.isNumber,
                time.allSatisfy({ $0.isASCII && ($0.isNumber || ":.+-Z".contains($0)) })
            else {
                throw invalid
            }
        }
        let separator: Character = datePart.contains("/") ? "/" : "-"
        let parts = datePart.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            throw invalid
        }
        let year: Substring
        let month: Substring
        let day: Substring
        if parts[0].count == 4 && separator == "-" {
            (year, month, day) = (parts[0], parts[1], parts[2])
        } else if parts[2].count == 4 {
            (day, month, year) = (parts[0], parts[1], parts[2])
        } else {
            throw invalid
        }
        guard month.count <= 2, day.count <= 2,
            let date = BankTransferDate(year: Int(year)!, month: Int(month)!, day: Int(day)!)
        else { throw invalid }
        return date
    }

    /// Minor digits of the currencies a Vietnamese statement may show.
    static func fractionDigits(currency: String) -> Int {
        ["VND", "JPY", "KRW"].contains(currency.uppercased()) ? 0 : 2
    }
}

/// Which column of a statement holds what, found from the header's names.
///
/// Names are compared without case, marks, spaces or punctuation, so
/// `Ngày giao dịch`, `NGAY GIAO DICH` and `ngay_giao_dich` all name the date.
public struct BankStatementColumns: Hashable, Sendable {
    /// The role of a column and the names it is known by (normalised).
    public enum Role: String, Hashable, Sendable, CaseIterable {
        case date, reference, description, credit, debit, amount, currency

        /// Header names, without case, marks, spaces or punctuation.
        public var names: Set<String> {
            switch self {
            case .date:
                ["date", "transactiondate", "valuedate", "bookingdate", "postingdate", "txndate", "ngay",
                 "ngaygiaodich", "ngaygd", "ngayhachtoan", "ngayhieuluc", "ngaythuchien", "thoigian",
                 "thoigiangiaodich"]
            case .reference:
                ["reference", "ref", "refno", "referenceno", "referencenumber", "referencecode", "transactionid",
                 "transactionreference", "transactionno", "transactionnumber", "txnid", "sothamchieu",
                 "magiaodich", "magd", "sogiaodich", "sobuttoan", "sochungtu", "soct"]
            case .description:
                ["description", "memo", "details", "transactiondetails", "narrative", "content", "remarks",
                 "noidung", "noidunggiaodich", "noidungchuyenkhoan", "diengiai", "mota"]
            case .credit:
                ["credit", "credits", "creditamount", "moneyin", "paidin", "deposit", "deposits", "ghico",
                 "sotienghico", "phatsinhco", "sotienco"]
            case .debit:
                ["debit", "debits", "debitamount", "moneyout", "paidout", "withdrawal", "withdrawals", "ghino",
                 "sotienghino", "phatsinhno", "sotienno"]
            case .amount:
                ["amount", "transactionamount", "sotien", "sotiengiaodich"]
            case .currency:
                ["currency", "ccy", "loaitien", "tiente"]
            }
        }
    }

    public let date: Int
    public let reference: Int
    public let description: Int
    /// The credit column; nil when credits and debits share a signed `amount` column.
    public let credit: Int?
    public let debit: Int?
    /// A signed amount column, used when there is no credit column.
    public let amount: Int?
    public let currency: Int?

    /// The mapping of `header`, or nil unless it names a date, a reference, a
    /// description and a credit or amount column. The first column of each role wins.
    public init?(header: [String]) {
        let found = Self.roles(header: header)
        guard let date = found[.date], let reference = found[.reference], let description = found[.description],
            found[.credit] != nil || found[.amount] != nil
        else { return nil }
        self.date = date
        self.reference = reference
        self.description = description
        self.credit = found[.credit]
        self.debit = found[.debit]
        self.amount = found[.credit] == nil ? found[.amount] : nil
        self.currency = found[.currency]
    }

    /// A header name without case, marks, spaces or punctuation: `Số tiền ghi có` → `sotienghico`.
    public static func normalisedName(_ name: String) -> String {
        BankTransferMemo.normalise(name).lowercased()
    }

    static func roles(header: [String]) -> [Role: Int] {
        var found: [Role: Int] = [:]
        for (index, name) in header.enumerated() {
            let key = normalisedName(name)
            for role in Role.allCases where found[role] == nil && role.names.contains(key) {
                found[role] = index
            }
        }
        return found
    }

    static func missingRoles(header: [String]) -> [String] {
        let found = roles(header: header)
        var missing = [Role.date, .reference, .description].filter { found[$0] == nil }.map(\.rawValue)
        if found[.credit] == nil && found[.amount] == nil { missing.append("credit or amount") }
        return missing
    }

    /// The credit of one data row, nil for a debit row.
    func credit(from fields: [String], options: BankStatement.Options) throws(BankTransferError) -> BankTransferCredit? {
        func rowError(_ reason: String, _ message: String, _ values: [String: String] = [:]) -> BankTransferError {
            BankTransferError(.statementRowInvalid, message, values.merging(["reason": reason]) { a, _ in a })
        }
        func cell(_ index: Int?) -> String {
            guard let index, index < fields.count else { return "" }
            return fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let needed = [date, reference, description, credit ?? amount ?? 0].max()! + 1
        guard fields.count >= needed else {
            throw rowError(
                "too_few_fields", "the row has \(fields.count) fields, the header needs at least \(needed)",
                ["fields": String(fields.count), "expected": String(needed)])
        }
        let currencyCode = cell(currency).isEmpty ? options.currency.uppercased() : cell(currency).uppercased()
        let digits = BankStatement.fractionDigits(currency: currencyCode)
        func amountOf(_ field: String, _ text: String) throws(BankTransferError) -> Int64? {
            guard !text.isEmpty else { return nil }
            do {
                return try BankStatement.parseAmount(text, fractionDigits: digits)
            } catch {
                throw rowError(
                    String(error.code.rawValue.split(separator: ".").last ?? "amount_invalid"),
                    "\(field): \(error.message)", ["field": field, "value": text])
            }
        }

        // Credit or debit first, so debit rows are skipped whatever else they hold.
        let received: Int64
        if credit != nil {
            let creditAmount = try amountOf("credit", cell(credit)) ?? 0
            let debitAmount = try amountOf("debit", cell(debit)) ?? 0
            if creditAmount < 0 {
                throw rowError("credit_negative", "credit \"\(cell(credit))\" is negative", ["value": cell(credit)])
            }
            if creditAmount == 0 {
                guard debitAmount != 0 else { throw rowError("amount_missing", "the row has no credit or debit amount") }
                return nil
            }
            received = creditAmount
        } else {
            let signed = try amountOf("amount", cell(amount)) ?? 0
            if signed < 0 { return nil }
            guard signed > 0 else { throw rowError("amount_missing", "the row has no amount") }
            received = signed
        }

        let dateText = cell(date)
        let bookingDate: BankTransferDate
        do {
            bookingDate = try BankStatement.parseDate(dateText)
        } catch {
            throw rowError("date_invalid", "date: \(error.message)", ["field": "date", "value": dateText])
        }
        let bankReference = cell(reference)
        guard !bankReference.isEmpty else {
            throw rowError("reference_missing", "the row has no bank reference, so it cannot be deduplicated")
        }
        return BankTransferCredit(
            bankReference: bankReference, amount: received, currency: currencyCode, memo: cell(description),
            date: bookingDate, accountNumber: options.accountNumber, gateway: options.gateway)
    }
}

/// RFC 4180 records: fields split by the delimiter, quoted fields may hold the
/// delimiter, line breaks and doubled quotes, records end with CRLF, LF or CR.
/// A quote inside an unquoted field is kept as a character (lenient, as spreadsheets are).
enum BankStatementCSV {
    struct Record: Hashable, Sendable {
        /// The 1-based line the record starts on.
        let line: Int
        let fields: [String]
    }

    /// The records of `text`, and an error for a quoted field that never closes (the
    /// records before it are kept).
    static func records(_ text: [Unicode.Scalar], delimiter: Unicode.Scalar) -> ([Record], BankTransferError?) {
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var inQuotes = false
        var wasQuoted = false
        var line = 1
        var recordLine = 1
        var i = 0
        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            wasQuoted = false
        }
        while i < text.count {
            let c = text[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < text.count && text[i + 1] == "\"" {
                        field.append("\"")
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if c == "\n" || (c == "\r" && (i + 1 == text.count || text[i + 1] != "\n")) { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !wasQuoted:
                inQuotes = true
                wasQuoted = true
            case delimiter:
                endField()
            case "\r", "\n":
                endField()
                records.append(Record(line: recordLine, fields: fields))
                fields = []
                if c == "\r", i + 1 < text.count, text[i + 1] == "\n" { i += 1 }
                line += 1
                recordLine = line
            default:
                field.append(c)
            }
            i += 1
        }
        if inQuotes {
            let error = BankTransferError(
                .statementCSVMalformed, line: recordLine, "a quoted field opened on line \(recordLine) is never closed",
                ["line": String(recordLine)])
            return (records, error)
        }
        if !field.isEmpty || wasQuoted || !fields.isEmpty {
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        return (records, nil)
    }
}

// MARK: - SePay webhook

/// The body SePay posts for each transaction on a watched account
/// (docs/PAYMENTS.md §6.2), read into a `BankTransferCredit`.
///
/// For example:
/// ```swift
/// let body = #"{"id":92704,"gateway":"Vietcombank","transactionDate":"2024-07-25 14:02:37","#
///     + #""accountNumber":"0123499999","code":null,"content":"SUB088QZD5 chuyen tien","#
///     + #""transferType":"in","transferAmount":1250000,"referenceCode":"MBVCB.3278907687"}"#
/// let credit = try BankTransferSePayPayload.decode(Data(body.utf8)).credit()
/// credit?.amount          // 1_250_000
/// credit?.bankReference   // "MBVCB.3278907687"
/// ```
public struct BankTransferSePayPayload: Hashable, Sendable, Decodable {
    /// SePay's transaction id (a number in the JSON), as text.
    public var id: String
    public var gateway: String
    /// `yyyy-MM-dd HH:mm:ss`, the bank's local time (GMT+7).
    public var transactionDate: String
    public var accountNumber: String?
    /// The payment code SePay extracted with the merchant's configured pattern, if any.
    public var code: String?
    public var content: String
    /// `in` for money received, `out` for money sent.
    public var transferType: String
    public var transferAmount: Int64
    public var accumulated: Int64?
    public var subAccount: String?
    public var referenceCode: String?

    /// Decodes a webhook body.
    ///
    /// - throws: `BankTransferError` `.webhookPayloadInvalid` naming the field at fault.
    public static func decode(_ body: Data) throws(BankTransferError) -> BankTransferSePayPayload {
        do {
            return try JSONDecoder().decode(BankTransferSePayPayload.self, from: body)
        } catch let error as DecodingError {
            let (field, why): (String, String)
            switch error {
            case .keyNotFound(let key, _): (field, why) = (key.stringValue, "is missing")
            case .valueNotFound(_, let context): (field, why) = (context.codingPath.last?.stringValue ?? "", "is null")
            case .typeMismatch(_, let context): (field, why) = (context.codingPath.last?.stringValue ?? "", "has the wrong type")
            case .dataCorrupted(let context):
                (field, why) = (context.codingPath.last?.stringValue ?? "", context.debugDescription)
            @unknown default: (field, why) = ("", "is invalid")
            }
            throw BankTransferError(
                .webhookPayloadInvalid, field.isEmpty ? "the body is not valid JSON: \(why)" : "field \(field) \(why)",
                ["field": field])
        } catch {
            throw BankTransferError(.webhookPayloadInvalid, "the body cannot be read: \(error)")
        }
    }

    /// The credit this notification reports, or nil for money sent (`transferType` `out`).
    /// The bank reference is `referenceCode`, or `SEPAY-<id>` when SePay sends none.
    ///
    /// - throws: `BankTransferError` `.webhookPayloadInvalid` for an unknown transfer type,
    ///   an amount that is not positive or a date that cannot be read.
    public func credit() throws(BankTransferError) -> BankTransferCredit? {
        switch transferType.lowercased() {
        case "out": return nil
        case "in": break
        default:
            throw BankTransferError(
                .webhookPayloadInvalid, "transferType \"\(transferType)\" is not in or out",
                ["field": "transferType", "value": transferType])
        }
        guard transferAmount > 0 else {
            throw BankTransferError(
                .webhookPayloadInvalid, "transferAmount \(transferAmount) is not positive",
                ["field": "transferAmount", "value": String(transferAmount)])
        }
        let date: BankTransferDate
        do {
            date = try BankStatement.parseDate(transactionDate)
        } catch {
            throw BankTransferError(
                .webhookPayloadInvalid, "transactionDate \"\(transactionDate)\" is not a date",
                ["field": "transactionDate", "value": transactionDate])
        }
        let reference = referenceCode?.trimmingCharacters(in: .whitespaces) ?? ""
        return BankTransferCredit(
            bankReference: reference.isEmpty ? "SEPAY-\(id)" : reference, amount: transferAmount, currency: "VND",
            memo: content, date: date, accountNumber: accountNumber, gateway: gateway, providerTransactionID: id,
            providerPaymentCode: code)
    }

    enum CodingKeys: String, CodingKey {
        case id, gateway, transactionDate, accountNumber, code, content, transferType, transferAmount, accumulated
        case subAccount, referenceCode
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try Self.text(c, .id)
        gateway = try c.decodeIfPresent(String.self, forKey: .gateway) ?? ""
        transactionDate = try c.decode(String.self, forKey: .transactionDate)
        accountNumber = try c.decodeIfPresent(String.self, forKey: .accountNumber)
        code = try c.decodeIfPresent(String.self, forKey: .code)
        content = try c.decodeIfPresent(String.self, forKey: .content) ?? ""
        transferType = try c.decode(String.self, forKey: .transferType)
        transferAmount = try Self.wholeNumber(c, .transferAmount)
        if c.contains(.accumulated), try !c.decodeNil(forKey: .accumulated) {
            accumulated = try Self.wholeNumber(c, .accumulated)
        } else {
            accumulated = nil
        }
        subAccount = try c.decodeIfPresent(String.self, forKey: .subAccount)
        referenceCode = try c.decodeIfPresent(String.self, forKey: .referenceCode)
    }

    /// A number or a string holding one, as text.
    private static func text(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String {
        if let number = try? c.decode(Int64.self, forKey: key) { return String(number) }
        return try c.decode(String.self, forKey: key)
    }

    /// A whole number written as an integer, an integral float (`1250000.0`) or a string.
    private static func wholeNumber(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Int64 {
        if let number = try? c.decode(Int64.self, forKey: key) { return number }
        if let number = try? c.decode(Double.self, forKey: key), number.rounded() == number, abs(number) < 9e15 {
            return Int64(number)
        }
        if let text = try? c.decode(String.self, forKey: key), let number = Int64(text) { return number }
        throw DecodingError.typeMismatch(
            Int64.self, .init(codingPath: c.codingPath + [key], debugDescription: "not a whole number"))
    }
}
