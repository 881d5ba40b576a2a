import Deploy
import Foundation
import Postgres
import Tenantwall
import XCTest

/// Runs the built `tenantwall` binary and checks output and exit code together, as a pipeline sees them.
final class CommandLineTests: XCTestCase {
    func tenantwall(_ arguments: [String], environment: [String: String] = [:]) throws -> TenantwallProcess.Run {
        try TenantwallProcess.run(arguments, environment: environment)
    }

    func testBadSpecExitsTwoWithLocatedErrors() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tw-bad-\(UUID().uuidString).yaml")
        try "roles: {owner: o, app: a, admin: d}\ntables:\n  - name: t\n    isolaton: tenant\n".write(to: file, atomically: true, encoding: .utf8)
        let run = try tenantwall(["check", "--spec", file.path])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("\(file.path):4:5: error: unknown key 'isolaton'"), run.stderr)
        XCTAssertFalse(run.stderr.contains("Fatal error"))
    }

    func testVersionNamesTheCommitAndTheGrammar() throws {
        let text = try tenantwall(["--version"])
        XCTAssertEqual(text.status, 0)
        XCTAssertNotNil(text.stdout.range(of: #"^tenantwall \d+\.\d+\.\d+ \(commit [^,]+, PostgreSQL 18\.\d+ grammar\)\n$"#, options: .regularExpression), text.stdout)
        let json = try tenantwall(["version", "--format", "json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: String])
        XCTAssertEqual(Set(object.keys), ["version", "commit", "grammar"])
        XCTAssertTrue(object["grammar"]?.hasPrefix("18.") == true, "\(object)")
    }

    /// Exit codes are a contract: the root help and the README list every code the binary can end with, and a
    /// usage error a check in `validate()` finds is printed with the usage, before any connection.
    func testHelpAndReadmeListEveryExitCode() throws {
        let help = try tenantwall(["--help"])
        XCTAssertEqual(help.status, 0, help.stderr)
        let readme = try String(contentsOfFile: TestServer.path("README.md"), encoding: .utf8)
        for code in [0, 1, 2, 3, 130, 143] {
            XCTAssertNotNil(help.stdout.range(of: "\n  \(code) +[a-z]", options: .regularExpression), "tenantwall --help lists exit code \(code):\n\(help.stdout)")
            XCTAssertTrue(readme.contains("\n| \(code) | "), "README's exit code table has \(code)")
        }
        XCTAssertTrue(help.stdout.contains("Any other status"), help.stdout)
        let usage = try tenantwall(["tenant", "add", "--id", "1", "--set", "no-equals-sign", "--spec", "policies/workflow-platform",
                                    "--database", "host=/nonexistent-socket-dir dbname=x"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.contains("--set takes column=value") && usage.stderr.contains("Usage: tenantwall tenant add"), usage.stderr)
        XCTAssertFalse(usage.stderr.contains("could not connect"), "validated before connecting: \(usage.stderr)")
    }

    func testUsageErrorExitsTwo() throws {
        XCTAssertEqual(try tenantwall(["generate"]).status, 2)
        XCTAssertEqual(try tenantwall(["no-such-command"]).status, 2)
    }

    func testPlanExitCodesAndApply() throws {
        let (name, _) = try TestServer.freshDatabase("cli")
        let url = try TestServer.shared.connectionString(database: name)
        let spec = ["--spec", "policies/workflow-platform"]
        let first = try tenantwall(["plan"] + spec, environment: ["DATABASE_URL": url])
        XCTAssertEqual(first.status, 1, first.stderr)
        XCTAssertTrue(first.stdout.contains("CREATE TABLE IF NOT EXISTS \"public\".\"workflows\""))
        let apply = try tenantwall(["apply", "--database", url] + spec)
        XCTAssertEqual(apply.status, 0, apply.stderr)
        let second = try tenantwall(["plan", "--database", url] + spec)
        XCTAssertEqual(second.status, 0, second.stdout + second.stderr)
        XCTAssertEqual(second.stdout, "")
    }

    func testServerErrorsCarrySQLState() throws {
        let run = try tenantwall(["plan", "--spec", "policies/workflow-platform", "--database", "host=/nonexistent-socket-dir dbname=x"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("could not connect"), run.stderr)
        XCTAssertTrue(run.stderr.contains("08001"), run.stderr)
    }

    /// Malformed connection strings carrying a known password, given to every command that connects: the
    /// password never appears on stdout, stderr or in report files, however libpq quotes the input.
    func testNoCommandPrintsAPassword() throws {
        let password = "S3cretPW"
        let inputs = [
            "postgresql://u:\(password)@[::1", "postgres://user:\(password)%ZZ9@/db", "postgresql://u:\(password)@/db?host=/nonexistent&sslmode=bogus",
            "postgresql:///db?password=\(password)&host=/nonexistent", "host=/nonexistent password=\(password) dbname=x",
            "host=/nonexistent password='\(password) x' user=x", "password=\(password) host='unterminated", "postgresql://u:\(password)@host:notaport/db",
        ]
        let reports = FileManager.default.temporaryDirectory.appendingPathComponent("tw-secrets-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: reports) }
        let migrations = ["--migrations", TestServer.path("Tests/Fixtures/audit-migrations")]
        let commands: [[String]] = [
            ["plan", "--spec", "policies/workflow-platform"], ["apply", "--spec", "policies/workflow-platform"],
            ["verify", "--spec", "policies/workflow-platform", "--report-dir", reports], ["audit", "--format", "sarif"],
            ["bench", "--rows", "100"], ["migrate"] + migrations, ["status"] + migrations, ["baseline", "1"] + migrations, ["repair"] + migrations,
            ["tenant", "list", "--spec", "policies/workflow-platform"], ["tenant", "remove", "--id", "1", "--spec", "policies/workflow-platform"],
            ["init", "--out", reports + "-init"],
        ]
        for input in inputs {
            for command in commands {
                for (arguments, environment) in [(command + ["--database", input], [String: String]()), (command, ["DATABASE_URL": input])] {
                    let run = try tenantwall(arguments, environment: environment)
                    XCTAssertEqual(run.status, 2, "\(arguments.first!) with \(input): \(run.stderr)")
                    XCTAssertFalse((run.stdout + run.stderr).contains(password), "\(arguments.first!) printed the password of \(input):\n\(run.stdout)\n\(run.stderr)")
                }
            }
        }
        let written = (try? FileManager.default.contentsOfDirectory(atPath: reports)) ?? []
        for file in written {
            XCTAssertFalse(((try? String(contentsOfFile: reports + "/" + file, encoding: .utf8)) ?? "").contains(password), file)
        }
    }

    /// `check --database` tries the generated SQL on a live server and rolls it back: a spec that would clash with
    /// what the database holds is an error there, and nothing is left behind either way.
    func testCheckWithADatabaseTriesTheSQLAndChangesNothing() throws {
        let (name, db) = try TestServer.freshDatabase("checkdb")
        let url = try TestServer.shared.connectionString(database: name)
        let ok = try tenantwall(["check", "--spec", "policies/workflow-platform", "--database", url])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("applies to this server"), ok.stdout)
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenantwall'").scalar, "0", "rolled back")
        try db.execute("CREATE SCHEMA tenantwall; CREATE FUNCTION tenantwall.current_tenant_id() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$")
        let clash = try tenantwall(["check", "--spec", "policies/workflow-platform", "--database", url])
        XCTAssertEqual(clash.status, 2)
        XCTAssertTrue(clash.stderr.contains("cannot change return type of existing function (SQLSTATE 42P13)"), clash.stderr)
    }

    /// Ctrl-C in the middle of `verify --scratch` still drops the copy (a `defer` does not run on a signal), and the
    /// exit status says the run was interrupted. The test holds every table of the copy locked, so the verifier is
    /// waiting on a lock when the signal comes.
    func testAnInterruptedScratchVerifyLeavesNoCopyBehind() throws {
        let name = try { () -> String in
            let (name, connection) = try TestServer.freshDatabase("scratchint")
            try LiveDatabase(connection: connection).apply(try SpecFiles.load([TestServer.path("policies/workflow-platform")]))
            return name
        }()
        let process = try TenantwallProcess(["verify", "--spec", "policies/workflow-platform", "--scratch", "--workers", "1", "--tenants", "20",
                                             "--database", try TestServer.shared.connectionString(database: name)])
        let admin = try Connection(TestServer.shared.connectionString())
        var copy: String?
        _ = try poll(timeout: 20) {
            copy = try admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'tenantwall_verify_%' LIMIT 1").scalar
            return copy != nil
        }
        let scratch = try XCTUnwrap(copy, "the copy was made")
        let holder = try Connection(TestServer.shared.connectionString(database: scratch))
        try holder.execute("BEGIN; LOCK TABLE public.tenants, public.workflows, public.executions, public.audit_logs, public.schema_settings IN ACCESS EXCLUSIVE MODE")
        kill(process.process.processIdentifier, SIGINT)
        let run = process.wait()
        XCTAssertEqual(run.status, 128 + SIGINT, run.stdout + run.stderr)
        XCTAssertTrue(run.stderr.contains("interrupted"), run.stderr)
        XCTAssertEqual(try admin.query("SELECT count(*) FROM pg_database WHERE datname = $1", [scratch]).scalar, "0", "the copy is gone")
    }

    func testGenerateWritesTheNextVersionedFileOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-mig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "SELECT 1;\n".write(toFile: dir + "/V0007__earlier.sql", atomically: true, encoding: .utf8)
        let run = try tenantwall(["generate", "--spec", "policies/workflow-platform", "--migrations", dir])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                       dir + "/V0008__tenantwall_workflow_platform.sql\n" + dir + "/V0009__tenantwall_workflow_platform_indexes.sql",
                       "the transaction's file, then the index step's")
        XCTAssertTrue(try String(contentsOfFile: dir + "/V0009__tenantwall_workflow_platform_indexes.sql", encoding: .utf8).hasPrefix("-- tenantwall:no-transaction\n"))
        let again = try tenantwall(["generate", "--spec", "policies/workflow-platform", "--migrations", dir])
        XCTAssertTrue(again.stdout.contains("is up to date"), again.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).count, 3)
    }

    /// The deploy path: `generate` writes a migration, `migrate` applies it, `plan` finds nothing left to do,
    /// and `verify --scratch` proves the walls on a copy that is dropped afterwards.
    func testGenerateThenMigrateThenPlanIsInSyncAndScratchVerifyHolds() throws {
        let name = try { () -> String in  // no session left open: verify --scratch copies the database
            let (name, connection) = try TestServer.freshDatabase("deploy")
            try TestServer.requireExtensions(try SpecFiles.load([TestServer.path("policies/analytics-warehouse")]), connection)
            return name
        }()
        let url = try TestServer.shared.connectionString(database: name)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-deploy-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        XCTAssertEqual(try tenantwall(["generate", "--spec", "policies/analytics-warehouse", "--migrations", dir]).status, 0)
        let migrate = try tenantwall(["migrate", "--migrations", dir, "--database", url])
        XCTAssertEqual(migrate.status, 0, migrate.stderr)
        let plan = try tenantwall(["plan", "--spec", "policies/analytics-warehouse", "--database", url])
        XCTAssertEqual(plan.status, 0, plan.stdout + plan.stderr)
        XCTAssertEqual(try tenantwall(["status", "--migrations", dir, "--database", url]).status, 0)
        let verify = try tenantwall(["verify", "--spec", "policies/analytics-warehouse", "--scratch", "--format", "json", "--database", url])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        let summary = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(verify.stdout.utf8)) as? [String: Any])?["summary"] as? [String: Any], verify.stdout)
        XCTAssertEqual(summary["failed"] as? Int, 0, "\(summary)")
        XCTAssertGreaterThan(summary["passed"] as? Int ?? 0, 0, "\(summary)")
    }

    func testVerifyScratchRunsOnACopyAndDropsIt() throws {
        let name = try { () -> String in
            let (name, connection) = try TestServer.freshDatabase("scratchsrc")
            try LiveDatabase(connection: connection).apply(try SpecFiles.load([TestServer.path("policies/workflow-platform")]))
            return name
        }()  // the connection closes here: a template database must have no other sessions
        let run = try tenantwall(["verify", "--spec", "policies/workflow-platform", "--scratch", "--database", TestServer.shared.connectionString(database: name)])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let admin = try Connection(TestServer.shared.connectionString())
        XCTAssertEqual(try admin.query("SELECT count(*) FROM pg_database WHERE datname LIKE 'tenantwall_verify_%'").scalar, "0", "scratch copy dropped")
    }
}

extension CommandLineTests {
    /// `scope: session` is valid, and `check` and `audit` say every time that it leaks through a transaction-mode
    /// pooler.
    func testSessionScopeIsCalledOutAsAPoolerLeak() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-scope-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try String(contentsOfFile: TestServer.path("policies/workflow-platform/workflow-platform.yaml"), encoding: .utf8)
        let session = original.replacingOccurrences(of: "\ntenancy:\n", with: "\ntenancy:\n  scope: session\n")
        XCTAssertNotEqual(session, original)
        try session.write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        let check = try TenantwallProcess.run(["check", "--spec", dir])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stderr.contains("spec.yaml:") && check.stderr.contains("transaction-mode pooler") && check.stderr.contains("scope: transaction"), check.stderr)
        let audit = try TenantwallProcess.run(["audit", "--spec", dir])
        XCTAssertTrue(audit.stdout.contains("TW402") && audit.stdout.contains("transaction-mode pooler"), audit.stdout + audit.stderr)
        let quiet = try TenantwallProcess.run(["check", "--spec", TestServer.path("policies/workflow-platform")])
        XCTAssertFalse(quiet.stderr.contains("warning"), "transaction scope: no warning: \(quiet.stderr)")
    }
}
