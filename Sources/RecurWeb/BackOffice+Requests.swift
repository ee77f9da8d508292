import Foundation
import Hummingbird
import HummingbirdCore
import RecurCore
import RecurEngine

/// Customers' support and implementation requests (002), and who they went to.
extension BackOfficePages {
    func registerRequests() {
        web.get("/admin/requests", .staff(.finance)) { r in
            let w = r.w
            let status = r.query["status"]
            let requests = try await service.listServiceRequests(customer: nil, status: status, limit: 100, startingAfter: nil).items
            var names: [String: String] = [:]
            for q in requests where names[q.customer] == nil { names[q.customer] = (try? await service.customer(q.customer))?.name ?? q.customer }
            let partners = service.partners
            let rows = HTML.each(requests.reversed()) { q in
                let next: [ServiceRequestRecord.Status] = ServiceRequestRecord.Status.allCases.filter { $0 != q.status }
                let actions = HTML.each(next) { s in
                    "<form method=\"post\" action=\"/admin/requests/\(q.id)\" class=\"inline\">\(Layout.csrfField(r))<input type=\"hidden\" name=\"status\" value=\"\(s.rawValue)\"><button class=\"secondary\">\(w["status.\(s.rawValue)"])</button></form> "
                }
                let to = q.routedTo == "vendor" ? w["support.vendor"] : partners.first { $0.id == q.routedTo }?.name ?? q.routedTo
                return """
                    <tr data-request="\(q.id)"><td>\(w.date(CivilDate(q.created, in: .gmt)))</td><td><a href="/admin/customers/\(q.customer)">\(names[q.customer] ?? q.customer)</a></td>
                    <td>\(w["support.kind.\(q.kind.rawValue)"])</td><td>\(to)</td><td><strong>\(q.subject)</strong><br>\(q.message)<br><span class="muted">\(q.contactEmail)</span></td>
                    <td><span class="badge \(q.status.rawValue)">\(w["status.\(q.status.rawValue)"])</span></td><td>\(actions)</td></tr>
                    """
            }
            return page(r, w["admin.nav.requests"], "<div class=\"table\"><table data-test=\"requests\"><tbody>\(rows)</tbody></table></div>")
        }
        web.post("/admin/requests/:id", .staff(.sales)) { r in
            guard let status = r.form["status"].flatMap(ServiceRequestRecord.Status.init(rawValue:)) else {
                throw RecurError(.requestInvalid, field: "status", "Unknown status")
            }
            _ = try await service.setServiceRequestStatus(r.param("id"), status, actor: actor(r))
            return .redirect("/admin/requests", flash: r.w["admin.saved"])
        }
    }
}
