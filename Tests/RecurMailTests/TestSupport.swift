import Foundation
import Testing

/// Helpers for tests that need external tools (python3, aiosmtpd, openssl).
/// Such a test is skipped when the tool is missing, except under the CI env var, where it fails.
enum TestTools {
    static let isCI: Bool = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" } ?? false

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let python3: String? = which("python3")
    static let openssl: String? = which("openssl")

    static let aiosmtpdAvailable: Bool = {
        guard let python3 else { return false }
        return (try? run(python3, ["-c", "import aiosmtpd"]).status) == 0
    }()

    static var pythonEnabled: Bool { python3 != nil || isCI }
    static var smtpServerEnabled: Bool { (python3 != nil && aiosmtpdAvailable && openssl != nil) || isCI }

    struct ProcessResult {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errOut = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errOut, as: UTF8.self))
    }

    static func makeTempDir(_ prefix: String) throws -> URL {
        let url = mailTestsScratch.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The folder this test process's files go into, removed when the process exits.
let mailTestsScratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recur-mail-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: mailTestsScratch) }
    return url
}()
