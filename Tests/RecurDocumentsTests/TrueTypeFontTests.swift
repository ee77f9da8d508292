import Foundation
import Testing

@testable import RecurDocuments

@Suite("TrueType font parsing")
struct TrueTypeFontTests {
    // Facts read with fontTools 4.x from Debian's fonts-dejavu-core 2.37 DejaVuSans.ttf.
    @Test func dejaVuSansFacts() throws {
        let font = try DocumentTestSupport.regularFont()
        #expect(font.unitsPerEm == 2048)
        #expect(font.numberOfGlyphs == 6253)
        #expect(font.postScriptName == "DejaVuSans")
        #expect(font.familyName == "DejaVu Sans")
        #expect(font.boundingBox == .init(xMin: -2090, yMin: -948, xMax: 3673, yMax: 2524))
        #expect(font.ascender == 1556)
        #expect(font.descender == -492)
        #expect(font.capHeight == 1493)
        #expect(font.italicAngle == 0)
        #expect(!font.isFixedPitch)
        #expect(font.isEmbeddable)
        #expect(font.weightClass == 400)
        let pinned: [(Character, UInt16, Int)] = [
            ("A", 36, 1401), ("a", 68, 1255), ("H", 43, 1540), (" ", 3, 651), ("1", 20, 1303),
            ("ó", 181, 1253), ("đ", 211, 1300), ("Đ", 210, 1587), ("ơ", 355, 1253), ("Ơ", 354, 1870),
            ("ổ", 2515, 1253), ("ộ", 2519, 1253), ("₫", 2947, 1303), ("€", 2948, 1303),
        ]
        for (character, glyph, advance) in pinned {
            let scalar = character.unicodeScalars.first!
            #expect(font.glyphID(for: scalar) == glyph, "glyph of \(character)")
            #expect(font.advanceWidth(forGlyph: glyph) == advance, "advance of \(character)")
            #expect(font.advanceWidth(for: scalar) == advance)
        }
        // Beyond the BMP (format 12 subtable) and a character DejaVu lacks.
        #expect(font.glyphID(for: "\u{1F600}") != nil)
        #expect(font.glyphID(for: "日") == nil)
        #expect(font.glyphID(for: "\u{10FFFF}") == nil)
        // Composite glyphs: ó = o + acute; ộ is built from components too.
        #expect(font.componentGlyphs(ofGlyph: 181) == [82, 118])  // o, acute
        #expect(font.glyphID(for: "\u{B4}") == 118)
        #expect(font.componentGlyphs(ofGlyph: 2519) == [724, 2507, 648])  // dotbelowcomb, uni1ECD, circumflex
        #expect(font.componentGlyphs(ofGlyph: 36).isEmpty)
        #expect(font.glyphBoundingBox(forGlyph: 3) == nil)  // space has no outline
        #expect(font.glyphBoundingBox(forGlyph: 43)?.yMax == 1493)
        // Width of a string: "Hóa" = 1540 + 1253 + 1255 units.
        #expect(abs(font.width(of: "Hóa", size: 2048) - 4048) < 0.0001)
        // Decomposed input (o + combining acute) is measured like the precomposed letter.
        #expect(font.width(of: "Ho\u{301}a", size: 10) == font.width(of: "Hóa", size: 10))
    }

    @Test func dejaVuSansBoldFacts() throws {
        let font = try DocumentTestSupport.boldFont()
        #expect(font.unitsPerEm == 2048)
        #expect(font.postScriptName == "DejaVuSans-Bold")
        #expect(font.weightClass == 700)
        #expect(font.glyphID(for: "A") == 36)
        #expect(font.advanceWidth(forGlyph: 36) == 1585)
        #expect(font.advanceWidth(for: "₫") == 1425)
    }

    @Test func missingFileIsFontNotFound() {
        #expect {
            try TrueTypeFont(contentsOfFile: "/nonexistent/Font.ttf")
        } throws: { error in
            (error as? DocumentError)?.code == "font.not_found"
                && (error as? DocumentError)?.values["path"] == "/nonexistent/Font.ttf"
        }
        #expect(throws: DocumentError.self) { try TrueTypeFont(contentsOfFile: "/tmp") }
    }

    @Test func garbageNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 11, 12, 13, 64, 300, 4096, 65536] {
            for _ in 0..<8 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(throws: DocumentError.self) { try TrueTypeFont(data: Data(bytes)) }
            }
        }
        // Random bytes behind a valid sfnt header and a plausible table count.
        for _ in 0..<50 {
            var bytes: [UInt8] = [0, 1, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0]
            bytes += (0..<2000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            do {
                _ = try TrueTypeFont(data: Data(bytes))
            } catch {
                #expect(error.code == "font.unreadable")
            }
        }
    }

    @Test func truncatedDejaVuThrows() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: DocumentTestSupport.regularFontPath))
        for length in [4, 12, 100, 200, 1000, 5000, 100_000, data.count / 2, data.count - 1] {
            #expect(throws: DocumentError.self, "length \(length)") { try TrueTypeFont(data: data.prefix(length)) }
        }
        do {
            _ = try TrueTypeFont(data: data.prefix(1000))
        } catch {
            #expect(error.code == "font.unreadable")
        }
    }

    @Test func corruptedDejaVuNeverCrashes() throws {
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: DocumentTestSupport.regularFontPath)))
        var generator = SystemRandomNumberGenerator()
        // Flip bytes in the table directory and the small tables (head, hhea, maxp, loca start, cmap).
        // Half the rounds anywhere in the file (glyph outlines, composites, cmap…).
        for round in 0..<200 {
            var bytes = original
            for _ in 0..<8 {
                let position = Int.random(in: 0..<(round % 2 == 0 ? 2048 : bytes.count), using: &generator)
                bytes[position] = UInt8.random(in: 0...255, using: &generator)
            }
            if let font = try? TrueTypeFont(data: Data(bytes)) {
                // Whatever parsed must answer queries, subset and render without trapping.
                _ = font.glyphID(for: "A").map { font.advanceWidth(forGlyph: $0) }
                _ = font.width(of: "Hóa đơn ₫", size: 10)
                _ = font.componentGlyphs(ofGlyph: 181)
                let glyphs = "Tổng cộng ộ ó ₫ Hóa".unicodeScalars.compactMap { font.glyphID(for: $0) } + [181, 2519, 6000]
                _ = try? TrueTypeSubset(font: font, glyphs: glyphs)
                if round % 10 == 1 {
                    let document = PDFDocument()
                    if let pdfFont = try? document.addFont(font) {
                        document.addPage().drawText("Tổng cộng 1.250.000 ₫", x: 10, y: 10, font: pdfFont, size: 10)
                        _ = try? document.render()
                    }
                }
            }
        }
    }

    @Test func cffAndCollectionsAreUnsupported() {
        let otto: [UInt8] = Array("OTTO".utf8) + [UInt8](repeating: 0, count: 20)
        let ttc: [UInt8] = Array("ttcf".utf8) + [UInt8](repeating: 0, count: 20)
        for bytes in [otto, ttc] {
            do {
                _ = try TrueTypeFont(data: Data(bytes))
                Issue.record("expected an error")
            } catch {
                #expect(error.code == "font.unsupported")
            }
        }
    }
}
