import Foundation
import RecurCore
@testable import RecurEngine
import Testing

/// The invoice's hand-written JSON is read back by its Codable conformance into the
/// same value, for invoices of every shape checkout produces.
@Suite("Fast JSON for invoices")
struct FastJSONTests {
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.prettyPrinted]
        return e
    }()

    func fastRead(_ text: String) throws -> SubscriptionRecord {
        var reader = JSONReader(text)
        let record = try SubscriptionRecord(json: &reader)
        try reader.end()
        return record
    }

    func roundTrip(_ invoice: InvoiceRecord) throws -> InvoiceRecord {
        try Self.decoder.decode(InvoiceRecord.self, from: Data(invoice.jsonText().utf8))
    }

    @Test("invoices from many checkouts (discounts, taxes, credits, chasing, every currency) survive the round trip")
    func manyInvoices() throws {
        let catalog = DemoCatalog.make()
        let customers = [Customer(id: "c1", country: "VN", currency: .vnd), Customer(id: "c2", country: "JP", currency: .jpy),
                         Customer(id: "c3", country: "FR", currency: .eur), Customer(id: "c4", country: "MY", currency: .myr, hasPurchased: true)]
        let plans: [(ProductID, PlanID, String?)] = [(DemoCatalog.workspace, "ws_standard", nil), (DemoCatalog.operationProcess, "op_starter", nil),
                                                     (DemoCatalog.meeting, "meeting_small", "600")]
        var checked = 0
        for customer in customers {
            for (product, plan, tier) in plans {
                for cycle in [BillingCycle.monthly, .yearly] {
                    let order = Order(items: [.init(product: product, plan: plan, tier: tier, cycle: cycle, seats: plan == "meeting_small" ? nil : 7,
                                                    addOns: product == DemoCatalog.meeting ? [] : [.init(addOn: "storage_10gb", quantity: 2, promotion: "STORAGE50")],
                                                    promotion: customer.hasPurchased ? nil : "WELCOME10")])
                    guard let quote = try? Checkout(catalog: catalog, customer: customer).quote(order, on: try CivilDate(2026, 3, 1)) else { continue }
                    var invoice = InvoiceRecord(id: "in_\(checked)", number: checked % 2 == 0 ? "INV-2026-00000\(checked % 10)" : nil,
                                                customer: customer.id.rawValue, subscriptions: quote.subscriptions.map(\.id.rawValue),
                                                status: .open, currency: quote.currency, lines: quote.lines, totals: quote.totals,
                                                amountPaid: .zero(quote.currency), issueDate: quote.date, dueDate: quote.date.adding(days: 30),
                                                created: Date(timeIntervalSince1970: 1_772_366_400 + Double(checked)),
                                                billingKey: checked % 3 == 0 ? "sub_\(checked)@2026-03-01" : nil)
                    if checked % 4 == 0 { invoice.credited = Money(minorUnits: 5, currency: quote.currency) }
                    if checked % 3 == 1 {
                        invoice.chase = InvoiceChase(expires: checked % 2 == 0, failedCharges: checked % 5, remindersSent: checked % 2 == 0 ? [] : [3, 1],
                                                     expired: checked % 6 == 4,
                                                     expiryDeferredTo: checked % 2 == 0 ? try CivilDate(2026, 4, 1 + checked % 20) : nil)
                        invoice.collectAt = Date(timeIntervalSince1970: 1_772_452_800 + Double(checked))
                    }
                    #expect(try roundTrip(invoice) == invoice)
                    checked += 1
                }
            }
        }
        #expect(checked >= 12)
    }

    @Test("text with quotes, backslashes, control characters and Vietnamese survives")
    func escaping() throws {
        let minus5 = Money(minorUnits: -5, currency: .vnd)
        let line = try #require(try PriceCalculator(catalog: DemoCatalog.make(), customer: Customer(id: "c", currency: .vnd), currency: .vnd)
            .price([LineDraft(kind: .credit, description: "Hoàn tiền \"Gói\" \\ tab\there\nnew line \u{01} ₫", period: nil, quantity: 1,
                              unitAmount: minus5, amount: minus5)]).first)
        let totals = try Totals(lines: [line], currency: .vnd)
        let invoice = InvoiceRecord(id: "in_x", number: nil, customer: "c", subscriptions: [], status: .paid, currency: .vnd, lines: [line],
                                    totals: totals, amountPaid: .zero(.vnd), issueDate: try CivilDate(1999, 12, 31),
                                    dueDate: try CivilDate(2000, 2, 29), created: Date(timeIntervalSince1970: -86_401))
        #expect(try roundTrip(invoice) == invoice)
        #expect(invoice.jsonText().contains(#""created":"1969-12-30T23:59:59Z""#))
    }

    @Test("each byte that needs escaping, at every place of texts of 0 to 40 bytes, is escaped (the writer looks at 8 bytes at a time)")
    func escapingAtEveryPlace() throws {
        let specials: [UInt8] = Array(0x00..<0x20) + [UInt8(ascii: "\""), UInt8(ascii: "\\")]
        // Fillers: plain letters, bytes just beside the special ones, and a two-byte letter (ệ).
        let fillers: [[UInt8]] = [Array("abcdefgh".utf8), [0x21, 0x23, 0x5B, 0x5D, 0x20, 0x7F, 0x41, 0x42], Array("ệệệệ".utf8)]
        var checked = 0
        for filler in fillers {
            for length in 0...40 {
                var base: [UInt8] = []
                while base.count < length { base += filler }
                base = Array(base.prefix(length))
                // A two-byte letter cut in half is not text: keep only whole letters.
                while !base.isEmpty, String(validating: base, as: UTF8.self) == nil { base.removeLast() }
                for place in 0...base.count {
                    for special in specials {
                        var bytes = base
                        bytes.insert(special, at: place)
                        let text = String(decoding: bytes, as: UTF8.self)
                        let event = EventRecord(id: "evt_\(checked)", type: "t", created: Date(timeIntervalSince1970: 0), customer: nil, payload: text)
                        let json = event.jsonText()
                        #expect(!json.utf8.contains { $0 < 0x20 }, "a raw control byte in \(json)")
                        #expect(try Self.decoder.decode(EventRecord.self, from: Data(json.utf8)).payload == text)
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 30_000)
        // A word of eight plain bytes is passed whole; one special byte anywhere in it is not.
        #expect(!JSONWriter.mayNeedEscape(0x6867_6665_6463_6261))
        for place in 0..<8 {
            for special in specials {
                var word: UInt64 = 0x6867_6665_6463_6261
                word &= ~(0xFF << UInt64(place * 8))
                word |= UInt64(special) << UInt64(place * 8)
                #expect(JSONWriter.mayNeedEscape(word), "byte \(special) at \(place)")
            }
        }
    }

    @Test("arrays nested deeper than the writer's 64-level comma bits are still separated right")
    func deepNesting() throws {
        func nested(_ w: inout JSONWriter, _ depth: Int) {
            w.array([0, 1]) { w, k in
                if depth > 0 && k == 0 { nested(&w, depth - 1) } else { w.stringValue("x\(depth)") }
            }
        }
        var w = JSONWriter()
        nested(&w, 70)
        let parsed = try JSONSerialization.jsonObject(with: Data(w.text.utf8))
        var level: Any = parsed
        for depth in stride(from: 70, through: 1, by: -1) {
            let array = try #require(level as? [Any])
            #expect(array.count == 2)
            #expect(array[1] as? String == "x\(depth)")
            level = array[0]
        }
        #expect((level as? [Any])?.count == 2)
    }

    @Test("subscriptions, audit entries and events read back equal, with add-ons, discounts, scheduled changes and collection state")
    func subscriptionsAuditsEvents() throws {
        let catalog = DemoCatalog.make()
        let customer = Customer(id: "c1", country: "VN", currency: .vnd)
        let order = Order(items: [.init(product: DemoCatalog.operationProcess, plan: "op_standard", cycle: .yearly, seats: 6,
                                        addOns: [.init(addOn: "storage_10gb", quantity: 2, promotion: "STORAGE50"), .init(addOn: "docs_100", quantity: 1)],
                                        promotion: "WELCOME10")], bundle: nil)
        let quote = try Checkout(catalog: catalog, customer: customer).quote(order, on: try CivilDate(2026, 1, 31))
        #expect(quote.subscriptions.count == 2)
        for (k, s) in quote.subscriptions.enumerated() {
            var sub = s
            if k == 0 {
                sub.scheduledChange = .init(plan: "op_starter", tier: nil, seats: 4, addOns: ["docs_100": 3], cycle: .monthly)
                sub.trialEnd = try CivilDate(2026, 3, 2)
                sub.cancelAtPeriodEnd = true
            }
            var record = SubscriptionRecord(subscription: sub, created: Date(timeIntervalSince1970: 1_772_366_400),
                                            seatAssignments: [SeatAssignment(email: "an@saomai.example", name: "Nguyễn Văn An", businessTools: true)],
                                            collection: k == 0 ? Collection(openInvoice: "in_1", openSince: try CivilDate(2026, 3, 1), failedCharges: 2,
                                                                            expiredOn: nil, remindersSent: ["trial-7@2026-02-23", "overdue-1@2026-03-02"]) : nil,
                                            nextBillingAt: k == 0 ? Date(timeIntervalSince1970: 1_772_409_600) : nil)
            let back = try Self.decoder.decode(SubscriptionRecord.self, from: Data(record.jsonText().utf8))
            #expect(back == record)
            // The hand-written reader reads both the hand-written text and JSONEncoder's.
            #expect(try fastRead(record.jsonText()) == record)
            #expect(try fastRead(String(decoding: try Self.encoder.encode(record), as: UTF8.self)) == record)
            record.seatAssignments = []
            #expect(try Self.decoder.decode(SubscriptionRecord.self, from: Data(record.jsonText().utf8)) == record)
        }
        let audit = AuditRecord(id: "aud_1", created: Date(timeIntervalSince1970: 1_772_366_400), actor: "key:1", action: "subscription.renewed",
                                target: "sub_1", customer: nil, before: #"{"status":"active"}"#, after: nil)
        #expect(try Self.decoder.decode(AuditRecord.self, from: Data(audit.jsonText().utf8)) == audit)
        let event = EventRecord(id: "evt_1", type: "invoice.created", created: Date(timeIntervalSince1970: 1_772_366_400), customer: "cus_1",
                                payload: #"{"id":"in_1","note":"line\nbreak"}"#, dispatched: true)
        #expect(try Self.decoder.decode(EventRecord.self, from: Data(event.jsonText().utf8)) == event)
    }

    @Test("payments read back equal: a run's receipt, and one with a note, an attempt and refunds")
    func payments() throws {
        // PaymentRecord has no public initialiser: JSONEncoder's text is the reference.
        let receipt = #"{"id":"py_1","number":"RCP-2026-000001","invoice":"in_1","customer":"cus_1","method":"sandbox_card","#
            + #""amount":{"currency":"VND","minorUnits":1250000},"applied":{"currency":"VND","minorUnits":1250000},"reference":"sbx_1","#
            + #""dedupeKey":"sandbox_card:in_1:sbx_1","receivedOn":"2026-03-01","recordedBy":"billing","created":"2026-03-01T12:00:00Z"}"#
        var p = try Self.decoder.decode(PaymentRecord.self, from: Data(receipt.utf8))
        #expect(try Self.decoder.decode(PaymentRecord.self, from: Data(p.jsonText().utf8)) == p)
        let refunded = #"{"id":"py_2","number":"RCP-2026-000002","customer":"cus_1","method":"cash","#
            + #""amount":{"currency":"EUR","minorUnits":-5},"applied":{"currency":"EUR","minorUnits":0},"#
            + #""dedupeKey":"cash:x","receivedOn":"1999-12-31","attempt":"pa_1","note":"Tiền mặt \"quầy\" \\ 1\n2\u0001","#
            + #""recordedBy":"staff_1","created":"1969-12-30T23:59:59Z","refunds":[{"id":"rf_1","amount":{"currency":"EUR","minorUnits":3},"#
            + #""reason":"requested_by_customer","creditNote":"cn_1","created":"2026-03-02T00:00:00Z"},"#
            + #"{"id":"rf_2","amount":{"currency":"EUR","minorUnits":1},"reason":"x","gatewayReference":"re_1","creditNote":"cn_2","#
            + #""created":"2026-03-01T12:00:00Z"}]}"#
        p = try Self.decoder.decode(PaymentRecord.self, from: Data(refunded.utf8))
        #expect(p.refunds?.count == 2 && p.invoice == nil && p.note?.contains("\n") == true)
        #expect(try Self.decoder.decode(PaymentRecord.self, from: Data(p.jsonText().utf8)) == p)
        p.refunds = []
        #expect(try Self.decoder.decode(PaymentRecord.self, from: Data(p.jsonText().utf8)) == p)
    }

    @Test("the reader refuses what it does not know for sure (the store then asks JSONDecoder)")
    func readerRefusals() throws {
        let record = SubscriptionRecord(subscription: try demoSubscription(), created: Date(timeIntervalSince1970: 1_772_366_400))
        let text = record.jsonText()
        #expect(try fastRead(text) == record)
        // A fractional timestamp, a missing required key, a fraction where an integer belongs, trailing text, a bad escape.
        let fractional = text.replacingOccurrences(of: #""created":"2026-03-01T12:00:00Z""#, with: #""created":"2026-03-01T12:00:00.5Z""#)
        #expect(fractional != text)
        #expect(throws: JSONReaderError.self) { try fastRead(fractional) }
        #expect(throws: JSONReaderError.self) { try fastRead(text.replacingOccurrences(of: #""seats":3,"#, with: "")) }
        #expect(throws: JSONReaderError.self) { try fastRead(text.replacingOccurrences(of: #""seats":3"#, with: #""seats":3.5"#)) }
        #expect(throws: JSONReaderError.self) { try fastRead(text + " x") }
        #expect(throws: JSONReaderError.self) { try fastRead(text.replacingOccurrences(of: #""plan":"ws_standard""#, with: #""plan":"ws\qx""#)) }
        // An unknown key is not skipped (a record written back would lose it): JSONDecoder reads it.
        let extra = text.replacingOccurrences(of: #"{"subscription":"#, with: #"{"future":{"a":[1,2.5e3,true,null,"x"]},"subscription":"#)
        #expect(extra != text)
        #expect(throws: JSONReaderError.self) { try fastRead(extra) }
        // Escapes and surrogate pairs are read.
        var odd = record
        odd.seatAssignments = [SeatAssignment(email: "a\"b\\c@x.example", name: "Trần 😀\n\u{01}", businessTools: false)]
        #expect(try fastRead(odd.jsonText()) == odd)
        let escaped = odd.jsonText().replacingOccurrences(of: "😀", with: #"\ud83d\ude00"#)
        #expect(escaped != odd.jsonText())
        #expect(try fastRead(escaped) == odd)
    }

    func demoSubscription() throws -> Subscription {
        let schedule = BillingSchedule(anchor: try CivilDate(2026, 3, 1), cycle: .monthly)
        return Subscription(id: "sub_1", customer: "cus_1", product: DemoCatalog.workspace, plan: "ws_standard", seats: 3, currency: .vnd,
                            schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: Money(minorUnits: 750_000, currency: .vnd))
    }

    @Test("customers read by hand equal what JSONDecoder reads: contacts, members, usage, metadata, card, peaks, balance")
    func customers() throws {
        var c = CustomerRecord(id: "cus_1", created: Date(timeIntervalSince1970: 1_772_366_400), name: "Công ty \"Sao Mai\"", taxID: "0101234567",
                               address: "12 Lý Thái Tổ\nHà Nội", country: "VN", region: nil, currency: .vnd, locale: "vi", timeZone: "Asia/Ho_Chi_Minh",
                               invoiceEmails: ["ke.toan@saomai.example", "giam.doc@saomai.example"],
                               contacts: [Contact(name: "Lan", email: "lan@saomai.example", phone: "+84 90", role: "billing"), Contact(name: "Minh")],
                               taxExempt: true, metadata: ["crm": "A-17", "tier": "gold"], balance: Money(minorUnits: -125_000, currency: .vnd),
                               hasPurchased: true, members: [Member(id: "mem_1", email: "lan@saomai.example", name: nil, role: .billingAdmin)],
                               usage: ["workspace": [.users: 12, .storageMB: 20_480], "meeting": [:]], testClock: "clk_1")
        c.paymentMethod = PaymentMethod(number: "4000000000000341")
        c.peakUsers = ["workspace": 14]
        let encoded = String(decoding: try Self.encoder.encode(c), as: UTF8.self)
        #expect(try Self.decoder.decode(CustomerRecord.self, from: Data(encoded.utf8)) == c)
        var reader = JSONReader(encoded)
        let fast = try CustomerRecord(json: &reader)
        try reader.end()
        #expect(fast == c)
        #expect(fast.usage["workspace"]?[.users] == 12)
        #expect(fast.paymentMethod?.last4 == "0341")
        // The smallest customer too.
        let plain = CustomerRecord(id: "cus_2", created: Date(timeIntervalSince1970: 0), name: "B", currency: .eur)
        var r2 = JSONReader(String(decoding: try Self.encoder.encode(plain), as: UTF8.self))
        #expect(try CustomerRecord(json: &r2) == plain)
    }
}
