import Foundation
import Testing

@testable import RecurPayments

/// Bank-statement CSV files and the SePay webhook, read into credits.
struct BankStatementTests {
    static func date(_ text: String) -> BankTransferDate { BankTransferDate(text)! }

    // MARK: CSV records

    @Test("csv: quoted fields keep delimiters, doubled quotes and line breaks; records start on their line")
    func rfc4180() {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\nlast,,\n"
        let (records, error) = BankStatementCSV.records(Array(text.unicodeScalars), delimiter: ",")
        #expect(error == nil)
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\r\nlines"], ["last", "", ""]])
        #expect(records.map(\.line) == [1, 2, 4])
    }

    @Test("csv: LF, CR and a missing final line break all end records")
    func lineEndings() {
        let (records, _) = BankStatementCSV.records(Array("a;b\nc;d\re;f".unicodeScalars), delimiter: ";")
        #expect(records.map(\.fields) == [["a", "b"], ["c", "d"], ["e", "f"]])
        #expect(records.map(\.line) == [1, 2, 3])
    }

    @Test("csv: an unclosed quote is reported at the line it opened on, earlier records kept")
    func unclosedQuote() {
        let (records, error) = BankStatementCSV.records(Array("a,b\n1,2\n\"3,4\n5,6\n".unicodeScalars), delimiter: ",")
        #expect(records.map(\.fields) == [["a", "b"], ["1", "2"]])
        #expect(error?.code == .statementCSVMalformed)
        #expect(error?.line == 3)
    }

    // MARK: Amounts and dates

    @Test("amount: VND written with dots, commas, spaces, signs and currency reads as whole dong", arguments: [
        ("1250000", 1_250_000), ("1.250.000", 1_250_000), ("1,250,000", 1_250_000), ("1 250 000", 1_250_000),
        ("+1,250,000 VND", 1_250_000), ("1\u{00A0}250\u{00A0}000 ₫", 1_250_000), ("1.250.000đ", 1_250_000),
        ("VND 5,000", 5_000), ("-500.000", -500_000), ("(500,000)", -500_000), ("1.250", 1_250), ("1,250", 1_250),
        ("1,250,000.00", 1_250_000), ("1.250.000,00", 1_250_000), ("1250000.0", 1_250_000), ("0", 0), ("999", 999),
    ] as [(String, Int64)])
    func vndAmounts(text: String, amount: Int64) throws {
        #expect(try BankStatement.parseAmount(text) == amount)
    }

    @Test("amount: a fractional VND amount is rejected", arguments: ["1250000.50", "1,250,000.5", "1.25", "12,50", "1.250.000,01"])
    func fractionalVND(text: String) {
        let error = #expect(throws: BankTransferError.self) { try BankStatement.parseAmount(text) }
        #expect(error?.code == .statementAmountFractional)
        #expect(error?.values["amount"] == text)
    }

    @Test("amount: text that is not a number or has misplaced groups is invalid", arguments: [
        "", "abc", "1.250.00", "12,50,000", "1.250,000.000,00", "1,250.000,00", "1 250,000", "1,,250", "1250000-", "USD 5",
        "99999999999999999999",
    ])
    func invalidAmounts(text: String) {
        let error = #expect(throws: BankTransferError.self) { try BankStatement.parseAmount(text) }
        #expect(error?.code == .statementAmountInvalid)
    }

    @Test("amount: with 2 minor digits 1,250.50 is 125050 cents and 1,250.505 is fractional")
    func centAmounts() throws {
        #expect(try BankStatement.parseAmount("1,250.50", fractionDigits: 2) == 125_050)
        #expect(try BankStatement.parseAmount("1.250,5", fractionDigits: 2) == 125_050)
        #expect(try BankStatement.parseAmount("12", fractionDigits: 2) == 1_200)
        #expect(
            #expect(throws: BankTransferError.self) { try BankStatement.parseAmount("1,250.505", fractionDigits: 2) }?
                .code == .statementAmountFractional)
    }

    @Test("date: yyyy-MM-dd, dd/MM/yyyy and dd-MM-yyyy, with or without a time", arguments: [
        ("2024-07-25", "2024-07-25"), ("25/07/2024", "2024-07-25"), ("25-07-2024", "2024-07-25"),
        ("5/7/2024", "2024-07-05"), ("25/07/2024 14:02:37", "2024-07-25"), ("2024-07-25T14:02:37", "2024-07-25"), ("2024-07-25T14:02:37+07:00", "2024-07-25"),
        (" 29/02/2024 ", "2024-02-29"),
    ])
    func dates(text: String, iso: String) throws {
        #expect(try BankStatement.parseDate(text).description == iso)
    }

    @Test("date: other formats and days off the calendar are invalid", arguments: [
        "31/02/2024", "2024/07/25", "07/25/2024", "25.07.2024", "25/07/24", "2024-07-25 2pm", "", "hôm nay",
    ])
    func invalidDates(text: String) {
        let error = #expect(throws: BankTransferError.self) { try BankStatement.parseDate(text) }
        #expect(error?.code == .statementDateInvalid)
    }

    // MARK: Column mapping

    @Test("columns: Vietnamese headers map to date, reference, description, debit and credit")
    func vietnameseHeader() throws {
        let columns = try #require(BankStatementColumns(header: [
            "STT", "Ngày giao dịch", "Số tham chiếu", "Nội dung", "Ghi nợ", "Ghi có", "Số dư",
        ]))
        #expect([columns.date, columns.reference, columns.description] as [Int] == [1, 2, 3])
        #expect(columns.debit == 4)
        #expect(columns.credit == 5)
        #expect(columns.amount == nil)
    }

    @Test("columns: English headers with a signed amount column and currency")
    func englishHeader() throws {
        let columns = try #require(BankStatementColumns(header: ["Transaction Date", "Reference No.", "Description", "Amount", "Currency"]))
        #expect([columns.date, columns.reference, columns.description] as [Int] == [0, 1, 2])
        #expect(columns.credit == nil)
        #expect(columns.amount == 3)
        #expect(columns.currency == 4)
    }

    @Test("columns: header names compare without case, marks and punctuation", arguments: [
        "Số tiền ghi có", "SO TIEN GHI CO", "so_tien_ghi_co", "Số-tiền-ghi-có ",
    ])
    func headerNormalisation(name: String) {
        #expect(BankStatementColumns.normalisedName(name) == "sotienghico")
        #expect(BankStatementColumns(header: ["Ngày", "Mã giao dịch", "Diễn giải", name])?.credit == 3)
    }

    // MARK: Whole statements

    static let vietcombankStyle = """
        \u{FEFF}NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM;;;;;
        Số tài khoản: 0123499999;;;;;
        STT;Ngày giao dịch;Số tham chiếu;Nội dung;Ghi nợ;Ghi có
        1;25/07/2024;FT24207000001;"MBVCB.3278907687.SUB8K2J7QS.CT tu 0123456789 NGUYEN VAN A";;1.245.000
        2;25/07/2024;FT24207000002;Phí SMS tháng 7;11.000;
        3;26/07/2024;FT24208000003;"Chuyển tiền; ""hóa đơn"" SUB088QZD5";;500.000
        4;31/02/2024;FT24208000004;SUB0000013;;100.000
        5;27/07/2024;FT24209000005;Lãi tiền gửi;;1.250,50
        6;27/07/2024;;không có mã tham chiếu;;20.000
        ;;;;;
        Tổng cộng;;;;11.000;1.845.000

        """.replacingOccurrences(of: "\n", with: "\r\n")

    @Test("statement: a semicolon Vietnamese export keeps good rows and reports every bad one by line")
    func vietnameseStatement() throws {
        let statement = try BankStatement.parse(csv: Self.vietcombankStyle, options: .init(accountNumber: "0123499999", gateway: "Vietcombank"))
        #expect(statement.delimiter == ";")
        #expect(statement.credits.map(\.line) == [4, 6])
        #expect(statement.credits[0].credit == BankTransferCredit(
            bankReference: "FT24207000001", amount: 1_245_000, currency: "VND",
            memo: "MBVCB.3278907687.SUB8K2J7QS.CT tu 0123456789 NGUYEN VAN A", date: Self.date("2024-07-25"),
            accountNumber: "0123499999", gateway: "Vietcombank"))
        #expect(statement.credits[1].credit.memo == "Chuyển tiền; \"hóa đơn\" SUB088QZD5")
        #expect(statement.credits[1].credit.amount == 500_000)
        #expect(statement.debitLines == [5])
        #expect(statement.rejected.map(\.line) == [7, 8, 9, 11])
        #expect(statement.rejected.allSatisfy { $0.code == .statementRowInvalid })
        #expect(statement.rejected.map { $0.values["reason"] } == ["date_invalid", "amount_fractional", "reference_missing", "date_invalid"])
        #expect(statement.rejected[1].values["value"] == "1.250,50")
    }

    @Test("statement: a comma English export with a signed amount column skips negative rows as debits")
    func englishStatement() throws {
        let csv = """
            Transaction Date,Reference,Description,Amount,Currency
            2024-07-25,MBVCB.3278907687,"SUB8K2J7QS, thanks","+1,250,000",VND
            2024-07-25,MBVCB.3278907688,Card payment,"-200,000",VND
            2024-07-26,MBVCB.3278907689,SUB088QZD5,"1,250,000.50",VND
            2024-07-26,MBVCB.3278907690,Refund,"12.50",USD
            """
        let statement = try BankStatement.parse(csv: csv)
        #expect(statement.delimiter == ",")
        #expect(statement.credits.map(\.credit.amount) == [1_250_000, 1_250])
        #expect(statement.credits.map(\.credit.currency) == ["VND", "USD"])
        #expect(statement.credits.map(\.line) == [2, 5])
        #expect(statement.debitLines == [3])
        #expect(statement.rejected.count == 1)
        #expect(statement.rejected[0].line == 4)
        #expect(statement.rejected[0].values["reason"] == "amount_fractional")
        #expect(statement.rejected[0].description.hasPrefix("statement.row_invalid at line 4: "))
    }

    @Test("statement: rows with too few fields, no amount or a negative credit are reported")
    func otherBadRows() throws {
        let csv = "Date,Reference,Memo,Debit,Credit\n2024-07-25,R1,short\n2024-07-25,R2,nothing,,\n2024-07-25,R3,odd,,-5\n2024-07-25,R4,ok,,\"5,000\"\n"
        let statement = try BankStatement.parse(csv: csv)
        #expect(statement.credits.map(\.credit.bankReference) == ["R4"])
        #expect(statement.rejected.map(\.line) == [2, 3, 4])
        #expect(statement.rejected.map { $0.values["reason"] } == ["too_few_fields", "amount_missing", "credit_negative"])
    }

    @Test("statement: an unclosed quote loses only the rows from that line on")
    func unclosedQuoteStatement() throws {
        let csv = "Date,Reference,Memo,Credit\n2024-07-25,R1,SUB8K2J7QS,1000\n2024-07-25,R2,\"broken,2000\n2024-07-26,R3,x,3000\n"
        let statement = try BankStatement.parse(csv: csv)
        #expect(statement.credits.map(\.credit.bankReference) == ["R1"])
        #expect(statement.rejected.map(\.code) == [.statementCSVMalformed])
        #expect(statement.rejected.map(\.line) == [3])
    }

    @Test("statement: a header without a reference column is rejected naming what is missing")
    func missingColumn() {
        let error = #expect(throws: BankTransferError.self) {
            try BankStatement.parse(csv: "Ngày;Nội dung;Ghi có\n25/07/2024;SUB8K2J7QS;1.000\n")
        }
        #expect(error?.code == .statementColumnMissing)
        #expect(error?.values["missing"] == "reference")
        #expect(error?.values["header"] == "Ngày|Nội dung|Ghi có")
    }

    @Test("statement: an empty file is rejected")
    func emptyFile() {
        #expect(#expect(throws: BankTransferError.self) { try BankStatement.parse(csv: "\u{FEFF}\r\n") }?.code == .statementEmpty)
    }

    @Test("statement: bytes in UTF-8 with BOM and UTF-16LE with BOM read the same; invalid UTF-8 is rejected")
    func encodings() throws {
        let csv = "Ngày giao dịch,Mã giao dịch,Diễn giải,Số tiền ghi có\n25/07/2024,FT1,Thanh toán SUB8K2J7QS,\"1,250,000\"\n"
        let utf8 = try BankStatement.parse(csv: Data([0xEF, 0xBB, 0xBF] + Array(csv.utf8)))
        var utf16 = Data([0xFF, 0xFE])
        for unit in csv.utf16 { utf16.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        let wide = try BankStatement.parse(csv: utf16)
        #expect(utf8.credits.map(\.credit.amount) == [1_250_000])
        #expect(utf8.credits.map(\.credit.memo) == ["Thanh toán SUB8K2J7QS"])
        #expect(wide.credits == utf8.credits)
        let error = #expect(throws: BankTransferError.self) { try BankStatement.parse(csv: Data([0x61, 0xC3, 0x28])) }
        #expect(error?.code == .statementEncodingInvalid)
    }

    @Test("statement → match: the Vietnamese export's credits give underpaid 5,000 and exact 500,000")
    func statementToMatches() throws {
        let format = try BankTransferCodeFormat(prefix: "SUB", suffixLength: 6)
        let a = try format.validate("SUB8K2J7QS")
        let b = try format.validate("SUB088QZD5")
        let invoices = [
            a: BankTransferOpenInvoice(code: a, amountDue: 1_250_000),
            b: BankTransferOpenInvoice(code: b, amountDue: 500_000),
        ]
        let matcher = BankTransferMatcher(format: format)
        var seen: Set<String> = []
        var decisions: [BankTransferMatch] = []
        let statement = try BankStatement.parse(csv: Self.vietcombankStyle)
        for entry in statement.credits + statement.credits {  // the second pass is a re-upload
            decisions.append(matcher.match(entry.credit, openInvoices: invoices, seenReferences: seen))
            seen.insert(entry.credit.deduplicationKey)
        }
        #expect(decisions == [
            .matched(code: a, appliedAmount: 1_245_000, outcome: .underpaid(remaining: 5_000)),
            .matched(code: b, appliedAmount: 500_000, outcome: .exact),
            .duplicate(bankReference: "FT24207000001"),
            .duplicate(bankReference: "FT24208000003"),
        ])
    }

    // MARK: SePay webhook

    static let sePayBody = #"""
        {"id":92704,"gateway":"Vietcombank","transactionDate":"2024-07-25 14:02:37","accountNumber":"0123499999",
         "code":"SUB8K2J7QS","content":"MBVCB.3278907687.SUB8K2J7QS.CT tu 0123","transferType":"in",
         "description":"BankAPINotify MBVCB.3278907687","transferAmount":1245000,"accumulated":19077000,
         "subAccount":null,"referenceCode":"MBVCB.3278907687"}
        """#

    @Test("sepay: an incoming transfer decodes into a credit keyed by its reference code")
    func sePayCredit() throws {
        let payload = try BankTransferSePayPayload.decode(Data(Self.sePayBody.utf8))
        #expect(payload.id == "92704")
        #expect(payload.accumulated == 19_077_000)
        let credit = try #require(try payload.credit())
        #expect(credit == BankTransferCredit(
            bankReference: "MBVCB.3278907687", amount: 1_245_000, currency: "VND",
            memo: "MBVCB.3278907687.SUB8K2J7QS.CT tu 0123", date: Self.date("2024-07-25"), accountNumber: "0123499999",
            gateway: "Vietcombank", providerTransactionID: "92704", providerPaymentCode: "SUB8K2J7QS"))
    }

    @Test("sepay: an outgoing transfer gives no credit")
    func sePayOut() throws {
        let body = Self.sePayBody.replacingOccurrences(of: #""transferType":"in""#, with: #""transferType":"out""#)
        #expect(try BankTransferSePayPayload.decode(Data(body.utf8)).credit() == nil)
    }

    @Test("sepay: a null reference code falls back to SEPAY-<id>; amounts as strings or 1245000.0 are read")
    func sePayLenient() throws {
        let body = #"{"id":"555","gateway":"MBBank","transactionDate":"2024-07-25 08:00:00","code":null,"content":"x","transferType":"in","transferAmount":"1245000","referenceCode":null}"#
        let credit = try #require(try BankTransferSePayPayload.decode(Data(body.utf8)).credit())
        #expect(credit.bankReference == "SEPAY-555")
        #expect(credit.amount == 1_245_000)
        let float = body.replacingOccurrences(of: #""1245000""#, with: "1245000.0")
        #expect(try BankTransferSePayPayload.decode(Data(float.utf8)).transferAmount == 1_245_000)
    }

    @Test("sepay: a missing amount, a fractional amount, bad JSON and unknown types are payload errors")
    func sePayErrors() throws {
        let missing = Self.sePayBody.replacingOccurrences(of: #""transferAmount":1245000,"#, with: "")
        let error = #expect(throws: BankTransferError.self) { try BankTransferSePayPayload.decode(Data(missing.utf8)) }
        #expect(error?.code == .webhookPayloadInvalid)
        #expect(error?.values["field"] == "transferAmount")

        let fractional = Self.sePayBody.replacingOccurrences(of: "1245000", with: "1245000.5")
        #expect(#expect(throws: BankTransferError.self) { try BankTransferSePayPayload.decode(Data(fractional.utf8)) }?
            .values["field"] == "transferAmount")

        #expect(#expect(throws: BankTransferError.self) { try BankTransferSePayPayload.decode(Data("{".utf8)) }?
            .code == .webhookPayloadInvalid)

        let sideways = Self.sePayBody.replacingOccurrences(of: #""transferType":"in""#, with: #""transferType":"both""#)
        #expect(#expect(throws: BankTransferError.self) { try BankTransferSePayPayload.decode(Data(sideways.utf8)).credit() }?
            .values["field"] == "transferType")
    }
}
