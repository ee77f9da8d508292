public import Foundation
public import RecurCore

/// A record that writes its own JSON, faster than `JSONEncoder`, in exactly the shape
/// its `Codable` conformance reads back (keys may come in any order; absent optionals
/// are left out). The billing run writes invoices by the thousand; this is why.
public protocol FastJSONRecord: Record, JSONWritable {}

/// A value that writes its own JSON (see ``FastJSONRecord``).
public protocol JSONWritable {
    func writeJSON(_ w: inout JSONWriter)
}

extension FastJSONRecord {
    public func jsonText() -> String {
        var w = JSONWriter()
        writeJSON(&w)
        return w.text
    }
}

/// Builds JSON text: objects with keys, strings escaped per RFC 8259.
public struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Whether the value being written at each open level needs a comma before it: one bit a
    /// level for the first 64 (bit `depth - 1`), an array beyond (no record nests that deep).
    private var commas: UInt64 = 0
    private var deeper: [Bool] = []
    private var depth = 0

    public init() { bytes.reserveCapacity(1024) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func separator() {
        guard depth > 0 else { return }
        if depth <= 64 {
            let bit: UInt64 = 1 << UInt64(depth - 1)
            if commas & bit != 0 { bytes.append(UInt8(ascii: ",")) } else { commas |= bit }
        } else {
            if deeper[depth - 65] { bytes.append(UInt8(ascii: ",")) }
            deeper[depth - 65] = true
        }
    }

    private mutating func open(_ bracket: UInt8) {
        separatorForValue()
        bytes.append(bracket)
        depth += 1
        if depth <= 64 { commas &= ~(1 << UInt64(depth - 1)) } else { deeper.append(false) }
    }

    private mutating func close(_ bracket: UInt8) {
        if depth > 64 { deeper.removeLast() }
        depth -= 1
        bytes.append(bracket)
    }

    mutating func key(_ k: String) {
        separator()
        string(k, separate: false)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        open(UInt8(ascii: "{"))
        body(&self)
        close(UInt8(ascii: "}"))
    }

    public mutating func array<T>(_ items: [T], _ each: (inout JSONWriter, T) -> Void) {
        open(UInt8(ascii: "["))
        for item in items { each(&self, item) }
        close(UInt8(ascii: "]"))
    }

    /// Values inside arrays need commas; values after a key do not.
    private var afterKey = false
    private mutating func separatorForValue() {
        if afterKey { afterKey = false } else { separator() }
    }

    mutating func separatorForArrayValue() { separatorForValue() }

    public mutating func field(_ k: String, _ body: (inout JSONWriter) -> Void) {
        key(k)
        afterKey = true
        body(&self)
        afterKey = false
    }

    public mutating func field(_ k: String, _ v: String?) {
        guard let v else { return }
        key(k)
        string(v, separate: false)
    }

    public mutating func field(_ k: String, _ v: Int64?) {
        guard let v else { return }
        key(k)
        digits(v)
    }

    /// An integer's decimal digits, without making a String.
    mutating func digits(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        var buffer: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &buffer) { b in
            repeat {
                b[19 - n] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
                n += 1
            } while m > 0
            bytes.append(contentsOf: b[(20 - n)...])
        }
    }

    /// `n` as exactly `width` digits (dates).
    mutating func padded(_ n: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = n
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }

    mutating func civilDateValue(_ d: CivilDate) {
        guard (0...9999).contains(d.year) else { return string(d.description, separate: false) }
        bytes.append(UInt8(ascii: "\""))
        padded(d.year, 4)
        bytes.append(UInt8(ascii: "-"))
        padded(d.month, 2)
        bytes.append(UInt8(ascii: "-"))
        padded(d.day, 2)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func field(_ k: String, _ v: Bool) {
        key(k)
        bytes.append(contentsOf: (v ? "true" : "false").utf8)
    }

    public mutating func stringValue(_ s: String) { string(s, separate: true) }

    mutating func string(_ s: String, separate: Bool) {
        if separate { separatorForValue() }
        bytes.append(UInt8(ascii: "\""))
        var s = s
        // Runs of text that need no escaping are copied whole (JSON kept in a text field, such
        // as an audit entry's states, is mostly such runs between escaped quotes); they are
        // found eight bytes at a time.
        s.withUTF8 { buffer in
            var run = 0
            var i = 0
            while i < buffer.count {
                if i + 8 <= buffer.count, !Self.mayNeedEscape(UnsafeRawPointer(buffer.baseAddress! + i).loadUnaligned(as: UInt64.self)) {
                    i += 8
                    continue
                }
                let b = buffer[i]
                guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else {
                    i += 1
                    continue
                }
                if run < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[run..<i])) }
                i += 1
                run = i
                bytes.append(92)
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    bytes.append(UInt8(ascii: "u"))
                    bytes.append(48)
                    bytes.append(48)
                    bytes.append(hex.utf8Start[Int(b >> 4)])
                    bytes.append(hex.utf8Start[Int(b & 15)])
                }
            }
            if run < buffer.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[run...])) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether any of eight bytes may need escaping: below 0x20, a quote or a backslash. Never
    /// false when one does (bytes of 0x80 and above may answer true; they are then looked at one by one).
    static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A byte is zero in (word XOR c) exactly when it equals c; (x - 1) & ~x sets its high bit
        // for a zero byte (and maybe for a byte above one the borrow passed through).
        func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        let below20 = (word &- ones &* 0x20) & ~word & highs != 0
        return below20 || hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C))
    }

    // MARK: Recur's value types, as their Codable conformances write them

    public mutating func field(_ k: String, _ m: Money?) {
        guard let m else { return }
        key(k)
        bytes.append(contentsOf: #"{"currency":""#.utf8)
        bytes.append(contentsOf: m.currency.code.utf8)
        bytes.append(contentsOf: #"","minorUnits":"#.utf8)
        digits(m.minorUnits)
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func field(_ k: String, _ d: CivilDate?) {
        guard let d else { return }
        key(k)
        civilDateValue(d)
    }

    public mutating func field(_ k: String, _ p: Period?) {
        guard let p else { return }
        field(k) { w in w.object { o in o.field("start", p.start); o.field("end", p.end) } }
    }

    /// `2026-01-15T00:00:00Z`: what `JSONEncoder`'s `.iso8601` writes (whole seconds, UTC).
    public mutating func field(_ k: String, _ d: Date?) {
        guard let d else { return }
        let seconds = Int(d.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let rest = seconds - days * 86_400
        let day = CivilDate(daysSinceEpoch: days)
        guard (0...9999).contains(day.year) else {
            func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
            return field(k, "\(day)T\(two(rest / 3600)):\(two(rest % 3600 / 60)):\(two(rest % 60))Z")
        }
        key(k)
        civilDateValue(day)
        bytes.removeLast()
        bytes.append(UInt8(ascii: "T"))
        padded(rest / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(rest % 3600 / 60, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(rest % 60, 2)
        bytes.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
    }
}

extension InvoiceRecord: FastJSONRecord {
    public func writeJSON(_ w: inout JSONWriter) {
        w.object { o in
            o.field("id", id)
            o.field("number", number)
            o.field("customer", customer)
            o.field("subscriptions") { w in w.array(subscriptions) { w, s in w.stringValue(s) } }
            o.field("status", status.rawValue)
            o.field("currency", currency.code)
            o.field("lines") { w in w.array(lines) { w, l in l.writeJSON(&w) } }
            o.field("totals") { w in
                w.object { t in
                    t.field("subtotal", totals.subtotal)
                    t.field("discount", totals.discount)
                    t.field("net", totals.net)
                    t.field("tax", totals.tax)
                    t.field("total", totals.total)
                }
            }
            o.field("amountPaid", amountPaid)
            o.field("issueDate", issueDate)
            o.field("dueDate", dueDate)
            o.field("created", created)
            o.field("billingKey", billingKey)
            if let chase {
                o.field("chase") { w in
                    w.object { o in
                        o.field("expired", chase.expired)
                        o.field("expiryDeferredTo", chase.expiryDeferredTo)
                        o.field("expires", chase.expires)
                        o.field("failedCharges", Int64(chase.failedCharges))
                        o.field("remindersSent") { w in w.array(chase.remindersSent.sorted()) { w, d in w.number(Int64(d)) } }
                    }
                }
            }
            o.field("collectAt", collectAt)
            o.field("credited", credited)
        }
    }
}

extension InvoiceLine {
    func writeJSON(_ w: inout JSONWriter) {
        w.object { o in
            o.field("kind", kind.rawValue)
            o.field("description", description)
            o.field("product", product?.rawValue)
            o.field("plan", plan?.rawValue)
            o.field("addOn", addOn?.rawValue)
            o.field("subscription", subscription?.rawValue)
            o.field("period", period)
            o.field("quantity", quantity)
            o.field("unitAmount", unitAmount)
            o.field("amount", amount)
            o.field("discounts") { w in
                w.array(discounts) { w, d in
                    w.object { o in
                        o.field("kind", d.kind.rawValue)
                        o.field("reference", d.reference)
                        o.field("percentage", d.percentage?.basisPoints)
                        o.field("amount", d.amount)
                    }
                }
            }
            o.field("net", net)
            o.field("tax", tax)
            o.field("taxName", taxName)
            o.field("taxRate", taxRate?.basisPoints)
            o.field("taxInclusive", taxInclusive)
            o.field("total", total)
            if let charge { o.field("charge", charge.rawValue) }
            if let topUp { o.field("topUp", topUp) }
        }
    }
}

extension AuditRecord: FastJSONRecord {
    public func writeJSON(_ w: inout JSONWriter) {
        w.object { o in
            o.field("id", id)
            o.field("created", created)
            o.field("actor", actor)
            o.field("action", action)
            o.field("target", target)
            o.field("customer", customer)
            o.field("before", before)
            o.field("after", after)
        }
    }
}

extension EventRecord: FastJSONRecord {
    public func writeJSON(_ w: inout JSONWriter) {
        w.object { o in
            o.field("id", id)
            o.field("type", type)
            o.field("created", created)
            o.field("customer", customer)
            o.field("payload", payload)
            o.field("dispatched", dispatched)
            if let mailed { o.field("mailed", mailed) }
        }
    }
}

extension SubscriptionRecord: FastJSONRecord {
    public func writeJSON(_ w: inout JSONWriter) {
        w.object { o in
            o.field("subscription") { w in subscription.writeJSON(&w) }
            o.field("created", created)
            o.field("seatAssignments") { w in
                w.array(seatAssignments) { w, a in
                    w.object { o in
                        o.field("email", a.email)
                        o.field("name", a.name)
                        o.field("businessTools", a.businessTools)
                    }
                }
            }
            if let c = collection {
                o.field("collection") { w in
                    w.object { o in
                        o.field("openInvoice", c.openInvoice)
                        o.field("openSince", c.openSince)
                        o.field("failedCharges", Int64(c.failedCharges))
                        o.field("expiredOn", c.expiredOn)
                        o.field("remindersSent") { w in w.array(c.remindersSent.sorted()) { w, k in w.stringValue(k) } }
                    }
                }
            }
            o.field("nextBillingAt", nextBillingAt)
        }
    }
}

extension JSONWriter {
    /// A dictionary whose keys are not strings, as `JSONEncoder` writes it: an array of
    /// alternating keys and values.
    mutating func field(_ k: String, addOns: [AddOnID: Int]) {
        field(k) { w in
            w.array(addOns.sorted { $0.key < $1.key }) { w, pair in
                w.stringValue(pair.key.rawValue)
                w.number(Int64(pair.value))
            }
        }
    }

    mutating func number(_ v: Int64) {
        separatorForArrayValue()
        digits(v)
    }
}

extension Subscription {
    func writeJSON(_ w: inout JSONWriter) {
        w.object { o in
            o.field("id", id.rawValue)
            o.field("customer", customer.rawValue)
            o.field("product", product.rawValue)
            o.field("plan", plan.rawValue)
            o.field("tier", tier)
            o.field("seats", Int64(seats))
            o.field("addOns", addOns: addOns)
            o.field("currency", currency.code)
            o.field("schedule") { w in
                w.object { o in
                    o.field("anchor", schedule.anchor)
                    o.field("cycle", Int64(schedule.cycle.months))
                }
            }
            o.field("currentPeriod", currentPeriod)
            o.field("status", status.rawValue)
            o.field("trialEnd", trialEnd)
            o.field("renewalMode", renewalMode.rawValue)
            o.field("cancelAtPeriodEnd", cancelAtPeriodEnd)
            if let c = scheduledChange {
                o.field("scheduledChange") { w in
                    w.object { o in
                        o.field("plan", c.plan.rawValue)
                        o.field("tier", c.tier)
                        o.field("seats", Int64(c.seats))
                        o.field("addOns", addOns: c.addOns)
                        o.field("cycle", Int64(c.cycle.months))
                    }
                }
            }
            o.field("discounts") { w in
                w.array(discounts) { w, d in
                    w.object { o in
                        o.field("promotion", d.promotion.rawValue)
                        o.field("addOn", d.addOn?.rawValue)
                        o.field("remainingCycles", d.remainingCycles.map(Int64.init))
                    }
                }
            }
            o.field("bundle", bundle?.rawValue)
            o.field("paidForPeriod", paidForPeriod)
            o.field("startedOn", startedOn)
        }
    }
}

extension PaymentRecord: FastJSONRecord {
    public func writeJSON(_ w: inout JSONWriter) {
        w.object { o in
            o.field("id", id)
            o.field("number", number)
            o.field("invoice", invoice)
            o.field("customer", customer)
            o.field("method", method)
            o.field("amount", amount)
            o.field("applied", applied)
            o.field("reference", reference)
            o.field("dedupeKey", dedupeKey)
            o.field("receivedOn", receivedOn)
            o.field("attempt", attempt)
            o.field("note", note)
            o.field("recordedBy", recordedBy)
            o.field("created", created)
            if let refunds {
                o.field("refunds") { w in
                    w.array(refunds) { w, r in
                        w.object { o in
                            o.field("id", r.id)
                            o.field("amount", r.amount)
                            o.field("reason", r.reason)
                            o.field("gatewayReference", r.gatewayReference)
                            o.field("creditNote", r.creditNote)
                            o.field("created", r.created)
                        }
                    }
                }
            }
        }
    }
}
