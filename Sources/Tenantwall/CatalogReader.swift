import Catalog
import Foundation
import Postgres

/// The old name of the one catalog reader.
public typealias AuditCatalogReader = CatalogReader

/// Reads the one catalog model from a live database: twelve set-based queries (a few more with TimescaleDB or
/// Citus) in one read-only, repeatable-read transaction, so audit rules, plan's fingerprints and verify's report
/// all see one consistent catalog.
public enum CatalogReader {
    /// Reads in a transaction of its own, rolled back at once: not for use inside a caller's transaction (its
    /// ROLLBACK would end it); there, `readInCurrentTransaction`.
    public static func read(_ connection: Connection) throws -> DatabaseCatalog {
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { _ = try? connection.execute("ROLLBACK") }
        return try readInCurrentTransaction(connection)
    }

    /// The same reading inside a transaction the caller owns (to see its uncommitted changes: plan's "after").
    public static func readInCurrentTransaction(_ connection: Connection) throws -> DatabaseCatalog {
        var catalog = CatalogQueries.catalog(try CatalogQueries.all.map { try connection.query($0).records })
        if try connection.query(CatalogQueries.timescaleInstalled).scalar == "true" {
            catalog.hypertables = Set(try connection.query(CatalogQueries.hypertables).rows.compactMap { $0[0] })
            for row in try connection.query(CatalogQueries.continuousAggregates).rows {
                if let view = row[0], let table = row[1] { catalog.continuousAggregates[view] = table }
            }
            catalog.compressedHypertables = Set(try connection.query(CatalogQueries.compressedHypertables).rows.compactMap { $0[0] })
            for row in try connection.query(CatalogQueries.timescaleSettings).rows {
                if let relation = row[0], let line = row[1] { catalog.timescaleSettings[relation, default: []].append(line) }
            }
        }
        if try connection.query(CatalogQueries.citusInstalled).scalar == "true" {
            catalog.distributed = Set(try connection.query(CatalogQueries.distributed).rows.compactMap { $0[0] })
            for row in try connection.query(CatalogQueries.roleSettings).named {
                let values = (row["settings"] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").map(String.init)
                catalog.roleSettings[row["role"] ?? "", default: []] += values
            }
        }
        return catalog
    }
}
