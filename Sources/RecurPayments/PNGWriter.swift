public import Foundation

/// Writes greyscale PNG images (ISO/IEC 15948, the PNG specification) without a
/// compression library: IHDR, one IDAT holding a zlib stream (RFC 1950) of stored,
/// uncompressed deflate blocks (RFC 1951 §3.2.4), and IEND, each chunk with its CRC-32.
///
/// Stored blocks make the file larger than a compressed one but keep the writer small
/// and obviously correct; a QR code at 1 bit per pixel is a few kilobytes either way.
///
/// For example:
/// ```swift
/// // a 2×2 checkerboard, black top-left
/// let png = PNGWriter.bilevel(width: 2, height: 2) { x, y in (x + y) % 2 == 0 }
/// ```
public enum PNGWriter {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A 1-bit greyscale image; `isBlack(x, y)` tells each pixel, from the top-left.
    public static func bilevel(width: Int, height: Int, isBlack: (_ x: Int, _ y: Int) -> Bool) -> Data {
        precondition(width > 0 && height > 0, "a PNG has at least one pixel")
        let rowBytes = (width + 7) / 8
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * height)
        for y in 0..<height {
            raw.append(0)  // filter type 0: None
            var byte: UInt8 = 0
            for x in 0..<width {
                // Greyscale 1 bit: 0 is black, 1 is white; the leftmost pixel is the high bit.
                if !isBlack(x, y) { byte |= 0x80 >> UInt8(x & 7) }
                if x & 7 == 7 || x == width - 1 {
                    raw.append(byte)
                    byte = 0
                }
            }
        }
        return image(width: width, height: height, bitDepth: 1, scanlines: raw)
    }

    /// An 8-bit greyscale image from row-major `pixels` (0 black … 255 white).
    public static func greyscale(width: Int, height: Int, pixels: [UInt8]) -> Data {
        precondition(width > 0 && height > 0 && pixels.count == width * height, "pixels must be width × height")
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for y in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(y * width)..<((y + 1) * width)])
        }
        return image(width: width, height: height, bitDepth: 8, scanlines: raw)
    }

    private static func image(width: Int, height: Int, bitDepth: UInt8, scanlines: [UInt8]) -> Data {
        var header = [UInt8]()
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [bitDepth, 0, 0, 0, 0]  // colour type 0 (greyscale), deflate, filter 0, no interlace
        var file = signature
        file += chunk("IHDR", header)
        file += chunk("IDAT", zlibStored(scanlines))
        file += chunk("IEND", [])
        return Data(file)
    }

    /// A chunk: length, type, data, CRC-32 of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData))
    }

    /// A zlib stream holding `data` in stored deflate blocks of at most 65,535 bytes.
    public static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate, 32 KiB window; FLG 0x01 makes (CMF × 256 + FLG) a multiple of 31.
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let length = min(65_535, data.count - offset)
            let isFinal = offset + length == data.count
            out.append(isFinal ? 1 : 0)  // BFINAL, BTYPE 00 (stored), padded to the byte
            let len = UInt16(length)
            out += [UInt8(len & 0xFF), UInt8(len >> 8), UInt8(~len & 0xFF), UInt8(~len >> 8)]
            out += data[offset..<(offset + length)]
            offset += length
        } while offset < data.count
        out += bigEndian(adler32(data))
        return out
    }

    /// CRC-32 as PNG and zlib use it (ISO 3309, reflected polynomial 0xEDB88320).
    /// `crc32(Array("123456789".utf8))` is `0xCBF43926`.
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// Adler-32 (RFC 1950 §8.2); `adler32(Array("Wikipedia".utf8))` is `0x11E60398`.
    public static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for chunkStart in stride(from: 0, to: bytes.count, by: 5552) {
            // 5552 is the most bytes before the sums can overflow 32 bits.
            for byte in bytes[chunkStart..<min(chunkStart + 5552, bytes.count)] {
                a += UInt32(byte)
                b += a
            }
            a %= 65_521
            b %= 65_521
        }
        return b << 16 | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
