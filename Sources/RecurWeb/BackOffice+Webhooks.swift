import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// Webhook endpoints and their recent deliveries.
extension BackOfficePages {
    func registerWebhooks() {
        web.get("/admin/webhooks", .staff(.finance)) { r in
            let w = r.w
            let endpoints = try await Self.everything({ try await service.listWebhookEndpoints(limit: 100, startingAfter: $0) }, id: \.id, max: 1000)
            var sections: [HTML] = []
            for e in endpoints {
                let deliveries = try await Self.everything({ try await service.webhookDeliveries(endpoint: e.id, limit: 100, startingAfter: $0) }, id: \.id)
                let recent = Array(deliveries.reversed().prefix(25))
                let rows = HTML.each(recent) { d in
                    """
                    <tr><td>\(Self.stamp(d.created))</td><td>\(d.eventType)</td><td>\(d.event)</td><td class="num">\(w.number(d.attempt))</td>
                    <td>\(Self.badge(d.status.rawValue, w))</td><td>\(d.responseStatus.map { String($0) } ?? "")</td><td>\(d.error ?? "")</td>
                    <td>\(d.nextAttempt.map { Self.stamp($0) } ?? "")</td></tr>
                    """
                }
                sections.append("""
                    <section class="card" data-endpoint="\(e.id)"><h2>\(e.url)</h2>
                    <dl class="facts"><dt>Id</dt><dd>\(e.id)</dd><dt>\(w["admin.webhooks.events"])</dt><dd>\(e.events.joined(separator: ", "))</dd>
                    \(HTML.when(e.description != nil, "<dt>\(w["admin.webhooks.description"])</dt><dd>\(e.description ?? "")</dd>"))</dl>
                    <h3>\(w["admin.webhooks.deliveries"])</h3>
                    \(Self.table(w, test: "deliveries", [w["history.date"], w["admin.webhooks.event_type"], w["admin.webhooks.event"], w["admin.webhooks.attempt"],
                                                         w["portal.status"], "HTTP", w["admin.failure"], w["admin.webhooks.next"]], numeric: [3], rows: rows, count: recent.count))
                    </section>
                    """)
            }
            let webhooks: HTML = endpoints.isEmpty ? "<p class=\"muted\" data-test=\"no-endpoints\">\(w["admin.webhooks.none"])</p>" : "\(sections)"
            // The e-mail delivery log: the newest 50, with why a message failed.
            let mails = try await Self.everything({ try await service.listMailDeliveries(customer: nil, status: r.query["mail_status"], limit: 100,
                                                                                         startingAfter: $0) }, id: \.id, max: 2000)
            let recentMails = Array(mails.reversed().prefix(50))
            let mailRows = HTML.each(recentMails) { m in
                """
                <tr><td>\(Self.stamp(m.created))</td><td>\(m.to)</td><td>\(m.subject)</td><td>\(m.kind)</td><td>\(Self.badge(m.status.rawValue, w))</td>
                <td class="num">\(w.number(m.attempts))</td><td>\(m.error ?? "")</td></tr>
                """
            }
            let body: HTML = """
                \(webhooks)<h2>\(w["admin.mail.title"])</h2>
                \(Self.table(w, test: "mail-deliveries", [w["history.date"], w["admin.mail.to"], w["admin.mail.subject"], w["admin.mail.kind"], w["portal.status"],
                                                        w["admin.webhooks.attempt"], w["admin.failure"]], numeric: [5], rows: mailRows, count: recentMails.count))
                """
            return page(r, w["admin.webhooks.title"], body)
        }
    }
}
