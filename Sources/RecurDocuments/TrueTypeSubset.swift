public import Foundation

/// A TrueType font reduced to the glyphs a document uses.
///
/// Glyphs are renumbered: the new glyph id of `glyphs[i]` is `i + 1` when glyph 0 is not listed
/// (.notdef always comes first, as new id 0), in the order given, followed by the components of
/// composite glyphs (recursively) that were not listed. Composite glyphs are rewritten to point at
/// the new ids. The result keeps head, hhea, maxp, OS/2, hmtx, loca, glyf, a new cmap (format 4,
/// plus format 12 beyond the BMP), a filtered name table (ids 0–6), post format 3 and the hinting
/// tables cvt/fpgm/prep/gasp (they never reference glyph ids, so they stay valid). Layout tables
/// (GSUB, GPOS, GDEF, kern, MATH…) are dropped: they reference glyph ids that no longer exist.
public struct TrueTypeSubset: Sendable {
    /// The subset font file.
    public let data: Data
    /// The original glyph id of each new glyph id.
    public let originalGlyphIDs: [UInt16]
    /// New glyph id for each original glyph id in the subset.
    public let newGlyphIDs: [UInt16: UInt16]

    public var glyphCount: Int { originalGlyphIDs.count }

    /// Builds the subset.
    /// - Parameters:
    ///   - font: the full font.
    ///   - glyphs: original glyph ids, in the order their new ids should follow.
    ///   - unicodes: scalar → original glyph id for the new cmap; by default every mapping of the
    ///     font's cmap onto a kept glyph.
    /// - Throws: `font.glyph_missing` for a glyph id the font does not have.
    public init(font: TrueTypeFont, glyphs: [UInt16], unicodes: [Unicode.Scalar: UInt16]? = nil) throws(DocumentError) {
        var order: [UInt16] = [0]
        var newIDs: [UInt16: UInt16] = [0: 0]
        for glyph in glyphs where newIDs[glyph] == nil {
            guard Int(glyph) < font.numberOfGlyphs else {
                throw DocumentError(code: "font.glyph_missing", message: "The glyph id is not in the font.",
                                    values: ["glyph": "\(glyph)", "font": font.postScriptName])
            }
            newIDs[glyph] = UInt16(order.count)
            order.append(glyph)
        }
        // Components of composites, recursively (the set guards against cycles).
        var index = 0
        while index < order.count {
            for component in font.componentGlyphs(ofGlyph: order[index])
            where newIDs[component] == nil && Int(component) < font.numberOfGlyphs {
                guard order.count < 0xFFFF else { break }
                newIDs[component] = UInt16(order.count)
                order.append(component)
            }
            index += 1
        }
        self.originalGlyphIDs = order
        self.newGlyphIDs = newIDs

        // glyf + loca
        var glyf: [UInt8] = []
        var offsets: [Int] = []
        offsets.reserveCapacity(order.count + 1)
        for glyph in order {
            offsets.append(glyf.count)
            let data = font.glyphData(forGlyph: glyph)
            var bytes = [UInt8](data)
            for component in TrueTypeFont.components(of: data) {
                let newID = newIDs[component.glyph] ?? 0
                bytes[component.glyphIndexOffset] = UInt8(newID >> 8)
                bytes[component.glyphIndexOffset + 1] = UInt8(newID & 0xFF)
            }
            glyf += bytes
            while glyf.count % 4 != 0 { glyf.append(0) }
        }
        offsets.append(glyf.count)
        let shortLoca = glyf.count / 2 <= 0xFFFF
        var loca = TrueTypeWriter()
        for offset in offsets {
            if shortLoca { loca.u16(UInt16(offset / 2)) } else { loca.u32(UInt32(offset)) }
        }

        // hmtx: a full metric per glyph.
        var hmtx = TrueTypeWriter()
        var advanceMax = 0
        var minLeft = Int.max, minRight = Int.max, maxExtent = Int.min
        for glyph in order {
            let advance = font.advanceWidth(forGlyph: glyph)
            let lsb = font.leftSideBearing(forGlyph: glyph)
            hmtx.u16(UInt16(clamping: advance))
            hmtx.i16(Int16(clamping: lsb))
            advanceMax = max(advanceMax, advance)
            if let box = font.glyphBoundingBox(forGlyph: glyph) {
                minLeft = min(minLeft, lsb)
                minRight = min(minRight, advance - (lsb + box.xMax - box.xMin))
                maxExtent = max(maxExtent, lsb + box.xMax - box.xMin)
            }
        }

        // head, hhea, maxp: copies with the counts patched.
        guard var head = font.table("head").map(Array.init), var hhea = font.table("hhea").map(Array.init),
              var maxp = font.table("maxp").map(Array.init)
        else { throw .fontUnreadable("a required table is missing") }
        TrueTypeWriter.put32(&head, 8, 0)  // checkSumAdjustment, fixed below
        TrueTypeWriter.put16(&head, 50, shortLoca ? 0 : 1)
        TrueTypeWriter.put16(&hhea, 10, UInt16(clamping: advanceMax))
        if minLeft != Int.max {
            TrueTypeWriter.put16(&hhea, 12, UInt16(bitPattern: Int16(clamping: minLeft)))
            TrueTypeWriter.put16(&hhea, 14, UInt16(bitPattern: Int16(clamping: minRight)))
            TrueTypeWriter.put16(&hhea, 16, UInt16(bitPattern: Int16(clamping: maxExtent)))
        }
        TrueTypeWriter.put16(&hhea, 34, UInt16(order.count))
        TrueTypeWriter.put16(&maxp, 4, UInt16(order.count))

        // cmap
        var mapping: [(UInt32, UInt16)] = []
        if let unicodes {
            for (scalar, glyph) in unicodes { if let newID = newIDs[glyph], newID != 0 { mapping.append((scalar.value, newID)) } }
        } else {
            for (scalar, glyph) in font.mappings(limitedTo: Set(order)) { if let newID = newIDs[glyph], newID != 0 { mapping.append((scalar, newID)) } }
        }
        mapping.sort { $0.0 < $1.0 }
        let cmap = TrueTypeSubset.buildCmap(mapping)

        // post format 3: no glyph names.
        var post = TrueTypeWriter()
        post.u32(0x0003_0000)
        if let original = font.table("post"), original.count >= 16 {
            post.bytes += original[(original.startIndex + 4)..<(original.startIndex + 16)]  // italicAngle, underline, isFixedPitch
        } else {
            post.bytes += [UInt8](repeating: 0, count: 12)
        }
        post.bytes += [UInt8](repeating: 0, count: 16)

        var tables: [String: [UInt8]] = [
            "head": head, "hhea": hhea, "maxp": maxp, "hmtx": hmtx.bytes, "loca": loca.bytes, "glyf": glyf,
            "cmap": cmap, "post": post.bytes,
        ]
        if let name = TrueTypeSubset.filteredNames(font) { tables["name"] = name }
        for tag in ["OS/2", "cvt ", "fpgm", "prep", "gasp"] {
            if let table = font.table(tag) { tables[tag] = Array(table) }
        }
        self.data = Data(TrueTypeSubset.assemble(tables))
    }

    /// Writes the table directory and tables (4-byte aligned, checksummed) and sets
    /// head.checkSumAdjustment.
    static func assemble(_ tables: [String: [UInt8]]) -> [UInt8] {
        let tags = tables.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var out = TrueTypeWriter()
        out.u32(0x0001_0000)
        out.u16(UInt16(tags.count))
        var entrySelector = 0
        while (1 << (entrySelector + 1)) <= tags.count { entrySelector += 1 }
        let searchRange = (1 << entrySelector) * 16
        out.u16(UInt16(searchRange))
        out.u16(UInt16(entrySelector))
        out.u16(UInt16(tags.count * 16 - searchRange))
        var offset = 12 + 16 * tags.count
        var headOffset = 0
        for tag in tags {
            let table = tables[tag]!
            out.bytes += Array(tag.utf8)
            out.u32(checksum(table))
            out.u32(UInt32(offset))
            out.u32(UInt32(table.count))
            if tag == "head" { headOffset = offset }
            offset += (table.count + 3) & ~3
        }
        for tag in tags {
            out.bytes += tables[tag]!
            while out.bytes.count % 4 != 0 { out.bytes.append(0) }
        }
        let adjustment = 0xB1B0_AFBA &- checksum(out.bytes)
        TrueTypeWriter.put32(&out.bytes, headOffset + 8, adjustment)
        return out.bytes
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var index = 0
        while index < bytes.count {
            var word: UInt32 = 0
            for k in 0..<4 { word = word << 8 | UInt32(index + k < bytes.count ? bytes[index + k] : 0) }
            sum = sum &+ word
            index += 4
        }
        return sum
    }

    /// cmap with a (3,1) format 4 subtable for the BMP and a (3,10) format 12 one when needed.
    static func buildCmap(_ mapping: [(UInt32, UInt16)]) -> [UInt8] {
        // Runs of consecutive codes mapped to consecutive glyphs.
        var runs: [(start: UInt32, end: UInt32, glyph: UInt16)] = []
        for (code, glyph) in mapping {
            if let last = runs.last, code == last.end + 1, Int(glyph) == Int(last.glyph) + Int(code - last.start) {
                runs[runs.count - 1].end = code
            } else {
                runs.append((code, code, glyph))
            }
        }
        var bmp: [(start: UInt32, end: UInt32, glyph: UInt16)] = []
        for run in runs where run.start < 0xFFFF {
            bmp.append((run.start, min(run.end, 0xFFFE), run.glyph))
        }
        if bmp.count > 8000 { bmp = Array(bmp.prefix(8000)) }
        let segments = bmp + [(0xFFFF, 0xFFFF, 1)]
        var format4 = TrueTypeWriter()
        let segCount = segments.count
        var entrySelector = 0
        while (1 << (entrySelector + 1)) <= segCount { entrySelector += 1 }
        let searchRange = 2 * (1 << entrySelector)
        format4.u16(4)
        format4.u16(UInt16(16 + 8 * segCount))
        format4.u16(0)
        format4.u16(UInt16(2 * segCount))
        format4.u16(UInt16(searchRange))
        format4.u16(UInt16(entrySelector))
        format4.u16(UInt16(2 * segCount - searchRange))
        for segment in segments { format4.u16(UInt16(segment.end)) }
        format4.u16(0)
        for segment in segments { format4.u16(UInt16(segment.start)) }
        for segment in segments { format4.u16(UInt16((Int(segment.glyph) - Int(segment.start)) & 0xFFFF)) }
        for _ in segments { format4.u16(0) }

        let needs12 = runs.contains { $0.end > 0xFFFF }
        var format12 = TrueTypeWriter()
        if needs12 {
            format12.u16(12)
            format12.u16(0)
            format12.u32(UInt32(16 + 12 * runs.count))
            format12.u32(0)
            format12.u32(UInt32(runs.count))
            for run in runs {
                format12.u32(run.start)
                format12.u32(run.end)
                format12.u32(UInt32(run.glyph))
            }
        }
        var cmap = TrueTypeWriter()
        cmap.u16(0)
        cmap.u16(needs12 ? 2 : 1)
        let first = 4 + 8 * (needs12 ? 2 : 1)
        cmap.u16(3); cmap.u16(1); cmap.u32(UInt32(first))
        if needs12 { cmap.u16(3); cmap.u16(10); cmap.u32(UInt32(first + format4.bytes.count)) }
        cmap.bytes += format4.bytes
        cmap.bytes += format12.bytes
        return cmap.bytes
    }

    /// The name table with only records 0–6 (copyright, family, style, unique id, full name,
    /// version, PostScript name); nil when the original cannot be read.
    static func filteredNames(_ font: TrueTypeFont) -> [UInt8]? {
        guard let table = font.table("name"), table.count >= 6 else { return nil }
        let bytes = Array(table)
        let count = Int(TrueTypeReader.u16(bytes, 2))
        let storage = Int(TrueTypeReader.u16(bytes, 4))
        var records: [(header: [UInt16], string: ArraySlice<UInt8>)] = []
        for index in 0..<count {
            let record = 6 + 12 * index
            guard record + 12 <= bytes.count else { break }
            let nameID = TrueTypeReader.u16(bytes, record + 6)
            guard nameID <= 6 else { continue }
            let length = Int(TrueTypeReader.u16(bytes, record + 8))
            let start = storage + Int(TrueTypeReader.u16(bytes, record + 10))
            guard start + length <= bytes.count else { continue }
            let header = (0..<4).map { TrueTypeReader.u16(bytes, record + 2 * $0) }
            records.append((header, bytes[start..<(start + length)]))
        }
        var out = TrueTypeWriter()
        out.u16(0)
        out.u16(UInt16(records.count))
        out.u16(UInt16(6 + 12 * records.count))
        var strings: [UInt8] = []
        for record in records {
            for value in record.header { out.u16(value) }
            out.u16(UInt16(record.string.count))
            out.u16(UInt16(clamping: strings.count))
            strings += record.string
        }
        out.bytes += strings
        return out.bytes
    }
}

/// Big-endian byte building.
struct TrueTypeWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func i16(_ value: Int16) { u16(UInt16(bitPattern: value)) }

    mutating func u32(_ value: UInt32) {
        u16(UInt16(value >> 16))
        u16(UInt16(value & 0xFFFF))
    }

    static func put16(_ bytes: inout [UInt8], _ at: Int, _ value: UInt16) {
        guard at + 2 <= bytes.count else { return }
        bytes[at] = UInt8(value >> 8)
        bytes[at + 1] = UInt8(value & 0xFF)
    }

    static func put32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        put16(&bytes, at, UInt16(value >> 16))
        put16(&bytes, at + 2, UInt16(value & 0xFFFF))
    }
}
