import Foundation
import XCTest

/// Runs the extension's pg_regress suite (`make -C sql installcheck`) against the test server.
final class ExtensionRegressionTests: XCTestCase {
    func testPgRegressSuitePasses() throws {
        let pgxs = "/usr/lib/postgresql/15/lib/pgxs/src/makefiles/pgxs.mk"
        guard FileManager.default.fileExists(atPath: pgxs) else {
            throw XCTSkip("postgresql-server-dev-all is not installed: cannot run pg_regress")
        }
        let server = TestServer.shared
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/make")
        process.arguments = ["-s", "-C", TestServer.path("sql"), "installcheck"]
        var environment = ProcessInfo.processInfo.environment
        environment["PGHOST"] = server.socketDirectory
        environment["PGPORT"] = "5432"
        environment["PGUSER"] = server.superuser
        process.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("tw-regress-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 0, "make installcheck failed:\n\(output)")
        XCTAssertTrue(output.contains("All 1 tests passed") || output.contains("ok"), output)
    }
}
