import Foundation
public import RecurCore

/// The five languages of the portal and the back office (the seeds' markets and English).
public enum Lang: String, Sendable, CaseIterable {
    case vi, en, fr, ms, ja

    /// The language's own name, for the switcher.
    public var name: String {
        switch self {
        case .vi: "Tiếng Việt"
        case .en: "English"
        case .fr: "Français"
        case .ms: "Bahasa Melayu"
        case .ja: "日本語"
        }
    }

    /// The first language of an `Accept-Language` header Recur speaks.
    public static func preferred(acceptLanguage: String?) -> Lang? {
        guard let header = acceptLanguage else { return nil }
        let ranked = header.split(separator: ",").map { part -> (String, Double) in
            let bits = part.split(separator: ";")
            let tag = bits[0].trimmingCharacters(in: .whitespaces).lowercased()
            let q = bits.dropFirst().first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("q=") }
                .flatMap { Double($0.trimmingCharacters(in: .whitespaces).dropFirst(2)) } ?? 1
            return (tag, q)
        }.sorted { $0.1 > $1.1 }
        for (tag, _) in ranked {
            if let l = Lang(rawValue: String(tag.prefix(2))) { return l }
        }
        return nil
    }
}

/// The words of one language: `w["nav.plans"]`, `w("checkout.seats_help", ["min": "2", "max": "500"])`.
/// A key with no translation falls back to English, then to the key itself.
public struct Words: Sendable {
    public let lang: Lang
    public init(_ lang: Lang) { self.lang = lang }

    public subscript(_ key: String) -> String {
        if lang != .en, let t = WebStrings.translations[key]?[lang] { return t }
        return WebStrings.english[key] ?? key
    }

    /// The text of `key` with `{name}` placeholders filled.
    public func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        var s = self[key]
        for (k, v) in values { s = s.replacingOccurrences(of: "{\(k)}", with: v) }
        return s
    }

    public func money(_ m: Money) -> String { LocaleFormat.money(m, locale: lang.rawValue) }
    public func date(_ d: CivilDate) -> String { LocaleFormat.date(d, locale: lang.rawValue) }
    public func number(_ n: Int64) -> String { LocaleFormat.integer(n, locale: lang.rawValue) }
    public func number(_ n: Int) -> String { LocaleFormat.integer(Int64(n), locale: lang.rawValue) }

    /// An error from the engine in this language: the translated text of its code, with
    /// its values, when there is one; the engine's English message otherwise.
    public func error(_ e: RecurError) -> String {
        let key = "error.\(e.code.rawValue)"
        guard WebStrings.english[key] != nil else { return e.message }
        var values: [String: String] = [:]
        for (k, v) in e.values {
            switch v {
            case .int(let n): values[k] = number(n)
            case .text(let t): values[k] = t
            case .money(let m): values[k] = money(m)
            case .date(let d): values[k] = date(d)
            }
        }
        return self(key, values)
    }
}

/// What the translation tables lack, for the tests: keys without a translation in a
/// language, and translations whose `{placeholders}` differ from the English text's.
public enum WordsAudit {
    public static var englishKeys: Set<String> { Set(WebStrings.english.keys) }

    public static func problems() -> [String] {
        var out: [String] = []
        func placeholders(_ s: String) -> Set<String> {
            var found: Set<String> = []
            var rest = Substring(s)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                found.insert(String(rest[open...close]))
                rest = rest[rest.index(after: close)...]
            }
            return found
        }
        for (key, english) in WebStrings.english.sorted(by: { $0.key < $1.key }) {
            for lang in Lang.allCases where lang != .en {
                guard let t = WebStrings.translations[key]?[lang], !t.isEmpty else {
                    out.append("\(key): no \(lang.rawValue)")
                    continue
                }
                if placeholders(t) != placeholders(english) { out.append("\(key): \(lang.rawValue) placeholders differ") }
            }
        }
        for key in WebStrings.translations.keys where WebStrings.english[key] == nil { out.append("\(key): translated but not in English") }
        return out
    }
}
