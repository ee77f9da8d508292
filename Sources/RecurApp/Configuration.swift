public import Foundation

/// How `recur serve` runs: flags over `RECUR_*` environment variables over defaults.
public struct RecurConfiguration: Sendable {
    /// `sqlite:./recur.sqlite`, `sqlite::memory:` or `postgres://user:pass@host:port/db`.
    public var databaseURL: String
    public var host: String
    public var port: Int
    /// Load the demo catalog, a demo API key and demo customers into an empty database.
    public var demo: Bool
    /// Test mode enables test clocks (never in production).
    public var testMode: Bool
    public var logLevel: String
    /// Seconds between billing runs inside `recur serve`.
    public var billingInterval: Int
    /// Days after a failed automatic charge on which it is retried.
    public var dunningRetryDays: [Int] = [1, 3, 5, 7]

    public init(databaseURL: String = "sqlite:./recur.sqlite", host: String = "127.0.0.1", port: Int = 8080, demo: Bool = true,
                testMode: Bool = false, logLevel: String = "info", billingInterval: Int = 60) {
        self.databaseURL = databaseURL
        self.host = host
        self.port = port
        self.demo = demo
        self.testMode = testMode
        self.logLevel = logLevel
        self.billingInterval = billingInterval
    }

    /// The defaults overridden by the environment (`RECUR_DATABASE_URL`, `RECUR_HOST`,
    /// `RECUR_PORT`, `RECUR_DEMO`, `RECUR_TEST_MODE`, `RECUR_LOG_LEVEL`, `RECUR_BILLING_INTERVAL`,
    /// `RECUR_DUNNING_DAYS` such as `1,3,5,7`).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> RecurConfiguration {
        var c = RecurConfiguration()
        if let v = env["RECUR_DATABASE_URL"], !v.isEmpty { c.databaseURL = v }
        if let v = env["RECUR_HOST"], !v.isEmpty { c.host = v }
        if let v = env["RECUR_PORT"].flatMap(Int.init) { c.port = v }
        if let v = env["RECUR_DEMO"] { c.demo = !["0", "false", "no"].contains(v.lowercased()) }
        if let v = env["RECUR_TEST_MODE"] { c.testMode = ["1", "true", "yes"].contains(v.lowercased()) }
        if let v = env["RECUR_LOG_LEVEL"], !v.isEmpty { c.logLevel = v }
        if let v = env["RECUR_BILLING_INTERVAL"].flatMap(Int.init), v > 0 { c.billingInterval = v }
        if let v = env["RECUR_DUNNING_DAYS"] {
            // Retries end before the shortest cycle (a month) ends, so a renewal never meets an open dunning.
            let days = v.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 > 0 && $0 < 28 }
            if !days.isEmpty { c.dunningRetryDays = days.sorted() }
        }
        return c
    }
}
