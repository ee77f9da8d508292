public import Foundation

/// Where "now" comes from. Nothing in Recur reads the system clock directly.
public protocol Clock: Sendable {
    func now() -> Date
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

extension Date {
    /// The whole seconds since 1970 (rounded down): how times are stored in indexed columns and compared to them.
    var wholeSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
}

/// A clock that stands still at a given instant (tests) and can be moved by hand.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var instant: Date
    public init(_ instant: Date) { self.instant = instant }
    public func now() -> Date { lock.withLock { instant } }
    public func set(_ date: Date) { lock.withLock { instant = date } }
    public func advance(by seconds: TimeInterval) { lock.withLock { instant = instant.addingTimeInterval(seconds) } }
}
