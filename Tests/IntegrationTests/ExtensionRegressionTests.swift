import Foundation
import XCTest

/// Runs the extension's pg_regress suite (`make -C sql installcheck`) against the test server.
final class ExtensionRegressionTests: XCTestCase {
    func testPgRegressSuitePasses() throws {
        // The pg_config of the server under test (PG_BINDIR, else the one on PATH), so this runs on any version.
        let bin = ProcessInfo.processInfo.environment["PG_BINDIR"]
        let pgConfig = bin.map { $0 + "/pg_config" }.flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil } ?? "pg_config"
        let server = try TestServer.shared
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        process.arguments = ["-s", "-C", TestServer.path("sql"), "PG_CONFIG=\(pgConfig)", "installcheck"]
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = server.socketDirectory
        environment["PGPORT"] = "5432"
        environment["PGUSER"] = server.superuser
        process.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tw-regress-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, "make installcheck failed:\n\(output)")
        // pg_regress's summary (PostgreSQL 15: "All 2 tests passed."; 16+: "# All 2 tests passed.").
        XCTAssertTrue(output.contains("All 2 tests passed"), output)
    }
}
