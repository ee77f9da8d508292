public import Foundation
import HummingbirdCore
public import Hummingbird
import HTTPTypes
import NIOCore
public import RecurEngine
import RecurCore

/// How the pages are served.
public struct WebOptions: Sendable {
    /// Demo sign-ins (a portal member picker, the demo staff account shown on the sign-in page).
    public var demo: Bool
    /// Cookies carry `Secure` (the instance is reached over TLS).
    public var secureCookies: Bool
    public init(demo: Bool = false, secureCookies: Bool = false) {
        self.demo = demo
        self.secureCookies = secureCookies
    }
}

/// A page request: the form, the session, the language and the words, for the handlers.
public struct WebRequest: Sendable {
    public let request: Request
    public let parameters: Parameters
    public let query: FormData
    /// The POSTed form (empty for GET).
    public let form: FormData
    public let cookies: [String: String]
    public let session: WebSessionRecord?
    /// The session's token, from the cookie.
    let token: String?
    public let lang: Lang
    public var w: Words { Words(lang) }
    /// The token every form of this page carries.
    public let csrf: String
    /// A message from the previous page (after a redirect).
    public let flash: String?

    public func param(_ name: String) -> String { parameters.get(name) ?? "" }
    public var path: String { request.uri.path }
}

/// What a handler answers.
public enum WebResponse: Sendable {
    case page(HTML, status: Int = 200)
    /// A page refused for a while (429) that says when to come back (`Retry-After`, seconds).
    case tooSoon(HTML, retryAfter: Int)
    case redirect(String, flash: String? = nil)
    case file(Data, contentType: String, filename: String?)
    /// Set the session cookie (sign-in) and go on.
    case signIn(token: String, to: String)
    case signOut(to: String)
    /// Remember the language chosen in the switcher and go back.
    case language(Lang, back: String)
}

/// Hummingbird routes for pages, with cookies, CSRF and the language done once.
/// `@unchecked Sendable`: the router is only touched while routes are registered, before
/// the server starts; handlers use `service` and `options`, which are Sendable.
struct WebRouter: @unchecked Sendable {
    let router: Router<BasicRequestContext>
    let service: RecurService
    let options: WebOptions

    enum Guard { case none, portal, staff(StaffRecord.Role) }

    static let sessionCookie = "recur_session"
    static let csrfCookie = "recur_csrf"
    static let langCookie = "recur_lang"
    static let flashCookie = "recur_flash"

    func get(_ path: RouterPath, _ guarded: Guard, _ handler: @escaping @Sendable (WebRequest) async throws -> WebResponse) {
        router.get(path) { request, context in try await self.handle(request, context, guarded, post: false, handler) }
    }

    func post(_ path: RouterPath, _ guarded: Guard, _ handler: @escaping @Sendable (WebRequest) async throws -> WebResponse) {
        router.post(path) { request, context in try await self.handle(request, context, guarded, post: true, handler) }
    }

    static func cookies(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                out[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return out
    }

    func cookie(_ name: String, _ value: String, maxAge: Int?, httpOnly: Bool = true) -> String {
        var c = "\(name)=\(value); Path=/; SameSite=Lax"
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        if httpOnly { c += "; HttpOnly" }
        if options.secureCookies { c += "; Secure" }
        return c
    }

    func handle(_ request: Request, _ context: BasicRequestContext, _ guarded: Guard, post: Bool,
                _ handler: @Sendable (WebRequest) async throws -> WebResponse) async throws -> Response {
        var request = request
        let cookies = Self.cookies(request)
        let token = cookies[Self.sessionCookie]
        let session = try await token.asyncFlatMap { try await service.webSession(token: $0) }
        var setCookies: [String] = []

        // The language: the switcher's cookie, then the customer's own, then the browser's.
        var lang = cookies[Self.langCookie].flatMap(Lang.init(rawValue:))
        if lang == nil, let customer = session?.customer, let c = try? await service.customer(customer) {
            lang = Lang(rawValue: LocaleFormat.language(c.locale))
        }
        let language = lang ?? Lang.preferred(acceptLanguage: request.headers[.acceptLanguage]) ?? .en

        // CSRF: a session's forms carry its token; before sign-in, the token of a cookie.
        var csrf = session?.csrf ?? cookies[Self.csrfCookie] ?? ""
        if session == nil && csrf.count < 20 {
            csrf = RecurService.newCSRFToken()
            setCookies.append(cookie(Self.csrfCookie, csrf, maxAge: nil))
        }
        var form = FormData("")
        if post {
            let body = try await request.collectBody(upTo: 2_097_152)
            form = FormData(String(buffer: body))
            guard let sent = form["_csrf"], constantTimeEqual(sent, csrf), !csrf.isEmpty else {
                return render(.page(Layout.message(Words(language), title: Words(language)["error.csrf.title"],
                                                   text: Words(language)["error.csrf.text"]), status: 403), setCookies: setCookies)
            }
        }

        let web = WebRequest(request: request, parameters: context.parameters, query: FormData(request.uri.query ?? ""), form: form,
                             cookies: cookies, session: session, token: token, lang: language, csrf: csrf,
                             flash: cookies[Self.flashCookie].flatMap { $0.removingPercentEncoding })
        if web.flash != nil { setCookies.append(cookie(Self.flashCookie, "", maxAge: 0)) }

        switch guarded {
        case .none: break
        case .portal:
            guard session?.kind == .portal, session?.customer != nil else {
                return render(.redirect("/portal/sign-in"), setCookies: setCookies)
            }
        case .staff(let role):
            guard session?.kind == .staff, let id = session?.staff, let staff = try await service.staff(id) else {
                return render(.redirect("/admin/sign-in"), setCookies: setCookies)
            }
            guard staff.role >= role else {
                return render(.page(Layout.message(web.w, title: web.w["error.forbidden.title"],
                                                   text: web.w("error.forbidden.text", ["role": role.rawValue])), status: 403), setCookies: setCookies)
            }
        }

        let answer: WebResponse
        do {
            answer = try await handler(web)
        } catch let e as RecurError {
            answer = .page(Layout.message(web.w, title: web.w["error.title"], text: web.w.error(e)), status: Self.status(e.code))
        } catch let e as RecurErrors {
            answer = .page(Layout.message(web.w, title: web.w["error.title"], text: e.errors.map { web.w.error($0) }.joined(separator: " ")),
                           status: e.errors.map { Self.status($0.code) }.max() ?? 422)
        } catch let e as StoreError where e.kind == .notFound {
            answer = .page(Layout.message(web.w, title: web.w["error.not_found.title"], text: web.w["error.not_found.text"]), status: 404)
        }
        return render(answer, setCookies: setCookies)
    }

    /// The API's status for the code, except that a field a form sent unreadable is, like any
    /// other refusal shown on the form, a 422.
    static func status(_ code: RecurError.Code) -> Int { code == .requestInvalid ? 422 : code.httpStatus }

    func render(_ answer: WebResponse, setCookies: [String]) -> Response {
        var headers = HTTPFields()
        for c in setCookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        switch answer {
        case .page(let html, let status):
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.text)))
        case .tooSoon(let html, let seconds):
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
            headers[.retryAfter] = String(max(1, seconds))
            return Response(status: .tooManyRequests, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.text)))
        case .redirect(let to, let flash):
            headers[.location] = to
            if let flash {
                headers.append(HTTPField(name: .setCookie, value: cookie(Self.flashCookie,
                    flash.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "", maxAge: 60)))
            }
            return Response(status: .seeOther, headers: headers)
        case .file(let data, let type, let filename):
            headers[.contentType] = type
            if let filename { headers[.contentDisposition] = "inline; filename=\"\(filename)\"" }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        case .signIn(let token, let to):
            headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, token, maxAge: Int(RecurService.portalSessionLifetime))))
            headers[.location] = to
            return Response(status: .seeOther, headers: headers)
        case .language(let lang, let back):
            headers.append(HTTPField(name: .setCookie, value: cookie(Self.langCookie, lang.rawValue, maxAge: 365 * 86400)))
            headers[.location] = back
            return Response(status: .seeOther, headers: headers)
        case .signOut(let to):
            headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, "", maxAge: 0)))
            headers[.location] = to
            return Response(status: .seeOther, headers: headers)
        }
    }
}

func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    var diff: UInt8 = 0
    for i in x.indices { diff |= x[i] ^ y[i] }
    return diff == 0
}

extension Optional where Wrapped: Sendable {
    func asyncFlatMap<U>(_ body: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let self else { return nil }
        return try await body(self)
    }
}

/// The pages: the customer portal under /portal, the back office under /admin.
public enum WebRoutes {
    public static func register(on router: Router<BasicRequestContext>, service: RecurService, options: WebOptions) {
        let web = WebRouter(router: router, service: service, options: options)
        router.get("/") { _, _ in
            var headers = HTTPFields()
            headers[.location] = "/portal"
            return Response(status: .seeOther, headers: headers)
        }
        router.get("/assets/recur.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Layout.css)))
        }
        // The language switcher, for every page (signed in or not).
        web.post("/language", .none) { r in
            let lang = r.form["lang"].flatMap(Lang.init(rawValue:)) ?? .en
            // Only a path on this site: not //host, nor /\host, which browsers read as //host.
            let back = r.form["back"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") && !$0.contains("\\") ? $0 : nil } ?? "/portal"
            return .language(lang, back: back)
        }
        PortalPages(web: web).register()
        BackOfficePages(web: web).register()
    }
}
