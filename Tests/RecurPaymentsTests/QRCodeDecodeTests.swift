import Foundation
import Testing

@testable import RecurPayments

/// Our PNGs of our QR codes, read back by an independent decoder: `zbarimg` from
/// zbar-tools (Debian: `apt-get install -y zbar-tools`). Without it the decode tests
/// are skipped on a developer's machine and the guard test fails under CI.
struct QRCodeDecodeTests {
    static let payloads: [(name: String, text: String)] = [
        ("VietQR KAT-Q2", "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E"),
        ("300-byte text", String((0..<300).map { i in Array("Recur bill 0123456789 abc/-?=&:")[i % 31] })),
        ("UTF-8 Vietnamese", "Thanh toán hóa đơn SUB8K2J7QS — cảm ơn quý khách! Đà Nẵng, Huế, Hà Nội, Cần Thơ"),
        ("alphanumeric", "SUB8K2J7QS 1250000 VND"),
    ]

    @Test("qr decode: zbarimg is installed when CI is set")
    func zbarInstalledUnderCI() {
        if QRCodeTestTools.isCI {
            #expect(
                QRCodeTestTools.zbarimg != nil,
                "zbarimg is missing: install zbar-tools (apt-get install -y zbar-tools) so CI checks QR codes decode")
        }
    }

    @Test(
        "qr decode: zbarimg reads back exactly the payload at every error-correction level",
        .enabled(if: QRCodeTestTools.zbarimg != nil, "zbarimg (zbar-tools) is not installed"),
        arguments: QRCode.ErrorCorrection.allCases
    )
    func decodes(level: QRCode.ErrorCorrection) throws {
        let directory = try QRCodeTestTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(Self.payloads[1].text.utf8.count == 300)
        for (index, payload) in Self.payloads.enumerated() {
            let code = try QRCode(text: payload.text, errorCorrection: level)
            let file = directory.appendingPathComponent("code-\(index).png")
            try code.png(scale: 4, quietZone: 4).write(to: file)
            let result = try QRCodeTestTools.run(QRCodeTestTools.zbarimg!, ["--raw", "-q", file.path])
            #expect(result.status == 0, "\(payload.name) at \(level), version \(code.version)")
            var decoded = result.output
            if decoded.hasSuffix("\n") { decoded.removeLast() }
            #expect(decoded == payload.text, "\(payload.name) at \(level), version \(code.version)")
        }
    }

    @Test(
        "qr decode: zbarimg reads each of the eight masks of the VietQR payload",
        .enabled(if: QRCodeTestTools.zbarimg != nil, "zbarimg (zbar-tools) is not installed")
    )
    func decodesEveryMask() throws {
        let directory = try QRCodeTestTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for mask in 0..<8 {
            let code = try QRCode(text: Self.payloads[0].text, errorCorrection: .medium, mask: mask)
            let file = directory.appendingPathComponent("mask-\(mask).png")
            try code.png(scale: 3).write(to: file)
            let result = try QRCodeTestTools.run(QRCodeTestTools.zbarimg!, ["--raw", "-q", file.path])
            #expect(result.output == Self.payloads[0].text + "\n", "mask \(mask)")
        }
    }

    @Test(
        "qr decode: zbarimg reads large symbols of versions 25 and 40",
        .enabled(if: QRCodeTestTools.zbarimg != nil, "zbarimg (zbar-tools) is not installed")
    )
    func decodesLargeVersions() throws {
        let directory = try QRCodeTestTools.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = BankTransferTestRandom(seed: 40)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789-_.~")
        for (length, level, version) in [(1273, QRCode.ErrorCorrection.low, 25), (1273, .high, 40)] {
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            let code = try QRCode(text: text, errorCorrection: level)
            #expect(code.version == version)
            let file = directory.appendingPathComponent("v\(version).png")
            try code.png(scale: 3).write(to: file)
            let result = try QRCodeTestTools.run(QRCodeTestTools.zbarimg!, ["--raw", "-q", file.path])
            #expect(result.output == text + "\n", "version \(version)")
        }
    }
}
