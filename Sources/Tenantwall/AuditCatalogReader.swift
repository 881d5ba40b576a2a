import Foundation
import Audit
import Postgres

/// Reads the audit's catalog snapshot from a live database: nine set-based queries (ten with TimescaleDB) in one read-only,
/// repeatable-read transaction, so every rule sees one consistent catalog.
public enum AuditCatalogReader {
    public static func read(_ connection: Connection) throws -> AuditCatalog {
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { _ = try? connection.execute("ROLLBACK") }
        return try readInCurrentTransaction(connection)
    }

    /// The same reading inside a transaction the caller owns (to see its uncommitted changes).
    public static func readInCurrentTransaction(_ connection: Connection) throws -> AuditCatalog {
        var catalog = AuditCatalogQueries.catalog(try AuditCatalogQueries.all.map { try connection.query($0).records })
        if try connection.query(AuditCatalogQueries.timescaleInstalled).scalar == "true" {
            catalog.hypertables = Set(try connection.query(AuditCatalogQueries.hypertables).rows.compactMap { $0[0] })
            for row in try connection.query(AuditCatalogQueries.continuousAggregates).rows {
                if let view = row[0], let table = row[1] { catalog.continuousAggregates[view] = table }
            }
            catalog.compressedHypertables = Set(try connection.query(AuditCatalogQueries.compressedHypertables).rows.compactMap { $0[0] })
        }
        if try connection.query(AuditCatalogQueries.citusInstalled).scalar == "true" {
            catalog.distributed = Set(try connection.query(AuditCatalogQueries.distributed).rows.compactMap { $0[0] })
            for row in try connection.query(AuditCatalogQueries.roleSettings).named {
                let values = (row["settings"] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").map(String.init)
                catalog.roleSettings[row["role"] ?? "", default: []] += values
            }
        }
        return catalog
    }
}
