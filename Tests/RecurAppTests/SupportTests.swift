import Foundation
import HummingbirdTesting
import RecurApp
import RecurCore
import RecurEngine
import RecurWeb
import Testing

@Suite("Support and partner requests (002)")
struct SupportTests {
    @Test("support needs an active paid plan with support; one channel at a time; implementation requests go to the chosen partner; staff answer",
          arguments: TestDatabase.all)
    func flow(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            let (saoMai, _) = try await demoCustomers(service)
            let b = Browser(client)
            try await b.portalSignIn(customer: saoMai.id, member: "an@saomai.example")
            let before = try await b.get("/portal/support")
            #expect(before.status == 200)
            #expect(before.text.contains("data-test=\"not-entitled\""))
            let refused = try await b.post("/portal/support/requests", [("kind", "support"), ("subject", "Help"), ("message", "Please"), ("contact_email", "an@saomai.example")])
            #expect(refused.status == 422)
            #expect(refused.text.contains("support.not_entitled"))
            let impl = try await b.post("/portal/support/requests", [("kind", "implementation"), ("partner", "saigon_it"), ("subject", "CRM import"),
                                                                     ("message", "Import 20 000 contacts"), ("contact_email", "an@saomai.example")])
            #expect(impl.status == 303)
            let badPartner = try await b.post("/portal/support/requests", [("kind", "implementation"), ("partner", "nobody"), ("subject", "x"), ("message", "y"),
                                                                           ("contact_email", "an@saomai.example")])
            #expect(badPartner.status == 422)

            // A paid Workspace Standard includes support.
            _ = try await service.checkout(customer: saoMai.id, order: Order(items: [.init(product: "workspace", plan: "ws_standard", cycle: .monthly, seats: 2)]),
                                           date: nil, actor: .system)
            #expect(try await service.supportEntitled(customer: saoMai.id))
            try await b.get("/portal/support")
            #expect(try await b.post("/portal/support/channel", [("channel", "kl_cloud")]).status == 303)
            #expect(try await service.supportChannel(customer: saoMai.id) == "kl_cloud")
            #expect(try await b.post("/portal/support/channel", [("channel", "nobody")]).status == 422)
            let asked = try await b.post("/portal/support/requests", [("kind", "support"), ("subject", "Login"), ("message", "SSO fails"), ("contact_email", "an@saomai.example")])
            #expect(asked.status == 303)
            let requests = try await service.listServiceRequests(customer: saoMai.id, status: nil, limit: 10, startingAfter: nil).items
            #expect(requests.map(\.routedTo) == ["saigon_it", "kl_cloud"])
            #expect(requests.map(\.kind) == [.implementation, .support])

            let admin = Browser(client)
            #expect(try await admin.staffSignIn(email: DemoStaff.email, password: DemoStaff.password).status == 303)
            let list = try await admin.get("/admin/requests")
            #expect(list.text.contains("CRM import") && list.text.contains("KL Cloud Partners"))
            #expect(try await admin.post("/admin/requests/\(requests[1].id)", [("status", "answered")]).status == 303)
            #expect(try await service.listServiceRequests(customer: saoMai.id, status: "answered", limit: 10, startingAfter: nil).items.map(\.id) == [requests[1].id])
        }
    }
}
