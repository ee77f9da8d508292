import Foundation
public import RecurCore
public import Logging
import Synchronization
import RecurPayments
public import RecurDocuments

/// Who makes a change: an API key, a staff member, the billing run.
public struct Actor: Sendable, Hashable {
    public var id: String
    public init(_ id: String) { self.id = id }
    public static let system = Actor("system")
}

/// The application: every use case of the API, each a command in one transaction
/// that writes the new state, its audit entries and its outbox events together.
public final class RecurService: Sendable {
    public let store: any Store
    public let clock: any Clock
    /// Dunning, grace and reminder rules of the billing run.
    public let policy: BillingPolicy
    /// Test clocks are refused unless this is set (`recur serve --test-mode`).
    public let testMode: Bool
    let logger: Logger

    /// The payment gateways (sandbox simulators unless configured).
    public let payments: PaymentSettings
    /// How gateway API calls travel; set once the simulators or a network client exist.
    let transport = Mutex<any GatewayTransport>(NoGatewayTransport())

    /// Who issues the documents.
    public let vendor: VendorProfile

    /// The vendor's partners (implementation requests, partner support): none until configured.
    let partnerList = Mutex<[Partner]>([])
    public var partners: [Partner] { partnerList.withLock { $0 } }
    /// Sets the partners (`RECUR_PARTNERS`, or the demo ones on the demo database).
    public func setPartners(_ partners: [Partner]) { partnerList.withLock { $0 = partners } }
    /// The fonts documents are written in (DejaVu Sans, IPA Gothic for Japanese when installed).
    public let documentFonts: DocumentFontConfiguration
    /// The document renderer, loaded from ``documentFonts`` on first use.
    let renderer = Mutex<DocumentRenderer?>(nil)

    public init(store: any Store, clock: any Clock = SystemClock(), policy: BillingPolicy = .standard, testMode: Bool = false,
                payments: PaymentSettings = .sandbox(publicURL: "http://127.0.0.1:8080"), vendor: VendorProfile = .demo,
                documentFonts: DocumentFontConfiguration = DocumentFontConfiguration(), logger: Logger = Logger(label: "recur.engine")) {
        self.payments = payments
        self.vendor = vendor
        self.documentFonts = documentFonts
        self.store = store
        self.clock = clock
        self.policy = policy
        self.testMode = testMode
        self.logger = logger
    }

    static let json: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static func jsonString(_ value: some Encodable) -> String {
        // The billing run's small payloads are written by hand: JSONEncoder costs more than the rest of a renewal.
        if let fast = value as? any JSONWritable {
            var w = JSONWriter()
            fast.writeJSON(&w)
            return w.text
        }
        if let pairs = value as? [String: String] {
            var w = JSONWriter()
            w.object { o in for (k, v) in pairs.sorted(by: { $0.key < $1.key }) { o.field(k, v) } }
            return w.text
        }
        return (try? String(decoding: json.encode(value), as: UTF8.self)) ?? "null"
    }

    /// What one command writes besides its own records.
    public final class CommandLog: @unchecked Sendable {
        let actor: Actor
        let now: Date
        private let lock = NSLock()
        private(set) var audits: [AuditRecord] = []
        private(set) var events: [EventRecord] = []

        init(actor: Actor, now: Date) {
            self.actor = actor
            self.now = now
        }

        /// Records who did what to which target, with the state before and after.
        func audit(_ action: String, target: String, customer: String?, before: (some Encodable)?, after: (some Encodable)?) {
            let beforeJSON = before.map { RecurService.jsonString($0) }
            let afterJSON = after.map { RecurService.jsonString($0) }
            let entry = AuditRecord(id: RecordID.make("aud", at: now), created: now, actor: actor.id, action: action, target: target,
                                    customer: customer, before: beforeJSON, after: afterJSON)
            lock.withLock { audits.append(entry) }
        }

        /// How much has been logged, to undo back to with ``rollback(to:)``.
        func checkpoint() -> (audits: Int, events: Int) { lock.withLock { (audits.count, events.count) } }

        /// Forgets what was logged after `mark` (a part of a batch that failed).
        func rollback(to mark: (audits: Int, events: Int)) {
            lock.withLock {
                audits.removeLast(audits.count - mark.audits)
                events.removeLast(events.count - mark.events)
            }
        }

        /// Queues an outbox event (`customer.created`, `subscription.updated`…).
        func emit(_ type: String, customer: String?, object: some Encodable) {
            let event = EventRecord(id: RecordID.make("evt", at: now), type: type, created: now, customer: customer,
                                    payload: RecurService.jsonString(object))
            lock.withLock { events.append(event) }
        }
    }

    /// Runs a state change: `body` and the audit entries and events it logs commit
    /// together or not at all.
    func command<T: Sendable>(_ actor: Actor, _ body: @escaping @Sendable (any Transaction, CommandLog) async throws -> T) async throws -> T {
        let now = clock.now()
        return try await store.transaction { tx in
            let log = CommandLog(actor: actor, now: now)
            let result = try await body(tx, log)
            for a in log.audits { try await tx.insert(a) }
            for e in log.events { try await tx.insert(e) }
            return result
        }
    }

    /// A read in its own transaction.
    func read<T: Sendable>(_ body: @escaping @Sendable (any Transaction) async throws -> T) async throws -> T {
        try await store.transaction(body)
    }

    /// Today in the customer's time zone.
    func today(for customer: CustomerRecord, at now: Date) -> CivilDate {
        CivilDate(now, in: TimeZone(identifier: customer.timeZone) ?? .gmt)
    }

    /// A page size: 10 by default, 1 to 100.
    /// - throws: `request.invalid` (400) outside that range.
    static func pageLimit(_ limit: Int?) throws -> Int {
        let n = limit ?? 10
        guard (1...100).contains(n) else {
            throw RecurErrors([RecurError(.requestInvalid, field: "limit", "limit is 1 to 100, not \(n)", ["limit": .int(Int64(n))])])
        }
        return n
    }
}
