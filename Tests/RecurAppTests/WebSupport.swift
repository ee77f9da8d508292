import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RecurCore
import RecurEngine
import Testing

/// The demo customers: Sao Mai (VND, Vietnamese) and Hoshi (JPY, Japanese).
func demoCustomers(_ service: RecurService) async throws -> (saoMai: CustomerRecord, hoshi: CustomerRecord) {
    let all = try await service.listCustomers(email: nil, limit: 10, startingAfter: nil).items
    return (try #require(all.first { $0.currency == .vnd }), try #require(all.first { $0.currency == .jpy }))
}

/// Workspace Standard, monthly, 2 users, bought through checkout: the open invoice is 198,000 ₫
/// (2 × 90,000 ₫ + 10 % VAT) for a Vietnamese customer.
func buyWorkspace(_ service: RecurService, _ customer: String) async throws -> CheckoutOutcome {
    try await service.checkout(customer: customer, order: Order(items: [.init(product: "workspace", plan: "ws_standard", cycle: .monthly, seats: 2)]),
                               date: nil, actor: .system)
}

/// A browser over the test client: keeps cookies, reads the page's CSRF token and
/// posts forms with it, as a person's browser would.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var csrf = ""
    var acceptLanguage: String?

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page {
        /// The response as the test client gave it.
        let response: TestResponse
        let status: Int
        let headers: HTTPFields
        let text: String
        let bytes: Data
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }
    }

    @discardableResult
    func get(_ path: String) async throws -> Page { try await send(.get, path, body: nil) }

    /// Posts `fields` (and the page's CSRF token unless `csrf` is false).
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf withToken: Bool = true) async throws -> Page {
        var all = fields
        if withToken { all.append(("_csrf", csrf)) }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = all.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try await send(.post, path, body: body)
    }

    func send(_ method: HTTPRequest.Method, _ path: String, body: String?) async throws -> Page {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
        let r = try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        for c in r.headers[values: .setCookie] {
            let pair = c.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || c.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let text = String(buffer: r.body)
        if let range = text.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            csrf = String(text[range].split(separator: "\"")[3])
        }
        return Page(response: r, status: Int(r.status.code), headers: r.headers, text: text, bytes: Data(r.body.readableBytesView))
    }

    /// Signs in to the portal through the demo sign-in as `member`.
    func portalSignIn(customer: String, member: String) async throws {
        try await get("/portal/sign-in")
        let r = try await post("/portal/demo", [("customer", customer), ("member", member)])
        #expect(r.status == 303 && r.location == "/portal", "demo sign-in failed: \(r.status) \(r.text.prefix(300))")
        try await get("/portal")
    }
}

extension String {
    /// The page's text without tags, spaces collapsed: what a person reads.
    var visibleText: String {
        replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }
}

extension Browser {
    /// Signs in to the back office.
    func staffSignIn(email: String, password: String) async throws -> Page {
        try await get("/admin/sign-in")
        let r = try await post("/admin/sign-in", [("email", email), ("password", password)])
        if r.status == 303 { try await get("/admin") }
        return r
    }
}
