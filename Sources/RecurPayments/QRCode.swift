/// A QR code symbol (model 2), encoded as ISO/IEC 18004:2015 lays down: one
/// numeric, alphanumeric or byte segment, error-correction level L, M, Q or H, the
/// smallest version from 1 to 40 that holds the data, Reed–Solomon codewords over
/// GF(2⁸) in interleaved blocks, and the mask with the lowest penalty score.
///
/// Recur draws VietQR payloads with it, so the invoice PDF and the portal show the
/// same code without a third-party library. The result is a square matrix of
/// modules, `true` for dark; `svg(moduleSize:quietZone:)` and `png(scale:quietZone:)`
/// render it.
///
/// For example:
/// ```swift
/// let code = try QRCode(text: payload, errorCorrection: .medium)
/// code.version      // 8 for the 142-character VietQR payload of KAT-Q2
/// code.modules[0]   // the top row, 49 modules
/// let png = code.png(scale: 8)
/// ```
///
/// Text is encoded in numeric mode when it is all digits, in alphanumeric mode when it
/// uses only `0–9 A–Z space $ % * + - . / :`, and otherwise as its UTF-8 bytes in byte
/// mode (no ECI header: readers detect UTF-8, and a VietQR payload is ASCII).
public struct QRCode: Hashable, Sendable {
    /// The error-correction level: the share of codewords that may be lost.
    public enum ErrorCorrection: Hashable, Sendable, CaseIterable {
        /// L: about 7 %.
        case low
        /// M: about 15 %.
        case medium
        /// Q: about 25 %.
        case quartile
        /// H: about 30 %.
        case high

        /// Row of the capacity tables.
        var ordinal: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }

        /// The two bits of the format information (ISO/IEC 18004 Table 12).
        var formatBits: Int {
            switch self {
            case .low: 1
            case .medium: 0
            case .quartile: 3
            case .high: 2
            }
        }
    }

    /// The encoding of the data segment.
    public enum Mode: Hashable, Sendable, CaseIterable {
        /// Digits only, 3 digits in 10 bits.
        case numeric
        /// `0–9 A–Z space $ % * + - . / :`, 2 characters in 11 bits.
        case alphanumeric
        /// Any bytes, 8 bits each.
        case byte

        var indicator: Int {
            switch self {
            case .numeric: 0b0001
            case .alphanumeric: 0b0010
            case .byte: 0b0100
            }
        }

        /// Width of the character-count field (ISO/IEC 18004 Table 3).
        func countBits(version: Int) -> Int {
            let band = version <= 9 ? 0 : (version <= 26 ? 1 : 2)
            switch self {
            case .numeric: return [10, 12, 14][band]
            case .alphanumeric: return [9, 11, 13][band]
            case .byte: return [8, 16, 16][band]
            }
        }
    }

    /// 1...40; the symbol is `17 + 4 × version` modules wide.
    public let version: Int
    public let errorCorrection: ErrorCorrection
    /// The mask pattern 0...7 applied to the data modules.
    public let mask: Int
    public let mode: Mode
    /// The number of modules on a side.
    public let size: Int
    /// Row-major modules, `true` for dark.
    private let grid: [Bool]

    /// The matrix as rows of modules, `true` for dark; `modules[row][column]`.
    public var modules: [[Bool]] {
        (0..<size).map { row in Array(grid[(row * size)..<((row + 1) * size)]) }
    }

    /// The module at `row`, `column` (0-based from the top-left corner); `true` for dark.
    public subscript(row row: Int, column column: Int) -> Bool {
        grid[row * size + column]
    }

    /// Encodes `text`, choosing the mode from its characters unless `mode` is given.
    ///
    /// - parameters:
    ///   - mask: a fixed mask 0...7, or nil to evaluate all eight and keep the one with
    ///     the lowest penalty score.
    ///   - minimumVersion: the smallest version to consider (1...40).
    /// - throws: `BankTransferError` `.qrcodeDataTooLong` when the text does not fit a
    ///   version-40 symbol at this level, `.qrcodeModeMismatch` when `mode` cannot carry
    ///   the text, `.qrcodeParameterInvalid` for a mask or version out of range.
    public init(
        text: String,
        errorCorrection: ErrorCorrection = .medium,
        mode: Mode? = nil,
        mask: Int? = nil,
        minimumVersion: Int = 1
    ) throws(BankTransferError) {
        let bytes = Array(text.utf8)
        let chosen = mode ?? Self.bestMode(for: bytes)
        guard Self.canEncode(bytes, in: chosen) else {
            throw BankTransferError(
                .qrcodeModeMismatch, "the text cannot be encoded in \(chosen) mode", ["mode": "\(chosen)"])
        }
        try self.init(
            data: bytes, mode: chosen, errorCorrection: errorCorrection, mask: mask, minimumVersion: minimumVersion)
    }

    /// Encodes raw `bytes` in byte mode.
    ///
    /// - throws: as `init(text:errorCorrection:mode:mask:minimumVersion:)`.
    public init(
        bytes: [UInt8],
        errorCorrection: ErrorCorrection = .medium,
        mask: Int? = nil,
        minimumVersion: Int = 1
    ) throws(BankTransferError) {
        try self.init(data: bytes, mode: .byte, errorCorrection: errorCorrection, mask: mask, minimumVersion: minimumVersion)
    }

    private init(
        data: [UInt8], mode: Mode, errorCorrection ecl: ErrorCorrection, mask fixedMask: Int?, minimumVersion: Int
    ) throws(BankTransferError) {
        if let fixedMask, !(0...7).contains(fixedMask) {
            throw BankTransferError(.qrcodeParameterInvalid, "mask \(fixedMask) is not 0...7", ["mask": String(fixedMask)])
        }
        guard (1...40).contains(minimumVersion) else {
            throw BankTransferError(
                .qrcodeParameterInvalid, "version \(minimumVersion) is not 1...40", ["version": String(minimumVersion)])
        }
        let dataBits = Self.segmentBitCount(characters: data.count, mode: mode)
        var chosenVersion: Int?
        for candidate in minimumVersion...40 {
            let countBits = mode.countBits(version: candidate)
            let needed = 4 + countBits + dataBits
            if data.count < (1 << countBits), needed <= Self.dataCodewords(version: candidate, ecl: ecl) * 8 {
                chosenVersion = candidate
                break
            }
        }
        guard let version = chosenVersion else {
            throw BankTransferError(
                .qrcodeDataTooLong,
                "\(data.count) characters in \(mode) mode do not fit a version-40 QR code at level \(ecl)",
                ["length": String(data.count), "mode": "\(mode)", "errorCorrection": "\(ecl)"])
        }

        // The bit stream: mode, count, data, terminator, then padding to capacity.
        let capacityBits = Self.dataCodewords(version: version, ecl: ecl) * 8
        var bits = QRBitBuffer()
        bits.append(mode.indicator, count: 4)
        bits.append(data.count, count: mode.countBits(version: version))
        Self.appendSegment(data, mode: mode, to: &bits)
        bits.append(0, count: min(4, capacityBits - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var padByte = 0xEC
        while bits.count < capacityBits {
            bits.append(padByte, count: 8)
            padByte ^= 0xEC ^ 0x11
        }
        let codewords = Self.addErrorCorrectionAndInterleave(bits.bytes(), version: version, ecl: ecl)

        var matrix = QRMatrix(version: version)
        matrix.drawFunctionPatterns()
        matrix.drawCodewords(codewords)

        var bestMask = fixedMask ?? 0
        if fixedMask == nil {
            var lowest = Int.max
            for candidate in 0..<8 {
                matrix.applyMask(candidate)
                matrix.drawFormatBits(ecl: ecl, mask: candidate)
                let penalty = matrix.penaltyScore()
                if penalty < lowest {
                    lowest = penalty
                    bestMask = candidate
                }
                matrix.applyMask(candidate)  // XOR again undoes it
            }
        }
        matrix.applyMask(bestMask)
        matrix.drawFormatBits(ecl: ecl, mask: bestMask)

        self.version = version
        self.errorCorrection = ecl
        self.mask = bestMask
        self.mode = mode
        self.size = matrix.size
        self.grid = matrix.modules
    }

    // MARK: - Data encoding

    static let alphanumericCharset = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".utf8)

    static func bestMode(for bytes: [UInt8]) -> Mode {
        if canEncode(bytes, in: .numeric) { return .numeric }
        if canEncode(bytes, in: .alphanumeric) { return .alphanumeric }
        return .byte
    }

    static func canEncode(_ bytes: [UInt8], in mode: Mode) -> Bool {
        switch mode {
        case .numeric: bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        case .alphanumeric: bytes.allSatisfy { alphanumericCharset.contains($0) }
        case .byte: true
        }
    }

    static func segmentBitCount(characters n: Int, mode: Mode) -> Int {
        switch mode {
        case .numeric: n / 3 * 10 + [0, 4, 7][n % 3]
        case .alphanumeric: n / 2 * 11 + (n % 2) * 6
        case .byte: n * 8
        }
    }

    static func appendSegment(_ data: [UInt8], mode: Mode, to bits: inout QRBitBuffer) {
        switch mode {
        case .numeric:
            var i = 0
            while i < data.count {
                let n = min(3, data.count - i)
                let value = data[i..<(i + n)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
                bits.append(value, count: n * 3 + 1)
                i += n
            }
        case .alphanumeric:
            let values = data.map { byte in alphanumericCharset.firstIndex(of: byte)! }
            var i = 0
            while i + 1 < values.count {
                bits.append(values[i] * 45 + values[i + 1], count: 11)
                i += 2
            }
            if i < values.count { bits.append(values[i], count: 6) }
        case .byte:
            for byte in data { bits.append(Int(byte), count: 8) }
        }
    }

    // MARK: - Capacity (ISO/IEC 18004 Table 9)

    /// Error-correction codewords per block, by level (L, M, Q, H) then version.
    static let eccCodewordsPerBlock: [[Int]] = [
        [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Error-correction blocks, by level (L, M, Q, H) then version.
    static let errorCorrectionBlocks: [[Int]] = [
        [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Modules left for data and error correction once the function patterns, format
    /// and version information are drawn; may not be a multiple of 8 (remainder bits).
    static func rawDataModules(version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    /// Data codewords (before error correction) of a symbol.
    static func dataCodewords(version: Int, ecl: ErrorCorrection) -> Int {
        rawDataModules(version: version) / 8
            - eccCodewordsPerBlock[ecl.ordinal][version] * errorCorrectionBlocks[ecl.ordinal][version]
    }

    /// Splits the data codewords into blocks, appends each block's Reed–Solomon
    /// codewords, and interleaves them column by column (ISO/IEC 18004 §7.6).
    static func addErrorCorrectionAndInterleave(_ data: [UInt8], version: Int, ecl: ErrorCorrection) -> [UInt8] {
        let blockCount = errorCorrectionBlocks[ecl.ordinal][version]
        let eccLength = eccCodewordsPerBlock[ecl.ordinal][version]
        let rawCodewords = rawDataModules(version: version) / 8
        let shortBlocks = blockCount - rawCodewords % blockCount
        let shortBlockLength = rawCodewords / blockCount

        let divisor = QRReedSolomon.generator(degree: eccLength)
        var blocks: [[UInt8]] = []
        var k = 0
        for i in 0..<blockCount {
            let length = shortBlockLength - eccLength + (i < shortBlocks ? 0 : 1)
            var block = Array(data[k..<(k + length)])
            k += length
            let ecc = QRReedSolomon.remainder(block, divisor: divisor)
            if i < shortBlocks { block.append(0) }  // placeholder, skipped when interleaving
            blocks.append(block + ecc)
        }
        var result: [UInt8] = []
        result.reserveCapacity(rawCodewords)
        for i in 0..<blocks[0].count {
            for (j, block) in blocks.enumerated() where i != shortBlockLength - eccLength || j >= shortBlocks {
                result.append(block[i])
            }
        }
        return result
    }
}

// MARK: - Building blocks

/// A growing sequence of bits, most significant first.
struct QRBitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        for i in stride(from: count - 1, through: 0, by: -1) {
            bits.append((value >> i) & 1 == 1)
        }
    }

    func bytes() -> [UInt8] {
        var result = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, bit) in bits.enumerated() where bit {
            result[i >> 3] |= 0x80 >> UInt8(i & 7)
        }
        return result
    }
}

/// Reed–Solomon error correction over GF(2⁸) with the QR field polynomial
/// x⁸ + x⁴ + x³ + x² + 1 (0x11D) and generator roots α⁰…αⁿ⁻¹.
enum QRReedSolomon {
    /// The generator polynomial's coefficients, highest power first, leading 1 dropped.
    static func generator(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    /// The error-correction codewords: `data × xⁿ mod generator`.
    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in result.indices {
                result[i] ^= multiply(divisor[i], factor)
            }
        }
        return result
    }

    /// Product in GF(2⁸) modulo 0x11D (Russian-peasant multiplication).
    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= Int((y >> UInt8(i)) & 1) * Int(x)
        }
        return UInt8(z)
    }
}

/// The module grid while a symbol is drawn: modules plus which are function patterns.
struct QRMatrix {
    let version: Int
    let size: Int
    var modules: [Bool]
    var isFunction: [Bool]

    init(version: Int) {
        self.version = version
        self.size = version * 4 + 17
        self.modules = [Bool](repeating: false, count: size * size)
        self.isFunction = [Bool](repeating: false, count: size * size)
    }

    subscript(x: Int, y: Int) -> Bool {
        get { modules[y * size + x] }
        set { modules[y * size + x] = newValue }
    }

    mutating func setFunction(x: Int, y: Int, dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    /// Centre coordinates of the alignment patterns (ISO/IEC 18004 Annex E).
    static func alignmentPositions(version: Int) -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let size = version * 4 + 17
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var result = [6]
        var position = size - 7
        var tail: [Int] = []
        for _ in 0..<(count - 1) {
            tail.insert(position, at: 0)
            position -= step
        }
        result += tail
        return result
    }

    mutating func drawFunctionPatterns() {
        for i in 0..<size {
            setFunction(x: 6, y: i, dark: i % 2 == 0)
            setFunction(x: i, y: 6, dark: i % 2 == 0)
        }
        drawFinder(x: 3, y: 3)
        drawFinder(x: size - 4, y: 3)
        drawFinder(x: 3, y: size - 4)

        let positions = Self.alignmentPositions(version: version)
        let last = positions.count - 1
        for (i, y) in positions.enumerated() {
            for (j, x) in positions.enumerated() {
                // Skip the three corners taken by finder patterns.
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 {
                        setFunction(x: x + dx, y: y + dy, dark: max(abs(dx), abs(dy)) != 1)
                    }
                }
            }
        }
        drawFormatBits(ecl: .low, mask: 0)  // reserves the area; redrawn once the mask is known
        drawVersion()
    }

    /// A finder pattern with its light separator, clipped at the symbol's edge.
    private mutating func drawFinder(x: Int, y: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let distance = max(abs(dx), abs(dy))
                let xx = x + dx
                let yy = y + dy
                if (0..<size).contains(xx), (0..<size).contains(yy) {
                    setFunction(x: xx, y: yy, dark: distance != 2 && distance != 4)
                }
            }
        }
    }

    /// The 15-bit format information: level and mask, BCH(15,5) with generator 0x537,
    /// XOR 0x5412, drawn twice.
    mutating func drawFormatBits(ecl: QRCode.ErrorCorrection, mask: Int) {
        let bits = Self.formatBits(ecl: ecl, mask: mask)
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { setFunction(x: 8, y: i, dark: bit(i)) }
        setFunction(x: 8, y: 7, dark: bit(6))
        setFunction(x: 8, y: 8, dark: bit(7))
        setFunction(x: 7, y: 8, dark: bit(8))
        for i in 9..<15 { setFunction(x: 14 - i, y: 8, dark: bit(i)) }

        for i in 0..<8 { setFunction(x: size - 1 - i, y: 8, dark: bit(i)) }
        for i in 8..<15 { setFunction(x: 8, y: size - 15 + i, dark: bit(i)) }
        setFunction(x: 8, y: size - 8, dark: true)  // the dark module
    }

    static func formatBits(ecl: QRCode.ErrorCorrection, mask: Int) -> Int {
        let data = ecl.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18-bit version information of versions 7 and up: BCH(18,6) with generator
    /// 0x1F25, drawn in the two 6×3 blocks beside the finders.
    mutating func drawVersion() {
        guard version >= 7 else { return }
        let bits = Self.versionBits(version)
        for i in 0..<18 {
            let dark = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3
            let b = i / 3
            setFunction(x: a, y: b, dark: dark)
            setFunction(x: b, y: a, dark: dark)
        }
    }

    static func versionBits(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    /// Places the codewords in the two-module-wide zigzag from the bottom-right corner,
    /// skipping function modules and the vertical timing column.
    mutating func drawCodewords(_ data: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y * size + x], i < data.count * 8 {
                        self[x, y] = (data[i >> 3] >> UInt8(7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                    // Remainder bits stay light.
                }
            }
            right -= 2
        }
    }

    /// XORs mask pattern `mask` (ISO/IEC 18004 Table 10) onto the data modules;
    /// applying it twice undoes it.
    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] {
                let invert: Bool
                switch mask {
                case 0: invert = (x + y) % 2 == 0
                case 1: invert = y % 2 == 0
                case 2: invert = x % 3 == 0
                case 3: invert = (x + y) % 3 == 0
                case 4: invert = (x / 3 + y / 2) % 2 == 0
                case 5: invert = x * y % 2 + x * y % 3 == 0
                case 6: invert = (x * y % 2 + x * y % 3) % 2 == 0
                default: invert = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y * size + x].toggle() }
            }
        }
    }

    // MARK: Penalty (ISO/IEC 18004 §7.8.3, N1 = 3, N2 = 3, N3 = 40, N4 = 10)

    /// The mask-evaluation score of the symbol as drawn. Runs of five or more
    /// same-coloured modules in a row or column score 3 + (run − 5); each 2×2 block of
    /// one colour scores 3; each 1:1:3:1:1 finder-like pattern with four light modules
    /// on one side scores 40 (the quiet zone counts as light); and every full 5 % that
    /// the dark share departs from 50 % scores 10.
    func penaltyScore() -> Int {
        var result = 0
        for line in 0..<size {
            result += linePenalty { modules[line * size + $0] }  // row
            result += linePenalty { modules[$0 * size + line] }  // column
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let color = self[x, y]
                if color == self[x + 1, y], color == self[x, y + 1], color == self[x + 1, y + 1] {
                    result += 3
                }
            }
        }
        let dark = modules.lazy.filter { $0 }.count
        let total = size * size
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        result += k * 10
        return result
    }

    /// Rules 1 and 3 along one row or column, read through `module(i)`.
    private func linePenalty(_ module: (Int) -> Bool) -> Int {
        var result = 0
        var runColor = false
        var runLength = 0
        var history = [Int](repeating: 0, count: 7)  // most recent run first
        for i in 0..<size {
            if module(i) == runColor {
                runLength += 1
                if runLength == 5 {
                    result += 3
                } else if runLength > 5 {
                    result += 1
                }
            } else {
                addHistory(runLength, &history)
                if !runColor { result += countFinderPatterns(history) * 40 }
                runColor = module(i)
                runLength = 1
            }
        }
        // Close the last run, then add the light quiet zone as a final light run.
        if runColor {
            addHistory(runLength, &history)
            runLength = 0
        }
        addHistory(runLength + size, &history)
        result += countFinderPatterns(history) * 40
        return result
    }

    private func addHistory(_ length: Int, _ history: inout [Int]) {
        // The first run of a line starts in the light quiet zone.
        let length = history[0] == 0 ? length + size : length
        history.removeLast()
        history.insert(length, at: 0)
    }

    /// How many of the two sides of a dark-light-dark-light-dark 1:1:3:1:1 run
    /// sequence (at `history[1...5]`) have a light run at least 4 units wide.
    private func countFinderPatterns(_ history: [Int]) -> Int {
        let n = history[1]
        let core = n > 0 && history[2] == n && history[3] == n * 3 && history[4] == n && history[5] == n
        return (core && history[0] >= n * 4 && history[6] >= n ? 1 : 0)
            + (core && history[6] >= n * 4 && history[0] >= n ? 1 : 0)
    }
}
