@testable import Catalog
@testable import Proof
import XCTest

/// tenancy.missing_context: error: policies read `required_tenant_id(table)`, which is
/// `COALESCE(current_tenant_id(), missing_tenant_context(table))`, and the PL/pgSQL guard raises when there is
/// no context (the admin role exempt). The guard is read as `CASE WHEN <condition> THEN <error> ELSE NULL END`.
final class SolverPlpgsqlGuardTests: XCTestCase {
    /// As HelperStatements.missingContextStatements generates it.
    static let guardBody = """

        BEGIN
            IF "app"."current_tenant_id"() IS NULL AND NOT pg_catalog.pg_has_role(CURRENT_USER, 'admin', 'USAGE') THEN
                RAISE EXCEPTION 'tenantwall: no tenant context for role % on %', CURRENT_USER, relation
                    USING ERRCODE = 'TW001',
                          HINT = 'call app.set_tenant_context(tenant) in each transaction; before touching tenant tables';
            END IF;
            RETURN NULL;
        END

        """

    static func missing(_ body: String = guardBody) -> DatabaseCatalog.Function {
        SolverFixture.function("app", "missing_tenant_context", args: ["text"], signature: "relation text", language: "plpgsql", body: body)
    }

    static let required = SolverFixture.function("app", "required_tenant_id", args: ["text"], signature: "relation text",
                                                 body: " SELECT COALESCE(\"app\".\"current_tenant_id\"(), \"app\".\"missing_tenant_context\"(relation)) ")

    let policy = "tenant_id = app.required_tenant_id('public.documents'::text)"
    let unset = Predicate.expression("(app.current_tenant_id()) IS NULL")

    func side(_ guardFunction: DatabaseCatalog.Function = missing(), role: String = "app_user") -> Side {
        SolverFixture.side(role: role, memberships: role == "admin" ? ["admin"] : [], functions: [guardFunction, Self.required])
    }

    func testRequiredReaderIsTheWallAndAdmitsNothingWithoutAContext() {
        for role in ["app_user", "admin"] {
            assertEquivalent(policy, SolverFixture.wall, side(role: role))
            XCTAssertEqual(solver.entails(.expression(policy), in: side(role: role), .none, in: side(role: role), assuming: unset), .holds, role)
        }
    }

    func testGuardThatReturnsATenantWidens() throws {
        let leaky = Self.missing("BEGIN IF false THEN RAISE EXCEPTION 'never'; END IF; RETURN '00000000-0000-0000-0000-000000000007'; END")
        XCTAssertNotNil(PlpgsqlGuard.read(leaky.body ?? ""))
        let witness = assertWidens(.expression(policy), .none, side(leaky), assuming: unset)
        XCTAssertEqual(witness?.row["tenant_id"], "'00000000-0000-0000-0000-000000000007'::uuid")
    }

    func testOtherShapesAreNotRead() {
        XCTAssertNil(PlpgsqlGuard.read("DECLARE t uuid; BEGIN t := app.current_tenant_id(); RETURN t; END"))
        XCTAssertNil(PlpgsqlGuard.read("BEGIN IF x THEN RAISE NOTICE 'only a notice'; END IF; RETURN NULL; END"))
        XCTAssertNil(PlpgsqlGuard.read("BEGIN RETURN QUERY SELECT id FROM app.tenants; END"))
        // No guard: a plain PL/pgSQL reader stays a value keyed by its body (SolverWideningTests).
        XCTAssertNil(PlpgsqlGuard.read("BEGIN RETURN 1; END"))
        XCTAssertNotNil(PlpgsqlGuard.read(Self.guardBody))
    }

    func testSecurityDefinerIsNotInlined() {
        var definer = Self.missing()
        definer.securityDefiner = true
        XCTAssertNil(FunctionLookup.inlinableBody(definer))
    }
}
