public import Foundation

/// An RGB colour, components 0…1.
public struct PDFColor: Sendable, Equatable, Hashable {
    public var red: Double
    public var green: Double
    public var blue: Double

    public init(red: Double, green: Double, blue: Double) {
        self.red = min(max(red, 0), 1)
        self.green = min(max(green, 0), 1)
        self.blue = min(max(blue, 0), 1)
    }

    public init(gray: Double) { self.init(red: gray, green: gray, blue: gray) }

    /// From 0xRRGGBB.
    public init(hex: UInt32) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255, blue: Double(hex & 0xFF) / 255)
    }

    public static let black = PDFColor(gray: 0)
    public static let white = PDFColor(gray: 1)

    var operands: String { "\(PDFObject.format(red)) \(PDFObject.format(green)) \(PDFObject.format(blue))" }
}

/// Raw 8-bit image samples (no PNG/JPEG decoding): rows top to bottom, pixels left to right,
/// 3 bytes per pixel for RGB, 1 for grey.
public struct PDFImage: Sendable, Equatable, Hashable {
    public enum ColorSpace: Sendable, Equatable, Hashable {
        case rgb
        case gray

        var components: Int { self == .rgb ? 3 : 1 }
    }

    public let width: Int
    public let height: Int
    public let colorSpace: ColorSpace
    public let samples: Data

    /// - Throws: `image.invalid` when the sample count is not width × height × components.
    public init(width: Int, height: Int, colorSpace: ColorSpace, samples: Data) throws(DocumentError) {
        guard width > 0, height > 0, width <= 20_000, height <= 20_000 else {
            throw DocumentError(code: "image.invalid", message: "The image size is out of range.", values: ["width": "\(width)", "height": "\(height)"])
        }
        let expected = width * height * colorSpace.components
        guard samples.count == expected else {
            throw DocumentError(code: "image.invalid", message: "The sample count does not match the image size and colour space.",
                                values: ["expected": "\(expected)", "actual": "\(samples.count)"])
        }
        self.width = width
        self.height = height
        self.colorSpace = colorSpace
        self.samples = samples
    }
}

/// A font usable in one ``PDFDocument``: a primary TrueType face and optional fallbacks for the
/// characters it lacks (e.g. a CJK font for Japanese). Obtained from ``PDFDocument/addFont(_:fallbacks:)``.
public final class PDFFont {
    let faces: [PDFFontFace]
    let registry: PDFResourceRegistry

    init(faces: [PDFFontFace], registry: PDFResourceRegistry) {
        self.faces = faces
        self.registry = registry
    }

    /// The primary face.
    public var font: TrueTypeFont { faces[0].font }

    /// Width of a single line of text in points.
    public func width(of text: String, size: Double) -> Double {
        var width = 0.0
        for scalar in PDFFont.normalised(text).unicodeScalars {
            let (face, glyph) = resolve(scalar)
            width += Double(face.font.advanceWidth(forGlyph: glyph)) / Double(face.font.unitsPerEm)
        }
        return width * size
    }

    /// Ascender above the baseline at `size`, in points.
    public func ascent(size: Double) -> Double { Double(font.ascender) * size / Double(font.unitsPerEm) }
    /// Descender below the baseline at `size`, in points (positive).
    public func descent(size: Double) -> Double { Double(-font.descender) * size / Double(font.unitsPerEm) }
    /// Height of capitals at `size`, in points.
    public func capHeight(size: Double) -> Double { Double(font.capHeight) * size / Double(font.unitsPerEm) }

    /// Breaks text into lines no wider than `width`: at spaces, at explicit newlines, and inside
    /// a word only when the word alone is wider than a line.
    public func wrap(_ text: String, size: Double, width: Double) -> [String] {
        var lines: [String] = []
        for paragraph in PDFFont.normalised(text, keepNewlines: true).split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
                let candidate = line.isEmpty ? word : line + " " + word
                if self.width(of: candidate, size: size) <= width {
                    line = candidate
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                line = ""
                // A word wider than the line is cut between characters.
                var piece = ""
                for character in word {
                    let next = piece + String(character)
                    if !piece.isEmpty && self.width(of: next, size: size) > width {
                        lines.append(piece)
                        piece = String(character)
                    } else {
                        piece = next
                    }
                }
                line = piece
            }
            lines.append(line)
        }
        return lines
    }

    /// The face and glyph that will draw a scalar: the first face that has it, else .notdef of the primary.
    func resolve(_ scalar: Unicode.Scalar) -> (PDFFontFace, UInt16) {
        for face in faces {
            if let glyph = face.font.glyphID(for: scalar) { return (face, glyph) }
        }
        return (faces[0], 0)
    }

    /// Runs of (face, CIDs) for a line of text; records the glyphs as used and the characters no
    /// face has.
    func encode(_ text: String) -> [(face: PDFFontFace, cids: [UInt16])] {
        var runs: [(face: PDFFontFace, cids: [UInt16])] = []
        for scalar in PDFFont.normalised(text).unicodeScalars {
            let (face, glyph) = resolve(scalar)
            if glyph == 0 { registry.noteMissing(scalar) }
            let cid = face.cid(forGlyph: glyph, scalar: glyph == 0 ? nil : scalar)
            if let last = runs.last, last.face === face {
                runs[runs.count - 1].cids.append(cid)
            } else {
                runs.append((face, [cid]))
            }
        }
        return runs
    }

    /// NFC (so that Vietnamese letters typed as base + combining marks use the precomposed
    /// glyphs), tabs and newlines to spaces, other control characters removed.
    static func normalised(_ text: String, keepNewlines: Bool = false) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0A: scalars.append(keepNewlines ? "\n" : " ")
            case 0x0D: continue  // CR LF → one newline
            case 0x09: scalars.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0, 0xFEFF: continue
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

/// One embedded TrueType face of a document: the glyphs used so far, numbered as CIDs in order of
/// first use (CID = glyph id in the subset, CIDToGIDMap /Identity).
final class PDFFontFace {
    let font: TrueTypeFont
    let resourceName: String
    private(set) var glyphOrder: [UInt16] = [0]
    private var cids: [UInt16: UInt16] = [0: 0]
    private(set) var unicode: [UInt16: Unicode.Scalar] = [:]
    var isUsed = false

    init(font: TrueTypeFont, resourceName: String) {
        self.font = font
        self.resourceName = resourceName
    }

    func cid(forGlyph glyph: UInt16, scalar: Unicode.Scalar?) -> UInt16 {
        isUsed = true
        let cid: UInt16
        if let existing = cids[glyph] {
            cid = existing
        } else {
            cid = UInt16(glyphOrder.count)
            cids[glyph] = cid
            glyphOrder.append(glyph)
        }
        if let scalar, unicode[cid] == nil { unicode[cid] = scalar }
        return cid
    }
}

/// What all pages of a document share: fonts, images, missing characters.
final class PDFResourceRegistry {
    var faces: [PDFFontFace] = []
    var images: [(image: PDFImage, name: String)] = []
    var missing: [Unicode.Scalar] = []
    private var missingSet: Set<Unicode.Scalar> = []

    func face(for font: TrueTypeFont) -> PDFFontFace {
        if let existing = faces.first(where: {
            $0.font.postScriptName == font.postScriptName && $0.font.checksumAdjustment == font.checksumAdjustment
                && $0.font.bytes.count == font.bytes.count
        }) {
            return existing
        }
        let face = PDFFontFace(font: font, resourceName: "F\(faces.count + 1)")
        faces.append(face)
        return face
    }

    func imageName(for image: PDFImage) -> String {
        if let existing = images.first(where: { $0.image == image }) { return existing.name }
        let name = "Im\(images.count + 1)"
        images.append((image, name))
        return name
    }

    func noteMissing(_ scalar: Unicode.Scalar) {
        if missingSet.insert(scalar).inserted { missing.append(scalar) }
    }
}

/// A PDF document under construction: add fonts and pages, draw on the pages, then ``render()``.
///
/// Not thread-safe: build and render a document on one task. Rendering is deterministic for a
/// given `creationDate`.
public final class PDFDocument {
    public var title: String?
    public var author: String?
    public var subject: String?
    public var keywords: String?
    /// BCP 47 language of the content ("vi-VN", "fr-FR"), written as the catalog's /Lang.
    public var language: String?
    public var creationDate: Date
    public var compression: PDFCompression
    /// When true, ``render()`` throws `font.glyph_missing` if a drawn character had no glyph;
    /// otherwise such characters are drawn as .notdef and listed in ``missingCharacters``.
    public var strictGlyphs: Bool

    public private(set) var pages: [PDFPage] = []
    let registry = PDFResourceRegistry()

    public init(title: String? = nil, author: String? = nil, language: String? = nil, creationDate: Date = Date(),
                compression: PDFCompression = .flate, strictGlyphs: Bool = false) {
        self.title = title
        self.author = author
        self.language = language
        self.creationDate = creationDate
        self.compression = compression
        self.strictGlyphs = strictGlyphs
    }

    /// Registers a font (and fallbacks tried in order for characters it lacks).
    /// - Throws: `font.not_embeddable` when a face's licence forbids embedding.
    public func addFont(_ font: TrueTypeFont, fallbacks: [TrueTypeFont] = []) throws(DocumentError) -> PDFFont {
        for face in [font] + fallbacks where !face.isEmbeddable {
            throw DocumentError(code: "font.not_embeddable", message: "The font's licence does not allow embedding.",
                                values: ["font": face.postScriptName])
        }
        return PDFFont(faces: ([font] + fallbacks).map(registry.face(for:)), registry: registry)
    }

    /// Appends a page (A4 portrait unless told otherwise).
    @discardableResult
    public func addPage(width: Double = PDFPage.a4Width, height: Double = PDFPage.a4Height) -> PDFPage {
        let page = PDFPage(width: width, height: height, registry: registry)
        pages.append(page)
        return page
    }

    /// Characters drawn so far that no font could draw (each once, in order of appearance).
    public var missingCharacters: [String] { registry.missing.map { String($0) } }

    /// Writes the PDF.
    public func render() throws(DocumentError) -> Data {
        if strictGlyphs && !registry.missing.isEmpty {
            throw DocumentError(code: "font.glyph_missing", message: "Some characters have no glyph in the configured fonts.",
                                values: ["characters": missingCharacters.joined(),
                                         "scalars": registry.missing.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")])
        }
        if pages.isEmpty { addPage() }
        var writer = PDFWriter()
        let catalog = writer.allocate()
        let pagesReference = writer.allocate()

        var fontResources = PDFDictionary()
        for face in registry.faces where face.isUsed {
            fontResources[face.resourceName] = .reference(try writeFont(face, into: &writer))
        }
        var imageResources = PDFDictionary()
        for (image, name) in registry.images {
            var dictionary: PDFDictionary = [
                "Type": .name("XObject"), "Subtype": .name("Image"),
                "Width": .integer(image.width), "Height": .integer(image.height),
                "ColorSpace": .name(image.colorSpace == .rgb ? "DeviceRGB" : "DeviceGray"),
                "BitsPerComponent": .integer(8),
            ]
            dictionary["Interpolate"] = .boolean(true)
            imageResources[name] = .reference(writer.addStream(dictionary, data: [UInt8](image.samples), compression: compression == .none ? .flate : compression))
        }
        var resources: PDFDictionary = ["ProcSet": .array([.name("PDF"), .name("Text"), .name("ImageB"), .name("ImageC")])]
        if !fontResources.entries.isEmpty { resources["Font"] = .dictionary(fontResources) }
        if !imageResources.entries.isEmpty { resources["XObject"] = .dictionary(imageResources) }
        let resourcesReference = writer.add(.dictionary(resources))

        var kids: [PDFObject] = []
        for page in pages {
            let content = writer.addStream(data: page.content, compression: compression)
            kids.append(.reference(writer.add(.dictionary([
                "Type": .name("Page"), "Parent": .reference(pagesReference),
                "MediaBox": .rectangle([0, 0, page.width, page.height]),
                "Resources": .reference(resourcesReference), "Contents": .reference(content),
            ]))))
        }
        try writer.write(.dictionary(["Type": .name("Pages"), "Kids": .array(kids), "Count": .integer(pages.count)]), to: pagesReference)
        var catalogDictionary: PDFDictionary = ["Type": .name("Catalog"), "Pages": .reference(pagesReference)]
        if let language, !language.isEmpty { catalogDictionary["Lang"] = .text(language) }
        if title != nil { catalogDictionary["ViewerPreferences"] = .dictionary(["DisplayDocTitle": .boolean(true)]) }
        try writer.write(.dictionary(catalogDictionary), to: catalog)

        var info: PDFDictionary = [:]
        if let title { info["Title"] = .text(title) }
        if let author { info["Author"] = .text(author) }
        if let subject { info["Subject"] = .text(subject) }
        if let keywords { info["Keywords"] = .text(keywords) }
        info["Creator"] = .text("Recur")
        info["Producer"] = .text("Recur")
        info["CreationDate"] = .date(creationDate)
        info["ModDate"] = .date(creationDate)
        let infoReference = writer.add(.dictionary(info))
        return try writer.finish(root: catalog, info: infoReference)
    }

    /// Type0 font with Identity-H encoding over a CIDFontType2 whose FontFile2 is the subset.
    private func writeFont(_ face: PDFFontFace, into writer: inout PDFWriter) throws(DocumentError) -> PDFReference {
        let font = face.font
        let subset = try TrueTypeSubset(font: font, glyphs: face.glyphOrder)
        let baseName = PDFDocument.subsetTag(face.glyphOrder, font.postScriptName) + "+" + font.postScriptName
        let scale = 1000 / Double(font.unitsPerEm)

        let fontFile = writer.addStream(["Length1": .integer(subset.data.count)], data: [UInt8](subset.data), compression: compression)
        var flags = 32  // nonsymbolic
        if font.isFixedPitch { flags |= 1 }
        if font.italicAngle != 0 { flags |= 64 }
        let box = font.boundingBox
        let descriptor = writer.add(.dictionary([
            "Type": .name("FontDescriptor"), "FontName": .name(baseName), "Flags": .integer(flags),
            "FontBBox": .array([box.xMin, box.yMin, box.xMax, box.yMax].map { .real(Double($0) * scale) }),
            "ItalicAngle": .real(font.italicAngle),
            "Ascent": .real(Double(font.ascender) * scale), "Descent": .real(Double(font.descender) * scale),
            "CapHeight": .real(Double(font.capHeight) * scale),
            "StemV": .integer(font.weightClass >= 600 ? 140 : 80),
            "FontFile2": .reference(fontFile),
        ]))
        // CIDs are the subset's glyph ids: 0..<glyphCount (components included, harmless).
        let widths = subset.originalGlyphIDs.map { PDFObject.real(Double(font.advanceWidth(forGlyph: $0)) * scale) }
        let descendant = writer.add(.dictionary([
            "Type": .name("Font"), "Subtype": .name("CIDFontType2"), "BaseFont": .name(baseName),
            "CIDSystemInfo": .dictionary(["Registry": .literalString(Array("Adobe".utf8)), "Ordering": .literalString(Array("Identity".utf8)), "Supplement": .integer(0)]),
            "FontDescriptor": .reference(descriptor),
            "DW": .real(Double(font.advanceWidth(forGlyph: 0)) * scale),
            "W": .array([.integer(0), .array(widths)]),
            "CIDToGIDMap": .name("Identity"),
        ]))
        let toUnicode = writer.addStream(data: PDFDocument.toUnicodeCMap(face.unicode), compression: compression)
        return writer.add(.dictionary([
            "Type": .name("Font"), "Subtype": .name("Type0"), "BaseFont": .name(baseName),
            "Encoding": .name("Identity-H"), "DescendantFonts": .array([.reference(descendant)]),
            "ToUnicode": .reference(toUnicode),
        ]))
    }

    /// The six capital letters that mark a subset font's name, derived from its glyphs.
    static func subsetTag(_ glyphs: [UInt16], _ name: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        for glyph in glyphs {
            hash = (hash ^ UInt64(glyph >> 8)) &* 0x100_0000_01B3
            hash = (hash ^ UInt64(glyph & 0xFF)) &* 0x100_0000_01B3
        }
        var tag = ""
        for _ in 0..<6 {
            tag.append(Character(Unicode.Scalar(UInt8(65 + hash % 26))))
            hash /= 26
        }
        return tag
    }

    /// A ToUnicode CMap (bfchar entries, UTF-16BE destinations) for 2-byte CIDs.
    static func toUnicodeCMap(_ unicode: [UInt16: Unicode.Scalar]) -> [UInt8] {
        var text = """
        /CIDInit /ProcSet findresource begin
        12 dict begin
        begincmap
        /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
        /CMapName /Adobe-Identity-UCS def
        /CMapType 2 def
        1 begincodespacerange
        <0000> <FFFF>
        endcodespacerange

        """
        let entries = unicode.sorted { $0.key < $1.key }
        var index = 0
        while index < entries.count {
            let chunk = entries[index..<min(index + 100, entries.count)]
            text += "\(chunk.count) beginbfchar\n"
            for (cid, scalar) in chunk {
                var hex: [UInt8] = []
                PDFObject.appendHex([UInt8(cid >> 8), UInt8(cid & 0xFF)], to: &hex)
                var destination: [UInt8] = []
                for unit in String(scalar).utf16 { PDFObject.appendHex([UInt8(unit >> 8), UInt8(unit & 0xFF)], to: &destination) }
                text += "<\(String(decoding: hex, as: UTF8.self))> <\(String(decoding: destination, as: UTF8.self))>\n"
            }
            text += "endbfchar\n"
            index += 100
        }
        text += """
        endcmap
        CMapName currentdict /CMap defineresource pop
        end
        end

        """
        return Array(text.utf8)
    }
}

extension PDFImage {
    /// An image from a binary Netpbm file — P6 (RGB) or P5 (grey), maxval 255 — the simplest
    /// lossless format a logo converts to (`pngtopnm logo.png > logo.ppm`, or ImageMagick's
    /// `convert logo.png logo.ppm`), read here without any image library.
    /// - Throws: `image.invalid` for another format, a bad header or missing samples.
    public init(netpbm data: Data) throws(DocumentError) {
        let bytes = [UInt8](data)
        var i = 0
        func fail(_ why: String) -> DocumentError { DocumentError(code: "image.invalid", message: "Not a binary PPM/PGM image: \(why).") }
        func token() -> String? {
            // Whitespace and `#` comments separate the header's fields.
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "#") {
                    while i < bytes.count && bytes[i] != 10 { i += 1 }
                } else if [9, 10, 13, 32].contains(bytes[i]) {
                    i += 1
                } else { break }
            }
            let start = i
            while i < bytes.count && ![9, 10, 13, 32, UInt8(ascii: "#")].contains(bytes[i]) { i += 1 }
            return i > start ? String(decoding: bytes[start..<i], as: UTF8.self) : nil
        }
        guard let magic = token(), magic == "P6" || magic == "P5" else { throw fail("it must start with P6 or P5") }
        guard let w = token().flatMap(Int.init), let h = token().flatMap(Int.init) else { throw fail("no width and height") }
        guard let maxval = token().flatMap(Int.init), maxval == 255 else { throw fail("only 8-bit samples (maxval 255) are read") }
        i += 1  // the single whitespace byte before the samples
        let space: ColorSpace = magic == "P6" ? .rgb : .gray
        let count = w * h * space.components
        guard w > 0, h > 0, i + count <= bytes.count else { throw fail("\(w)×\(h) needs \(count) sample bytes") }
        try self.init(width: w, height: h, colorSpace: space, samples: Data(bytes[i..<(i + count)]))
    }
}
