import Foundation
@testable import RecurStore
import SQLiteNIO
import Testing

/// The billing run's direct SQLite statements (`SQLiteDirect`), on the handle under sqlite-nio's connection.
@Suite("SQLite direct statements")
struct SQLiteDirectTests {
    func openDirect() async throws -> (SQLStore, SQLiteDirect) {
        let path = scratchURL("recur-direct-\(UUID().uuidString).sqlite").path
        let store = try await SQLStore.sqlite(path: path, logger: TestDatabase.logger)
        guard case .sqlite(_, _, let direct) = store.backend else { throw StoreConfigurationError(message: "not SQLite") }
        try await store.execute("CREATE TABLE t (id TEXT PRIMARY KEY, n BIGINT, note TEXT)")
        return (store, direct)
    }

    @Test("direct: rows written in one hop are read back; NULL stays NULL; an insert that meets a conflict under DO NOTHING is found by index")
    func writeAndRead() async throws {
        let (store, direct) = try await openDirect()
        let insert = "INSERT INTO t (id, n, note) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
        let first = try await direct.run { s in
            try s.write(insert, values: [.text("a"), .integer(1), .text("x"), .text("b"), .integer(2), .null], width: 3, insertOnly: true)
        }.get()
        #expect(first == nil)
        // The third row repeats "a": the run stops there and says which row it was.
        let second = try await direct.run { s in
            try s.write(insert, values: [.text("c"), .integer(3), .text("é\"\\\n"), .text("a"), .integer(9), .null, .text("d"), .integer(4), .null],
                        width: 3, insertOnly: true)
        }.get()
        #expect(second == 1)
        let notes = try await direct.run { s in try s.texts("SELECT note FROM t ORDER BY id", [], keep: true) }.get()
        #expect(notes == ["x", nil, "é\"\\\n"])
        let ids = try await direct.run { s in try s.texts("SELECT id FROM t WHERE n >= ? ORDER BY id", [.integer(2)], keep: false) }.get()
        #expect(ids == ["b", "c"])
        try await store.close()
    }

    @Test("direct: a failing statement reports SQLite's code and message, and the kept statement runs again afterwards")
    func failures() async throws {
        let (store, direct) = try await openDirect()
        let insert = "INSERT INTO t (id, n) VALUES (?, ?)"
        do {
            _ = try await direct.run { s in try s.write(insert, values: [.text("a"), .integer(1), .text("a"), .integer(2)], width: 2, insertOnly: false) }.get()
            Issue.record("a duplicate primary key was written")
        } catch let error as SQLiteDirectError {
            #expect(error.code == 1555, "SQLITE_CONSTRAINT_PRIMARYKEY, as the connection reports extended codes")
            #expect(error.message == "UNIQUE constraint failed: t.id")
            #expect(error.sql == insert)
        }
        // The statement was reset: it runs again, and the row before the failure is there.
        _ = try await direct.run { s in try s.write(insert, values: [.text("b"), .integer(2)], width: 2, insertOnly: false) }.get()
        let ids = try await direct.run { s in try s.texts("SELECT id FROM t ORDER BY id", [], keep: true) }.get()
        #expect(ids == ["a", "b"])
        do {
            _ = try await direct.run { s in try s.texts("SELEC id FROM t", [], keep: false) }.get()
            Issue.record("bad SQL ran")
        } catch let error as SQLiteDirectError {
            #expect(error.code == 1)
            #expect(error.message == "near \"SELEC\": syntax error")
        }
        try await store.close()
        await #expect(throws: SQLiteDirectError.self) {
            _ = try await direct.run { s in try s.texts("SELECT id FROM t", [], keep: true) }.get()
        }
    }
}
