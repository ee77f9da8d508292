/// A countable thing a plan limits: users, storage, minutes… Extensible: a vendor
/// may meter anything, so this is a string-backed struct, not an enum.
public struct Quota: RawRepresentable, Hashable, Sendable, Comparable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }

    /// Active users (seats). For a per-seat plan the limit is the seats bought.
    public static let users: Quota = "users"
    /// Storage in megabytes.
    public static let storageMB: Quota = "storage_mb"
    /// Meeting or translation minutes per month (000's Small tiers).
    public static let minutes: Quota = "minutes"
    public static let documents: Quota = "documents"
    public static let automationRuns: Quota = "automation_runs"
    public static let dataRecords: Quota = "data_records"
    public static let emailsPerMonth: Quota = "emails_per_month"
    /// Users allowed into business tools (002's seat assignments).
    public static let businessToolsUsers: Quota = "business_tools_users"

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

/// A yes/no capability a plan grants.
public struct Feature: RawRepresentable, Hashable, Sendable, Comparable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }

    public static let customDomain: Feature = "custom_domain"
    /// Vendor support; 002: only with an active paid plan.
    public static let support: Feature = "support"
    public static let sso: Feature = "sso"
    public static let apiAccess: Feature = "api_access"

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(rawValue) }
}

/// How much of a quota is allowed.
public enum Limit: Hashable, Sendable, Codable, CustomStringConvertible {
    case finite(Int64)
    case unlimited

    /// Whether `usage` fits under this limit.
    public func allows(_ usage: Int64) -> Bool {
        switch self {
        case .finite(let n): usage <= n
        case .unlimited: true
        }
    }

    /// The sum of two limits (a plan's and an add-on's); unlimited absorbs anything.
    public func adding(_ n: Int64) -> Limit {
        switch self {
        case .finite(let a): .finite(a.addingReportingOverflow(n).overflow ? .max : a + n)
        case .unlimited: .unlimited
        }
    }

    public var description: String {
        switch self {
        case .finite(let n): String(n)
        case .unlimited: "unlimited"
        }
    }
}

/// What a plan (or tier) grants: limits on quotas and a set of features. A quota
/// with no entry is not granted at all (a limit of zero).
public struct Limits: Hashable, Sendable, Codable {
    public var quotas: [Quota: Limit]
    public var features: Set<Feature>

    public init(_ quotas: [Quota: Limit] = [:], features: Set<Feature> = []) {
        self.quotas = quotas
        self.features = features
    }

    public subscript(_ quota: Quota) -> Limit { quotas[quota] ?? .finite(0) }

    /// These limits with `other`'s entries taking precedence (a tier over its plan).
    public func overridden(by other: Limits) -> Limits {
        Limits(quotas.merging(other.quotas) { _, new in new }, features: features.union(other.features))
    }
}
