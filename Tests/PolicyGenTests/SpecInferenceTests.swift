import Foundation
import PolicyGen
import XCTest

/// `init`'s decisions on hand-written catalogs: the tenant column, the setting, roles, isolation, defaults,
/// partition intervals, setters, and the owner's readers. No server.
final class SpecInferenceTests: XCTestCase {
    typealias DB = ExistingDatabase

    func table(_ schema: String, _ name: String, owner: String = "own", columns: [(String, String)], fks: [(String, String, String)] = [],
               grants: [String: [String]] = [:]) -> DB.Table {
        DB.Table(schema: schema, name: name, owner: owner, columns: columns.map { DB.Column(name: $0.0, type: $0.1, notNull: true) },
                 foreignKeys: fks.map { DB.ForeignKey(columns: [$0.0], references: $0.1, referencedColumns: [$0.2]) },
                 grants: grants.keys.sorted().map { DB.Grant(role: $0, privileges: grants[$0]!) })
    }

    /// orgs ← projects, users ← tasks (tasks carry both org_id and user_id): three tables each way.
    func orgsAndUsers() -> DB {
        DB(tables: [
            table("public", "orgs", columns: [("id", "bigint")], grants: ["app": ["SELECT"]]),
            table("public", "users", columns: [("org_id", "bigint"), ("id", "bigint")], fks: [("org_id", "public.orgs", "id")],
                  grants: ["app": ["SELECT", "INSERT", "UPDATE"], "bi": ["SELECT"]]),
            table("public", "projects", columns: [("org_id", "bigint"), ("user_id", "bigint")],
                  fks: [("org_id", "public.orgs", "id"), ("user_id", "public.users", "id")], grants: ["app": ["SELECT", "INSERT"]]),
            table("public", "tasks", columns: [("org_id", "bigint"), ("user_id", "bigint")],
                  fks: [("org_id", "public.orgs", "id"), ("user_id", "public.users", "id")],
                  grants: ["app": ["SELECT", "INSERT", "DELETE"], "bi": ["SELECT"], "ingest": ["INSERT"]]),
            table("public", "comments", columns: [("user_id", "bigint")], fks: [("user_id", "public.users", "id")]),
            table("public", "countries", columns: [("code", "text")], grants: ["app": ["SELECT"], "bi": ["SELECT"], "PUBLIC": ["SELECT"]]),
            table("public", "settings", columns: [("key", "text")], grants: ["app": ["SELECT", "UPDATE"]]),
        ], roles: [DB.Role(name: "own"), DB.Role(name: "app"), DB.Role(name: "bi"), DB.Role(name: "ingest")])
    }

    func testTheTenantColumnIsTheOneWhoseTargetOthersBelongTo() throws {
        // org_id and user_id both have three tables; users carry org_id, so user_id is nested inside org_id.
        let draft = try SpecInference.infer(orgsAndUsers())
        XCTAssertEqual(draft.tenancy.column, "org_id")
        XCTAssertEqual(draft.tenancy.type, .bigint)
        let isolation = Dictionary(uniqueKeysWithValues: draft.tables.map { ($0.table.name, $0.table.isolation) })
        XCTAssertEqual(isolation, ["orgs": .self, "users": .tenant, "projects": .tenant, "tasks": .tenant, "comments": .shared,
                                   "countries": .shared, "settings": .exempt])
        XCTAssertEqual(draft.tables.map(\.table.name), ["orgs", "projects", "tasks", "users", "comments", "countries", "settings"])
        XCTAssertEqual(draft.tables[0].table.key, "id")
    }

    func testTwoCandidatesOrNoneAreAnErrorThatNamesThem() {
        let tie = DB(tables: [
            table("public", "a", columns: [("org_id", "uuid"), ("team_id", "uuid")], fks: [("org_id", "public.orgs", "id"), ("team_id", "public.teams", "id")]),
            table("public", "b", columns: [("org_id", "uuid"), ("team_id", "uuid")], fks: [("org_id", "public.orgs", "id"), ("team_id", "public.teams", "id")]),
            table("public", "orgs", columns: [("id", "uuid")]), table("public", "teams", columns: [("id", "uuid")]),
        ])
        XCTAssertThrowsError(try SpecInference.infer(tie)) { error in
            XCTAssertEqual("\(error)", "2 candidate tenant columns: org_id (2 tables → public.orgs), team_id (2 tables → public.teams); name one with --tenant-column NAME")
        }
        var options = SpecInference.Options(tenantColumn: "team_id")
        XCTAssertEqual(try SpecInference.infer(tie, options: options).tables.first { $0.table.isolation == .self }?.table.name, "teams")
        options.tenantColumn = "tenant"
        XCTAssertThrowsError(try SpecInference.infer(tie, options: options)) { XCTAssertEqual("\($0)", "no table has a column 'tenant' (given with --tenant-column)") }

        let none = DB(tables: [table("public", "notes", columns: [("id", "uuid"), ("body", "text")])])
        XCTAssertThrowsError(try SpecInference.infer(none)) { XCTAssertTrue("\($0)".hasPrefix("no tenant column found"), "\($0)") }

        // tenant_id without any foreign key: the column is found, the tenants table is a question.
        let loose = DB(tables: [table("public", "notes", columns: [("tenant_id", "text"), ("body", "text")], grants: ["app": ["SELECT", "INSERT"]])])
        let draft = try? SpecInference.infer(loose)
        XCTAssertEqual(draft?.tenancy.type, .text)
        XCTAssertEqual(draft?.tables.map(\.table.isolation), [.tenant])
        XCTAssertTrue(draft?.tenancyQuestions.contains { $0.hasPrefix("no foreign key on 'tenant_id' points at a table of tenants") } == true)
        XCTAssertTrue(draft?.tenancyQuestions.contains { $0.hasPrefix("no policy or setter names the setting") } == true, "\(draft?.tenancyQuestions ?? [])")

        XCTAssertEqual(draft?.roles.app, "app")
        XCTAssertEqual(draft?.roles.create, true, "no role is known to exist here")

        let smallint = DB(tables: [table("public", "notes", columns: [("tenant_id", "smallint")])])
        XCTAssertThrowsError(try SpecInference.infer(smallint)) { XCTAssertTrue("\($0)".contains("'tenant_id' is smallint"), "\($0)") }
    }

    func testRolesComeFromWhoHoldsWhat() throws {
        let draft = try SpecInference.infer(orgsAndUsers())
        XCTAssertEqual(draft.roles.owner, "own")
        XCTAssertEqual(draft.roles.app, "app")
        XCTAssertEqual(draft.roles.readonly, ["bi"])
        XCTAssertEqual(draft.roles.admin, "")
        XCTAssertFalse(draft.roles.create, "every declared role exists")
        XCTAssertEqual(draft.roleQuestions.count, 1)
        XCTAssertTrue(draft.roleQuestions[0].hasPrefix("ingest writes public.tasks (insert) and is not declared"), draft.roleQuestions[0])
        let tasks = try XCTUnwrap(draft.tables.first { $0.table.name == "tasks" })
        XCTAssertEqual(tasks.table.grants.map(\.role), ["app", "bi"])
        XCTAssertEqual(tasks.undeclaredGrants.map(\.role), ["ingest"])
        // The tenants table keeps what the app may do with its own row (SELECT here); a shared table's PUBLIC grant is a note.
        XCTAssertEqual(draft.tables[0].table.grants.first?.commands, [.select])
        let countries = try XCTUnwrap(draft.tables.first { $0.table.name == "countries" })
        XCTAssertEqual(countries.notes, ["PUBLIC holds SELECT today; tenantwall revokes it"])
        // Nobody declared may use comments: an empty grant, so the spec's default grants add none.
        let comments = try XCTUnwrap(draft.tables.first { $0.table.name == "comments" })
        XCTAssertEqual(comments.table.grants.map(\.role), ["app"])
        XCTAssertEqual(comments.table.grants.first?.commands, [])
        let settings = try XCTUnwrap(draft.tables.first { $0.table.name == "settings" })
        XCTAssertEqual(settings.table.reason, "no tenant column, and written by app (a shared table is written only in admin mode)")
        XCTAssertEqual(settings.questions, ["why may public.settings go without RLS? Replace the reason with one a reviewer can check, or give it a tenant column"])
    }

    func testAWriterTieABypassingRoleAndWritesOnTheTenantsTableAreQuestions() throws {
        var database = orgsAndUsers()
        database.tables[0].grants = [DB.Grant(role: "app", privileges: ["SELECT", "INSERT", "DELETE", "TRUNCATE"])]
        database.tables[2].grants.append(DB.Grant(role: "ops_admin", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"]))
        database.tables[3].grants.append(DB.Grant(role: "ops_admin", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"]))
        database.tables[1].grants.append(DB.Grant(role: "ops_admin", privileges: ["SELECT", "INSERT", "UPDATE", "DELETE"]))
        database.roles.append(DB.Role(name: "ops_admin", bypassRLS: true))
        let draft = try SpecInference.infer(database)
        // ops_admin writes as many tenant tables as app, with more privileges: it ranks first, and the tie is asked.
        XCTAssertEqual(draft.roles.app, "ops_admin")
        XCTAssertTrue(draft.roleQuestions.contains { $0.hasPrefix("app writes public.orgs (insert, delete), public.users (insert, update), public.projects (insert), public.tasks (insert, delete), public.settings (update) and is not declared (as many tenant tables as ops_admin, which holds more privileges on them and is roles.app): is it the application") }, "\(draft.roleQuestions)")
        XCTAssertTrue(draft.roleQuestions.contains("ops_admin has BYPASSRLS, so no policy applies to it: ALTER ROLE ops_admin NOBYPASSRLS before relying on the walls"))

        database.tables[1].grants.removeAll { $0.role == "ops_admin" }
        let second = try SpecInference.infer(database)
        XCTAssertEqual(second.roles.app, "app")
        XCTAssertEqual(second.adminCandidate, "ops_admin")
        XCTAssertTrue(second.roleQuestions.contains { $0.hasPrefix("ops_admin has BYPASSRLS: is it the admin role (roles.admin") })
        let orgs = second.tables[0]
        XCTAssertEqual(orgs.table.grants.first?.commands, [.select, .insert])
        XCTAssertEqual(orgs.questions, ["app holds DELETE today, left out (on a tenants table only the admin role writes): does the application need it?"])
        XCTAssertEqual(orgs.notes, ["app holds TRUNCATE today; tenantwall revokes it (RLS does not govern it)"])
    }

    func testTheSettingComesFromThePoliciesThenFromSetters() throws {
        var database = orgsAndUsers()
        database.policies = [
            DB.Policy(table: "public.tasks", name: "p", using: "((org_id = (current_setting('app.org'::text, true))::bigint) OR (current_setting('app.admin'::text, true) = 'on'::text))"),
            DB.Policy(table: "public.users", name: "p", using: "(org_id = ( SELECT (NULLIF(current_setting('app.org'::text, true), ''::text))::bigint AS x))"),
            DB.Policy(table: "public.countries", name: "p", using: "(code = current_setting('app.country'::text))"),
        ]
        database.functions = [
            DB.Function(signature: "public.set_org(bigint)", owner: "own", body: " SELECT pg_catalog.set_config('app.org', $1::text, false) "),
            DB.Function(signature: "public.sudo()", owner: "own", body: "BEGIN\n  PERFORM set_config('app.admin', 'on', true);\nEND"),
            DB.Function(signature: "public.be(text)", owner: "own", body: "BEGIN EXECUTE format('SET LOCAL app.country = %L', $1); END"),
            DB.Function(signature: "public.other()", owner: "own", body: "SELECT set_config('app.unrelated', 'x', false)"),
            DB.Function(signature: "public.impersonate(bigint, text)", owner: "own", body: "SELECT set_config('app.org', $1::text, true)"),
        ]
        let draft = try SpecInference.infer(database)
        XCTAssertEqual(draft.tenancy.setting, "app.org")
        XCTAssertTrue(draft.tenancyQuestions.isEmpty, "\(draft.tenancyQuestions)")
        // be(text) sets the setting the shared table's policy reads; other() one no policy reads.
        // impersonate(bigint, text) sets the tenant but takes two arguments: the shim could not stand in for it.
        XCTAssertEqual(draft.legacyFunctions.map(\.function.signature), ["public.set_org(bigint)", "public.sudo()", "public.be(text)", "public.impersonate(bigint, text)"])
        XCTAssertEqual(draft.legacyFunctions.map(\.function.action), [.replace, .revoke, .revoke, .revoke])
        XCTAssertEqual(draft.legacyFunctions[0].today, "sets the tenant (app.org) for the session, so a pooled connection carries it into the next client's transactions")
        XCTAssertEqual(draft.legacyFunctions[1].today, "sets app.admin, which the policies read, for the transaction; any session can also SET it itself")

        database.policies = []
        let fromSetters = try SpecInference.infer(database)
        XCTAssertEqual(fromSetters.tenancy.setting, "app.org", "the setting a function taking a bigint sets")
    }

    func testSettingWritesAndPolicyComparisons() {
        XCTAssertEqual(SettingWrites.read("SELECT set_config('app.t', coalesce($1, 'x')::text, false), set_config( 'a.b' ,v,true)"),
                       [SettingWrite(setting: "app.t", session: true), SettingWrite(setting: "a.b", session: false)])
        XCTAssertEqual(SettingWrites.read("PERFORM set_config('app.t', x, is_local); SET app.flag TO on; set local app.x = 1; SET search_path = a"),
                       [SettingWrite(setting: "app.t", session: nil), SettingWrite(setting: "app.flag", session: true), SettingWrite(setting: "app.x", session: false)])
        XCTAssertEqual(SettingWrites.read("SELECT my_set_config('app.t', x, false), set_config(name, x, false)"), [])
        let settings = PolicySettings("(tenant_id = COALESCE(current_setting('app.t'::text, true), '0')::integer) AND current_setting('app.role') = 'x'")
        XCTAssertEqual(settings?.read.sorted(), ["app.role", "app.t"])
        XCTAssertEqual(settings?.comparisons.map(\.column), ["tenant_id"])
        XCTAssertEqual(settings?.comparisons.map(\.setting), ["app.t"])
        XCTAssertNil(PolicySettings("tenant_id = ("))
    }

    func testDefaultsOnlyWhenASpecCanSayThem() {
        func spec(_ expression: String?, _ type: String, identity: Bool = false) -> ColumnDefault? {
            DefaultExpression.specDefault(DB.Column(name: "c", type: type, defaultExpression: expression, identity: identity))
        }
        XCTAssertEqual(spec("'free'::text", "text"), .string("free"))
        XCTAssertEqual(spec("'it''s'::character varying", "character varying(20)"), .string("it's"))
        XCTAssertEqual(spec("'{}'::jsonb", "jsonb"), .string("{}"))
        XCTAssertEqual(spec("'active'::public.account_status", "public.account_status"), .string("active"))
        XCTAssertEqual(spec("now()", "timestamp with time zone"), .function("now()"))
        XCTAssertEqual(spec("CURRENT_TIMESTAMP", "timestamp with time zone"), .function("current_timestamp"))
        XCTAssertEqual(spec("CURRENT_DATE", "date"), .function("current_date"))
        XCTAssertEqual(spec("gen_random_uuid()", "uuid"), .function("gen_random_uuid()"))
        XCTAssertEqual(spec("0", "integer"), .number("0"))
        XCTAssertEqual(spec("'-1'::integer", "integer"), .string("-1"))
        XCTAssertEqual(spec("(-2.5)", "numeric"), .number("-2.5"))
        XCTAssertEqual(spec("true", "boolean"), .bool(true))
        XCTAssertEqual(spec(nil, "bigint", identity: true), .function("identity"))
        XCTAssertNil(spec("nextval('public.alerts_id_seq'::regclass)", "bigint"))
        XCTAssertNil(spec("(now() + '1 day'::interval)", "timestamp with time zone"))
        XCTAssertNil(spec("'a'::text || 'b'::text", "text"))
        XCTAssertNil(spec("'x\\y'::text", "text"), "a backslash: the literal's meaning depends on standard_conforming_strings")
        XCTAssertNil(spec("gen_random_uuid()", "bigint"), "a default of the wrong type is not the spec's to repeat")
        XCTAssertNil(spec("'now'::text", "uuid"))
    }

    func testPartitionIntervalsAndWhatLiesAhead() {
        func parts(_ bounds: [(String, String)]) -> [DB.Partition] {
            bounds.enumerated().map { DB.Partition(name: "p\($0.offset)", bound: "FOR VALUES FROM ('\($0.element.0)') TO ('\($0.element.1)')") }
        }
        let monthly = parts([("2026-10-01", "2026-11-01"), ("2026-11-01", "2026-12-01"), ("2026-12-01", "2027-01-01"), ("2027-01-01", "2027-02-01")])
        XCTAssertEqual(PartitionBounds.interval(monthly + [DB.Partition(name: "d", bound: "DEFAULT")]), "1 month")
        XCTAssertEqual(PartitionBounds.ahead(monthly, today: "2026-12-02"), 1)
        XCTAssertEqual(PartitionBounds.ahead(monthly, today: "2026-12-31"), 1)
        XCTAssertEqual(PartitionBounds.ahead(monthly, today: "2027-01-01"), 0)
        XCTAssertEqual(PartitionBounds.interval(parts([("2026-01-01 00:00:00+00", "2026-01-08 00:00:00+00")])), "1 week")
        XCTAssertEqual(PartitionBounds.interval(parts([("2026-01-30", "2026-01-31"), ("2026-01-31", "2026-02-01")])), "1 day")
        XCTAssertEqual(PartitionBounds.interval(parts([("2026-01-01 06:00:00", "2026-01-01 12:00:00")])), "6 hours")
        XCTAssertEqual(PartitionBounds.interval(parts([("2025-01-01", "2026-01-01")])), "1 year")
        XCTAssertEqual(PartitionBounds.interval(parts([("2026-01-01", "2026-04-01")])), "3 months")
        XCTAssertNil(PartitionBounds.interval(parts([("2026-01-01", "2026-02-01"), ("2026-02-01", "2026-02-15")])), "uneven partitions")
        XCTAssertNil(PartitionBounds.interval([DB.Partition(name: "p", bound: "FOR VALUES FROM (MINVALUE) TO ('2026-01-01')")]))
    }

    func testPartitionedAndHypertablesBecomeTheirSpecKeys() throws {
        var events = table("public", "events", columns: [("tenant_id", "uuid"), ("at", "timestamp with time zone")], fks: [("tenant_id", "public.tenants", "id")],
                           grants: ["app": ["SELECT", "INSERT", "DELETE"]])
        events.partitionStrategy = "r"
        events.partitionKey = ["at"]
        events.partitions = [DB.Partition(name: "e1", bound: "FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2026-12-02 00:00:00+00')")]
        events.partmanPremake = 7
        var metrics = table("public", "metrics", columns: [("tenant_id", "uuid"), ("time", "timestamp with time zone")], fks: [("tenant_id", "public.tenants", "id")],
                            grants: ["app": ["SELECT", "INSERT", "DELETE"]])
        metrics.hypertable = DB.HypertableInfo(timeColumn: "time", chunkSeconds: 86_400, spaceColumn: "tenant_id", spacePartitions: 4,
                                               chunkSchema: "_timescaledb_internal", retentionSeconds: 90 * 86_400)
        var regions = table("public", "by_region", columns: [("tenant_id", "uuid"), ("region", "text")], fks: [("tenant_id", "public.tenants", "id")])
        regions.partitionStrategy = "l"
        regions.partitionKey = ["region"]
        let database = DB(tables: [events, metrics, regions, table("public", "tenants", columns: [("id", "uuid")])], today: "2026-12-02")
        let draft = try SpecInference.infer(database)
        let byName = Dictionary(uniqueKeysWithValues: draft.tables.map { ($0.table.name, $0) })
        let p = try XCTUnwrap(byName["events"]?.table.partitioning)
        XCTAssertEqual([p.column, p.interval, "\(p.premake)", p.manager.rawValue], ["at", "1 day", "7", "pg_partman"])
        let h = try XCTUnwrap(byName["metrics"]?.table.hypertable)
        XCTAssertEqual([h.timeColumn, h.chunkInterval, h.retention ?? "", "\(h.spacePartitions ?? 0)"], ["time", "1 day", "90 days", "4"])
        XCTAssertNil(h.chunkSchema)
        XCTAssertEqual(byName["metrics"]?.table.grants.first?.commands, [.select, .insert], "no DELETE on a hypertable")
        XCTAssertTrue(byName["metrics"]?.questions.first?.hasPrefix("app holds DELETE today, left out (DELETE on a hypertable") == true)
        XCTAssertNil(byName["by_region"]?.table.partitioning)
        XCTAssertTrue(byName["by_region"]?.questions.first?.hasPrefix("partitioned by LIST (region): tenantwall partitions by a time range only") == true)
    }

    func testIndexesAreReusedUnlessASpecCannotSayThem() throws {
        var users = table("public", "users", columns: [("tenant_id", "uuid"), ("email", "text"), ("at", "date")], fks: [("tenant_id", "public.tenants", "id")])
        users.indexes = [
            DB.Index(name: "users_pkey", columns: ["tenant_id", "email"], unique: true, primary: true),
            DB.Index(name: "users_recent", columns: ["tenant_id", "at"], descending: [false, true], include: ["email"], predicate: "(at > '2020-01-01'::date)"),
            DB.Index(name: "users_email_key", columns: ["email"], unique: true),
            DB.Index(name: "users_lower", columns: ["tenant_id", nil]),
            DB.Index(name: "users_fts", columns: ["email"], method: "gin"),
        ]
        let draft = try SpecInference.infer(DB(tables: [users, table("public", "tenants", columns: [("id", "uuid")])]))
        let spec = try XCTUnwrap(draft.tables.first { $0.table.name == "users" })
        XCTAssertEqual(spec.table.indexes.map(\.name), ["users_recent"])
        XCTAssertEqual(spec.table.indexes[0].columns, [IndexColumn(name: "tenant_id", descending: false), IndexColumn(name: "at", descending: true)])
        XCTAssertEqual(spec.table.indexes[0].include, ["email"])
        XCTAssertEqual(spec.table.indexes[0].predicate, "(at > '2020-01-01'::date)")
        XCTAssertTrue(spec.questions.contains { $0.hasPrefix("unique index users_email_key does not lead with tenant_id") })
        XCTAssertTrue(spec.notes.contains("index users_lower indexes an expression: it stays as it is, outside the spec"))
        XCTAssertTrue(spec.notes.contains("index users_fts (gin) stays as it is: a spec's indexes are btree"))
    }

    func testTheOwnersViewsAndJobsOverTenantRowsAreFound() throws {
        var database = orgsAndUsers()
        database.materializedViews = [
            DB.MaterializedView(name: "reports.daily", owner: "own", reads: ["public.tasks"]),
            DB.MaterializedView(name: "reports.weekly", owner: "own", reads: ["reports.daily"]),
            DB.MaterializedView(name: "reports.by_bi", owner: "bi", reads: ["public.tasks"]),
            DB.MaterializedView(name: "reports.countries", owner: "own", reads: ["public.countries"]),
        ]
        database.functions = [
            DB.Function(signature: "public.refresh()", owner: "own", body: "REFRESH MATERIALIZED VIEW reports.weekly"),
            DB.Function(signature: "public.purge()", owner: "own", body: "DELETE FROM \"projects\" WHERE false"),
            DB.Function(signature: "public.count()", owner: "own", body: "SELECT count(*) FROM public.countries"),
            DB.Function(signature: "public.mine()", owner: "app", body: "SELECT count(*) FROM public.tasks"),
            DB.Function(signature: "public.word()", owner: "own", body: "SELECT 'tasks are done'"),
        ]
        let draft = try SpecInference.infer(database)
        XCTAssertEqual(draft.ownerReaders, ["reports.daily", "reports.weekly", "public.purge()", "public.refresh()"])
        XCTAssertEqual(draft.roles.ownerAccess, .all)
        XCTAssertEqual(try SpecInference.infer(orgsAndUsers()).roles.ownerAccess, OwnerAccess.none)
    }

    func testTheDraftPassesTheChecker() throws {
        var database = orgsAndUsers()
        database.functions = [DB.Function(signature: "public.set_org(bigint)", owner: "own", body: "SELECT set_config('app.org', $1::text, false)")]
        database.functions.append(DB.Function(signature: "public.impersonate(bigint, text)", owner: "own", body: "SELECT set_config('app.org', $1::text, true)"))
        let text = SpecWriter.write(try SpecInference.infer(database))
        let spec = try SpecLoader.load([("init.yaml", text)])
        XCTAssertEqual(spec.tables.count, 7)
        XCTAssertEqual(spec.legacyFunctions.map(\.signature), ["public.set_org(bigint)", "public.impersonate(bigint, text)"])
    }
}
