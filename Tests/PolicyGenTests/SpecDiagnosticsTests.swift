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
                  compression: true
            """
        let all = diagnostics(text)
        assertDiagnostic(all, line: 7, column: 5, contains: "unknown key 'isolaton' in a table; did you mean 'isolation'?")
        assertDiagnostic(all, line: 16, contains: "unknown command 'truncate'")
        assertDiagnostic(all, line: 17, column: 7, contains: "grant to unknown role 'bogus_role'")
        assertDiagnostic(all, line: 18, contains: "is 75 bytes; PostgreSQL truncates names over 63 bytes")
        assertDiagnostic(all, line: 22, contains: "duplicate table 'public.items'")
        assertDiagnostic(all, line: 22, contains: "give a 'reason'")
        assertDiagnostic(all, line: 33, column: 16, contains: "premake must be a whole number, not 'three'")
        assertDiagnostic(all, line: 36, column: 7, contains: "TimescaleDB refuses compression")
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
                  continuous_aggregates: true
            """
        let all = diagnostics(text)
        assertDiagnostic(all, line: 11, column: 7, contains: "DELETE cannot be granted on hypertable 'public.metrics'")
        assertDiagnostic(all, line: 11, contains: "tenant remove --delete-data")
        assertDiagnostic(all, line: 14, column: 7, contains: "chunk_schema 'public' must hold chunks only")
        assertDiagnostic(all, line: 15, column: 7, contains: "space_partitions must be between 1 and 1024")
        assertDiagnostic(all, line: 16, column: 7, contains: "declare the rollup as its own tenant table")
        XCTAssertEqual(all.count, 4, all.map(\.message).joined(separator: "\n"))
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
}
