import Foundation
import NIOCore
import RecurCore
import RecurEngine
@testable import RecurStore
import Testing

/// SQLite's queued writes: counters numbered from memory after their first use, and a read
/// started ahead of the writes queued after it.
@Suite("SQLite queued writes")
struct SQLiteQueueTests {
    func note(_ id: String) -> NoteRecord {
        NoteRecord(id: id, subscription: "sub_1", created: testNow, text: "hello", author: nil)
    }

    @Test("counters: numbers stay gap-free across commitAndContinue and the next transaction, and the stored value follows")
    func countersFromMemory() async throws {
        let (store, _) = try await TestDatabase.sqlite.makeStore()
        let ranges = try await store.transaction { tx in
            let a = try await tx.nextSequenceValues("INV-2026", count: 3)
            let b = try await tx.nextSequenceValues("RCP-2026", count: 2)
            try await tx.commitAndContinue()
            let c = try await tx.nextSequenceValues("INV-2026", count: 2)
            let d = try await tx.nextSequenceValue("INV-2026")
            return [a, b, c, d...d]
        }
        #expect(ranges == [1...3, 1...2, 4...5, 6...6])
        #expect(try await store.transaction { tx in try await tx.nextSequenceValue("INV-2026") } == 7)
        #expect(try await store.transaction { tx in try await tx.nextSequenceValues("RCP-2026", count: 4) } == 3...6)
        // A rolled-back transaction gives its numbers back.
        struct Stop: Error {}
        await #expect(throws: Stop.self) {
            try await store.transaction { tx in
                _ = try await tx.nextSequenceValues("INV-2026", count: 10)
                _ = try await tx.nextSequenceValues("INV-2026", count: 10)
                throw Stop()
            }
        }
        #expect(try await store.transaction { tx in try await tx.nextSequenceValue("INV-2026") } == 8)
        try await store.close()
    }

    @Test("counters: a counter another writer advanced meanwhile is a conflict, and nothing queued after it is written")
    func counterMovedByAnotherWriter() async throws {
        let (store, _) = try await TestDatabase.sqlite.makeStore()
        await #expect(throws: StoreError(.conflict, table: "sequences", id: "INV-2026")) {
            try await store.transaction { tx in
                #expect(try await tx.nextSequenceValues("INV-2026", count: 2) == 1...2)
                try await tx.commitAndContinue()
                // As another process numbering on the same file between two batches would.
                try await #require(tx as? SQLTransaction).moveCounterAsAnotherProcess("INV-2026", to: 5)
                // From memory this would be 3...4, numbers the other writer has given.
                _ = try await tx.nextSequenceValues("INV-2026", count: 2)
                try await tx.insertAll([self.note("note_1")])
            }
        }
        #expect(try await store.transaction { tx in try await tx.find(NoteRecord.self, id: "note_1") } == nil)
        // The first batch committed its 2. (The stand-in for the other writer wrote inside the failed
        // transaction, so it was rolled back with it; a real one's value would stand.)
        #expect(try await store.transaction { tx in try await tx.nextSequenceValue("INV-2026") } == 3)
        try await store.close()
    }

    @Test("readAhead: the read sees the database without the writes queued after it, and they wait for it to end")
    func readAheadComesBeforeLaterWrites() async throws {
        let (store, _) = try await TestDatabase.sqlite.makeStore()
        let (seenAhead, seenAfter) = try await store.transaction { tx -> ([String], [String]) in
            try await tx.insertAll([self.note("note_1")])
            let ahead = tx.readAhead {
                // Slower than the write queued below: were that write not held back, the read would see it.
                try await Task.sleep(for: .milliseconds(100))
                return try await tx.all(NoteRecord.self, filters: [:]).map(\.id)
            }
            try await tx.insertAll([self.note("note_2")])
            let seen = try await ahead.value
            return (seen, try await tx.all(NoteRecord.self, filters: [:]).map(\.id))
        }
        #expect(seenAhead == ["note_1"])
        #expect(seenAfter == ["note_1", "note_2"])
        try await store.close()
    }

    @Test("PostgreSQL's unique violation detail names the record in any lc_messages: by id, or by another unique column (the later of two equal ones); unparsable text stays as it is")
    func duplicateFromDetail() throws {
        let day = try CivilDate(2026, 2, 15)
        func invoice(_ id: String, key: String?) -> InvoiceRecord {
            InvoiceRecord(id: id, number: nil, customer: "cus_1", subscriptions: ["sub_1"], status: .open, currency: .vnd, lines: [],
                          totals: try! Totals(lines: [], currency: .vnd), amountPaid: .zero(.vnd), issueDate: day, dueDate: day, created: testNow,
                          billingKey: key)
        }
        let records = [invoice("in_1", key: "sub_1@2026-02-15"), invoice("in_2", key: "sub_(2)=(x)@2026-02-15"), invoice("in_3", key: "sub_1@2026-02-15")]
        #expect(SQLTransaction.duplicateID("Key (id)=(in_9) already exists.", in: records) == "in_9")
        #expect(SQLTransaction.duplicateID("Key (billing_key)=(sub_1@2026-02-15) already exists.", in: records) == "in_3")
        #expect(SQLTransaction.duplicateID("Key (billing_key)=(sub_(2)=(x)@2026-02-15) already exists.", in: records) == "in_2")
        #expect(SQLTransaction.duplicateID("Key (billing_key)=(sub_7@2026-02-15) already exists.", in: records) == "sub_7@2026-02-15")
        // The server's lc_messages translates the sentence, never the key (PostgreSQL 15's de, fr, ja texts).
        #expect(SQLTransaction.duplicateID("Schlüssel »(billing_key)=(sub_1@2026-02-15)« existiert bereits.", in: records) == "in_3")
        #expect(SQLTransaction.duplicateID("La clé « (id)=(in_9) » existe déjà.", in: records) == "in_9")
        #expect(SQLTransaction.duplicateID("キー (billing_key)=(sub_(2)=(x)@2026-02-15) はすでに存在します。", in: records) == "in_2")
        #expect(SQLTransaction.duplicateID("Schlüssel existiert bereits.", in: records) == "Schlüssel existiert bereits.")
        #expect(SQLTransaction.duplicateID("(Key)=(x) already exists.", in: records) == "(Key)=(x) already exists.")
    }
}

extension SQLTransaction {
    /// Sets a counter on this transaction's own SQLite connection once the queued writes are
    /// done: a stand-in for another process numbering on the same file between two batches.
    func moveCounterAsAnotherProcess(_ name: String, to value: Int) async throws {
        try await pipeline?.drain()
        try await sqlite!.run { s in try s.execute("UPDATE sequences SET value = \(value) WHERE name = '\(name)'") }.get()
    }
}
