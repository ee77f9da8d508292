import Foundation
public import Hummingbird
import RecurCore
import RecurEngine
import OpenAPIRuntime
import HTTPTypes
import Logging
import NIOCore

/// RFC 9457 problem+json: every error Recur answers with.
public struct Problem: Sendable, Encodable {
    public struct Item: Sendable, Encodable {
        var code: String
        var field: String?
        var message: String
        var values: [String: String]?
    }
    var type: String
    var title: String
    var status: Int
    var detail: String?
    var code: String
    var field: String?
    var values: [String: String]?
    var errors: [Item]?

    init(status: Int, code: String, detail: String?, field: String? = nil, values: [String: String]? = nil, errors: [Item]? = nil) {
        self.type = "https://recur.dev/errors/\(code)"
        self.title = Problem.titles[status] ?? "Error"
        self.status = status
        self.detail = detail
        self.code = code
        self.field = field
        self.values = values
        self.errors = errors
    }

    static let titles: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
        422: "Unprocessable Content", 500: "Internal Server Error",
    ]

    static func item(_ e: RecurError) -> Item {
        Item(code: e.code.rawValue, field: e.field, message: e.message,
             values: e.values.isEmpty ? nil : e.values.mapValues(\.description))
    }

    /// The problem for any error a handler throws. Domain errors are 4xx with their
    /// code; a store conflict is 409; anything else is a 500 that reveals nothing.
    static func from(_ error: any Error) -> Problem {
        var error = error
        // The OpenAPI transport wraps what handlers throw, and what failed to decode.
        while let wrapped = error as? ServerError {
            if wrapped.operationInput == nil && !(wrapped.underlyingError is ServerError) && !(wrapped.underlyingError is RecurError)
                && !(wrapped.underlyingError is RecurErrors) {
                // The request could not be turned into the operation's input.
                return Problem(status: 400, code: RecurError.Code.requestInvalid.rawValue,
                               detail: "The request could not be read: \(readable(wrapped.underlyingError))",
                               field: codingPath(wrapped.underlyingError))
            }
            error = wrapped.underlyingError
        }
        switch error {
        case let e as RecurError:
            return Problem(status: status(for: e.code), code: e.code.rawValue, detail: e.message, field: e.field,
                           values: e.values.isEmpty ? nil : e.values.mapValues(\.description), errors: [item(e)])
        case let e as RecurErrors:
            let first = e.errors.first
            return Problem(status: e.errors.map { status(for: $0.code) }.max() ?? 422, code: first?.code.rawValue ?? "invalid",
                           detail: e.errors.count == 1 ? first?.message : "\(e.errors.count) problems: " + e.errors.map(\.message).joined(separator: "; "),
                           field: first?.field, values: first.flatMap { $0.values.isEmpty ? nil : $0.values.mapValues(\.description) },
                           errors: e.errors.map(item))
        case let e as StoreError where e.kind == .duplicate:
            return Problem(status: 409, code: RecurError.Code.resourceExists.rawValue, detail: "\(e.table) \(e.id) exists already")
        case let e as StoreError where e.kind == .notFound:
            return Problem(status: 404, code: RecurError.Code.resourceNotFound.rawValue, detail: "No \(e.table) \(e.id)")
        case let e as HTTPError:
            return Problem(status: Int(e.status.code), code: "http.\(e.status.code)", detail: e.body)
        case is DecodingError:
            return Problem(status: 400, code: RecurError.Code.requestInvalid.rawValue, detail: "The request could not be read: \(readable(error))",
                           field: codingPath(error))
        default:
            return Problem(status: 500, code: "internal", detail: "Something went wrong on our side; nothing was changed.")
        }
    }

    static func status(for code: RecurError.Code) -> Int { code.httpStatus }

    static func codingPath(_ error: any Error) -> String? {
        let path: [any CodingKey]
        switch error as? DecodingError {
        case .keyNotFound(let key, let c)?: path = c.codingPath + [key]
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?, .dataCorrupted(let c)?: path = c.codingPath
        default: return nil
        }
        let rendered = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return rendered.hasPrefix(".") ? String(rendered.dropFirst()) : (rendered.isEmpty ? nil : rendered)
    }

    static func readable(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "\(key.stringValue) is required"
        case .typeMismatch(let type, _)?: "a value is not of type \(type)"
        case .valueNotFound(let type, _)?: "a \(type) value is missing"
        case .dataCorrupted(let c)?: c.debugDescription
        default: String(describing: error).prefix(300).description
        }
    }

    /// The problem+json body, exactly as it is sent.
    var body: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{\"code\":\"internal\",\"status\":500}".utf8)
    }

    func response() -> Response {
        let data = body
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns every error below it into problem+json.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem.from(error)
            if problem.status >= 500 { context.logger.error("\(request.method) \(request.uri.path) failed: \(String(reflecting: error))") }
            return problem.response()
        }
    }
}
