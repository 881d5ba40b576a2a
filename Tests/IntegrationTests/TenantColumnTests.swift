import Foundation
import Lifecycle
import PolicyGen
import Postgres
import XCTest

/// `tenantwall tenant-column add` on tables built by hand with data, as a team would have them before tenants:
/// the column is filled, NOT NULL and indexed while a second session keeps writing, from a constant or from the
/// parent, resumes after an interruption, fails with exit 2 naming the step when a lock never comes, and the
/// migration it writes passes audit and applies with the runner.
final class TenantColumnTests: XCTestCase {
    var db: Connection!
    var url = ""

    override func setUpWithError() throws {
        let fresh = try TestServer.freshDatabase("tcol")
        db = fresh.connection
        url = try TestServer.shared.connectionString(database: fresh.name)
    }

    func tenantwall(_ arguments: [String]) throws -> TenantwallProcess.Run {
        try TenantwallProcess.run(arguments, environment: ["DATABASE_URL": url])
    }

    func scalar(_ sql: String) throws -> String? { try db.query(sql).scalar }

    /// The single-tenant table: ids, amounts, a note, `rows` rows.
    func invoices(_ rows: Int) throws {
        try db.execute("""
            CREATE TABLE public.invoices (id bigserial PRIMARY KEY, amount numeric NOT NULL, note text, updated_at timestamptz);
            INSERT INTO public.invoices (amount, note) SELECT g, 'invoice ' || g FROM generate_series(1, \(rows)) g;
            """)
    }

    /// Asserts the end state: NOT NULL, every row `expected` (when given), a valid index leading with the column,
    /// no temporary check left.
    func assertOnboarded(_ table: String, filledWith expected: String?, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = '\(table)'::regclass AND attname = 'tenant_id'"), "t", file: file, line: line)
        if let expected {
            XCTAssertEqual(try scalar("SELECT count(*) FILTER (WHERE tenant_id IS DISTINCT FROM \(expected)) FROM \(table)"), "0", file: file, line: line)
        }
        XCTAssertEqual(try scalar("""
            SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = '\(table)'::regclass AND a.attname = 'tenant_id' AND i.indisvalid
            """), "1", file: file, line: line)
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = '\(table)'::regclass AND contype = 'c'"), "0", file: file, line: line)
    }

    func testConstantTenantWhileAnotherSessionKeepsWriting() throws {
        try invoices(50_000)
        let writer = try ConcurrentWriter(url: url)
        writer.start()
        Thread.sleep(forTimeInterval: 0.3)
        let run = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:42", "--type", "bigint", "--batch", "2000", "--lock-timeout", "2s"])
        Thread.sleep(forTimeInterval: 0.3)
        let result = writer.stop()
        XCTAssertEqual(run.status, 0, run.stderr)
        // The rows there before the column came: the 50,000 and what the writer inserted before step 1.
        let filled = run.stdout.components(separatedBy: "filled ").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0
        XCTAssertGreaterThanOrEqual(filled, 50_000, run.stdout)
        XCTAssertEqual(result.failures, [], "no statement of the writer failed")
        XCTAssertGreaterThan(result.statements, 100, "the writer kept writing throughout")
        XCTAssertLessThan(result.longestSeconds, 2.0, "no statement of the writer waited longer than the lock timeout")
        try assertOnboarded("public.invoices", filledWith: "42")
        XCTAssertGreaterThan(Int(try scalar("SELECT count(*) FROM public.invoices") ?? "0") ?? 0, filled, "the writer's later rows are there, with the tenant")
    }

    func testFromTheParentByForeignKeyAndByParentColumn() throws {
        try db.execute("""
            CREATE TABLE public.customers (id bigint PRIMARY KEY, tenant_id bigint NOT NULL);
            INSERT INTO public.customers SELECT g, 100 + g % 5 FROM generate_series(1, 50) g;
            CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES public.customers (id), total int);
            INSERT INTO public.orders (customer_id, total) SELECT 1 + g % 50, g FROM generate_series(1, 3000) g;
            CREATE TABLE public.payments (id bigserial PRIMARY KEY, customer bigint, paid int);
            INSERT INTO public.payments (customer, paid) SELECT 1 + g % 50, g FROM generate_series(1, 700) g;
            """)
        let byKey = try tenantwall(["tenant-column", "add", "public.orders", "--from", "fk:orders_customer_fk", "--batch", "500"])
        XCTAssertEqual(byKey.status, 0, byKey.stderr)
        try assertOnboarded("public.orders", filledWith: nil)
        XCTAssertEqual(try scalar("SELECT count(*) FROM public.orders o JOIN public.customers c ON c.id = o.customer_id WHERE o.tenant_id <> c.tenant_id"), "0")
        XCTAssertEqual(try scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'public.orders'::regclass AND attname = 'tenant_id'"), "bigint")
        // A row the application writes afterwards, without the column, takes its parent's tenant.
        XCTAssertEqual(try scalar("INSERT INTO public.orders (customer_id, total) VALUES (7, 1) RETURNING tenant_id"), "102")

        // No foreign key: the local column matches the parent's primary key.
        let byParent = try tenantwall(["tenant-column", "add", "payments", "--from", "parent:public.customers.tenant_id via customer", "--batch", "64", "--drop-fill"])
        XCTAssertEqual(byParent.status, 0, byParent.stderr)
        try assertOnboarded("public.payments", filledWith: nil)
        XCTAssertEqual(try scalar("SELECT count(*) FROM public.payments p JOIN public.customers c ON c.id = p.customer WHERE p.tenant_id <> c.tenant_id"), "0")
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.payments'::regclass"), "0", "--drop-fill removed the trigger")
    }

    func testOrphanRowsStopTheFillNamingThem() throws {
        try db.execute("""
            CREATE TABLE public.customers (id bigint PRIMARY KEY, tenant_id bigint);
            INSERT INTO public.customers VALUES (1, 7), (2, NULL);
            CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer_id bigint REFERENCES public.customers (id));
            INSERT INTO public.orders (customer_id) VALUES (1), (1), (2), (NULL);
            """)
        let run = try tenantwall(["tenant-column", "add", "orders", "--from", "parent:customers.tenant_id via customer_id"])
        XCTAssertEqual(run.status, 2, run.stdout)
        XCTAssertTrue(run.stderr.contains("step 2 (fill in batches) failed: 2 row(s) of public.orders have no parent with a tenant"), run.stderr)
        XCTAssertEqual(try scalar("SELECT count(tenant_id) FROM public.orders"), "2", "the rows with a parent tenant were filled")
    }

    func testInterruptedAfterTheFillResumesAndRebuildsAnInvalidIndex() throws {
        try invoices(5_000)
        let plan = try TenantColumnTarget(connection: db).plan(schema: "public", table: "invoices", column: "tenant_id", source: .constant("9"),
                                                                constantType: "integer", parentColumn: nil, batchSize: 1_000)
        let first = try TenantColumnOnboarding(connection: db, plan: plan).run(stopAfter: .fill)
        XCTAssertEqual(first.rowsFilled, 5_000)
        XCTAssertEqual(try scalar("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'public.invoices'::regclass AND attname = 'tenant_id'"), "f")
        // An index build interrupted by a failure leaves an invalid index under the run's name.
        XCTAssertThrowsError(try db.execute("CREATE UNIQUE INDEX CONCURRENTLY invoices_tenant_id_idx ON public.invoices (tenant_id)"))
        XCTAssertEqual(try scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.invoices_tenant_id_idx'::regclass"), "f")

        let rerun = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:9", "--type", "integer"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        XCTAssertTrue(rerun.stderr.contains("step 1 (add the column (and the fill-in for new rows)): already done"), rerun.stderr)
        XCTAssertTrue(rerun.stdout.contains("filled 0 rows"), rerun.stdout)
        try assertOnboarded("public.invoices", filledWith: "9")
        XCTAssertEqual(try scalar("SELECT indisunique FROM pg_index WHERE indexrelid = 'public.invoices_tenant_id_idx'::regclass"), "f", "the invalid index was dropped and built again")
        let again = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:9", "--type", "integer", "--format", "json"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(again.stderr.components(separatedBy: "already done").count - 1, 5, "a third run finds every step done: \(again.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any]
        XCTAssertEqual((json?["steps"] as? [[String: Any]])?.compactMap { $0["ran"] as? Bool }, [false, false, false, false, false], again.stdout)
        XCTAssertEqual(json?["rowsFilled"] as? Int, 0, again.stdout)
    }

    func testALockHeldElsewhereFailsTheStepWithExitTwoAndARerunFinishes() throws {
        try invoices(2_000)
        let plan = try TenantColumnTarget(connection: db).plan(schema: "public", table: "invoices", column: "tenant_id", source: .constant("5"),
                                                                constantType: "bigint", parentColumn: nil, batchSize: 500)
        try TenantColumnOnboarding(connection: db, plan: plan).run(stopAfter: .fill)
        let holder = try Connection(url)
        try holder.execute("BEGIN; LOCK TABLE public.invoices IN ROW EXCLUSIVE MODE")
        let blocked = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:5", "--type", "bigint", "--lock-timeout", "200ms", "--lock-retries", "2"])
        XCTAssertEqual(blocked.status, 2, blocked.stdout)
        XCTAssertTrue(blocked.stderr.contains("step 3 (add and validate the NOT VALID check) failed: 55P03"), blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("after 3 tries with lock_timeout 200ms"), blocked.stderr)
        XCTAssertTrue(blocked.stderr.contains("retry 2 of 2"), blocked.stderr)
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.invoices'::regclass AND contype = 'c'"), "0", "nothing half-done")
        try holder.execute("ROLLBACK")

        let rerun = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:5", "--type", "bigint", "--lock-timeout", "200ms"])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        try assertOnboarded("public.invoices", filledWith: "5")
    }

    func testAnIndexBuildThatRunsOutOfLockTimeoutIsDroppedAndBuiltAgain() throws {
        try invoices(3_000)
        let plan = try TenantColumnTarget(connection: db).plan(schema: "public", table: "invoices", column: "tenant_id", source: .constant("8"),
                                                                constantType: "bigint", parentColumn: nil, batchSize: 1_000)
        try TenantColumnOnboarding(connection: db, plan: plan).run(stopAfter: .notNull)
        // A transaction that writes to the table for 1.5 s: CREATE INDEX CONCURRENTLY waits for it to end.
        let holder = try Connection(url)
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? holder.execute("BEGIN; LOCK TABLE public.invoices IN ROW EXCLUSIVE MODE; SELECT pg_sleep(1.5); COMMIT")
            released.signal()
        }
        Thread.sleep(forTimeInterval: 0.2)
        let run = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:8", "--type", "bigint", "--lock-timeout", "300ms", "--lock-retries", "6"])
        released.wait()
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("step 5 (build the index concurrently): lock not available"), run.stderr)
        try assertOnboarded("public.invoices", filledWith: "8")
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_index WHERE indrelid = 'public.invoices'::regclass AND NOT indisvalid"), "0", "no invalid index left behind")
    }

    func testEmittedMigrationPassesAuditAndAppliesWithTheRunner() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tw-tcol-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "CREATE TABLE public.invoices (id bigserial PRIMARY KEY, amount numeric NOT NULL);\nINSERT INTO public.invoices (amount) SELECT g FROM generate_series(1, 12000) g;\n"
            .write(toFile: folder + "/V1__invoices.sql", atomically: true, encoding: .utf8)
        XCTAssertEqual(try tenantwall(["migrate", "--migrations", folder]).status, 0)
        let emit = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:3f2504e0-4f89-11d3-9a0c-0305e82c3301", "--type", "uuid",
                                   "--batch", "5000", "--emit-migration", folder + "/V2__invoices_tenant.sql"])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.invoices'::regclass AND attname = 'tenant_id'"), "0", "emitting changes nothing")

        let audit = try tenantwall(["audit", "--migrations", folder, "--database", url, "--fail-on", "info"])
        XCTAssertEqual(audit.status, 0, audit.stdout + audit.stderr)
        XCTAssertTrue(audit.stdout.contains("0 finding(s)"), audit.stdout)
        let migrate = try tenantwall(["migrate", "--migrations", folder])
        XCTAssertEqual(migrate.status, 0, migrate.stderr)
        try assertOnboarded("public.invoices", filledWith: "'3f2504e0-4f89-11d3-9a0c-0305e82c3301'")
    }

    func testAnEmittedMigrationStoppedHalfWayFinishesAfterRepair() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tw-tcol-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try db.execute("""
            CREATE TABLE public.customers (id bigint PRIMARY KEY, tenant_id bigint);
            INSERT INTO public.customers SELECT g, 10 + g % 3 FROM generate_series(1, 30) g;
            INSERT INTO public.customers VALUES (31, NULL);
            CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer_id bigint CONSTRAINT orders_customer_fk REFERENCES public.customers (id));
            INSERT INTO public.orders (customer_id) SELECT 1 + g % 31 FROM generate_series(1, 4000) g;
            """)
        let emit = try tenantwall(["tenant-column", "add", "public.orders", "--from", "fk:orders_customer_fk", "--batch", "700", "--emit-migration", folder + "/V1__orders_tenant.sql"])
        XCTAssertEqual(emit.status, 0, emit.stderr)
        // Customer 31 has no tenant: its orders stay NULL and the VALIDATE stops the file half way.
        let stopped = try tenantwall(["migrate", "--migrations", folder])
        XCTAssertEqual(stopped.status, 2, stopped.stdout)
        XCTAssertTrue(stopped.stderr.contains("23514"), stopped.stderr)
        XCTAssertEqual(try scalar("SELECT count(*) FROM public.orders WHERE tenant_id IS NULL"), "129", "the rows with a parent tenant were filled")

        try db.execute("UPDATE public.customers SET tenant_id = 12 WHERE id = 31")
        XCTAssertEqual(try tenantwall(["repair", "--migrations", folder]).status, 0)
        let rerun = try tenantwall(["migrate", "--migrations", folder])
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        try assertOnboarded("public.orders", filledWith: nil)
        XCTAssertEqual(try scalar("SELECT count(*) FROM public.orders o JOIN public.customers c ON c.id = o.customer_id WHERE o.tenant_id <> c.tenant_id"), "0")
    }

    func testUsageErrors() throws {
        XCTAssertEqual(try tenantwall(["tenant-column", "add", "t", "--from", "42"]).status, 2)
        let missing = try tenantwall(["tenant-column", "add", "public.nothing", "--from", "tenant:1", "--type", "bigint"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no table public.nothing"), missing.stderr)
        let untyped = try tenantwall(["tenant-column", "add", "public.nothing", "--from", "tenant:1"])
        XCTAssertEqual(untyped.status, 2)
        try invoices(10)
        let noType = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:1"])
        XCTAssertEqual(noType.status, 2)
        XCTAssertTrue(noType.stderr.contains("tenant:<id> needs the tenant type: give --type or --spec"), noType.stderr)
        let badId = try tenantwall(["tenant-column", "add", "public.invoices", "--from", "tenant:acme", "--type", "bigint"])
        XCTAssertEqual(badId.status, 2)
        XCTAssertTrue(badId.stderr.contains("22P02"), badId.stderr)
        XCTAssertEqual(try scalar("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.invoices'::regclass AND attname = 'tenant_id'"), "0", "refused before any change")
        let secret = try TenantwallProcess.run(["tenant-column", "add", "t", "--from", "tenant:1", "--type", "bigint", "--database", "postgresql://u:S3cretPW@/db?host=/nonexistent"])
        XCTAssertEqual(secret.status, 2)
        XCTAssertFalse((secret.stdout + secret.stderr).contains("S3cretPW"), secret.stderr)
    }
}
