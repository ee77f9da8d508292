/// The one error shape of the bank-transfer code: VietQR payloads, QR symbols,
/// payment codes, bank statements and bank-feed webhooks.
///
/// Like `RecurError` in RecurCore it carries a stable dotted machine code
/// (`vietqr.purpose_too_long`), a readable English message with the numbers in it,
/// and those numbers in `values`, so an API can return them and a back office can
/// translate the message. A statement row error also keeps its 1-based line number.
/// Codes are an extensible struct, not an enum, so new ones do not break callers.
///
/// For example:
/// ```swift
/// do {
///     _ = try VietQR(bankBIN: "97040", accountNumber: "0011012345678").payload()
/// } catch {
///     error.code        // .vietqrBankBINInvalid ("vietqr.bin_invalid")
///     error.values      // ["bin": "97040"]
/// }
/// ```
public struct BankTransferError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, dotted error code. New codes are added as static members.
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
    }

    public let code: Code
    /// A readable English message with the offending values in it.
    public let message: String
    /// The values the message speaks of, by name.
    public let values: [String: String]
    /// The 1-based line of the input at fault (bank-statement rows), if any.
    public let line: Int?

    public init(_ code: Code, line: Int? = nil, _ message: String, _ values: [String: String] = [:]) {
        self.code = code
        self.line = line
        self.message = message
        self.values = values
    }

    /// The same error reported at another line of the input.
    public func at(line: Int) -> BankTransferError {
        BankTransferError(code, line: line, message, values)
    }

    public var description: String {
        "\(code.rawValue)\(line.map { " at line \($0)" } ?? ""): \(message)"
    }
}

extension BankTransferError.Code {
    // VietQR / EMVCo payloads
    /// The bank BIN (acquirer id) is not exactly 6 digits.
    public static let vietqrBankBINInvalid: Self = "vietqr.bin_invalid"
    /// The account or card number is empty or holds other than letters and digits.
    public static let vietqrAccountInvalid: Self = "vietqr.account_invalid"
    /// The account or card number is longer than 19 characters.
    public static let vietqrAccountTooLong: Self = "vietqr.account_too_long"
    /// The amount is zero or negative.
    public static let vietqrAmountInvalid: Self = "vietqr.amount_invalid"
    /// The amount needs more than the 13 characters of field 54.
    public static let vietqrAmountTooLong: Self = "vietqr.amount_too_long"
    /// The purpose is longer than 25 characters after transliteration to ASCII.
    public static let vietqrPurposeTooLong: Self = "vietqr.purpose_too_long"
    /// A text field still holds a character outside printable ASCII after transliteration.
    public static let vietqrTextInvalid: Self = "vietqr.text_invalid"
    /// The bill number is longer than 25 characters.
    public static let vietqrBillNumberTooLong: Self = "vietqr.bill_number_too_long"
    /// The payload's CRC (field 63) does not match its content.
    public static let vietqrCRCMismatch: Self = "vietqr.crc_mismatch"
    /// The payload is not well-formed EMVCo TLV.
    public static let vietqrMalformed: Self = "vietqr.malformed"
    /// The payload is well-formed but not a NAPAS VietQR transfer in VND.
    public static let vietqrUnsupported: Self = "vietqr.unsupported"

    // QR code symbols
    /// The data does not fit in a version-40 symbol at the requested error-correction level.
    public static let qrcodeDataTooLong: Self = "qrcode.data_too_long"
    /// The data holds characters the requested encoding mode cannot carry.
    public static let qrcodeModeMismatch: Self = "qrcode.mode_mismatch"
    /// A mask other than 0...7 or a version other than 1...40 was asked for.
    public static let qrcodeParameterInvalid: Self = "qrcode.parameter_invalid"

    // Payment codes and matching
    /// The payment-code prefix is not 1–10 upper-case letters A–Z, or the suffix length is out of range.
    public static let paymentCodeFormatInvalid: Self = "payment_code.format_invalid"
    /// The text is not a payment code of the configured format (wrong prefix, length or character).
    public static let paymentCodeMalformed: Self = "payment_code.malformed"
    /// The payment code's check character does not match.
    public static let paymentCodeCheckFailed: Self = "payment_code.check_failed"

    // Bank statements and bank-feed webhooks
    /// The file is not text in UTF-8 (with or without BOM) or UTF-16 with a BOM.
    public static let statementEncodingInvalid: Self = "statement.encoding_invalid"
    /// The file has no header row.
    public static let statementEmpty: Self = "statement.empty"
    /// A required column (date, reference, description, credit or amount) is not in the header.
    public static let statementColumnMissing: Self = "statement.column_missing"
    /// A quoted field is never closed.
    public static let statementCSVMalformed: Self = "statement.csv_malformed"
    /// A row cannot be read as a credit (the reason is in the message and `values["reason"]`).
    public static let statementRowInvalid: Self = "statement.row_invalid"
    /// An amount cell is not a number.
    public static let statementAmountInvalid: Self = "statement.amount_invalid"
    /// An amount has a non-zero fraction in a currency without minor digits (VND).
    public static let statementAmountFractional: Self = "statement.amount_fractional"
    /// A date cell is not yyyy-MM-dd, dd/MM/yyyy or dd-MM-yyyy, or not a calendar date.
    public static let statementDateInvalid: Self = "statement.date_invalid"
    /// A bank-feed webhook body is not the expected JSON.
    public static let webhookPayloadInvalid: Self = "webhook.payload_invalid"
}
