import Foundation
import Migrations
import Postgres
import XCTest

/// `tenantwall migrate`, `status`, `baseline` and `repair` against a real server, through the binary.
final class MigrationTests: XCTestCase {
    var folder = ""
    var database = ""
    var url = ""
    var db: Connection!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tw-migrations-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let fresh = try TestServer.freshDatabase("mig")
        database = fresh.name
        db = fresh.connection
        url = try TestServer.shared.connectionString(database: database)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: folder)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    func tenantwall(_ arguments: [String]) throws -> TenantwallProcess.Run {
        try TenantwallProcess.run(arguments + ["--migrations", folder], environment: ["DATABASE_URL": url])
    }

    func scalar(_ sql: String) throws -> String? { try db.query(sql).scalar }

    func testEightConcurrentRunnersApplyEveryFileExactlyOnce() throws {
        try write("V0001__log.sql", "CREATE TABLE applied_log (file text NOT NULL);\n")
        for i in 2...20 {
            let sleep = i == 5 ? "SELECT pg_sleep(0.5);\n" : ""
            try write(String(format: "V%04d__step_%d.sql", i, i), "CREATE TABLE t\(i) (id int);\n\(sleep)INSERT INTO applied_log VALUES ('V\(i)');\n")
        }
        let runners = try (0..<8).map { _ in
            try TenantwallProcess(["migrate", "--migrations", folder, "--format", "json", "--lock-wait", "60s"], environment: ["DATABASE_URL": url])
        }
        let results = runners.map { $0.wait() }
        for run in results { XCTAssertTrue(run.status == 0 || run.status == 3, "exit \(run.status): \(run.stderr)") }
        XCTAssertEqual(results.filter { $0.status == 0 }.count, 8, "every runner waited for the lock and finished")
        XCTAssertEqual(try scalar("SELECT count(*) FROM applied_log"), "19")
        XCTAssertEqual(try scalar("SELECT count(DISTINCT file) FROM applied_log"), "19")
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history"), "20")
        XCTAssertEqual(try scalar("SELECT count(DISTINCT version) FROM tenantwall_migrations.history"), "20")
        let appliedCounts = try results.map { run -> Int in
            let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
            return (json?["applied"] as? [Any])?.count ?? -1
        }
        XCTAssertEqual(appliedCounts.reduce(0, +), 20, "the files were applied once in all: \(appliedCounts)")
    }

    func testLockNotAcquiredExitsThree() throws {
        try write("V1__a.sql", "CREATE TABLE a (id int);\n")
        let holder = try Connection(TestServer.shared.connectionString(database: database))
        try holder.query("SELECT pg_advisory_lock($1)", [String(HistorySQL.lockKey)])
        let run = try tenantwall(["migrate", "--lock-wait", "500ms"])
        XCTAssertEqual(run.status, 3, run.stderr)
        XCTAssertTrue(run.stderr.contains("migration lock not acquired"), run.stderr)
        XCTAssertTrue(run.stderr.contains("backend \(holder.backendPID)"), run.stderr)
    }

    func testKilledRunLeavesNoPartialEffectsAndNoStaleLock() throws {
        try write("V1__slow.sql", "CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nSELECT pg_sleep(3);\n")
        let runner = try TenantwallProcess(["migrate", "--migrations", folder], environment: ["DATABASE_URL": url])
        guard try running("SELECT pg_sleep(3)") else { kill(runner.process.processIdentifier, SIGKILL); _ = runner.wait(); return XCTFail("the migration never started") }
        kill(runner.process.processIdentifier, SIGKILL)
        _ = runner.wait()
        XCTAssertEqual(runner.process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(runner.process.terminationStatus, SIGKILL)
        // The server notices the dead client (client_connection_check_interval) and rolls back.
        guard try poll(timeout: 10, every: 0.1, { try scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == "0" }) else {
            return XCTFail("the advisory lock outlived the killed runner")
        }
        XCTAssertNil(try scalar("SELECT to_regclass('half')::text"), "no partial effect of the transactional file")
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history"), "0")
        let again = try tenantwall(["migrate"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try scalar("SELECT count(*) FROM half"), "1")
    }

    func testSyntaxErrorOnLineSevenNamesFileAndLineAndAppliesNothing() throws {
        try write("V0001__ok.sql", "CREATE TABLE first (id int);\n")
        var lines = (1...20).map { "-- line \($0)" }
        lines[0] = "CREATE TABLE second (id int);"
        lines[2] = "CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'a;b' $$;"
        lines[6] = "ALTER TABLE second ADD COLUMN oops integr NOT NUL;"
        try write("V0002__broken.sql", lines.joined(separator: "\n") + "\n")
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("V0002__broken.sql:7:"), run.stderr)
        XCTAssertNil(try scalar("SELECT to_regclass('second')::text"))
        XCTAssertNil(try scalar("SELECT to_regclass('first')::text"), "every pending file is parsed before any runs")
    }

    func testRuntimeErrorRollsBackTheFileAndPointsAtTheStatement() throws {
        try write("V1__bad.sql", "CREATE TABLE made (id int);\nINSERT INTO made VALUES (1);\n\nINSERT INTO made\n  VALUES (1 / 0);\n")
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("V1__bad.sql:4:1: division by zero (SQLSTATE 22012)"), run.stderr)
        XCTAssertNil(try scalar("SELECT to_regclass('made')::text"))
    }

    func testChecksumDriftStopsTheRunUntilRepaired() throws {
        try write("V1__a.sql", "CREATE TABLE a (id int);\n")
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
        try write("V1__a.sql", "CREATE TABLE a (id int, extra text);\n")
        try write("V2__b.sql", "CREATE TABLE b (id int);\n")
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("V1__a.sql has changed since it was applied"), run.stderr)
        XCTAssertNil(try scalar("SELECT to_regclass('b')::text"), "nothing applied")
        let status = try tenantwall(["status", "--format", "json"])
        XCTAssertEqual(status.status, 1)
        XCTAssertTrue(status.stdout.contains("\"state\" : \"changed\""), status.stdout)
        XCTAssertEqual(try tenantwall(["repair"]).status, 0)
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
        XCTAssertEqual(try scalar("SELECT to_regclass('b')::text"), "b")
        XCTAssertEqual(try tenantwall(["status"]).status, 0)
    }

    func testRepeatableRunsAgainOnlyWhenItChanges() throws {
        try write("V1__t.sql", "CREATE TABLE t (id int);\n")
        try write("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n")
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
        XCTAssertTrue(try tenantwall(["migrate"]).stdout.contains("up to date"))
        try write("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT id, id + 1 AS next FROM t;\n")
        XCTAssertEqual(try tenantwall(["status"]).status, 1, "an outdated repeatable needs attention")
        let run = try tenantwall(["migrate"])
        XCTAssertTrue(run.stdout.contains("applied R__view.sql"), run.stdout)
        XCTAssertEqual(try scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'v'"), "2")
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history WHERE kind = 'repeatable'"), "2")
    }

    func testCreateIndexConcurrentlyNeedsAndWorksWithTheDirective() throws {
        try write("V1__t.sql", "CREATE TABLE t (id int, body text);\n")
        try write("V2__index.sql", "CREATE INDEX CONCURRENTLY t_body ON t (body);\n")
        let refused = try tenantwall(["migrate"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("V2__index.sql:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction"), refused.stderr)
        try write("V2__index.sql", "-- tenantwall:no-transaction\nCREATE INDEX CONCURRENTLY t_body ON t (body);\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n")
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_index WHERE indrelid = 't'::regclass AND indisvalid"), "2")
    }

    /// Whether a statement starting with `prefix` shows up running in this database within `seconds`.
    func running(_ prefix: String, within seconds: Double = 10) throws -> Bool {
        try poll(timeout: seconds) {
            try db.query("SELECT count(*) FROM pg_stat_activity WHERE query LIKE $1 || '%' AND datname = current_database()", [prefix]).scalar == "1"
        }
    }

    /// Waits for a runner at most `seconds`, killing it when it does not finish: a hang is a failure, not a stuck suite.
    func finish(_ runner: TenantwallProcess, within seconds: Double, _ what: String) -> TenantwallProcess.Run? {
        guard poll(timeout: seconds, { !runner.process.isRunning }) else {
            kill(runner.process.processIdentifier, SIGKILL)
            _ = runner.wait()
            XCTFail("\(what) did not finish within \(Int(seconds)) s")
            return nil
        }
        return runner.wait()
    }

    /// A runner waiting for the lock holds no transaction, so `CREATE INDEX CONCURRENTLY` in the running one (which
    /// waits for every open transaction) completes: the Flyway #3497 trap.
    func testAWaitingRunnerDoesNotBlockCreateIndexConcurrently() throws {
        try write("V1__t.sql", "CREATE TABLE t (id int, body text);\nINSERT INTO t SELECT g, g::text FROM generate_series(1, 1000) AS g;\n")
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
        try write("V2__index.sql", "-- tenantwall:no-transaction\nSELECT pg_sleep(1.5);\nCREATE INDEX CONCURRENTLY t_body ON t (body);\n")
        let first = try TenantwallProcess(["migrate", "--migrations", folder], environment: ["DATABASE_URL": url])
        XCTAssertTrue(try running("SELECT pg_sleep(1.5)"), "the first runner reached its file")
        let second = try TenantwallProcess(["migrate", "--migrations", folder, "--lock-wait", "60s"], environment: ["DATABASE_URL": url])
        let firstRun = finish(first, within: 60, "the runner building the index")
        let secondRun = finish(second, within: 60, "the waiting runner")
        XCTAssertEqual(firstRun?.status, 0, firstRun?.stderr ?? "")
        XCTAssertEqual(secondRun?.status, 0, secondRun?.stderr ?? "")
        XCTAssertEqual(try scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 't_body'::regclass"), "true")
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history WHERE version = '2'"), "1", "applied once")
    }

    /// Files are committed one by one: a failure in the third leaves the first two and their history rows, and
    /// the run lists them (text and JSON) before failing.
    func testAFailureInALaterFileKeepsTheEarlierOnes() throws {
        try write("V1__a.sql", "CREATE TABLE a (id int);\n")
        try write("V2__b.sql", "CREATE TABLE b (id int);\nINSERT INTO b VALUES (2);\n")
        try write("V3__bad.sql", "CREATE TABLE c (id int);\nINSERT INTO c VALUES (1 / 0);\n")
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertNotNil(run.stdout.range(of: #"^applied V1__a\.sql \(\d+ ms\)\napplied V2__b\.sql \(\d+ ms\)\nfailed  V3__bad\.sql at line 2"#, options: .regularExpression), run.stdout)
        XCTAssertTrue(run.stderr.contains("V3__bad.sql:2:"), run.stderr)
        try write("V4__worse.sql", "SELECT 1 / 0;\n")
        let json = try tenantwall(["migrate", "--format", "json"])
        XCTAssertEqual(json.status, 2, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual((object["applied"] as? [Any])?.count, 0)
        XCTAssertEqual((object["failed"] as? [String: Any])?["file"] as? String, "V3__bad.sql")
        XCTAssertEqual((object["failed"] as? [String: Any])?["sqlState"] as? String, "22012")
        XCTAssertEqual(try scalar("SELECT count(*) FROM b"), "1")
        XCTAssertEqual(try scalar("SELECT string_agg(version, ',' ORDER BY installed_rank) FROM tenantwall_migrations.history WHERE success"), "1,2")
        XCTAssertNil(try scalar("SELECT to_regclass('c')::text"), "the failed file left nothing")
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history WHERE version = '3'"), "0")
    }

    /// Syntax from PostgreSQL 16 to 18 parses (the PostgreSQL 18 grammar): audit reports findings, not syntax
    /// errors, and on a PostgreSQL 18 server the files migrate.
    func testPostgreSQL18SyntaxParsesAuditsAndMigrates() throws {
        try write("V1__t.sql", "CREATE TABLE t (id int PRIMARY KEY, doc jsonb);\nCREATE TABLE s (id int, v int);\n")
        try write("V2__new_syntax.sql", """
            SET lock_timeout = '5s';
            ALTER TABLE t ADD COLUMN hundred int GENERATED ALWAYS AS (id * 100) VIRTUAL;
            MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id) RETURNING merge_action(), t.id;
            CREATE VIEW items AS SELECT jt.* FROM t, JSON_TABLE(t.doc, '$.items[*]' COLUMNS (name text PATH '$.name')) AS jt;
            CREATE INDEX existing_id ON existing (id);

            """)
        try db.execute("CREATE TABLE existing (id int)")
        let audit = try TenantwallProcess.run(["audit", "--migrations", folder, "--format", "json", "--fail-on", "warning"])
        XCTAssertEqual(audit.status, 1, "findings (an index built without CONCURRENTLY), not a tool error: \(audit.stderr)")
        XCTAssertFalse(audit.stderr.contains("parsed with the PostgreSQL"), "tenantwall's own parser accepts it: \(audit.stderr)")
        XCTAssertTrue(audit.stdout.contains("TW501"), audit.stdout)
        let broken = try TenantwallProcess.run(["audit", "--migrations", folder + "/../nonexistent-\(UUID().uuidString)"])
        XCTAssertEqual(broken.status, 2)
        guard try TestServer.majorVersion >= 18 else { return }
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try scalar("SELECT attgenerated::text FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'hundred'"), "v")
    }

    func testASyntaxErrorNamesTheGrammarVersion() throws {
        try write("V1__bad.sql", "SELECT FROM WHERE;\n")
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("V1__bad.sql:1:13: syntax error at or near \"WHERE\" (parsed with the PostgreSQL 18.6 grammar)"), run.stderr)
    }

    /// The server ends the runner's session in the middle of a no-transaction file (as a restart would): the
    /// error names the file, and the history row says the line did not finish and why, not "in progress".
    func testALostConnectionInANoTransactionFileIsNamedAndRecorded() throws {
        try write("V1__slow.sql", "-- tenantwall:no-transaction\nCREATE TABLE first (id int);\nSELECT pg_sleep(30);\n")
        let runner = try TenantwallProcess(["migrate", "--migrations", folder], environment: ["DATABASE_URL": url])
        XCTAssertTrue(try running("SELECT pg_sleep(30)"), "the runner reached line 3")
        try db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%' AND datname = current_database()")
        guard let run = finish(runner, within: 30, "the runner whose connection was lost") else { return }
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains("V1__slow.sql:3:"), run.stderr)
        XCTAssertEqual(try scalar("SELECT failed_line || ': ' || error FROM tenantwall_migrations.history WHERE script = 'V1__slow.sql'"),
                       "3: did not finish line 3: the connection was lost or the server restarted while it ran (unless a migrate is running now)")
    }

    func testFailedNoTransactionFileShowsWhereItStopped() throws {
        try write("V1__t.sql", "CREATE TABLE t (id int);\n")
        try write("V2__index.sql", "-- tenantwall:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n\nCREATE INDEX CONCURRENTLY t_nope ON t (nope);\n")
        XCTAssertEqual(try tenantwall(["migrate"]).status, 2)
        let status = try tenantwall(["status"])
        XCTAssertEqual(status.status, 1)
        XCTAssertTrue(status.stdout.contains("failed    V2__index.sql  stopped at line 4"), status.stdout)
        let blocked = try tenantwall(["migrate"])
        XCTAssertEqual(blocked.status, 1)
        XCTAssertTrue(blocked.stderr.contains("tenantwall repair"), blocked.stderr)
        try db.execute("DROP INDEX t_id")
        try write("V2__index.sql", "-- tenantwall:no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n")
        XCTAssertEqual(try tenantwall(["repair"]).status, 0)
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
    }

    func testDryRunTouchesNothing() throws {
        try write("V1__a.sql", "CREATE TABLE a (id int);\n")
        try write("V2__b.sql", "CREATE TABLE b (id int);\n")
        let run = try tenantwall(["migrate", "--dry-run"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, "dry run: would apply, in order:\n  V1__a.sql\n  V2__b.sql\n")
        XCTAssertNil(try scalar("SELECT to_regnamespace('tenantwall_migrations')::text"))
        XCTAssertNil(try scalar("SELECT to_regclass('a')::text"))
    }

    func testTargetStopsAtTheVersion() throws {
        for i in 1...3 { try write("V\(i)__s\(i).sql", "CREATE TABLE s\(i) (id int);\n") }
        XCTAssertEqual(try tenantwall(["migrate", "--target", "2"]).status, 0)
        XCTAssertEqual(try scalar("SELECT to_regclass('s2')::text"), "s2")
        XCTAssertNil(try scalar("SELECT to_regclass('s3')::text"))
    }

    func testBaselineAdoptsAnExistingSchema() throws {
        try db.execute("CREATE TABLE a (id int); CREATE TABLE b (id int)")
        try write("V1__a.sql", "CREATE TABLE a (id int);\n")
        try write("V2__b.sql", "CREATE TABLE b (id int);\n")
        try write("V3__c.sql", "CREATE TABLE c (id int);\n")
        XCTAssertEqual(try tenantwall(["baseline", "2"]).status, 0)
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertNotNil(run.stdout.range(of: #"^applied V3__c\.sql \([0-9.]+ [mµ]?s\)\n$"#, options: .regularExpression), run.stdout)
        XCTAssertTrue(try tenantwall(["status"]).stdout.contains("baselined V1__a.sql"))
        XCTAssertEqual(try tenantwall(["baseline", "3"]).status, 2, "baseline only on an unmigrated database")
    }

    func testLockTimeoutFailsFastOnABusyTable() throws {
        try write("V1__t.sql", "CREATE TABLE busy (id int);\n")
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
        try write("V2__alter.sql", "-- tenantwall:lock-timeout=200ms\nALTER TABLE busy ADD COLUMN x int;\n")
        let other = try Connection(TestServer.shared.connectionString(database: database))
        try other.execute("BEGIN; LOCK TABLE busy IN ACCESS SHARE MODE")
        // The lock is held until the end of this test: only the lock timeout can end the run (no timing asserted).
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("SQLSTATE 55P03"), run.stderr)
        XCTAssertTrue(run.stderr.contains("lock timeout"), run.stderr)
        try other.execute("ROLLBACK")
    }

    /// Holds ACCESS SHARE on `table` for `seconds` in another session (the server sleeps, not the test), once it
    /// is granted; returns a group that is done when that transaction has ended.
    func holdLock(on table: String, for seconds: Double) throws -> DispatchGroup {
        let group = DispatchGroup(), url = self.url
        group.enter()
        DispatchQueue.global().async {
            defer { group.leave() }
            guard let holder = try? Connection(url) else { return }
            _ = try? holder.execute("BEGIN; LOCK TABLE \(table) IN ACCESS SHARE MODE; SELECT pg_sleep(\(seconds)); COMMIT")
        }
        let granted = "SELECT count(*) FROM pg_locks WHERE relation = '\(table)'::regclass AND mode = 'AccessShareLock' AND granted AND pid <> pg_backend_pid()"
        guard try poll(timeout: 10, every: 0.02, { try scalar(granted) == "1" }) else {
            throw TenantwallProcessError(message: "the lock on \(table) was never taken")
        }
        return group
    }

    /// A table locked for 3 s by another session, a 1 s lock_timeout: the file fails with 55P03 and is tried again
    /// (backoff with jitter, each retry said on stderr) until the lock is gone; it is applied once.
    func testLockRetriesOutliveALockHeldForThreeSeconds() throws {
        try write("V1__t.sql", "CREATE TABLE busy (id int);\n")
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
        try write("V2__alter.sql", "ALTER TABLE busy ADD COLUMN x int;\n")
        let held = try holdLock(on: "busy", for: 3)
        let run = try tenantwall(["migrate", "--migration-lock-timeout", "1s", "--lock-retries", "5"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("lock not available in V2__alter.sql") && run.stderr.contains("retry 1 of 5"), run.stderr)
        XCTAssertTrue(run.stdout.contains("applied V2__alter.sql"), run.stdout)
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history WHERE version = '2' AND success"), "1", "one applied file")
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history WHERE version = '2'"), "1", "and no other record of it")
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'busy'::regclass AND attname = 'x'"), "1")
        XCTAssertEqual(held.wait(timeout: .now() + 20), .success)
    }

    /// Without a transaction only the statement that met the lock runs again (the one before it ran once); the
    /// file's directive sets the retries. Other errors are never retried.
    func testLockRetriesDirectiveRetriesOnlyTheStatementAndNothingElse() throws {
        try write("V1__t.sql", "CREATE TABLE busy (id int);\nCREATE TABLE log (n int);\n")
        XCTAssertEqual(try tenantwall(["migrate"]).status, 0)
        try write("V2__alter.sql", "-- tenantwall:no-transaction\n-- tenantwall:lock-retries=5\n-- tenantwall:lock-timeout=1s\nINSERT INTO log VALUES (1);\nALTER TABLE busy ADD COLUMN y int;\n")
        let held = try holdLock(on: "busy", for: 3)
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("lock not available in V2__alter.sql line 5"), run.stderr)
        XCTAssertEqual(try scalar("SELECT count(*) FROM log"), "1", "the statement before the lock ran once")
        XCTAssertEqual(try scalar("SELECT count(*) FROM tenantwall_migrations.history WHERE version = '2' AND success"), "1")
        XCTAssertEqual(held.wait(timeout: .now() + 20), .success)

        try write("V3__missing.sql", "ALTER TABLE no_such_table ADD COLUMN z int;\n")
        let failed = try tenantwall(["migrate", "--lock-retries", "5"])
        XCTAssertEqual(failed.status, 2)
        XCTAssertTrue(failed.stderr.contains("42P01"), failed.stderr)
        XCTAssertFalse(failed.stderr.contains("retry"), "only 55P03 is retried: \(failed.stderr)")
        XCTAssertEqual(try tenantwall(["migrate", "--lock-retries", "101"]).status, 2, "out of range: a usage error")
    }

    func testUnknownFileNamesAreAnError() throws {
        try write("V1__a.sql", "SELECT 1;\n")
        try write("v2-typo.sql", "SELECT 1;\n")
        let run = try tenantwall(["migrate"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("v2-typo.sql: not a migration file name"), run.stderr)
    }

    func testConnectionProblemsAreOneLineAndExitTwo() throws {
        try write("V1__a.sql", "SELECT 1;\n")
        try db.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '\(TestServer.passwordRole)') THEN CREATE ROLE \(TestServer.passwordRole) LOGIN PASSWORD 'right'; END IF; END $$")
        let server = try TestServer.shared
        let cases = [
            "host=/nonexistent-dir dbname=x",
            server.connectionString(database: "no_such_database"),
            server.connectionString(database: database, user: TestServer.passwordRole) + " password=wrong",
        ]
        for conninfo in cases {
            let run = try TenantwallProcess.run(["migrate", "--migrations", folder, "--database", conninfo])
            XCTAssertEqual(run.status, 2, conninfo)
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, "one line: \(run.stderr)")
            XCTAssertTrue(run.stderr.contains("could not connect"), run.stderr)
        }
    }
}
