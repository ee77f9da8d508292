import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import HTTPTypes
import RecurApp
import RecurCore
import RecurEngine
import RecurHTTP
import RecurWeb
import RecurStore
import Testing

/// The databases every store and API test runs on: SQLite always, PostgreSQL when
/// `RECUR_TEST_POSTGRES_URL` names a server (scripts/test starts one).
enum TestDatabase: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["RECUR_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The databases available here.
    static var all: [TestDatabase] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    static let logger: Logger = {
        var l = Logger(label: "recur.test")
        l.logLevel = .error
        return l
    }()

    /// A fresh, migrated, empty database: an SQLite file in a temporary folder, or a
    /// new PostgreSQL database on the test server. `location` reopens the same one.
    func makeStore() async throws -> (store: SQLStore, location: String) {
        switch self {
        case .sqlite:
            let path = scratchURL("recur-test-\(UUID().uuidString).sqlite").path
            return (try await openStore("sqlite:\(path)", logger: Self.logger), "sqlite:\(path)")
        case .postgres:
            let admin = try #require(Self.postgresURL)
            let name = "recur_test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))"
            let adminStore = try await SQLStore.postgres(url: admin, logger: Self.logger)
            try await adminStore.execute("CREATE DATABASE \(name)")
            try await adminStore.close()
            var c = URLComponents(string: admin)!
            c.path = "/\(name)"
            let url = c.string!
            return (try await openStore(url, logger: Self.logger), url)
        }
    }
}

/// The folder every file this test process writes goes into (SQLite databases with their
/// WAL, PDFs, mail folders): one per process, removed when the process exits, so runs leave
/// nothing behind in the temporary folder.
let testScratchFolder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recur-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: testScratchFolder) }
    return url
}()

/// A new path in ``testScratchFolder``.
func scratchURL(_ name: String) -> URL { testScratchFolder.appendingPathComponent(name) }

/// 2026-03-01 12:00 UTC: the instant tests start at unless they say otherwise.
let testNow = Date(timeIntervalSince1970: 1_772_366_400)

let adminKey = demoAPIKey

/// A running app on `db` with the demo data, driven through HummingbirdTesting.
func withApp(_ db: TestDatabase, clock: ManualClock = ManualClock(testNow), demo: Bool = true, testMode: Bool = false,
             payments: PaymentSettings = .sandbox(publicURL: "http://127.0.0.1:8080"),
             _ body: @Sendable (any TestClientProtocol, RecurService) async throws -> Void) async throws {
    let (store, _) = try await db.makeStore()
    let service = RecurService(store: store, clock: clock, testMode: testMode, payments: payments, logger: TestDatabase.logger)
    if demo {
        try await loadDemoData(service)
        service.setPartners(Partner.demo)
    }
    let router = try buildRouter(service: service)
    WebRoutes.register(on: router, service: service, options: WebOptions(demo: demo))
    let app = Application(router: router, logger: TestDatabase.logger)
    do {
        try await app.test(.router) { client in try await body(client, service) }
    } catch {
        try? await store.close()
        throw error
    }
    try await store.close()
}

extension TestClientProtocol {
    /// A request with the demo admin key (or `key`), a JSON body and optional headers.
    @discardableResult
    func call(_ method: HTTPRequest.Method, _ path: String, key: String? = adminKey, json: String? = nil,
              headers extra: [String: String] = [:]) async throws -> TestResponse {
        var headers = HTTPFields()
        if let key { headers[.authorization] = "Bearer \(key)" }
        if json != nil { headers[.contentType] = "application/json" }
        for (k, v) in extra { headers[HTTPField.Name(k)!] = v }
        return try await execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        get throws {
            let data = Data(body.readableBytesView)
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "not a JSON object: \(String(buffer: body))")
        }
    }

    var text: String { String(buffer: body) }
}

/// `value["a"]["b"][0]` on decoded JSON.
func dig(_ value: Any?, _ path: Any...) -> Any? {
    var v = value
    for p in path {
        if let k = p as? String { v = (v as? [String: Any])?[k] } else if let i = p as? Int { v = (v as? [Any]).flatMap { i < $0.count ? $0[i] : nil } }
    }
    return v
}

func int(_ value: Any?) -> Int64? { (value as? NSNumber)?.int64Value }
