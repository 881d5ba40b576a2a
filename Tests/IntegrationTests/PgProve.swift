import Foundation

/// `pg_prove --verbose` (Debian's libtap-parser-sourcehandler-pgtap-perl) on a script, against a database of the
/// shared test server: verify's and prove's pgTAP tests run their scripts through it.
enum PgProve {
    /// pg_prove on `script` as the shared server's superuser, output and status.
    static func run(_ script: String, database: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pg_prove")
        process.arguments = ["--verbose", script]
        let server = try TestServer.shared
        var env = ProcessInfo.processInfo.environment
        env["PGHOST"] = server.socketDirectory
        env["PGPORT"] = "5432"
        env["PGUSER"] = server.superuser
        env["PGDATABASE"] = database
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tw-pg-prove-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out) }
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8))
    }
}
