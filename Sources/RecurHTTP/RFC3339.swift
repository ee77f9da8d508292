import Foundation
import OpenAPIRuntime
import RecurCore

/// The API's `date-time` values: RFC 3339 read strictly, every field in range, so a time
/// that names no instant is refused rather than rolled over (`2027-02-30T00:00:00Z` is not
/// 2 March). Fractional seconds are read (up to nanoseconds) and a numeric offset is
/// applied; years run 0001–9999. Written back in UTC to the second, as before:
/// `2026-06-15T00:00:00Z`.
struct RFC3339DateTranscoder: DateTranscoder {
    init() {}

    func encode(_ date: Date) throws -> String { date.formatted(.iso8601) }

    func decode(_ text: String) throws -> Date {
        guard let date = Self.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "'\(text.prefix(64))' is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS, optional fraction, Z or ±HH:MM, a real day and time)"))
        }
        return date
    }

    /// The instant `text` names, or nil when it is not a valid RFC 3339 date-time.
    static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        func byte(_ at: Int, _ c: Character...) -> Bool { at < b.count && c.contains(Character(UnicodeScalar(b[at]))) }
        guard b.count >= 20, let y = digits(0, 4), byte(4, "-"), let mo = digits(5, 2), byte(7, "-"), let d = digits(8, 2),
              byte(10, "T", "t", " "), let h = digits(11, 2), byte(13, ":"), let mi = digits(14, 2), byte(16, ":"), let s = digits(17, 2),
              let day = try? CivilDate(y, mo, d), h <= 23, mi <= 59, s <= 59
        else { return nil }
        var i = 19
        var fraction = 0.0
        if byte(i, ".") {
            i += 1
            let start = i
            var scale = 0.1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                fraction += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > start, i - start <= 9 else { return nil }
        }
        var offset = 0
        if byte(i, "Z", "z") {
            i += 1
        } else if byte(i, "+", "-"), let oh = digits(i + 1, 2), byte(i + 3, ":"), let om = digits(i + 4, 2), oh <= 23, om <= 59 {
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = Int64(day.daysSinceEpoch) * 86_400 + Int64(h * 3600 + mi * 60 + s - offset)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
