public import Foundation

/// A parsed TrueType (glyf-outline) font: what a PDF needs to measure, subset and embed it.
///
/// The parser is defensive: every read is bounds-checked and a truncated, garbage or
/// inconsistent file throws ``DocumentError`` (`font.unreadable`, `font.unsupported`) instead of
/// trapping. The font is an immutable value (`Sendable`), cheap to share between renders.
public struct TrueTypeFont: Sendable {
    /// A box in font units (y up).
    public struct BoundingBox: Sendable, Equatable, Hashable {
        public var xMin: Int
        public var yMin: Int
        public var xMax: Int
        public var yMax: Int

        public init(xMin: Int, yMin: Int, xMax: Int, yMax: Int) {
            self.xMin = xMin
            self.yMin = yMin
            self.xMax = xMax
            self.yMax = yMax
        }
    }

    /// The raw font file.
    let bytes: [UInt8]
    /// Table tag → (offset, length) in `bytes`, all within bounds.
    let tables: [String: TrueTypeTableRecord]

    public let unitsPerEm: Int
    /// The font-wide bounding box from `head`.
    public let boundingBox: BoundingBox
    public let numberOfGlyphs: Int
    /// Typographic ascender in font units (OS/2 when present, else hhea); positive.
    public let ascender: Int
    /// Typographic descender in font units; negative.
    public let descender: Int
    public let lineGap: Int
    /// Height of capital letters in font units (OS/2 v2+ sCapHeight, else the top of "H").
    public let capHeight: Int
    public let italicAngle: Double
    public let isFixedPitch: Bool
    /// usWeightClass from OS/2 (400 regular, 700 bold), 400 when absent.
    public let weightClass: Int
    /// The PostScript name (name id 6), sanitised to the characters a PDF name may hold.
    public let postScriptName: String
    /// The family name (name id 1), or the PostScript name when absent.
    public let familyName: String
    /// False when OS/2 fsType says "restricted licence embedding".
    public let isEmbeddable: Bool
    /// head.checkSumAdjustment: with the size, a cheap identity of the file.
    public let checksumAdjustment: UInt32

    let indexToLocFormat: Int
    let numberOfHMetrics: Int
    let glyphOffsets: [Int]  // numberOfGlyphs + 1 absolute offsets into `bytes`
    let cmapRanges: [TrueTypeCmapRange]

    /// Reads and parses the font file at `path`.
    /// - Throws: `font.not_found` when there is no file, `font.unreadable` otherwise.
    public init(contentsOfFile path: String) throws(DocumentError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DocumentError(code: "font.not_found", message: "No font file at the configured path.", values: ["path": path])
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .fontUnreadable("the file could not be read", ["path": path, "reason": "\(error)"])
        }
        do {
            try self.init(bytes: [UInt8](data))
        } catch {
            var values = error.values
            values["path"] = path
            throw DocumentError(code: error.code, message: error.message, values: values)
        }
    }

    /// Parses a font held in memory.
    public init(data: Data) throws(DocumentError) {
        try self.init(bytes: [UInt8](data))
    }

    init(bytes: [UInt8]) throws(DocumentError) {
        let r = TrueTypeReader(bytes: bytes)
        guard bytes.count >= 12 else { throw .fontUnreadable("the file is too short", ["size": "\(bytes.count)"]) }
        let version = try r.u32(0)
        switch version {
        case 0x0001_0000, 0x7472_7565:  // 1.0, 'true'
            break
        case 0x4F54_544F:  // 'OTTO'
            throw DocumentError(code: "font.unsupported", message: "CFF-based OpenType fonts are not supported; use a TrueType (glyf) font.")
        case 0x7474_6366:  // 'ttcf'
            throw DocumentError(code: "font.unsupported", message: "Font collections (.ttc) are not supported; use a single .ttf file.")
        default:
            throw .fontUnreadable("unknown sfnt version", ["version": String(version, radix: 16)])
        }
        let numTables = Int(try r.u16(4))
        guard numTables > 0, numTables < 512 else { throw .fontUnreadable("implausible table count", ["tables": "\(numTables)"]) }
        var tables: [String: TrueTypeTableRecord] = [:]
        for index in 0..<numTables {
            let recordOffset = 12 + 16 * index
            let tag = try r.tag(recordOffset)
            let offset = Int(try r.u32(recordOffset + 8))
            let length = Int(try r.u32(recordOffset + 12))
            guard offset <= bytes.count, length <= bytes.count - offset else {
                throw .fontUnreadable("a table lies outside the file", ["table": tag])
            }
            tables[tag] = TrueTypeTableRecord(offset: offset, length: length)
        }
        func required(_ tag: String, minimumLength: Int) throws(DocumentError) -> TrueTypeTableRecord {
            guard let table = tables[tag] else { throw .fontUnreadable("the required table is missing", ["table": tag]) }
            guard table.length >= minimumLength else { throw .fontUnreadable("the table is truncated", ["table": tag]) }
            return table
        }
        let head = try required("head", minimumLength: 54)
        let hhea = try required("hhea", minimumLength: 36)
        let maxp = try required("maxp", minimumLength: 6)
        let hmtx = try required("hmtx", minimumLength: 0)
        let loca = try required("loca", minimumLength: 0)
        let glyf = try required("glyf", minimumLength: 0)
        let cmap = try required("cmap", minimumLength: 4)

        // head
        guard try r.u32(head.offset + 12) == 0x5F0F_3CF5 else { throw .fontUnreadable("bad head magic number") }
        let unitsPerEm = Int(try r.u16(head.offset + 18))
        guard (16...16384).contains(unitsPerEm) else { throw .fontUnreadable("implausible unitsPerEm", ["unitsPerEm": "\(unitsPerEm)"]) }
        self.unitsPerEm = unitsPerEm
        self.checksumAdjustment = try r.u32(head.offset + 8)
        self.boundingBox = BoundingBox(
            xMin: Int(try r.i16(head.offset + 36)), yMin: Int(try r.i16(head.offset + 38)),
            xMax: Int(try r.i16(head.offset + 40)), yMax: Int(try r.i16(head.offset + 42)))
        let indexToLocFormat = Int(try r.i16(head.offset + 50))
        guard indexToLocFormat == 0 || indexToLocFormat == 1 else { throw .fontUnreadable("bad indexToLocFormat") }
        self.indexToLocFormat = indexToLocFormat

        // maxp, hhea, hmtx
        let numberOfGlyphs = Int(try r.u16(maxp.offset + 4))
        guard numberOfGlyphs > 0 else { throw .fontUnreadable("the font has no glyphs") }
        self.numberOfGlyphs = numberOfGlyphs
        let numberOfHMetrics = Int(try r.u16(hhea.offset + 34))
        guard numberOfHMetrics >= 1, numberOfHMetrics <= numberOfGlyphs else {
            throw .fontUnreadable("bad numberOfHMetrics", ["numberOfHMetrics": "\(numberOfHMetrics)"])
        }
        guard hmtx.length >= 4 * numberOfHMetrics + 2 * (numberOfGlyphs - numberOfHMetrics) else {
            throw .fontUnreadable("the table is truncated", ["table": "hmtx"])
        }
        self.numberOfHMetrics = numberOfHMetrics
        var ascender = Int(try r.i16(hhea.offset + 4))
        var descender = Int(try r.i16(hhea.offset + 6))
        var lineGap = Int(try r.i16(hhea.offset + 8))

        // loca → absolute glyph offsets, checked monotonic and within glyf
        let entrySize = indexToLocFormat == 0 ? 2 : 4
        guard loca.length >= entrySize * (numberOfGlyphs + 1) else { throw .fontUnreadable("the table is truncated", ["table": "loca"]) }
        var glyphOffsets: [Int] = []
        glyphOffsets.reserveCapacity(numberOfGlyphs + 1)
        var previous = 0
        for index in 0...numberOfGlyphs {
            let raw = indexToLocFormat == 0 ? Int(try r.u16(loca.offset + 2 * index)) * 2 : Int(try r.u32(loca.offset + 4 * index))
            guard raw >= previous, raw <= glyf.length else {
                throw .fontUnreadable("bad glyph offsets", ["table": "loca", "glyph": "\(index)"])
            }
            previous = raw
            glyphOffsets.append(glyf.offset + raw)
        }
        self.glyphOffsets = glyphOffsets

        // OS/2 (optional)
        var capHeight: Int?
        var weightClass = 400
        var isEmbeddable = true
        if let os2 = tables["OS/2"], os2.length >= 78 {
            let os2Version = try r.u16(os2.offset)
            weightClass = Int(try r.u16(os2.offset + 4))
            let fsType = try r.u16(os2.offset + 8)
            // Bit 1 alone = restricted licence embedding; bits 2/3 (preview, editable) allow it.
            isEmbeddable = (fsType & 0x000F) != 0x0002
            let typoAscender = Int(try r.i16(os2.offset + 68))
            let typoDescender = Int(try r.i16(os2.offset + 70))
            let typoLineGap = Int(try r.i16(os2.offset + 72))
            if typoAscender > 0 && typoDescender <= 0 {
                ascender = typoAscender
                descender = typoDescender
                lineGap = typoLineGap
            }
            if os2Version >= 2, os2.length >= 90 {
                let value = Int(try r.i16(os2.offset + 88))
                if value > 0 { capHeight = value }
            }
        }
        self.weightClass = weightClass
        self.isEmbeddable = isEmbeddable
        self.ascender = ascender
        self.descender = descender <= 0 ? descender : -descender
        self.lineGap = lineGap

        // post (optional)
        if let post = tables["post"], post.length >= 16 {
            self.italicAngle = Double(try r.i32(post.offset + 4)) / 65536
            self.isFixedPitch = try r.u32(post.offset + 12) != 0
        } else {
            self.italicAngle = 0
            self.isFixedPitch = false
        }

        // name (optional)
        let names = (try? TrueTypeFont.parseNames(r, tables["name"])) ?? [:]
        let rawPostScriptName = names[6] ?? names[4] ?? names[1] ?? ""
        var postScriptName = String(String.UnicodeScalarView(rawPostScriptName.unicodeScalars.filter { scalar in
            scalar.value >= 33 && scalar.value <= 126 && !"[](){}<>/%#".unicodeScalars.contains(scalar)
        }).prefix(63))
        if postScriptName.isEmpty { postScriptName = "TrueTypeFont" }
        self.postScriptName = postScriptName
        self.familyName = names[1].flatMap { $0.isEmpty ? nil : $0 } ?? postScriptName

        // cmap
        self.cmapRanges = try TrueTypeFont.parseCmap(r, cmap)
        self.bytes = bytes
        self.tables = tables

        if let capHeight {
            self.capHeight = capHeight
        } else if let h = TrueTypeFont.lookup(cmapRanges, 0x48, bytes: bytes, numberOfGlyphs: numberOfGlyphs),
                  let box = TrueTypeFont.glyphBox(bytes: bytes, offsets: glyphOffsets, glyph: Int(h)) {
            self.capHeight = box.yMax
        } else {
            self.capHeight = ascender * 7 / 10
        }
    }

    // MARK: - Queries

    /// The glyph for a Unicode scalar, or nil when the font does not map it (glyph 0, .notdef,
    /// is never returned).
    public func glyphID(for scalar: Unicode.Scalar) -> UInt16? {
        TrueTypeFont.lookup(cmapRanges, scalar.value, bytes: bytes, numberOfGlyphs: numberOfGlyphs)
    }

    /// Advance width of a glyph in font units (0 for a glyph id out of range).
    public func advanceWidth(forGlyph glyph: UInt16) -> Int {
        let index = Int(glyph)
        guard index < numberOfGlyphs, let hmtx = tables["hmtx"] else { return 0 }
        let metric = min(index, numberOfHMetrics - 1)
        return Int(TrueTypeReader.u16(bytes, hmtx.offset + 4 * metric))
    }

    /// Left side bearing of a glyph in font units.
    public func leftSideBearing(forGlyph glyph: UInt16) -> Int {
        let index = Int(glyph)
        guard index < numberOfGlyphs, let hmtx = tables["hmtx"] else { return 0 }
        let position = index < numberOfHMetrics
            ? hmtx.offset + 4 * index + 2
            : hmtx.offset + 4 * numberOfHMetrics + 2 * (index - numberOfHMetrics)
        return Int(Int16(bitPattern: TrueTypeReader.u16(bytes, position)))
    }

    /// Advance width of the glyph of a scalar in font units, nil when the font lacks it.
    public func advanceWidth(for scalar: Unicode.Scalar) -> Int? {
        glyphID(for: scalar).map(advanceWidth(forGlyph:))
    }

    /// Width of `text` at `size` points, one glyph per scalar, missing characters measured as .notdef.
    public func width(of text: String, size: Double) -> Double {
        var units = 0
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            units += advanceWidth(forGlyph: glyphID(for: scalar) ?? 0)
        }
        return Double(units) * size / Double(unitsPerEm)
    }

    /// The glyph's bounding box from its glyf header, nil for an empty glyph (a space).
    public func glyphBoundingBox(forGlyph glyph: UInt16) -> BoundingBox? {
        TrueTypeFont.glyphBox(bytes: bytes, offsets: glyphOffsets, glyph: Int(glyph))
    }

    /// The outline bytes of a glyph (empty for a glyph without outline or out of range).
    public func glyphData(forGlyph glyph: UInt16) -> ArraySlice<UInt8> {
        let index = Int(glyph)
        guard index < numberOfGlyphs else { return [] }
        return bytes[glyphOffsets[index]..<glyphOffsets[index + 1]]
    }

    /// The glyphs a composite glyph is made of (direct components only), empty for a simple glyph.
    public func componentGlyphs(ofGlyph glyph: UInt16) -> [UInt16] {
        TrueTypeFont.components(of: glyphData(forGlyph: glyph)).map(\.glyph)
    }

    /// Every (scalar, glyph) pair the font's cmap maps, in scalar order, limited to `glyphs` when given.
    func mappings(limitedTo glyphs: Set<UInt16>? = nil) -> [(scalar: UInt32, glyph: UInt16)] {
        var result: [(scalar: UInt32, glyph: UInt16)] = []
        for range in cmapRanges {
            var code = range.start
            while code <= range.end {
                if let glyph = range.glyph(for: code, bytes: bytes, numberOfGlyphs: numberOfGlyphs),
                   glyphs?.contains(glyph) ?? true {
                    result.append((code, glyph))
                }
                if code == UInt32.max { break }
                code += 1
            }
        }
        return result
    }

    /// The bytes of a table, nil when absent.
    func table(_ tag: String) -> ArraySlice<UInt8>? {
        guard let record = tables[tag] else { return nil }
        return bytes[record.offset..<(record.offset + record.length)]
    }

    // MARK: - Parsing helpers

    struct Component {
        /// Offset of the glyph index field within the glyph data (relative to its start).
        var glyphIndexOffset: Int
        var glyph: UInt16
    }

    /// Components of a composite glyph; tolerant: stops at the first out-of-bounds field.
    static func components(of data: ArraySlice<UInt8>) -> [Component] {
        let base = data.startIndex
        guard data.count >= 10 else { return [] }
        let contours = Int16(bitPattern: UInt16(data[base]) << 8 | UInt16(data[base + 1]))
        guard contours < 0 else { return [] }
        var result: [Component] = []
        var position = 10
        while position + 4 <= data.count {
            let flags = UInt16(data[base + position]) << 8 | UInt16(data[base + position + 1])
            let glyph = UInt16(data[base + position + 2]) << 8 | UInt16(data[base + position + 3])
            result.append(Component(glyphIndexOffset: position + 2, glyph: glyph))
            position += 4
            position += (flags & 0x0001) != 0 ? 4 : 2  // ARG_1_AND_2_ARE_WORDS
            if (flags & 0x0008) != 0 { position += 2 }  // WE_HAVE_A_SCALE
            else if (flags & 0x0040) != 0 { position += 4 }  // WE_HAVE_AN_X_AND_Y_SCALE
            else if (flags & 0x0080) != 0 { position += 8 }  // WE_HAVE_A_TWO_BY_TWO
            if (flags & 0x0020) == 0 { break }  // MORE_COMPONENTS
            if result.count > 1024 { break }
        }
        return result
    }

    static func glyphBox(bytes: [UInt8], offsets: [Int], glyph: Int) -> BoundingBox? {
        guard glyph >= 0, glyph + 1 < offsets.count else { return nil }
        let start = offsets[glyph]
        guard offsets[glyph + 1] - start >= 10 else { return nil }
        func value(_ at: Int) -> Int { Int(Int16(bitPattern: TrueTypeReader.u16(bytes, start + at))) }
        return BoundingBox(xMin: value(2), yMin: value(4), xMax: value(6), yMax: value(8))
    }

    static func lookup(_ ranges: [TrueTypeCmapRange], _ code: UInt32, bytes: [UInt8], numberOfGlyphs: Int) -> UInt16? {
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if code < range.start {
                high = middle - 1
            } else if code > range.end {
                low = middle + 1
            } else {
                return range.glyph(for: code, bytes: bytes, numberOfGlyphs: numberOfGlyphs)
            }
        }
        return nil
    }

    /// Name records we understand: platform 3 (Windows, UTF-16BE), 0 (Unicode, UTF-16BE) and
    /// 1/0 (Macintosh Roman, read as Latin-1). Windows English preferred.
    static func parseNames(_ r: TrueTypeReader, _ table: TrueTypeTableRecord?) throws(DocumentError) -> [Int: String] {
        guard let table, table.length >= 6 else { return [:] }
        let count = Int(try r.u16(table.offset + 2))
        let storage = table.offset + Int(try r.u16(table.offset + 4))
        var best: [Int: (rank: Int, value: String)] = [:]
        for index in 0..<count {
            let record = table.offset + 6 + 12 * index
            guard record + 12 <= table.offset + table.length else { break }
            let platform = try r.u16(record)
            let encoding = try r.u16(record + 2)
            let language = try r.u16(record + 4)
            let nameID = Int(try r.u16(record + 6))
            let length = Int(try r.u16(record + 8))
            let start = storage + Int(try r.u16(record + 10))
            guard start + length <= table.offset + table.length, start + length <= r.bytes.count else { continue }
            let raw = r.bytes[start..<(start + length)]
            let rank: Int
            let value: String
            switch (platform, encoding) {
            case (3, 1), (3, 10), (0, _):
                var units: [UInt16] = []
                var i = raw.startIndex
                while i + 1 < raw.endIndex {
                    units.append(UInt16(raw[i]) << 8 | UInt16(raw[i + 1]))
                    i += 2
                }
                value = String(decoding: units, as: UTF16.self)
                rank = platform == 3 ? (language == 0x409 ? 3 : 2) : 1
            case (1, 0):
                value = String(raw.map { Character(Unicode.Scalar($0)) })
                rank = 0
            default:
                continue
            }
            if best[nameID].map({ $0.rank < rank }) ?? true { best[nameID] = (rank, value) }
        }
        return best.mapValues(\.value)
    }

    /// The best Unicode subtable: format 12 (full repertoire) if any, else format 4 (BMP).
    static func parseCmap(_ r: TrueTypeReader, _ table: TrueTypeTableRecord) throws(DocumentError) -> [TrueTypeCmapRange] {
        let count = Int(try r.u16(table.offset + 2))
        var candidates: [(rank: Int, offset: Int)] = []
        for index in 0..<count {
            let record = table.offset + 4 + 8 * index
            guard record + 8 <= table.offset + table.length else { break }
            let platform = try r.u16(record)
            let encoding = try r.u16(record + 2)
            let offset = Int(try r.u32(record + 4))
            guard offset < table.length else { continue }
            let rank: Int
            switch (platform, encoding) {
            case (3, 10): rank = 6
            case (0, 4), (0, 6): rank = 5
            case (3, 1): rank = 4
            case (0, 3): rank = 3
            case (0, 0), (0, 1), (0, 2): rank = 2
            case (3, 0): rank = 1
            default: continue
            }
            candidates.append((rank, table.offset + offset))
        }
        candidates.sort { $0.rank > $1.rank }
        let tableEnd = table.offset + table.length
        for candidate in candidates {
            guard let format = try? r.u16(candidate.offset) else { continue }
            if format == 12, let ranges = try? parseCmap12(r, candidate.offset, tableEnd: tableEnd), !ranges.isEmpty {
                return ranges
            }
            if format == 4, let ranges = try? parseCmap4(r, candidate.offset, tableEnd: tableEnd), !ranges.isEmpty {
                return ranges
            }
        }
        throw .fontUnreadable("no usable Unicode cmap subtable (format 4 or 12)", ["table": "cmap"])
    }

    static func parseCmap12(_ r: TrueTypeReader, _ offset: Int, tableEnd: Int) throws(DocumentError) -> [TrueTypeCmapRange] {
        let groups = Int(try r.u32(offset + 12))
        guard groups <= (tableEnd - offset - 16) / 12 else { throw .fontUnreadable("cmap format 12 truncated") }
        var ranges: [TrueTypeCmapRange] = []
        ranges.reserveCapacity(groups)
        for index in 0..<groups {
            let group = offset + 16 + 12 * index
            let start = try r.u32(group)
            let end = min(try r.u32(group + 4), 0x10FFFF)
            let startGlyph = try r.u32(group + 8)
            guard start <= end else { continue }
            ranges.append(TrueTypeCmapRange(start: start, end: end, delta: Int(startGlyph) - Int(start), glyphArrayAddress: nil, isFormat4: false))
        }
        return normalised(ranges)
    }

    static func parseCmap4(_ r: TrueTypeReader, _ offset: Int, tableEnd: Int) throws(DocumentError) -> [TrueTypeCmapRange] {
        let segCount = Int(try r.u16(offset + 6)) / 2
        let endCodes = offset + 14
        let startCodes = endCodes + 2 * segCount + 2
        let deltas = startCodes + 2 * segCount
        let rangeOffsets = deltas + 2 * segCount
        guard segCount > 0, rangeOffsets + 2 * segCount <= tableEnd else { throw .fontUnreadable("cmap format 4 truncated") }
        var ranges: [TrueTypeCmapRange] = []
        for index in 0..<segCount {
            let end = UInt32(try r.u16(endCodes + 2 * index))
            let start = UInt32(try r.u16(startCodes + 2 * index))
            let delta = Int(try r.u16(deltas + 2 * index))
            let rangeOffset = Int(try r.u16(rangeOffsets + 2 * index))
            guard start <= end, !(start == 0xFFFF && end == 0xFFFF) else { continue }
            let address = rangeOffset == 0 ? nil : rangeOffsets + 2 * index + rangeOffset
            ranges.append(TrueTypeCmapRange(start: start, end: end, delta: delta, glyphArrayAddress: address, isFormat4: true))
        }
        return normalised(ranges)
    }

    /// Sorted by start, overlaps removed (first wins) so that binary search is sound.
    static func normalised(_ ranges: [TrueTypeCmapRange]) -> [TrueTypeCmapRange] {
        var result: [TrueTypeCmapRange] = []
        for range in ranges.sorted(by: { $0.start < $1.start }) {
            if let last = result.last, range.start <= last.end {
                guard range.end > last.end else { continue }
                var trimmed = range
                let skip = last.end + 1 - range.start
                trimmed.start = last.end + 1
                if let address = trimmed.glyphArrayAddress { trimmed.glyphArrayAddress = address + 2 * Int(skip) }
                result.append(trimmed)
            } else {
                result.append(range)
            }
        }
        return result
    }
}

struct TrueTypeTableRecord: Sendable, Equatable {
    var offset: Int
    var length: Int
}

/// One run of a cmap: format 12 groups (glyph = code + delta) and format 4 segments
/// (glyph = (code + delta) mod 65536, or looked up in glyphIdArray then offset by delta).
struct TrueTypeCmapRange: Sendable, Equatable {
    var start: UInt32
    var end: UInt32
    var delta: Int
    /// Absolute address of the glyphIdArray entry for `start` (format 4 with idRangeOffset ≠ 0).
    var glyphArrayAddress: Int?
    var isFormat4: Bool

    func glyph(for code: UInt32, bytes: [UInt8], numberOfGlyphs: Int) -> UInt16? {
        guard code >= start, code <= end else { return nil }
        let glyph: Int
        if isFormat4 {
            if let address = glyphArrayAddress {
                let at = address + 2 * Int(code - start)
                guard at >= 0, at + 2 <= bytes.count else { return nil }
                let raw = Int(TrueTypeReader.u16(bytes, at))
                guard raw != 0 else { return nil }
                glyph = (raw + delta) & 0xFFFF
            } else {
                glyph = (Int(code) + delta) & 0xFFFF
            }
        } else {
            glyph = Int(code) + delta
        }
        guard glyph > 0, glyph < numberOfGlyphs else { return nil }
        return UInt16(glyph)
    }
}

/// Bounds-checked big-endian reads.
struct TrueTypeReader {
    let bytes: [UInt8]

    func u8(_ at: Int) throws(DocumentError) -> UInt8 {
        guard at >= 0, at < bytes.count else { throw .fontUnreadable("the file is truncated", ["offset": "\(at)"]) }
        return bytes[at]
    }

    func u16(_ at: Int) throws(DocumentError) -> UInt16 {
        guard at >= 0, at + 2 <= bytes.count else { throw .fontUnreadable("the file is truncated", ["offset": "\(at)"]) }
        return UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }

    func i16(_ at: Int) throws(DocumentError) -> Int16 { Int16(bitPattern: try u16(at)) }

    func u32(_ at: Int) throws(DocumentError) -> UInt32 {
        guard at >= 0, at + 4 <= bytes.count else { throw .fontUnreadable("the file is truncated", ["offset": "\(at)"]) }
        return UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    func i32(_ at: Int) throws(DocumentError) -> Int32 { Int32(bitPattern: try u32(at)) }

    func tag(_ at: Int) throws(DocumentError) -> String {
        guard at >= 0, at + 4 <= bytes.count else { throw .fontUnreadable("the file is truncated", ["offset": "\(at)"]) }
        return String(bytes[at..<(at + 4)].map { $0 >= 32 && $0 < 127 ? Character(Unicode.Scalar($0)) : "?" })
    }

    /// Unchecked read for offsets already validated against the table bounds.
    static func u16(_ bytes: [UInt8], _ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= bytes.count else { return 0 }
        return UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1])
    }
}
