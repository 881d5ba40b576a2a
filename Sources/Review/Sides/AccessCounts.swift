import Catalog

/// A side's role × relation × command entries counted by reach, straight from the catalog's grants, RLS flags,
/// owners and role attributes: what the report says of each side before (and besides) the comparison.
///
/// The same rules the access model applies for grants and bypasses (a role's privileges are its own, PUBLIC's
/// and its memberships'; RLS does not govern TRUNCATE and REFERENCES, the owner unless forced, a bypassing
/// role), without the predicates: a count, not a model.
public enum AccessCounts {
    public static let commands = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES"]
    static let systemSchemas: Set<String> = ["pg_catalog", "information_schema", "_timescaledb_catalog", "_timescaledb_config"]

    /// The roles modelled: the settings' (or every role that is not a superuser and not `pg_*`), and PUBLIC.
    public static func roles(_ catalog: DatabaseCatalog, settings: ReviewSettings) -> [String] {
        let names = settings.roles.isEmpty
            ? catalog.roles.filter { !$0.superuser && !$0.name.hasPrefix("pg_") }.map(\.name).sorted()
            : settings.roles
        return names + ["PUBLIC"]
    }

    /// The relations modelled: tables, partitions, chunks, views, materialized views and foreign tables outside
    /// the system schemas and the settings' skipped ones.
    public static func relations(_ catalog: DatabaseCatalog, settings: ReviewSettings) -> [DatabaseCatalog.Table] {
        catalog.tables.filter {
            ["r", "p", "v", "m", "f"].contains($0.kind) && !systemSchemas.contains($0.schema) && !settings.skippedSchemas.contains($0.schema)
        }
    }

    /// Entries by reach: `denied`, `filtered` (RLS applies), `unfiltered`, `view`.
    public static func count(_ catalog: DatabaseCatalog, settings: ReviewSettings) -> [String: Int] {
        var counts: [String: Int] = [:]
        let rolesByName = Dictionary(catalog.roles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for table in relations(catalog, settings: settings) {
            let grants = Set(table.grants)
            for role in roles(catalog, settings: settings) {
                let info = rolesByName[role]
                let holders = Set([role, "PUBLIC"] + (info?.memberOf ?? []))
                let owner = holders.contains(table.owner)
                for command in commands {
                    let granted = owner || holders.contains { grants.contains("\($0):\(command)") }
                    let reach: String
                    if !granted { reach = "denied" }
                    else if ["v", "m"].contains(table.kind) { reach = "view" }
                    else if !table.rls || info?.bypasses == true || (owner && !table.forced) || ["TRUNCATE", "REFERENCES"].contains(command) { reach = "unfiltered" }
                    else { reach = "filtered" }
                    counts[reach, default: 0] += 1
                }
            }
        }
        return counts
    }
}
