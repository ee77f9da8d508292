import Foundation
import Testing

@testable import RecurPayments

/// The PNG writer: checksums, zlib framing, chunk layout, and independent readers
/// (pngcheck, Pillow) when installed.
struct PNGWriterTests {
    /// The chunks of a PNG file: type, data, and whether the stored CRC-32 matches.
    static func chunks(_ png: [UInt8]) -> [(type: String, data: [UInt8], crcOK: Bool)] {
        var result: [(String, [UInt8], Bool)] = []
        var i = 8
        func u32(_ at: Int) -> UInt32 { png[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        while i + 12 <= png.count {
            let length = Int(u32(i))
            let type = String(decoding: png[(i + 4)..<(i + 8)], as: UTF8.self)
            let data = Array(png[(i + 8)..<(i + 8 + length)])
            let crc = u32(i + 8 + length)
            result.append((type, data, PNGWriter.crc32(Array(png[(i + 4)..<(i + 8 + length)])) == crc))
            i += 12 + length
        }
        return result
    }

    /// Reads back a zlib stream of stored blocks.
    static func inflateStored(_ zlib: [UInt8]) -> (data: [UInt8], blocks: Int, adlerOK: Bool) {
        var out: [UInt8] = []
        var i = 2
        var blocks = 0
        while true {
            let header = zlib[i]
            let length = Int(zlib[i + 1]) | Int(zlib[i + 2]) << 8
            let complement = Int(zlib[i + 3]) | Int(zlib[i + 4]) << 8
            precondition(length ^ complement == 0xFFFF && header & 0b110 == 0)
            out += zlib[(i + 5)..<(i + 5 + length)]
            i += 5 + length
            blocks += 1
            if header & 1 == 1 { break }
        }
        let adler = zlib[i..<(i + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return (out, blocks, adler == PNGWriter.adler32(out) && i + 4 == zlib.count)
    }

    @Test("png: CRC-32 of \"123456789\" is CBF43926 and of the IEND type is AE426082")
    func crc32() {
        #expect(PNGWriter.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(PNGWriter.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNGWriter.crc32([]) == 0)
    }

    @Test("png: Adler-32 of \"Wikipedia\" is 11E60398; of 100,000 bytes 0xFF it wraps correctly")
    func adler32() {
        #expect(PNGWriter.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNGWriter.adler32([]) == 1)
        // a = 1 + 255 × 100000 mod 65521; b = Σ a over the bytes, computed in 64 bits here.
        var a: UInt64 = 1
        var b: UInt64 = 0
        for _ in 0..<100_000 {
            a = (a + 255) % 65_521
            b = (b + a) % 65_521
        }
        #expect(PNGWriter.adler32([UInt8](repeating: 0xFF, count: 100_000)) == UInt32(b << 16 | a))
    }

    @Test("png: zlib header is 78 01 and 70,000 bytes take two stored blocks")
    func zlibStored() {
        let data = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let stream = PNGWriter.zlibStored(data)
        #expect(Array(stream.prefix(2)) == [0x78, 0x01])
        #expect((0x78 * 256 + 0x01) % 31 == 0)
        #expect(stream.count == 2 + 2 * 5 + 70_000 + 4)
        let back = Self.inflateStored(stream)
        #expect(back.data == data)
        #expect(back.blocks == 2)
        #expect(back.adlerOK)
        #expect(Self.inflateStored(PNGWriter.zlibStored([])).data == [])
    }

    @Test("png: a 2×2 checkerboard is IHDR 2×2 1-bit greyscale, scanlines 00 40 00 80, IEND")
    func checkerboard() {
        let png = [UInt8](PNGWriter.bilevel(width: 2, height: 2) { x, y in (x + y) % 2 == 0 })
        #expect(Array(png.prefix(8)) == PNGWriter.signature)
        let chunks = Self.chunks(png)
        #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(chunks.allSatisfy { $0.crcOK })
        #expect(chunks[0].data == [0, 0, 0, 2, 0, 0, 0, 2, 1, 0, 0, 0, 0])
        // Row 0: black, white → bits 0 1 → 0x40; row 1: white, black → 1 0 → 0x80.
        #expect(Self.inflateStored(chunks[1].data).data == [0x00, 0x40, 0x00, 0x80])
        #expect(chunks[2].data.isEmpty)
    }

    @Test("png: 8-bit greyscale keeps pixel values, one filter byte per row")
    func greyscale() {
        let png = [UInt8](PNGWriter.greyscale(width: 3, height: 2, pixels: [0, 128, 255, 10, 20, 30]))
        let chunks = Self.chunks(png)
        #expect(chunks[0].data == [0, 0, 0, 3, 0, 0, 0, 2, 8, 0, 0, 0, 0])
        #expect(Self.inflateStored(chunks[1].data).data == [0, 0, 128, 255, 0, 10, 20, 30])
    }

    @Test("png: a version-1 QR code at scale 4 with a 4-module quiet zone is 116×116 and its pixels follow the modules")
    func qrPNG() throws {
        let code = try QRCode(text: "HELLO WORLD", errorCorrection: .quartile, mask: 6)
        let chunks = Self.chunks([UInt8](code.png(scale: 4, quietZone: 4)))
        #expect(chunks[0].data.prefix(8) == [0, 0, 0, 116, 0, 0, 0, 116])
        let raw = Self.inflateStored(chunks[1].data).data
        let rowBytes = (116 + 7) / 8
        #expect(raw.count == 116 * (rowBytes + 1))
        func isBlack(_ x: Int, _ y: Int) -> Bool {
            raw[y * (rowBytes + 1) + 1 + x / 8] & (0x80 >> UInt8(x % 8)) == 0
        }
        #expect(!isBlack(0, 0))  // quiet zone
        #expect(!isBlack(15, 15))
        #expect(isBlack(16, 16))  // finder corner, module (0, 0)
        for row in 0..<code.size {
            for column in 0..<code.size {
                #expect(isBlack(16 + column * 4 + 2, 16 + row * 4 + 1) == code[row: row, column: column])
            }
        }
    }

    @Test(
        "png: pngcheck accepts the QR code PNG",
        .enabled(if: QRCodeTestTools.pngcheck != nil, "pngcheck is not installed")
    )
    func pngcheck() throws {
        let directory = try QRCodeTestTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("code.png")
        try QRCode(text: "SUB8K2J7QS").png(scale: 5).write(to: file)
        let result = try QRCodeTestTools.run(QRCodeTestTools.pngcheck!, [file.path])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("OK: "))
        #expect(result.output.contains("1-bit grayscale"))
    }

    @Test(
        "png: Pillow opens the 1-bit and 8-bit PNGs with the right size, mode and pixels",
        .enabled(if: QRCodeTestTools.pythonHasPIL, "python3 with Pillow is not installed")
    )
    func pillow() throws {
        let directory = try QRCodeTestTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let qr = directory.appendingPathComponent("qr.png")
        let grey = directory.appendingPathComponent("grey.png")
        try QRCode(text: "HELLO WORLD", errorCorrection: .quartile, mask: 6).png(scale: 4).write(to: qr)
        try PNGWriter.greyscale(width: 3, height: 2, pixels: [0, 128, 255, 10, 20, 30]).write(to: grey)
        let script = """
            import sys
            from PIL import Image
            a = Image.open(sys.argv[1]); a.load()
            b = Image.open(sys.argv[2]); b.load()
            print(a.size, a.mode, a.getpixel((0, 0)), a.getpixel((17, 17)))
            print(b.size, b.mode, list(b.getdata()))
            """
        let result = try QRCodeTestTools.run(QRCodeTestTools.python3!, ["-c", script, qr.path, grey.path])
        #expect(result.status == 0)
        #expect(result.output == "(116, 116) 1 255 0\n(3, 2) L [0, 128, 255, 10, 20, 30]\n")
    }
}
