import Audit
import Foundation
import XCTest

/// What the solver finds in a table's effective predicate that the pattern rules missed (issue #31): a
/// restrictive policy that is the only tenant boundary (TW106, TW108 on it), a negated fail-open (TW108), a
/// WITH CHECK that names a column but drops the tenant (TW107), a pattern match against the context (TW138),
/// and tables isolated by another column. Each finding quotes a context and a row.
final class SemanticRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW106", "TW107", "TW108", "TW138"]
    static let path = #filePath

    /// The context as `pg_get_expr` prints a hand-written `tenant_id = NULLIF(current_setting(…), '')::integer`.
    static let context = "(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::integer)"

    /// `public.posts` (typed columns, RLS forced, `app` holds every command) with the given policies
    /// (name, command, USING, WITH CHECK, permissive).
    static func posts(_ policies: [(String, String, String?, String?, Bool)], table: String = "public.posts") -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        b.table(table, columns: ["tenant_id", "id", "is_published", "status"], rls: true, forced: true,
                grants: ["app:SELECT", "app:INSERT", "app:UPDATE", "app:DELETE"], types: ["integer", "integer", "boolean", "text"],
                notNull: ["tenant_id", "id"])
        for (name, command, using, check, permissive) in policies {
            b.policy(table, name, roles: ["app"], command: command, using: using, check: check, permissive: permissive)
        }
        return b
    }

    func input(_ b: CatalogBuilder, tenantColumns: [String: String] = [:]) -> AuditInput {
        AuditInput(catalog: b.build(), appRoles: ["app"], tenantColumns: tenantColumns)
    }

    /// Blind spot (a): the restrictive policy is the only boundary, and it is `… OR true`.
    func testRestrictiveBoundaryThatIsAlwaysTrue() {
        let b = Self.posts([("published", "r", "is_published", nil, true), ("wall", "*", "(\(Self.context) OR true)", nil, false)])
        let found = assertFindings(PolicyAlwaysTrue(), input(b), ["policy public.posts.wall"])
        XCTAssertTrue(found.first?.message.contains("restrictive policy wall on public.posts admits another tenant's row (app SELECT USING)") == true, found.first?.message ?? "")
        XCTAssertTrue(found.first?.message.contains("context app.tenant_id='") == true && found.first?.message.contains("; row tenant_id=") == true, found.first?.message ?? "")
        assertFindings(EffectivePredicateCrossesTenants(), input(b), [], "the finding is TW106's, not a second one")
        // The same restrictive wall without `OR true` holds: nothing to report.
        let sound = Self.posts([("published", "r", "is_published", nil, true), ("wall", "*", Self.context, nil, false)])
        for rule in [PolicyAlwaysTrue(), FailOpenNull(), EffectivePredicateCrossesTenants()] as [any AuditRule] { assertFindings(rule, input(sound), []) }
    }

    /// A pattern finding quotes the solver's witness for its policy; without one (the solver cannot read the
    /// columns' types) the message is the pattern's alone.
    func testPatternFindingsQuoteTheWitness() {
        let b = Self.posts([("p", "*", "(\(Self.context) OR true)", nil, true)])
        let found = assertFindings(PolicyAlwaysTrue(), input(b), ["policy public.posts.p"])
        XCTAssertTrue(found.first?.message.hasPrefix("policy p on public.posts: USING is always true") == true, found.first?.message ?? "")
        XCTAssertTrue(found.first?.message.contains("(witness: context app.tenant_id='") == true, found.first?.message ?? "")
        let open = Self.posts([("p", "*", "((current_setting('app.tenant_id'::text, true) IS NULL) OR \(Self.context))", nil, true)])
        let failOpen = assertFindings(FailOpenNull(), input(open), ["policy public.posts.p"])
        XCTAssertTrue(failOpen.first?.message.contains("(witness: context app.tenant_id unset; row tenant_id=") == true, failOpen.first?.message ?? "")
    }

    /// Blind spot (a), the other form: the restrictive boundary admits rows when the context is missing.
    func testRestrictiveBoundaryThatFailsOpen() {
        let open = "((NULLIF(current_setting('app.tenant_id'::text, true), ''::text) IS NULL) OR \(Self.context))"
        let b = Self.posts([("published", "r", "is_published", nil, true), ("wall", "*", open, nil, false)])
        let found = assertFindings(FailOpenNull(), input(b), ["policy public.posts.wall"])
        XCTAssertTrue(found.first?.message.contains("admits rows with no tenant in the session") == true, found.first?.message ?? "")
        XCTAssertTrue(found.first?.message.contains("app.tenant_id unset") == true || found.first?.message.contains("app.tenant_id=''") == true, found.first?.message ?? "")
        assertFindings(EffectivePredicateCrossesTenants(), input(b), [], "with a tenant set it holds")
    }

    /// Blind spot (b): `NOT (x IS NOT NULL) OR …` is the same fail-open as `x IS NULL OR …`.
    func testNegatedFailOpen() {
        let negated = "((NOT (current_setting('app.tenant_id'::text, true) IS NOT NULL)) OR \(Self.context))"
        assertFindings(FailOpenNull(), input(Self.posts([("p", "*", negated, nil, true)])), ["policy public.posts.p"])
        // A COALESCE that falls back to the row's own tenant fails open too, with no IS NULL to match.
        let coalesce = "(tenant_id = COALESCE((NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::integer, tenant_id))"
        assertFindings(FailOpenNull(), input(Self.posts([("p", "*", coalesce, nil, true)])), ["policy public.posts.p"])
        // Operand order, `AND true` and a double negation change nothing: no finding.
        for sound in ["((NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::integer = tenant_id)", "(\(Self.context) AND true)",
                      "(NOT (NOT \(Self.context)))"] {
            for rule in [PolicyAlwaysTrue(), FailOpenNull(), WriteCheckDropsScope(), EffectivePredicateCrossesTenants()] as [any AuditRule] {
                assertFindings(rule, input(Self.posts([("p", "*", sound, nil, true)])), [], sound)
            }
        }
    }

    /// Blind spot (c): a WITH CHECK that names a column but not the tenant lets a tenant write another's rows.
    func testWriteCheckWithoutTheTenant() {
        let b = Self.posts([("p", "*", Self.context, "(status <> 'x'::text)", true)])
        let found = assertFindings(WriteCheckDropsScope(), input(b), ["policy public.posts.p"])
        XCTAssertTrue(found.first?.message.contains("app INSERT WITH CHECK") == true, found.first?.message ?? "")
        assertFindings(WriteCheckDropsScope(), input(Self.posts([("p", "*", Self.context, "(\(Self.context) AND (status <> 'x'::text))", true)])), [])
    }

    /// Blind spot (d): matching the tenant column against the context by pattern admits every tenant whose id
    /// starts the same way (`1` matches `10`).
    func testPatternMatchAgainstTheContext() {
        let like = "((tenant_id)::text ~~ (current_setting('app.tenant_id'::text, true) || '%'::text))"
        let found = assertFindings(EffectivePredicateCrossesTenants(), input(Self.posts([("p", "*", like, nil, true)])), ["policy public.posts.p"])
        XCTAssertTrue(found.first?.message.contains("context app.tenant_id='") == true, found.first?.message ?? "")
        // `|| '%'` builds a pattern: it is no switch compared with a constant (TW124 said so before).
        assertFindings(ForgeableSetting(), input(Self.posts([("p", "*", like, nil, true)])), [])
        // Exact LIKE (no wildcard) against the text of the context is the wall.
        let exact = "((tenant_id)::text = current_setting('app.tenant_id'::text, true))"
        assertFindings(EffectivePredicateCrossesTenants(), input(Self.posts([("p", "*", exact, nil, true)])), [])
    }

    /// An SQL function in the policy is inlined: a helper that reads the context is the wall; one whose body
    /// widens is judged by its body.
    func testSQLFunctionsAreInlined() {
        var b = Self.posts([("p", "*", "(tenant_id = app.current_tenant())", nil, true), ("q", "r", "(tenant_id = app.any_tenant(tenant_id))", nil, true)])
        b.function("app.current_tenant", volatility: "s", body: "SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer")
        b.function("app.any_tenant", signature: "t integer", volatility: "s", body: "SELECT $1")
        b.policy("public.posts", "r", roles: ["app"], command: "d", using: "(tenant_id = ( SELECT app.plpgsql_tenant() AS plpgsql_tenant))")
        b.function("app.plpgsql_tenant", volatility: "s", body: "BEGIN RETURN NULLIF(current_setting('app.tenant_id', true), '')::integer; END",
                   definition: "CREATE OR REPLACE FUNCTION app.plpgsql_tenant()\n RETURNS integer\n LANGUAGE plpgsql\n STABLE\nAS $function$...$function$")
        let audit = AuditInput(catalog: b.build(), appRoles: ["app"])
        // A PL/pgSQL context function may return anything: no solver finding on the policy that calls it.
        for rule in [FailOpenNull(), EffectivePredicateCrossesTenants(), PolicyWithoutRowColumn()] as [any AuditRule] {
            XCTAssertFalse(rule.check(audit).contains { $0.location.object == "public.posts.r" }, rule.id)
        }
        let widened = assertFindings(EffectivePredicateCrossesTenants(), audit, ["policy public.posts.q"])
        XCTAssertTrue(widened.first?.message.hasSuffix("(with no tenant in the session it admits rows too)") == true, widened.first?.message ?? "")
        assertFindings(FailOpenNull(), audit, [], "one finding per policy: the wall failure says more")
    }

    /// A hand-written admin gate (no argument, an SQL body that checks membership in the admin role) opens the
    /// admin's wall and no one else's; the same function without the membership check is a widening for all.
    func testHandWrittenAdminGate() {
        func gated(_ body: String) -> AuditInput {
            var b = CatalogBuilder()
            b.role("owner"); b.role("app", login: true); b.role("admin", login: true)
            b.table("public.posts", columns: ["tenant_id", "id"], rls: true, forced: true, grants: ["app:SELECT", "admin:SELECT"],
                    types: ["integer", "integer"], notNull: ["tenant_id", "id"])
            b.policy("public.posts", "p", roles: ["public"], command: "r", using: "((tenant_id = app.current_tenant_id()) OR app.admin_mode_on())")
            b.function("app.current_tenant_id", volatility: "s", body: "SELECT NULLIF(current_setting('app.tenant_id', true), '')::integer")
            b.function("app.admin_mode_on", volatility: "s", body: body)
            return AuditInput(catalog: b.build(), appRoles: ["app", "admin"])
        }
        let member = gated("SELECT pg_has_role(current_user, 'admin', 'MEMBER') AND coalesce(current_setting('app.admin_mode', true), '') = 'on'")
        assertFindings(EffectivePredicateCrossesTenants(), member, [])
        let anyone = gated("SELECT coalesce(current_setting('app.admin_mode', true), '') = 'on'")
        let found = assertFindings(EffectivePredicateCrossesTenants(), anyone, ["policy public.posts.p"])
        XCTAssertTrue(found.first?.message.contains("app SELECT USING") == true, found.first?.message ?? "")
    }

    /// A table isolated by another column is judged when it is named (`--tenant-column public.notes=user_id`).
    func testTableWithItsOwnIsolationColumn() {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        b.table("public.notes", columns: ["user_id", "body"], rls: true, forced: true, grants: ["app:SELECT"], types: ["integer", "text"])
        b.policy("public.notes", "mine", roles: ["app"], command: "r",
                 using: "((user_id)::text ~~ (current_setting('app.user_id'::text, true) || '%'::text))")
        assertFindings(EffectivePredicateCrossesTenants(), input(b), [], "without the column named, notes is no tenant table")
        assertFindings(EffectivePredicateCrossesTenants(), input(b, tenantColumns: ["public.notes": "user_id"]), ["policy public.notes.mine"])
        b.policy("public.notes", "all", roles: ["app"], command: "r", using: "true")
        assertFindings(PolicyAlwaysTrue(), input(b, tenantColumns: ["public.notes": "user_id"]), ["policy public.notes.all"])
    }

    /// 200 tables with the same four policies cost a handful of solver calls, not 200 × 4 × 2.
    func testVerdictsAreMemoized() {
        var b = CatalogBuilder()
        b.role("owner"); b.role("app", login: true)
        for i in 0..<200 {
            let t = "public.t\(i)"
            b.table(t, columns: ["tenant_id", "id", "body"], rls: true, forced: true, grants: ["app:SELECT", "app:INSERT", "app:UPDATE", "app:DELETE"],
                    types: ["integer", "bigint", "text"])
            for (name, command) in [("s", "r"), ("u", "w"), ("d", "d")] { b.policy(t, name, roles: ["app"], command: command, using: Self.context) }
            b.policy(t, "i", roles: ["app"], command: "a", using: nil, check: Self.context)
        }
        let audit = AuditInput(catalog: b.build(), appRoles: ["app"])
        let judgement = audit.semantic
        XCTAssertEqual(judgement.failures.count, 0)
        XCTAssertEqual(judgement.judged, 200 * 5 * 2, "SELECT, INSERT, UPDATE (USING and WITH CHECK), DELETE: wall and no-context each")
        XCTAssertLessThanOrEqual(judgement.solverCalls, 8, "alike policies share verdicts")
    }
}
