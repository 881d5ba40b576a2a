import Audit
import Foundation
import Postgres
import Tenantwall
import XCTest

/// Issue #31 on databases built by hand, the way a team writes its SQL (with data): the solver's findings on
/// each blind spot of the pattern rules, each witness replayed on the server as the application role, and the
/// false alarms of TW112/TW113, TW127 and TW120 gone.
final class AuditSemanticTests: XCTestCase {
    /// Findings of every rule on the database, application roles inferred as `tenantwall audit` infers them.
    func audit(_ connection: Connection, tenantColumns: [String: String] = [:]) throws -> [Finding] {
        Auditor.run(AuditInput(catalog: try AuditCatalogReader.read(connection), tenantColumns: tenantColumns))
    }

    /// `rule place` for the rules that judge what a policy admits.
    func semantic(_ findings: [Finding]) -> Set<String> {
        Set(findings.filter { ["TW106", "TW107", "TW108", "TW110", "TW138"].contains($0.ruleId) }.map { "\($0.ruleId) \($0.location.description)" })
    }

    static let role = """
        DO $$ BEGIN CREATE ROLE sem_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
        """

    /// One table per blind spot, each with rows of tenants 1 and 10, and one sound table written three ways.
    static let blindSpots = """
        \(role)
        CREATE TABLE posts_a1 (tenant_id integer NOT NULL, id integer NOT NULL, is_published boolean NOT NULL DEFAULT false, status text, PRIMARY KEY (tenant_id, id));
        CREATE TABLE posts_a2 (LIKE posts_a1 INCLUDING ALL);
        CREATE TABLE posts_b (LIKE posts_a1 INCLUDING ALL);
        CREATE TABLE posts_c (LIKE posts_a1 INCLUDING ALL);
        CREATE TABLE posts_d (LIKE posts_a1 INCLUDING ALL);
        CREATE TABLE posts_ok (LIKE posts_a1 INCLUDING ALL);
        DO $$ DECLARE t text; BEGIN
          FOREACH t IN ARRAY ARRAY['posts_a1', 'posts_a2', 'posts_b', 'posts_c', 'posts_d', 'posts_ok'] LOOP
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO sem_app', t);
            EXECUTE format('INSERT INTO %I (tenant_id, id, is_published, status) SELECT tn, i, true, ''live'' FROM unnest(ARRAY[1, 10]) tn, generate_series(1, 3) i', t);
          END LOOP;
        END $$;
        -- (a) the restrictive policy is the only tenant boundary, and it is `OR true` / fails open.
        CREATE POLICY published ON posts_a1 FOR SELECT TO sem_app USING (is_published);
        CREATE POLICY wall ON posts_a1 AS RESTRICTIVE TO sem_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer) OR true);
        CREATE POLICY published ON posts_a2 FOR SELECT TO sem_app USING (is_published);
        CREATE POLICY wall ON posts_a2 AS RESTRICTIVE TO sem_app
          USING ((SELECT NULLIF(current_setting('app.tenant_id', true), '')) IS NULL OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer));
        -- (b) a negated fail-open.
        CREATE POLICY p ON posts_b TO sem_app
          USING (NOT (current_setting('app.tenant_id', true) IS NOT NULL) OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer));
        -- (c) WITH CHECK names a column and drops the tenant.
        CREATE POLICY p ON posts_c TO sem_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer))
          WITH CHECK (status <> 'archived');
        -- (d) a pattern match against the context.
        CREATE POLICY p ON posts_d TO sem_app USING (tenant_id::text LIKE current_setting('app.tenant_id', true) || '%');
        -- Sound, written three ways: operand order, AND true, a restrictive wall under a permissive filter.
        CREATE POLICY p ON posts_ok FOR SELECT TO sem_app USING ((SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer) = tenant_id);
        CREATE POLICY w ON posts_ok FOR INSERT TO sem_app WITH CHECK (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer) AND true);
        CREATE POLICY u ON posts_ok FOR UPDATE TO sem_app USING (status IS NOT NULL);
        CREATE POLICY u_wall ON posts_ok AS RESTRICTIVE FOR UPDATE TO sem_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer));
        """

    func testBlindSpotsAreFoundAndTheirWitnessesHoldOnTheServer() throws {
        let (name, db) = try TestServer.freshDatabase("auditsem")
        try db.execute(Self.blindSpots)
        let found = try audit(db)
        // TW108's witness: no context at all (a session that never set it: once set, even rolled back, it
        // reads ''), and sem_app reads every row.
        let fresh = try Connection(TestServer.shared.connectionString(database: name))
        for table in ["posts_a2", "posts_b"] {
            let seen = try fresh.rolledBack {
                _ = try fresh.execute("SET LOCAL ROLE sem_app")
                return try fresh.query("SELECT count(*) FROM \(table)").scalar
            }
            XCTAssertEqual(seen, "6", "\(table): no tenant in the session, every row")
        }
        XCTAssertEqual(semantic(found), [
            "TW106 policy public.posts_a1.wall", "TW108 policy public.posts_a2.wall", "TW108 policy public.posts_b.p",
            "TW107 policy public.posts_c.p", "TW138 policy public.posts_d.p",
        ], found.map { "\($0.ruleId) \($0.location.description): \($0.message)" }.joined(separator: "\n"))
        XCTAssertFalse(found.contains { $0.location.object?.hasPrefix("public.posts_ok") == true && $0.severity == .error },
                       "the sound table, however written, has no error: \(found.filter { $0.location.object?.hasPrefix("public.posts_ok") == true }.map(\.message))")
        // Each wall witness, replayed as sem_app with its context, shows a row of another tenant.
        for (rule, object) in [("TW106", "public.posts_a1.wall"), ("TW138", "public.posts_d.p")] {
            let message = try XCTUnwrap(found.first { $0.ruleId == rule && $0.location.object == object }?.message)
            let context = try XCTUnwrap(message.firstMatch(of: #/context app\.tenant_id='(-?\d+)'; row tenant_id=(-?\d+)/#), message)
            let (tenant, other) = (String(context.output.1), String(context.output.2))
            XCTAssertNotEqual(tenant, other)
            let table = String(object.split(separator: ".")[1])
            try db.execute("INSERT INTO \(table) (tenant_id, id, is_published, status) VALUES (\(other), 1000, true, 'live') ON CONFLICT DO NOTHING")
            let seen = try db.rolledBack {
                _ = try db.query("SELECT set_config('app.tenant_id', $1, true)", [tenant])
                _ = try db.execute("SET LOCAL ROLE sem_app")
                return try db.query("SELECT count(*) FROM \(table) WHERE tenant_id = \(other)").scalar
            }
            XCTAssertNotEqual(seen, "0", "\(rule) \(object): with app.tenant_id=\(tenant) sem_app reads tenant \(other)'s rows")
        }
        // (c): with tenant 1 set, sem_app writes a row of tenant 10.
        let written = try db.rolledBack {
            _ = try db.query("SELECT set_config('app.tenant_id', '1', true)")
            _ = try db.execute("SET LOCAL ROLE sem_app")
            return try db.execute("INSERT INTO posts_c (tenant_id, id, status) VALUES (10, 99, 'live')").affectedRows
        }
        XCTAssertEqual(written, 1)
    }

    /// A table isolated by `user_id` is judged once it is named.
    func testATableIsolatedByAnotherColumn() throws {
        let (name, db) = try TestServer.freshDatabase("auditsemcol")
        try db.execute("""
            \(Self.role)
            CREATE TABLE notes (user_id integer NOT NULL, id integer NOT NULL, body text, PRIMARY KEY (user_id, id));
            ALTER TABLE notes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            GRANT SELECT ON notes TO sem_app;
            INSERT INTO notes SELECT u, 1, 'x' FROM generate_series(1, 12) u;
            CREATE POLICY mine ON notes TO sem_app USING (user_id::text LIKE current_setting('app.user_id', true) || '%');
            """)
        XCTAssertEqual(semantic(try audit(db)), [], "user_id is no tenant column until named")
        XCTAssertEqual(semantic(try audit(db, tenantColumns: ["public.notes": "user_id"])), ["TW138 policy public.notes.mine"])
        // The same through the command line: `--tenant-column schema.table=column`, exit 1 with the finding.
        let url = try TestServer.shared.connectionString(database: name)
        let named = try TenantwallProcess.run(["audit", "--database", url, "--tenant-column", "public.notes=user_id", "--format", "json"])
        XCTAssertEqual(named.status, 1, named.stderr)
        XCTAssertTrue(named.stdout.contains("TW138"), named.stdout)
        let unnamed = try TenantwallProcess.run(["audit", "--database", url, "--format", "json"])
        XCTAssertFalse(unnamed.stdout.contains("TW138"), unnamed.stdout)
        let malformed = try TenantwallProcess.run(["audit", "--database", url, "--tenant-column", "notes=user_id"])
        XCTAssertEqual(malformed.status, 2, malformed.stdout)
        XCTAssertTrue(malformed.stderr.contains("give schema.table=column"), malformed.stderr)
    }

    /// The false alarms fixed on lead, on a database built by hand: a superuser a policy names is no application
    /// role (no TW112, no TW113 on what it owns); a generated key is no TW127; a partition with its own forced
    /// wall is no TW120. Each next to a control that still fires.
    func testFalseAlarmsStayQuiet() throws {
        let (_, db) = try TestServer.freshDatabase("auditsemfa")
        let superuser = try XCTUnwrap(try db.query("SELECT current_user").scalar)
        try db.execute("""
            \(Self.role)
            CREATE TABLE orders (tenant_id integer NOT NULL, id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text UNIQUE, body text);
            ALTER TABLE orders ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            GRANT SELECT, INSERT ON orders TO sem_app;
            CREATE POLICY tenant ON orders TO sem_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer));
            CREATE POLICY admin_all ON orders TO \(superuser) USING (true);
            INSERT INTO orders (tenant_id, email) VALUES (1, 'a@x'), (10, 'b@x');
            CREATE TABLE events (tenant_id integer NOT NULL, at date NOT NULL, body text) PARTITION BY RANGE (at);
            ALTER TABLE events ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            CREATE POLICY tenant ON events TO sem_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer));
            CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
            ALTER TABLE events_2026 ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
            CREATE POLICY own_wall ON events_2026 TO sem_app USING (tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer));
            CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
            GRANT SELECT ON events, events_2026, events_2027 TO sem_app;
            INSERT INTO events VALUES (1, '2026-05-01', 'x'), (10, '2027-05-01', 'y');
            """)
        let found = try audit(db)
        let places = { (rule: String) in Set(found.filter { $0.ruleId == rule }.map(\.location.description)) }
        XCTAssertEqual(places("TW112"), [], "the superuser named by admin_all is no application role")
        XCTAssertEqual(places("TW113"), [])
        XCTAssertEqual(places("TW127"), ["index orders_email_key"], "the identity key is no oracle; the chosen email is")
        XCTAssertEqual(places("TW120"), ["table public.events_2027"], "events_2026 has its own forced wall; events_2027 has none")
        XCTAssertEqual(semantic(found), [], found.map(\.message).joined(separator: "\n"))
    }
}
