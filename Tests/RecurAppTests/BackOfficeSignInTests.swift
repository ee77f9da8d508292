import Foundation
import HTTPTypes
import HummingbirdTesting
import RecurCore
import RecurEngine
import RecurWeb
import Testing

/// The error a sign-in throws, or nil when it signed in.
private func signInError(_ service: RecurService, _ email: String, _ password: String) async -> RecurError? {
    do {
        _ = try await service.staffSignIn(email: email, password: password)
        return nil
    } catch let e as RecurError {
        return e
    } catch {
        Issue.record("unexpected \(error)")
        return nil
    }
}

private let lan = (email: "lan@recur.example", password: "sales-password-1")

private func audits(_ service: RecurService, target: String) async throws -> [AuditRecord] {
    try await service.audit(customer: nil, target: target, limit: 100, startingAfter: nil).items
}

@Suite("Back-office sign-in throttling")
struct BackOfficeSignInTests {
    @Test("4 wrong passwords then the right one signs in and resets the count; 4 more still do not lock", arguments: TestDatabase.all)
    func fourThenSuccess(db: TestDatabase) async throws {
        try await withApp(db) { _, service in
            let staff = try await service.createStaff(email: lan.email, name: "Lan", role: .sales, password: lan.password, actor: .system)
            for _ in 1...4 { #expect(await signInError(service, lan.email, "wrong-password")?.code == .authInvalid) }
            #expect(try await service.staff(staff.id)?.failedSignIns == 4)
            let start = try await service.staffSignIn(email: lan.email, password: lan.password)
            #expect(start.session.staff == staff.id)
            let reset = try #require(try await service.staff(staff.id))
            #expect(reset.failedSignIns == nil && reset.lockedUntil == nil)
            for _ in 1...4 { #expect(await signInError(service, lan.email, "wrong-password")?.code == .authInvalid) }
            #expect(await signInError(service, lan.email, lan.password) == nil)
        }
    }

    @Test("the 5th wrong password locks for 15 minutes (429 staff.locked with the unlock time); the right password waits; at 15:00 it works",
          arguments: TestDatabase.all)
    func lockAndExpire(db: TestDatabase) async throws {
        let clock = ManualClock(testNow)
        try await withApp(db, clock: clock) { _, service in
            let staff = try await service.createStaff(email: lan.email, name: "Lan", role: .sales, password: lan.password, actor: .system)
            for _ in 1...4 { #expect(await signInError(service, lan.email, "wrong-password")?.code == .authInvalid) }
            let locked = try #require(await signInError(service, lan.email, "wrong-password"))
            #expect(locked.code == .staffLocked)
            #expect(locked.code.httpStatus == 429)
            // 2026-03-01 12:00 UTC + 15 minutes.
            #expect(locked.values["until"] == .text("2026-03-01T12:15:00Z"))
            #expect(locked.values["retry_after"] == .int(900))
            #expect(locked.values["minutes"] == .int(15))
            #expect(try await service.staff(staff.id)?.lockedUntil == testNow.addingTimeInterval(900))

            clock.advance(by: 14 * 60 + 59)
            let stillLocked = try #require(await signInError(service, lan.email, lan.password))
            #expect(stillLocked.code == .staffLocked)
            #expect(stillLocked.values["until"] == .text("2026-03-01T12:15:00Z"))
            #expect(stillLocked.values["retry_after"] == .int(1))
            // A wrong password while locked neither extends the lock nor counts.
            #expect(await signInError(service, lan.email, "wrong-password")?.code == .staffLocked)
            #expect(try await service.staff(staff.id)?.lockedUntil == testNow.addingTimeInterval(900))

            clock.advance(by: 1)
            #expect(await signInError(service, lan.email, lan.password) == nil)
            let after = try #require(try await service.staff(staff.id))
            #expect(after.failedSignIns == nil && after.lockedUntil == nil)

            let log = try await audits(service, target: staff.id)
            #expect(log.filter { $0.action == "staff.sign_in_failed" }.count == 5)
            #expect(log.filter { $0.action == "staff.locked" }.count == 1)
            #expect(log.filter { $0.action == "staff.sign_in_refused" }.count == 2)
            #expect(log.filter { $0.action == "staff.signed_in" }.count == 1)
            #expect(log.first { $0.action == "staff.locked" }?.after?.contains("2026-03-01T12:15:00Z") == true)
            #expect(log.filter { $0.action == "staff.sign_in_failed" }.allSatisfy { $0.actor == "anonymous" })
        }
    }

    @Test("an unknown e-mail gets exactly the wrong password's error, never locks, and is audited", arguments: TestDatabase.all)
    func unknownEmail(db: TestDatabase) async throws {
        try await withApp(db) { client, service in
            _ = try await service.createStaff(email: lan.email, name: "Lan", role: .sales, password: lan.password, actor: .system)
            let wrong = try #require(await signInError(service, lan.email, "wrong-password"))
            for _ in 1...6 {
                let unknown = try #require(await signInError(service, "ghost@recur.example", "wrong-password"))
                #expect(unknown == wrong)
                #expect(unknown.code == .authInvalid && unknown.values.isEmpty)
            }
            #expect(try await audits(service, target: "ghost@recur.example").filter { $0.action == "staff.sign_in_failed" }.count == 6)
            // The page says the same for both, with the same status.
            let b = Browser(client)
            let ghost = try await b.staffSignIn(email: "ghost@recur.example", password: "wrong-password")
            let known = try await b.staffSignIn(email: lan.email, password: "wrong-password")
            #expect(ghost.status == 401 && known.status == 401)
            #expect(ghost.text.contains("data-code=\"auth.invalid\"") && !ghost.text.contains("staff.locked"))
        }
    }

    @Test("pages: the 5th wrong password is 429 with the lock message in the visitor's language; an admin unlocks, a finance member gets 403",
          arguments: TestDatabase.all)
    func pages(db: TestDatabase) async throws {
        let clock = ManualClock(testNow)
        try await withApp(db, clock: clock) { client, service in
            let staff = try await service.createStaff(email: lan.email, name: "Lan", role: .sales, password: lan.password, actor: .system)
            let visitor = Browser(client)
            visitor.acceptLanguage = "fr-FR,fr;q=0.9"
            for _ in 1...4 {
                let r = try await visitor.staffSignIn(email: lan.email, password: "wrong-password")
                #expect(r.status == 401)
                #expect(r.text.contains("data-code=\"auth.invalid\""))
            }
            let fifth = try await visitor.staffSignIn(email: lan.email, password: "wrong-password")
            #expect(fifth.status == 429)
            #expect(fifth.headers[.retryAfter] == "900")
            #expect(fifth.text.contains("data-code=\"staff.locked\""))
            #expect(fifth.text.visibleText.contains("ce compte est verrouillé pendant encore 15 min"))
            let right = try await visitor.staffSignIn(email: lan.email, password: lan.password)
            #expect(right.status == 429)
            #expect(visitor.cookies["recur_session"] == nil)
            visitor.acceptLanguage = "ja"
            clock.advance(by: 5 * 60)
            let ja = try await visitor.staffSignIn(email: lan.email, password: lan.password)
            #expect(ja.status == 429)
            #expect(ja.text.contains("あと10分間ロックされています"))

            // A finance member may see the staff page but not unlock.
            _ = try await service.createStaff(email: "thu@recur.example", name: "Thu", role: .finance, password: "finance-password-1", actor: .system)
            let finance = try await StaffBrowser.signIn(client, email: "thu@recur.example", password: "finance-password-1")
            let seen = try await finance.get("/admin/staff")
            #expect(seen.status == .ok)
            #expect(seen.text.contains("data-test=\"staff-locked\"") && !seen.text.contains("data-test=\"unlock-staff\""))
            #expect(try await finance.post("/admin/staff/\(staff.id)/unlock", []).status == .forbidden)
            #expect(try await service.staff(staff.id)?.isLocked(at: clock.now()) == true)

            let admin = try await StaffBrowser.signIn(client)
            let list = try await admin.get("/admin/staff")
            #expect(list.text.contains("action=\"/admin/staff/\(staff.id)/unlock\""))
            #expect(list.text.visibleText.contains("Locked until 2026-03-01 12:15:00 UTC"))
            #expect(try await admin.post("/admin/staff/\(staff.id)/unlock", [], csrf: false).status == .forbidden)
            #expect(try await admin.post("/admin/staff/stf_nope/unlock", []).status == .notFound)
            let unlocked = try await admin.post("/admin/staff/\(staff.id)/unlock", [])
            #expect(unlocked.status == .seeOther)
            #expect(unlocked.headers[.location] == "/admin/staff")
            #expect(try await service.staff(staff.id)?.lockedUntil == nil)
            let entry = try #require(try await audits(service, target: staff.id).first { $0.action == "staff.unlocked" })
            #expect(entry.actor.hasPrefix("staff:stf"))

            let back = try await visitor.staffSignIn(email: lan.email, password: lan.password)
            #expect(back.status == 303)
            #expect(visitor.cookies["recur_session"] != nil)
        }
    }
}
