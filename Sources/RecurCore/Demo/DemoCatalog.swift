/// The demo catalog, modelled on the requirement documents: 001's three solutions
/// (Digital Workspace, Operation Process, App Builder) with Free / Starter /
/// Standard / Premium plans, four add-ons, the 20 % yearly discount and the
/// three-solution bundle; 000's meeting-translation service with its Small plan in
/// 300 / 600 / 1500-minute tiers, Premium, and the sales-led Enterprise plan billed
/// in arrears with at least 50 users; 004's multi-cycle e-mail package; promotions
/// at each level; VAT for Vietnam, Malaysia, Japan and France.
///
/// Prices are illustrative; the rules are the documents'. `recur serve` loads it
/// into an empty database, and the tests use it as their fixture.
public enum DemoCatalog {
    public static let workspace: ProductID = "workspace"
    public static let operationProcess: ProductID = "operation_process"
    public static let appBuilder: ProductID = "app_builder"
    public static let meeting: ProductID = "meeting"
    public static let email: ProductID = "sme_email"

    public static func make() -> Catalog {
        // The demo data is a constant: a failure here is a bug caught by the tests.
        try! build()
    }

    static func vnd(_ v: Int64) -> Money { Money(minorUnits: v, currency: .vnd) }
    static func eur(_ cents: Int64) -> Money { Money(minorUnits: cents, currency: .eur) }
    static func myr(_ sen: Int64) -> Money { Money(minorUnits: sen, currency: .myr) }
    static func jpy(_ v: Int64) -> Money { Money(minorUnits: v, currency: .jpy) }

    static func build() throws -> Catalog {
        let products = [
            Product(id: workspace, name: "Digital Workspace", trialDays: 30, trialEnd: .downgrade(to: "ws_free")),
            Product(id: operationProcess, name: "Operation Process", trialDays: 30, trialEnd: .lock),
            Product(id: appBuilder, name: "App Builder", trialDays: 30, trialEnd: .lock),
            Product(id: meeting, name: "Meeting Translation", upgradeTerm: .newTerm),
            Product(id: email, name: "SME E-mail"),
        ]
        let gb: Int64 = 1024
        func seatPrices(_ v: Int64, _ e: Int64, _ m: Int64) -> [Price] {
            [Price(.monthly, vnd(v)), Price(.monthly, eur(e)), Price(.monthly, myr(m))]
        }
        var plans = [
            Plan(id: "ws_free", product: workspace, name: "Free", rank: 0, pricing: .perSeat(minimum: 1, maximum: 5),
                 limits: Limits([.storageMB: .finite(5 * gb), .documents: .finite(100), .emailsPerMonth: .finite(500)]),
                 isFree: true, softQuotas: [.storageMB]),
            Plan(id: "ws_starter", product: workspace, name: "Starter", rank: 1, pricing: .perSeat(minimum: 2, maximum: 500),
                 prices: seatPrices(60_000, 300, 1_200),
                 limits: Limits([.storageMB: .finite(50 * gb), .documents: .finite(1_000), .automationRuns: .finite(1_000),
                                 .dataRecords: .finite(10_000), .emailsPerMonth: .finite(5_000), .businessToolsUsers: .finite(5)],
                                features: [.support])),
            Plan(id: "ws_standard", product: workspace, name: "Standard", rank: 2, pricing: .perSeat(minimum: 2, maximum: 500),
                 prices: seatPrices(90_000, 450, 1_800),
                 limits: Limits([.storageMB: .finite(200 * gb), .documents: .finite(5_000), .automationRuns: .finite(5_000),
                                 .dataRecords: .finite(50_000), .emailsPerMonth: .finite(20_000), .businessToolsUsers: .finite(25)],
                                features: [.support, .customDomain])),
            Plan(id: "ws_premium", product: workspace, name: "Premium", rank: 3, pricing: .perSeat(minimum: 2, maximum: nil),
                 prices: seatPrices(150_000, 750, 3_000),
                 limits: Limits([.storageMB: .finite(1_024 * gb), .documents: .unlimited, .automationRuns: .finite(20_000),
                                 .dataRecords: .finite(200_000), .emailsPerMonth: .unlimited, .businessToolsUsers: .unlimited],
                                features: [.support, .customDomain, .sso, .apiAccess])),
            Plan(id: "op_starter", product: operationProcess, name: "Starter", rank: 1, pricing: .perSeat(minimum: 2, maximum: nil),
                 prices: seatPrices(40_000, 200, 800),
                 limits: Limits([.automationRuns: .finite(2_000), .dataRecords: .finite(20_000)])),
            Plan(id: "op_standard", product: operationProcess, name: "Standard", rank: 2, pricing: .perSeat(minimum: 2, maximum: nil),
                 prices: seatPrices(70_000, 350, 1_400),
                 limits: Limits([.automationRuns: .finite(10_000), .dataRecords: .finite(100_000)], features: [.apiAccess])),
            Plan(id: "ab_starter", product: appBuilder, name: "Starter", rank: 1, pricing: .perSeat(minimum: 2, maximum: nil),
                 prices: seatPrices(50_000, 250, 1_000),
                 limits: Limits([.dataRecords: .finite(20_000)])),
            Plan(id: "ab_standard", product: appBuilder, name: "Standard", rank: 2, pricing: .perSeat(minimum: 2, maximum: nil),
                 prices: seatPrices(80_000, 400, 1_600),
                 limits: Limits([.dataRecords: .finite(100_000)], features: [.apiAccess])),
            Plan(id: "meeting_small", product: meeting, name: "Small", rank: 1,
                 prices: [Price(.monthly, jpy(30_000), tier: "300"), Price(.yearly, jpy(360_000), tier: "300"),
                          Price(.monthly, jpy(55_000), tier: "600"), Price(.yearly, jpy(660_000), tier: "600"),
                          Price(.monthly, jpy(120_000), tier: "1500"), Price(.yearly, jpy(1_440_000), tier: "1500")],
                 limits: Limits([.users: .finite(10)]),
                 tiers: [Plan.Tier(id: "300", name: "300 minutes", limits: Limits([.minutes: .finite(300)])),
                         Plan.Tier(id: "600", name: "600 minutes", limits: Limits([.minutes: .finite(600)])),
                         Plan.Tier(id: "1500", name: "1500 minutes", limits: Limits([.minutes: .finite(1_500)]))]),
            Plan(id: "meeting_premium", product: meeting, name: "Premium", rank: 2,
                 prices: [Price(.monthly, jpy(200_000)), Price(.yearly, jpy(2_400_000))],
                 limits: Limits([.users: .finite(30), .minutes: .finite(3_000)], features: [.support])),
            Plan(id: "meeting_enterprise", product: meeting, name: "Enterprise", rank: 3, pricing: .perSeat(minimum: 50, maximum: nil),
                 timing: .inArrears(.peak), prices: [Price(.monthly, jpy(3_000))],
                 limits: Limits([.minutes: .unlimited], features: [.support, .sso]), selfService: false),
            Plan(id: "email_basic", product: email, name: "Basic", rank: 1,
                 prices: [Price(.monthly, vnd(100_000)), Price(.halfYearly, vnd(540_000)), Price(.yearly, vnd(960_000))],
                 limits: Limits([.emailsPerMonth: .finite(10_000), .storageMB: .finite(10 * gb)])),
        ]
        // 000: Small and Premium are bought in the app, or under a contract of 6 months or more.
        for i in plans.indices where ["meeting_small", "meeting_premium"].contains(plans[i].id.rawValue) { plans[i].contracts = true }
        let cleeksy: Set<ProductID> = [workspace, operationProcess, appBuilder]
        let addOns = [
            AddOn(id: "storage_10gb", name: "Extra storage 10 GB", prices: [Price(.monthly, vnd(50_000)), Price(.monthly, eur(250)), Price(.monthly, myr(1_000))],
                  grants: [.storageMB: 10 * gb], products: cleeksy),
            AddOn(id: "docs_100", name: "Cleeksy Docs ×100", prices: [Price(.monthly, vnd(30_000)), Price(.monthly, eur(150)), Price(.monthly, myr(600))],
                  grants: [.documents: 100], products: cleeksy),
            AddOn(id: "automation_1000", name: "Automation runs ×1000", prices: [Price(.monthly, vnd(40_000)), Price(.monthly, eur(200)), Price(.monthly, myr(800))],
                  grants: [.automationRuns: 1_000], products: cleeksy),
            AddOn(id: "records_10000", name: "Data records ×10,000", prices: [Price(.monthly, vnd(40_000)), Price(.monthly, eur(200)), Price(.monthly, myr(800))],
                  grants: [.dataRecords: 10_000], products: cleeksy),
        ]
        let dependencies = [
            Dependency(dependent: operationProcess, base: workspace, minimumBasePlan: "ws_starter", autoAddBasePlan: "ws_starter",
                       seatRule: .equal, cycleConflict: .switchBase),
            Dependency(dependent: appBuilder, base: workspace, minimumBasePlan: "ws_starter", autoAddBasePlan: nil,
                       seatRule: .atMost, cycleConflict: .refuse),
        ]
        let bundles = [
            ProductBundle(id: "cleeksy_suite", name: "Cleeksy suite", products: cleeksy, discount: Percentage(percent: 10), allowedCycles: [.yearly]),
        ]
        let promotions = [
            Promotion(code: "WELCOME10", name: "10 % off your first plan", discount: .percent(Percentage(percent: 10)), scope: .plan,
                      eligibility: .init(firstPurchaseOnly: true), duration: .once),
            Promotion(code: "STORAGE50", name: "Half-price extra storage for 3 cycles", discount: .percent(Percentage(percent: 50)),
                      scope: .addOn, eligibility: .init(addOns: ["storage_10gb"]), duration: .cycles(3)),
            Promotion(code: "INVOICE100K", name: "100,000 ₫ off the invoice", discount: .fixed(vnd(100_000)), scope: .invoice,
                      validThrough: try CivilDate(2027, 12, 31), redemptionLimit: 1_000),
        ]
        let taxRates = [
            TaxRate(country: "VN", name: "VAT", rate: Percentage(percent: 10)),
            TaxRate(country: "MY", name: "SST", rate: Percentage(percent: 8)),
            TaxRate(country: "JP", name: "Consumption tax", rate: Percentage(percent: 10), inclusive: true),
            TaxRate(country: "FR", name: "TVA", rate: Percentage(percent: 20)),
        ]
        // 002's phone balance, bought in blocks; 000's event plan, sold per hour of interpretation under a contract.
        let charges = [
            Charge(id: "phone_credit", name: "Phone credit", prices: [vnd(100_000), eur(500), myr(2_000), jpy(1_000)],
                   topUp: "phone_credit", maximumQuantity: 50),
            Charge(id: "event_interpretation", name: "Simultaneous interpretation for one event (per hour)",
                   prices: [vnd(6_000_000), eur(25_000), myr(100_000), jpy(30_000)], salesLed: true, maximumQuantity: 24),
        ]
        return try Catalog(products: products, plans: plans, addOns: addOns, dependencies: dependencies, bundles: bundles,
                           cycleDiscounts: [.yearly: Percentage(percent: 20)], promotions: promotions, taxRates: taxRates,
                           charges: charges)
    }
}
