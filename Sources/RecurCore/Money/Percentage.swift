/// A percentage in basis points: 2000 is 20 %, 1000 is 10 %, 825 is 8.25 %.
///
/// Discounts and tax rates are never floating point. A percentage used as a
/// discount lies in 0...10000; tax rates may be any non-negative value.
public struct Percentage: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let basisPoints: Int64

    public init(basisPoints: Int64) { self.basisPoints = basisPoints }

    /// A whole-number percentage: `Percentage(percent: 20)` is 2000 basis points.
    public init(percent: Int64) { self.basisPoints = percent * 100 }

    public static let zero = Percentage(basisPoints: 0)
    public static let hundred = Percentage(basisPoints: 10_000)

    public static func < (l: Percentage, r: Percentage) -> Bool { l.basisPoints < r.basisPoints }

    public var description: String {
        let sign = basisPoints < 0 ? "-" : ""
        let whole = basisPoints.magnitude / 100, frac = basisPoints.magnitude % 100
        return frac == 0 ? "\(sign)\(whole) %" : "\(sign)\(whole).\(frac < 10 ? "0" : "")\(frac) %"
    }

    public init(from decoder: any Decoder) throws {
        basisPoints = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(basisPoints)
    }
}
