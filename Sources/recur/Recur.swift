import ArgumentParser
import RecurCore

/// The `recur` command. `serve`, `migrate`, `bill` and `bench` arrive with their
/// issues; for now it shows the demo catalog and prices orders against it.
@main
struct Recur: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recur",
        abstract: "Recur — self-hosted subscription commerce and billing.",
        discussion: """
            The pricing and subscription core is in place: `recur catalog` lists the demo \
            catalog and `recur quote` prices an order against it. `recur serve` comes with the HTTP API.
            """,
        version: RecurCore.version,
        subcommands: [CatalogCommand.self, QuoteCommand.self]
    )

    mutating func run() throws {
        print("recur \(RecurCore.version)\n")
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
