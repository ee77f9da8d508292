public import Foundation
public import RecurEngine
public import RecurDocuments
import RecurPayments

/// How `recur serve` runs: flags over `RECUR_*` environment variables over defaults.
public struct RecurConfiguration: Sendable {
    /// `sqlite:./recur.sqlite`, `sqlite::memory:` or `postgres://user:pass@host:port/db`.
    public var databaseURL: String
    public var host: String
    public var port: Int
    /// Load the demo catalog, a demo API key and demo customers into an empty database.
    public var demo: Bool
    /// Test mode enables test clocks (never in production).
    public var testMode: Bool
    public var logLevel: String
    /// Seconds between billing runs inside `recur serve`.
    public var billingInterval: Int
    /// Days after a failed automatic charge on which it is retried.
    public var dunningRetryDays: [Int] = [1, 3, 5, 7]
    /// Where customers and gateways reach this server (return and notification URLs);
    /// defaults to `http://<host>:<port>`.
    public var publicURL: String?
    /// Payment simulators under /sandbox/ and sandbox secrets (the default). Off in production.
    public var paymentsSandbox = true
    /// Gateway settings read from `RECUR_VNPAY_*`, `RECUR_STRIPE_*`… (see ``paymentSettings()``).
    public var environment: [String: String] = [:]
    /// How e-mail leaves: SMTP when a host is set, otherwise .eml files in a folder.
    public var mail = MailSettings()

    /// E-mail to customers (invoices, receipts, reminders, dunning).
    public struct MailSettings: Sendable, Hashable {
        public enum Security: String, Sendable, Hashable { case starttls, tls, none }
        /// `RECUR_SMTP_HOST`; nil: messages are written to ``folder``.
        public var smtpHost: String?
        /// `RECUR_SMTP_PORT`: 587 for STARTTLS, 465 for TLS, 25 without.
        public var smtpPort: Int?
        /// `RECUR_SMTP_SECURITY`: `starttls` (default), `tls` or `none`.
        public var security: Security = .starttls
        public var username: String?
        public var password: String?
        /// `RECUR_MAIL_FROM`: `billing@example.com` or `Billing <billing@example.com>`;
        /// the vendor's e-mail (or billing@recur.example) under the vendor's name otherwise.
        public var from: String?
        /// `RECUR_MAIL_FOLDER`: where messages go when no SMTP host is set.
        public var folder = "./mail"
        public init() {}

        public var port: Int { smtpPort ?? (security == .tls ? 465 : security == .none ? 25 : 587) }
    }

    public init(databaseURL: String = "sqlite:./recur.sqlite", host: String = "127.0.0.1", port: Int = 8080, demo: Bool = true,
                testMode: Bool = false, logLevel: String = "info", billingInterval: Int = 60) {
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.demo = demo
        self.testMode = testMode
        self.logLevel = logLevel
        self.billingInterval = billingInterval
    }

    /// The defaults overridden by the environment (`RECUR_DATABASE_URL`, `RECUR_HOST`,
    /// `RECUR_PORT`, `RECUR_DEMO`, `RECUR_TEST_MODE`, `RECUR_LOG_LEVEL`, `RECUR_BILLING_INTERVAL`,
    /// `RECUR_DUNNING_DAYS` such as `1,3,5,7`).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> RecurConfiguration {
        var c = RecurConfiguration()
        if let v = env["RECUR_DATABASE_URL"], !v.isEmpty { c.databaseURL = v }
        if let v = env["RECUR_HOST"], !v.isEmpty { c.host = v }
        if let v = env["RECUR_PORT"].flatMap(Int.init) { c.port = v }
        if let v = env["RECUR_DEMO"] { c.demo = !["0", "false", "no"].contains(v.lowercased()) }
        if let v = env["RECUR_TEST_MODE"] { c.testMode = ["1", "true", "yes"].contains(v.lowercased()) }
        if let v = env["RECUR_LOG_LEVEL"], !v.isEmpty { c.logLevel = v }
        if let v = env["RECUR_BILLING_INTERVAL"].flatMap(Int.init), v > 0 { c.billingInterval = v }
        if let v = env["RECUR_PUBLIC_URL"], !v.isEmpty { c.publicURL = v }
        if let v = env["RECUR_PAYMENTS_SANDBOX"] { c.paymentsSandbox = !["0", "false", "no"].contains(v.lowercased()) }
        c.environment = env.filter { $0.key.hasPrefix("RECUR_") }
        func v(_ k: String) -> String? { env[k].flatMap { $0.isEmpty ? nil : $0 } }
        c.mail.smtpHost = v("RECUR_SMTP_HOST")
        c.mail.smtpPort = v("RECUR_SMTP_PORT").flatMap(Int.init)
        if let s = v("RECUR_SMTP_SECURITY").flatMap({ MailSettings.Security(rawValue: $0.lowercased()) }) { c.mail.security = s }
        c.mail.username = v("RECUR_SMTP_USERNAME")
        c.mail.password = v("RECUR_SMTP_PASSWORD")
        c.mail.from = v("RECUR_MAIL_FROM")
        if let f = v("RECUR_MAIL_FOLDER") { c.mail.folder = f }
        if let v = env["RECUR_DUNNING_DAYS"] {
            // Retries end before the shortest cycle (a month) ends, so a renewal never meets an open dunning.
            let days = v.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 && $0 < 28 }
            if !days.isEmpty { c.dunningRetryDays = days.sorted() }
        }
        return c
    }

    /// The payment gateways. In sandbox mode every gateway is on and points at the
    /// simulators. Otherwise a gateway is on when its settings are all given:
    /// `RECUR_VNPAY_TMN_CODE`, `RECUR_VNPAY_HASH_SECRET` (and `RECUR_VNPAY_PAY_URL`, `RECUR_VNPAY_API_URL`);
    /// `RECUR_VNPTPAY_MERCHANT_SERVICE_ID`, `RECUR_VNPTPAY_SECRET_KEY`, `RECUR_VNPTPAY_API_KEY` (`RECUR_VNPTPAY_BASE_URL`);
    /// `RECUR_STRIPE_SECRET_KEY`, `RECUR_STRIPE_WEBHOOK_SECRET`;
    /// `RECUR_2CO_MERCHANT`, `RECUR_2CO_SECRET_KEY`, `RECUR_2CO_BUY_LINK_SECRET`;
    /// `RECUR_BANK_BIN`, `RECUR_BANK_NAME`, `RECUR_BANK_ACCOUNT`, `RECUR_BANK_ACCOUNT_NAME`
    /// (`RECUR_PAYMENT_CODE_PREFIX`, `RECUR_BANK_FEED_SECRET`).
    /// Who issues the documents: `RECUR_VENDOR_NAME`, `RECUR_VENDOR_ADDRESS` (lines separated
    /// by `|`), `RECUR_VENDOR_TAX_ID`, `RECUR_VENDOR_EMAIL`; the demo vendor when no name is set.
    public func vendorProfile() -> VendorProfile {
        guard let name = environment["RECUR_VENDOR_NAME"], !name.isEmpty else { return .demo }
        let lines = (environment["RECUR_VENDOR_ADDRESS"] ?? "").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let taxID = environment["RECUR_VENDOR_TAX_ID"].flatMap { $0.isEmpty ? nil : $0 }
        let email = environment["RECUR_VENDOR_EMAIL"].flatMap { $0.isEmpty ? nil : $0 }
        return VendorProfile(name: name, addressLines: lines, taxID: taxID, email: email,
                             footer: ([name] + [taxID, email].compactMap { $0 }).joined(separator: " · "))
    }

    /// The vendor's partners from `RECUR_PARTNERS`: `id=Name` pairs separated by `;`
    /// (nil when unset; an entry without `=` or with an empty side is refused).
    public func partners() throws -> [Partner]? {
        guard let text = environment["RECUR_PARTNERS"] else { return nil }
        return try text.split(separator: ";").map { entry in
            let kv = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
                throw ConfigurationError(variable: "RECUR_PARTNERS", message: "'\(entry)' is not id=Name")
            }
            return Partner(id: kv[0], name: kv[1])
        }
    }

    /// The vendor with its logo from `RECUR_VENDOR_LOGO` (a binary PPM or PGM file).
    /// - throws: ``ConfigurationError`` naming the variable when the file cannot be read or is not such an image.
    public func vendorProfileWithLogo() throws -> VendorProfile {
        var vendor = vendorProfile()
        guard let path = environment["RECUR_VENDOR_LOGO"], !path.isEmpty else { return vendor }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(variable: "RECUR_VENDOR_LOGO", message: "cannot read \(path)")
        }
        do {
            vendor.logo = try PDFImage(netpbm: data)
        } catch {
            throw ConfigurationError(variable: "RECUR_VENDOR_LOGO", message: "\(path): \(error.message)")
        }
        return vendor
    }

    /// The fonts documents are written in: `RECUR_DOCUMENT_FONT` and `RECUR_DOCUMENT_BOLD_FONT`
    /// (DejaVu Sans by default), and `RECUR_DOCUMENT_FALLBACK_FONTS`, glyf TrueType files
    /// separated by `:` tried in order for characters those lack (IPA Gothic, Debian's
    /// fonts-ipafont-gothic, when unset and installed; empty for none).
    public func documentFonts() -> DocumentFontConfiguration {
        var fonts = DocumentFontConfiguration()
        if let v = environment["RECUR_DOCUMENT_FONT"], !v.isEmpty { fonts.regularPath = v }
        if let v = environment["RECUR_DOCUMENT_BOLD_FONT"], !v.isEmpty { fonts.boldPath = v }
        if let v = environment["RECUR_DOCUMENT_FALLBACK_FONTS"] {
            fonts.fallbackPaths = v.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return fonts
    }

    public func paymentSettings() -> PaymentSettings {
        let base = publicURL ?? "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)"
        if paymentsSandbox { return .sandbox(publicURL: base) }
        let e = environment
        func v(_ k: String) -> String? { e[k].flatMap { $0.isEmpty ? nil : $0 } }
        var p = PaymentSettings(publicURL: base, sandbox: false)
        if let tmn = v("RECUR_VNPAY_TMN_CODE"), let secret = v("RECUR_VNPAY_HASH_SECRET") {
            p.vnpay = VNPay.Configuration(tmnCode: tmn, hashSecret: secret,
                                          payURL: v("RECUR_VNPAY_PAY_URL").flatMap(URL.init(string:)) ?? VNPay.Configuration.sandboxPayURL,
                                          apiURL: v("RECUR_VNPAY_API_URL").flatMap(URL.init(string:)) ?? VNPay.Configuration.sandboxAPIURL)
        }
        if let id = v("RECUR_VNPTPAY_MERCHANT_SERVICE_ID"), let secret = v("RECUR_VNPTPAY_SECRET_KEY"), let key = v("RECUR_VNPTPAY_API_KEY") {
            p.vnptpay = VNPTPay.Configuration(merchantServiceID: id, secretKey: secret, apiKey: key,
                                              baseURL: v("RECUR_VNPTPAY_BASE_URL").flatMap(URL.init(string:)) ?? VNPTPay.Configuration.sandboxBaseURL)
        }
        if let key = v("RECUR_STRIPE_SECRET_KEY"), let hook = v("RECUR_STRIPE_WEBHOOK_SECRET") {
            p.stripe = .init(secretKey: key, webhookSecret: hook)
        }
        if let merchant = v("RECUR_2CO_MERCHANT"), let secret = v("RECUR_2CO_SECRET_KEY"), let word = v("RECUR_2CO_BUY_LINK_SECRET") {
            p.twoCheckout = .init(merchant: merchant, secretKey: secret, buyLinkSecret: word)
        }
        if let bin = v("RECUR_BANK_BIN"), let account = v("RECUR_BANK_ACCOUNT"), let name = v("RECUR_BANK_ACCOUNT_NAME") {
            p.bankTransfer = .init(bankBIN: bin, bankName: v("RECUR_BANK_NAME") ?? bin, accountNumber: account, accountName: name,
                                   codePrefix: v("RECUR_PAYMENT_CODE_PREFIX") ?? "RC", feedSecret: v("RECUR_BANK_FEED_SECRET"))
        }
        return p
    }
}

/// A setting the server cannot start with.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let variable: String
    public let message: String
    public var description: String { "\(variable): \(message)" }
}
