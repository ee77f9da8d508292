import Foundation
public import RecurEngine
public import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLiteKit
import SQLiteNIO
import SQLKit

/// RecurStore: the ``Store`` port over SQLKit, on an embedded SQLite file (the
/// default, no set-up) or a PostgreSQL server (production). The SQL is the same for
/// both; only the connection and the text collation differ.
///
/// SQLite runs one connection and one transaction at a time (SQLite has a single
/// writer). PostgreSQL leases a connection from a pool for each transaction.
public final class SQLStore: Store, @unchecked Sendable {
    enum Backend {
        case sqlite(SQLiteConnection, SerialGate, SQLiteDirect)
        case postgres(PostgresClient, Task<Void, Never>)
    }

    let backend: Backend
    let logger: Logger
    public var kind: String {
        if case .sqlite = backend { "sqlite" } else { "postgres" }
    }

    /// SQLite queues a transaction's writes and its ``Transaction/commitAndContinue()``.
    public var queuesWrites: Bool {
        if case .sqlite = backend { true } else { false }
    }

    private init(backend: Backend, logger: Logger) {
        self.backend = backend
        self.logger = logger
    }

    /// An SQLite database in the file at `path`, or in memory for `:memory:`.
    public static func sqlite(path: String, logger: Logger = Logger(label: "recur.store")) async throws -> SQLStore {
        let storage: SQLiteConnection.Storage = path == ":memory:" ? .memory : .file(path: path)
        guard SQLiteDirect.installed else { throw StoreConfigurationError(message: "SQLite refused the store's connection-handle function") }
        let connection = try await SQLiteConnection.open(storage: storage, logger: logger).get()
        let found: SQLiteDirect?
        do {
            found = try await SQLiteDirect.of(connection)
        } catch {
            try? await connection.close().get()
            throw error
        }
        guard let direct = found else {
            try? await connection.close().get()
            throw StoreConfigurationError(message: "SQLite connection opened without the store's connection-handle function")
        }
        let store = SQLStore(backend: .sqlite(connection, SerialGate(), direct), logger: logger)
        let db = connection.sql(queryLogLevel: nil)
        try await db.raw("PRAGMA journal_mode = WAL").run()
        try await db.raw("PRAGMA synchronous = NORMAL").run()
        try await db.raw("PRAGMA foreign_keys = ON").run()
        try await db.raw("PRAGMA busy_timeout = 5000").run()
        // A 64 MiB page cache (the default is 2 MiB): a billing run touches six tables and their indexes.
        try await db.raw("PRAGMA cache_size = -65536").run()
        return store
    }

    /// A PostgreSQL database at a `postgres://user:password@host:port/database` URL.
    /// - throws: `StoreConfigurationError` for a URL that is not one.
    public static func postgres(url: String, logger: Logger = Logger(label: "recur.store")) async throws -> SQLStore {
        guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? ""), let host = c.host else {
            throw StoreConfigurationError(message: "Not a postgres:// URL: \(url)")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        var config = PostgresClient.Configuration(host: host, port: c.port ?? 5432, username: c.user ?? "postgres",
                                                  password: c.password, database: database.isEmpty ? nil : database, tls: .disable)
        config.options.maximumConnections = 20
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        // The pool should be running before the first lease (PostgresNIO warns otherwise): the
        // opener waits until the task is about to call `run()`, which marks the pool as running
        // at once. It narrows the window to a few instructions rather than closing it; PostgresNIO
        // has no signal for "running".
        let (started, signal) = AsyncStream<Void>.makeStream()
        let task = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        let store = SQLStore(backend: .postgres(client, task), logger: logger)
        try await store.ping()
        return store
    }

    public func close() async throws {
        switch backend {
        case .sqlite(let c, _, let direct):
            direct.close()
            try await c.close().get()
        case .postgres(_, let task): task.cancel()
        }
    }

    /// Runs one SQL statement outside a transaction (administration and tests:
    /// `CREATE DATABASE` cannot run inside one).
    public func execute(_ sql: String) async throws {
        try await withDatabase { db in try await db.raw(SQLQueryString(sql)).run() }
    }

    public func ping() async throws {
        try await withDatabase { db in try await db.raw("SELECT 1").run() }
    }

    /// Runs `body` with one connection, outside any transaction.
    func withDatabase<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let c, let gate, _):
            return try await gate.run { try await body(c.sql(queryLogLevel: nil)) }
        case .postgres(let client, _):
            return try await client.withConnection { conn in try await body(conn.sql(queryLogLevel: nil)) }
        }
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any RecurEngine.Transaction) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let c, let gate, let direct):
            return try await gate.run {
                try await Self.run(SQLTransaction(db: c.sql(queryLogLevel: nil), rowLocks: false, sqlite: direct, pipeline: SQLitePipeline(),
                                                  counters: SQLiteCounters()),
                                   begin: "BEGIN IMMEDIATE", body)
            }
        case .postgres(let client, _):
            return try await client.withConnection { conn in
                try await Self.run(SQLTransaction(db: conn.sql(queryLogLevel: nil), rowLocks: true, postgres: conn, logger: self.logger,
                                                  failedWrite: FailedWrite()), begin: "BEGIN", body)
            }
        }
    }

    private static func run<T: Sendable>(_ tx: SQLTransaction, begin: SQLQueryString,
                                         _ body: @escaping @Sendable (any RecurEngine.Transaction) async throws -> T) async throws -> T {
        try await tx.db.raw(begin).run()
        do {
            let result = try await body(tx)
            // The last multi-row write has finished, and succeeded, before the commit; a failed one,
            // even caught, never commits (its statement may have written the rows before the duplicate).
            try await tx.pipeline?.drain()
            try tx.failedWrite?.check()
            try await tx.db.raw("COMMIT").run()
            return result
        } catch {
            try? await tx.pipeline?.drain()
            try? await tx.db.raw("ROLLBACK").run()
            // On PostgreSQL a failed write aborts the transaction, so a caller that caught its
            // duplicate fails at its next statement ("current transaction is aborted", 25P02):
            // the duplicate is the cause, and is what the transaction throws.
            if let aborted = error as? PSQLError, aborted.serverInfo?[.sqlState] == "25P02" { try tx.failedWrite?.check() }
            throw error
        }
    }

    @discardableResult
    public func migrate() async throws -> [Int] {
        let collation = kind == "sqlite" ? "COLLATE BINARY" : "COLLATE \"C\""
        return try await withDatabase { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)").run()
            let done = Set(try await db.raw("SELECT version FROM schema_migrations").all().map { try $0.decode(column: "version", as: Int.self) })
            var applied: [Int] = []
            for m in Migrations.all where !done.contains(m.version) {
                try await db.raw("BEGIN").run()
                do {
                    for statement in m.statements(collation) { try await db.raw(SQLQueryString(statement)).run() }
                    try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: m.version), \(bind: m.name), \(bind: ISO8601DateFormatter().string(from: Date())))").run()
                    try await db.raw("COMMIT").run()
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
                applied.append(m.version)
            }
            return applied
        }
    }
}

public struct StoreConfigurationError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// The statements of one transaction.
struct SQLTransaction: RecurEngine.Transaction {
    let db: any SQLDatabase
    /// PostgreSQL takes row locks; SQLite's single writer needs none.
    let rowLocks: Bool
    /// On SQLite, the connection's own handle: the billing run's reads and multi-row writes use
    /// statements prepared once and bound directly (``SQLiteDirect``), not SQLKit's encoding.
    var sqlite: SQLiteDirect? = nil
    /// On SQLite, the multi-row write still running on SQLite's thread, if any (see ``SQLitePipeline``).
    var pipeline: SQLitePipeline? = nil
    /// On PostgreSQL, the connection itself: the billing run's reads and multi-row writes use
    /// PostgresNIO's binary binds (and one `unnest` statement per table) instead of SQLKit's encoding.
    var postgres: PostgresConnection? = nil
    var logger: Logger = Logger(label: "recur.store")
    /// On PostgreSQL, a multi-row write that found a duplicate (SQLite's pipeline keeps its own).
    var failedWrite: FailedWrite? = nil
    /// On SQLite, the counters this transaction has advanced, as it left them (see ``advanceSequence(_:by:)``).
    var counters: SQLiteCounters? = nil

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    func json<R: Record>(_ r: R) throws -> String {
        if let fast = r as? any FastJSONRecord { return fast.jsonText() }
        return String(decoding: try Self.encoder.encode(r), as: UTF8.self)
    }

    func bind(_ v: ColumnValue) -> any Encodable & Sendable {
        switch v {
        case .text(let s): s
        case .int(let i): i
        }
    }

    func insert<R: Record>(_ record: R) async throws {
        try await pipeline?.drain()
        let columns = record.columns.sorted { $0.key < $1.key }
        var query = SQLQueryString("INSERT INTO \(ident: R.table) (id, data")
        for (name, _) in columns { query.appendInterpolation(unsafeRaw: ", " + name) }
        query.appendInterpolation(unsafeRaw: ") VALUES (")
        query.appendInterpolation(bind: record.id)
        query.appendInterpolation(unsafeRaw: ", ")
        query.appendInterpolation(bind: try json(record))
        for (_, v) in columns {
            query.appendInterpolation(unsafeRaw: ", ")
            query.appendInterpolation(bind: bind(v))
        }
        // Any unique conflict — the id, or an invoice's billing key — is a duplicate.
        query.appendInterpolation(unsafeRaw: ") ON CONFLICT DO NOTHING RETURNING id")
        let rows = try await db.raw(query).all()
        if rows.isEmpty { throw StoreError(.duplicate, table: R.table, id: record.id) }
    }

    func update<R: Record>(_ record: R) async throws {
        try await pipeline?.drain()
        var query = SQLQueryString("UPDATE \(ident: R.table) SET data = \(bind: try json(record))")
        for (name, v) in record.columns.sorted(by: { $0.key < $1.key }) {
            query.appendInterpolation(unsafeRaw: ", \(name) = ")
            query.appendInterpolation(bind: bind(v))
        }
        query.appendInterpolation(unsafeRaw: " WHERE id = ")
        query.appendInterpolation(bind: record.id)
        query.appendInterpolation(unsafeRaw: " RETURNING id")
        if try await db.raw(query).all().isEmpty { throw StoreError(.notFound, table: R.table, id: record.id) }
    }

    func delete<R: Record>(_ type: R.Type, id: String) async throws {
        try await pipeline?.drain()
        let rows = try await db.raw("DELETE FROM \(ident: R.table) WHERE id = \(bind: id) RETURNING id").all()
        if rows.isEmpty { throw StoreError(.notFound, table: R.table, id: id) }
    }

    /// SQLite: `COMMIT` and `BEGIN IMMEDIATE` queued behind the writes (the store's gate is
    /// held throughout, so nobody else writes in between). PostgreSQL: both at once.
    func commitAndContinue() async throws {
        if let pipeline, let sqlite {
            pipeline.enqueue {
                sqlite.run { s in
                    try s.execute("COMMIT")
                    try s.execute("BEGIN IMMEDIATE")
                }
            }
            return
        }
        try await db.raw("COMMIT").run()
        try await db.raw("BEGIN").run()
    }

    /// SQLite: `read` waits only for the writes queued before this call (its statements'
    /// `drain()` stops there), and a barrier queued behind them holds back every later write
    /// until `read` has ended. PostgreSQL writes nothing behind the caller's back: the read
    /// simply runs beside it (the billing run reads ahead only where writes are queued).
    func readAhead<T: Sendable>(_ read: @escaping @Sendable () async throws -> T) -> Task<T, any Error> {
        guard let pipeline, let sqlite else { return Task { try await read() } }
        // Inside another read ahead of this transaction: the same place in the queue, and the
        // outer barrier already holds back what follows (a second one would wait for itself).
        if let outer = SQLitePipeline.readingBefore, outer.pipeline == ObjectIdentifier(pipeline) { return Task { try await read() } }
        let before = pipeline.mark()
        let task = Task { try await SQLitePipeline.$readingBefore.withValue(before) { try await read() } }
        pipeline.enqueue {
            let done = sqlite.eventLoop.makePromise(of: Void.self)
            Task {
                _ = await task.result
                done.succeed()
            }
            return done.futureResult
        }
        return task
    }

    func find<R: Record>(_ type: R.Type, id: String) async throws -> R? {
        try await pipeline?.drain()
        guard let row = try await db.raw("SELECT data FROM \(ident: R.table) WHERE id = \(bind: id)").first() else { return nil }
        return try decode(row)
    }

    func lock<R: Record>(_ type: R.Type, id: String) async throws -> R? {
        try await pipeline?.drain()
        let sql: SQLQueryString = rowLocks
            ? "SELECT data FROM \(ident: R.table) WHERE id = \(bind: id) FOR UPDATE"
            : "SELECT data FROM \(ident: R.table) WHERE id = \(bind: id)"
        guard let row = try await db.raw(sql).first() else { return nil }
        return try decode(row)
    }

    func decode<R: Record>(_ row: any SQLRow) throws -> R {
        try decode(text: try row.decode(column: "data", as: String.self))
    }

    func decode<R: Record>(text: String) throws -> R {
        // The hot records read themselves; on any surprise JSONDecoder reads the text and names the problem.
        if let fast = R.self as? any FastJSONDecodable.Type {
            var reader = JSONReader(text)
            if let value = try? fast.init(json: &reader), (try? reader.end()) != nil, let record = value as? R { return record }
        }
        return try Self.decoder.decode(R.self, from: Data(text.utf8))
    }

    private func select<R: Record>(_ type: R.Type, filters: [String: ColumnValue], startingAfter: String?, limit: Int?) -> SQLQueryString {
        var query = SQLQueryString("SELECT data, id FROM \(ident: R.table) WHERE 1 = 1")
        for (name, v) in filters.sorted(by: { $0.key < $1.key }) {
            precondition(name.allSatisfy { $0.isLetter || $0 == "_" }, "column names are identifiers")
            switch v {
            case .text(nil), .int(nil): query.appendInterpolation(unsafeRaw: " AND \(name) IS NULL")
            default:
                query.appendInterpolation(unsafeRaw: " AND \(name) = ")
                query.appendInterpolation(bind: bind(v))
            }
        }
        if let after = startingAfter {
            query.appendInterpolation(unsafeRaw: " AND id > ")
            query.appendInterpolation(bind: after)
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY id")
        if let limit {
            query.appendInterpolation(unsafeRaw: " LIMIT ")
            query.appendInterpolation(bind: limit)
        }
        return query
    }

    func list<R: Record>(_ type: R.Type, filters: [String: ColumnValue], limit: Int, startingAfter: String?) async throws -> Page<R> {
        try await pipeline?.drain()
        let rows = try await db.raw(select(type, filters: filters, startingAfter: startingAfter, limit: limit + 1)).all()
        let items: [R] = try rows.prefix(limit).map { try decode($0) }
        return Page(items: items, hasMore: rows.count > limit)
    }

    /// Runs a query whose first column is `data` with `?` placeholders bound to `params`
    /// directly on the connection (`$1…` on PostgreSQL), and reads the records: the billing
    /// run's reads skip SQLKit's per-value decoding. `fixedShape`: the same SQL text comes
    /// again (SQLite keeps the statement prepared).
    func selectData<R: Record>(_ sql: String, _ params: [ColumnValue], fixedShape: Bool) async throws -> [R] {
        if let sqlite {
            let binds: [SQLiteData] = params.map {
                switch $0 {
                case .text(let t): t.map { .text($0) } ?? .null
                case .int(let i): i.map { .integer(Int($0)) } ?? .null
                }
            }
            let texts = try await sqlite.run { s in try s.texts(sql, binds, keep: fixedShape) }.get()
            return try texts.map { text in
                guard let text else { throw StoreError(.notFound, table: R.table, id: "data") }
                return try decode(text: text)
            }
        }
        guard let postgres else { preconditionFailure("a transaction has an SQLite or a PostgreSQL connection") }
        var numbered = ""
        numbered.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        for ch in sql {
            if ch == "?" {
                n += 1
                numbered += "$\(n)"
            } else {
                numbered.append(ch)
            }
        }
        var binds = PostgresBindings(capacity: params.count)
        for p in params {
            switch p {
            case .text(let t): try binds.append(t)
            case .int(let i): try binds.append(i)
            }
        }
        var out: [R] = []
        for try await text in try await postgres.query(PostgresQuery(unsafeSQL: numbered, binds: binds), logger: logger).decode(String.self) {
            out.append(try decode(text: text))
        }
        return out
    }

    func due<R: Record>(_ type: R.Type, column: String, atMost value: Int64, after: (Int64, String)?, limit: Int) async throws -> [R] {
        try await due(type, column: column, atMost: value, after: after, limit: limit, locking: rowLocks)
    }

    func dueUnlocked<R: Record>(_ type: R.Type, column: String, atMost value: Int64, after: (Int64, String)?, limit: Int) async throws -> [R] {
        try await due(type, column: column, atMost: value, after: after, limit: limit, locking: false)
    }

    func due<R: Record>(_ type: R.Type, column: String, atMost value: Int64, after: (Int64, String)?, limit: Int, locking: Bool) async throws -> [R] {
        try await pipeline?.drain()
        precondition(column.allSatisfy { $0.isLetter || $0 == "_" }, "column names are identifiers")
        var sql = "SELECT data FROM \(R.table) WHERE \(column) <= ?"
        var params: [ColumnValue] = [.int(value)]
        if let (at, id) = after {
            sql += " AND (\(column), id) > (?, ?)"
            params += [.int(at), .text(id)]
        }
        sql += " ORDER BY \(column), id LIMIT ?"
        params.append(.int(Int64(limit)))
        if locking { sql += " FOR UPDATE SKIP LOCKED" }
        return try await selectData(sql, params, fixedShape: true)
    }

    func all<R: Record>(_ type: R.Type, filters: [String: ColumnValue]) async throws -> [R] {
        try await pipeline?.drain()
        return try await db.raw(select(type, filters: filters, startingAfter: nil, limit: nil)).all().map { try decode($0) }
    }

    func multiRowInsert<R: Record>(_ records: [R], upsert: Bool) async throws {
        guard let first = records.first else { return }
        let names = first.columns.keys.sorted()
        if let sqlite, let pipeline { return sqliteQueuedInsert(records, names: names, upsert: upsert, on: sqlite, queue: pipeline) }
        guard let postgres else { preconditionFailure("a transaction has an SQLite or a PostgreSQL connection") }
        try await postgresUnnestInsert(records, names: names, upsert: upsert, on: postgres)
    }

    /// SQLite: one single-row statement per table, prepared once per connection and run for
    /// every record in one hop to SQLite's thread (``SQLiteDirect``), queued: the statement is
    /// handed to the transaction's ``SQLitePipeline`` and runs after the ones queued before it,
    /// while the caller goes on (prices the next batch of a billing run). Its JSON and binds are
    /// built by a task of their own, beside both. The transaction's next read, or its commit,
    /// waits for the queue; a duplicate found by a queued statement is thrown there, and the
    /// statements queued after it never run, so the transaction rolls back as before.
    func sqliteQueuedInsert<R: Record>(_ records: [R], names: [String], upsert: Bool, on direct: SQLiteDirect,
                                       queue: SQLitePipeline) {
        let placeholders = Array(repeating: "?", count: names.count + 2).joined(separator: ", ")
        let sql = "INSERT INTO \(R.table) (id, data" + names.map { ", " + $0 }.joined() + ") VALUES (" + placeholders + ")"
            + (upsert ? " ON CONFLICT (id) DO UPDATE SET data = excluded.data" + names.map { ", \($0) = excluded.\($0)" }.joined()
                      : " ON CONFLICT DO NOTHING")
        let table = R.table
        let width = names.count + 2
        let tx = self
        let build: @Sendable () throws -> [SQLiteData] = {
            var values: [SQLiteData] = []
            values.reserveCapacity(records.count * width)
            for record in records {
                values.append(.text(record.id))
                values.append(.text(try tx.json(record)))
                let columns = record.columns
                for name in names {
                    switch columns[name] ?? .text(nil) {
                    case .text(let t): values.append(t.map { .text($0) } ?? .null)
                    case .int(let i): values.append(i.map { .integer(Int($0)) } ?? .null)
                    }
                }
            }
            return values
        }
        let ids = upsert ? [] : records.map(\.id)
        let promise = direct.eventLoop.makePromise(of: [SQLiteData].self)
        Task.detached { promise.completeWith(Result { try build() }) }
        let encoded = promise.futureResult
        queue.enqueue {
            encoded.flatMap { values in
                direct.run { s in
                    if let k = try s.write(sql, values: values, width: width, insertOnly: !upsert) {
                        // Any unique conflict, the id or an invoice's billing key, is a duplicate.
                        throw StoreError(.duplicate, table: table, id: ids[k])
                    }
                }
            }
        }
    }

    /// PostgreSQL: all the records in one statement whose columns are bound as arrays,
    /// `INSERT … SELECT * FROM unnest($1::text[], …)`, in PostgresNIO's binary format: a
    /// statement of the same small size whatever the number of rows, so the server parses
    /// and plans it once per table and batch rather than a thousand-value `VALUES` list.
    func postgresUnnestInsert<R: Record>(_ records: [R], names: [String], upsert: Bool, on conn: PostgresConnection) async throws {
        let firstColumns = records[0].columns
        var arrays: [PostgresNullableArray] = [PostgresNullableArray(text: true, count: records.count),
                                               PostgresNullableArray(text: true, count: records.count)]
        for name in names {
            if case .int = firstColumns[name] ?? .text(nil) {
                arrays.append(PostgresNullableArray(text: false, count: records.count))
            } else {
                arrays.append(PostgresNullableArray(text: true, count: records.count))
            }
        }
        for record in records {
            arrays[0].append(text: record.id)
            arrays[1].append(text: try json(record))
            let columns = record.columns
            for (k, name) in names.enumerated() {
                switch columns[name] ?? .text(nil) {
                case .text(let t): arrays[k + 2].append(text: t)
                case .int(let i): arrays[k + 2].append(int: i)
                }
            }
        }
        var binds = PostgresBindings(capacity: arrays.count)
        for a in arrays { try binds.append(a) }
        let casts = arrays.enumerated().map { "$\($0.offset + 1)::\($0.element.isText ? "text[]" : "bigint[]")" }.joined(separator: ", ")
        let columns = "(id, data" + names.map { ", " + $0 }.joined() + ")"
        if upsert {
            // The records exist (a billing run saves what it read): a plain `UPDATE … FROM unnest`
            // is cheaper than an upsert's speculative insertion. Any that did not exist are then
            // inserted by the upsert, which rewrites the others with the same values.
            let update = "UPDATE \(R.table) AS t SET data = u.data" + names.map { ", \($0) = u.\($0)" }.joined()
                + " FROM unnest(\(casts)) AS u\(columns) WHERE t.id = u.id"
            let result: PostgresQueryResult = try await conn.query(PostgresQuery(unsafeSQL: update, binds: binds), logger: logger).get()
            if result.metadata.rows == records.count { return }
            let sql = "INSERT INTO \(R.table) \(columns) SELECT * FROM unnest(\(casts)) ON CONFLICT (id) DO UPDATE SET data = excluded.data"
                + names.map { ", \($0) = excluded.\($0)" }.joined()
            try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
            return
        }
        // A plain `INSERT`: without `ON CONFLICT` the server checks each unique index as it inserts
        // the entry, instead of looking first (speculative insertion). A duplicate fails the
        // statement, and with it the transaction, as a duplicate found any other way does.
        let sql = "INSERT INTO \(R.table) \(columns) SELECT * FROM unnest(\(casts))"
        do {
            try await conn.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            let duplicate = StoreError(.duplicate, table: R.table, id: Self.duplicateID(error.serverInfo?[.detail] ?? "", in: records))
            failedWrite?.record(duplicate)
            throw duplicate
        }
    }

    /// The id of the record PostgreSQL's unique violation names: its detail reads
    /// `Key (column)=(value) already exists.` in English, `La clé « (column)=(value) » existe
    /// déjà.` in French, and so on in the server's `lc_messages`; the `(column)=(value)` part is
    /// never translated, so it is what is looked for. The key is the id or another unique column
    /// (an invoice's billing key). Of two records of the batch with that value, the later one
    /// (the earlier was inserted); the value itself when no record has it.
    static func duplicateID<R: Record>(_ detail: String, in records: [R]) -> String {
        let bytes = Array(detail.utf8)
        let isNameByte = { (b: UInt8) in (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F }
        // The first "(name)=(" whose name is a column name; the value runs to the last ")".
        var found: (column: String, valueStart: Int)?
        var i = 0
        while i < bytes.count, found == nil {
            if bytes[i] == UInt8(ascii: "(") {
                var j = i + 1
                while j < bytes.count, isNameByte(bytes[j]) { j += 1 }
                if j > i + 1, j + 2 < bytes.count, bytes[j] == UInt8(ascii: ")"), bytes[j + 1] == UInt8(ascii: "="), bytes[j + 2] == UInt8(ascii: "(") {
                    found = (String(decoding: bytes[(i + 1)..<j], as: UTF8.self), j + 3)
                }
            }
            i += 1
        }
        guard let (column, start) = found, let end = bytes.lastIndex(of: UInt8(ascii: ")")), end >= start else { return detail }
        let value = String(decoding: bytes[start..<end], as: UTF8.self)
        if column == "id" { return value }
        return records.last { $0.columns[column] == .text(value) }?.id ?? value
    }

    func insertAll<R: Record>(_ records: [R]) async throws {
        try await multiRowInsert(records, upsert: false)
    }

    func saveAll<R: Record>(_ records: [R]) async throws {
        try await multiRowInsert(records, upsert: true)
    }

    func lockAll<R: Record>(_ type: R.Type, ids: [String], skipLocked: Bool) async throws -> [R] {
        try await pipeline?.drain()
        guard !ids.isEmpty else { return [] }
        var out: [R] = []
        var start = 0
        while start < ids.count {
            let chunk = ids[start..<min(start + 500, ids.count)]
            let tail = !rowLocks ? ") ORDER BY id" : skipLocked ? ") ORDER BY id FOR UPDATE SKIP LOCKED" : ") ORDER BY id FOR UPDATE"
            let sql = "SELECT data FROM \(R.table) WHERE id IN (" + Array(repeating: "?", count: chunk.count).joined(separator: ", ") + tail
            out += try await selectData(sql, chunk.map { .text($0) }, fixedShape: false)
            start += 500
        }
        return out
    }

    func nextSequenceValues(_ name: String, count: Int) async throws -> ClosedRange<Int64> {
        precondition(count > 0, "at least one value")
        let last = try await advanceSequence(name, by: count)
        return (last - Int64(count) + 1)...last
    }

    func nextSequenceValue(_ name: String) async throws -> Int64 {
        try await advanceSequence(name, by: 1)
    }

    /// Adds `count` to the counter and returns its new value. The counter's row is locked
    /// until the transaction ends, so numbers are gap-free and never shared. A counter used
    /// for the first time is created at 0 first (`ON CONFLICT` for two first uses at once).
    ///
    /// SQLite: a transaction holds the only writer, so after its first use of a counter (which
    /// waits for the queued writes and reads it) it knows the value and numbers without waiting:
    /// the update is queued with the writes, as `SET value = new WHERE value = old`. Between
    /// the batches of a billing run (`commitAndContinue`) another process could number on the
    /// same file; the guard then changes nothing, and the write fails as a conflict instead of
    /// two documents sharing a number.
    private func advanceSequence(_ name: String, by count: Int) async throws -> Int64 {
        if let counters, let pipeline, let sqlite, let old = counters.value(name) {
            let new = old + Int64(count)
            counters.set(name, new)
            pipeline.enqueue {
                sqlite.run { s in
                    let values: [SQLiteData] = [.integer(Int(new)), .text(name), .integer(Int(old))]
                    if try s.write("UPDATE sequences SET value = ? WHERE name = ? AND value = ?", values: values, width: 3, insertOnly: true) != nil {
                        throw StoreError(.conflict, table: "sequences", id: name)
                    }
                }
            }
            return new
        }
        let value = try await advanceSequenceNow(name, by: count)
        counters?.set(name, value)
        return value
    }

    private func advanceSequenceNow(_ name: String, by count: Int) async throws -> Int64 {
        try await pipeline?.drain()
        let advance: SQLQueryString = "UPDATE sequences SET value = value + \(bind: count) WHERE name = \(bind: name) RETURNING value"
        if let row = try await db.raw(advance).first() { return try row.decode(column: "value", as: Int64.self) }
        try await db.raw("INSERT INTO sequences (name, value) VALUES (\(bind: name), 0) ON CONFLICT (name) DO NOTHING").run()
        guard let row = try await db.raw(advance).first() else { throw StoreError(.notFound, table: "sequences", id: name) }
        return try row.decode(column: "value", as: Int64.self)
    }
}

/// The counters an SQLite transaction has advanced, by name, with the value it left them at.
final class SQLiteCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Int64] = [:]
    func value(_ name: String) -> Int64? { lock.withLock { values[name] } }
    func set(_ name: String, _ value: Int64) { lock.withLock { values[name] = value } }
}

/// One at a time: SQLite's single connection runs one transaction after another.
actor SerialGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
    }
}

/// A PostgreSQL `text[]` or `bigint[]` parameter whose elements may be NULL (PostgresNIO's
/// own arrays have no NULL elements), written in the binary array format: dimensions,
/// a has-NULL flag, the element type, then each element's length (-1 for NULL) and bytes.
struct PostgresNullableArray: PostgresThrowingDynamicTypeEncodable {
    var psqlType: PostgresDataType { isText ? .textArray : .int8Array }
    var psqlFormat: PostgresFormat { .binary }

    let isText: Bool
    private(set) var count = 0
    private var hasNull = false
    private var elements: ByteBuffer

    init(text: Bool, count: Int) {
        isText = text
        elements = ByteBufferAllocator().buffer(capacity: text ? count * 64 : count * 12)
    }

    mutating func append(text: String?) {
        count += 1
        guard let text else {
            hasNull = true
            elements.writeInteger(Int32(-1))
            return
        }
        let lengthIndex = elements.writerIndex
        elements.writeInteger(Int32(0))
        let written = elements.writeString(text)
        elements.setInteger(Int32(written), at: lengthIndex)
    }

    mutating func append(int: Int64?) {
        count += 1
        guard let int else {
            hasNull = true
            elements.writeInteger(Int32(-1))
            return
        }
        elements.writeInteger(Int32(8))
        elements.writeInteger(int)
    }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        byteBuffer.writeInteger(Int32(count == 0 ? 0 : 1))
        byteBuffer.writeInteger(Int32(hasNull ? 1 : 0))
        byteBuffer.writeInteger(isText ? PostgresDataType.text.rawValue : PostgresDataType.int8.rawValue)
        guard count > 0 else { return }
        byteBuffer.writeInteger(Int32(count))
        byteBuffer.writeInteger(Int32(1))
        var elements = elements
        byteBuffer.writeBuffer(&elements)
    }
}

/// A PostgreSQL multi-row write's duplicate, kept so that the transaction cannot commit even
/// if the caller caught it: the statement wrote the rows before and after the duplicate.
final class FailedWrite: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func record(_ e: any Error) { lock.withLock { error = error ?? e } }
    func check() throws { if let error = lock.withLock({ error }) { throw error } }
}

/// The SQLite statements of a transaction queued to run on SQLite's thread, in order.
/// Each statement starts when the one before it has succeeded, so statements never overlap
/// one another, and after a failure the rest (a queued `COMMIT` above all) never run; what
/// overlaps is SQLite's work on the queue and Swift's on whatever comes next.
///
/// A failure is final: every later `drain()` throws it again and nothing queued afterwards
/// runs, so a caller that caught it and went on could never commit half a batch.
final class SQLitePipeline: @unchecked Sendable {
    private let lock = NSLock()
    private var tail: EventLoopFuture<Void>?
    private var failure: (any Error)?

    /// Queues `statement`: started at once if nothing is queued, else after the last one
    /// succeeds; never after a failure.
    func enqueue(_ statement: @escaping @Sendable () -> EventLoopFuture<Void>) {
        lock.withLock {
            guard failure == nil else { return }
            tail = tail.map { $0.flatMap(statement) } ?? statement()
        }
    }

    /// What has been queued so far, for a read that must come after it and before what follows.
    struct Mark: Sendable {
        let pipeline: ObjectIdentifier
        let future: EventLoopFuture<Void>?
    }

    /// In a read started by ``SQLTransaction/readAhead(_:)``: the writes it comes after.
    @TaskLocal static var readingBefore: Mark?

    func mark() -> Mark { lock.withLock { Mark(pipeline: ObjectIdentifier(self), future: tail) } }

    /// Waits for everything queued (in a read ahead, for what was queued before it); throws
    /// the first failure, now and on every later call.
    func drain() async throws {
        if let before = Self.readingBefore, before.pipeline == ObjectIdentifier(self) {
            if let failed = lock.withLock({ failure }) { throw failed }
            do {
                try await before.future?.get()
            } catch {
                lock.withLock { failure = failure ?? error }
                throw error
            }
            return
        }
        let (future, failed): (EventLoopFuture<Void>?, (any Error)?) = lock.withLock { (tail, failure) }
        if let failed { throw failed }
        do {
            try await future?.get()
        } catch {
            lock.withLock { failure = failure ?? error }
            throw error
        }
        // Only the drained part is done: statements queued meanwhile stay queued.
        lock.withLock { if tail === future { tail = nil } }
    }
}
