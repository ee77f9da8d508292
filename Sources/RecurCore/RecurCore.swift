/// RecurCore: the pricing and subscription domain of Recur.
///
/// It owns money, the billing calendar, the catalog, promotions and tax, checkout
/// quotes, subscription changes and entitlements — every amount Recur will ever
/// charge is decided here. It performs no I/O and reads no clock: the current date
/// is always a parameter. It imports Foundation only for `Date` and `TimeZone`.
public enum RecurInfo {
    /// The version of Recur, printed by `recur --version`.
    public static let version = "0.1.0"
}
