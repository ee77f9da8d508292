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
    /// Too many wrong passwords in a row: sign-ins wait until `until` (HTTP 429).
    public static let staffLocked: Self = "staff.locked"
    public static let portalLinkInvalid: Self = "portal_link.invalid"
    /// A portal link that does not exist, expired, was used, or whose member left (HTTP 401).
    public static let portalLinkExpired: Self = "portal_link.expired"
}

extension Actor {
    /// Someone not signed in: a sign-in attempt that did not prove who it was.
    public static let anonymous = Actor("anonymous")
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

    /// Wrong passwords in a row that lock a staff account.
    public static let staffSignInAttempts = 5
    /// How long a locked staff account refuses sign-ins (or until an admin unlocks it).
    public static let staffLockDuration: TimeInterval = 15 * 60

    /// What one sign-in attempt came to, decided under the account's row lock.
    private enum SignInOutcome: Sendable {
        case signedIn(SessionStart)
        case refused
        case locked(until: Date)
    }

    /// Signs a staff member in. After ``staffSignInAttempts`` wrong passwords in a row the
    /// account is locked for ``staffLockDuration`` (by the service's clock); a sign-in resets
    /// the count. Every refusal and every lock is in the audit log.
    ///
    /// For example, the fifth wrong password in a row at 12:00 UTC:
    /// ```swift
    /// try await service.staffSignIn(email: "an@recur.example", password: "wrong")
    /// // throws staff.locked, values ["until": "…T12:15:00Z", "retry_after": 900, "minutes": 15]
    /// ```
    /// - throws: `auth.invalid` (401) for an unknown e-mail, a wrong password or a
    ///   disabled account, with the same message and no values for each (an unknown e-mail
    ///   is checked against a hash too and never locks, so neither time nor answer tells
    ///   which e-mails have accounts); `staff.locked` (429) while the account is locked,
    ///   even for the right password, with `until` (ISO 8601, UTC), `retry_after` (seconds) and `minutes` (rounded up).
    public func staffSignIn(email: String, password: String) async throws -> SessionStart {
        let typed = String(email.trimmingCharacters(in: .whitespaces).lowercased().prefix(254))
        let account = try await read { tx in
            try await tx.all(StaffRecord.self, filters: ["email": .text(typed)]).first
        }
        // Verify against a hash even for an unknown e-mail, so timing does not tell which e-mails exist.
        let hash = account?.passwordHash ?? "$2b$10$CwTycUXWue0Thq9StjUM0uJ8.Dx8qu/N8.mpX07ePMHNrxm1b7u9u"
        let rightPassword = Bcrypt.verify(password, hash: hash)
        let invalid = RecurError(.authInvalid, field: "password", "The e-mail or the password is wrong")
        guard let account, !account.disabled else {
            try await command(.anonymous) { _, log in
                log.audit("staff.sign_in_failed", target: account?.id ?? typed, customer: nil, before: String?.none,
                          after: ["email": typed, "reason": account == nil ? "unknown_email" : "disabled"])
            }
            throw invalid
        }
        let token = Self.randomToken()
        // Who the audit names: the member only once the password proved it.
        let outcome: SignInOutcome = try await command(rightPassword ? Actor("staff:\(account.id)") : .anonymous) { tx, log in
            // Under the row's lock, so attempts in parallel count one by one.
            guard var staff = try await tx.lock(StaffRecord.self, id: account.id) else { return .refused }
            let before = staff
            if let until = staff.lockedUntil, until > log.now {
                log.audit("staff.sign_in_refused", target: staff.id, customer: nil, before: String?.none,
                          after: ["email": staff.email, "reason": "locked", "locked_until": Self.isoInstant(until)])
                return .locked(until: until)
            }
            guard rightPassword else {
                let failed = (staff.failedSignIns ?? 0) + 1
                log.audit("staff.sign_in_failed", target: staff.id, customer: nil, before: String?.none,
                          after: ["email": staff.email, "reason": "wrong_password", "failures": String(failed)])
                if failed >= Self.staffSignInAttempts {
                    let until = log.now.addingTimeInterval(Self.staffLockDuration)
                    staff.failedSignIns = nil
                    staff.lockedUntil = until
                    try await tx.update(staff)
                    log.audit("staff.locked", target: staff.id, customer: nil, before: Self.lockState(before), after: Self.lockState(staff))
                    return .locked(until: until)
                }
                staff.failedSignIns = failed
                staff.lockedUntil = nil
                try await tx.update(staff)
                return .refused
            }
            if staff.failedSignIns != nil || staff.lockedUntil != nil {
                staff.failedSignIns = nil
                staff.lockedUntil = nil
                try await tx.update(staff)
            }
            let session = WebSessionRecord(id: Self.hash(token), kind: .staff, staff: staff.id, csrf: Self.randomToken(), created: log.now,
                                           expires: log.now.addingTimeInterval(Self.staffSessionLifetime))
            try await tx.insert(session)
            log.audit("staff.signed_in", target: staff.id, customer: nil, before: String?.none, after: ["email": staff.email])
            return .signedIn(SessionStart(token: token, session: session))
        }
        switch outcome {
        case .signedIn(let start): return start
        case .refused: throw invalid
        case .locked(let until): throw Self.lockedError(until: until, now: clock.now())
        }
    }

    /// Lifts a lock (and forgets the wrong passwords counted) before it runs out.
    /// - throws: `resource.not_found` (404) for an unknown staff account.
    @discardableResult
    public func unlockStaff(_ id: String, actor: Actor) async throws -> StaffRecord {
        try await command(actor) { tx, log in
            guard var staff = try await tx.lock(StaffRecord.self, id: id) else { throw RecurError.notFound("staff", id) }
            let before = staff
            staff.failedSignIns = nil
            staff.lockedUntil = nil
            try await tx.update(staff)
            log.audit("staff.unlocked", target: staff.id, customer: nil, before: Self.lockState(before), after: Self.lockState(staff))
            return staff
        }
    }

    static func lockedError(until: Date, now: Date) -> RecurError {
        let at = isoInstant(until)
        let wait = max(1, Int64(until.timeIntervalSince(now).rounded(.up)))
        return RecurError(.staffLocked, field: "email", "Too many wrong passwords: this account is locked until \(at); try again then or ask an admin to unlock it",
                          ["until": .text(at), "retry_after": .int(wait), "minutes": .int((wait + 59) / 60)])
    }

    static func isoInstant(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }

    static func lockState(_ s: StaffRecord) -> [String: String] {
        ["failed_sign_ins": String(s.failedSignIns ?? 0), "locked_until": s.lockedUntil.map { isoInstant($0) } ?? "-"]
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
