import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// The audit log, newest first, 50 a page.
extension BackOfficePages {
    static let auditPageSize = 50

    func registerAudit() {
        web.get("/admin/audit", .staff(.finance)) { r in
            let w = r.w
            let all = try await Self.everything({ try await service.audit(customer: nil, target: nil, limit: 100, startingAfter: $0) }, id: \.id, max: 200_000)
            let pages = max(1, (all.count + Self.auditPageSize - 1) / Self.auditPageSize)
            let number = min(max(1, r.query.int("page") ?? 1), pages)
            let shown = Array(all.reversed().dropFirst((number - 1) * Self.auditPageSize).prefix(Self.auditPageSize))
            let prev: HTML = HTML.when(number > 1, "<a href=\"/admin/audit?page=\(number - 1)\" data-test=\"newer\">← \(w["admin.audit.newer"])</a>")
            let next: HTML = HTML.when(number < pages, "<a href=\"/admin/audit?page=\(number + 1)\" data-test=\"older\">\(w["admin.audit.older"]) →</a>")
            let body: HTML = """
                \(Self.auditTable(shown, w))
                <p>\(prev) <span class="muted">\(w("admin.audit.page", ["n": w.number(number), "of": w.number(pages)]))</span> \(next)</p>
                """
            return page(r, w["admin.audit.title"], body)
        }
    }
}
