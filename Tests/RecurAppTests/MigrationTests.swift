import Foundation
import SQLKit
@testable import RecurStore
import Testing

/// What the migrations leave in the schema, beyond the records' round trips (StoreContractTests).
@Suite("Migrations")
struct MigrationTests {
    @Test("migration 12: every indexed id, key and code column compares byte by byte on PostgreSQL (collation C, not the database's); SQLite needs no statement",
          arguments: TestDatabase.all)
    func byteOrderedColumns(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let migration = try #require(Migrations.all.first { $0.version == 12 })
        switch db {
        case .sqlite:
            #expect(migration.statements("COLLATE BINARY").isEmpty)
        case .postgres:
            let rows = try await store.withDatabase { db in
                try await db.raw("SELECT table_name, column_name, collation_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'text'")
                    .all().map { row in
                        (try row.decode(column: "table_name", as: String.self) + "." + row.decode(column: "column_name", as: String.self),
                         try row.decode(column: "collation_name", as: String?.self))
                    }
            }
            let collations = Dictionary(rows, uniquingKeysWith: { a, _ in a })
            #expect(Migrations.byteOrderedColumns.count == 31)
            for (table, column) in Migrations.byteOrderedColumns {
                #expect(collations["\(table).\(column)"] == .some("C"), "\(table).\(column)")
            }
            // A column left alone keeps the database's collation: the JSON documents, for one.
            #expect(collations["invoices.data"] == .some(nil))
        }
        try await store.close()
    }
}
