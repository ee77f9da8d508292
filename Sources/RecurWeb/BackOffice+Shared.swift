import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// Helpers the back-office pages share: form values, tables, errors, paging, roles.
extension BackOfficePages {
    /// The value a re-rendered form shows: what was sent, else the current one.
    static func value(_ f: FormData?, _ name: String, _ current: String? = nil) -> String {
        f?.pairs.first { $0.0 == name }?.1 ?? current ?? ""
    }

    /// The errors of a failed command as a form shows them; other errors go on up.
    func views(_ error: any Error, _ r: WebRequest) throws -> [RecurEngineErrorView] {
        guard let v = PortalPages.views(error, r.w) else { throw error }
        return v
    }

    static func badge(_ status: String, _ w: Words) -> HTML { PortalPages.badge(status, w) }

    /// A table with a header row; `empty` shown when there are no rows.
    static func table(_ w: Words, test: String, _ headers: [String], numeric: Set<Int> = [], rows: HTML, count: Int) -> HTML {
        guard count > 0 else { return "<p class=\"muted\" data-test=\"\(test)-empty\">\(w["admin.none"])</p>" }
        let head = HTML.each(headers.enumerated()) { i, h in numeric.contains(i) ? "<th class=\"num\">\(h)</th>" : "<th>\(h)</th>" }
        return "<div class=\"table\"><table data-test=\"\(test)\"><thead><tr>\(head)</tr></thead><tbody>\(rows)</tbody></table></div>"
    }

    /// `<option>`s, the one equal to `selected` selected.
    static func options(_ values: [(String, String)], selected: String?) -> HTML {
        HTML.each(values) { v, label in "<option value=\"\(v)\"\(HTML(raw: v == selected ? " selected" : ""))>\(label)</option>" }
    }

    /// Every item of a paged list, in id order (the store pages forward only).
    static func everything<R: Sendable>(_ fetch: (String?) async throws -> Page<R>, id: (R) -> String, max: Int = 20_000) async throws -> [R] {
        var out: [R] = []
        var after: String?
        while out.count < max {
            let page = try await fetch(after)
            out += page.items
            guard page.hasMore, let last = page.items.last else { break }
            after = id(last)
        }
        return out
    }

    /// Whether the signed-in staff member has `role` (forms are shown only then; the
    /// POST routes check it again).
    func may(_ r: WebRequest, _ role: StaffRecord.Role) async -> Bool {
        guard let id = r.session?.staff, let s = try? await service.staff(id) else { return false }
        return s.role >= role
    }

    /// An amount typed in major units, in `currency`; blank is nil.
    static func amount(_ text: String?, _ currency: Currency, field: String = "amount") throws -> Money? {
        guard let text, !text.isEmpty else { return nil }
        do { return try Money(decimal: text.replacingOccurrences(of: ",", with: ""), currency: currency) } catch let e as RecurError {
            throw RecurError(e.code, field: field, e.message, e.values)
        }
    }

    /// A day typed as YYYY-MM-DD; blank is nil.
    static func day(_ text: String?, field: String) throws -> CivilDate? {
        guard let text, !text.isEmpty else { return nil }
        do { return try CivilDate(iso: text) } catch let e as RecurError {
            throw RecurError(e.code, field: field, e.message, e.values)
        }
    }

    static func stamp(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return f.string(from: d) + " UTC"
    }

    static func percent(_ p: Percentage) -> String {
        let bp = p.basisPoints
        return bp % 100 == 0 ? "\(bp / 100) %" : String(format: "%.2f %%", Double(bp) / 100)
    }

    static func prices(_ prices: [Price], _ w: Words) -> String {
        prices.sorted { ($0.cycle.months, $0.amount.currency.code) < ($1.cycle.months, $1.amount.currency.code) }
            .map { "\(PortalPages.cycleName($0.cycle, w))\($0.tier.map { " (\($0))" } ?? ""): \(w.money($0.amount))" }
            .joined(separator: " · ")
    }
}

extension BackOfficePages {
    static func link(_ href: String, _ text: String) -> HTML { "<a href=\"\(href)\">\(text)</a>" }
}
