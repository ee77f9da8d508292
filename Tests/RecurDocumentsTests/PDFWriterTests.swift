import Foundation
import Testing

@testable import RecurDocuments

@Suite("PDF writer and deflate")
struct PDFWriterTests {
    @Test func numbersNamesAndStrings() {
        #expect(PDFObject.format(0) == "0")
        #expect(PDFObject.format(-0.0001) == "0")
        #expect(PDFObject.format(12.5) == "12.5")
        #expect(PDFObject.format(595.28) == "595.28")
        #expect(PDFObject.format(-0.25) == "-0.25")
        #expect(PDFObject.format(0.0625) == "0.063")
        #expect(PDFObject.format(3) == "3")
        #expect(PDFObject.format(1.005) == "1.005")
        #expect(PDFObject.format(.nan) == "0")
        var out: [UInt8] = []
        PDFObject.dictionary([
            "Type": .name("Font"), "Name": .name("A B#(x)"), "S": .literalString(Array("a(b)\\c\n".utf8) + [0x01]),
            "T": .text("Hóa đơn"), "U": .text("Invoice"), "N": .null, "B": .boolean(true), "R": .reference(PDFReference(number: 7)),
            "A": .array([.integer(1), .real(2.5)]),
        ]).serialize(into: &out)
        #expect(String(decoding: out, as: UTF8.self)
            == "<</Type /Font /Name /A#20B#23#28x#29 /S (a\\(b\\)\\\\c\\n\\001) /T <FEFF004800F300610020011101A1006E> /U (Invoice) /N null /B true /R 7 0 R /A [1 2.5] >>")
        var date: [UInt8] = []
        PDFObject.date(Date(timeIntervalSince1970: 1_735_732_800)).serialize(into: &date)
        #expect(String(decoding: date, as: UTF8.self) == "(D:20250101120000Z)")
    }

    @Test func adler32KnownAnswer() {
        #expect(PDFDeflate.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PDFDeflate.adler32([]) == 1)
    }

    static func samples() -> [[UInt8]] {
        var generator = SystemRandomNumberGenerator()
        let text = Array(String(repeating: "BT /F1 9 Tf 48 700 Td <0001000200030004> Tj ET\n0.5 w 48 690 m 547 690 l S\n", count: 300).utf8)
        return [
            [], [0], Array("a".utf8), Array("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8),
            text,
            (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &generator) },
            (0..<200_000).map { UInt8(($0 / 7) % 251) },
            [UInt8](repeating: 0, count: 100_000),
        ]
    }

    /// python3's zlib (the reference implementation) inflates what we deflate.
    @Test(arguments: [PDFCompression.flate, .flateStored])
    func deflateRoundTripsThroughZlib(_ compression: PDFCompression) throws {
        try DocumentTestSupport.require([("python3", "python3")])
        let directory = try DocumentTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (index, sample) in Self.samples().enumerated() {
            let compressed = compression == .flate ? PDFDeflate.compress(sample) : PDFDeflate.store(sample)
            let input = directory.appendingPathComponent("in\(index).z")
            let expected = directory.appendingPathComponent("in\(index).raw")
            try Data(compressed).write(to: input)
            try Data(sample).write(to: expected)
            let script = "import sys, zlib; d = zlib.decompress(open(sys.argv[1], 'rb').read()); e = open(sys.argv[2], 'rb').read(); print('same' if d == e else 'differ %d %d' % (len(d), len(e)))"
            let result = try DocumentTestSupport.run("python3", ["-c", script, input.path, expected.path])
            #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "same", "sample \(index): \(result.stdout) \(result.stderr)")
            if compression == .flate && index == 4 { #expect(compressed.count < sample.count / 10) }
        }
    }

    static func minimalPDF(_ compression: PDFCompression) throws -> Data {
        var writer = PDFWriter()
        let catalog = writer.allocate()
        let pages = writer.allocate()
        let content = writer.addStream(data: Array("0.9 0.2 0.2 rg 100 100 200 300 re f\n".utf8), compression: compression)
        let page = writer.add(.dictionary([
            "Type": .name("Page"), "Parent": .reference(pages), "MediaBox": .rectangle([0, 0, 595.28, 841.89]),
            "Resources": .dictionary([:]), "Contents": .reference(content),
        ]))
        try writer.write(.dictionary(["Type": .name("Pages"), "Kids": .array([.reference(page)]), "Count": .integer(1)]), to: pages)
        try writer.write(.dictionary(["Type": .name("Catalog"), "Pages": .reference(pages)]), to: catalog)
        let info = writer.add(.dictionary(["Title": .text("Hóa đơn"), "Producer": .text("Recur"), "CreationDate": .date(Date())]))
        return try writer.finish(root: catalog, info: info)
    }

    @Test func crossReferenceOffsetsAreExact() throws {
        let data = try Self.minimalPDF(.flate)
        let bytes = [UInt8](data)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.7\n"))
        #expect(text.hasSuffix("%%EOF\n"))
        // startxref points at "xref"; each in-use entry points at "N 0 obj".
        let tail = String(decoding: bytes.suffix(40), as: UTF8.self)
        let startxref = try #require(tail.components(separatedBy: "startxref\n").last?.split(separator: "\n").first.flatMap { Int($0) })
        #expect(String(decoding: bytes[startxref..<(startxref + 4)], as: UTF8.self) == "xref")
        let xref = String(decoding: bytes[startxref...], as: UTF8.self)
        let lines = xref.components(separatedBy: "\r\n")
        let header = lines[0].split(separator: "\n")
        #expect(header[1] == "0 6")
        #expect(header.last == "0000000000 65535 f")
        for number in 1...5 {
            let entry = lines[number]
            #expect(entry.count == 18)  // plus CR LF = 20 bytes
            let offset = try #require(Int(entry.prefix(10)))
            #expect(String(decoding: bytes[offset..<(offset + "\(number) 0 obj".count)], as: UTF8.self) == "\(number) 0 obj")
        }
    }

    @Test func unwrittenObjectIsAnError() {
        var writer = PDFWriter()
        let catalog = writer.allocate()
        _ = writer.allocate()
        do {
            _ = try writer.finish(root: catalog, info: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == "pdf.invalid")
        }
        #expect(throws: DocumentError.self) { try writer.write(.null, to: PDFReference(number: 9)) }
    }

    @Test(arguments: [PDFCompression.none, .flate, .flateStored])
    func qpdfAcceptsMinimalFile(_ compression: PDFCompression) throws {
        try DocumentTestSupport.require([("qpdf", "qpdf")])
        let directory = try DocumentTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("minimal.pdf").path
        try Self.minimalPDF(compression).write(to: URL(fileURLWithPath: path))
        let result = try DocumentTestSupport.run("qpdf", ["--check", path], check: false)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("No syntax or stream encoding errors"), "\(result.stdout)")
    }
}
