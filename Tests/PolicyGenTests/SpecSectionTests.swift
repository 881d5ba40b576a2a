import Foundation
import PolicyGen
import XCTest

/// One diagnostic per section of the spec (`Sources/PolicyGen/Spec/Sections/`), each at its line and column:
/// every section's reading and checks are reached through `SpecLoader.load`, as a spec author meets them.
final class SpecSectionTests: XCTestCase {
    let roles = "roles: {owner: o, app: a, admin: adm}"

    /// Every diagnostic as `line:column message`, in the order reported.
    func diagnostics(_ files: [(String, String)]) -> [String] {
        do {
            _ = try SpecLoader.load(files)
            XCTFail("expected errors")
        } catch let errors as SpecErrors {
            return errors.diagnostics.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
        } catch { XCTFail("unexpected \(error)") }
        return []
    }

    func diagnostics(_ text: String) -> [String] { diagnostics([("s.yaml", text)]) }

    // MARK: Top level, tenancy, roles

    func testTopLevelSectionsTenancyAndRolesAreGivenOnce() {
        let all = diagnostics([("a.yaml", roles + "\ntables: [{name: t, isolation: shared, columns: {x: text}}]"), ("b.yaml", "\n" + roles)])
        XCTAssertEqual(all, ["2:1 'roles' is already given at a.yaml:1; a model has one"])
    }

    func testTenancySignedClaimMustBeAClaimPath() {
        let all = diagnostics("tenancy: {binding: signed, claim: \"a..b\"}\n\(roles)\ntables: [{name: t, isolation: shared, columns: {x: text}}]")
        XCTAssertEqual(all, ["1:1 tenancy.claim 'a..b' must be a dot-separated claim path such as 'tenant_id' or 'app_metadata.tenant_id'"])
    }

    func testTenancyChoicesSuggestTheClosestValue() {
        let all = diagnostics("tenancy: {binding: sigend}\n\(roles)\ntables: [{name: t, isolation: shared, columns: {x: text}}]")
        XCTAssertEqual(all, ["1:20 tenancy.binding must be one of context, signed, role, not 'sigend'; did you mean 'signed'?"])
    }

    func testRolesAdminMembersNeedAnAdminRole() {
        let all = diagnostics("roles: {owner: o, app: a, admin_members: [svc]}\ntables: [{name: t, isolation: shared, columns: {x: text}}]")
        XCTAssertEqual(all, ["1:42 roles.admin_members needs roles.admin: members of which role?"])
    }

    /// The keys a section offers when one is unknown, in the order of its key list (assembled from the files
    /// of each table feature, so the order is checked here).
    func testEverySectionOffersItsKeysInOrder() {
        let all = diagnostics("""
            tenancy: {zzzzzzzzzzzz: 1}
            \(roles)
            tables:
              - name: t
                isolation: tenant
                zzzzzzzzzzzz: 1
                columns: {tenant_id: uuid, at: timestamptz}
                hypertable: {time_column: at, zzzzzzzzzzzz: 1}
            """)
        XCTAssertEqual(all, [
            "1:11 unknown key 'zzzzzzzzzzzz' in tenancy (expected one of: column, type, setting, helper_schema, scope, helpers, binding, token_setting, claim, tenant_role_prefix, distribution, fan_out, missing_context, context_store)",
            "6:5 unknown key 'zzzzzzzzzzzz' in a table (expected one of: name, schema, isolation, key, reason, columns, primary_key, grants, restrict, indexes, hypertable, partitioning, distribution, audit_trail)",
            "8:35 unknown key 'zzzzzzzzzzzz' in hypertable (expected one of: time_column, chunk_interval, retention, chunk_schema, space_partitions, compression, continuous_aggregates)",
        ])
        let others = diagnostics("""
            roles: {owner: o, app: a, zzzzzzzzzzzz: 1}
            tables:
              - name: t
                isolation: tenant
                columns: {tenant_id: uuid, at: {type: timestamptz, zzzzzzzzzzzz: 1}}
                indexes: [{columns: [at], zzzzzzzzzzzz: 1}]
                partitioning: {column: at, zzzzzzzzzzzz: 1}
            legacy_functions: [{function: public.f(uuid), action: keep, zzzzzzzzzzzz: 1}]
            rollups: [{name: r, source: t, aggregates: {n: count(*)}, zzzzzzzzzzzz: 1}]
            """).filter { $0.contains("zzzzzzzzzzzz") }
        XCTAssertEqual(others.map { String($0.drop { $0 != " " }.dropFirst()) }, [
            "unknown key 'zzzzzzzzzzzz' in roles (expected one of: owner, app, admin, admin_members, readonly, create, owner_access)",
            "unknown key 'zzzzzzzzzzzz' in column 'at' (expected one of: type, not_null, default)",
            "unknown key 'zzzzzzzzzzzz' in an index (expected one of: name, columns, include, unique, where)",
            "unknown key 'zzzzzzzzzzzz' in partitioning (expected one of: column, interval, premake, manager)",
            "unknown key 'zzzzzzzzzzzz' in a legacy function (expected one of: function, action)",
            "unknown key 'zzzzzzzzzzzz' in a rollup (expected one of: name, schema, source, group_by, aggregates)",
        ])
    }

    // MARK: Legacy functions, rollups

    func testLegacyFunctionsAreNamedOnceAndNeedAnAction() {
        let all = diagnostics("""
            \(roles)
            tables: [{name: t, isolation: shared, columns: {x: text}}]
            legacy_functions:
              - {function: public.f(uuid), action: revoke}
              - {function: public.f(uuid), action: keep}
              - {function: public.g(uuid)}
            """)
        XCTAssertEqual(all, ["5:5 legacy function 'public.f(uuid)' is named twice",
                             "6:5 legacy function 'public.g(uuid)' needs an 'action' (one of: replace, revoke, keep)"])
    }

    func testRollupsHaveOneNameEach() {
        let all = diagnostics("""
            roles: {owner: o, app: a, admin: adm, owner_access: all}
            tables: [{name: events, isolation: tenant, columns: {tenant_id: uuid, kind: text}}]
            rollups:
              - {name: r, source: events, aggregates: {n: count(*)}}
              - {name: r, source: events, aggregates: {n: count(*)}}
            """)
        XCTAssertEqual(all, ["5:6 rollup 'r': another rollup has this name (at s.yaml:4); each has a materialized view of that name in tenantwall_rollups"])
    }

    // MARK: Tables and their features

    /// A table of tenant rows (lines 3 to 5), then `extra` lines added to it.
    func tenantTable(_ extra: String, tenancy: String = "") -> String {
        tenancy + roles + "\ntables:\n  - name: t\n    isolation: tenant\n    columns: {tenant_id: uuid, id: bigint, at: timestamptz, s: text}\n" + extra
    }

    func testTablesNeedANameAndColumns() {
        let all = diagnostics("\(roles)\ntables:\n  - {isolation: shared, columns: {x: text}}\n  - {name: t, isolation: shared}")
        XCTAssertEqual(all, ["3:5 a table needs a 'name'", "4:5 table 'public.t' declares no columns"])
    }

    func testColumnsOfAnUnknownTypeAreRefused() {
        let all = diagnostics(tenantTable("    primary_key: [tenant_id, id]\n").replacingOccurrences(of: "s: text", with: "s: blob"))
        XCTAssertEqual(all.count, 1, "\(all)")
        XCTAssertTrue(all.first?.hasPrefix("5:61 column 's' has unsupported type 'blob' (supported: ") == true, "\(all)")
    }

    func testGrantsToTheOwnerAreRefusedAtTheRole() {
        XCTAssertEqual(diagnostics(tenantTable("    grants: {o: [select]}\n")), ["6:14 grants to the owner 'o' are not needed: it owns the table"])
    }

    func testRestrictMustBeOneCondition() {
        let all = diagnostics(tenantTable("    restrict: \"true); DROP TABLE t; --\"\n"))
        XCTAssertEqual(all.count, 1, "\(all)")
        XCTAssertTrue(all.first?.hasPrefix("3:5 restrict predicate of 'public.t': ") == true, "\(all)")
    }

    func testIndexesAreNamedOnce() {
        let all = diagnostics(tenantTable("    indexes:\n      - {name: by_at, columns: [tenant_id, at]}\n      - {name: by_at, columns: [tenant_id, s]}\n"))
        XCTAssertEqual(all, ["8:9 duplicate index name 'by_at'"])
    }

    func testTableDistributionNeedsACitusTenancy() {
        XCTAssertEqual(diagnostics(tenantTable("    distribution: local\n")), ["3:5 'distribution: local' on 'public.t' needs tenancy.distribution: citus"])
    }

    func testTenantTablesKeepUniqueIndexesPerTenant() {
        XCTAssertEqual(diagnostics(tenantTable("    indexes: [{columns: [id], unique: true}]\n")),
                       ["6:15 a unique index on a tenant table must include 'tenant_id': a global unique key bypasses RLS and tells one tenant that another's key exists"])
    }

    func testTenantsTableLeavesDeleteToTheAdminAndOwnsKey() {
        let all = diagnostics("""
            \(roles)
            tables:
              - name: tenants
                isolation: self
                columns: {id: uuid, name: text}
                grants: {a: [select, insert, update, delete]}
              - name: plans
                isolation: shared
                key: code
                columns: {code: text}
            """)
        XCTAssertEqual(all, ["6:14 'public.tenants' is self: only the admin role may write to it (in admin mode), apart from INSERT and UPDATE of its own row",
                             "7:5 'key' applies only to isolation 'self'"])
    }

    func testSharedTablesAreWrittenByTheAdminOnly() {
        let all = diagnostics("\(roles)\ntables:\n  - {name: plans, isolation: shared, columns: {code: text}, grants: {a: [select, insert]}}")
        XCTAssertEqual(all, ["3:70 'public.plans' is shared: only the admin role may write to it (in admin mode)"])
    }

    func testExemptTablesTakeNoRestrict() {
        let all = diagnostics("\(roles)\ntables:\n  - {name: log, isolation: exempt, reason: audit trail, restrict: \"x > 0\", columns: {x: integer}}")
        XCTAssertEqual(all, ["3:5 an exempt table has no RLS, so 'restrict' would never apply"])
    }

    // MARK: Time series and derived objects

    func testHypertableTimeColumnIsATime() {
        XCTAssertEqual(diagnostics(tenantTable("    hypertable: {time_column: s}\n")), ["6:17 time_column 's' must be a date or timestamp column"])
    }

    /// `compression` and `continuous_aggregates` may be written switched off (the RLS form stays); a boolean is
    /// all `compression` takes besides its mapping.
    func testHypertableDerivedObjectsMayBeSwitchedOff() throws {
        let off = try SpecLoader.load([("s.yaml", tenantTable("    hypertable: {time_column: at, compression: false, continuous_aggregates: []}\n"))])
        XCTAssertFalse(off.tables[0].isWalled)
        _ = try SpecLoader.load([("s.yaml", tenantTable("    hypertable: {time_column: at, continuous_aggregates: false}\n"))])
        XCTAssertEqual(diagnostics(tenantTable("    hypertable: {time_column: at, compression: maybe}\n")),
                       ["6:48 compression must be true or false, not 'maybe'"])
    }

    /// Compression or an aggregate makes the table walled: its rows live in `<helper_schema>_walled`, under its
    /// own name, and the defaults are the tenant column for segments and the time column, newest first.
    func testCompressionMakesTheHypertableWalled() throws {
        let spec = try SpecLoader.load([("s.yaml", tenantTable("    hypertable: {time_column: at, compression: true}\n"))])
        let table = spec.tables[0]
        XCTAssertTrue(table.isWalled)
        XCTAssertEqual(table.storage(tenancy: spec.tenancy).schema, spec.tenancy.helperSchema + "_walled")
        XCTAssertEqual(table.storage(tenancy: spec.tenancy).name, table.name)
        let compression = try XCTUnwrap(table.hypertable?.compression)
        XCTAssertEqual(compression.after, "7 days")
        XCTAssertEqual(compression.segmentColumns(tenantColumn: "tenant_id"), ["tenant_id"])
        XCTAssertEqual(compression.orderClause(timeColumn: "at"), "at DESC")
    }

    func testCompressionAndAggregateMistakesNameTheirKey() {
        let compression = "    hypertable: {time_column: at, compression: {after: 7 days, segment_by: [s], order_by: at sideways}}\n"
        XCTAssertEqual(diagnostics(tenantTable(compression)).map { String($0.drop { $0 != " " }.dropFirst()) }, [
            "compression.segment_by must include the tenant column 'tenant_id': a segment then holds one tenant's rows, so a tenant's query reads no other tenant's compressed data",
            "compression.order_by 'at sideways' must be a column with an optional ASC or DESC and NULLS FIRST or LAST",
        ])
        let aggregate = "    hypertable:\n      time_column: at\n      continuous_aggregates:\n        - {name: daily, bucket: 1 day, refresh: {start_offset: 1 day, end_offset: 1 hour}, group_by: [nope], aggregates: {n: count(*), tenant_id: max(s)}}\n"
        XCTAssertEqual(diagnostics(tenantTable(aggregate)).map { String($0.drop { $0 != " " }.dropFirst()) }, [
            "continuous aggregate 'daily': the refresh window (start_offset - end_offset) must cover at least two buckets of 1 day, as TimescaleDB requires",
            "continuous aggregate 'daily': group_by 'nope' names column 'nope', which 'public.t' does not have",
            "continuous aggregate 'daily': 'tenant_id' is the tenant column, always the first key: do not list it",
        ])
    }

    func testPartitioningByPgPartmanTakesItsIntervals() {
        XCTAssertEqual(diagnostics(tenantTable("    partitioning: {column: at, interval: 2 days, manager: pg_partman}\n")),
                       ["6:19 pg_partman supports intervals of 1 hour, day, week, month, quarter or year; '2 days' is not one"])
    }
}
