import Foundation
import XCTest

/// Runs the built `tenantwall` binary as a pipeline would: arguments, environment, exit code, output.
struct TenantwallProcess {
    struct Run { var status: Int32; var stdout: String; var stderr: String }

    let process = Process()
    let out: URL
    let err: URL

    static var binary: URL { Bundle.main.bundleURL.appendingPathComponent("tenantwall") }

    /// Starts the binary without waiting; `wait()` collects the result.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        // `swift test` builds the executable next to the test bundle; its absence is a broken build, not a skip.
        guard FileManager.default.fileExists(atPath: Self.binary.path) else {
            throw TenantwallProcessError(message: "tenantwall binary not built at \(Self.binary.path): run `swift build` (scripts/test.sh does)")
        }
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = TestServer.root
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "DATABASE_URL")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        // Files, not pipes: several runners at once must not block on full pipe buffers.
        let tmp = FileManager.default.temporaryDirectory
        out = tmp.appendingPathComponent("tw-out-\(UUID().uuidString)")
        err = tmp.appendingPathComponent("tw-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// What the process has written to standard error so far, for a test waiting on a message while it runs.
    var stderrSoFar: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

    func wait() -> Run {
        process.waitUntilExit()
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        return Run(status: process.terminationStatus,
                   stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                   stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        try TenantwallProcess(arguments, environment: environment).wait()
    }
}

struct TenantwallProcessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
