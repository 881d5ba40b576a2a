import Audit
import Foundation
import XCTest

/// TimescaleDB: chunks named around their hypertable's policies (TW120 on a chunk), table-level grants every new
/// chunk copies (TW123), and compressed hypertables and continuous aggregates, which allow no RLS (TW137).
final class TimeSeriesRuleTests: XCTestCase, RuleTestFile {
    static let covered: Set<String> = ["TW120", "TW123", "TW137"]
    static let path = #filePath

    static let chunk = "_timescaledb_internal._hyper_1_1_chunk"

    /// `public.metrics`, a walled hypertable, and one chunk of it.
    static func hypertable(grants: [String] = ["owner:SELECT"], columnGrants: [String] = ["app:SELECT"], chunkRLS: Bool = false,
                           chunkGrants: [String] = ["app:SELECT"], chunkSchemaUsers: [String] = ["PUBLIC"]) -> CatalogBuilder {
        var b = CatalogBuilder()
        b.role("owner", login: true); b.role("app", login: true)
        b.table("public.metrics", columns: ["tenant_id", "time", "value"], rls: true, forced: true, grants: grants, columnGrants: columnGrants)
        b.policy("public.metrics", "p", roles: ["app"], using: "(tenant_id = ( SELECT tenantwall.current_tenant_id() AS current_tenant_id))")
        b.table(chunk, columns: ["tenant_id", "time", "value"], rls: chunkRLS, grants: chunkGrants, parent: "public.metrics", schemaUsers: chunkSchemaUsers)
        b.hypertables = ["public.metrics"]
        return b
    }

    func testChunkReadable() {
        let found = assertFindings(PartitionReadable(), Self.hypertable(), appRoles: ["app"], ["table \(Self.chunk)"])
        // TimescaleDB refuses FORCE on a chunk: the fix only enables RLS.
        XCTAssertEqual(found.first?.fix, #"ALTER TABLE "_timescaledb_internal"."_hyper_1_1_chunk" ENABLE ROW LEVEL SECURITY; REVOKE ALL ON "_timescaledb_internal"."_hyper_1_1_chunk" FROM "app";"#)
        XCTAssertEqual(found.first?.message, "chunk \(Self.chunk) (of public.metrics) is reachable by app without its parent's policies")
        // Closed by RLS enabled without a policy (only its owner bypasses that), or by a schema the application may not use.
        assertFindings(PartitionReadable(), Self.hypertable(chunkRLS: true), appRoles: ["app"], [])
        assertFindings(PartitionReadable(), Self.hypertable(chunkSchemaUsers: ["owner"]), appRoles: ["app"], [])
    }

    func testHypertableGrantsReachChunks() {
        let open = Self.hypertable(grants: ["owner:SELECT", "app:SELECT", "app:INSERT", "app:REFERENCES", "PUBLIC:SELECT"], columnGrants: [])
        let found = assertFindings(HypertableGrantsReachChunks(), open, appRoles: ["app"], ["table public.metrics"])
        XCTAssertEqual(found.first?.message, "hypertable public.metrics grants PUBLIC:SELECT, app:INSERT, app:SELECT at table level; every new chunk copies them and can be named directly")
        // Each role's table-level grant becomes the same grant on every column, which chunks do not copy.
        XCTAssertEqual(found.first?.fix, #"REVOKE ALL ON "public"."metrics" FROM PUBLIC; "#
                       + #"REVOKE ALL ON "public"."metrics" FROM "app"; GRANT INSERT ("tenant_id", "time", "value"), SELECT ("tenant_id", "time", "value") ON "public"."metrics" TO "app";"#)
        // Column-level grants, as tenantwall writes them on hypertables: nothing for chunks to copy.
        assertFindings(HypertableGrantsReachChunks(), Self.hypertable(), appRoles: ["app"], [])
        // The same grants on a plain table have no chunks to reach.
        var plain = open
        plain.hypertables = []
        assertFindings(HypertableGrantsReachChunks(), plain, appRoles: ["app"], [])
    }

    func testDerivedTimeSeriesReadable() {
        func derived(readers: [String]) -> CatalogBuilder {
            var b = CatalogBuilder()
            b.role("owner", login: true); b.role("app", login: true)
            b.table("public.metrics", columns: ["tenant_id", "time", "value"], grants: ["owner:SELECT"] + readers)
            b.table("public.metrics_daily", columns: ["tenant_id", "day", "total"], grants: ["owner:SELECT"] + readers, kind: "v")
            b.hypertables = ["public.metrics"]
            b.compressedHypertables = ["public.metrics"]
            b.continuousAggregates = ["public.metrics_daily": "public.metrics"]
            return b
        }
        let found = assertFindings(DerivedTimeSeriesReadable(), derived(readers: ["app:SELECT", "PUBLIC:SELECT"]), appRoles: ["app"],
                                   ["table public.metrics", "view public.metrics_daily"])
        XCTAssertEqual(found.map { $0.fix ?? "" }, [#"REVOKE ALL ON "public"."metrics" FROM PUBLIC, "app";"#, #"REVOKE ALL ON "public"."metrics_daily" FROM PUBLIC, "app";"#])
        XCTAssertEqual(found.first?.message, "compressed hypertable public.metrics cannot carry row-level security and is readable by PUBLIC, app")
        XCTAssertEqual(found.last?.message, "continuous aggregate public.metrics_daily over public.metrics applies no row-level security and is readable by PUBLIC, app")
        // The walled form: only the owner reads them (the application reads a security_barrier view instead).
        assertFindings(DerivedTimeSeriesReadable(), derived(readers: []), appRoles: ["app"], [])
    }
}
