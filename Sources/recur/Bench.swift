import ArgumentParser
import Foundation
import Logging
import RecurApp
import RecurCore
import RecurEngine
import RecurStore

/// `recur bench …`: throughput and memory, printed — never a timed test.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks: throughput and peak memory.",
        subcommands: [BillingBench.self, PricingBench.self, CodecBench.self, InsertsBench.self])
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
    let cpu = processCPUSeconds()
    let machine = MachineCPU.now()
    try body()
    report(label, count: count, since: start, cpu: cpu, machine: machine)
}

func measure(_ label: String, count: Int, _ body: () async throws -> Void) async rethrows {
    let start = ContinuousClock.now
    let cpu = processCPUSeconds()
    let machine = MachineCPU.now()
    try await body()
    report(label, count: count, since: start, cpu: cpu, machine: machine)
}

/// The whole machine's CPU time so far, from Linux's `/proc/stat`: busy (user, nice, system,
/// irq, softirq; a PostgreSQL server's work included) and stolen by other guests, in seconds.
struct MachineCPU {
    var busy: Double
    var steal: Double

    static func now() -> MachineCPU? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal, in clock ticks (USER_HZ).
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return MachineCPU(busy: (ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) / hz, steal: ticks[7] / hz)
    }
}

/// Prints the throughput, and the CPU time this process spent (user and system, all its
/// threads; not a PostgreSQL server's): on a shared machine whose cores are sometimes taken
/// by other guests (steal time), the CPU per item varies much less than the wall time.
/// The machine's busy time is printed too (Linux): with PostgreSQL it includes the server's work.
func report(_ label: String, count: Int, since start: ContinuousClock.Instant, cpu startCPU: Double, machine startMachine: MachineCPU?) {
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let cpu = processCPUSeconds() - startCPU
    var line = String(format: "%@: %d in %.3f s = %.0f/s (%.2f µs each), CPU %.3f s (%.2f µs each), peak memory %.1f MiB",
                      label, count, seconds, Double(count) / seconds, seconds * 1e6 / Double(count), cpu, cpu * 1e6 / Double(count),
                      peakMemoryMiB())
    if let before = startMachine, let after = MachineCPU.now() {
        let busy = after.busy - before.busy
        line += String(format: "; machine busy %.2f s (%.2f µs each), stolen %.2f s", busy, busy * 1e6 / Double(count), after.steal - before.steal)
    }
    print(line)
}

/// User and system CPU seconds of this process so far (`getrusage`).
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Where a bench writes: a new SQLite file in the temporary folder, or an empty PostgreSQL database.
struct BenchStoreOptions: ParsableArguments {
    @Option(help: "sqlite or postgres.") var store = "sqlite"
    @Option(name: .customLong("database-url"), help: "For --store postgres: an empty database's postgres:// URL.") var databaseURL: String?

    /// The store's URL; `name` starts the SQLite file's name.
    func url(name: String) throws -> String {
        switch store {
        case "sqlite": return "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).sqlite").path
        case "postgres":
            guard let databaseURL else { throw ValidationError("--store postgres needs --database-url") }
            return databaseURL
        default: throw ValidationError("--store is sqlite or postgres")
        }
    }
}

/// Removes a bench's SQLite file and its WAL (nothing for PostgreSQL).
func removeBenchDatabase(_ url: String) {
    guard url.hasPrefix("sqlite:") else { return }
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: String(url.dropFirst(7)) + suffix) }
}

/// A mix of demo subscriptions: plans, seats, add-ons and cycles (`sub_<from>` onwards).
func demoSubscriptions(_ n: Int, from first: Int = 0, catalog: Catalog) -> [Subscription] {
    let plans: [(ProductID, PlanID)] = [(DemoCatalog.workspace, "ws_starter"), (DemoCatalog.workspace, "ws_standard"),
                                        (DemoCatalog.workspace, "ws_premium"), (DemoCatalog.operationProcess, "op_starter"),
                                        (DemoCatalog.appBuilder, "ab_standard")]
    let anchor = try! CivilDate(2026, 1, 15)
    return (first..<(first + n)).map { i in
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
        // What the billing run does with its records: its own writer and reader (FastJSON).
        var texts: [String] = []
        texts.reserveCapacity(records.count)
        try measure("write subscription (billing run's writer)", count: records.count) { for r in records { texts.append(r.jsonText()) } }
        try measure("read subscription (billing run's reader)", count: texts.count) {
            for t in texts {
                var reader = JSONReader(t)
                n &+= try SubscriptionRecord(json: &reader).subscription.seats
            }
        }
        let renewal = Renewal(catalog: catalog, customer: Customer(id: "cus_bench", country: "VN", currency: .vnd))
        let invoices = try records.map { r in
            let lines = try renewal.lines(for: r.subscription)
            let totals = try Totals(lines: lines, currency: .vnd)
            return InvoiceRecord(id: "in_\(r.id)", number: "INV-2026-000001", customer: r.subscription.customer.rawValue, subscriptions: [r.id],
                                 status: .paid, currency: .vnd, lines: lines, totals: totals, amountPaid: totals.total,
                                 issueDate: r.subscription.currentPeriod.end, dueDate: r.subscription.currentPeriod.end, created: now,
                                 billingKey: "\(r.id)@\(r.subscription.currentPeriod.end)")
        }
        var bytes = 0
        try measure("write invoice (billing run's writer)", count: invoices.count) { for i in invoices { bytes &+= i.jsonText().utf8.count } }
        print("average \(bytes / invoices.count) bytes; checksum \(n)")
    }
}

struct BillingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "billing",
        abstract: "Create N due subscriptions (a mix of plans, seats, add-ons, cycles), run one billing run, print invoices per second and peak memory.")
    @Option(help: "How many due subscriptions.") var subscriptions = 10_000
    @OptionGroup var storeOptions: BenchStoreOptions
    @Option(help: "Subscriptions per transaction in the run.") var batch = 500
    @Option(help: "Billing workers sharing the run (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one writer).") var workers = 1
    @Flag(help: "SQLite: bill batch after batch, each written before the next is read (to compare with the default, where the next batch is priced while this one is written).")
    var sequential = false
    @Flag(help: "Keep the SQLite database afterwards (its path is printed), to look at what the run wrote.") var keep = false

    func run() async throws {
        let logger = Logger(label: "bench")
        let url = try storeOptions.url(name: "recur-bench")
        let sql = try await openStore(url, logger: logger)
        let anchor = try CivilDate(2026, 1, 15)
        let runAt = try CivilDate(2026, 2, 15).startInstant(in: .gmt)
        let service = RecurService(store: sql, clock: ManualClock(anchor.startInstant(in: .gmt)), logger: logger)
        try await service.seedCatalog(DemoCatalog.make())
        let catalog = DemoCatalog.make()
        let customers = max(1, subscriptions / 10)
        let created = Date()
        print("setting up \(subscriptions) due subscriptions for \(customers) customers on \(sql.kind)…")
        var made = 0
        while made < customers {
            let chunk = min(5_000, customers - made)
            let start = made
            try await sql.transaction { tx in
                for i in start..<(start + chunk) {
                    var c = CustomerRecord(id: "cus_bench_\(i)", created: created, name: "Bench \(i)", country: "VN", currency: .vnd,
                                           invoiceEmails: ["b\(i)@bench.example"])
                    c.paymentMethod = PaymentMethod(number: "4242424242424242")
                    try await tx.insert(c)
                }
            }
            made += chunk
        }
        // Made a chunk at a time: the set-up must not hold N subscriptions in memory during the run.
        var written = 0
        while written < subscriptions {
            let chunk = demoSubscriptions(min(5_000, subscriptions - written), from: written, catalog: catalog)
            try await sql.transaction { tx in
                for var s in chunk {
                    s.customer = CustomerID("cus_bench_\(Int(s.id.rawValue.dropFirst(4))! % customers)")
                    // Every subscription is due on 15/2/2026: monthly ones at their period end,
                    // yearly ones bought a year earlier.
                    if s.cycle == .yearly {
                        s.schedule = BillingSchedule(anchor: try CivilDate(2025, 2, 15), cycle: .yearly)
                        s.currentPeriod = s.schedule.period(0)
                    }
                    try await tx.insert(SubscriptionRecord(subscription: s, created: created, nextBillingAt: runAt))
                }
            }
            written += chunk.count
        }
        let setupPeak = peakMemoryMiB()
        // The run's own peak from here on: Linux resets VmHWM to the current resident size.
        let reset = (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
        print("set-up peak memory \(String(format: "%.1f", setupPeak)) MiB; \(reset ? "peak memory below is the run's own" : "peak memory below includes the set-up")")
        print("running the billing run (batches of \(batch), \(workers) worker\(workers == 1 ? "" : "s"))…")
        var result = BillingReport()
        let batch = self.batch
        let workers = self.workers
        let overlap = !sequential
        await (try measure("billing run on \(sql.kind)", count: subscriptions) {
            result = try await withThrowingTaskGroup(of: BillingReport.self) { group in
                for _ in 0..<workers { group.addTask { try await service.runBilling(until: runAt, batchSize: batch, overlapBatches: overlap) } }
                var total = BillingReport()
                for try await r in group { total.merge(r) }
                // A worker leaves the subscriptions of customers another worker holds; a last pass bills them.
                if workers > 1 { total.merge(try await service.runBilling(until: runAt, batchSize: batch, overlapBatches: overlap)) }
                return total
            }
        })
        print(result)
        try await sql.close()
        if sql.kind == "sqlite", keep { print("kept \(url.dropFirst(7))") } else { removeBenchDatabase(url) }
    }
}

/// `recur bench inserts`: the issue's reference workload on this machine, to calibrate `bench billing` against.
struct InsertsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inserts",
        abstract: "Plain batched inserts of 4 small rows per invoice (an invoice and 3 lines), the issue's reference for the billing target.")
    @Option(help: "How many invoices.") var invoices = 200_000
    @OptionGroup var storeOptions: BenchStoreOptions
    @Option(help: "Invoices per transaction.") var batch = 500

    func run() async throws {
        let logger = Logger(label: "bench")
        let url = try storeOptions.url(name: "recur-inserts")
        let sql = try await openStore(url, logger: logger)
        var written = 0
        try await measure("plain inserts on \(sql.kind), 4 rows per invoice, \(batch) invoices per transaction", count: invoices) {
            written = try await sql.calibrationInserts(invoices: invoices, batch: batch)
        }
        print("\(written) invoices, \(written * 4) rows")
        try await sql.close()
        removeBenchDatabase(url)
    }
}
