import ArgumentParser
import Foundation
import RecurCore
import RecurEngine

/// `recur bench …`: throughput and memory, printed — never a timed test.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks: throughput and peak memory.",
        subcommands: [PricingBench.self, CodecBench.self])
}

/// Peak resident memory of this process (VmHWM), in MiB.
func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first { !$0.isEmpty } ?? "") else { return 0 }
    return kb / 1024
}

func measure(_ label: String, count: Int, _ body: () throws -> Void) rethrows {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "%@: %d in %.3f s = %.0f/s (%.2f µs each), peak memory %.1f MiB",
                 label, count, seconds, Double(count) / seconds, seconds * 1e6 / Double(count), peakMemoryMiB()))
}

/// A mix of demo subscriptions: plans, seats, add-ons and cycles.
func demoSubscriptions(_ n: Int, catalog: Catalog) -> [Subscription] {
    let plans: [(ProductID, PlanID)] = [(DemoCatalog.workspace, "ws_starter"), (DemoCatalog.workspace, "ws_standard"),
                                        (DemoCatalog.workspace, "ws_premium"), (DemoCatalog.operationProcess, "op_starter"),
                                        (DemoCatalog.appBuilder, "ab_standard")]
    let anchor = try! CivilDate(2026, 1, 15)
    return (0..<n).map { i in
        let (product, plan) = plans[i % plans.count]
        let cycle: BillingCycle = i % 3 == 0 ? .yearly : .monthly
        let schedule = BillingSchedule(anchor: anchor, cycle: cycle)
        return Subscription(id: SubscriptionID("sub_\(i)"), customer: CustomerID("cus_\(i % 1000)"), product: product, plan: plan,
                            seats: 2 + i % 20, addOns: i % 4 == 0 ? ["storage_10gb": 1 + i % 3] : [:], currency: .vnd,
                            schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: .zero(.vnd))
    }
}

struct PricingBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pricing", abstract: "Renewal pricing in the core, per subscription.")
    @Option(help: "How many subscriptions.") var subscriptions = 100_000

    func run() throws {
        let catalog = DemoCatalog.make()
        let subs = demoSubscriptions(subscriptions, catalog: catalog)
        let renewal = Renewal(catalog: catalog, customer: Customer(id: "cus_bench", country: "VN", currency: .vnd))
        var total: Int64 = 0
        try measure("renewal lines", count: subs.count) {
            for s in subs { total &+= try Totals(lines: renewal.lines(for: s), currency: .vnd).total.minorUnits }
        }
        print("checksum \(total)")
    }
}

struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec", abstract: "JSON encoding and decoding of stored records.")
    @Option(help: "How many records.") var records = 100_000

    func run() throws {
        let catalog = DemoCatalog.make()
        let now = Date()
        let records = demoSubscriptions(records, catalog: catalog).map { SubscriptionRecord(subscription: $0, created: now) }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var blobs: [Data] = []
        blobs.reserveCapacity(records.count)
        try measure("encode subscription", count: records.count) { for r in records { blobs.append(try encoder.encode(r)) } }
        print("average \(blobs.reduce(0) { $0 + $1.count } / blobs.count) bytes")
        var n = 0
        try measure("decode subscription", count: blobs.count) { for b in blobs { n &+= try decoder.decode(SubscriptionRecord.self, from: b).subscription.seats } }
        print("checksum \(n)")
    }
}
