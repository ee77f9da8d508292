public import Foundation
import Crypto
import HummingbirdBcrypt
public import RecurCore

/// A session just begun: the token goes into the browser's cookie, once.
public struct SessionStart: Sendable {
    public let token: String
    public let session: WebSessionRecord
}

extension RecurError.Code {
    public static let staffInvalid: Self = "staff.invalid"
    public static let portalLinkInvalid: Self = "portal_link.invalid"
    /// A portal link that does not exist, expired, was used, or whose member left (HTTP 401).
    public static let portalLinkExpired: Self = "portal_link.expired"
}

extension RecurService {
    /// How long a back-office session lasts.
    public static let staffSessionLifetime: TimeInterval = 8 * 3600
    /// How long a portal session lasts.
    public static let portalSessionLifetime: TimeInterval = 12 * 3600
    /// How long a portal link may wait before it is used.
    public static let portalLinkLifetime: TimeInterval = 3600
    /// The languages the portal, the documents and the e-mails speak.
    public static let languages = ["vi", "en", "fr", "ms", "ja"]

    /// A random URL-safe token of 32 bytes.
    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A token for the forms of a visitor not signed in yet.
    public static func newCSRFToken() -> String { randomToken() }

    // MARK: Staff

    /// Creates a staff account. The password is kept as a bcrypt hash.
    /// - throws: `staff.invalid` (422) for a bad e-mail, an empty name or a password under
    ///   10 characters; `resource.exists` (409) when the e-mail has an account.
    public func createStaff(email: String, name: String, role: StaffRecord.Role, password: String, actor: Actor) async throws -> StaffRecord {
        var errors: [RecurError] = []
        let email = email.trimmingCharacters(in: .whitespaces)
        if !Self.isEmail(email) { errors.append(RecurError(.staffInvalid, field: "email", "'\(email)' is not an e-mail address", ["email": .text(email)])) }
        if name.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(RecurError(.staffInvalid, field: "name", "A staff member needs a name")) }
        if password.count < 10 {
            errors.append(RecurError(.staffInvalid, field: "password", "A password has at least 10 characters, not \(password.count)",
                                     ["length": .int(Int64(password.count)), "minimum": .int(10)]))
        }
        if !errors.isEmpty { throw RecurErrors(errors) }
        let hash = Bcrypt.hash(password, cost: 10)
        return try await command(actor) { tx, log in
            if try await !tx.all(StaffRecord.self, filters: ["email": .text(email.lowercased())]).isEmpty {
                throw RecurError(.resourceExists, field: "email", "\(email) has a staff account already", ["email": .text(email)])
            }
            let record = StaffRecord(id: RecordID.make("stf", at: log.now), email: email, name: name, role: role, passwordHash: hash, created: log.now)
            try await tx.insert(record)
            log.audit("staff.created", target: record.id, customer: nil, before: String?.none, after: ["email": email, "role": role.rawValue])
            return record
        }
    }

    public func listStaff() async throws -> [StaffRecord] {
        try await read { tx in try await tx.all(StaffRecord.self, filters: [:]) }
    }

    public func staff(_ id: String) async throws -> StaffRecord? {
        try await read { tx in try await tx.find(StaffRecord.self, id: id) }
    }

    /// Signs a staff member in.
    /// - throws: `auth.invalid` (401) for an unknown e-mail, a wrong password or a
    ///   disabled account, with the same message for each.
    public func staffSignIn(email: String, password: String) async throws -> SessionStart {
        let account = try await read { tx in
            try await tx.all(StaffRecord.self, filters: ["email": .text(email.trimmingCharacters(in: .whitespaces).lowercased())]).first
        }
        // Verify against a hash even for an unknown e-mail, so timing does not tell which e-mails exist.
        let hash = account?.passwordHash ?? "$2b$10$CwTycUXWue0Thq9StjUM0uJ8.Dx8qu/N8.mpX07ePMHNrxm1b7u9u"
        guard Bcrypt.verify(password, hash: hash), let account, !account.disabled else {
            throw RecurError(.authInvalid, field: "password", "The e-mail or the password is wrong")
        }
        let token = Self.randomToken()
        return try await command(Actor("staff:\(account.id)")) { tx, log in
            let session = WebSessionRecord(id: Self.hash(token), kind: .staff, staff: account.id, csrf: Self.randomToken(), created: log.now,
                                           expires: log.now.addingTimeInterval(Self.staffSessionLifetime))
            try await tx.insert(session)
            log.audit("staff.signed_in", target: account.id, customer: nil, before: String?.none, after: ["email": account.email])
            return SessionStart(token: token, session: session)
        }
    }

    // MARK: Portal

    /// A one-time link into the portal for one member of a customer, for the vendor's
    /// application to send its user to. Returns the token (shown once) and the link.
    /// - throws: `resource.not_found` for an unknown customer, `portal_link.invalid` (422)
    ///   when the e-mail is not a member or the locale is not one Recur speaks.
    public func createPortalLink(customer id: String, memberEmail: String, locale: String?, returnURL: String?,
                                 actor: Actor) async throws -> (token: String, link: PortalLinkRecord) {
        if let locale, !Self.languages.contains(locale) {
            throw RecurErrors([RecurError(.portalLinkInvalid, field: "locale", "The portal speaks \(Self.languages.joined(separator: ", ")), not '\(locale)'",
                                          ["locale": .text(locale)])])
        }
        if let returnURL, !(returnURL.hasPrefix("https://") || returnURL.hasPrefix("http://")) {
            throw RecurErrors([RecurError(.portalLinkInvalid, field: "return_url", "return_url is an http(s) URL")])
        }
        let token = Self.randomToken()
        return try await command(actor) { tx, log in
            let customer = try await self.requireCustomer(tx, id)
            guard customer.members.contains(where: { $0.email.lowercased() == memberEmail.lowercased() }) else {
                throw RecurErrors([RecurError(.portalLinkInvalid, field: "member", "\(memberEmail) is not a member of \(id)",
                                              ["member": .text(memberEmail)])])
            }
            let link = PortalLinkRecord(id: Self.hash(token), customer: id, memberEmail: memberEmail, locale: locale, returnURL: returnURL,
                                        created: log.now, expires: log.now.addingTimeInterval(Self.portalLinkLifetime))
            try await tx.insert(link)
            log.audit("portal_link.created", target: id, customer: id, before: String?.none, after: ["member": memberEmail])
            return (token, link)
        }
    }

    /// Opens the portal through a one-time link.
    /// - throws: `portal_link.expired` (401) for a link that does not exist, expired or was used.
    public func enterPortal(token: String) async throws -> (start: SessionStart, link: PortalLinkRecord) {
        let sessionToken = Self.randomToken()
        return try await command(.system) { tx, log in
            guard var link = try await tx.lock(PortalLinkRecord.self, id: Self.hash(token)), link.used == nil, link.expires > log.now else {
                throw RecurError(.portalLinkExpired, field: "token", "This link has expired or was used already: ask for a new one")
            }
            link.used = log.now
            try await tx.update(link)
            let start = try await self.openPortalSession(tx, log, customer: link.customer, memberEmail: link.memberEmail, token: sessionToken)
            return (start, link)
        }
    }

    /// A portal session for a member, without a link: the demo sign-in (the web layer
    /// offers it only on a demo instance).
    public func startPortalSession(customer: String, memberEmail: String) async throws -> SessionStart {
        let token = Self.randomToken()
        return try await command(.system) { tx, log in
            try await self.openPortalSession(tx, log, customer: customer, memberEmail: memberEmail, token: token)
        }
    }

    func openPortalSession(_ tx: any Transaction, _ log: CommandLog, customer id: String, memberEmail: String, token: String) async throws -> SessionStart {
        let customer = try await requireCustomer(tx, id)
        guard let member = customer.members.first(where: { $0.email.lowercased() == memberEmail.lowercased() }) else {
            throw RecurError(.portalLinkExpired, field: "member", "\(memberEmail) is no longer a member of \(customer.name)")
        }
        let session = WebSessionRecord(id: Self.hash(token), kind: .portal, customer: id, memberEmail: member.email, memberRole: member.role,
                                       csrf: Self.randomToken(), created: log.now, expires: log.now.addingTimeInterval(Self.portalSessionLifetime))
        try await tx.insert(session)
        log.audit("portal.signed_in", target: id, customer: id, before: String?.none, after: ["member": member.email])
        return SessionStart(token: token, session: session)
    }

    /// The live session a cookie's token names. A portal session follows its member:
    /// a member removed from the customer loses it, a changed role applies at once.
    public func webSession(token: String) async throws -> WebSessionRecord? {
        guard !token.isEmpty, token.count <= 100 else { return nil }
        let now = clock.now()
        return try await read { tx in
            guard var s = try await tx.find(WebSessionRecord.self, id: Self.hash(token)), s.expires > now else { return nil }
            if s.kind == .portal {
                guard let customer = s.customer, let c = try await tx.find(CustomerRecord.self, id: customer),
                      let m = c.members.first(where: { $0.email.lowercased() == s.memberEmail?.lowercased() }) else { return nil }
                s.memberRole = m.role
            } else {
                guard let staff = s.staff, let account = try await tx.find(StaffRecord.self, id: staff), !account.disabled else { return nil }
            }
            return s
        }
    }

    /// Where a portal link's token opens the portal.
    public func portalURL(token: String) -> String { payments.publicURL + "/portal/enter/" + token }

    /// Signs out: the session ends at once.
    public func endSession(token: String) async throws {
        try await store.transaction { tx in
            if try await tx.find(WebSessionRecord.self, id: Self.hash(token)) != nil {
                try await tx.delete(WebSessionRecord.self, id: Self.hash(token))
            }
        }
    }
}
