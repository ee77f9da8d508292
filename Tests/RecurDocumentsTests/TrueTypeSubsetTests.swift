import Foundation
import Testing

@testable import RecurDocuments

@Suite("TrueType subsetting")
struct TrueTypeSubsetTests {
    static let sampleText = "HÓA ĐƠN GTGT Hóa đơn Thành tiền Tổng cộng 1.250.000 ₫ € Montant dû RM 1,250.00 \u{1F600}"

    static func glyphs(_ font: TrueTypeFont, _ text: String) -> [UInt16] {
        text.unicodeScalars.compactMap { font.glyphID(for: $0) }
    }

    @Test func subsetKeepsOrderMetricsAndComposites() throws {
        let font = try DocumentTestSupport.regularFont()
        let glyphs = Self.glyphs(font, Self.sampleText)
        let subset = try TrueTypeSubset(font: font, glyphs: glyphs)
        // .notdef first, then the glyphs in first-use order, then components.
        #expect(subset.originalGlyphIDs.first == 0)
        var expected: [UInt16] = [0]
        for glyph in glyphs where !expected.contains(glyph) { expected.append(glyph) }
        #expect(Array(subset.originalGlyphIDs.prefix(expected.count)) == expected)
        // ộ (2519) = dotbelowcomb 724 + uni1ECD 2507 + circumflex 648; uni1ECD is itself composite.
        for component in [724, 2507, 648] as [UInt16] { #expect(subset.newGlyphIDs[component] != nil) }
        for component in font.componentGlyphs(ofGlyph: 2507) { #expect(subset.newGlyphIDs[component] != nil) }

        // Our own parser reads the subset back consistently.
        let parsed = try TrueTypeFont(data: subset.data)
        #expect(parsed.numberOfGlyphs == subset.glyphCount)
        #expect(parsed.unitsPerEm == 2048)
        #expect(parsed.postScriptName == "DejaVuSans")
        for scalar in Self.sampleText.unicodeScalars {
            guard let original = font.glyphID(for: scalar) else { continue }
            let newID = try #require(subset.newGlyphIDs[original])
            #expect(parsed.glyphID(for: scalar) == newID, "cmap of \(scalar)")
            #expect(parsed.advanceWidth(forGlyph: newID) == font.advanceWidth(forGlyph: original))
            #expect(parsed.leftSideBearing(forGlyph: newID) == font.leftSideBearing(forGlyph: original))
            #expect(parsed.glyphBoundingBox(forGlyph: newID) == font.glyphBoundingBox(forGlyph: original))
            let components = font.componentGlyphs(ofGlyph: original).map { subset.newGlyphIDs[$0] }
            #expect(parsed.componentGlyphs(ofGlyph: newID).map(Optional.some) == components)
        }
        #expect(parsed.glyphID(for: "Z") == nil)
        // Much smaller than the 757 KB original.
        #expect(subset.data.count < 30_000, "subset is \(subset.data.count) bytes")
    }

    @Test func headChecksumIsConsistent() throws {
        let font = try DocumentTestSupport.regularFont()
        let subset = try TrueTypeSubset(font: font, glyphs: Self.glyphs(font, "Tổng cộng"))
        let bytes = [UInt8](subset.data)
        #expect(bytes.count % 4 == 0)
        #expect(TrueTypeSubset.checksum(bytes) == 0xB1B0_AFBA)
    }

    @Test func unknownGlyphIsAnError() throws {
        let font = try DocumentTestSupport.regularFont()
        do {
            _ = try TrueTypeSubset(font: font, glyphs: [36, 60000])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "font.glyph_missing")
        }
    }

    /// fontTools decompiles every table (checksums enforced) and the outlines of each kept glyph,
    /// composites flattened, equal those of the original font; fc-scan reads the family.
    @Test func fontToolsAndFontconfigAcceptTheSubset() throws {
        try DocumentTestSupport.requirePython(module: "fontTools", package: "fonttools")
        try DocumentTestSupport.require([("fc-scan", "fontconfig")])
        let font = try DocumentTestSupport.regularFont()
        for path in [DocumentTestSupport.regularFontPath, DocumentTestSupport.boldFontPath] {
            let font = path == DocumentTestSupport.regularFontPath ? font : try DocumentTestSupport.boldFont()
            let subset = try TrueTypeSubset(font: font, glyphs: Self.glyphs(font, Self.sampleText))
            let directory = try DocumentTestSupport.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let subsetPath = directory.appendingPathComponent("subset.ttf").path
            try subset.data.write(to: URL(fileURLWithPath: subsetPath))
            let mapping = subset.originalGlyphIDs.map(String.init).joined(separator: ",")
            let script = """
            import sys
            from fontTools.ttLib import TTFont
            original = TTFont(sys.argv[1])
            sub = TTFont(sys.argv[2], checkChecksums=2)
            sub.ensureDecompiled()
            for tag in sub.keys():
                sub[tag]
            order = [int(x) for x in sys.argv[3].split(',')]
            assert sub['maxp'].numGlyphs == len(order), (sub['maxp'].numGlyphs, len(order))
            oo, so = original.getGlyphOrder(), sub.getGlyphOrder()
            og, sg = original['glyf'], sub['glyf']
            for new, old in enumerate(order):
                a = og[oo[old]].getCoordinates(og)[0]
                b = sg[so[new]].getCoordinates(sg)[0]
                assert list(a) == list(b), (old, new)
                assert original['hmtx'][oo[old]] == sub['hmtx'][so[new]], (old, new)
            ocmap, scmap = original.getBestCmap(), sub.getBestCmap()
            for ch in sys.argv[4]:
                assert so.index(scmap[ord(ch)]) == order.index(oo.index(ocmap[ord(ch)])), ch
            print("ok", len(order), sorted(sub.keys()))
            """
            let result = try DocumentTestSupport.run("python3", ["-c", script, path, subsetPath, mapping, Self.sampleText])
            #expect(result.stdout.hasPrefix("ok"), "\(result.stdout) \(result.stderr)")
            #expect(!result.stdout.contains("GSUB"))
            let scan = try DocumentTestSupport.run("fc-scan", ["--format", "%{family}|%{postscriptname}", subsetPath])
            #expect(scan.stdout.contains("DejaVu Sans"), "fc-scan: \(scan.stdout)")
        }
    }
}
