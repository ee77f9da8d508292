/// zlib (RFC 1950) / DEFLATE (RFC 1951) compression for PDF FlateDecode streams, in pure Swift
/// because Foundation on Linux offers no zlib API.
///
/// `compress` does LZ77 (32 KiB window, hash chains) with the fixed Huffman codes of RFC 1951
/// §3.2.6: no dynamic tables, so it is short and easy to verify, and still shrinks content streams
/// and fonts to roughly half. `store` writes stored (uncompressed) blocks.
enum PDFDeflate {
    /// zlib stream with one fixed-Huffman block.
    static func compress(_ input: [UInt8]) -> [UInt8] {
        var out = BitWriter()
        out.bytes.reserveCapacity(input.count / 2 + 16)
        out.bytes += [0x78, 0x9C]
        out.write(1, count: 1)  // BFINAL
        out.write(1, count: 2)  // BTYPE = 01, fixed Huffman
        let count = input.count
        let windowSize = 32768
        let hashSize = 1 << 15
        var head = [Int32](repeating: -1, count: hashSize)
        var previous = [Int32](repeating: -1, count: windowSize)
        input.withUnsafeBufferPointer { data in
            @inline(__always) func hash(_ i: Int) -> Int {
                (Int(data[i]) << 10 ^ Int(data[i + 1]) << 5 ^ Int(data[i + 2])) & (hashSize - 1)
            }
            @inline(__always) func insert(_ i: Int) {
                guard i + 2 < count else { return }
                let h = hash(i)
                previous[i & (windowSize - 1)] = head[h]
                head[h] = Int32(i)
            }
            var i = 0
            while i < count {
                var bestLength = 0
                var bestDistance = 0
                if i + 2 < count {
                    var candidate = Int(head[hash(i)])
                    var chain = 48
                    let maxLength = min(258, count - i)
                    while candidate >= 0, i - candidate <= windowSize, chain > 0 {
                        if data[candidate + bestLength] == data[i + bestLength] || bestLength == 0 {
                            var length = 0
                            while length < maxLength, data[candidate + length] == data[i + length] { length += 1 }
                            if length > bestLength {
                                bestLength = length
                                bestDistance = i - candidate
                                if length == maxLength { break }
                            }
                        }
                        let next = Int(previous[candidate & (windowSize - 1)])
                        if next >= candidate { break }
                        candidate = next
                        chain -= 1
                    }
                }
                if bestLength >= 3 {
                    out.writeLength(bestLength)
                    out.writeDistance(bestDistance)
                    for k in 0..<bestLength { insert(i + k) }
                    i += bestLength
                } else {
                    out.writeLiteral(Int(data[i]))
                    insert(i)
                    i += 1
                }
            }
        }
        out.writeLiteral(256)
        out.flush()
        appendAdler32(&out.bytes, input)
        return out.bytes
    }

    /// zlib stream of stored blocks (no compression).
    static func store(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        out.reserveCapacity(input.count + input.count / 65535 * 5 + 16)
        var start = 0
        repeat {
            let length = min(65535, input.count - start)
            let final = start + length == input.count
            out.append(final ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += input[start..<(start + length)]
            start += length
        } while start < input.count
        appendAdler32(&out, input)
        return out
    }

    static func adler32(_ input: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        var index = 0
        while index < input.count {
            let end = min(index + 5552, input.count)
            while index < end {
                a += UInt32(input[index])
                b += a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    static func appendAdler32(_ out: inout [UInt8], _ input: [UInt8]) {
        let value = adler32(input)
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static let lengthBases: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtraBits: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBases: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtraBits: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    struct BitWriter {
        var bytes: [UInt8] = []
        var buffer: UInt64 = 0
        var bitCount = 0

        /// Writes `count` bits of `value`, least significant first (RFC 1951 data elements).
        mutating func write(_ value: Int, count: Int) {
            buffer |= UInt64(value) << UInt64(bitCount)
            bitCount += count
            while bitCount >= 8 {
                bytes.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                bitCount -= 8
            }
        }

        /// Writes a Huffman code, most significant bit first.
        mutating func writeCode(_ code: Int, length: Int) {
            var reversed = 0
            for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
            write(reversed, count: length)
        }

        /// Fixed literal/length code (RFC 1951 §3.2.6).
        mutating func writeLiteral(_ symbol: Int) {
            switch symbol {
            case 0...143: writeCode(0x30 + symbol, length: 8)
            case 144...255: writeCode(0x190 + symbol - 144, length: 9)
            case 256...279: writeCode(symbol - 256, length: 7)
            default: writeCode(0xC0 + symbol - 280, length: 8)
            }
        }

        mutating func writeLength(_ length: Int) {
            var index = PDFDeflate.lengthBases.count - 1
            while PDFDeflate.lengthBases[index] > length { index -= 1 }
            writeLiteral(257 + index)
            let extra = PDFDeflate.lengthExtraBits[index]
            if extra > 0 { write(length - PDFDeflate.lengthBases[index], count: extra) }
        }

        mutating func writeDistance(_ distance: Int) {
            var index = PDFDeflate.distanceBases.count - 1
            while PDFDeflate.distanceBases[index] > distance { index -= 1 }
            writeCode(index, length: 5)
            let extra = PDFDeflate.distanceExtraBits[index]
            if extra > 0 { write(distance - PDFDeflate.distanceBases[index], count: extra) }
        }

        mutating func flush() {
            if bitCount > 0 {
                bytes.append(UInt8(buffer & 0xFF))
                buffer = 0
                bitCount = 0
            }
        }
    }
}
