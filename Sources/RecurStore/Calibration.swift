import Foundation
import NIOCore
import PostgresKit
import SQLiteNIO

extension SQLStore {
    /// The reference workload, to calibrate `bench billing` on the machine at hand:
    /// plain batched inserts of 4 small rows per invoice (an invoice and 3 lines: a text
    /// key, two short texts, an integer; no JSON, one secondary index), `batch` invoices per
    /// transaction, through the same drivers as the billing run (SQLite: multi-row
    /// `VALUES` of 200 rows bound as `SQLiteData`; PostgreSQL: one `unnest` statement per
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
            case .sqlite(let connection, let gate):
                try await gate.run {
                    _ = try await connection.query("BEGIN IMMEDIATE", []).get()
                    do {
                        try await Self.sqliteCalibrationBatch(range, on: connection)
                        _ = try await connection.query("COMMIT", []).get()
                    } catch {
                        _ = try? await connection.query("ROLLBACK", []).get()
                        throw error
                    }
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

    static func sqliteCalibrationBatch(_ range: Range<Int>, on connection: SQLiteConnection) async throws {
        let (invoices, lines) = calibrationRows(range)
        for (table, rows) in [("calibration_invoices (id, customer, number, total)", invoices), ("calibration_lines (id, invoice, description, amount)", lines)] {
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(start + 200, rows.count)]
                let sql = "INSERT INTO \(table) VALUES " + Array(repeating: "(?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
                var binds: [SQLiteData] = []
                binds.reserveCapacity(chunk.count * 4)
                for r in chunk { binds += [.text(r.0), .text(r.1), .text(r.2), .integer(Int(r.3))] }
                _ = try await connection.query(sql, binds).get()
                start += 200
            }
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
