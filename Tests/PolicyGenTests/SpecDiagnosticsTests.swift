import Foundation
import PolicyGen
import XCTest

/// Bad specs report every error at once, each at its file, line and column.
final class SpecDiagnosticsTests: XCTestCase {
    let roles = """
        roles:
          owner: o
          app: a
          admin: adm
        """

    func diagnostics(_ text: String, file: String = "bad.yaml") -> [Diagnostic] {
        do {
            _ = try SpecLoader.load([(file, text)])
            XCTFail("expected errors")
            return []
        } catch let errors as SpecErrors {
            return errors.diagnostics
        } catch {
            XCTFail("unexpected \(error)")
            return []
        }
    }

    func assertDiagnostic(_ all: [Diagnostic], line: Int, column: Int? = nil, contains text: String, file: StaticString = #filePath, at testLine: UInt = #line) {
        let match = all.first { $0.location?.line == line && (column == nil || $0.location?.column == column) && $0.message.contains(text) }
        XCTAssertNotNil(match, "no diagnostic at line \(line) containing '\(text)'; got:\n" + all.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.message)" }.joined(separator: "\n"), file: file, line: testLine)
    }

    func testEveryErrorIsReportedWithItsLocation() {
        let text = roles + """

            tables:
              - name: orders
                isolaton: tenant
                columns:
                  id: uuid
              - name: items
                isolation: tenant
                columns:
                  tenant_id: uuid
                  id: uuid
                grants:
                  a: [select, truncate]
                  bogus_role: [select]
              - name: this_table_name_is_far_too_long_for_postgresql_identifiers_which_stop_at_63
                isolation: shared
                columns:
                  code: text
              - name: items
                isolation: exempt
                columns:
                  x: text
              - name: metrics
                isolation: tenant
                columns:
                  tenant_id: uuid
                  time: timestamptz
                partitioning:
                  column: time
                  premake: three
                hypertable:
                  time_column: time
                  compression: {after: soon}
            """
        let all = diagnostics(text)
        assertDiagnostic(all, line: 7, column: 5, contains: "unknown key 'isolaton' in a table; did you mean 'isolation'?")
        assertDiagnostic(all, line: 16, contains: "unknown command 'truncate'")
        assertDiagnostic(all, line: 17, column: 7, contains: "grant to unknown role 'bogus_role'")
        assertDiagnostic(all, line: 18, contains: "is 75 bytes; PostgreSQL truncates names over 63 bytes")
        assertDiagnostic(all, line: 22, contains: "duplicate table 'public.items'")
        assertDiagnostic(all, line: 22, contains: "give a 'reason'")
        assertDiagnostic(all, line: 33, column: 16, contains: "premake must be a whole number, not 'three'")
        assertDiagnostic(all, line: 36, contains: "compression.after 'soon' must look like '1 day'")
        XCTAssertTrue(all.contains { $0.message.contains("choose one") }, "hypertable and partitioning together")
    }

    func testHypertableRulesNameTheLineAndWhatToDoInstead() {
        let text = roles + """

            tables:
              - name: metrics
                isolation: tenant
                columns: {tenant_id: uuid, at: timestamptz, v: integer}
                primary_key: [tenant_id, at]
                grants:
                  a: [select, insert, delete]
                hypertable:
                  time_column: at
                  chunk_schema: public
                  space_partitions: 0
            """
        let all = diagnostics(text)
        assertDiagnostic(all, line: 11, column: 7, contains: "DELETE cannot be granted on hypertable 'public.metrics'")
        assertDiagnostic(all, line: 11, contains: "tenant remove --delete-data")
        assertDiagnostic(all, line: 14, column: 7, contains: "chunk_schema 'public' must hold chunks only")
        assertDiagnostic(all, line: 15, column: 7, contains: "space_partitions must be between 1 and 1024")
        XCTAssertEqual(all.count, 3, all.map(\.message).joined(separator: "\n"))
    }

    /// What `check` accepts must apply: literals are checked against their column's type, control characters
    /// refused, expressions parsed and their columns resolved, reserved schema names refused. (Each of these was
    /// once accepted by check and failed at apply; the spec fuzz test keeps looking for more.)
    func testValuesAndExpressionsThatWouldFailAtApplyAreRefusedWhereTheyAreWritten() {
        let text = """
            tenancy: {helper_schema: "$$"}
            roles: {owner: o, app: a, admin: adm}
            tables:
              - name: t
                schema: pg_things
                isolation: tenant
                columns:
                  tenant_id: uuid
                  n: {type: bigint, default: ""}
                  at: {type: timestamptz, default: 1e309}
                  s: {type: text, default: "a\\x00b"}
                  small: {type: smallint, default: 40000}
                  ok: {type: integer, default: 5}
                  id: {type: uuid, default: not-a-uuid}
                  when: {type: date, default: tomorrow-ish}
                  doc: {type: jsonb, default: "{oops"}
                  empty: ""
                restrict: "x > 0 and n > 0"
                indexes:
                  - columns: [n]
                    where: "n + 1"
            """
        let all = diagnostics(text)
        assertDiagnostic(all, line: 1, contains: "tenancy.helper_schema must not contain '$'")
        assertDiagnostic(all, line: 4, contains: "schema 'pg_things' starts with 'pg_'")
        assertDiagnostic(all, line: 9, column: 7, contains: "default of column 'n': '' is not a whole number, as bigint needs")
        assertDiagnostic(all, line: 10, column: 7, contains: "default of column 'at': a number is not a timestamptz")
        assertDiagnostic(all, line: 11, column: 7, contains: "control character (U+0000)")
        assertDiagnostic(all, line: 12, column: 7, contains: "40000 is out of range for smallint")
        assertDiagnostic(all, line: 14, column: 7, contains: "'not-a-uuid' is not a uuid")
        assertDiagnostic(all, line: 15, column: 7, contains: "'tomorrow-ish' is not a date")
        assertDiagnostic(all, line: 16, column: 7, contains: "'{oops' is not valid JSON")
        assertDiagnostic(all, line: 17, column: 7, contains: "column 'empty' needs a type")
        assertDiagnostic(all, line: 18, column: 5, contains: "restrict predicate of 'pg_things.t' names column 'x', which 'pg_things.t' does not have")
        assertDiagnostic(all, line: 20, contains: "index predicate must be a condition (true or false for a row): 'n + 1' is arithmetic (+)")
        XCTAssertFalse(all.contains { $0.message.contains("column 'ok'") }, "a valid default is accepted")
        XCTAssertEqual(all.count, 12, all.map(\.message).joined(separator: "\n"))
    }

    /// YAML that would make the checker burn CPU or print pages is stopped at the text: an alias as a mapping
    /// key (a 9×9 alias bomb there took minutes), too many aliases, and source lines echoed whole. What shows
    /// the work is bounded is that the refusal comes before the YAML is composed, not a time measured here.
    func testYAMLThatBurnsCPUIsRefusedBeforeParsing() {
        var bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for i in 1...9 { bomb.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]") }
        bomb += ["tables:", "  - name: t", "    ? *a9", "    : x"]
        let all = diagnostics(bomb.joined(separator: "\n"))
        // Refused at the text, before the YAML is composed: the alias is never expanded. Composing the file
        // would also report its unknown top-level keys (a0 … a9), so the one diagnostic proves no parse ran.
        XCTAssertEqual(all.map(\.message), ["an alias (*a9) cannot be a mapping key in a spec"])
        assertDiagnostic(all, line: 13, column: 7, contains: "an alias (*a9) cannot be a mapping key in a spec")
        let many = "roles: {owner: o, app: a, admin: d}\nx: &x 1\ny: [" + Array(repeating: "*x", count: 300).joined(separator: ", ") + "]\n"
        let tooMany = diagnostics(many)
        assertDiagnostic(tooMany, line: 3, contains: "more than 200 aliases")
        XCTAssertEqual(tooMany.count, 1, "refused before parsing (a parse would report the unknown keys x and y): \(tooMany.map(\.message))")
        let deep = "roles: {owner: o, app: a, admin: d}\nx: " + String(repeating: "[", count: 100_000) + "\n"
        let rendered = diagnostics(deep).map { $0.rendered(sources: ["bad.yaml": deep]) }.joined()
        XCTAssertLessThan(rendered.utf8.count, 1_000, "the echoed line is cut to a readable width: \(rendered.utf8.count) bytes")
    }

    func testHypertableDefaultsLeaveOutDeleteAndUseTheChunkSchema() throws {
        let spec = try SpecLoader.load([("ok.yaml", roles + """

            tables:
              - name: metrics
                isolation: tenant
                columns: {tenant_id: uuid, at: timestamptz}
                hypertable: {time_column: at, space_partitions: 4}
            """)])
        XCTAssertEqual(spec.tables[0].grants.map { "\($0.role): \($0.commands.map(\.sql).joined(separator: ","))" },
                       ["a: SELECT,INSERT,UPDATE", "adm: SELECT,INSERT,UPDATE"])
        let sql = Generator(spec: spec).script()
        XCTAssertTrue(sql.contains("partitioning_column => 'tenant_id', number_partitions => 4"), sql)
        XCTAssertTrue(sql.contains("associated_schema_name => 'tenantwall_chunks'"), sql)
        XCTAssertTrue(sql.contains("GRANT SELECT (\"tenant_id\", \"at\"), INSERT (\"tenant_id\", \"at\"), UPDATE (\"tenant_id\", \"at\") ON TABLE \"public\".\"metrics\" TO \"a\""), sql)
        XCTAssertTrue(sql.contains("CREATE ROLE %I LOGIN CONNECTION LIMIT 0 NOBYPASSRLS', 'o'"), sql)
    }

    func testTableWithoutTenantColumnAndWrongTypes() {
        let text = """
            tenancy:
              type: bigint
            """ + "\n" + roles + """

            tables:
              - name: orders
                isolation: tenant
                columns:
                  id: bigint
              - name: lines
                isolation: tenant
                columns:
                  tenant_id: uuid
              - name: notes
                isolation: tenant
                columns: [tenant_id]
            """
        let all = diagnostics(text)
        assertDiagnostic(all, line: 8, contains: "has isolation 'tenant' but no tenant column 'tenant_id'")
        assertDiagnostic(all, line: 15, contains: "is 'uuid', but tenancy.type is 'bigint'")
        assertDiagnostic(all, line: 18, column: 14, contains: "columns must be a mapping")
    }

    func testInvalidYAMLPointsAtTheProblem() {
        let all = diagnostics("tables:\n  - name: [unclosed\n")
        XCTAssertEqual(all.count, 1)
        XCTAssertTrue(all[0].message.hasPrefix("invalid YAML"), all[0].message)
        XCTAssertEqual(all[0].location?.file, "bad.yaml")
        XCTAssertGreaterThanOrEqual(all[0].location?.line ?? 0, 2)
    }

    func testRenderedDiagnosticShowsTheLineAndACaret() throws {
        let text = roles + "\ntables:\n  - name: t\n    isolation: tennant\n    columns: {tenant_id: uuid}\n"
        do {
            _ = try SpecLoader.load([("policies/x.yaml", text)])
            XCTFail("expected an error")
        } catch let errors as SpecErrors {
            XCTAssertEqual(errors.description, """
                policies/x.yaml:7:16: error: isolation must be one of tenant, shared, self, exempt, not 'tennant'; did you mean 'tenant'?
                        isolation: tennant
                                   ^
                """)
        }
    }

    func testRolesThatWouldBypassIsolationAreRefused() {
        let text = "roles:\n  owner: o\n  app: o\n  admin: adm\ntables:\n  - name: t\n    isolation: shared\n    columns: {x: text}\n"
        assertDiagnostic(diagnostics(text), line: 3, contains: "the application role must not be the owner")
    }

    func testSpecSplitAcrossFilesKeepsEachFilesLocations() {
        do {
            _ = try SpecLoader.load([("a.yaml", roles), ("b.yaml", "tables:\n  - name: t\n    isolation: tenant\n    columns: {id: uuid}\n"), ("c.yaml", roles)])
            XCTFail("expected errors")
        } catch let errors as SpecErrors {
            let files = Set(errors.diagnostics.compactMap { $0.location?.file })
            XCTAssertEqual(files, ["b.yaml", "c.yaml"], errors.description)
        } catch { XCTFail("\(error)") }
    }

    func testUnsafeExpressionsAreRefused() {
        XCTAssertNotNil(ExpressionCheck.problem(in: "true); DROP TABLE t; --"))
        XCTAssertNotNil(ExpressionCheck.problem(in: "status = 'a"))
        XCTAssertNotNil(ExpressionCheck.problem(in: "x = $$a$$"))
        XCTAssertNil(ExpressionCheck.problem(in: "status <> 'it''s; fine'"))
    }

    /// Citus and the native signed binding: what this version cannot prove is refused where it is written.
    func testCitusAndNativeSignedLimitsAreRefusedWithTheReason() {
        let citus = diagnostics("""
            tenancy: {distribution: citus, helpers: inline}
            \(roles)
            tables:
              - name: items
                isolation: tenant
                columns: {tenant_id: uuid, id: bigint}
                primary_key: [id]
                distribution: reference
              - name: prices
                isolation: shared
                columns: {id: bigint}
                distribution: distributed
            """).map(\.message)
        XCTAssertTrue(citus.contains { $0.contains("primary key of 'public.items' must contain the distribution column") } == false, "a reference table needs no distribution column")
        XCTAssertTrue(citus.contains { $0.contains("a reference table would copy every tenant's rows to every node") }, "\(citus)")
        XCTAssertTrue(citus.contains { $0.contains("has no tenant column to distribute by") }, "\(citus)")
        let keyed = diagnostics("""
            tenancy: {distribution: citus, helpers: inline}
            \(roles)
            tables:
              - name: items
                isolation: tenant
                columns: {tenant_id: uuid, id: bigint}
                primary_key: [id]
            """).map(\.message)
        XCTAssertTrue(keyed.contains { $0.contains("primary key of 'public.items' must contain the distribution column 'tenant_id'") }, "\(keyed)")
        XCTAssertTrue(diagnostics("tenancy: {distribution: citus, binding: role}\n\(roles)\ntables: []").map(\.message).contains { $0.contains("supports the context binding") })
        let timeSeries = diagnostics("""
            tenancy: {distribution: citus, type: bigint}
            \(roles)
            tables:
              - name: metrics
                isolation: tenant
                columns: {tenant_id: bigint, at: timestamptz}
                primary_key: [tenant_id, at]
                hypertable: {time_column: at}
              - name: events
                isolation: tenant
                columns: {tenant_id: bigint, at: timestamptz}
                primary_key: [tenant_id, at]
                partitioning: {column: at, interval: 1 month, manager: pg_partman}
              - name: logs
                isolation: tenant
                columns: {tenant_id: bigint, at: timestamptz}
                primary_key: [tenant_id, at]
                partitioning: {column: at, interval: 1 month}
            """)
        assertDiagnostic(timeSeries, line: 7, contains: "cannot also be a hypertable")
        XCTAssertFalse(timeSeries.contains { $0.message.contains("public.logs") || $0.message.contains("public.events") },
                       "partitions of a distributed table, native or pg_partman, are accepted: \(timeSeries.map(\.message))")
        assertDiagnostic(diagnostics("tenancy: {fan_out: error}\n\(roles)\ntables: []"), line: 1, contains: "tenancy.fan_out: error needs tenancy.distribution: citus")
        assertDiagnostic(diagnostics("tenancy: {distribution: citus, fan_out: refuse}\n\(roles)\ntables: []"), line: 1, contains: "tenancy.fan_out")
        let signed = diagnostics("tenancy: {binding: signed, helpers: extension, scope: session}\n\(roles)\ntables: []").map(\.message)
        XCTAssertTrue(signed.contains { $0.contains("scope: session with the signed binding needs helpers: inline") }, "\(signed)")
    }

    /// `fan_out` is the Citus setter's last line, for the transaction it binds; `allow` writes nothing.
    func testFanOutGuardIsSetBySetterOnCitus() throws {
        func setter(_ fanOut: String) throws -> String {
            let spec = try SpecLoader.load([("s.yaml", """
                tenancy: {distribution: citus, type: bigint, fan_out: \(fanOut)}
                \(roles)
                tables:
                  - {name: items, isolation: tenant, columns: {tenant_id: bigint, id: bigint}, primary_key: [tenant_id, id]}
                """)])
            return try XCTUnwrap(Generator(spec: spec).sections().flatMap(\.statements).first { $0.sql.contains("\"set_tenant_context\"(tenant bigint)") }?.sql)
        }
        let refusing = try setter("error")
        XCTAssertTrue(refusing.contains("SET LOCAL citus.multi_task_query_log_level = 'error';\nEND"), refusing)
        XCTAssertTrue(try setter("warning").contains("SET LOCAL citus.multi_task_query_log_level = 'warning';"))
        XCTAssertFalse(try setter("allow").contains("multi_task_query_log_level"))
    }

    /// `context_store: backend` generates a setter that holds the tenant (typed, text included) and a clear that
    /// releases it; it needs the extension, the context binding, a transaction scope and one server, each refusal
    /// saying why at the section's line.
    func testHeldContextStoreGeneratesTheHoldingSetterAndIsRefusedWhereItCannotHold() throws {
        func helpers(_ type: String) throws -> [String] {
            let spec = try SpecLoader.load([("s.yaml", """
                tenancy: {helpers: extension, context_store: backend, type: \(type)}
                \(roles)
                tables:
                  - {name: items, isolation: tenant, columns: {tenant_id: \(type), id: bigint}, primary_key: [tenant_id, id]}
                """)])
            return Generator(spec: spec).sections().flatMap(\.statements).map(\.sql)
        }
        let uuid = try helpers("uuid")
        let setter = try XCTUnwrap(uuid.first { $0.contains("\"set_tenant_context\"(tenant uuid)") })
        XCTAssertTrue(setter.contains("SELECT \"tenantwall\".\"hold_context_uuid\"('app.current_tenant_id', tenant)"), setter)
        let clear = try XCTUnwrap(uuid.first { $0.contains("\"clear_tenant_context\"()") })
        XCTAssertTrue(clear.contains("\"tenantwall\".\"release_context\"('app.current_tenant_id')"), clear)
        XCTAssertFalse(clear.contains("set_config"), clear)
        XCTAssertTrue(try helpers("text").contains { $0.contains("\"hold_context\"('app.current_tenant_id', tenant)") })
        XCTAssertTrue(try helpers("bigint").contains { $0.contains("\"hold_context_bigint\"('app.current_tenant_id', tenant)") })
        for (tenancy, message) in [
            ("{context_store: backend}", "tenancy.context_store: backend needs helpers: extension"),
            ("{context_store: backend, helpers: extension, binding: signed}", "tenancy.context_store: backend applies to the context binding"),
            ("{context_store: backend, helpers: extension, scope: session}", "scope must be transaction"),
            ("{context_store: backend, helpers: extension, distribution: citus}", "is not for tenancy.distribution: citus"),
            ("{context_store: memory, helpers: extension}", "tenancy.context_store"),
        ] {
            assertDiagnostic(diagnostics("tenancy: \(tenancy)\n\(roles)\ntables: []"), line: 1, contains: message)
        }
    }

    /// `missing_context: error` is accepted on Citus, and its raising function asks for the context itself (the
    /// coordinator evaluates it alone, outside the reader's COALESCE); with `binding: role` it is refused, saying why.
    func testMissingContextOnCitusAndWithTheRoleBinding() throws {
        let spec = try SpecLoader.load([("s.yaml", """
            tenancy: {distribution: citus, type: bigint, missing_context: error}
            \(roles)
            tables:
              - {name: items, isolation: tenant, columns: {tenant_id: bigint, id: bigint}, primary_key: [tenant_id, id]}
            """)])
        let sql = Generator(spec: spec).sections().flatMap(\.statements).map(\.sql)
        let raising = try XCTUnwrap(sql.first { $0.contains("\"missing_tenant_context\"(relation text)") })
        XCTAssertTrue(raising.contains("IF \"tenantwall\".\"current_tenant_id\"() IS NULL AND NOT pg_catalog.pg_has_role(CURRENT_USER, 'adm', 'USAGE') THEN"), raising)
        XCTAssertTrue(sql.contains { $0.contains("\"tenant_id\" = \"tenantwall\".\"required_tenant_id\"('public.items')") }, "the policy calls the reader directly (no sub-select on Citus)")
        assertDiagnostic(diagnostics("tenancy: {binding: role, missing_context: error}\n\(roles)\ntables: []"), line: 1,
                         contains: "not to binding: role: there the login role is the tenant, so every session has one")
    }
}
