import Deploy
import Foundation
import Identity
import Lifecycle
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import TenantwallBench
import Verification
import XCTest

/// The change trail (`audit_trail: {tables: all}`) on every example but the Citus one (whose cluster is
/// `CitusTests.testTheTrailOnTheCluster`'s): a
/// committed change by the application, as a tenant, is in that tenant's trail with old and new values; another
/// tenant reads none of it; no access role and not the owner may write the trail; plan shows no drift after
/// apply; and an entry altered by hand (the guard trigger bypassed) makes verify fail naming the tenant and seq.
final class TrailExampleTests: XCTestCase {
    /// A copy of an example's spec files with the trail on for every tenant table.
    static func trailedCopy(_ example: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-trail-\(example)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = TestServer.path("policies/" + example)
        let files = try FileManager.default.contentsOfDirectory(atPath: source).filter { $0.hasSuffix(".yaml") }.sorted()
        for (i, file) in files.enumerated() {
            var text = try String(contentsOfFile: source + "/" + file, encoding: .utf8)
            if i == 0 { text += "\naudit_trail:\n  tables: all\n" }
            try text.write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    func verifySettings(_ spec: Spec, _ db: Connection) throws -> Verifier.Settings {
        var settings = Verifier.Settings()
        if spec.tenancy.binding == .signed {
            let secret = Array("trail-example-tests-secret-0123456789".utf8)
            try SigningKeys.rotate(db, spec: spec, secret: secret, id: "tests", overlap: 0)
            settings.secret = secret
        }
        return settings
    }

    func testEveryExampleTrailsChangesPerTenantAndDetectsTampering() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: TestServer.path("policies")).sorted()
        // TRAIL_EXAMPLES=a,b narrows the run while working on one example.
        let only = ProcessInfo.processInfo.environment["TRAIL_EXAMPLES"].map { Set($0.split(separator: ",").map(String.init)) }
        for example in examples where example != "workflow-platform-citus" && only?.contains(example) != false {
            do { try check(example) } catch { XCTFail("\(example): \(error)") }
        }
    }

    func check(_ example: String) throws {
        do {
            let copy = try Self.trailedCopy(example)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let spec = try SpecFiles.load([copy])
            XCTAssertFalse(spec.trailedTables.isEmpty, example)
            let (name, db) = try TestServer.freshDatabase("trail_ex")
            var notes: [String] = []
            let adapted = try ServerCapabilities(connection: db).adapt(spec, notes: &notes)
            try TestServer.requireExtensions(adapted, db)
            // Applied (with the trail) and loaded as a superuser: the load writes no trail entry.
            _ = try BenchDataset(spec: adapted, rows: 600, tenants: 4).create(on: db, comparisons: false)
            let names = TrailNames(spec: adapted)
            XCTAssertEqual(try db.query("SELECT count(*) FROM \(names.table)").scalar, "0", "\(example): a superuser's load is not trailed")
            XCTAssertTrue(try LiveDatabase(connection: db).plan(adapted).isEmpty, "\(example): no drift after apply")
            try LiveDatabase(connection: db).apply(adapted)
            XCTAssertTrue(try LiveDatabase(connection: db).plan(adapted).isEmpty, "\(example): no drift after a second apply")

            // A change the application commits as a tenant.
            let app = adapted.roles.app
            let table = try XCTUnwrap(adapted.trailedTables.first { $0.table.isolation == .tenant && $0.table.commands(for: app).contains(.update) }, example)
            let column = try XCTUnwrap(adapted.trailColumns(table.table)?.first { $0 != table.column && !table.table.primaryKey.contains($0) }, example)
            let storage = table.table.storage(tenancy: adapted.tenancy)
            let tenant = try XCTUnwrap(db.query("SELECT \(SQL.ident(table.column))::text FROM \(SQL.qualified(storage.schema, storage.name)) GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").scalar, example)
            let other = try XCTUnwrap(db.query("SELECT \(SQL.ident(table.column))::text FROM \(SQL.qualified(storage.schema, storage.name)) WHERE \(SQL.ident(table.column))::text <> $1 LIMIT 1", [tenant]).scalar, example)
            let relation = SQL.qualified(table.schema, table.name)
            try db.execute("BEGIN")
            var session = TenantSession(spec: adapted, connection: db)
            try session.enter(tenant)
            let changed = try db.query("UPDATE \(relation) SET \(SQL.ident(column)) = \(SQL.ident(column)) WHERE \(SQL.ident(table.column)) = \(SQL.literal(tenant))::\(adapted.tenancy.type.rawValue)").affectedRows
            let acting = try db.query("SELECT CASE WHEN current_setting('role') = 'none' THEN session_user ELSE current_setting('role') END").scalar
            try session.leave()
            try db.execute("COMMIT")
            XCTAssertGreaterThan(changed, 0, example)
            let entries = try db.query("""
                SELECT count(*) FILTER (WHERE old ? $3 AND new ? $3 AND acting_role = $4 AND session_role = session_user)::text, count(*)::text
                FROM \(names.table) WHERE \(SQL.ident(names.tenantColumn))::text = $1 AND table_name = $2 AND command = 'UPDATE'
                """, [tenant, table.qualifiedName, column, acting ?? ""]).rows[0]
            XCTAssertEqual(entries[0], String(changed), "\(example): every changed row is in the tenant's trail with old and new values, the acting role and the session user")
            XCTAssertEqual(entries[1], String(changed), example)

            // The tenant reads its own entries; another tenant reads none of them.
            func visible(as id: String) throws -> [String?] {
                try db.execute("BEGIN")
                defer { _ = try? db.execute("ROLLBACK") }
                var session = TenantSession(spec: adapted, connection: db)
                try session.enter(id)
                return try db.query("SELECT count(*) FILTER (WHERE \(SQL.ident(names.tenantColumn))::text = $1)::text, count(*)::text FROM \(names.table)", [tenant]).rows[0]
            }
            XCTAssertEqual(try visible(as: tenant), [String(changed), String(changed)], "\(example): the tenant reads its own trail")
            XCTAssertEqual(try visible(as: other), ["0", "0"], "\(example): another tenant reads nothing of it")

            // No access role, not the owner, and not a superuser's plain statement may change the trail.
            for role in uniqued(adapted.roles.accessRoles + [adapted.roles.owner]) {
                for statement in ["UPDATE \(names.table) SET new = NULL", "DELETE FROM \(names.table)", "TRUNCATE \(names.table)",
                                  "INSERT INTO \(names.table) OVERRIDING SYSTEM VALUE SELECT * FROM \(names.table) LIMIT 1"] {
                    try db.execute("BEGIN")
                    XCTAssertThrowsError(try db.execute("SET LOCAL ROLE \(SQL.ident(role)); \(statement)"), "\(example): \(role): \(statement)") { error in
                        XCTAssertEqual((error as? PostgresError)?.sqlState, "42501", "\(example): \(role): \(statement): \(error)")
                    }
                    try db.execute("ROLLBACK")
                }
            }
            for statement in ["UPDATE \(names.table) SET new = NULL", "DELETE FROM \(names.table)", "TRUNCATE \(names.table)"] {
                XCTAssertThrowsError(try db.execute(statement), "\(example): a superuser's \(statement) is refused by the guard trigger") { error in
                    XCTAssertTrue("\(error)".contains("append-only"), "\(example): \(error)")
                }
            }

            // verify: the trail checks hold on the intact trail.
            let conninfo = try TestServer.shared.connectionString(database: name)
            let settings = try verifySettings(adapted, db)
            let report = try Verifier(spec: adapted, conninfo: conninfo, settings: settings).run()
            for check in report.failed { XCTFail("\(example): \(check.table): \(check.id) as \(check.role) (\(check.tenant)): expected \(check.expected), got \(check.actual)") }
            for id in ["trail-chain", "trail-write-refused", "trail-records-change", "trail-other-tenant-read"] {
                XCTAssertTrue(report.checks.contains { $0.id == id }, "\(example): \(id) ran")
            }

            // Tampering by hand, the guard trigger bypassed: verify names the tenant and the first broken seq.
            let seq = changed > 1 ? 2 : 1
            try db.execute("""
                SET session_replication_role = replica;
                UPDATE \(names.table) SET new = pg_catalog.jsonb_set(new, ARRAY[\(SQL.literal(column))], '"tampered"')
                WHERE \(SQL.ident(names.tenantColumn))::text = \(SQL.literal(tenant)) AND seq = \(seq);
                RESET session_replication_role
                """)
            let tampered = try Verifier(spec: adapted, conninfo: conninfo, settings: settings).run()
            let chain = try XCTUnwrap(tampered.checks.first { $0.id == "trail-chain" }, example)
            XCTAssertEqual(chain.status, .failed, example)
            XCTAssertTrue(chain.actual.contains("tenant \(tenant): broken at seq \(seq)"), "\(example): \(chain.actual)")
        }
    }

    /// The command line: `verify` exits 1 on a broken chain, naming the tenant and the seq.
    func testVerifyExitsOneOnABrokenChain() throws {
        let copy = try Self.trailedCopy("workflow-platform")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let spec = try SpecFiles.load([copy])
        let (name, db) = try TestServer.freshDatabase("trail_cli")
        _ = try BenchDataset(spec: spec, rows: 200, tenants: 3).create(on: db, comparisons: false)
        let table = try XCTUnwrap(spec.trailedTables.first { $0.table.isolation == .tenant && $0.table.commands(for: spec.roles.app).contains(.delete) })
        let tenant = try XCTUnwrap(db.query("SELECT \(SQL.ident(table.column))::text FROM \(SQL.qualified(table.schema, table.name)) LIMIT 1").scalar)
        try db.execute("BEGIN")
        var session = TenantSession(spec: spec, connection: db)
        try session.enter(tenant)
        let deleted = try db.query("DELETE FROM \(SQL.qualified(table.schema, table.name)) WHERE \(SQL.ident(table.column)) = \(SQL.literal(tenant))::bigint").affectedRows
        try session.leave()
        try db.execute("COMMIT")
        XCTAssertGreaterThan(deleted, 0)
        let names = TrailNames(spec: spec)
        XCTAssertEqual(try db.query("SELECT count(*) FROM \(names.table) WHERE command = 'DELETE' AND old IS NOT NULL AND new IS NULL").scalar, String(deleted))
        let conninfo = try TestServer.shared.connectionString(database: name)
        let clean = try TenantwallProcess.run(["verify", "--spec", copy, "--database", conninfo])
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        let audit = try TenantwallProcess.run(["audit", "--spec", copy, "--database", conninfo])
        // audit sees the trail as generated: no drift, no finding about its table, functions or triggers.
        XCTAssertEqual(audit.status, 0, audit.stdout + audit.stderr)
        XCTAssertFalse(["change trail", "change_trail", "trail_redact", "tw_change_trail", "_trail\""].contains { audit.stdout.contains($0) }, audit.stdout)
        try db.execute("SET session_replication_role = replica; DELETE FROM \(names.table) WHERE \(SQL.ident(names.tenantColumn))::text = \(SQL.literal(tenant)) AND seq = 1; RESET session_replication_role")
        let broken = try TenantwallProcess.run(["verify", "--spec", copy, "--database", conninfo])
        XCTAssertEqual(broken.status, 1, broken.stdout + broken.stderr)
        XCTAssertTrue(broken.stdout.contains("tenant \(tenant): broken at seq 2"), broken.stdout)
    }

    /// Erasure with `redactTrail`: the tenant's entries stay with their values emptied, the step is recorded, the
    /// chain still verifies, and the certificate says what remains. Without it the certificate says the values stay.
    func testErasureRedactsTheTrailAndTheChainStillVerifies() throws {
        let copy = try Self.trailedCopy("workflow-platform")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let spec = try SpecFiles.load([copy])
        let (name, db) = try TestServer.freshDatabase("trail_redact")
        _ = try BenchDataset(spec: spec, rows: 300, tenants: 3).create(on: db, comparisons: false)
        let table = try XCTUnwrap(spec.trailedTables.first { $0.table.isolation == .tenant && $0.table.commands(for: spec.roles.app).contains(.delete) })
        let tenants = try db.query("SELECT DISTINCT \(SQL.ident(table.column))::text FROM \(SQL.qualified(table.schema, table.name)) ORDER BY 1 LIMIT 2").rows.compactMap { $0[0] }
        XCTAssertEqual(tenants.count, 2)
        for tenant in tenants {
            try db.execute("BEGIN")
            var session = TenantSession(spec: spec, connection: db)
            try session.enter(tenant)
            try db.execute("DELETE FROM \(SQL.qualified(table.schema, table.name)) WHERE \(SQL.ident(table.column)) = \(SQL.literal(tenant))::bigint")
            try session.leave()
            try db.execute("COMMIT")
        }
        let names = TrailNames(spec: spec)
        let gone = tenants[0], kept = tenants[1]
        func entries(_ tenant: String) throws -> [String?] {
            try db.query("SELECT count(*)::text, count(*) FILTER (WHERE old IS NOT NULL)::text, count(*) FILTER (WHERE redacted_at IS NOT NULL)::text FROM \(names.table) WHERE tenant_id::text = $1", [tenant]).rows[0]
        }
        let before = try entries(gone), other = try entries(kept)
        XCTAssertNotEqual(before[0], "0")
        XCTAssertEqual(before[1], before[0], "every DELETE entry holds the old values")

        // The owner cannot redact: it is the audited step, a superuser's.
        try db.execute("BEGIN")
        XCTAssertThrowsError(try db.execute("SET LOCAL ROLE \(SQL.ident(spec.roles.owner)); SELECT \(names.redact)(\(SQL.literal(gone))::bigint, 'why not')")) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "42501", "\($0)")
        }
        try db.execute("ROLLBACK")

        let dry = try TenantErasure(spec: spec, connection: db).run(tenant: gone, dryRun: true, redactTrail: true)
        XCTAssertEqual(try entries(gone), before, "a dry run changes nothing")
        XCTAssertTrue(dry.remaining.contains { $0.where == "tenantwall_trail.change_trail" && $0.rows == Int(before[0]!) }, "\(dry.remaining)")
        let certificate = try TenantErasure(spec: spec, connection: db).run(tenant: gone, dryRun: false, redactTrail: true)
        XCTAssertEqual(try entries(gone), [before[0], "0", before[0]], "entries kept, values emptied, each marked")
        XCTAssertEqual(try entries(kept), other, "another tenant's trail as it was")
        let trail = try XCTUnwrap(certificate.remaining.first { $0.where == "tenantwall_trail.change_trail" })
        XCTAssertEqual(trail.rows, Int(before[0]!))
        XCTAssertTrue(trail.why.contains("emptied by trail_redact"), trail.why)
        XCTAssertEqual(try db.query("SELECT details->>'entries' FROM tenantwall.tenant_events WHERE action = 'trail redacted' AND tenant = $1", [gone]).scalar, before[0])
        let report = try Verifier(spec: spec, conninfo: try TestServer.shared.connectionString(database: name)).run()
        let chain = try XCTUnwrap(report.checks.first { $0.id == "trail-chain" })
        XCTAssertEqual(chain.status, .passed, chain.actual)
        // Without --redact-trail the certificate says the values stay, and how to empty them.
        let plain = try TenantErasure(spec: spec, connection: db).run(tenant: kept, dryRun: false)
        XCTAssertTrue(plain.remaining.contains { $0.where == "tenantwall_trail.change_trail" && $0.why.contains("--redact-trail empties them") }, "\(plain.remaining)")
    }

    /// Two sessions writing one tenant's rows at once: the second waits on the first's advisory lock on the tenant,
    /// so the entries get consecutive seqs and each names the previous one's hash (the chain verifies); another
    /// tenant's writer does not wait.
    func testConcurrentWritersOfOneTenantAreSerializedAndTheChainHolds() throws {
        let copy = try Self.trailedCopy("workflow-platform")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let spec = try SpecFiles.load([copy])
        let (name, db) = try TestServer.freshDatabase("trail_conc")
        _ = try BenchDataset(spec: spec, rows: 300, tenants: 3).create(on: db, comparisons: false)
        let url = try TestServer.shared.connectionString(database: name)
        let table = try XCTUnwrap(spec.trailedTables.first { $0.table.isolation == .tenant && $0.table.commands(for: spec.roles.app).contains(.delete) })
        let relation = SQL.qualified(table.schema, table.name)
        let tenants = try db.query("SELECT \(SQL.ident(table.column))::text FROM \(relation) GROUP BY 1 HAVING count(*) > 1 ORDER BY count(*) DESC LIMIT 2").rows.compactMap { $0[0] }
        XCTAssertEqual(tenants.count, 2)
        func writer(_ tenant: String) throws -> (Connection, TenantSession) {
            let connection = try Connection(url)
            try connection.execute("BEGIN")
            var session = TenantSession(spec: spec, connection: connection)
            try session.enter(tenant)
            return (connection, session)
        }
        let key = SQL.ident(table.column)
        let (first, _) = try writer(tenants[0])
        XCTAssertEqual(try first.query("DELETE FROM \(relation) WHERE ctid = (SELECT ctid FROM \(relation) WHERE \(key) = \(SQL.literal(tenants[0]))::bigint LIMIT 1)").affectedRows, 1)
        // Another tenant's writer goes through while the first holds its tenant's lock.
        let (other, _) = try writer(tenants[1])
        XCTAssertEqual(try other.query("DELETE FROM \(relation) WHERE ctid = (SELECT ctid FROM \(relation) WHERE \(key) = \(SQL.literal(tenants[1]))::bigint LIMIT 1)").affectedRows, 1)
        try other.execute("COMMIT")
        let (second, _) = try writer(tenants[0])
        let finished = DispatchSemaphore(value: 0)
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        Thread.detachNewThread {
            do {
                _ = try second.query("DELETE FROM \(relation) WHERE ctid = (SELECT ctid FROM \(relation) WHERE \(key) = \(SQL.literal(tenants[0]))::bigint OFFSET 1 LIMIT 1)")
                try second.execute("COMMIT")
            } catch { outcome.error = error }
            finished.signal()
        }
        XCTAssertEqual(finished.wait(timeout: .now() + 1), .timedOut, "the second writer of the tenant waits for the first")
        XCTAssertEqual(try db.query("SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND NOT granted").scalar, "1")
        try first.execute("COMMIT")
        XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
        XCTAssertNil(outcome.error)
        let names = TrailNames(spec: spec)
        XCTAssertEqual(try db.query("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM \(names.table) WHERE tenant_id::text = $1", [tenants[0]]).scalar, "1,2")
        let report = try Verifier(spec: spec, conninfo: url).run()
        XCTAssertEqual(report.checks.first { $0.id == "trail-chain" }?.status, .passed)
    }

    /// A walled hypertable with compressed chunks (k8s-cost-monitor's pod_metrics): an UPDATE of rows that live in
    /// compressed chunks, through the wall view, is trailed row for row like any other (TimescaleDB decompresses
    /// them into the chunk, where the row trigger fires).
    func testChangesToCompressedRowsAreTrailed() throws {
        let copy = try Self.trailedCopy("k8s-cost-monitor")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let spec = try SpecFiles.load([copy])
        let (_, db) = try TestServer.freshDatabase("trail_compressed")
        var notes: [String] = []
        let adapted = try ServerCapabilities(connection: db).adapt(spec, notes: &notes)
        try TestServer.requireExtensions(adapted, db)
        _ = try BenchDataset(spec: adapted, rows: 2000, tenants: 4).create(on: db, comparisons: false)
        let table = try XCTUnwrap(adapted.tables.first { $0.name == "pod_metrics" })
        XCTAssertTrue(table.isWalled)
        let storage = table.storage(tenancy: adapted.tenancy)
        let stored = SQL.qualified(storage.schema, storage.name)
        let compressed = try db.query("SELECT count(compress_chunk(c)) FROM show_chunks(\(SQL.literal(stored)), older_than => interval '7 days') AS c").scalar
        XCTAssertNotEqual(compressed, "0", "chunks were compressed")
        let tenant = try XCTUnwrap(db.query("SELECT tenant_id::text FROM \(stored) WHERE time < now() - interval '8 days' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").scalar)
        let app = adapted.roles.app
        let command = table.commands(for: app).contains(.update) ? "UPDATE" : "DELETE"
        let sql = command == "UPDATE"
            ? "UPDATE public.pod_metrics SET cost_usd = cost_usd WHERE tenant_id = \(SQL.literal(tenant))::uuid AND time < now() - interval '8 days'"
            : "DELETE FROM public.pod_metrics WHERE tenant_id = \(SQL.literal(tenant))::uuid AND time < now() - interval '8 days'"
        try db.execute("BEGIN")
        var session = TenantSession(spec: adapted, connection: db)
        try session.enter(tenant)
        let changed = try db.query(sql).affectedRows
        try session.leave()
        try db.execute("COMMIT")
        XCTAssertGreaterThan(changed, 0, command)
        let names = TrailNames(spec: adapted)
        XCTAssertEqual(try db.query("SELECT count(*) FROM \(names.table) WHERE tenant_id::text = $1 AND table_name = 'public.pod_metrics' AND command = $2 AND old IS NOT NULL",
                                    [tenant, command]).scalar, String(changed), "every \(command) of a compressed row is in the trail")
    }
}
