import Foundation
public import Hummingbird
public import Logging
public import RecurEngine
import RecurCore
import RecurHTTP
import RecurWeb
public import RecurStore
public import ServiceLifecycle
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The demo API key's secret: printed at start so the README's curl examples work
/// on a demo database. Created only together with the demo data.
public let demoAPIKey = "rk_demo_local_only_do_not_use_in_production"

/// Opens the store a configuration names and applies its migrations.
public func openStore(_ url: String, logger: Logger) async throws -> SQLStore {
    let store: SQLStore
    if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
        store = try await SQLStore.postgres(url: url, logger: logger)
    } else {
        let path = url.hasPrefix("sqlite:") ? String(url.dropFirst(7)) : url
        store = try await SQLStore.sqlite(path: path.isEmpty ? "./recur.sqlite" : path, logger: logger)
    }
    try await store.migrate()
    return store
}

/// Loads the demo catalog, the demo API key and two demo customers into an empty
/// database. Returns true when it did.
@discardableResult
public func loadDemoData(_ service: RecurService) async throws -> Bool {
    guard try await service.seedCatalog(DemoCatalog.make()) else { return false }
    let now = service.clock.now()
    try await service.store.transaction { tx in
        try await tx.insert(APIKeyRecord(id: "key_demo", name: "Demo key", hash: RecurService.hashSecret(demoAPIKey), scope: .admin, created: now))
    }
    let saoMai = try await service.createCustomer(CustomerChanges(name: "Công ty TNHH Sao Mai", taxID: "0312345678", address: "12 Lê Lợi, Quận 1, TP. Hồ Chí Minh",
                                                         country: "VN", currency: "VND", locale: "vi", timeZone: "Asia/Ho_Chi_Minh",
                                                         invoiceEmails: ["ketoan@saomai.example", "giamdoc@saomai.example"],
                                                         contacts: [Contact(name: "Nguyễn Văn An", email: "an@saomai.example", phone: "+84 28 3822 0000", role: "billing")]),
                                         actor: .system)
    let hoshi = try await service.createCustomer(CustomerChanges(name: "Kabushiki Kaisha Hoshi", address: "1-1 Marunouchi, Chiyoda, Tokyo", country: "JP",
                                                         currency: "JPY", locale: "ja", timeZone: "Asia/Tokyo", invoiceEmails: ["keiri@hoshi.example"]),
                                         actor: .system)
    // Portal members: an owner and a billing admin may buy; a plain member only looks (004).
    _ = try await service.addMember(customer: saoMai.id, email: "an@saomai.example", name: "Nguyễn Văn An", role: .owner, actor: .system)
    _ = try await service.addMember(customer: saoMai.id, email: "ketoan@saomai.example", name: "Trần Thị Bích", role: .billingAdmin, actor: .system)
    _ = try await service.addMember(customer: saoMai.id, email: "binh@saomai.example", name: "Lê Văn Bình", role: .member, actor: .system)
    _ = try await service.addMember(customer: hoshi.id, email: "tanaka@hoshi.example", name: "田中 花子", role: .owner, actor: .system)
    // The back office's demo account (printed on its sign-in page on a demo instance only).
    _ = try await service.createStaff(email: DemoStaff.email, name: "Demo Admin", role: .admin, password: DemoStaff.password,
                                      actor: .system)
    return true
}

/// Whether this database holds the demo data (its demo API key, made only with it).
public func isDemoDatabase(_ service: RecurService) async throws -> Bool {
    try await service.store.transaction { tx in try await tx.find(APIKeyRecord.self, id: "key_demo") != nil }
}

/// Posts webhook deliveries with URLSession.
struct URLSessionWebhookTransport: WebhookTransport {
    func post(url: String, headers: [String: String], body: Data) async throws -> Int {
        guard let u = URL(string: url) else { throw URLError(.badURL) }
        var request = URLRequest(url: u, timeoutInterval: 10)
        request.httpMethod = "POST"
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = body
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

/// Moves outbox events to webhook endpoints, once a second, until shutdown.
public struct WebhookDeliveryService: Service {
    let service: RecurService
    let transport: any WebhookTransport
    let logger: Logger

    public init(service: RecurService, transport: (any WebhookTransport)? = nil, logger: Logger) {
        self.service = service
        self.transport = transport ?? URLSessionWebhookTransport()
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await service.dispatchEvents()
                try await service.deliverWebhooks(using: transport)
            } catch {
                logger.warning("webhook delivery: \(error)")
            }
            // A shutdown ends the wait at once (the loop then sees it), not after it.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
    }
}

/// Runs the billing every `interval` seconds while the server runs: renewals, charges,
/// dunning, reminders, expiry, month closes (customers on test clocks move with their clock).
public struct BillingRunService: Service {
    let service: RecurService
    let interval: Int
    let logger: Logger

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await service.runBilling()
                if report.subscriptions > 0 { logger.info("billing run: \(report)") }
            } catch {
                logger.error("billing run failed: \(error)")
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }
}

/// Holds the store open while the server runs and closes it after the server has
/// stopped (services shut down in reverse order, so the HTTP server goes first).
struct StoreLifecycleService: Service {
    let store: SQLStore
    func run() async throws {
        try? await gracefulShutdown()
        try await store.close()
    }
}

/// Builds the whole server for a configuration: store, engine, router, services.
public func buildApplication(_ config: RecurConfiguration, clock: any Clock = SystemClock(),
                             logger: Logger? = nil) async throws -> (app: some ApplicationProtocol, service: RecurService) {
    var logger = logger ?? Logger(label: "recur")
    logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
    let store = try await openStore(config.databaseURL, logger: logger)
    let service = RecurService(store: store, clock: clock, policy: BillingPolicy(dunningRetryDays: config.dunningRetryDays),
                               testMode: config.testMode, payments: config.paymentSettings(), vendor: try config.vendorProfileWithLogo(),
                               documentFonts: config.documentFonts(), logger: logger)
    if config.demo { try await loadDemoData(service) }
    // In sandbox mode the router points the transport at the simulators.
    if !service.payments.sandbox { service.setGatewayTransport(HTTPGatewayTransport()) }
    let router = try buildRouter(service: service)
    // The demo sign-ins only on a database the demo data was loaded into: a real database never
    // lists its customers' members to whoever opens the portal, whatever RECUR_DEMO says.
    let demoDatabase = try await isDemoDatabase(service)
    service.setPartners(try config.partners() ?? (demoDatabase ? Partner.demo : []))
    WebRoutes.register(on: router, service: service,
                       options: WebOptions(demo: config.demo && demoDatabase, secureCookies: service.payments.publicURL.hasPrefix("https://")))
    let app = Application(router: router, configuration: .init(address: .hostname(config.host, port: config.port), serverName: "recur"),
                          services: [StoreLifecycleService(store: store), WebhookDeliveryService(service: service, logger: logger),
                                     MailDispatchService(service: service, mailer: config.mail.mailer(vendor: service.vendor), logger: logger),
                                     BillingRunService(service: service, interval: config.billingInterval, logger: logger)],
                          logger: logger)
    return (app, service)
}
