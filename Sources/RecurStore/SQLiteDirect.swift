import Foundation
import NIOCore
import NIOPosix
import SQLiteNIO
import VaporCSQLite

/// Direct access to the `sqlite3*` handle under sqlite-nio's connection, for the billing
/// run's hot statements: each statement is prepared once per connection and then only
/// reset and re-bound, rows are read straight from SQLite's buffers, and a whole list of
/// rows is written in one hop to SQLite's thread. (sqlite-nio prepares every statement
/// anew, hops to the event loop for every row it returns, and builds a row object per row.)
///
/// It is the same connection, so the same transaction: sqlite-nio opens its handles with
/// `SQLITE_OPEN_FULLMUTEX` (serialized mode), so each call is atomic. The store's gate lets
/// one transaction run at a time, and the transaction's ``SQLitePipeline`` runs its writes
/// one after another; every other statement waits for the queued writes first. Reads may
/// overlap one another (the billing run reads batch k+1 while pricing batch k, which may
/// look up a test clock or an invoice through sqlite-nio): that is safe because nothing
/// writes meanwhile. Two consequences rest on it: `sqlite3_changes` after a direct write is
/// that write's count, and `sqlite3_errmsg` is the failing statement's message.
///
/// The handle is found through SQLite's own extension mechanism: every connection the
/// process opens gets the SQL function `recur_connection_handle()`, which answers the handle
/// of the connection that runs it (`SQLITE_DIRECTONLY`: not from a view or a trigger).
final class SQLiteDirect: @unchecked Sendable {
    private let db: OpaquePointer
    let eventLoop: any EventLoop
    private let pool = NIOThreadPool.singleton
    /// Prepared statements by SQL text. Only used while `lock` is held.
    private var statements: [String: OpaquePointer] = [:]
    private let lock = NSLock()
    private var closed = false

    private init(db: OpaquePointer, eventLoop: any EventLoop) {
        self.db = db
        self.eventLoop = eventLoop
    }

    /// Registers `recur_connection_handle()` for every connection opened from now on
    /// (SQLite's `sqlite3_auto_extension`). Called before the store opens its connection.
    static let installed: Bool = {
        let entry: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, OpaquePointer?) -> Int32 = { db, _, _ in
            let function: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, _ in
                let handle = sqlite_nio_sqlite3_context_db_handle(context)
                sqlite_nio_sqlite3_result_int64(context, Int64(Int(bitPattern: handle)))
            }
            return sqlite_nio_sqlite3_create_function_v2(db, "recur_connection_handle", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, nil, function,
                                                         nil, nil, nil)
        }
        // SQLite calls the entry point with the connection, its error message and the API routines;
        // its declared type is `void (*)(void)`.
        return sqlite_nio_sqlite3_auto_extension(unsafeBitCast(entry, to: (@convention(c) () -> Void).self)) == SQLITE_OK
    }()

    /// The direct handle of `connection` (opened after ``installed``), or nil when the
    /// connection has no `recur_connection_handle()`.
    static func of(_ connection: SQLiteConnection) async throws -> SQLiteDirect? {
        guard installed else { return nil }
        let rows = try await connection.query("SELECT recur_connection_handle() AS handle", []).get()
        guard let value = rows.first?.column("handle")?.integer, let db = OpaquePointer(bitPattern: value) else { return nil }
        return SQLiteDirect(db: db, eventLoop: connection.eventLoop)
    }

    /// Finalizes the prepared statements; called before the connection closes.
    func close() {
        lock.withLock {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements = [:]
            closed = true
        }
    }

    /// Runs `body` on SQLite's thread pool, with the statements' lock held.
    func run<T: Sendable>(_ body: @escaping @Sendable (Session) throws -> T) -> EventLoopFuture<T> {
        pool.runIfActive(eventLoop: eventLoop) {
            try self.lock.withLock {
                guard !self.closed else { throw SQLiteDirectError(code: SQLITE_MISUSE, message: "the connection is closed", sql: "") }
                return try body(Session(owner: self))
            }
        }
    }

    /// Statements run in one hop to SQLite's thread.
    struct Session {
        fileprivate let owner: SQLiteDirect

        /// The statement for `sql`: prepared once and kept when `keep` (a statement of a fixed
        /// shape, run again and again), else prepared for this one use and finalized by `done`.
        fileprivate func prepared(_ sql: String, keep: Bool = true) throws -> OpaquePointer {
            if keep, let statement = owner.statements[sql] { return statement }
            var statement: OpaquePointer?
            let rc = sqlite_nio_sqlite3_prepare_v3(owner.db, sql, -1, keep ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0, &statement, nil)
            guard rc == SQLITE_OK, let statement else { throw owner.error(rc, sql) }
            if keep { owner.statements[sql] = statement }
            return statement
        }

        /// Runs `sql` once per row of `values` (`width` values a row, bound in order). With
        /// `insertOnly`, stops at the first row that changed nothing (an insert that met a
        /// conflict under `ON CONFLICT DO NOTHING`) and returns its index; else returns nil.
        func write(_ sql: String, values: [SQLiteData], width: Int, insertOnly: Bool) throws -> Int? {
            let statement = try prepared(sql)
            defer { sqlite_nio_sqlite3_clear_bindings(statement) }
            var row = 0
            var start = 0
            while start < values.count {
                try owner.bind(statement, values[start..<start + width], sql)
                let rc = sqlite_nio_sqlite3_step(statement)
                guard rc == SQLITE_DONE else { throw owner.failed(statement, rc, sql) }
                sqlite_nio_sqlite3_reset(statement)
                if insertOnly && sqlite_nio_sqlite3_changes(owner.db) == 0 { return row }
                row += 1
                start += width
            }
            return nil
        }

        /// Runs `sql` with `binds` and returns the first column of every row as text (nil for
        /// NULL). `keep`: see ``prepared(_:keep:)``.
        func texts(_ sql: String, _ binds: [SQLiteData], keep: Bool) throws -> [String?] {
            let statement = try prepared(sql, keep: keep)
            defer {
                if keep {
                    sqlite_nio_sqlite3_reset(statement)
                    sqlite_nio_sqlite3_clear_bindings(statement)
                } else {
                    sqlite_nio_sqlite3_finalize(statement)
                }
            }
            try owner.bind(statement, binds[...], sql)
            var out: [String?] = []
            while true {
                let rc = sqlite_nio_sqlite3_step(statement)
                if rc == SQLITE_DONE { return out }
                guard rc == SQLITE_ROW else { throw owner.error(rc, sql) }
                if let text = sqlite_nio_sqlite3_column_text(statement, 0) {
                    let count = Int(sqlite_nio_sqlite3_column_bytes(statement, 0))
                    out.append(String(decoding: UnsafeRawBufferPointer(start: text, count: count), as: UTF8.self))
                } else {
                    out.append(nil)
                }
            }
        }

        /// Runs a statement that returns no rows (`COMMIT`, `BEGIN IMMEDIATE`).
        func execute(_ sql: String) throws {
            let statement = try prepared(sql)
            defer { sqlite_nio_sqlite3_reset(statement) }
            let rc = sqlite_nio_sqlite3_step(statement)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw owner.failed(statement, rc, sql) }
        }
    }

    fileprivate func bind(_ statement: OpaquePointer, _ values: ArraySlice<SQLiteData>, _ sql: String) throws {
        for (i, value) in zip(values.indices, values) {
            let index = Int32(i - values.startIndex + 1)
            let rc: Int32
            switch value {
            case .text(let text):
                var text = text
                rc = text.withUTF8 { utf8 in
                    utf8.withMemoryRebound(to: CChar.self) { chars in
                        sqlite_nio_sqlite3_bind_text64(statement, index, chars.baseAddress ?? Self.empty, UInt64(chars.count), Self.transient, UInt8(SQLITE_UTF8))
                    }
                }
            case .integer(let int): rc = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(int))
            case .float(let double): rc = sqlite_nio_sqlite3_bind_double(statement, index, double)
            case .null: rc = sqlite_nio_sqlite3_bind_null(statement, index)
            case .blob(let buffer):
                rc = buffer.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient) }
            }
            guard rc == SQLITE_OK else { throw error(rc, sql) }
        }
    }

    fileprivate func error(_ rc: Int32, _ sql: String) -> SQLiteDirectError {
        SQLiteDirectError(code: rc, message: String(cString: sqlite_nio_sqlite3_errmsg(db)), sql: sql)
    }

    /// The error of a failed step; the statement is reset so that it can run again.
    fileprivate func failed(_ statement: OpaquePointer, _ rc: Int32, _ sql: String) -> SQLiteDirectError {
        let e = error(rc, sql)
        sqlite_nio_sqlite3_reset(statement)
        sqlite_nio_sqlite3_clear_bindings(statement)
        return e
    }

    /// `SQLITE_TRANSIENT`: SQLite copies the bound bytes before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    /// The bytes of an empty text (its length is what SQLite reads).
    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = UnsafePointer(strdup("")!)
}

/// A failure reported by SQLite to a direct statement.
struct SQLiteDirectError: Error, CustomStringConvertible {
    let code: Int32
    let message: String
    let sql: String
    var description: String { "SQLite error \(code): \(message) (in \(sql.prefix(120)))" }
}
