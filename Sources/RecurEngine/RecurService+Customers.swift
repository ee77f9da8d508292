import Foundation
public import RecurCore

/// The fields of a customer a request may set; nil leaves a field as it is.
public struct CustomerChanges: Sendable {
    public var name: String?
    public var taxID: String?
    public var address: String?
    public var country: String?
    public var region: String?
    public var currency: String?
    public var locale: String?
    public var timeZone: String?
    public var invoiceEmails: [String]?
    public var contacts: [Contact]?
    public var taxExempt: Bool?
    public var metadata: [String: String]?
    /// The test clock the customer lives on (test mode, at creation only).
    public var testClock: String?

    public init(name: String? = nil, taxID: String? = nil, address: String? = nil, country: String? = nil, region: String? = nil,
                currency: String? = nil, locale: String? = nil, timeZone: String? = nil, invoiceEmails: [String]? = nil,
                contacts: [Contact]? = nil, taxExempt: Bool? = nil, metadata: [String: String]? = nil, testClock: String? = nil) {
        self.name = name
        self.taxID = taxID
        self.address = address
        self.country = country
        self.region = region
        self.currency = currency
        self.locale = locale
        self.timeZone = timeZone
        self.invoiceEmails = invoiceEmails
        self.contacts = contacts
        self.taxExempt = taxExempt
        self.metadata = metadata
        self.testClock = testClock
    }
}

extension RecurService {
    static let locales: Set<String> = ["vi", "en", "fr", "ms", "ja"]

    /// Applies `changes` to `c`, checking every field; all problems are reported together.
    func apply(_ changes: CustomerChanges, to c: inout CustomerRecord, creating: Bool) throws {
        var errors: [RecurError] = []
        if let name = changes.name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { errors.append(RecurError(.customerInvalid, field: "name", "The company name cannot be empty")) }
            c.name = trimmed
        }
        if let country = changes.country {
            let upper = country.uppercased()
            if upper.count != 2 || !upper.allSatisfy({ $0.isASCII && $0.isLetter }) {
                errors.append(RecurError(.customerInvalid, field: "country", "'\(country)' is not an ISO 3166 country code", ["country": .text(country)]))
            }
            c.country = upper
        }
        if let currency = changes.currency {
            if !creating && currency.uppercased() != c.currency.code {
                errors.append(RecurError(.customerInvalid, field: "currency", "A customer's currency cannot change once created"))
            } else {
                do { c.currency = try Currency(code: currency) } catch let e as RecurError { errors.append(e) }
                c.balance = .zero(c.currency)
            }
        }
        if let locale = changes.locale {
            if !Self.locales.contains(locale) {
                errors.append(RecurError(.customerInvalid, field: "locale", "Locale '\(locale)' is not one of vi, en, fr, ms, ja", ["locale": .text(locale)]))
            }
            c.locale = locale
        }
        if let tz = changes.timeZone {
            if TimeZone(identifier: tz) == nil {
                errors.append(RecurError(.customerInvalid, field: "time_zone", "'\(tz)' is not an IANA time zone", ["time_zone": .text(tz)]))
            }
            c.timeZone = tz
        }
        if let emails = changes.invoiceEmails {
            for (i, e) in emails.enumerated() where !Self.isEmail(e) {
                errors.append(RecurError(.customerInvalid, field: "invoice_emails[\(i)]", "'\(e)' is not an e-mail address", ["email": .text(e)]))
            }
            c.invoiceEmails = emails
        }
        if let contacts = changes.contacts {
            for (i, k) in contacts.enumerated() {
                if k.name.trimmingCharacters(in: .whitespaces).isEmpty {
                    errors.append(RecurError(.customerInvalid, field: "contacts[\(i)].name", "A contact needs a name"))
                }
                if let e = k.email, !Self.isEmail(e) {
                    errors.append(RecurError(.customerInvalid, field: "contacts[\(i)].email", "'\(e)' is not an e-mail address", ["email": .text(e)]))
                }
            }
            c.contacts = contacts
        }
        if let v = changes.taxID { c.taxID = v }
        if let v = changes.address { c.address = v }
        if let v = changes.region { c.region = v }
        if let v = changes.taxExempt { c.taxExempt = v }
        if let v = changes.metadata { c.metadata = v }
        if !errors.isEmpty { throw RecurErrors(errors) }
    }

    static func isEmail(_ s: String) -> Bool {
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
            && !s.contains(" ") && s.count <= 254
    }

    public func createCustomer(_ input: CustomerChanges, actor: Actor) async throws -> CustomerRecord {
        let now = clock.now()
        var c = CustomerRecord(id: RecordID.make("cus", at: now), created: now, name: "", currency: .usd)
        var missing: [RecurError] = []
        if input.name == nil { missing.append(RecurError(.requestInvalid, field: "name", "name is required")) }
        if input.currency == nil { missing.append(RecurError(.requestInvalid, field: "currency", "currency is required")) }
        if !missing.isEmpty { throw RecurErrors(missing) }
        try apply(input, to: &c, creating: true)
        if input.testClock != nil { try requireTestMode() }
        c.testClock = input.testClock
        let created = c
        return try await command(actor) { tx, log in
            if let clock = created.testClock, try await tx.find(TestClockRecord.self, id: clock) == nil {
                throw RecurErrors([RecurError(.resourceNotFound, field: "test_clock", "No test clock \(clock)", ["id": .text(clock)])])
            }
            try await tx.insert(created)
            log.audit("customer.created", target: created.id, customer: created.id, before: String?.none, after: created)
            log.emit("customer.created", customer: created.id, object: created)
            return created
        }
    }

    public func updateCustomer(_ id: String, _ changes: CustomerChanges, actor: Actor) async throws -> CustomerRecord {
        try await command(actor) { tx, log in
            let before = try await self.requireCustomer(tx, id)
            var after = before
            try self.apply(changes, to: &after, creating: false)
            try await tx.update(after)
            log.audit("customer.updated", target: id, customer: id, before: before, after: after)
            log.emit("customer.updated", customer: id, object: after)
            return after
        }
    }

    public func customer(_ id: String) async throws -> CustomerRecord {
        try await read { tx in try await self.requireCustomer(tx, id) }
    }

    /// The customer, locked for the rest of the transaction (every write to a customer
    /// or its subscriptions takes this lock first, so they run one after the other).
    func requireCustomer(_ tx: any Transaction, _ id: String) async throws -> CustomerRecord {
        guard let c = try await tx.lock(CustomerRecord.self, id: id) else { throw RecurError.notFound("customer", id) }
        return c
    }

    public func listCustomers(email: String?, limit: Int?, startingAfter: String?) async throws -> Page<CustomerRecord> {
        try await read { tx in
            try await tx.list(CustomerRecord.self, filters: email.map { ["email": .text($0.lowercased())] } ?? [:],
                              limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }

    public func addMember(customer id: String, email: String, name: String?, role: Member.Role, actor: Actor) async throws -> Member {
        guard Self.isEmail(email) else {
            throw RecurErrors([RecurError(.customerInvalid, field: "email", "'\(email)' is not an e-mail address", ["email": .text(email)])])
        }
        return try await command(actor) { tx, log in
            let before = try await self.requireCustomer(tx, id)
            if before.members.contains(where: { $0.email.lowercased() == email.lowercased() }) {
                throw RecurError(.resourceExists, field: "email", "\(email) is already a member", ["email": .text(email)])
            }
            var after = before
            let member = Member(id: RecordID.make("mem", at: log.now), email: email, name: name, role: role)
            after.members.append(member)
            try await tx.update(after)
            log.audit("customer.member_added", target: id, customer: id, before: before.members, after: after.members)
            log.emit("customer.member_added", customer: id, object: member)
            return member
        }
    }

    /// The most a reported usage may be (a billion users, megabytes, minutes…): far above any
    /// real account, and low enough that an in-arrears invoice priced on it cannot overflow.
    public static let maximumUsage: Int64 = 1_000_000_000

    /// Replaces the reported usage of one product (users, storage_mb…).
    public func reportUsage(customer id: String, product: String, quotas: [String: Int64], actor: Actor) async throws -> Usage {
        var errors: [RecurError] = []
        for (q, v) in quotas.sorted(by: { $0.key < $1.key }) where v < 0 || v > Self.maximumUsage {
            errors.append(RecurError(.usageInvalid, field: "quotas.\(q)",
                                     v < 0 ? "Usage of \(q) cannot be negative (\(v))" : "Usage of \(q) is at most \(Self.maximumUsage) (\(v))",
                                     ["usage": .int(v), "maximum": .int(Self.maximumUsage)]))
        }
        if !errors.isEmpty { throw RecurErrors(errors) }
        return try await command(actor) { tx, log in
            let catalog = try await self.loadCatalog(tx)
            _ = try catalog.product(ProductID(product), field: "product")
            let before = try await self.requireCustomer(tx, id)
            var after = before
            var usage = before.usage[product] ?? Usage()
            for (q, v) in quotas { usage.values[Quota(rawValue: q)] = v }
            after.usage[product] = usage
            if let users = quotas[Quota.users.rawValue] {
                var peaks = after.peakUsers ?? [:]
                peaks[product] = max(peaks[product] ?? 0, users)
                after.peakUsers = peaks
            }
            try await tx.update(after)
            log.audit("usage.reported", target: id, customer: id, before: before.usage[product], after: usage)
            log.emit("usage.reported", customer: id, object: ["product": product])
            return usage
        }
    }

    /// What the customer may use today: its test clock's day when it has one, as the billing run sees it.
    public func entitlements(customer id: String) async throws -> Entitlements {
        let now = clock.now()
        return try await read { tx in
            let c = try await self.requireCustomer(tx, id)
            let catalog = try await self.loadCatalog(tx)
            let subs = try await tx.all(SubscriptionRecord.self, filters: ["customer_id": .text(id)]).map(\.subscription)
            return Entitlements(catalog: catalog, subscriptions: subs, usage: c.usageByProduct, on: try await self.day(nil, for: c, tx, default: now))
        }
    }

    public func audit(customer: String?, target: String?, limit: Int?, startingAfter: String?) async throws -> Page<AuditRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let customer {
                _ = try await self.requireCustomer(tx, customer)
                filters["customer_id"] = .text(customer)
            }
            if let target { filters["target"] = .text(target) }
            return try await tx.list(AuditRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }
}
