/// The one error shape of Recur's domain.
///
/// Every rule the core enforces fails with a `RecurError`: a stable machine code
/// (`seats.exceed_base`), the field at fault as a path into the request
/// (`items[1].seats`), a readable English message that carries the numbers, and the
/// numbers themselves in `values` so an API can return them and a portal can
/// translate the message. Codes are extensible (a struct, not an enum), so a module
/// adds its own codes in an extension without breaking callers.
///
/// For example:
/// ```swift
/// throw RecurError(.seatsExceedBase, field: "items[1].seats",
///                  "App Builder seats 12 exceed Workspace seats 10",
///                  ["seats": 12, "baseSeats": 10])
/// ```
public struct RecurError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable, dotted error code. New codes are added as static members.
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }
    }

    /// A number, text, amount or date involved in the error.
    public enum Value: Hashable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        case int(Int64)
        case text(String)
        case money(Money)
        case date(CivilDate)

        public init(integerLiteral value: Int64) { self = .int(value) }
        public init(stringLiteral value: String) { self = .text(value) }
        public init(_ value: Int) { self = .int(Int64(value)) }

        public var description: String {
            switch self {
            case .int(let v): String(v)
            case .text(let v): v
            case .money(let v): v.description
            case .date(let v): v.description
            }
        }
    }

    public let code: Code
    /// The path of the offending input (`items[0].seats`, `currency`), if any.
    public let field: String?
    /// A readable English message with the numbers in it.
    public let message: String
    /// The numbers and names the message speaks of, by name.
    public let values: [String: Value]

    public init(_ code: Code, field: String? = nil, _ message: String, _ values: [String: Value] = [:]) {
        self.code = code
        self.field = field
        self.message = message
        self.values = values
    }

    /// The same error reported at another field path (used when a nested check is
    /// run for one item of a larger request).
    public func at(_ field: String) -> RecurError {
        RecurError(code, field: field, message, values)
    }

    public var description: String {
        "\(code.rawValue)\(field.map { " at \($0)" } ?? ""): \(message)"
    }
}

/// Several errors found at once: an invalid catalog or order lists every problem,
/// not just the first.
public struct RecurErrors: Error, Hashable, Sendable, CustomStringConvertible {
    public let errors: [RecurError]
    public init(_ errors: [RecurError]) { self.errors = errors }
    public var codes: [RecurError.Code] { errors.map(\.code) }
    public var description: String { errors.map(\.description).joined(separator: "; ") }
}

/// Collects errors while a request is checked, so every problem is reported.
struct ErrorCollector {
    private(set) var errors: [RecurError] = []
    var isEmpty: Bool { errors.isEmpty }

    mutating func add(_ error: RecurError) { errors.append(error) }

    /// Runs `body`, recording a thrown `RecurError` (or list) instead of stopping.
    @discardableResult
    mutating func check<T>(_ body: () throws -> T) -> T? {
        do { return try body() } catch let e as RecurError {
            errors.append(e)
        } catch let e as RecurErrors {
            errors.append(contentsOf: e.errors)
        } catch {
            errors.append(RecurError(.internalInvariant, String(describing: error)))
        }
        return nil
    }

    func throwIfAny() throws {
        if !errors.isEmpty { throw RecurErrors(errors) }
    }
}

extension RecurError.Code {
    /// A rule the core itself should have guaranteed was broken; a bug, never user input.
    public static let internalInvariant: Self = "internal.invariant"
}
