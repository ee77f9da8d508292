import Foundation
import Testing

@testable import RecurDocuments

/// Shared helpers: font paths, temporary directories and external tools (poppler-utils, qpdf,
/// python3 with fontTools / Pillow). A missing tool fails the test when the environment variable
/// CI is set and skips (cancels) it otherwise.
enum DocumentTestSupport {
    static let regularFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    static let boldFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

    struct ToolMissing: Error, CustomStringConvertible {
        var tool: String
        var description: String { "\(tool) is required (CI is set): install it (see the package's test notes)" }
    }

    struct ToolFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "\(command) exited with \(status): \(output)" }
    }

    static var isCI: Bool {
        guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
        return !value.isEmpty && value != "0" && value.lowercased() != "false"
    }

    /// The regular font, or skip/fail like a missing tool when the Debian font is not installed.
    static func regularFont() throws -> TrueTypeFont {
        try requireFile(regularFontPath, package: "fonts-dejavu-core")
        return try TrueTypeFont(contentsOfFile: regularFontPath)
    }

    static func boldFont() throws -> TrueTypeFont {
        try requireFile(boldFontPath, package: "fonts-dejavu-core")
        return try TrueTypeFont(contentsOfFile: boldFontPath)
    }

    /// IPA Gothic (Debian fonts-ipafont-gothic), the default fallback for Japanese.
    static func japaneseFont() throws -> TrueTypeFont {
        try requireFile(DocumentFontConfiguration.defaultJapanesePath, package: "fonts-ipafont-gothic")
        return try TrueTypeFont(contentsOfFile: DocumentFontConfiguration.defaultJapanesePath)
    }

    static func requireFile(_ path: String, package: String) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        try missing("\(path) (Debian package \(package))")
    }

    static func missing(_ what: String) throws {
        if isCI { throw ToolMissing(tool: what) }
        try Test.cancel("\(what) is not installed")
    }

    /// The absolute path of an executable on PATH, nil when absent.
    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Requires executables (with the Debian/PyPI package that provides them, for the message).
    static func require(_ tools: [(tool: String, package: String)]) throws {
        for (tool, package) in tools where which(tool) == nil {
            try missing("\(tool) (package \(package))")
        }
    }

    /// Requires a python3 module (e.g. fontTools from PyPI's fonttools).
    static func requirePython(module: String, package: String) throws {
        try require([("python3", "python3")])
        let result = try run("python3", ["-c", "import \(module)"], check: false)
        if result.status != 0 { try missing("python3 module \(module) (PyPI \(package))") }
    }

    static func pythonHas(module: String) -> Bool {
        guard which("python3") != nil else { return false }
        return ((try? run("python3", ["-c", "import \(module)"], check: false))?.status ?? 1) == 0
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a tool from PATH; output goes through temporary files (no pipe deadlocks).
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], check: Bool = true) throws -> Output {
        guard let executable = which(tool) else { throw ToolMissing(tool: tool) }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        let result = Output(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        if check && result.status != 0 {
            throw ToolFailed(command: ([tool] + arguments).joined(separator: " "), status: result.status, output: result.stdout + result.stderr)
        }
        return result
    }

    static func temporaryDirectory() throws -> URL {
        let url = documentsTestsScratch.appendingPathComponent("recur-documents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

// MARK: - PDF tools

extension DocumentTestSupport {
    static let popplerTools: [(tool: String, package: String)] = [("pdftotext", "poppler-utils"), ("pdftoppm", "poppler-utils"), ("pdffonts", "poppler-utils"), ("pdfinfo", "poppler-utils")]

    /// Writes the PDF into a fresh temporary directory and returns its path (the caller removes
    /// `path`'s directory).
    static func write(_ pdf: Data, name: String = "document.pdf") throws -> URL {
        let url = try temporaryDirectory().appendingPathComponent(name)
        try pdf.write(to: url)
        return url
    }

    /// `qpdf --check` must report no errors (warnings fail too).
    static func qpdfCheck(_ pdf: URL) throws -> String {
        let result = try run("qpdf", ["--check", pdf.path], check: false)
        #expect(result.status == 0, "qpdf --check: \(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("No syntax or stream encoding errors"), "qpdf --check: \(result.stdout)")
        #expect(result.stderr.isEmpty, "qpdf warnings: \(result.stderr)")
        return result.stdout
    }

    /// pdftotext -layout of the whole document (pages separated by form feeds).
    static func extractText(_ pdf: URL, layout: Bool = true) throws -> String {
        let output = pdf.deletingPathExtension().appendingPathExtension("txt")
        try run("pdftotext", (layout ? ["-layout"] : []) + ["-enc", "UTF-8", pdf.path, output.path])
        return String(decoding: try Data(contentsOf: output), as: UTF8.self)
    }

    /// Renders every page with pdftoppm; fails on any error output. Returns the PNG paths in page order.
    static func renderPages(_ pdf: URL, dpi: Int = 50) throws -> [URL] {
        let prefix = pdf.deletingPathExtension().path + "-page"
        let result = try run("pdftoppm", ["-png", "-r", "\(dpi)", pdf.path, prefix], check: false)
        #expect(result.status == 0 && result.stderr.isEmpty, "pdftoppm: \(result.stderr)")
        let directory = pdf.deletingLastPathComponent()
        let base = pdf.deletingPathExtension().lastPathComponent + "-page"
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix(base) && $0.hasSuffix(".png") }
            .sorted()
            .map { directory.appendingPathComponent($0) }
    }

    /// The share of dark pixels (luminance < 128) of a PNG, read with Pillow; when Pillow is not
    /// installed, nil (callers then fall back to the file size).
    static func darkPixelRatio(_ png: URL) throws -> Double? {
        guard pythonHas(module: "PIL") else { return nil }
        let script = "import sys; from PIL import Image; im = Image.open(sys.argv[1]).convert('L'); h = im.histogram(); print(sum(h[:128]) / float(im.width * im.height))"
        let result = try run("python3", ["-c", script, png.path])
        return Double(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A page is "not blank" when it has dark pixels (Pillow) or, without Pillow, a PNG bigger
    /// than an empty page's.
    static func expectNotBlank(_ png: URL, minimumDarkRatio: Double = 0.002) throws {
        if let ratio = try darkPixelRatio(png) {
            #expect(ratio > minimumDarkRatio, "\(png.lastPathComponent) is blank: dark ratio \(ratio)")
            #expect(ratio < 0.5, "\(png.lastPathComponent) is mostly dark: \(ratio)")
        } else {
            let size = try FileManager.default.attributesOfItem(atPath: png.path)[.size] as? Int ?? 0
            #expect(size > 3000, "\(png.lastPathComponent) is only \(size) bytes")
        }
    }

    /// Collapses runs of spaces (pdftotext -layout pads columns) for substring checks.
    static func squeezed(_ text: String) -> String {
        text.replacingOccurrences(of: " +", with: " ", options: .regularExpression)
    }
}

/// The folder this test process's files go into, removed when the process exits.
let documentsTestsScratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recur-documents-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: documentsTestsScratch) }
    return url
}()
