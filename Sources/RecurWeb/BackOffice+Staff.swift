import Foundation
import HummingbirdCore
import Hummingbird
import RecurCore
import RecurEngine

/// Staff accounts: the list, a new member with a role and unlocking a locked account (admins only).
extension BackOfficePages {
    func registerStaff() {
        web.get("/admin/staff", .staff(.finance)) { try await staffPage($0, errors: []) }
        web.post("/admin/staff", .staff(.admin)) { r in
            do {
                guard let role = StaffRecord.Role(rawValue: r.form["role"] ?? "") else {
                    throw RecurErrors([RecurError(.staffInvalid, field: "role", "role is finance, sales or admin")])
                }
                _ = try await service.createStaff(email: r.form["email"] ?? "", name: r.form["name"] ?? "", role: role,
                                                  password: r.form.pairs.first { $0.0 == "password" }?.1 ?? "", actor: actor(r))
            } catch {
                return try await staffPage(r, errors: try views(error, r))
            }
            return .redirect("/admin/staff", flash: r.w["admin.staff.created"])
        }
        web.post("/admin/staff/:id/unlock", .staff(.admin)) { r in
            try await service.unlockStaff(r.param("id"), actor: actor(r))
            return .redirect("/admin/staff", flash: r.w["admin.staff.unlocked"])
        }
    }

    func staffPage(_ r: WebRequest, errors: [RecurEngineErrorView]) async throws -> WebResponse {
        let w = r.w
        let staff = try await service.listStaff()
        let now = service.clock.now()
        let admin = await may(r, .admin)
        let rows = HTML.each(staff) { s -> HTML in
            var state: HTML = s.disabled ? "\(w["admin.staff.disabled"])" : .empty
            if let until = s.lockedUntil, s.isLocked(at: now) {
                let unlock: HTML = HTML.when(admin, """
                     <form method="post" action="/admin/staff/\(s.id)/unlock" class="inline" data-test="unlock-staff">\(Layout.csrfField(r))\
                    <button>\(w["admin.staff.unlock"])</button></form>
                    """)
                state = "\(state)<span class=\"badge locked\" data-test=\"staff-locked\">\(w("admin.staff.locked", ["until": Self.stamp(until)]))</span>\(unlock)"
            }
            return "<tr data-staff=\"\(s.id)\"><td>\(s.name)</td><td>\(s.email)</td><td>\(w["admin.role.\(s.role.rawValue)"])</td><td>\(state)</td><td>\(Self.stamp(s.created))</td></tr>"
        }
        let f: FormData? = errors.isEmpty ? nil : r.form
        let roles = Self.options(StaffRecord.Role.allCases.map { ($0.rawValue, w["admin.role.\($0.rawValue)"]) }, selected: Self.value(f, "role", "finance"))
        let create: HTML = admin ? """
            <h2>\(w["admin.staff.new"])</h2>\(Layout.errors(w, errors))
            <form method="post" action="/admin/staff" class="stack card" data-test="new-staff">\(Layout.csrfField(r))
            <label>\(w["admin.name"])<input name="name" value="\(Self.value(f, "name"))" required></label>
            <label>E-mail<input name="email" type="email" value="\(Self.value(f, "email"))" required></label>
            <label>\(w["portal.role"])<select name="role">\(roles)</select></label>
            <label>\(w["admin.password"])<input name="password" type="password" autocomplete="new-password" minlength="10" required></label>
            <p><button data-test="create-staff">\(w["admin.create"])</button></p></form>
            """ : .empty
        let body: HTML = """
            \(Self.table(w, test: "staff", [w["admin.name"], "E-mail", w["portal.role"], "", w["admin.created"]], rows: rows, count: staff.count))
            \(create)
            """
        return page(r, w["admin.staff.title"], body, status: errors.isEmpty ? 200 : 422)
    }
}
