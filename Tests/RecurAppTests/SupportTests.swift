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
            _ = try await buyWorkspace(service, saoMai.id)
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

@Suite("Partners")
struct PartnerConfigurationTests {
    @Test("RECUR_PARTNERS: id=Name pairs; unset is nil (no partners outside the demo database); a bad entry names the variable")
    func configuration() throws {
        #expect(try RecurConfiguration.fromEnvironment(["RECUR_PARTNERS": "hn_soft=Hà Nội Soft; kl = KL Cloud"]).partners()
            == [Partner(id: "hn_soft", name: "Hà Nội Soft"), Partner(id: "kl", name: "KL Cloud")])
        #expect(try RecurConfiguration.fromEnvironment([:]).partners() == nil)
        do {
            _ = try RecurConfiguration.fromEnvironment(["RECUR_PARTNERS": "lonely"]).partners()
            Issue.record("accepted")
        } catch let e as ConfigurationError {
            #expect(e.variable == "RECUR_PARTNERS" && e.message.contains("lonely"))
        }
    }

    @Test("with no partner configured, an implementation request is refused with the field and nothing is stored", arguments: TestDatabase.all)
    func noPartners(db: TestDatabase) async throws {
        try await withApp(db) { _, service in
            service.setPartners([])
            let (saoMai, _) = try await demoCustomers(service)
            do {
                _ = try await service.sendServiceRequest(customer: saoMai.id, kind: .implementation, partner: "saigon_it", subject: "CRM", message: "Import",
                                                         contactEmail: "an@saomai.example", actor: .system)
                Issue.record("accepted")
            } catch let e as RecurErrors {
                #expect(e.errors.map(\.field) == ["partner"])
            }
            #expect(try await service.listServiceRequests(customer: saoMai.id, status: nil, limit: 10, startingAfter: nil).items.isEmpty)
        }
    }
}
