public import Foundation
public import RecurPayments
public import RecurCore

/// The payment gateways of one Recur instance: which are enabled, their keys and
/// endpoints. Secrets live here and nowhere else: never logged, never returned by the
/// API (``publicSummary``).
///
/// In sandbox mode every gateway points at Recur's own simulators under `/sandbox/`,
/// with fixed sandbox secrets, so a newcomer can pay on one machine with no network.
public struct PaymentSettings: Sendable {
    public struct Stripe: Sendable {
        public var secretKey: String
        public var webhookSecret: String
        /// `https://api.stripe.com` (or the simulator's base).
        public var apiBase: String
        public init(secretKey: String, webhookSecret: String, apiBase: String = "https://api.stripe.com") {
            self.secretKey = secretKey
            self.webhookSecret = webhookSecret
            self.apiBase = apiBase
        }
    }

    public struct TwoCheckout: Sendable {
        public var merchant: String
        /// The IPN secret key.
        public var secretKey: String
        /// The ConvertPlus buy-link secret word.
        public var buyLinkSecret: String
        public var checkoutURL: String
        public init(merchant: String, secretKey: String, buyLinkSecret: String, checkoutURL: String = "https://secure.2checkout.com/checkout/buy") {
            self.merchant = merchant
            self.secretKey = secretKey
            self.buyLinkSecret = buyLinkSecret
            self.checkoutURL = checkoutURL
        }
    }

    public struct BankTransfer: Sendable {
        /// The receiving bank's 6-digit BIN (970422 is MB Bank).
        public var bankBIN: String
        public var bankName: String
        public var accountNumber: String
        public var accountName: String
        /// The payment codes' prefix, e.g. `RC` in `RC8K2J7QX`.
        public var codePrefix: String
        /// The bank feed's shared secret (`Authorization: Apikey <secret>`); nil refuses the feed.
        public var feedSecret: String?
        public init(bankBIN: String, bankName: String, accountNumber: String, accountName: String, codePrefix: String = "RC",
                    feedSecret: String? = nil) {
            self.bankBIN = bankBIN
            self.bankName = bankName
            self.accountNumber = accountNumber
            self.accountName = accountName
            self.codePrefix = codePrefix
            self.feedSecret = feedSecret
        }
    }

    /// Where Recur is reached from outside: return and notification URLs are built on it.
    public var publicURL: String
    /// Simulators on, sandbox secrets allowed.
    public var sandbox: Bool
    public var vnpay: VNPay.Configuration?
    public var vnptpay: VNPTPay.Configuration?
    public var stripe: Stripe?
    public var twoCheckout: TwoCheckout?
    public var bankTransfer: BankTransfer?

    public init(publicURL: String, sandbox: Bool, vnpay: VNPay.Configuration? = nil, vnptpay: VNPTPay.Configuration? = nil, stripe: Stripe? = nil,
                twoCheckout: TwoCheckout? = nil, bankTransfer: BankTransfer? = nil) {
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.sandbox = sandbox
        self.vnpay = vnpay
        self.vnptpay = vnptpay
        self.stripe = stripe
        self.twoCheckout = twoCheckout
        self.bankTransfer = bankTransfer
    }

    /// Every gateway on, pointing at the simulators served by Recur at `publicURL`.
    public static func sandbox(publicURL: String) -> PaymentSettings {
        let base = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        return PaymentSettings(
            publicURL: base, sandbox: true,
            vnpay: VNPay.Configuration(tmnCode: "RECURSBX", hashSecret: "RECURSANDBOXVNPAYSECRET0123456789",
                                       payURL: URL(string: base + "/sandbox/vnpay/paymentv2/vpcpay.html")!,
                                       apiURL: URL(string: base + "/sandbox/vnpay/merchant_webapi/api/transaction")!),
            vnptpay: VNPTPay.Configuration(merchantServiceID: "1001", secretKey: "recur-sandbox-vnptpay-secret", apiKey: "recur-sandbox-vnptpay-key",
                                           baseURL: URL(string: base + "/sandbox/vnptpay/rest/payment/v1.0.5")!),
            stripe: Stripe(secretKey: "sk_test_recur_sandbox", webhookSecret: "whsec_recur_sandbox", apiBase: base + "/sandbox/stripe"),
            twoCheckout: TwoCheckout(merchant: "RECURSBX", secretKey: "recur-sandbox-2co-secret", buyLinkSecret: "recur-sandbox-2co-buylink",
                                     checkoutURL: base + "/sandbox/2checkout/checkout/buy"),
            bankTransfer: BankTransfer(bankBIN: "970422", bankName: "MB Bank", accountNumber: "0123456789", accountName: "CONG TY RECUR DEMO",
                                       codePrefix: "RC", feedSecret: "recur-sandbox-bank-feed"))
    }

    /// The online gateway called `name`, when it is enabled.
    public func gateway(_ name: String) -> (any PaymentGateway)? {
        switch name {
        case "vnpay": vnpay.map { VNPayGateway(configuration: $0) }
        case "vnptpay": vnptpay.map { VNPTPayGateway(configuration: $0) }
        case "stripe": stripe.map { StripeGateway(secretKey: $0.secretKey, webhookSecret: $0.webhookSecret, apiBase: $0.apiBase) }
        case "2checkout": twoCheckout.map { TwoCheckoutGateway(merchant: $0.merchant, secretKey: $0.secretKey, buyLinkSecret: $0.buyLinkSecret,
                                                              checkoutURL: $0.checkoutURL) }
        default: nil
        }
    }

    /// The enabled gateways, by the names the API uses.
    public var enabled: [String] {
        var names: [String] = []
        if vnpay != nil { names.append("vnpay") }
        if vnptpay != nil { names.append("vnptpay") }
        if stripe != nil { names.append("stripe") }
        if twoCheckout != nil { names.append("2checkout") }
        if bankTransfer != nil { names.append("bank_transfer") }
        return names
    }

    /// What may be shown about the configuration: names, modes and public identifiers, no secret.
    public var publicSummary: [String: String] {
        var out: [String: String] = ["sandbox": String(sandbox), "public_url": publicURL, "enabled": enabled.joined(separator: ",")]
        if let vnpay { out["vnpay.tmn_code"] = vnpay.tmnCode; out["vnpay.pay_url"] = vnpay.payURL.absoluteString }
        if let vnptpay { out["vnptpay.merchant_service_id"] = vnptpay.merchantServiceID; out["vnptpay.base_url"] = vnptpay.baseURL.absoluteString }
        if let stripe { out["stripe.api_base"] = stripe.apiBase; out["stripe.mode"] = stripe.secretKey.hasPrefix("sk_live") ? "live" : "test" }
        if let twoCheckout { out["2checkout.merchant"] = twoCheckout.merchant; out["2checkout.checkout_url"] = twoCheckout.checkoutURL }
        if let bankTransfer {
            out["bank_transfer.bank"] = bankTransfer.bankName
            out["bank_transfer.account"] = bankTransfer.accountNumber
            out["bank_transfer.code_prefix"] = bankTransfer.codePrefix
        }
        return out
    }
}

/// No transport configured: every gateway API call fails clearly.
public struct NoGatewayTransport: GatewayTransport {
    public init() {}
    public func send(_ request: GatewayRequest) async throws -> GatewayResponse {
        throw RecurError(.paymentGatewayUnavailable, field: "gateway", "No way to reach \(request.url) is configured")
    }
}
