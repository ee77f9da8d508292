public import Foundation

// Who may open the portal and the back office: staff accounts, browser sessions and
// the one-time links the vendor's application hands its users.

/// A member of the vendor's staff, signing in to the back office with a password
/// (stored as a bcrypt hash, never in clear).
public struct StaffRecord: Record, Equatable {
    public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
        /// Reads everything; records offline payments and bank transfers.
        case finance
        /// Customers, quotes and contracts, the catalog.
        case sales
        /// Everything, staff accounts included.
        case admin
        var rank: Int { switch self { case .finance: 0; case .sales: 1; case .admin: 2 } }
        public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
    }
    public static let table = "staff"
    public var id: String
    public var email: String
    public var name: String
    public var role: Role
    public var passwordHash: String
    public var created: Date
    public var disabled: Bool
    /// Wrong passwords in a row since the last sign-in or lock (nil: none). Optional, so
    /// records written before sign-in throttling read as they are, without a migration.
    public var failedSignIns: Int?
    /// Until when sign-ins are refused after too many wrong passwords (nil: not locked).
    public var lockedUntil: Date?
    public var columns: [String: ColumnValue] { ["email": .text(email.lowercased())] }

    /// Whether sign-ins are refused at `now`.
    public func isLocked(at now: Date) -> Bool { lockedUntil.map { $0 > now } ?? false }
    public init(id: String, email: String, name: String, role: Role, passwordHash: String, created: Date, disabled: Bool = false) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.created = created
        self.disabled = disabled
    }
}

/// A signed-in browser: a customer member in the portal or a staff member in the back
/// office. The cookie carries a random token; the row is keyed by its SHA-256, so a
/// leaked database does not leak live sessions.
public struct WebSessionRecord: Record, Equatable {
    public enum Kind: String, Codable, Sendable { case portal, staff }
    public static let table = "web_sessions"
    /// SHA-256 of the cookie's token, hex.
    public var id: String
    public var kind: Kind
    public var customer: String?
    public var memberEmail: String?
    /// The member's role on the customer (portal) when the session began.
    public var memberRole: Member.Role?
    public var staff: String?
    /// The token every form of this session must carry (CSRF).
    public var csrf: String
    public var created: Date
    public var expires: Date
    public var columns: [String: ColumnValue] { ["expires_at": .int(Int64(expires.timeIntervalSince1970))] }
    public init(id: String, kind: Kind, customer: String? = nil, memberEmail: String? = nil, memberRole: Member.Role? = nil,
                staff: String? = nil, csrf: String, created: Date, expires: Date) {
        self.id = id
        self.kind = kind
        self.customer = customer
        self.memberEmail = memberEmail
        self.memberRole = memberRole
        self.staff = staff
        self.csrf = csrf
        self.created = created
        self.expires = expires
    }

    /// Owners and billing admins may buy and change; other members only look (004).
    public var mayBuy: Bool { memberRole == .owner || memberRole == .billingAdmin }
}

/// A one-time link into the portal for one member of one customer, made by
/// `POST /v1/portal-sessions`. Keyed by the SHA-256 of its token.
public struct PortalLinkRecord: Record, Equatable {
    public static let table = "portal_links"
    public var id: String
    public var customer: String
    public var memberEmail: String
    public var locale: String?
    public var returnURL: String?
    public var created: Date
    public var expires: Date
    public var used: Date?
    public var columns: [String: ColumnValue] { ["customer_id": .text(customer)] }
    public init(id: String, customer: String, memberEmail: String, locale: String?, returnURL: String?, created: Date, expires: Date) {
        self.id = id
        self.customer = customer
        self.memberEmail = memberEmail
        self.locale = locale
        self.returnURL = returnURL
        self.created = created
        self.expires = expires
    }
}
