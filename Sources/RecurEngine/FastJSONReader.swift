public import Foundation
public import RecurCore

/// A record that reads its own JSON, faster than `JSONDecoder`: the billing run reads
/// every due subscription. It reads what ``FastJSONRecord`` and `JSONEncoder` write
/// (keys in any order, absent or null optionals nil). Any surprise — an unknown key
/// above all, which a record written back would otherwise lose — throws, and the store
/// then decodes the same text with `JSONDecoder`, so the fast path can be wrong only by
/// being slow.
public protocol FastJSONDecodable {
    init(json: inout JSONReader) throws
}

/// What ``JSONReader`` throws; the store falls back to `JSONDecoder`, which names the problem.
public struct JSONReaderError: Error, Sendable {
    public let offset: Int
}

/// A cursor over JSON text (RFC 8259) for hand-written decoders.
public struct JSONReader {
    private let bytes: [UInt8]
    private var i = 0

    public init(_ text: String) { bytes = Array(text.utf8) }

    private func fail() -> JSONReaderError { JSONReaderError(offset: i) }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func expect(_ c: UInt8) throws {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { throw fail() }
        i += 1
    }

    /// Consumes `null` if it comes next.
    public mutating func null() -> Bool {
        skipSpace()
        if i + 4 <= bytes.count, bytes[i] == UInt8(ascii: "n"), bytes[i + 1] == UInt8(ascii: "u"), bytes[i + 2] == UInt8(ascii: "l"),
           bytes[i + 3] == UInt8(ascii: "l") {
            i += 4
            return true
        }
        return false
    }

    /// Calls `body` with each key of an object; `body` must read (or ``skip()``) its value.
    public mutating func object(_ body: (inout JSONReader, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            let key = try string()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            skipSpace()
            guard i < bytes.count else { throw fail() }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            throw fail()
        }
    }

    /// Calls `body` for each element of an array; `body` must read one value.
    public mutating func array(_ body: (inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return
        }
        while true {
            try body(&self)
            skipSpace()
            guard i < bytes.count else { throw fail() }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return
            }
            throw fail()
        }
    }

    public mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") {
            guard bytes[i] >= 0x20 else { throw fail() }
            i += 1
        }
        guard i < bytes.count else { throw fail() }
        if bytes[i] == UInt8(ascii: "\"") {
            defer { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw fail() }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard i + 2 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { throw fail() }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail() }
                    out.append(contentsOf: String(Character(u)).utf8)
                default: throw fail()
                }
            case 0..<0x20: throw fail()
            default: out.append(b)
            }
        }
        throw fail()
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail()
            }
        }
        return v
    }

    /// An integer; a fraction or exponent is a surprise (our integers are written plainly).
    public mutating func int() throws -> Int64 {
        skipSpace()
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        let start = i
        var v: Int64 = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - UInt8(ascii: "0")))
            guard !o1, !o2 else { throw fail() }
            v = a
            i += 1
        }
        guard i > start else { throw fail() }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") { throw fail() }
        return negative ? -v : v
    }

    public mutating func bool() throws -> Bool {
        skipSpace()
        if i + 4 <= bytes.count, bytes[i] == UInt8(ascii: "t"), bytes[i + 1] == UInt8(ascii: "r"), bytes[i + 2] == UInt8(ascii: "u"),
           bytes[i + 3] == UInt8(ascii: "e") {
            i += 4
            return true
        }
        if i + 5 <= bytes.count, bytes[i] == UInt8(ascii: "f"), bytes[i + 1] == UInt8(ascii: "a"), bytes[i + 2] == UInt8(ascii: "l"),
           bytes[i + 3] == UInt8(ascii: "s"), bytes[i + 4] == UInt8(ascii: "e") {
            i += 5
            return false
        }
        throw fail()
    }

    /// Skips one value of any kind.
    public mutating func skip() throws {
        skipSpace()
        guard i < bytes.count else { throw fail() }
        switch bytes[i] {
        case UInt8(ascii: "{"): try object { r, _ in try r.skip() }
        case UInt8(ascii: "["): try array { r in try r.skip() }
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): if !null() { throw fail() }
        default:
            let start = i
            while i < bytes.count, "+-.0123456789eE".utf8.contains(bytes[i]) { i += 1 }
            guard i > start else { throw fail() }
        }
    }

    /// Nothing but white space may follow the value.
    public mutating func end() throws {
        skipSpace()
        guard i == bytes.count else { throw fail() }
    }

    // MARK: Recur's value types, as their Codable conformances write them

    /// `"YYYY-MM-DD"`, read in place (dates are most of a subscription).
    public mutating func civilDate() throws -> CivilDate {
        skipSpace()
        if i + 12 <= bytes.count, bytes[i] == UInt8(ascii: "\""), bytes[i + 5] == UInt8(ascii: "-"), bytes[i + 8] == UInt8(ascii: "-"),
           bytes[i + 11] == UInt8(ascii: "\"") {
            func num(_ r: Range<Int>) -> Int? {
                var v = 0
                for k in r {
                    guard bytes[k] >= 48, bytes[k] <= 57 else { return nil }
                    v = v * 10 + Int(bytes[k] - 48)
                }
                return v
            }
            if let y = num(i + 1..<i + 5), let m = num(i + 6..<i + 8), let d = num(i + 9..<i + 11) {
                i += 12
                return try CivilDate(y, m, d)
            }
        }
        return try CivilDate(iso: string())
    }

    public mutating func money() throws -> Money {
        var currency: Currency?
        var minor: Int64?
        try object { r, key in
            switch key {
            case "currency": currency = try Currency(code: r.string())
            case "minorUnits": minor = try r.int()
            default: throw JSONReaderError(offset: -1)
            }
        }
        guard let currency, let minor else { throw fail() }
        return Money(minorUnits: minor, currency: currency)
    }

    public mutating func period() throws -> Period {
        var start: CivilDate?
        var end: CivilDate?
        try object { r, key in
            switch key {
            case "start": start = try r.civilDate()
            case "end": end = try r.civilDate()
            default: throw JSONReaderError(offset: -1)
            }
        }
        guard let start, let end else { throw fail() }
        return try Period(start: start, end: end)
    }

    /// `2026-01-15T00:00:00Z`, as `JSONEncoder`'s `.iso8601` writes it; anything else
    /// (fractions, offsets) is a surprise.
    public mutating func date() throws -> Date {
        skipSpace()
        // `"2026-01-15T00:00:00Z"` read in place, without making a String (dates are in every record).
        if i + 22 <= bytes.count, bytes[i] == UInt8(ascii: "\""), bytes[i + 21] == UInt8(ascii: "\""), bytes[i + 5] == UInt8(ascii: "-"),
           bytes[i + 8] == UInt8(ascii: "-"), bytes[i + 11] == UInt8(ascii: "T"), bytes[i + 14] == UInt8(ascii: ":"),
           bytes[i + 17] == UInt8(ascii: ":"), bytes[i + 20] == UInt8(ascii: "Z") {
            func num(_ from: Int, _ count: Int) -> Int? {
                var v = 0
                for k in from..<from + count {
                    guard bytes[k] >= 48, bytes[k] <= 57 else { return nil }
                    v = v * 10 + Int(bytes[k] - 48)
                }
                return v
            }
            if let y = num(i + 1, 4), let mo = num(i + 6, 2), let d = num(i + 9, 2), let h = num(i + 12, 2), let m = num(i + 15, 2),
               let sec = num(i + 18, 2) {
                guard h < 24, m < 60, sec < 60 else { throw fail() }
                let day = try CivilDate(y, mo, d)
                i += 22
                return Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 + h * 3600 + m * 60 + sec))
            }
        }
        let s = try string()
        let u = Array(s.utf8)
        guard u.count == 20, u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"), u[19] == UInt8(ascii: "Z") else {
            throw fail()
        }
        func num(_ r: Range<Int>) throws -> Int {
            var v = 0
            for k in r {
                guard u[k] >= 48, u[k] <= 57 else { throw fail() }
                v = v * 10 + Int(u[k] - 48)
            }
            return v
        }
        let day = try CivilDate(iso: String(decoding: u[0..<10], as: UTF8.self))
        let (h, m, sec) = (try num(11..<13), try num(14..<16), try num(17..<19))
        guard h < 24, m < 60, sec < 60 else { throw fail() }
        return Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 + h * 3600 + m * 60 + sec))
    }

    /// A dictionary whose keys are not strings, as `JSONEncoder` writes it: alternating keys and values.
    public mutating func addOns() throws -> [AddOnID: Int] {
        var out: [AddOnID: Int] = [:]
        var key: AddOnID?
        try array { r in
            if let k = key {
                out[k] = Int(try r.int())
                key = nil
            } else {
                key = AddOnID(try r.string())
            }
        }
        guard key == nil else { throw fail() }
        return out
    }
}

extension SubscriptionRecord: FastJSONDecodable {
    public init(json r: inout JSONReader) throws {
        var subscription: Subscription?
        var created: Date?
        var seats: [SeatAssignment] = []
        var collection: Collection?
        var next: Date?
        try r.object { r, key in
            switch key {
            case "subscription": subscription = try Subscription(json: &r)
            case "created": created = try r.date()
            case "seatAssignments":
                try r.array { r in
                    var email: String?
                    var name: String?
                    var tools: Bool?
                    try r.object { r, key in
                        switch key {
                        case "email": email = try r.string()
                        case "name": name = r.null() ? nil : try r.string()
                        case "businessTools": tools = try r.bool()
                        default: throw JSONReaderError(offset: -1)
                        }
                    }
                    guard let email, let tools else { throw JSONReaderError(offset: -1) }
                    seats.append(SeatAssignment(email: email, name: name, businessTools: tools))
                }
            case "collection":
                if r.null() { break }
                var c = Collection()
                var failed: Int?
                var reminders: Set<String>?
                try r.object { r, key in
                    switch key {
                    case "openInvoice": c.openInvoice = r.null() ? nil : try r.string()
                    case "openSince": c.openSince = r.null() ? nil : try r.civilDate()
                    case "failedCharges": failed = Int(try r.int())
                    case "expiredOn": c.expiredOn = r.null() ? nil : try r.civilDate()
                    case "remindersSent":
                        var set = Set<String>()
                        try r.array { r in set.insert(try r.string()) }
                        reminders = set
                    default: throw JSONReaderError(offset: -1)
                    }
                }
                guard let failed, let reminders else { throw JSONReaderError(offset: -1) }
                c.failedCharges = failed
                c.remindersSent = reminders
                collection = c
            case "nextBillingAt": next = r.null() ? nil : try r.date()
            default: throw JSONReaderError(offset: -1)
            }
        }
        guard let subscription, let created else { throw JSONReaderError(offset: -1) }
        self.init(subscription: subscription, created: created, seatAssignments: seats, collection: collection, nextBillingAt: next)
    }
}

extension Subscription {
    init(json r: inout JSONReader) throws {
        var id: String?, customer: String?, product: String?, plan: String?, tier: String?, seats: Int?
        var addOns: [AddOnID: Int]?, currency: Currency?, schedule: BillingSchedule?, period: Period?, status: Status?
        var trialEnd: CivilDate?, renewal: RenewalMode?, cancel: Bool?, change: ScheduledChange?, discounts: [Discount]?
        var bundle: String?, paid: Money?, startedOn: CivilDate?
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "customer": customer = try r.string()
            case "product": product = try r.string()
            case "plan": plan = try r.string()
            case "tier": tier = r.null() ? nil : try r.string()
            case "seats": seats = Int(try r.int())
            case "addOns": addOns = try r.addOns()
            case "currency": currency = try Currency(code: r.string())
            case "schedule":
                var anchor: CivilDate?, cycle: BillingCycle?
                try r.object { r, key in
                    switch key {
                    case "anchor": anchor = try r.civilDate()
                    case "cycle": cycle = try BillingCycle(months: Int(r.int()))
                    default: throw JSONReaderError(offset: -1)
                    }
                }
                guard let anchor, let cycle else { throw JSONReaderError(offset: -1) }
                schedule = BillingSchedule(anchor: anchor, cycle: cycle)
            case "currentPeriod": period = try r.period()
            case "status":
                guard let s = Status(rawValue: try r.string()) else { throw JSONReaderError(offset: -1) }
                status = s
            case "trialEnd": trialEnd = r.null() ? nil : try r.civilDate()
            case "renewalMode":
                guard let m = RenewalMode(rawValue: try r.string()) else { throw JSONReaderError(offset: -1) }
                renewal = m
            case "cancelAtPeriodEnd": cancel = try r.bool()
            case "scheduledChange":
                if r.null() { break }
                var plan: String?, tier: String?, seats: Int?, addOns: [AddOnID: Int]?, cycle: BillingCycle?
                try r.object { r, key in
                    switch key {
                    case "plan": plan = try r.string()
                    case "tier": tier = r.null() ? nil : try r.string()
                    case "seats": seats = Int(try r.int())
                    case "addOns": addOns = try r.addOns()
                    case "cycle": cycle = try BillingCycle(months: Int(r.int()))
                    default: throw JSONReaderError(offset: -1)
                    }
                }
                guard let plan, let seats, let addOns, let cycle else { throw JSONReaderError(offset: -1) }
                change = ScheduledChange(plan: PlanID(plan), tier: tier, seats: seats, addOns: addOns, cycle: cycle)
            case "discounts":
                var list: [Discount] = []
                try r.array { r in
                    var promotion: String?, addOn: String?, remaining: Int?
                    try r.object { r, key in
                        switch key {
                        case "promotion": promotion = try r.string()
                        case "addOn": addOn = r.null() ? nil : try r.string()
                        case "remainingCycles": remaining = r.null() ? nil : Int(try r.int())
                        default: throw JSONReaderError(offset: -1)
                        }
                    }
                    guard let promotion else { throw JSONReaderError(offset: -1) }
                    list.append(Discount(promotion: PromotionCode(promotion), addOn: addOn.map { AddOnID($0) }, remainingCycles: remaining))
                }
                discounts = list
            case "bundle": bundle = r.null() ? nil : try r.string()
            case "paidForPeriod": paid = try r.money()
            case "startedOn": startedOn = try r.civilDate()
            default: throw JSONReaderError(offset: -1)
            }
        }
        guard let id, let customer, let product, let plan, let seats, let addOns, let currency, let schedule, let period, let status,
              let renewal, let cancel, let discounts, let paid, let startedOn else { throw JSONReaderError(offset: -1) }
        self.init(id: SubscriptionID(id), customer: CustomerID(customer), product: ProductID(product), plan: PlanID(plan), tier: tier,
                  seats: seats, addOns: addOns, currency: currency, schedule: schedule, currentPeriod: period, status: status,
                  trialEnd: trialEnd, renewalMode: renewal, cancelAtPeriodEnd: cancel, scheduledChange: change, discounts: discounts,
                  bundle: bundle.map { BundleID($0) }, paidForPeriod: paid, startedOn: startedOn)
    }
}

extension CustomerRecord: FastJSONDecodable {
    public init(json r: inout JSONReader) throws {
        var id: String?, created: Date?, name: String?, taxID: String?, address: String?, country: String?, region: String?
        var currency: Currency?, locale: String?, timeZone: String?, emails: [String]?, contacts: [Contact]?, taxExempt: Bool?
        var metadata: [String: String]?, balance: Money?, hasPurchased: Bool?, members: [Member]?, usage: [String: Usage]?
        var testClock: String?, method: PaymentMethod?, peak: [String: Int64]?
        func optionalString(_ r: inout JSONReader) throws -> String? { r.null() ? nil : try r.string() }
        try r.object { r, key in
            switch key {
            case "id": id = try r.string()
            case "created": created = try r.date()
            case "name": name = try r.string()
            case "taxID": taxID = try optionalString(&r)
            case "address": address = try optionalString(&r)
            case "country": country = try optionalString(&r)
            case "region": region = try optionalString(&r)
            case "currency": currency = try Currency(code: r.string())
            case "locale": locale = try r.string()
            case "timeZone": timeZone = try r.string()
            case "invoiceEmails":
                var list: [String] = []
                try r.array { r in list.append(try r.string()) }
                emails = list
            case "contacts":
                var list: [Contact] = []
                try r.array { r in
                    var c = Contact(name: "")
                    var named = false
                    try r.object { r, key in
                        switch key {
                        case "name": c.name = try r.string(); named = true
                        case "email": c.email = try optionalString(&r)
                        case "phone": c.phone = try optionalString(&r)
                        case "role": c.role = try optionalString(&r)
                        default: throw JSONReaderError(offset: -1)
                        }
                    }
                    guard named else { throw JSONReaderError(offset: -1) }
                    list.append(c)
                }
                contacts = list
            case "taxExempt": taxExempt = try r.bool()
            case "metadata":
                var m: [String: String] = [:]
                try r.object { r, key in m[key] = try r.string() }
                metadata = m
            case "balance": balance = try r.money()
            case "hasPurchased": hasPurchased = try r.bool()
            case "members":
                var list: [Member] = []
                try r.array { r in
                    var id: String?, email: String?, name: String?, role: Member.Role?
                    try r.object { r, key in
                        switch key {
                        case "id": id = try r.string()
                        case "email": email = try r.string()
                        case "name": name = try optionalString(&r)
                        case "role": role = Member.Role(rawValue: try r.string())
                        default: throw JSONReaderError(offset: -1)
                        }
                    }
                    guard let id, let email, let role else { throw JSONReaderError(offset: -1) }
                    list.append(Member(id: id, email: email, name: name, role: role))
                }
                members = list
            case "usage":
                var u: [String: Usage] = [:]
                try r.object { r, product in
                    var values: [Quota: Int64]?
                    try r.object { r, key in
                        guard key == "values" else { throw JSONReaderError(offset: -1) }
                        // `[Quota: Int64]` is written as alternating keys and values.
                        var v: [Quota: Int64] = [:]
                        var pending: Quota?
                        try r.array { r in
                            if let q = pending {
                                v[q] = try r.int()
                                pending = nil
                            } else {
                                pending = Quota(rawValue: try r.string())
                            }
                        }
                        guard pending == nil else { throw JSONReaderError(offset: -1) }
                        values = v
                    }
                    guard let values else { throw JSONReaderError(offset: -1) }
                    u[product] = Usage(values)
                }
                usage = u
            case "testClock": testClock = try optionalString(&r)
            case "paymentMethod":
                if r.null() { break }
                var kind: String?, last4: String?, number: String?, gatewayCustomer: String?, gatewayMethod: String?
                try r.object { r, key in
                    switch key {
                    case "kind": kind = try r.string()
                    case "last4": last4 = try r.string()
                    case "number": number = try optionalString(&r)
                    case "gatewayCustomer": gatewayCustomer = try optionalString(&r)
                    case "gatewayMethod": gatewayMethod = try optionalString(&r)
                    // A field this reader does not know must not be dropped: let JSONDecoder read the record.
                    default: throw JSONReaderError(offset: -1)
                    }
                }
                guard let kind, let last4 else { throw JSONReaderError(offset: -1) }
                var m = PaymentMethod(kind: kind, number: number ?? "")
                m.number = number
                m.last4 = last4
                m.gatewayCustomer = gatewayCustomer
                m.gatewayMethod = gatewayMethod
                method = m
            case "peakUsers":
                if r.null() { break }
                var p: [String: Int64] = [:]
                try r.object { r, key in p[key] = try r.int() }
                peak = p
            default: throw JSONReaderError(offset: -1)
            }
        }
        guard let id, let created, let name, let currency, let locale, let timeZone, let emails, let contacts, let taxExempt,
              let metadata, let balance, let hasPurchased, let members, let usage else { throw JSONReaderError(offset: -1) }
        self.init(id: id, created: created, name: name, taxID: taxID, address: address, country: country, region: region, currency: currency,
                  locale: locale, timeZone: timeZone, invoiceEmails: emails, contacts: contacts, taxExempt: taxExempt, metadata: metadata,
                  balance: balance, hasPurchased: hasPurchased, members: members, usage: usage, testClock: testClock)
        paymentMethod = method
        peakUsers = peak
    }
}
