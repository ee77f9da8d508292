import Foundation

/// SplitMix64: a tiny seeded generator, so property-style tests draw the same cases
/// on every run.
struct BankTransferTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Running the external tools some tests check our output with (zbarimg, pngcheck,
/// python3), when they are installed.
enum QRCodeTestTools {
    /// The path of `name` on `PATH`, or nil when it is not installed.
    static func executable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// True when the environment variable `CI` is set (CI runs `.ci/run` with `CI=true`).
    static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false
    }

    static let zbarimg = executable("zbarimg")
    static let pngcheck = executable("pngcheck")
    static let python3 = executable("python3")

    /// True when `python3 -c "import <module>"` succeeds.
    static func pythonHas(_ module: String) -> Bool {
        guard let python3 else { return false }
        return (try? run(python3, ["-c", "import \(module)"]).status) == 0
    }

    static let pythonHasPIL = pythonHas("PIL")
    static let pythonHasQRCodeGen = pythonHas("qrcodegen")

    /// Runs `executable` and returns its exit status and standard output (standard
    /// error is discarded: zbarimg writes D-Bus noise there).
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A new empty directory for one test's files.
    static func temporaryDirectory() throws -> URL {
        let url = paymentsTestsScratch.appendingPathComponent("recur-payments-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The folder this test process's files go into, removed when the process exits.
let paymentsTestsScratch: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("recur-payments-tests-\(getpid())-\(UUID().uuidString.prefix(8))")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: paymentsTestsScratch) }
    return url
}()
