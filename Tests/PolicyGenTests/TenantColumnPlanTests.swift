import PolicyGen
import SQLParser
import XCTest

/// The statements `tenant-column add` runs and writes, as golden strings: each names the table and column
/// quoted, the fill picks only NULL rows in bounded batches, and the migration parses statement by statement.
final class TenantColumnPlanTests: XCTestCase {
    let constant = TenantColumnPlan(schema: "public", table: "invoices", column: "tenant_id", type: "bigint", source: .constant("42"), batchSize: 500)
    let parent = TenantColumnPlan(schema: "shop", table: "orders", column: "tenant_id", type: "uuid",
                                  source: .parent(.init(localColumn: "customer_id", schema: "shop", table: "customers", key: "id", tenantColumn: "org")), batchSize: 100)

    func testConstantTenantStatements() {
        XCTAssertEqual(constant.addColumn, #"ALTER TABLE "public"."invoices" ADD COLUMN IF NOT EXISTS "tenant_id" bigint"#)
        XCTAssertEqual(constant.installFill, [#"ALTER TABLE "public"."invoices" ALTER COLUMN "tenant_id" SET DEFAULT '42'::bigint"#])
        XCTAssertEqual(constant.fillBatch, #"UPDATE "public"."invoices" SET "tenant_id" = '42'::bigint WHERE ctid = ANY(ARRAY(SELECT t.ctid FROM "public"."invoices" t WHERE t."tenant_id" IS NULL LIMIT 500))"#)
        XCTAssertEqual(constant.addCheck, #"ALTER TABLE "public"."invoices" ADD CONSTRAINT "invoices_tenant_id_not_null" CHECK ("tenant_id" IS NOT NULL) NOT VALID"#)
        XCTAssertEqual(constant.setNotNull, #"ALTER TABLE "public"."invoices" ALTER COLUMN "tenant_id" SET NOT NULL"#)
        XCTAssertEqual(constant.createIndex, #"CREATE INDEX CONCURRENTLY "invoices_tenant_id_idx" ON "public"."invoices" ("tenant_id")"#)
        XCTAssertEqual(constant.dropIndex, #"DROP INDEX CONCURRENTLY IF EXISTS "public"."invoices_tenant_id_idx""#)
    }

    func testParentFillTakesEachRowsParentTenantAndSkipsOrphans() {
        XCTAssertEqual(parent.fillBatch, #"UPDATE "shop"."orders" c SET "tenant_id" = p."org" FROM "shop"."customers" p WHERE p."id" = c."customer_id" AND c.ctid = ANY(ARRAY(SELECT t.ctid FROM "shop"."orders" t WHERE t."tenant_id" IS NULL AND EXISTS (SELECT 1 FROM "shop"."customers" q WHERE q."id" = t."customer_id" AND q."org" IS NOT NULL) LIMIT 100))"#)
        XCTAssertEqual(parent.installFill.count, 2)
        XCTAssertTrue(parent.installFill[0].contains(#"SELECT p."org" INTO NEW."tenant_id" FROM "shop"."customers" p WHERE p."id" = NEW."customer_id";"#), parent.installFill[0])
        XCTAssertTrue(parent.installFill[0].contains("SET search_path = pg_catalog"))
        XCTAssertEqual(parent.installFill[1], #"CREATE OR REPLACE TRIGGER "tw_fill_orders_tenant_id" BEFORE INSERT OR UPDATE ON "shop"."orders" FOR EACH ROW EXECUTE FUNCTION "shop"."tw_fill_orders_tenant_id"()"#)
    }

    func testHostileNamesAndIdsStayQuoted() throws {
        let plan = TenantColumnPlan(schema: "a\"b", table: "t'; DROP TABLE x; --", column: "c\"d", type: "text", source: .constant("o'brien"), batchSize: 1)
        XCTAssertEqual(plan.installFill, [#"ALTER TABLE "a""b"."t'; DROP TABLE x; --" ALTER COLUMN "c""d" SET DEFAULT 'o''brien'::text"#])
        for statement in [plan.addColumn, plan.fillBatch, plan.addCheck, plan.validateCheck, plan.setNotNull, plan.dropCheck, plan.createIndex] {
            XCTAssertEqual(try SQLParser.statements(in: statement).count, 1, statement)
        }
        let migration = TenantColumnPlan(schema: "public", table: "x\ny", column: "tenant_id", type: "text", source: .constant("1"), batchSize: 1)
            .migration(lockTimeout: "2s", lockRetries: 5)
        XCTAssertFalse(migration.contains("x\ny\" gains"), "a newline in a name cannot end the header comment")
    }

    func testLongNamesAreCutToSixtyThreeBytesAndStayApart() {
        let long = String(repeating: "t", count: 60)
        let a = TenantColumnPlan(schema: "s", table: long + "a", column: "tenant_id", type: "text", source: .constant("1"), batchSize: 1)
        let b = TenantColumnPlan(schema: "s", table: long + "b", column: "tenant_id", type: "text", source: .constant("1"), batchSize: 1)
        for name in [a.checkName, a.indexName, a.triggerName, b.indexName] { XCTAssertLessThanOrEqual(name.utf8.count, 63, name) }
        XCTAssertNotEqual(a.indexName, b.indexName)
        XCTAssertEqual(constant.indexName, "invoices_tenant_id_idx", "short names are left whole")
    }

    func testMigrationRunsOutsideATransactionWithTheTimeoutAndParses() throws {
        let text = parent.migration(lockTimeout: "3s", lockRetries: 4, dropFill: true)
        XCTAssertTrue(text.hasPrefix("-- tenantwall:no-transaction\n-- tenantwall:lock-timeout=3s\n-- tenantwall:lock-retries=4\n"), text)
        let kinds = try SQLParser.statements(in: text).map(\.kind)
        XCTAssertEqual(kinds, ["AlterTableStmt", "CreateFunctionStmt", "CreateTrigStmt", "DoStmt", "AlterTableStmt", "AlterTableStmt", "AlterTableStmt",
                               "AlterTableStmt", "AlterTableStmt", "DropStmt", "IndexStmt", "DropStmt", "DropStmt"])
        XCTAssertTrue(text.contains("COMMIT;\n  END LOOP;"), "each batch commits on its own")
        XCTAssertFalse(constant.migration(lockTimeout: "2s", lockRetries: 5).contains("DROP DEFAULT"), "the fill-in stays unless asked")
    }

    func testSourceGrammar() throws {
        XCTAssertEqual(try TenantColumnSource.parse("tenant:42"), .constant("42"))
        XCTAssertEqual(try TenantColumnSource.parse("fk:orders_customer_fk"), .foreignKey("orders_customer_fk"))
        XCTAssertEqual(try TenantColumnSource.parse("parent:shop.customers.tenant_id via customer_id"),
                       .parent(schema: "shop", table: "customers", tenantColumn: "tenant_id", via: "customer_id"))
        XCTAssertEqual(try TenantColumnSource.parse("parent:customers.tenant_id via customer_id"),
                       .parent(schema: nil, table: "customers", tenantColumn: "tenant_id", via: "customer_id"))
        for bad in ["42", "tenant:", "fk:", "parent:customers via customer_id", "parent:customers.tenant_id", "parent:a.b.c.d via e"] {
            XCTAssertThrowsError(try TenantColumnSource.parse(bad), bad)
        }
    }
}
