@testable import Catalog
@testable import Proof
import XCTest

/// Inlined SQL helpers whose setting is a parameter (tenantwall's inline `context_uuid(setting text)`, called
/// as `context_uuid('app.tenant_id')`): the call's constant is bound to the parameter, by name and by `$n`,
/// with defaults for arguments left out and SQL-standard bodies (`RETURN`, `BEGIN ATOMIC`).
final class SolverInlineParameterTests: XCTestCase {
    static let byName = SolverFixture.function("tw", "context_uuid", args: ["text"], signature: "setting text",
                                               body: " SELECT NULLIF(pg_catalog.current_setting(setting, true), '')::pg_catalog.uuid ")
    static let byNumber = SolverFixture.function("tw", "context_uuid_n", args: ["text"], signature: "text",
                                                 body: " SELECT NULLIF(current_setting($1, true), '')::uuid ")
    static let reader = SolverFixture.function("tw", "current_tenant_id", body: " SELECT tw.context_uuid('app.tenant_id') ")

    /// `RETURN …` with a default `missing_ok`, as `pg_get_functiondef` prints it (the catalog's body is empty).
    static var standard: DatabaseCatalog.Function {
        var f = SolverFixture.function("tw", "context_std", args: ["text", "boolean"], signature: "setting text, ok boolean", body: "")
        f.definition = "CREATE OR REPLACE FUNCTION tw.context_std(setting text, ok boolean DEFAULT true)\n RETURNS uuid\n LANGUAGE sql\n STABLE\n"
            + "RETURN (NULLIF(current_setting(setting, ok), ''::text))::uuid\n"
        return f
    }

    static var atomic: DatabaseCatalog.Function {
        var f = SolverFixture.function("tw", "context_atomic", args: ["text"], signature: "setting text", body: "")
        f.definition = "CREATE OR REPLACE FUNCTION tw.context_atomic(setting text)\n RETURNS uuid\n LANGUAGE sql\n STABLE\nBEGIN ATOMIC\n"
            + " SELECT (NULLIF(current_setting(setting, true), ''::text))::uuid AS \"nullif\";\nEND\n"
        return f
    }

    let side = SolverFixture.side(functions: [byName, byNumber, reader, standard, atomic])
    let direct = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"

    func testNamedParameterBindsTheCallsConstant() {
        assertEquivalent("tenant_id = tw.context_uuid('app.tenant_id')", direct, side)
        assertEquivalent("tenant_id = (SELECT tw.current_tenant_id())", SolverFixture.wall, side)
    }

    func testNumberedParameterBindsTheCallsConstant() {
        assertEquivalent("tenant_id = tw.context_uuid_n('app.tenant_id')", direct, side)
    }

    func testAnotherSettingIsAnotherValue() {
        let witness = assertWidens("tenant_id = tw.context_uuid('app.other')", direct, side)
        XCTAssertNotNil(witness?.context["setting:app.other"] ?? nil, "\(String(describing: witness))")
    }

    func testDefaultArgumentIsRead() {
        assertEquivalent("tenant_id = tw.context_std('app.tenant_id')", direct, side)
        // missing_ok false, given: an unset setting is an error, which admits nothing either.
        assertEquivalent("tenant_id = tw.context_std('app.tenant_id', false)", direct, side)
    }

    func testNamedArgumentsAreBoundByName() {
        assertEquivalent("tenant_id = tw.context_uuid(setting => 'app.tenant_id')", direct, side)
        assertEquivalent("tenant_id = tw.context_std(ok => true, setting => 'app.tenant_id')", direct, side)
        assertWidens("tenant_id = tw.context_std(setting => 'app.other')", direct, side)
        guard case .unknown = verdict("tenant_id = tw.context_uuid(nope => 'app.tenant_id')", direct, side) else {
            return XCTFail("an argument the function does not have is not read")
        }
    }

    func testBeginAtomicBodyIsRead() {
        assertEquivalent("tenant_id = tw.context_atomic('app.tenant_id')", direct, side)
    }

    /// The inline helpers as tenantwall generates them for a bigint tenant (HelperCore.inline and the
    /// `current_tenant_id()` wrapper of HelperStatements), as the Citus example installs them.
    func testGeneratedInlineChainReadsTheSetting() {
        let context = SolverFixture.function("tenantwall", "context_bigint", args: ["text"], signature: "setting text", returns: "bigint",
                                             body: " SELECT NULLIF(pg_catalog.current_setting(setting, true), '')::pg_catalog.int8 ")
        let reader = SolverFixture.function("tenantwall", "current_tenant_id", returns: "bigint",
                                            body: " SELECT \"tenantwall\".\"context_bigint\"('app.current_tenant_id') ")
        let side = SolverFixture.side(functions: [context, reader], columns: [.init(name: "tenant_id", type: "bigint", notNull: true)])
        let generated = "tenant_id = tenantwall.current_tenant_id()"
        assertEquivalent(generated, "tenant_id = (NULLIF(current_setting('app.current_tenant_id', true), ''))::bigint", side)
        let witness = assertWidens("tenant_id = tenantwall.current_tenant_id() OR tenant_id = 7", generated, side)
        XCTAssertEqual(witness?.row["tenant_id"], "7")
    }

    /// Inside a SECURITY DEFINER function `current_user` is its owner, not the caller.
    func testSecurityDefinerReadsItsOwnerAsCurrentUser() {
        var definer = SolverFixture.function("tw", "runs_as_owner", returns: "boolean", body: " SELECT CURRENT_USER = 'owner'::name ")
        definer.securityDefiner = true
        var invoker = SolverFixture.function("tw", "runs_as_caller", returns: "boolean", body: " SELECT CURRENT_USER = 'owner'::name ")
        invoker.securityDefiner = false
        let side = SolverFixture.side(functions: [definer, invoker])
        XCTAssertEqual(verdict("true", "tw.runs_as_owner()", side), .holds)
        XCTAssertEqual(verdict("tw.runs_as_caller()", "false", side), .holds)
        guard case .fails = verdict("true", "pg_has_role('admin', 'MEMBER') OR tw.runs_as_caller()", side) else {
            return XCTFail("the caller is not the owner")
        }
    }

    func testNameFromTheRowStaysUnreadable() {
        guard case .unknown(let why) = verdict("tenant_id = tw.context_uuid(title)", direct, side) else {
            return XCTFail("a setting named by a column is not a constant")
        }
        XCTAssertTrue(why.contains("not a constant"), why)
    }

    func testDefaultsParsedFromTheHeader() {
        let header = "CREATE FUNCTION s.f(a text, b text DEFAULT 'x,(y)', c boolean DEFAULT true)\n RETURNS int"
        XCTAssertEqual(FunctionLookup.headerArguments(header), ["a text", "b text DEFAULT 'x,(y)'", "c boolean DEFAULT true"])
        var f = SolverFixture.function("s", "f", args: ["text", "text", "boolean"], body: " SELECT 1 ")
        f.definition = header
        XCTAssertEqual(FunctionLookup.defaults(f), [nil, .literal(.string("x,(y)")), .literal(.bool(true))])
        XCTAssertEqual(FunctionLookup.defaultCount(f), 2)
    }

    /// The extension's C reader, which the solver cannot read, called in a policy with its setting
    /// (`'app.tenant_id'::text`, as a Citus shard's policy prints it) and inside the PL/pgSQL
    /// `current_tenant_id()` (an untyped literal): one value, because the arguments take the declared types.
    func testAnOpaqueFunctionReadsItsArgumentsAsItsDeclaredTypes() {
        let native = SolverFixture.function("tw", "context_uuid", args: ["text"], signature: "setting text", language: "c", body: "context_uuid", native: true)
        let reader = SolverFixture.function("tw", "current_tenant_id", language: "plpgsql", body: " BEGIN RETURN \"tw\".\"context_uuid\"('app.tenant_id'); END ")
        let side = SolverFixture.side(functions: [native, reader])
        assertEquivalent("tenant_id = tw.context_uuid('app.tenant_id'::text)", "tenant_id = tw.current_tenant_id()", side)
        assertEquivalent("tenant_id = tw.context_uuid('app.tenant_id')", "tenant_id = tw.context_uuid('app.tenant_id'::text)", side)
        // Another setting is another value (a function of its argument: no witness the evaluator can replay).
        guard case .fails = verdict("tenant_id = tw.context_uuid('app.other')", "tenant_id = tw.current_tenant_id()", side) else {
            return XCTFail("another setting must not entail the reader's")
        }
        // A PL/pgSQL reader that does more than return the C reader stays a value of its own.
        let guarded = SolverFixture.function("tw", "current_tenant_id", language: "plpgsql",
                                             body: " BEGIN RETURN coalesce(\"tw\".\"context_uuid\"('app.tenant_id'), '00000000-0000-0000-0000-000000000001'); END ")
        guard case .fails = verdict("tenant_id = tw.context_uuid('app.tenant_id')", "tenant_id = tw.current_tenant_id()", SolverFixture.side(functions: [native, guarded])) else {
            return XCTFail("a reader that does more is not the C reader")
        }
    }
}
