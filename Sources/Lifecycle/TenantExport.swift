import Catalog
import Crypto
import Foundation
import Migrations
import PolicyGen
import Postgres
import Quoting
import Tenantwall

/// `tenant export`: every row of one tenant, from every tenant table and every table its rows reach by foreign
/// key (`TenantDataPlan`), one CSV and one JSON Lines file per table, and `manifest.json`.
///
/// The rows are read as the tenant, through the walls, in one REPEATABLE READ transaction that is always
/// rolled back: an export cannot hold another tenant's row even where a policy is wrong, because the query
/// names the tenant too, and it changes nothing (a signed binding's key of its own is gone with the
/// transaction). A table the access role cannot read at all (reached only by foreign key, never granted) is
/// read by the connecting role with the same condition, and the manifest says so.
public struct TenantExport {
    let spec: Spec
    let connection: Connection

    public init(spec: Spec, connection: Connection) {
        self.spec = spec
        self.connection = connection
    }

    /// A failed export leaves no files: the directory is emptied again (and removed when the export made it), so
    /// nothing half-written can pass for an export.
    public func run(tenant id: String, into directory: URL) throws -> ExportManifest {
        guard try connection.bypassesRLS() else {
            throw ToolError("tenant export reads as the tenant and, where the access role cannot, as the connecting role: connect as a superuser or the owner role")
        }
        try checkTenant(id, type: spec.tenancy.type.rawValue)
        let created = !FileManager.default.fileExists(atPath: directory.path)
        try prepare(directory)
        do {
            return try export(id, into: directory)
        } catch {
            if created {
                try? FileManager.default.removeItem(at: directory)
            } else {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                    try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
                }
            }
            throw error
        }
    }

    func export(_ id: String, into directory: URL) throws -> ExportManifest {
        let type = spec.tenancy.type.rawValue
        let catalog = try CatalogReader.read(connection)
        let plan = TenantDataPlan(spec: spec, catalog: catalog)
        let tenant = SQL.literal(id) + "::" + type
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        defer { _ = try? connection.execute("ROLLBACK") }
        var session = TenantSession(spec: spec, connection: connection)
        try session.enter(id)
        var readable: Set<String> = []
        for entry in plan.entries where try connection.query("SELECT pg_catalog.has_table_privilege($1, 'SELECT')::text", [SQL.qualified(entry.schema, entry.name)]).flag {
            readable.insert(entry.qualified)
        }
        var tables: [ExportManifest.Table] = []
        var names = FileNames()
        // As the tenant first, then (RESET ROLE) what only the connecting role can read, and the counts that
        // show what the walls hid from the tenant.
        for asTenant in [true, false] {
            if !asTenant { try session.leave() }
            for entry in plan.entries where readable.contains(entry.qualified) == asTenant {
                let select = plan.select(entry, tenant: tenant, owner: !asTenant)
                let csv = try connection.copyOut("COPY (\(select)) TO STDOUT WITH (FORMAT csv, HEADER true)")
                let lines = try connection.query("SELECT pg_catalog.row_to_json(r)::text FROM (\(select)) AS r").rows.map { ($0.first ?? nil) ?? "null" }
                let base = names.unique(entry.qualified)
                tables.append(ExportManifest.Table(
                    table: entry.qualified, rows: lines.count, reach: Self.describe(entry.reach), readAs: asTenant ? "tenant" : "owner", hiddenByWalls: 0,
                    csv: try write(Data(csv.utf8), base + ".csv", in: directory),
                    jsonl: try write(Data(lines.map { $0 + "\n" }.joined().utf8), base + ".jsonl", in: directory)))
            }
        }
        for index in tables.indices where tables[index].readAs == "tenant" {
            let entry = plan.entries.first { $0.qualified == tables[index].table }!
            let all = Int(try connection.query("SELECT count(*) FROM (\(plan.select(entry, tenant: tenant, owner: true))) AS r").scalar ?? "") ?? 0
            tables[index].hiddenByWalls = all - tables[index].rows
        }
        let order = Dictionary(uniqueKeysWithValues: plan.entries.enumerated().map { ($1.qualified, $0) })
        let manifest = ExportManifest(tenant: id, spec: try SpecFingerprint.of(spec), exportedAt: ISO8601DateFormatter().string(from: Date()),
                                      session: session.transcript, tables: tables.sorted { order[$0.table]! < order[$1.table]! })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try (encoder.encode(manifest) + Data("\n".utf8)).write(to: directory.appendingPathComponent("manifest.json"))
        // The same checksums in the form `sha256sum -c SHA256SUMS` reads.
        let sums = manifest.tables.flatMap { [$0.csv, $0.jsonl] }.map { $0.sha256.dropFirst("sha256:".count) + "  " + $0.path + "\n" }.joined()
        try Data(sums.utf8).write(to: directory.appendingPathComponent("SHA256SUMS"))
        return manifest
    }

    /// A malformed id is a usage error, not a server error mid-export; a tenant the tenants table does not hold
    /// is refused rather than exported as empty files.
    func checkTenant(_ id: String, type: String) throws {
        do {
            _ = try connection.query("SELECT $1::\(type)", [id])
        } catch let error as PostgresError {
            throw ToolError("'\(id)' is not a tenant id of type \(type): \(error.message)")
        }
        guard let scoped = spec.tenantsTable else { return }
        let sql = "SELECT EXISTS (SELECT 1 FROM \(SQL.qualified(scoped.schema, scoped.name)) WHERE \(SQL.ident(scoped.column)) = $1::\(type))::text"
        guard try connection.query(sql, [id]).flag else {
            throw ToolError("tenant \(id) is not in \(scoped.qualifiedName): nothing exported")
        }
    }

    /// The directory must be new or empty: an export never mixes with older files.
    func prepare(_ directory: URL) throws {
        let files = FileManager.default
        if let existing = try? files.contentsOfDirectory(atPath: directory.path), !existing.isEmpty {
            throw ToolError("\(directory.path) is not empty: export into a new directory")
        }
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func write(_ data: Data, _ name: String, in directory: URL) throws -> ExportManifest.File {
        try data.write(to: directory.appendingPathComponent(name), options: .atomic)
        return ExportManifest.File(path: name, sha256: "sha256:" + Checksum.hex(Array(SHA256.hash(data: data))))
    }

    static func describe(_ reach: TenantDataPlan.Reach) -> String {
        switch reach {
        case .column(let column): return "column \(column)"
        case .foreignKeys(let links): return links.map { "foreign key \($0.constraint) → \($0.parent)" }.joined(separator: " or ")
        }
    }
}

/// File names from table names: only letters, digits, `_`, `.` and `-` (a table may be called `../x`), and
/// never the same name twice.
struct FileNames {
    private var used: Set<String> = ["manifest", "sha256sums"]

    mutating func unique(_ qualified: String) -> String {
        let safe = String(qualified.map { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) ? $0 : "_" })
        var name = safe.hasPrefix(".") ? "_" + safe.dropFirst() : safe
        var n = 2
        while used.contains(name.lowercased()) { name = safe + "-\(n)"; n += 1 }
        used.insert(name.lowercased())
        return name
    }
}
