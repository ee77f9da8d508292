/// Versioned, forward-only migrations, the same for SQLite and PostgreSQL. A
/// migration is never edited once released: a change to the schema is a new entry.
/// Every record table is `(id TEXT PRIMARY KEY, data TEXT NOT NULL, <columns>)`:
/// the document as JSON and the columns it is found by (each record's `columns`).
struct Migration: Sendable {
    let version: Int
    let name: String
    /// The statements, given the dialect's spelling of a byte-ordered text collation.
    let statements: @Sendable (_ binaryCollation: String) -> [String]
}

enum Migrations {
    static func table(_ name: String, text: [String] = [], int: [String] = [], collation c: String) -> [String] {
        let cols = text.map { ", \($0) TEXT" } + int.map { ", \($0) BIGINT" }
        return ["CREATE TABLE \(name) (id TEXT \(c) PRIMARY KEY, data TEXT NOT NULL\(cols.joined()))"]
            + (text + int).map { "CREATE INDEX idx_\(name)_\($0) ON \(name) (\($0))" }
    }

    /// The indexed text columns that hold ids, keys and codes (migration 12), by table.
    static let byteOrderedColumns: [(String, String)] = [
        ("plans", "product_id"), ("subscriptions", "customer_id"), ("subscriptions", "status"),
        ("invoices", "customer_id"), ("invoices", "status"), ("invoices", "subscription_id"), ("invoices", "billing_key"),
        ("notes", "subscription_id"), ("audit_entries", "customer_id"), ("audit_entries", "target"),
        ("webhook_deliveries", "endpoint_id"), ("webhook_deliveries", "status"), ("api_keys", "hash"),
        ("credit_notes", "customer_id"), ("credit_notes", "invoice_id"),
        ("payment_attempts", "invoice_id"), ("payment_attempts", "customer_id"), ("payment_attempts", "status"),
        ("payments", "invoice_id"), ("payments", "customer_id"), ("bank_credits", "status"), ("bank_credits", "invoice_id"),
        ("portal_links", "customer_id"), ("mail_deliveries", "customer_id"), ("mail_deliveries", "status"),
        ("mail_deliveries", "event_id"), ("deals", "customer_id"), ("deals", "stage"),
        ("service_requests", "customer_id"), ("service_requests", "status"), ("service_requests", "routed_to"),
    ]

    static let all: [Migration] = [
        Migration(version: 1, name: "records, sequences") { c in
            table("products", collation: c)
                + table("plans", text: ["product_id"], collation: c)
                + table("add_ons", collation: c)
                + table("promotions", collation: c)
                + table("catalog_rules", collation: c)
                + table("customers", text: ["email"], collation: c)
                + table("subscriptions", text: ["customer_id", "status", "period_end"], collation: c)
                + table("invoices", text: ["customer_id", "status", "number", "subscription_id"], collation: c)
                + table("notes", text: ["subscription_id"], collation: c)
                + table("audit_entries", text: ["customer_id", "target"], collation: c)
                + table("events", text: ["type", "customer_id"], int: ["dispatched"], collation: c)
                + table("webhook_endpoints", collation: c)
                + table("webhook_deliveries", text: ["endpoint_id", "status"], int: ["next_attempt_at"], collation: c)
                + table("api_keys", text: ["hash"], collation: c)
                + table("idempotency_keys", int: ["created_at"], collation: c)
                + ["CREATE TABLE sequences (name TEXT PRIMARY KEY, value BIGINT NOT NULL)"]
        },
        Migration(version: 2, name: "billing runs, test clocks") { c in
            [
                "ALTER TABLE subscriptions ADD COLUMN next_billing_at BIGINT",
                "CREATE INDEX idx_subscriptions_next_billing_at ON subscriptions (next_billing_at)",
                "ALTER TABLE invoices ADD COLUMN billing_key TEXT",
                "CREATE UNIQUE INDEX ux_invoices_billing_key ON invoices (billing_key)",
            ] + table("test_clocks", collation: c)
        },
        Migration(version: 3, name: "credit notes") { c in
            table("credit_notes", text: ["customer_id", "invoice_id"], collation: c)
        },
        Migration(version: 4, name: "bill subscriptions made before billing runs") { _ in
            // Rows from before migration 2 have no next_billing_at: the next run looks at them
            // once and sets it.
            ["UPDATE subscriptions SET next_billing_at = 0 WHERE next_billing_at IS NULL AND status IN ('trialing', 'active', 'past_due', 'expired')"]
        },
        Migration(version: 5, name: "payments: attempts, payments, bank credits, gateway events") { c in
            table("payment_attempts", text: ["invoice_id", "customer_id", "status"], collation: c)
                + ["ALTER TABLE payment_attempts ADD COLUMN reference TEXT \(c)",
                   "CREATE UNIQUE INDEX ux_payment_attempts_reference ON payment_attempts (reference)"]
                + table("payments", text: ["invoice_id", "customer_id"], collation: c)
                + ["ALTER TABLE payments ADD COLUMN dedupe_key TEXT \(c)",
                   "CREATE UNIQUE INDEX ux_payments_dedupe_key ON payments (dedupe_key)"]
                + table("bank_credits", text: ["status", "invoice_id"], collation: c)
                + ["ALTER TABLE bank_credits ADD COLUMN bank_reference TEXT \(c)",
                   "CREATE UNIQUE INDEX ux_bank_credits_bank_reference ON bank_credits (bank_reference)"]
                + table("gateway_events", collation: c)
        },
        Migration(version: 6, name: "billing runs claim due subscriptions by a (next_billing_at, id) keyset") { _ in
            ["CREATE INDEX idx_subscriptions_due ON subscriptions (next_billing_at, id)",
             "DROP INDEX idx_subscriptions_next_billing_at"]
        },
        Migration(version: 7, name: "portal and back office: staff, sessions, portal links") { c in
            table("staff", collation: c) + ["ALTER TABLE staff ADD COLUMN email TEXT \(c)", "CREATE UNIQUE INDEX ux_staff_email ON staff (email)"]
                + table("web_sessions", int: ["expires_at"], collation: c)
                + table("portal_links", text: ["customer_id"], collation: c)
        },
        Migration(version: 8, name: "e-mail: mail deliveries, events' mailed flag") { c in
            ["ALTER TABLE events ADD COLUMN mailed BIGINT",
             // The events before e-mail are not mailed now.
             "UPDATE events SET mailed = 1",
             "CREATE INDEX idx_events_mailed ON events (mailed)"]
                + table("mail_deliveries", text: ["customer_id", "status", "event_id"], int: ["next_attempt_at"], collation: c)
                + ["ALTER TABLE mail_deliveries ADD COLUMN dedupe_key TEXT \(c)",
                   "CREATE UNIQUE INDEX ux_mail_deliveries_dedupe_key ON mail_deliveries (dedupe_key)"]
        },
        Migration(version: 9, name: "sales-led Enterprise deals") { c in
            table("deals", text: ["customer_id", "stage"], collation: c)
        },
        Migration(version: 10, name: "service requests and support channels (002)") { c in
            table("service_requests", text: ["customer_id", "status", "routed_to"], collation: c) + table("support_channels", collation: c)
        },
        Migration(version: 11, name: "no indexes on the billing run's hot tables that no query uses") { _ in
            // Each renewal wrote an entry into each of these and no query reads by them: nothing
            // lists subscriptions by period end, invoices by number, or events by type or customer
            // (events are read by `dispatched` and `mailed`, invoices by customer, subscription and status).
            ["DROP INDEX IF EXISTS idx_subscriptions_period_end",
             "DROP INDEX IF EXISTS idx_invoices_number",
             "DROP INDEX IF EXISTS idx_events_type",
             "DROP INDEX IF EXISTS idx_events_customer_id"]
        },
        Migration(version: 12, name: "identifiers and codes compared byte by byte on PostgreSQL") { c in
            // The ids, keys and status codes the indexes hold are ASCII and compared for equality:
            // the database's linguistic collation (strcoll) bought nothing but cost every index
            // entry a locale-aware comparison. SQLite compares text as bytes already.
            guard c != "COLLATE BINARY" else { return [] }
            return Migrations.byteOrderedColumns.map { table, column in "ALTER TABLE \(table) ALTER COLUMN \(column) TYPE TEXT \(c)" }
        },
        Migration(version: 13, name: "counters' names compared byte by byte on PostgreSQL") { c in
            // Migration 12 missed the counters' primary key (`INV-2026`…), which every batch's numbering looks up.
            c == "COLLATE BINARY" ? [] : ["ALTER TABLE sequences ALTER COLUMN name TYPE TEXT \(c)"]
        },
        Migration(version: 14, name: "open invoices no renewal tracks are chased by the billing run") { _ in
            // Only the open invoices being chased have a time: the index holds them and no others
            // (not the paid renewals the run writes by the million).
            ["ALTER TABLE invoices ADD COLUMN collect_at BIGINT",
             "CREATE INDEX idx_invoices_collect_at ON invoices (collect_at, id) WHERE collect_at IS NOT NULL"]
        },
    ]
}
