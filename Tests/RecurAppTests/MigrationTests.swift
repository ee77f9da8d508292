import Foundation
import SQLKit
@testable import RecurStore
import Testing

/// What the migrations leave in the schema, beyond the records' round trips (StoreContractTests).
@Suite("Migrations")
struct MigrationTests {
    @Test("migrations 12 and 13: every indexed text column but the e-mail compares byte by byte on PostgreSQL (collation C, not the database's); SQLite needs no statement",
          arguments: TestDatabase.all)
    func byteOrderedColumns(db: TestDatabase) async throws {
        let (store, _) = try await db.makeStore()
        let migrations = Migrations.all.filter { [12, 13].contains($0.version) }
        #expect(migrations.count == 2)
        switch db {
        case .sqlite:
            #expect(migrations.allSatisfy { $0.statements("COLLATE BINARY").isEmpty })
        case .postgres:
            // Every text column an index holds, read from the catalogue (not from the migration's list).
            let rows = try await store.withDatabase { db in
                try await db.raw("""
                    SELECT c.relname AS table_name, a.attname AS column_name, coll.collname AS collation_name
                    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
                    LEFT JOIN pg_collation coll ON coll.oid = a.attcollation
                    WHERE n.nspname = 'public' AND a.atttypid = 'text'::regtype
                    """).all().map { row in
                        (try row.decode(column: "table_name", as: String.self) + "." + row.decode(column: "column_name", as: String.self),
                         try row.decode(column: "collation_name", as: String?.self))
                    }
            }
            let collations = Dictionary(rows, uniquingKeysWith: { a, _ in a })
            // The ids (migration 1), the unique keys and the listed columns all compare as bytes; the
            // one left on the database's collation is an e-mail address, which people type.
            #expect(collations.count > 40)
            for (column, collation) in collations where column != "customers.email" {
                #expect(collation == "C", "\(column)")
            }
            #expect(collations["customers.email"] == .some("default"))
            for (table, column) in Migrations.byteOrderedColumns {
                #expect(collations["\(table).\(column)"] == .some("C"), "\(table).\(column) is indexed")
            }
        }
        try await store.close()
    }
}
