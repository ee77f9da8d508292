import Foundation
import RecurApp
import RecurCore
import RecurEngine
import RecurStore
import Testing

/// One body, every database: the Store port behaves the same on SQLite and PostgreSQL.
@Suite("Store contract")
struct StoreContractTests {
    func note(_ id: String, _ sub: String = "sub_1", text: String = "hello") -> NoteRecord {
        NoteRecord(id: id, subscription: sub, created: testNow, text: text, author: nil)
    }

    @Test("store: due rows come lowest first, by (time, id), and a keyset cursor pages through ties without repeats", arguments: TestDatabase.all)
    func dueKeyset(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let schedule = BillingSchedule(anchor: try CivilDate(2026, 1, 15), cycle: .monthly)
        // 7 due at t=100 (ties), 2 at t=50, 1 at t=500 (not yet due at 200), 1 with no time.
        let times: [Int64?] = [100, 100, 100, 100, 100, 100, 100, 50, 50, 500, nil]
        try await store.transaction { tx in
            for (i, t) in times.enumerated() {
                let s = Subscription(id: SubscriptionID("sub_\(String(format: "%02d", i))"), customer: "cus_1", product: "workspace", plan: "ws_standard",
                                     seats: 2, currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0), paidForPeriod: .zero(.vnd))
                try await tx.insert(SubscriptionRecord(subscription: s, created: testNow, nextBillingAt: t.map { Date(timeIntervalSince1970: Double($0)) }))
            }
        }
        var seen: [String] = []
        var cursor: (Int64, String)?
        while true {
            let after = cursor
            let page = try await store.transaction { tx in try await tx.due(SubscriptionRecord.self, column: "next_billing_at", atMost: 200, after: after, limit: 3) }
            if page.isEmpty { break }
            seen += page.map(\.id)
            cursor = page.last.map { (Int64($0.nextBillingAt!.timeIntervalSince1970), $0.id) }
        }
        #expect(seen == ["sub_07", "sub_08", "sub_00", "sub_01", "sub_02", "sub_03", "sub_04", "sub_05", "sub_06"])
        try await store.close()
    }

    @Test("store: migrations are versioned and applied once", arguments: TestDatabase.all)
    func migrations(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        #expect(try await store.migrate() == [])
        try await store.close()
    }

    @Test("store: insert, find, update, delete round-trip a record", arguments: TestDatabase.all)
    func roundTrip(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        try await store.transaction { tx in try await tx.insert(self.note("note_1", text: "Gói Không gian làm việc số")) }
        let found = try await store.transaction { tx in try await tx.find(NoteRecord.self, id: "note_1") }
        #expect(found?.text == "Gói Không gian làm việc số")
        try await store.transaction { tx in
            var n = try #require(try await tx.find(NoteRecord.self, id: "note_1"))
            n.text = "changed"
            try await tx.update(n)
        }
        #expect(try await store.transaction { tx in try await tx.find(NoteRecord.self, id: "note_1")?.text } == "changed")
        try await store.transaction { tx in try await tx.delete(NoteRecord.self, id: "note_1") }
        #expect(try await store.transaction { tx in try await tx.find(NoteRecord.self, id: "note_1") } == nil)
        try await store.close()
    }

    @Test("store: a duplicate id is StoreError.duplicate; updating or deleting a missing id is notFound", arguments: TestDatabase.all)
    func duplicatesAndMissing(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        try await store.transaction { tx in try await tx.insert(self.note("note_1")) }
        await #expect(throws: StoreError(.duplicate, table: "notes", id: "note_1")) {
            try await store.transaction { tx in try await tx.insert(self.note("note_1")) }
        }
        await #expect(throws: StoreError(.notFound, table: "notes", id: "note_2")) {
            try await store.transaction { tx in try await tx.update(self.note("note_2")) }
        }
        await #expect(throws: StoreError(.notFound, table: "notes", id: "note_2")) {
            try await store.transaction { tx in try await tx.delete(NoteRecord.self, id: "note_2") }
        }
        try await store.close()
    }

    @Test("store: multi-row writes span several statements, keep NULLs, upsert, and a duplicate anywhere rolls the whole transaction back",
          arguments: TestDatabase.all)
    func multiRowWrites(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        func event(_ i: Int) -> EventRecord {
            EventRecord(id: "evt_\(String(format: "%04d", i))", type: "invoice.created", created: testNow, customer: i % 3 == 0 ? nil : "cus_\(i % 7)",
                        payload: #"{"n":"Hóa đơn \"số\" \#(i)"}"#, dispatched: i % 2 == 0)
        }
        let events = (0..<450).map(event)
        try await store.transaction { tx in try await tx.insertAll(events) }
        #expect(try await store.transaction { tx in try await tx.all(EventRecord.self, filters: [:]) } == events)
        #expect(try await store.transaction { tx in try await tx.all(EventRecord.self, filters: ["dispatched": .int(0)]) }.map(\.id)
            == events.filter { !$0.dispatched }.map(\.id))
        // NULL in an integer column: a subscription with no next billing time is never due.
        let schedule = BillingSchedule(anchor: try CivilDate(2026, 1, 15), cycle: .monthly)
        let subs = (0..<5).map { i in
            SubscriptionRecord(subscription: Subscription(id: SubscriptionID("sub_\(i)"), customer: "cus_1", product: "workspace", plan: "ws_standard",
                                                          seats: 2, currency: .vnd, schedule: schedule, currentPeriod: schedule.period(0),
                                                          paidForPeriod: .zero(.vnd)),
                               created: testNow, nextBillingAt: i < 2 ? nil : Date(timeIntervalSince1970: Double(i)))
        }
        try await store.transaction { tx in try await tx.insertAll(subs) }
        #expect(try await store.transaction { tx in
            try await tx.due(SubscriptionRecord.self, column: "next_billing_at", atMost: 100, after: nil, limit: 10)
        }.map(\.id) == ["sub_2", "sub_3", "sub_4"])
        // An upsert of every row.
        let sent = events.map { e in
            var e = e
            e.dispatched = true
            return e
        }
        try await store.transaction { tx in try await tx.saveAll(sent) }
        #expect(try await store.transaction { tx in try await tx.all(EventRecord.self, filters: ["dispatched": .int(0)]) }.isEmpty)
        // A duplicate in the last statement of a write, then another write: the error names it, and nothing stays.
        let more = (450..<700).map(event) + [event(449)]
        await #expect(throws: StoreError(.duplicate, table: "events", id: "evt_0449")) {
            try await store.transaction { tx in
                try await tx.insertAll(more)
                try await tx.insert(self.note("note_after"))
            }
        }
        #expect(try await store.transaction { tx in try await tx.find(EventRecord.self, id: "evt_0450") } == nil)
        #expect(try await store.transaction { tx in try await tx.find(NoteRecord.self, id: "note_after") } == nil)
        #expect(try await store.transaction { tx in try await tx.all(EventRecord.self, filters: [:]) }.count == 450)
        try await store.close()
    }

    @Test("store: a failed multi-row write is final: caught and ignored, the transaction still cannot commit", arguments: TestDatabase.all)
    func failedWriteIsFinal(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        try await store.transaction { tx in try await tx.insert(self.note("note_1")) }
        // The commit throws the duplicate again, and rolls everything back.
        await #expect(throws: StoreError(.duplicate, table: "notes", id: "note_1")) {
            try await store.transaction { tx in
                // SQLite queues this write, and its failure surfaces at the next statement; PostgreSQL throws here.
                do { try await tx.insertAll([self.note("note_2"), self.note("note_1")]) } catch {}
                do { _ = try await tx.find(NoteRecord.self, id: "note_2") } catch {}
                try await tx.insert(self.note("note_3"))
            }
        }
        let left = try await store.transaction { tx in try await tx.all(NoteRecord.self, filters: [:]) }
        #expect(left.map(\.id) == ["note_1"])
        try await store.close()
    }

    @Test("store: the multi-row writes and the other statements share one transaction: seen before the commit, undone by a rollback", arguments: TestDatabase.all)
    func multiRowWritesShareTheTransaction(db: TestDatabase) async throws {
        let (store, location) = try await db.makeStore()
        struct Stop: Error {}
        await #expect(throws: Stop.self) {
            try await store.transaction { tx in
                try await tx.insert(self.note("note_1"))
                try await tx.insertAll([self.note("note_2", "sub_2"), self.note("note_3", "sub_2")])
                // The single-row statement sees the multi-row one's rows, and the other way round.
                #expect(try await tx.find(NoteRecord.self, id: "note_3")?.subscription == "sub_2")
                #expect(try await tx.all(NoteRecord.self, filters: ["subscription_id": ColumnValue.text("sub_2")]).map(\.id) == ["note_2", "note_3"])
                throw Stop()
            }
        }
        #expect(try await store.transaction { tx in try await tx.all(NoteRecord.self, filters: [:]) }.isEmpty)
        // A second store on the same database writes through its own connection: its rolled-back
        // rows are gone, its committed ones seen by the first, and a duplicate across both is one.
        let other = try await openStore(location, logger: TestDatabase.logger)
        await #expect(throws: Stop.self) {
            try await other.transaction { tx in
                try await tx.insertAll([self.note("note_9")])
                throw Stop()
            }
        }
        try await other.transaction { tx in try await tx.insertAll([self.note("note_4", text: "from the second store")]) }
        #expect(try await store.transaction { tx in try await tx.all(NoteRecord.self, filters: [:]) }.map(\.text) == ["from the second store"])
        await #expect(throws: StoreError(.duplicate, table: "notes", id: "note_4")) {
            try await store.transaction { tx in try await tx.insertAll([self.note("note_5"), self.note("note_4")]) }
        }
        // saveAll rewrites the columns the filters use, not only the document.
        try await store.transaction { tx in try await tx.saveAll([self.note("note_4", "sub_7", text: "moved")]) }
        #expect(try await other.transaction { tx in try await tx.all(NoteRecord.self, filters: ["subscription_id": ColumnValue.text("sub_7")]) }.map(\.text) == ["moved"])
        #expect(try await other.transaction { tx in try await tx.all(NoteRecord.self, filters: ["subscription_id": ColumnValue.text("sub_1")]) }.isEmpty)
        try await other.close()
        try await store.close()
    }

    @Test("store: a multi-row write's duplicate on another unique column names the record; saveAll inserts a record that is missing",
          arguments: TestDatabase.all)
    func uniqueColumnsAndSaveAllOfNewRecords(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let day = try CivilDate(2026, 2, 15)
        @Sendable func invoice(_ id: String, key: String?) -> InvoiceRecord {
            InvoiceRecord(id: id, number: nil, customer: "cus_1", subscriptions: ["sub_1"], status: .open, currency: .vnd, lines: [],
                          totals: try! Totals(lines: [], currency: .vnd),
                          amountPaid: .zero(.vnd), issueDate: day, dueDate: day, created: testNow, billingKey: key)
        }
        try await store.transaction { tx in try await tx.insertAll([invoice("in_1", key: "sub_1@2026-02-15")]) }
        // Against a stored row, and between two records of the same write: the later one is named.
        await #expect(throws: StoreError(.duplicate, table: "invoices", id: "in_3")) {
            try await store.transaction { tx in try await tx.insertAll([invoice("in_2", key: nil), invoice("in_3", key: "sub_1@2026-02-15")]) }
        }
        await #expect(throws: StoreError(.duplicate, table: "invoices", id: "in_5")) {
            try await store.transaction { tx in
                try await tx.insertAll([invoice("in_4", key: "sub_1@2026-03-15"), invoice("in_5", key: "sub_1@2026-03-15")])
            }
        }
        #expect(try await store.transaction { tx in try await tx.all(InvoiceRecord.self, filters: [:]) }.map(\.id) == ["in_1"])
        // saveAll is insert-or-replace: one stored, one new, in one call.
        let paid = { var paid = invoice("in_1", key: "sub_1@2026-02-15"); paid.status = .paid; return paid }()
        try await store.transaction { tx in try await tx.saveAll([paid, invoice("in_6", key: "sub_1@2026-04-15")]) }
        let stored = try await store.transaction { tx in try await tx.all(InvoiceRecord.self, filters: [:]) }
        #expect(stored.map(\.id) == ["in_1", "in_6"])
        #expect(stored.map(\.status) == [.paid, .open])
        #expect(try await store.transaction { tx in try await tx.all(InvoiceRecord.self, filters: ["status": .text("paid")]) }.map(\.id) == ["in_1"])
        try await store.close()
    }

    @Test("store: commitAndContinue commits what came before it; a throw after it rolls back only what came after", arguments: TestDatabase.all)
    func commitAndContinue(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        struct Stop: Error {}
        await #expect(throws: Stop.self) {
            try await store.transaction { tx in
                try await tx.insertAll([self.note("note_1"), self.note("note_2")])
                try await tx.commitAndContinue()
                try await tx.insertAll([self.note("note_3")])
                try await tx.commitAndContinue()
                try await tx.insert(self.note("note_4"))
                throw Stop()
            }
        }
        let left = try await store.transaction { tx in try await tx.all(NoteRecord.self, filters: [:]) }
        #expect(left.map(\.id) == ["note_1", "note_2", "note_3"])
        try await store.close()
    }

    @Test("store: a transaction that throws leaves nothing behind", arguments: TestDatabase.all)
    func rollback(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await store.transaction { tx in
                try await tx.insert(self.note("note_a"))
                _ = try await tx.nextSequenceValue("INV-2026")
                throw Boom()
            }
        }
        #expect(try await store.transaction { tx in try await tx.find(NoteRecord.self, id: "note_a") } == nil)
        // The sequence did not advance either: the next number is still 1.
        #expect(try await store.transaction { tx in try await tx.nextSequenceValue("INV-2026") } == 1)
        try await store.close()
    }

    @Test("store: lists filter by column and page by id with has_more", arguments: TestDatabase.all)
    func pagination(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        try await store.transaction { tx in
            for i in 1...7 { try await tx.insert(self.note("note_\(i)", i % 2 == 0 ? "sub_even" : "sub_odd")) }
        }
        let first = try await store.transaction { tx in try await tx.list(NoteRecord.self, filters: ["subscription_id": ColumnValue.text("sub_odd")], limit: 3, startingAfter: nil) }
        #expect(first.items.map(\.id) == ["note_1", "note_3", "note_5"])
        #expect(first.hasMore)
        let second = try await store.transaction { tx in try await tx.list(NoteRecord.self, filters: ["subscription_id": ColumnValue.text("sub_odd")], limit: 3, startingAfter: "note_5") }
        #expect(second.items.map(\.id) == ["note_7"])
        #expect(!second.hasMore)
        let evens = try await store.transaction { tx in try await tx.all(NoteRecord.self, filters: ["subscription_id": ColumnValue.text("sub_even")]) }
        #expect(evens.map(\.id) == ["note_2", "note_4", "note_6"])
        try await store.close()
    }

    @Test("store: ids order byte-wise on both databases (underscores, digits, upper case)", arguments: TestDatabase.all)
    func byteOrder(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let ids = ["a_b", "aB", "a1", "A_", "ab"]
        try await store.transaction { tx in for id in ids { try await tx.insert(self.note(id)) } }
        let listed = try await store.transaction { tx in try await tx.all(NoteRecord.self, filters: [:]).map(\.id) }
        #expect(listed == ids.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        try await store.close()
    }

    @Test("store: a gap-free sequence gives 1…N exactly once to N concurrent transactions", arguments: TestDatabase.all)
    func sequences(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let values = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<40 { group.addTask { try await store.transaction { tx in try await tx.nextSequenceValue("INV-2026") } } }
            var out: [Int64] = []
            for try await v in group { out.append(v) }
            return out
        }
        #expect(values.sorted() == Array(1...40))
        #expect(try await store.transaction { tx in try await tx.nextSequenceValue("INV-2027") } == 1)
        try await store.close()
    }

    @Test("store: money and dates survive the round trip exactly", arguments: TestDatabase.all)
    func exactValues(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let c = CustomerRecord(id: "cus_x", created: testNow, name: "Sao Mai", currency: .vnd, timeZone: "Asia/Ho_Chi_Minh",
                               invoiceEmails: ["KeToan@SaoMai.example"], balance: Money(minorUnits: -9_223_372_036_854_775_000, currency: .vnd))
        try await store.transaction { tx in try await tx.insert(c) }
        let back = try await store.transaction { tx in try await tx.find(CustomerRecord.self, id: "cus_x") }
        #expect(back == c)
        let byEmail = try await store.transaction { tx in try await tx.all(CustomerRecord.self, filters: ["email": .text("ketoan@saomai.example")]) }
        #expect(byEmail.map(\.id) == ["cus_x"])
        try await store.close()
    }
}
