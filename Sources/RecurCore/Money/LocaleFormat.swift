/// Numbers, money and dates as each of Recur's languages writes them:
/// 1.250.000 ₫ (vi), 1 250,00 € (fr), RM 1,250.00 (ms), ¥1,250 (ja), €1,250.00 (en).
public enum LocaleFormat {
    public static func language(_ locale: String) -> String {
        let code = locale.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? "en"
        return ["vi", "fr", "ms", "ja", "en"].contains(code) ? code : "en"
    }

    static func separators(_ language: String) -> (group: String, decimal: String) {
        switch language {
        case "vi": (".", ",")
        case "fr": (" ", ",")
        default: (",", ".")
        }
    }

    /// `1234567` → `1.234.567` with the language's separators.
    public static func integer(_ value: Int64, locale: String) -> String {
        group(String(value.magnitude), separators(language(locale)).group, negative: value < 0)
    }

    static func group(_ digits: String, _ sep: String, negative: Bool) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += sep }
            out.append(c)
        }
        return (negative ? "−" : "") + out
    }

    public static func money(_ m: Money, locale: String) -> String {
        let lang = language(locale)
        let (sep, dec) = separators(lang)
        let text = m.decimalString.hasPrefix("-") ? String(m.decimalString.dropFirst()) : m.decimalString
        let parts = text.split(separator: ".", maxSplits: 1)
        var number = group(String(parts[0]), sep, negative: m.isNegative)
        if parts.count == 2 { number += dec + parts[1] }
        switch (m.currency.code, lang) {
        case ("VND", _): return number + " ₫"
        case ("MYR", _): return "RM " + number
        case ("JPY", "en"), ("JPY", "ja"), ("JPY", "ms"): return "¥" + number
        case ("JPY", _): return number + " ¥"
        case ("EUR", "en"), ("EUR", "ms"): return "€" + number
        case ("EUR", _): return number + " €"
        case (let code, _): return code + " " + number
        }
    }

    public static func date(_ d: CivilDate, locale: String) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        return language(locale) == "ja" ? "\(d.year)/\(two(d.month))/\(two(d.day))" : "\(two(d.day))/\(two(d.month))/\(d.year)"
    }

    public static func percentage(_ p: Percentage, locale: String) -> String {
        let whole = p.basisPoints / 100, frac = p.basisPoints % 100
        let (_, dec) = separators(language(locale))
        return frac == 0 ? "\(whole)%" : "\(whole)\(dec)\(frac < 10 ? "0" : "")\(frac)%"
    }
}
