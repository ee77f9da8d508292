public import Foundation
public import RecurCore

/// A partner of the vendor: implements and customises for customers, and may be a
/// customer's support channel instead of the vendor (002).
public struct Partner: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
    /// The demo database's partners.
    public static let demo = [Partner(id: "saigon_it", name: "Saigon IT Solutions"), Partner(id: "kl_cloud", name: "KL Cloud Partners")]
}

/// A request a customer sends from the portal (002): a custom implementation for a
/// partner, or a support question to the customer's support channel.
public struct ServiceRequestRecord: Record, Equatable {
    public enum Kind: String, Codable, Sendable { case implementation, support }
    public enum Status: String, Codable, Sendable, CaseIterable { case open, answered, closed }
    public static let table = "service_requests"
    public var id: String
    public var customer: String
    public var kind: Kind
    /// `vendor` or a partner's id.
    public var routedTo: String
    public var subject: String
    public var message: String
    public var contactEmail: String
    public var status: Status
    public var created: Date
    public var columns: [String: ColumnValue] { ["customer_id": .text(customer), "status": .text(status.rawValue), "routed_to": .text(routedTo)] }
}

/// Who answers a customer's support: the vendor, or one partner — one at a time (002).
public struct SupportChannelRecord: Record, Equatable {
    public static let table = "support_channels"
    /// The customer's id.
    public var id: String
    public var channel: String
    public var since: Date
    public var columns: [String: ColumnValue] { [:] }
}

extension RecurError.Code {
    /// Support needs an active paid plan that includes it (002) (HTTP 422).
    public static let supportNotEntitled: Self = "support.not_entitled"
    public static let serviceRequestInvalid: Self = "service_request.invalid"
}

extension RecurService {
    /// Whether the customer may use support today: a live, paid subscription whose plan has the support feature.
    public func supportEntitled(customer id: String) async throws -> Bool {
        let ent = try await entitlements(customer: id)
        let catalog = try await catalog()
        return ent.products.values.contains { a in
            a.limits.features.contains(.support) && a.access == .full && [.active, .pastDue].contains(a.status) && catalog.plans[a.plan]?.isFree == false
        }
    }

    /// The customer's support channel: `vendor` unless a partner was chosen.
    public func supportChannel(customer id: String) async throws -> String {
        try await read { tx in try await tx.find(SupportChannelRecord.self, id: id)?.channel ?? "vendor" }
    }

    /// Makes `channel` (`vendor` or a partner's id) the customer's only support channel.
    /// - throws: `support.not_entitled` without an active paid plan with support,
    ///   `service_request.invalid` for an unknown partner.
    public func setSupportChannel(customer id: String, _ channel: String, actor: Actor) async throws -> String {
        guard channel == "vendor" || partners.contains(where: { $0.id == channel }) else {
            throw RecurErrors([RecurError(.serviceRequestInvalid, field: "channel", "No partner \(channel)", ["channel": .text(channel)])])
        }
        guard try await supportEntitled(customer: id) else {
            throw RecurErrors([RecurError(.supportNotEntitled, field: "channel", "Support comes with an active paid plan that includes it")])
        }
        return try await command(actor) { tx, log in
            _ = try await self.requireCustomer(tx, id)
            let before = try await tx.find(SupportChannelRecord.self, id: id)
            let after = SupportChannelRecord(id: id, channel: channel, since: log.now)
            if before == nil { try await tx.insert(after) } else { try await tx.update(after) }
            log.audit("support.channel_set", target: id, customer: id, before: before?.channel, after: channel)
            return channel
        }
    }

    /// Sends a request: an implementation request to the chosen partner, or a support
    /// question to the customer's support channel (which needs the entitlement).
    public func sendServiceRequest(customer id: String, kind: ServiceRequestRecord.Kind, partner: String?, subject: String, message: String,
                                   contactEmail: String, actor: Actor) async throws -> ServiceRequestRecord {
        var errors: [RecurError] = []
        if subject.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(RecurError(.serviceRequestInvalid, field: "subject", "A subject is needed")) }
        if message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.append(RecurError(.serviceRequestInvalid, field: "message", "Say what you need")) }
        if !Self.isEmail(contactEmail) {
            errors.append(RecurError(.serviceRequestInvalid, field: "contact_email", "'\(contactEmail)' is not an e-mail address", ["email": .text(contactEmail)]))
        }
        var routedTo = "vendor"
        switch kind {
        case .implementation:
            if let partner, partners.contains(where: { $0.id == partner }) { routedTo = partner } else {
                errors.append(RecurError(.serviceRequestInvalid, field: "partner", "Choose one of the partners", ["partner": .text(partner ?? "")]))
            }
        case .support:
            if errors.isEmpty, try await !supportEntitled(customer: id) {
                errors.append(RecurError(.supportNotEntitled, field: "kind", "Support comes with an active paid plan that includes it"))
            }
            routedTo = try await supportChannel(customer: id)
        }
        if !errors.isEmpty { throw RecurErrors(errors) }
        let route = routedTo
        return try await command(actor) { tx, log in
            _ = try await self.requireCustomer(tx, id)
            let request = ServiceRequestRecord(id: RecordID.make("req", at: log.now), customer: id, kind: kind, routedTo: route, subject: subject,
                                               message: message, contactEmail: contactEmail, status: .open, created: log.now)
            try await tx.insert(request)
            log.audit("service_request.created", target: request.id, customer: id, before: String?.none, after: request)
            log.emit("service_request.created", customer: id, object: request)
            return request
        }
    }

    public func listServiceRequests(customer: String?, status: String?, limit: Int?, startingAfter: String?) async throws -> Page<ServiceRequestRecord> {
        try await read { tx in
            var filters: [String: ColumnValue] = [:]
            if let customer { filters["customer_id"] = .text(customer) }
            if let status { filters["status"] = .text(status) }
            return try await tx.list(ServiceRequestRecord.self, filters: filters, limit: try Self.pageLimit(limit), startingAfter: startingAfter)
        }
    }

    /// Staff move a request on: answered, closed.
    public func setServiceRequestStatus(_ id: String, _ status: ServiceRequestRecord.Status, actor: Actor) async throws -> ServiceRequestRecord {
        try await command(actor) { tx, log in
            guard let before = try await tx.lock(ServiceRequestRecord.self, id: id) else { throw RecurError.notFound("request", id) }
            var after = before
            after.status = status
            try await tx.update(after)
            log.audit("service_request.\(status.rawValue)", target: id, customer: before.customer, before: before.status.rawValue, after: status.rawValue)
            return after
        }
    }
}
