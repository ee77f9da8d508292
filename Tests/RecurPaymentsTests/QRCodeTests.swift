import Foundation
import Testing

@testable import RecurPayments

/// The QR code encoder against ISO/IEC 18004 known answers and matrices pinned from
/// two independent encoders: python `qrcode` 8.2 (fixed masks) and Nayuki's
/// `qrcodegen` 1.8.0 (automatic mask choice, no level boost).
struct QRCodeTests {
    static let vietQR =
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E"

    /// CRC-32 of the rows joined by line feeds, to pin large symbols compactly.
    static func fingerprint(_ code: QRCode) -> String {
        let crc = PNGWriter.crc32(Array(code.textRows.joined(separator: "\n").utf8))
        let hex = String(crc, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    // MARK: Pinned matrices

    @Test("qr: HELLO WORLD at level Q with mask 6 is python qrcode's version-1 matrix")
    func helloWorld() throws {
        let code = try QRCode(text: "HELLO WORLD", errorCorrection: .quartile, mask: 6)
        #expect(code.mode == .alphanumeric)
        #expect(code.version == 1)
        #expect(code.size == 21)
        #expect(code.textRows == [
            "#######....#..#######",
            "#.....#.##..#.#.....#",
            "#.###.#..#.##.#.###.#",
            "#.###.#.#####.#.###.#",
            "#.###.#.##.#..#.###.#",
            "#.....#..#..#.#.....#",
            "#######.#.#.#.#######",
            "........##.##........",
            ".#.####.##..###.##.#.",
            "#.####.#....####.###.",
            "..#.#.##...#..##.....",
            "#.##.#...#.##...##...",
            "##.########.###.#####",
            "........#...#..#.#...",
            "#######..##..##..####",
            "#.....#.#.#..#..#.###",
            "#.###.#.##.#..#...###",
            "#.###.#.#.###...#.#..",
            "#.###.#..#....#....##",
            "#.....#.###..###..##.",
            "#######..#.#.......#.",
        ])
    }

    @Test("qr: 01234567 at level M chooses mask 0, as qrcodegen does, and pins its matrix")
    func numericAutoMask() throws {
        let code = try QRCode(text: "01234567", errorCorrection: .medium)
        #expect(code.mode == .numeric)
        #expect(code.mask == 0)
        #expect(code.textRows == [
            "#######...###.#######",
            "#.....#.###...#.....#",
            "#.###.#..##...#.###.#",
            "#.###.#..#.##.#.###.#",
            "#.###.#.##.##.#.###.#",
            "#.....#....#..#.....#",
            "#######.#.#.#.#######",
            ".....................",
            "#.#.#.#...#.#...#..#.",
            "##.#....#.##.#.#...#.",
            "...##.###.##.###.###.",
            "##..##.#.#.###.##..#.",
            "..#..###.###.###....#",
            "........#.#...#....#.",
            "#######.....#...#...#",
            "#.....#...#...#..#.##",
            "#.###.#.###.#.#.###.#",
            "#.###.#..#.#.#.#.###.",
            "#.###.#.##.#.###..#.#",
            "#.....#....###.###...",
            "#######.#..#.###..#.#",
        ])
    }

    @Test("qr: a 36-byte URL at level L with mask 3 is python qrcode's version-3 matrix")
    func urlVersion3() throws {
        let code = try QRCode(text: "https://recur.example/pay/SUB8K2J7QS", errorCorrection: .low, mask: 3)
        #expect(code.mode == .byte)
        #expect(code.version == 3)
        #expect(code.textRows == [
            "#######.#.#.##.#...##.#######",
            "#.....#..#####..##....#.....#",
            "#.###.#.###....##...#.#.###.#",
            "#.###.#.###.#.####.#..#.###.#",
            "#.###.#.#..##.#.##.##.#.###.#",
            "#.....#...##.#.....##.#.....#",
            "#######.#.#.#.#.#.#.#.#######",
            "..........#.#....##..........",
            "####..#.#.####...###.#..###.#",
            "##...#....#.######.##.###...#",
            ".##.###.######..##..#.....##.",
            "..#....####....#..###..#....#",
            "..#.####.##.#.######.#.#.##..",
            ".###.#.#...##.##...#..#...###",
            "#..##.######.#..####.#.##.###",
            "..##.#...###..#......##.#..#.",
            ".#.#.##.##..#.##.##..#.###.#.",
            ".##.#..#.#....#...#.#..#.###.",
            "#.##..#..##..###.##.#..##.#..",
            "..#..#.#####.###.##..#....#..",
            ".##.#.#.#.#..##...#.#######..",
            "........#.#.........#...#####",
            "#######..##...#.#####.#.##.#.",
            "#.....#..########.#.#...##..#",
            "#.###.#..#.#........#####.#..",
            "#.###.#.#.##.#..##.###.###..#",
            "#.###.#.##..#.#.##.#.#.#..#.#",
            "#.....#.##..##.#..#.###..#.#.",
            "#######.####...##..##..#.#.#.",
        ])
    }

    @Test("qr: larger symbols match qrcodegen's version, mask and matrix fingerprint", arguments: [
        (vietQR, QRCode.ErrorCorrection.medium, nil, 8, 2, "AE6102D7"),
        (vietQR, .high, 5, 12, 5, "02E7E530"),
        ("Thanh toán hóa đơn SUB8K2J7QS — cảm ơn quý khách", .quartile, nil, 5, 2, "B7814DE0"),
        (String(repeating: "x", count: 300), .high, nil, 18, 0, "53FB243C"),
        (String(repeating: "A", count: 4296), .low, nil, 40, 2, "90C69A00"),
    ] as [(String, QRCode.ErrorCorrection, Int?, Int, Int, String)])
    func fingerprints(text: String, level: QRCode.ErrorCorrection, mask: Int?, version: Int, chosenMask: Int, crc: String)
        throws
    {
        let code = try QRCode(text: text, errorCorrection: level, mask: mask)
        #expect(code.version == version)
        #expect(code.mask == chosenMask)
        #expect(code.size == 17 + 4 * version)
        #expect(Self.fingerprint(code) == crc)
    }

    // MARK: Known answers of the building blocks

    @Test("qr: ISO 18004 example 01234567 at 1-M has error-correction codewords A5 24 D4 C1 ED 36 C7 87 2C 55")
    func reedSolomonExample() {
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let ecc = QRReedSolomon.remainder(data, divisor: QRReedSolomon.generator(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }

    @Test("qr: GF(256) multiplication reduces by 0x11D")
    func galoisField() {
        #expect(QRReedSolomon.multiply(0x80, 0x02) == 0x1D)
        var power: UInt8 = 1
        var order = 0
        repeat {
            power = QRReedSolomon.multiply(power, 0x02)
            order += 1
        } while power != 1
        #expect(order == 255)  // 2 generates the whole multiplicative group
        #expect(QRReedSolomon.multiply(0x01, 0xB7) == 0xB7)
        #expect(QRReedSolomon.multiply(0x00, 0xB7) == 0x00)
    }

    @Test("qr: format information BCH codes for mask 0 are L 77C4, M 5412, Q 355F, H 1689")
    func formatBits() {
        #expect(QRMatrix.formatBits(ecl: .low, mask: 0) == 0x77C4)
        #expect(QRMatrix.formatBits(ecl: .medium, mask: 0) == 0x5412)
        #expect(QRMatrix.formatBits(ecl: .quartile, mask: 0) == 0x355F)
        #expect(QRMatrix.formatBits(ecl: .high, mask: 0) == 0x1689)
        #expect(QRMatrix.formatBits(ecl: .medium, mask: 5) == 0x40CE)
    }

    @Test("qr: version information BCH codes are 07C94 for version 7 and 28C69 for version 40")
    func versionBits() {
        #expect(QRMatrix.versionBits(7) == 0x07C94)
        #expect(QRMatrix.versionBits(21) == 0x15683)
        #expect(QRMatrix.versionBits(40) == 0x28C69)
    }

    @Test("qr: alignment pattern centres follow ISO 18004 Annex E", arguments: [
        (1, []), (2, [6, 18]), (7, [6, 22, 38]), (15, [6, 26, 48, 70]), (32, [6, 34, 60, 86, 112, 138]),
        (36, [6, 24, 50, 76, 102, 128, 154]), (40, [6, 30, 58, 86, 114, 142, 170]),
    ] as [(Int, [Int])])
    func alignment(version: Int, centres: [Int]) {
        #expect(QRMatrix.alignmentPositions(version: version) == centres)
    }

    @Test("qr: codeword capacity is 26 for version 1, 196 for 7 and 3706 for 40; data codewords by level")
    func capacities() {
        #expect(QRCode.rawDataModules(version: 1) / 8 == 26)
        #expect(QRCode.rawDataModules(version: 7) / 8 == 196)
        #expect(QRCode.rawDataModules(version: 40) / 8 == 3706)
        #expect(QRCode.ErrorCorrection.allCases.map { QRCode.dataCodewords(version: 1, ecl: $0) } == [19, 16, 13, 9])
        #expect(QRCode.ErrorCorrection.allCases.map { QRCode.dataCodewords(version: 40, ecl: $0) } == [2956, 2334, 1666, 1276])
    }

    // MARK: Version and mode choice

    @Test("qr: byte capacity of version 1 is 17/14/11/7 bytes for L/M/Q/H; one more byte needs version 2")
    func versionBoundary() throws {
        for (level, capacity) in zip(QRCode.ErrorCorrection.allCases, [17, 14, 11, 7]) {
            #expect(try QRCode(text: String(repeating: "a", count: capacity), errorCorrection: level).version == 1)
            #expect(try QRCode(text: String(repeating: "a", count: capacity + 1), errorCorrection: level).version == 2)
        }
    }

    @Test("qr: version 40-L holds 2953 bytes; 2954 are too long")
    func maximumBytes() throws {
        #expect(try QRCode(text: String(repeating: "z", count: 2953), errorCorrection: .low).version == 40)
        let error = #expect(throws: BankTransferError.self) {
            try QRCode(text: String(repeating: "z", count: 2954), errorCorrection: .low)
        }
        #expect(error?.code == .qrcodeDataTooLong)
        #expect(error?.values["length"] == "2954")
    }

    @Test("qr: numeric 7089 digits fit version 40-L; alphanumeric 1852 characters fit version 40-H")
    func maximumOtherModes() throws {
        #expect(try QRCode(text: String(repeating: "7", count: 7089), errorCorrection: .low).version == 40)
        #expect(try QRCode(text: String(repeating: "Q", count: 1852), errorCorrection: .high).version == 40)
        #expect(throws: BankTransferError.self) {
            try QRCode(text: String(repeating: "Q", count: 1853), errorCorrection: .high)
        }
    }

    @Test("qr: mode is numeric for digits, alphanumeric for upper-case set, byte otherwise")
    func modeChoice() throws {
        #expect(try QRCode(text: "0123456789").mode == .numeric)
        #expect(try QRCode(text: "SUB8K2J7QS $%*+-./:").mode == .alphanumeric)
        #expect(try QRCode(text: "sub8k2j7qs").mode == .byte)
        #expect(try QRCode(text: "Đà Nẵng").mode == .byte)
        #expect(try QRCode(text: "0123456789", mode: .byte).mode == .byte)
    }

    @Test("qr: forcing numeric mode on 12A is a mode mismatch; mask 8 and version 41 are invalid")
    func badParameters() {
        #expect(#expect(throws: BankTransferError.self) { try QRCode(text: "12A", mode: .numeric) }?.code == .qrcodeModeMismatch)
        #expect(#expect(throws: BankTransferError.self) { try QRCode(text: "12", mask: 8) }?.code == .qrcodeParameterInvalid)
        #expect(
            #expect(throws: BankTransferError.self) { try QRCode(text: "12", minimumVersion: 41) }?.code
                == .qrcodeParameterInvalid)
    }

    @Test("qr: minimum version 5 gives a 37-module symbol for short text")
    func minimumVersion() throws {
        let code = try QRCode(text: "SUB8K2J7QS", minimumVersion: 5)
        #expect(code.version == 5)
        #expect(code.size == 37)
    }

    @Test("qr: byte initialiser encodes raw bytes that are not UTF-8")
    func rawBytes() throws {
        let code = try QRCode(bytes: [0xFF, 0x00, 0xC3], errorCorrection: .high)
        #expect(code.mode == .byte)
        #expect(code.version == 1)
    }

    // MARK: Structure

    @Test("qr: every mask keeps finders, timing and the dark module at (size−8, 8)")
    func structure() throws {
        for mask in 0..<8 {
            let code = try QRCode(text: Self.vietQR, errorCorrection: .medium, mask: mask)
            let n = code.size
            #expect(code[row: n - 8, column: 8])
            for (row, column) in [(0, 0), (0, n - 7), (n - 7, 0)] {
                #expect(code.textRows[row].dropFirst(column).prefix(7) == "#######")
                #expect(code.textRows[row + 3].dropFirst(column).prefix(7) == "#.###.#")
            }
            #expect((8..<(n - 8)).allSatisfy { code[row: 6, column: $0] == ($0 % 2 == 0) })
            #expect((8..<(n - 8)).allSatisfy { code[row: $0, column: 6] == ($0 % 2 == 0) })
            #expect(code.modules.count == n && code.modules.allSatisfy { $0.count == n })
        }
    }

    @Test("qr: the automatic mask has the lowest penalty of the eight")
    func lowestPenalty() throws {
        for text in [Self.vietQR, "HELLO WORLD", String(repeating: "Recur ", count: 40)] {
            let chosen = try QRCode(text: text, errorCorrection: .quartile)
            let penalties = try (0..<8).map { mask in
                try Self.penalty(of: QRCode(text: text, errorCorrection: .quartile, mask: mask))
            }
            #expect(penalties[chosen.mask] == penalties.min())
            #expect(penalties.firstIndex(of: penalties.min()!) == chosen.mask)
        }
    }

    static func penalty(of code: QRCode) -> Int {
        var matrix = QRMatrix(version: code.version)
        matrix.modules = code.modules.flatMap { $0 }
        return matrix.penaltyScore()
    }

    @Test("qr: SVG has the quiet zone in its size and one square per dark module")
    func svg() throws {
        let code = try QRCode(text: "HELLO WORLD", errorCorrection: .quartile, mask: 6)
        let svg = code.svg(moduleSize: 4, quietZone: 4)
        #expect(svg.contains(#"width="116" height="116" viewBox="0 0 116 116""#))
        let dark = code.modules.joined().filter { $0 }.count
        #expect(svg.components(separatedBy: "h4v4h-4z").count - 1 == dark)
        #expect(svg.contains("M16 16h4v4h-4z"))  // the top-left finder corner
        #expect(!svg.contains("M12 12h4v4h-4z"))  // the quiet zone is light
    }

    // MARK: Against qrcodegen, when it is installed

    static let qrcodegenScript = """
        import sys
        from qrcodegen import QrCode, QrSegment
        E = {"L": QrCode.Ecc.LOW, "M": QrCode.Ecc.MEDIUM, "Q": QrCode.Ecc.QUARTILE, "H": QrCode.Ecc.HIGH}
        for line in open(sys.argv[1]):
            ecl, mask, hexdata = line.split()
            text = bytes.fromhex(hexdata).decode()
            if text.isdigit(): seg = QrSegment.make_numeric(text)
            elif QrSegment.is_alphanumeric(text): seg = QrSegment.make_alphanumeric(text)
            else: seg = QrSegment.make_bytes(text.encode())
            q = QrCode.encode_segments([seg], E[ecl], 1, 40, int(mask), False)
            rows = "/".join("".join("#" if q.get_module(x, y) else "." for x in range(q.get_size())) for y in range(q.get_size()))
            print(q.get_version(), q.get_mask(), rows)
        """

    @Test(
        "qr: 120 seeded inputs over all modes, levels and masks give qrcodegen's exact matrices",
        .enabled(if: QRCodeTestTools.pythonHasQRCodeGen, "python3 with qrcodegen is not installed")
    )
    func againstQRCodeGen() throws {
        var random = BankTransferTestRandom(seed: 18004)
        let levels: [(String, QRCode.ErrorCorrection)] = [("L", .low), ("M", .medium), ("Q", .quartile), ("H", .high)]
        let alphabets = ["0123456789", "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", "abcdefghijklmnopqrstuvwxyzđàế0123456789 .:/?=&"]
        var cases: [(text: String, level: QRCode.ErrorCorrection, levelName: String, mask: Int?)] = []
        for i in 0..<120 {
            let alphabet = Array(alphabets[i % 3])
            let length = [Int.random(in: 1...40, using: &random), Int.random(in: 1...300, using: &random)][i % 2]
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            let (name, level) = levels[Int.random(in: 0..<4, using: &random)]
            let mask: Int? = i % 3 == 0 ? Int.random(in: 0..<8, using: &random) : nil
            cases.append((text, level, name, mask))
        }
        let directory = try QRCodeTestTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = cases.map { c in
            "\(c.levelName) \(c.mask ?? -1) \(Array(c.text.utf8).map { String(format: "%02x", $0) }.joined())"
        }.joined(separator: "\n") + "\n"
        try input.write(to: directory.appendingPathComponent("cases.txt"), atomically: true, encoding: .utf8)
        try Self.qrcodegenScript.write(to: directory.appendingPathComponent("qr.py"), atomically: true, encoding: .utf8)
        let result = try QRCodeTestTools.run(
            QRCodeTestTools.python3!,
            [directory.appendingPathComponent("qr.py").path, directory.appendingPathComponent("cases.txt").path])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n")
        try #require(lines.count == cases.count)
        for (c, line) in zip(cases, lines) {
            let code = try QRCode(text: c.text, errorCorrection: c.level, mask: c.mask)
            let mine = "\(code.version) \(code.mask) \(code.textRows.joined(separator: "/"))"
            #expect(mine == String(line), "\(c.levelName) mask \(c.mask ?? -1) \(c.text)")
        }
    }
}
