import Audit
import Foundation
import XCTest

/// Migration statements that lock or break a table in use: non-concurrent index builds (TW501), CONCURRENTLY in
/// a transaction (TW502), NOT NULL without a default (TW503), validated constraints (TW504), type changes
/// (TW505), volatile defaults (TW506), drops and renames (TW507), no lock_timeout (TW508), unique keys built
/// under a lock (TW511), SET NOT NULL with a scan (TW512) and rewrites (TW513).
final class MigrationLockRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW501", "TW502", "TW503", "TW504", "TW505", "TW506", "TW507", "TW508", "TW511", "TW512", "TW513"]
    static let path = #filePath

    func testIndexWithoutConcurrently() throws {
        let found = try assertFindings(IndexWithoutConcurrently(), migrations: ["SET lock_timeout = '5s';\nCREATE INDEX orders_idx ON orders (tenant_id);"], ["V0001__m.sql:2:1"])
        XCTAssertEqual(found.first?.message, "CREATE INDEX on orders without CONCURRENTLY")
        XCTAssertEqual(found.first?.fix, "CREATE INDEX CONCURRENTLY … in a file marked -- tenantwall:no-transaction")
        try assertFindings(IndexWithoutConcurrently(), migrations: ["-- tenantwall:no-transaction\nCREATE INDEX CONCURRENTLY orders_idx ON orders (tenant_id);"], [])
        // A table the pending migrations create has nobody to block, whichever way the migrations name it.
        try assertFindings(IndexWithoutConcurrently(), migrations: ["CREATE TABLE orders (tenant_id int);", "CREATE INDEX ON orders (tenant_id);"], [])
        try assertFindings(IndexWithoutConcurrently(), migrations: ["CREATE TABLE orders (tenant_id int);\nCREATE INDEX ON public.orders (tenant_id);"], [])
        try assertFindings(IndexWithoutConcurrently(), migrations: ["CREATE TABLE public.orders (tenant_id int);\nCREATE INDEX ON orders (tenant_id);"], [])
        try assertFindings(IndexWithoutConcurrently(), migrations: ["CREATE TABLE app.orders (tenant_id int);\nCREATE INDEX ON orders (tenant_id);"], ["V0001__m.sql:2:1"],
                           "app.orders is not public.orders")
    }

    func testConcurrentlyInTransaction() throws {
        let found = try assertFindings(ConcurrentlyInTransaction(), migrations: ["CREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY j;"],
                                       ["V0001__m.sql:1:1", "V0001__m.sql:2:1"])
        XCTAssertEqual(found.map(\.message), ["CREATE INDEX CONCURRENTLY in a transactional file", "DROP INDEX CONCURRENTLY in a transactional file"])
        XCTAssertEqual(found.first?.fix, "add the line -- tenantwall:no-transaction to the file")
        try assertFindings(ConcurrentlyInTransaction(), migrations: ["-- tenantwall:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\nDROP INDEX CONCURRENTLY j;"], [])
        try assertFindings(ConcurrentlyInTransaction(), migrations: ["CREATE INDEX i ON t (a);\nDROP INDEX j;"], [])
        let reindex = try assertFindings(ConcurrentlyInTransaction(), migrations: ["REINDEX TABLE CONCURRENTLY t;\nREINDEX (VERBOSE, CONCURRENTLY) INDEX i;"],
                                         ["V0001__m.sql:1:1", "V0001__m.sql:2:1"])
        XCTAssertEqual(reindex.map(\.message), ["REINDEX CONCURRENTLY in a transactional file", "REINDEX CONCURRENTLY in a transactional file"])
        try assertFindings(ConcurrentlyInTransaction(), migrations: ["REINDEX TABLE t;", "-- tenantwall:no-transaction\nREINDEX TABLE CONCURRENTLY t;"], [])
    }

    func testNotNullWithoutDefault() throws {
        let found = try assertFindings(NotNullWithoutDefault(), migrations: ["ALTER TABLE t ADD COLUMN b int NOT NULL;"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.message, "t.b is added NOT NULL without a default")
        try assertFindings(NotNullWithoutDefault(), migrations: ["ALTER TABLE t ADD COLUMN b int NOT NULL DEFAULT 0;"], [])
        // Values for the existing rows come from an identity, a generated expression or a serial type as well.
        try assertFindings(NotNullWithoutDefault(), migrations: [
            "ALTER TABLE t ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY NOT NULL;", "ALTER TABLE t ADD COLUMN n int GENERATED ALWAYS AS (a + 1) STORED NOT NULL;",
            "ALTER TABLE t ADD COLUMN s bigserial NOT NULL;",
        ], [])
        try assertFindings(NotNullWithoutDefault(), migrations: ["ALTER TABLE t ADD COLUMN b int;"], [])
        try assertFindings(NotNullWithoutDefault(), migrations: ["CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;"], [], "a new table is empty")
    }

    func testConstraintWithoutNotValid() throws {
        let found = try assertFindings(ConstraintWithoutNotValid(), migrations: [
            "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0);\nALTER TABLE t ADD CONSTRAINT t_u_fkey FOREIGN KEY (u) REFERENCES u (id);",
        ], ["V0001__m.sql:1:1", "V0001__m.sql:2:1"])
        XCTAssertEqual(found.map(\.message), ["constraint t_a_check on t is validated while locked", "constraint t_u_fkey on t is validated while locked"])
        XCTAssertEqual(found.first?.fix, "ADD CONSTRAINT … NOT VALID; then ALTER TABLE … VALIDATE CONSTRAINT … in a later statement")
        try assertFindings(ConstraintWithoutNotValid(), migrations: [
            "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0) NOT VALID;\nALTER TABLE t ADD CONSTRAINT t_u_fkey FOREIGN KEY (u) REFERENCES u (id) NOT VALID;",
        ], [])
    }

    func testColumnTypeChange() throws {
        let found = try assertFindings(ColumnTypeChange(), migrations: ["ALTER TABLE t ALTER COLUMN a TYPE bigint;"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.message, "t.a changes type")
        try assertFindings(ColumnTypeChange(), migrations: ["ALTER TABLE t ALTER COLUMN a SET DEFAULT 0;"], [])
    }

    func testVolatileDefault() throws {
        let found = try assertFindings(VolatileDefault(), migrations: ["ALTER TABLE t ADD COLUMN id uuid DEFAULT gen_random_uuid();"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.message, "t.id defaults to gen_random_uuid()")
        XCTAssertEqual(found.first?.fix, "add the column without a default, set the default, then backfill in batches")
        try assertFindings(VolatileDefault(), migrations: ["ALTER TABLE t ADD COLUMN at timestamptz DEFAULT now();"], [], "now() is stable: one value for the statement")
    }

    func testDropOrRename() throws {
        let found = try assertFindings(DropOrRename(), migrations: ["DROP TABLE old;\nALTER TABLE t RENAME COLUMN a TO b;\nALTER TABLE t DROP COLUMN c;\nALTER TABLE t RENAME TO u;"],
                                       ["V0001__m.sql:1:1", "V0001__m.sql:2:1", "V0001__m.sql:3:1", "V0001__m.sql:4:1"])
        XCTAssertEqual(found.map(\.message), ["DROP TABLE", "RENAME of t.a to b", "DROP COLUMN t.c", "RENAME of t to u"])
        try assertFindings(DropOrRename(), migrations: ["ALTER TABLE t ADD COLUMN d int;\nDROP INDEX i;"], [])
    }

    func testMissingLockTimeout() throws {
        let found = try assertFindings(MissingLockTimeout(), migrations: ["CREATE TABLE n (a int);\nALTER TABLE n ADD COLUMN b int;\nALTER TABLE t ADD COLUMN d int;"],
                                       ["V0001__m.sql:3:1"], "the first DDL on a table the migrations did not create")
        XCTAssertEqual(found.first?.message, "V0001__m.sql changes existing objects without setting lock_timeout")
        XCTAssertEqual(found.first?.fix, "SET lock_timeout = '5s'; (or -- tenantwall:lock-timeout=5s)")
        try assertFindings(MissingLockTimeout(), migrations: ["SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN d int;"], [])
        try assertFindings(MissingLockTimeout(), migrations: ["-- tenantwall:lock-timeout=5s\nALTER TABLE t ADD COLUMN d int;"], [])
        try assertFindings(MissingLockTimeout(), migrations: ["CREATE TABLE n (a int);\nINSERT INTO t VALUES (1);"], [])
    }

    func testAddUniqueWithoutIndex() throws {
        let found = try assertFindings(AddUniqueWithoutIndex(), migrations: ["ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);\nALTER TABLE t ADD PRIMARY KEY (id);"],
                                       ["V0001__m.sql:1:1", "V0001__m.sql:2:1"])
        XCTAssertEqual(found.map(\.message), ["unique constraint on t builds its index under a lock", "primary key on t builds its index under a lock"])
        XCTAssertEqual(found.first?.fix, "CREATE UNIQUE INDEX CONCURRENTLY … (no-transaction file), then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX …")
        try assertFindings(AddUniqueWithoutIndex(), migrations: ["ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE USING INDEX t_a_idx;"], [])
        try assertFindings(AddUniqueWithoutIndex(), migrations: ["CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);"], [])
    }

    func testSetNotNullWithoutCheck() throws {
        let found = try assertFindings(SetNotNullWithoutCheck(), migrations: ["ALTER TABLE t ALTER COLUMN a SET NOT NULL;"], ["V0001__m.sql:1:1"])
        XCTAssertEqual(found.first?.message, "SET NOT NULL on t.a scans the table under an exclusive lock")
        XCTAssertEqual(found.first?.fix, "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT …; then SET NOT NULL (no scan), and drop the CHECK")
        try assertFindings(SetNotNullWithoutCheck(), migrations: [
            "ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;", "ALTER TABLE t VALIDATE CONSTRAINT t_a_nn;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;",
        ], [])
        try assertFindings(SetNotNullWithoutCheck(), migrations: ["ALTER TABLE public.t VALIDATE CONSTRAINT t_a_nn;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;"], [],
                           "t and public.t are one table")
    }

    func testTableRewriteLock() throws {
        let found = try assertFindings(TableRewriteLock(), migrations: ["-- tenantwall:no-transaction\nVACUUM FULL t;\nCLUSTER t USING t_pkey;\nREINDEX TABLE t;"],
                                       ["V0001__m.sql:2:1", "V0001__m.sql:3:1", "V0001__m.sql:4:1"])
        XCTAssertEqual(found.map { $0.fix ?? "" }, ["plain VACUUM, or pg_repack outside the deploy", "run it in a maintenance window, or pg_repack",
                                                    "REINDEX … CONCURRENTLY in a file marked -- tenantwall:no-transaction"])
        try assertFindings(TableRewriteLock(), migrations: ["-- tenantwall:no-transaction\nVACUUM t;\nVACUUM (ANALYZE) t;\nREINDEX TABLE CONCURRENTLY t;"], [])
    }
}
