import Catalog
import Proof
import XCTest

final class AccessModelTests: XCTestCase {
    func testPerCommandPoliciesBecomeEachCommandsPredicate() {
        let model = AccessFixture.state(AccessFixture.base()).model
        XCTAssertEqual(model.entry(role: "app_user", object: "public.orders", command: .select)?.reach,
                       .filtered(using: .expression(AccessFixture.wall), check: nil))
        XCTAssertEqual(model.entry(role: "app_user", object: "public.orders", command: .insert)?.reach,
                       .filtered(using: nil, check: .expression(AccessFixture.wall)))
        XCTAssertEqual(model.entry(role: "app_user", object: "public.orders", command: .update)?.reach,
                       .filtered(using: .expression(AccessFixture.wall), check: .expression(AccessFixture.wall)))
        XCTAssertEqual(model.entry(role: "app_user", object: "public.orders", command: .truncate)?.reach, .denied)
    }

    func testPublicIsModeledAndSuperusersAreNot() {
        var b = AccessFixture.base()
        b.role("postgres", superuser: true)
        b.role("pg_read_all_data")
        let model = AccessFixture.state(b).model
        XCTAssertEqual(model.roles, ["PUBLIC", "admin", "app_user", "owner"])
        XCTAssertEqual(model.entry(role: "PUBLIC", object: "public.orders", command: .select)?.privilege, AccessPrivilege.none)
    }

    func testForcedOwnerWithoutPolicyReachesNoRow() {
        let model = AccessFixture.state(AccessFixture.base()).model
        XCTAssertEqual(model.entry(role: "owner", object: "public.orders", command: .select)?.reach, .filtered(using: Predicate.none, check: nil))
        XCTAssertEqual(model.entry(role: "owner", object: "public.orders", command: .truncate)?.reach,
                       .unfiltered("TRUNCATE is not subject to row-level security"))
    }

    func testPermissiveOrAndRestrictiveAndForAllCheckFallsBackToUsing() {
        var b = AccessFixture.base()
        b.policy("public.orders", "public_rows", roles: ["public"], command: "*", using: "is_public")
        b.policy("public.orders", "not_secret", roles: ["app_user"], command: "*", using: "(secret IS NULL)", permissive: false)
        let model = AccessFixture.state(b).model
        XCTAssertEqual(model.entry(role: "app_user", object: "public.orders", command: .select)?.reach,
                       .filtered(using: .and([.or([.expression(AccessFixture.wall), .expression("is_public")]), .expression("(secret IS NULL)")]), check: nil))
        XCTAssertEqual(model.entry(role: "app_user", object: "public.orders", command: .insert)?.reach,
                       .filtered(using: nil, check: .and([.or([.expression(AccessFixture.wall), .expression("is_public")]), .expression("(secret IS NULL)")])))
    }

    func testMembershipBringsGrantsPoliciesAndOwnership() {
        var b = AccessFixture.base()
        b.role("reporter", memberOf: ["owner"])
        let model = AccessFixture.state(b).model
        XCTAssertEqual(model.entry(role: "reporter", object: "public.orders", command: .truncate)?.privilege, .table)
        b.alterTable("public.orders", "forced", "false")
        XCTAssertEqual(AccessFixture.state(b).model.entry(role: "reporter", object: "public.orders", command: .select)?.reach,
                       .unfiltered("reporter can SET ROLE to owner, which owns public.orders and row-level security is not forced"))
    }

    func testColumnGrantListsColumnsInTableOrder() {
        var b = AccessFixture.base()
        b.table("public.notes", columns: ["tenant_id uuid!", "id bigint!", "body text"], rls: true,
                columnPrivileges: ["app_user:SELECT": ["tenant_id", "body"], "PUBLIC:SELECT": ["id"]])
        let model = AccessFixture.state(b).model
        XCTAssertEqual(model.entry(role: "app_user", object: "public.notes", command: .select)?.privilege, .columns(["tenant_id", "id", "body"]))
        XCTAssertEqual(model.entry(role: "PUBLIC", object: "public.notes", command: .select)?.privilege, .columns(["id"]))
        XCTAssertEqual(model.entry(role: "app_user", object: "public.notes", command: .update)?.privilege, AccessPrivilege.none)
    }

    func testSkippedSchemasAndMaterializedViews() {
        var b = AccessFixture.base()
        b.table("_timescaledb_catalog.hypertable", columns: ["id integer!"], grants: ["PUBLIC:SELECT"])
        b.table("public.totals", columns: ["tenant_id uuid!", "n bigint"], kind: "m", grants: ["app_user:SELECT"])
        let model = AccessFixture.state(b).model
        XCTAssertFalse(model.objects.contains("_timescaledb_catalog.hypertable"))
        XCTAssertEqual(model.entry(role: "app_user", object: "public.totals", command: .select)?.reach,
                       .unfiltered("a materialized view applies no row-level security"))
    }

    func testDefinerViewRecordsWhatItsOwnerReadsUnfiltered() {
        var b = AccessFixture.base()
        b.alterTable("public.orders", "forced", "false")
        b.table("public.order_list", columns: ["tenant_id uuid", "id bigint"], kind: "v", grants: ["app_user:SELECT"],
                definition: " SELECT orders.tenant_id, orders.id FROM orders;")
        b.dependency(view: "public.order_list", table: "public.orders")
        guard case .view(let view)? = AccessFixture.state(b).model.entry(role: "app_user", object: "public.order_list", command: .select)?.reach else {
            return XCTFail("a view's reach")
        }
        XCTAssertTrue(view.bypasses)
        XCTAssertEqual(view.ownerUnfiltered, ["public.orders: owner owns public.orders and row-level security is not forced"])
    }
}

extension AccessModelTests {
    func testNamedAccessRolesBringTheirMembersAlong() {
        var b = AccessFixture.base()
        b.role("intern", memberOf: ["app_user"])
        b.role("bystander")
        var options = AccessFixture.options
        options.roles = ["app_user"]
        let state = AccessFixture.state(b, options: options)
        XCTAssertEqual(state.model.roles, ["PUBLIC", "app_user", "intern"])
        XCTAssertEqual(state.model.entry(role: "intern", object: "public.orders", command: .delete)?.reach,
                       .filtered(using: .expression(AccessFixture.wall), check: nil))
    }
}
