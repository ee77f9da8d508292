@testable import RecurPayments

/// The `code` of the ``PaymentProtocolError`` that `body` throws, or `nil` when it returns.
/// Any other error yields `"unexpected: …"`, which no assertion expects.
func thrownCode<T>(_ body: () throws -> T) -> String? {
    do {
        _ = try body()
        return nil
    } catch let error as PaymentProtocolError {
        return error.code
    } catch {
        return "unexpected: \(error)"
    }
}

/// The ``PaymentProtocolError`` that `body` throws, or `nil` when it returns or throws something else.
func thrownError<T>(_ body: () throws -> T) -> PaymentProtocolError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? PaymentProtocolError
    }
}
