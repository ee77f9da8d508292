import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RecurApp
import RecurWeb
import RecurCore
import RecurEngine
import RecurStore

/// The `recur` command: `serve`, `migrate`, `api-key`, and the core's `catalog` and
/// `quote` against the demo catalog.
@main
struct Recur: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recur",
        abstract: "Recur — self-hosted subscription commerce and billing.",
        discussion: """
            `recur serve` runs the API on ./recur.sqlite with demo data (no set-up needed); \
            RECUR_DATABASE_URL=postgres://… runs it on PostgreSQL.
            """,
        version: RecurInfo.version,
        subcommands: [Serve.self, Migrate.self, Bill.self, APIKeyCommand.self, CatalogCommand.self, QuoteCommand.self, BenchCommand.self]
    )

    mutating func run() async throws {
        print("recur \(RecurInfo.version)\n")
        print(Recur.helpMessage())
    }
}

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "catalog", abstract: "List the demo catalog: products, plans, prices, add-ons.")

    func run() throws {
        let catalog = DemoCatalog.make()
        for product in catalog.products.values.sorted(by: { $0.id < $1.id }) {
            print("\(product.name) [\(product.id)]\(product.trialDays > 0 ? " — \(product.trialDays)-day trial" : "")")
            for plan in catalog.plans(of: product.id) {
                let pricing = switch plan.pricing {
                case .flat: "flat"
                case .perSeat(let min, let max): "per seat, \(min)–\(max.map(String.init) ?? "∞") seats"
                }
                let prices = plan.isFree ? "free" : plan.prices.map { "\($0.amount)/\($0.cycle)\($0.tier.map { " (\($0))" } ?? "")" }.joined(separator: ", ")
                print("  \(plan.name) [\(plan.id)] — \(pricing)\(plan.isInArrears ? ", in arrears" : ""): \(prices)")
            }
        }
        print("Add-ons:")
        for a in catalog.addOns.values.sorted(by: { $0.id < $1.id }) {
            print("  \(a.name) [\(a.id)]: \(a.prices.map { "\($0.amount)/\($0.cycle)" }.joined(separator: ", "))")
        }
        print("Promotions: \(catalog.promotions.keys.sorted().map(\.rawValue).joined(separator: ", "))")
    }
}

struct QuoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quote",
        abstract: "Price an order against the demo catalog and print the breakdown.",
        discussion: "Example: recur quote --product workspace --plan ws_standard --cycle yearly --seats 10 --add-on storage_10gb=2 --country VN"
    )

    @Option(help: "Product id (see `recur catalog`).") var product: String
    @Option(help: "Plan id.") var plan: String
    @Option(help: "Plan tier, for tiered plans.") var tier: String?
    @Option(help: "Billing cycle: monthly, yearly, 6 months…") var cycle: String = "monthly"
    @Option(help: "Seats, for per-seat plans.") var seats: Int?
    @Option(name: .customLong("add-on"), help: "Add-on as id=quantity; repeatable.") var addOns: [String] = []
    @Option(help: "Promotion code on the plan.") var promotion: String?
    @Option(help: "Promotion code on the invoice.") var invoicePromotion: String?
    @Option(help: "Currency (VND, EUR, MYR, JPY…).") var currency: String = "VND"
    @Option(help: "Customer country for tax (VN, MY, JP, FR).") var country: String = "VN"
    @Option(help: "Order date, YYYY-MM-DD.") var date: String = "2026-01-01"

    func run() throws {
        do {
            let cycle = try BillingCycle(parsing: cycle)
            let currency = try Currency(code: currency)
            let addOnLines = try addOns.map { spec -> Order.AddOnLine in
                let parts = spec.split(separator: "=")
                guard parts.count == 2, let q = Int(parts[1]) else { throw ValidationError("--add-on takes id=quantity, not \(spec)") }
                return Order.AddOnLine(addOn: AddOnID(String(parts[0])), quantity: q)
            }
            let order = Order(items: [.init(product: ProductID(product), plan: PlanID(plan), tier: tier, cycle: cycle, seats: seats,
                                            addOns: addOnLines, promotion: promotion.map { PromotionCode($0) })],
                              invoicePromotion: invoicePromotion.map { PromotionCode($0) }, currency: currency)
            let customer = Customer(id: "cus_cli", country: country, currency: currency)
            let quote = try Checkout(catalog: DemoCatalog.make(), customer: customer).quote(order, on: try CivilDate(iso: date))
            for notice in quote.notices { print("note: \(notice.message)") }
            for line in quote.lines {
                print("\(line.description) × \(line.quantity)  \(line.period?.displayRange ?? "")")
                print("    gross \(line.amount)")
                for d in line.discounts { print("    − \(d.kind.rawValue)\(d.reference.map { " \($0)" } ?? "")\(d.percentage.map { " \($0)" } ?? "") \(d.amount)") }
                print("    net \(line.net)   \(line.taxName ?? "tax") \(line.tax)   total \(line.total)")
            }
            print("subtotal \(quote.totals.subtotal)  discounts \(quote.totals.discount)  tax \(quote.totals.tax)  total \(quote.totals.total)")
            for (id, amount) in quote.recurring.sorted(by: { $0.key < $1.key }) { print("then \(amount) per \(cycle) (\(id))") }
        } catch let e as RecurErrors {
            for error in e.errors { print("error \(error.code)\(error.field.map { " at \($0)" } ?? ""): \(error.message)") }
            throw ExitCode(2)
        } catch let e as RecurError {
            print("error \(e.code)\(e.field.map { " at \($0)" } ?? ""): \(e.message)")
            throw ExitCode(2)
        }
    }
}

/// Options shared by the commands that open the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "sqlite:PATH or postgres://user:pass@host:port/db (env RECUR_DATABASE_URL; default sqlite:./recur.sqlite).")
    var databaseURL: String?

    func configuration() -> RecurConfiguration {
        var c = RecurConfiguration.fromEnvironment()
        if let databaseURL { c.databaseURL = databaseURL }
        return c
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP API (migrates the schema; loads demo data into an empty database).")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Address to listen on (env RECUR_HOST; default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (env RECUR_PORT; default 8080).") var port: Int?
    @Flag(name: .customLong("no-demo"), help: "Do not load the demo data into an empty database (env RECUR_DEMO=0).") var noDemo = false
    @Flag(name: .customLong("test-mode"), help: "Enable test clocks (env RECUR_TEST_MODE=1). Never in production.") var testMode = false

    func run() async throws {
        var config = database.configuration()
        if let host { config.host = host }
        if let port { config.port = port }
        if noDemo { config.demo = false }
        if testMode { config.testMode = true }
        let (app, service) = try await buildApplication(config)
        let base = "http://\(config.host):\(config.port)"
        var banner = """
            Recur \(RecurInfo.version) on \(service.store.kind) (\(config.databaseURL.hasPrefix("postgres") ? "PostgreSQL" : config.databaseURL))
              API       \(base)/v1
              health    \(base)/health
              metrics   \(base)/metrics
              spec      \(base)/openapi.yaml
              e-mail    \(config.mail.smtpHost.map { "smtp://\($0):\(config.mail.port) (\(config.mail.security.rawValue))" } ?? "written to \(config.mail.folder) (no RECUR_SMTP_HOST)")

            """
        if config.demo {
            banner += "  demo key  \(demoAPIKey)   (admin scope; for the demo data only)\n"
            banner += "  try       curl -H 'Authorization: Bearer \(demoAPIKey)' \(base)/v1/plans\n"
            banner += "  portal    \(base)/portal   (demo sign-in: pick a member)\n"
            banner += "  back office \(base)/admin  (\(DemoStaff.email) / \(DemoStaff.password))\n"
        }
        // Written straight to the descriptor so it shows at once, even through a pipe.
        FileHandle.standardOutput.write(Data(banner.utf8))
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the pending database migrations and exit.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let config = database.configuration()
        let store = try await openStore(config.databaseURL, logger: Logger(label: "recur"))
        print("schema up to date on \(store.kind)")
        try await store.close()
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-key", abstract: "Create a secret API key (shown once).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "A name for the key.") var name: String = "API key"
    @Option(help: "read, write or admin.") var scope: String = "write"

    func run() async throws {
        guard let scope = APIKeyRecord.Scope(rawValue: scope) else { throw ValidationError("--scope is read, write or admin") }
        let store = try await openStore(database.configuration().databaseURL, logger: Logger(label: "recur"))
        let (record, secret) = try await RecurService(store: store).createAPIKey(name: name, scope: scope, actor: .system)
        print("\(record.id)  \(scope.rawValue)  \(secret)")
        try await store.close()
    }
}

struct Bill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the billing once: everything due until now (or --until) is renewed, charged, retried, expired or closed.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Bill as of this date (YYYY-MM-DD, 00:00 UTC) instead of now.") var until: String?
    @Option(help: "Subscriptions per transaction.") var batch = 500

    func run() async throws {
        let config = database.configuration()
        let store = try await openStore(config.databaseURL, logger: Logger(label: "recur"))
        let at = try until.map { try CivilDate(iso: $0).startInstant(in: .gmt) } ?? Date()
        let report = try await RecurService(store: store, policy: BillingPolicy(dunningRetryDays: config.dunningRetryDays))
            .runBilling(until: at, batchSize: batch)
        print(report)
        try await store.close()
    }
}
