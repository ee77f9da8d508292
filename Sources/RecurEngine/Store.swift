public import Foundation
import RecurCore
import Synchronization

/// RecurEngine: the application. It owns the use cases (catalog, checkout, changes,
/// invoices, webhooks) and the ports its adapters implement — the ``Store`` here,
/// the clock — and never imports an adapter. SQL lives in RecurStore only.

/// A value stored as a JSON document in its own table, with a few columns beside the
/// document for filtering (`customer_id`, `status`…). Every row is keyed by `id`;
/// ids are time-ordered (see ``RecordID``), so ordering by id is creation order and
/// cursor pagination is `id > starting_after`.
public protocol Record: Codable, Sendable {
    /// The table, e.g. `customers`.
    static var table: String { get }
    var id: String { get }
    /// The indexed columns and their values, by column name. Every record of a type
    /// returns the same keys; RecurStore's migrations create exactly these columns.
    var columns: [String: ColumnValue] { get }
}

/// A value of an indexed column.
public enum ColumnValue: Hashable, Sendable {
    case text(String?)
    case int(Int64?)
}

/// One page of a list, in id order.
public struct Page<R: Sendable>: Sendable {
    public var items: [R]
    public var hasMore: Bool
    public init(items: [R], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }
}

/// Errors a store raises; everything else it raises is a bug or an outage.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case duplicate, notFound = "not_found", conflict }
    public let kind: Kind
    public let table: String
    public let id: String
    public init(_ kind: Kind, table: String, id: String) {
        self.kind = kind
        self.table = table
        self.id = id
    }
    public var description: String { "\(kind.rawValue) in \(table): \(id)" }
}

/// The persistence port: transactions over records. One implementation, RecurStore,
/// speaks SQLite and PostgreSQL through SQLKit.
public protocol Store: Sendable {
    /// `sqlite` or `postgres`.
    var kind: String { get }
    /// Whether a transaction's multi-row writes and ``Transaction/commitAndContinue()`` are
    /// queued to run behind the caller's back (SQLite, one writer held for the whole
    /// transaction) rather than waited for (PostgreSQL). The billing run then reads its next
    /// batch before it writes this one, and prices it while this one is written.
    var queuesWrites: Bool { get }
    /// Runs `body` in one database transaction: committed when it returns, rolled
    /// back when it throws, so nothing half-written ever remains.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Transaction) async throws -> T) async throws -> T
    /// Applies the pending forward-only migrations; returns the versions applied.
    @discardableResult func migrate() async throws -> [Int]
    /// A cheap round trip to the database, for /health.
    func ping() async throws
    func close() async throws
}

/// What a transaction can do.
public protocol Transaction: Sendable {
    /// - throws: ``StoreError`` `.duplicate` when the id exists.
    func insert<R: Record>(_ record: R) async throws
    /// - throws: ``StoreError`` `.notFound` when the id does not exist.
    func update<R: Record>(_ record: R) async throws
    /// - throws: ``StoreError`` `.notFound` when the id does not exist.
    func delete<R: Record>(_ type: R.Type, id: String) async throws
    func find<R: Record>(_ type: R.Type, id: String) async throws -> R?
    /// Commits everything written so far and goes on in a new transaction on the same
    /// connection: a long job's batches each commit, as separate transactions would. Where
    /// the store queues writes (``Store/queuesWrites``) the commit is queued too; its failure
    /// is thrown by the next read or the end, and nothing queued after it is written.
    func commitAndContinue() async throws
    /// Starts `read` (reads of this transaction) at once, beside the caller. Where the store
    /// queues writes (``Store/queuesWrites``) it sees the database as the writes queued so far
    /// leave it, and the writes queued after this call wait until it has ended: the billing run
    /// reads batch k+1 while it prices batch k and builds its writes.
    func readAhead<T: Sendable>(_ read: @escaping @Sendable () async throws -> T) -> Task<T, any Error>
    /// Like ``find(_:id:)``, and holds the row until the transaction ends, so two
    /// transactions changing the same customer run one after the other
    /// (`SELECT … FOR UPDATE` on PostgreSQL; SQLite runs one writer at a time anyway).
    func lock<R: Record>(_ type: R.Type, id: String) async throws -> R?
    /// Records whose columns equal every filter, in id order, after `startingAfter`.
    func list<R: Record>(_ type: R.Type, filters: [String: ColumnValue], limit: Int, startingAfter: String?) async throws -> Page<R>
    /// Records whose integer `column` is at most `value`, lowest first: the due
    /// subscriptions of a billing run. On PostgreSQL the rows are locked with
    /// `FOR UPDATE SKIP LOCKED`, so concurrent workers claim disjoint batches.
    ///
    /// `after` is a keyset cursor — the (column value, id) of the last row a run claimed —
    /// so each batch starts where the previous one ended, in the `(column, id)` index,
    /// instead of walking again past rows already billed (on PostgreSQL their old index
    /// entries stay until vacuum, which made every batch slower than the last).
    func due<R: Record>(_ type: R.Type, column: String, atMost value: Int64, after: (Int64, String)?, limit: Int) async throws -> [R]
    /// The same rows as ``due(_:column:atMost:after:limit:)``, not locked: for a caller that
    /// must lock something else first (the customers, as every API command does) and then
    /// each row with ``lock(_:id:)``.
    func dueUnlocked<R: Record>(_ type: R.Type, column: String, atMost value: Int64, after: (Int64, String)?, limit: Int) async throws -> [R]
    /// Inserts many records in few statements (the billing run's batches).
    /// - throws: ``StoreError`` `.duplicate` naming one record that already existed;
    ///   the caller's transaction then rolls back as a whole.
    func insertAll<R: Record>(_ records: [R]) async throws
    /// Writes many existing records in few statements (insert-or-replace by id).
    func saveAll<R: Record>(_ records: [R]) async throws
    /// The records with these ids, locked like ``lock(_:id:)``. With `skipLocked`, rows
    /// another transaction holds are left out instead of waited for (the billing run
    /// skips customers an API call is changing, rather than deadlock with it).
    func lockAll<R: Record>(_ type: R.Type, ids: [String], skipLocked: Bool) async throws -> [R]
    /// `count` consecutive values of a gap-free counter, in one statement.
    func nextSequenceValues(_ name: String, count: Int) async throws -> ClosedRange<Int64>
    /// Every record matching the filters (for small sets such as the catalog).
    func all<R: Record>(_ type: R.Type, filters: [String: ColumnValue]) async throws -> [R]
    /// The next value of a gap-free counter (invoice numbers): it only advances when
    /// the transaction commits, and concurrent transactions never get the same value.
    func nextSequenceValue(_ name: String) async throws -> Int64
}

/// Time-ordered, prefixed ids: `cus_01JD3…`. 10 characters of milliseconds since
/// 1970 and 12 random characters, in Crockford's base 32, so ids sort by creation time.
/// Ids made in the same millisecond (the records of one command share its instant)
/// are monotonic, as in ULID: each is the random part of the previous one of that
/// millisecond plus one, so they still sort in the order they were made. The last
/// random part is kept for the 256 most recent milliseconds seen.
public enum RecordID {
    /// Crockford's base 32, as ASCII bytes.
    static let asciiAlphabet: [UInt8] = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    /// Millisecond → the 60-bit random part of the last id made in it.
    private static let recent = Mutex<[UInt64: UInt64]>([:])

    public static func make(_ prefix: String, at date: Date = Date()) -> String {
        let now = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let random: UInt64 = recent.withLock { recent in
            let mask: UInt64 = (1 << 60) - 1
            if let previous = recent[now], previous < mask {
                recent[now] = previous + 1
                return previous + 1
            }
            if recent.count >= 256, let oldest = recent.keys.min() { recent[oldest] = nil }
            // A fresh random part, with room below 2⁶⁰ to count up in.
            var rng = SystemRandomNumberGenerator()
            let fresh = rng.next() & (mask >> 1)
            recent[now] = fresh
            return fresh
        }
        // Written as bytes: a billing run makes several ids per renewal.
        let prefixBytes = prefix.utf8
        return String(unsafeUninitializedCapacity: prefixBytes.count + 23) { out in
            var i = 0
            for b in prefixBytes {
                out[i] = b
                i += 1
            }
            out[i] = UInt8(ascii: "_")
            i += 1
            var ms = now
            for k in (0..<10).reversed() {
                out[i + k] = asciiAlphabet[Int(ms & 31)]
                ms >>= 5
            }
            i += 10
            var bits = random
            for k in (0..<12).reversed() {
                out[i + k] = asciiAlphabet[Int(bits & 31)]
                bits >>= 5
            }
            return i + 12
        }
    }

}
