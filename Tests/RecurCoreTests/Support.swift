import Testing
@testable import RecurCore

/// The domain errors a call throws (one `RecurError` or a `RecurErrors` list); records
/// an issue when it throws nothing or something else.
func errors(_ body: () throws -> Any) -> [RecurError] {
    do {
        _ = try body()
        Issue.record("expected an error")
        return []
    } catch let e as RecurError {
        return [e]
    } catch let e as RecurErrors {
        return e.errors
    } catch {
        Issue.record("unexpected error \(error)")
        return []
    }
}
