import Foundation
import Lifecycle
import PolicyGen
import Postgres
import Quoting
import Tenantwall
import TenantwallBench
import XCTest

/// `tenant export` and erasure on every example (the Citus one on its cluster: `CitusTests.testExportAndErasureOnTheCluster`), loaded with the benchmark's
/// skewed multi-tenant rows: each table holds exactly the tenant's rows a superuser counts (the walls' hidden rows
/// said apart), every JSON line carries the tenant; then the erasure deletes those rows, walled hypertables
/// included, and every other tenant's rows stay as they were.
final class TenantExportExampleTests: XCTestCase {
    func testEveryExampleExportsAndErasesExactlyOneTenantsRows() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: TestServer.path("policies")).sorted()
        for example in examples where example != "workflow-platform-citus" {
            let spec = try SpecFiles.load([TestServer.path("policies/" + example)])
            let (_, db) = try TestServer.freshDatabase("export_ex")
            var notes: [String] = []
            let adapted = try ServerCapabilities(connection: db).adapt(spec, notes: &notes)
            try TestServer.requireExtensions(adapted, db)
            _ = try BenchDataset(spec: adapted, rows: 600, tenants: 4).create(on: db, comparisons: false)
            try Self.assertExportAndErasure(adapted, db, example)
        }
    }

    /// Exports one tenant of a loaded database (the benchmark's rows), compares each table with a superuser's
    /// count where the rows live, then erases it: exactly the exported rows go, every other tenant's stay.
    static func assertExportAndErasure(_ adapted: Spec, _ db: Connection, _ example: String) throws {
        do {
            let samples = try BenchDataset(spec: adapted, rows: 600, tenants: 4).samples(on: db)
            let tenant = try XCTUnwrap(samples.dropFirst().first?.tenant, example)
            if let owner = adapted.tenantsTable {
                // The tenants table's key is the tenant: a tenant with rows has its row there.
                let present = try db.query("SELECT count(*) FROM \(SQL.qualified(owner.schema, owner.name)) WHERE \(SQL.ident(owner.column))::text = $1", [tenant]).scalar
                XCTAssertEqual(present, "1", example)
            }
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("tw-export-ex-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: out) }
            let manifest = try TenantExport(spec: adapted, connection: db).run(tenant: tenant, into: out)
            XCTAssertGreaterThan(manifest.tables.reduce(0) { $0 + $1.rows }, 0, example)
            for scoped in adapted.scopedTables {
                let table = try XCTUnwrap(manifest.tables.first { $0.table == scoped.qualifiedName }, "\(example): \(scoped.qualifiedName)")
                // Counted where the rows live: a walled hypertable's view shows a superuser nothing.
                let storage = scoped.table.storage(tenancy: adapted.tenancy)
                let count = try db.query("SELECT count(*) FROM \(SQL.qualified(storage.schema, storage.name)) WHERE \(SQL.ident(scoped.column))::text = $1", [tenant]).scalar
                XCTAssertEqual(String(table.rows + table.hiddenByWalls), count, "\(example): \(table.table)")
                let lines = try String(contentsOf: out.appendingPathComponent(table.jsonl.path), encoding: .utf8).split(separator: "\n")
                XCTAssertEqual(lines.count, table.rows, "\(example): \(table.table)")
                for line in lines {
                    let row = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                    XCTAssertEqual(row[scoped.column].map { "\($0)" }, tenant, "\(example): \(table.table): \(line)")
                }
            }
            func others() throws -> [String: String] {
                var result: [String: String] = [:]
                for scoped in adapted.scopedTables {
                    let storage = scoped.table.storage(tenancy: adapted.tenancy)
                    result[scoped.qualifiedName] = try db.query("""
                        SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '')
                        FROM \(SQL.qualified(storage.schema, storage.name)) AS t WHERE \(SQL.ident(scoped.column))::text <> $1
                        """, [tenant]).scalar
                }
                return result
            }
            let before = try others()
            let certificate = try TenantErasure(spec: adapted, connection: db).run(tenant: tenant, dryRun: false)
            let deleted = Dictionary(uniqueKeysWithValues: certificate.deleted.map { ($0.table, $0.rows) })
            for table in manifest.tables {
                XCTAssertEqual(deleted[table.table], table.rows + table.hiddenByWalls, "\(example): \(table.table)")
            }
            for scoped in adapted.scopedTables {
                let storage = scoped.table.storage(tenancy: adapted.tenancy)
                let left = try db.query("SELECT count(*) FROM \(SQL.qualified(storage.schema, storage.name)) WHERE \(SQL.ident(scoped.column))::text = $1", [tenant]).scalar
                XCTAssertEqual(left, "0", "\(example): \(scoped.qualifiedName)")
            }
            XCTAssertEqual(try others(), before, "\(example): every other tenant's rows as they were")
        }
    }
}
