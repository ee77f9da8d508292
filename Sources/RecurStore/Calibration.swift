import Foundation
import NIOCore
import PostgresKit
import SQLiteNIO

extension SQLStore {
    /// The reference workload, to calibrate `bench billing` on the machine at hand:
    /// plain batched inserts of 4 small rows per invoice (an invoice and 3 lines: a text
    /// key, two short texts, an integer; no JSON, one secondary index), `batch` invoices per
    /// transaction, through the same drivers as the billing run (SQLite: a
    /// single-row statement prepared once and run for every row, ``SQLiteDirect``; PostgreSQL: one `unnest` statement per
    /// table with binary array binds). Creates and drops its own two tables. Returns the
    /// number of invoices written.
    public func calibrationInserts(invoices n: Int, batch: Int) async throws -> Int {
        try await execute("DROP TABLE IF EXISTS calibration_lines")
        try await execute("DROP TABLE IF EXISTS calibration_invoices")
        try await execute("CREATE TABLE calibration_invoices (id TEXT PRIMARY KEY, customer TEXT NOT NULL, number TEXT NOT NULL, total BIGINT NOT NULL)")
        try await execute("CREATE TABLE calibration_lines (id TEXT PRIMARY KEY, invoice TEXT NOT NULL, description TEXT NOT NULL, amount BIGINT NOT NULL)")
        try await execute("CREATE INDEX calibration_lines_invoice ON calibration_lines (invoice)")
        var written = 0
        while written < n {
            let range = written..<min(written + batch, n)
            switch backend {
            case .sqlite(_, let gate, let direct):
                try await gate.run {
                    try await direct.run { s in
                        try s.execute("BEGIN IMMEDIATE")
                        do {
                            try Self.sqliteCalibrationBatch(range, in: s)
                            try s.execute("COMMIT")
                        } catch {
                            try? s.execute("ROLLBACK")
                            throw error
                        }
                    }.get()
                }
            case .postgres(let client, _):
                try await client.withConnection { conn in
                    try await conn.query("BEGIN", logger: self.logger)
                    do {
                        try await self.postgresCalibrationBatch(range, on: conn)
                        try await conn.query("COMMIT", logger: self.logger)
                    } catch {
                        _ = try? await conn.query("ROLLBACK", logger: self.logger)
                        throw error
                    }
                }
            }
            written = range.upperBound
        }
        try await execute("DROP TABLE calibration_lines")
        try await execute("DROP TABLE calibration_invoices")
        return written
    }

    static func calibrationRows(_ range: Range<Int>) -> (invoices: [(String, String, String, Int64)], lines: [(String, String, String, Int64)]) {
        var invoices: [(String, String, String, Int64)] = []
        var lines: [(String, String, String, Int64)] = []
        invoices.reserveCapacity(range.count)
        lines.reserveCapacity(range.count * 3)
        for i in range {
            // Ids in key order, as the store's time-ordered ids are.
            let digits = String(i)
            let id = "in_" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
            invoices.append((id, "cus_\(i % 1000)", "INV-2026-\(i)", 1_795_200))
            for k in 0..<3 { lines.append(("\(id)_\(k)", id, "Line \(k)", 598_400)) }
        }
        return (invoices, lines)
    }

    static func sqliteCalibrationBatch(_ range: Range<Int>, in s: SQLiteDirect.Session) throws {
        let (invoices, lines) = calibrationRows(range)
        for (table, rows) in [("calibration_invoices (id, customer, number, total)", invoices), ("calibration_lines (id, invoice, description, amount)", lines)] {
            var values: [SQLiteData] = []
            values.reserveCapacity(rows.count * 4)
            for r in rows { values += [.text(r.0), .text(r.1), .text(r.2), .integer(Int(r.3))] }
            _ = try s.write("INSERT INTO \(table) VALUES (?, ?, ?, ?)", values: values, width: 4, insertOnly: false)
        }
    }

    func postgresCalibrationBatch(_ range: Range<Int>, on conn: PostgresConnection) async throws {
        let (invoices, lines) = Self.calibrationRows(range)
        for (table, rows) in [("calibration_invoices", invoices), ("calibration_lines", lines)] {
            var arrays = [PostgresNullableArray(text: true, count: rows.count), PostgresNullableArray(text: true, count: rows.count),
                          PostgresNullableArray(text: true, count: rows.count), PostgresNullableArray(text: false, count: rows.count)]
            for r in rows {
                arrays[0].append(text: r.0)
                arrays[1].append(text: r.1)
                arrays[2].append(text: r.2)
                arrays[3].append(int: r.3)
            }
            var binds = PostgresBindings(capacity: 4)
            for a in arrays { try binds.append(a) }
            try await conn.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])",
                                               binds: binds), logger: logger)
        }
    }
}
