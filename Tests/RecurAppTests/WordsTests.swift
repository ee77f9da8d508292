import Foundation
import RecurEngine
import RecurWeb
import Testing

@Suite("The pages' words")
struct WordsTests {
    @Test("every English key has a Vietnamese, French, Malay and Japanese text with the same {placeholders}")
    func complete() {
        #expect(WordsAudit.problems() == [])
        #expect(WordsAudit.englishKeys.count > 400)
    }

    @Test("every literal key the pages use exists (a typo would show the key itself to customers)")
    func keysExist() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/RecurWeb").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 10)
        let pattern = try NSRegularExpression(pattern: #"w(?:\[|\()"([a-z_]+(?:\.[a-z_]+)+)""#)
        var used: Set<String> = []
        for f in files {
            let text = try String(contentsOf: folder.appendingPathComponent(f), encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                used.insert((text as NSString).substring(with: m.range(at: 1)))
            }
        }
        #expect(used.count > 200)
        #expect(used.subtracting(WordsAudit.englishKeys).sorted() == [])
    }

    @Test("HTML: interpolated text is escaped, interpolated HTML is not")
    func escaping() {
        let name = "<script>alert('x') & \"y\"</script>"
        let inner: HTML = "<b>\(name)</b>"
        let page: HTML = "<p title=\"\(name)\">\(inner)</p>"
        #expect(page.text == "<p title=\"&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\"><b>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</b></p>")
        #expect("Công ty <A&B>".htmlEscaped == "Công ty &lt;A&amp;B&gt;")
    }

    @Test("the words of one language: placeholders filled, money and dates in the locale's format, unknown keys fall back")
    func words() throws {
        let vi = Words(.vi), fr = Words(.fr), ja = Words(.ja)
        #expect(vi["nav.invoices"] == "Lịch sử mua hàng")
        #expect(fr("invoice.pay", ["amount": "16,20 €"]).contains("16,20 €"))
        #expect(ja["no.such.key"] == "no.such.key")
        #expect(Lang.preferred(acceptLanguage: "de-DE,fr;q=0.8,vi;q=0.9") == .vi)
        #expect(Lang.preferred(acceptLanguage: "de-DE") == nil)
    }
}
