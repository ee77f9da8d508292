/// Vietnamese, French, Malay and Japanese for the keys of `WebStrings.english`.
extension WebStrings {
    struct T {
        let key: String
        let vi, fr, ms, ja: String
        init(_ key: String, vi: String, fr: String, ms: String, ja: String) {
            self.key = key
            self.vi = vi
            self.fr = fr
            self.ms = ms
            self.ja = ja
        }
    }

    static let translations: [String: [Lang: String]] = {
        var out: [String: [Lang: String]] = [:]
        for t in table { out[t.key] = [.vi: t.vi, .fr: t.fr, .ms: t.ms, .ja: t.ja] }
        return out
    }()

    static let table: [T] = [
        T("nav.subscriptions", vi: "Gói dịch vụ", fr: "Abonnements", ms: "Langganan", ja: "サブスクリプション"),
    ]
}
