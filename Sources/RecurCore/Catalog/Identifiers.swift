/// A typed identifier: a `ProductID` cannot be passed where a `PlanID` is wanted.
public struct Identifier<Entity>: Hashable, Sendable, Comparable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (l: Self, r: Self) -> Bool { l.rawValue < r.rawValue }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

public typealias ProductID = Identifier<Product>
public typealias PlanID = Identifier<Plan>
public typealias AddOnID = Identifier<AddOn>
public typealias BundleID = Identifier<ProductBundle>
public typealias PromotionCode = Identifier<Promotion>
public typealias SubscriptionID = Identifier<Subscription>
public typealias CustomerID = Identifier<Customer>
