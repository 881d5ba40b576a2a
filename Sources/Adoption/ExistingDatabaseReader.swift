import Foundation
import PolicyGen
import Postgres
import Quoting

/// Reads an existing database for `tenantwall init`: a dozen set-based catalog queries in one read-only,
/// repeatable-read transaction (one consistent catalog), with `search_path = pg_catalog` so that names come
/// back schema-qualified and `DateStyle = ISO` so that partition bounds and dates read the same everywhere.
public enum ExistingDatabaseReader {
    /// `schemas`: only these (empty: every user schema); `helperSchema`: tenantwall's own, never read.
    public static func read(_ connection: Connection, schemas: [String] = [], helperSchema: String = "tenantwall") throws -> ExistingDatabase {
        try connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { _ = try? connection.execute("ROLLBACK") }
        _ = try connection.execute("SET LOCAL search_path = pg_catalog; SET LOCAL DateStyle = 'ISO, YMD'")

        let extensions = try connection.query(ExistingDatabaseQueries.extensionSchemas).named
        let partmanSchema = extensions.first { $0["name"] == "pg_partman" }?["schema"] ?? nil
        var excluded = [helperSchema, helperSchema + "_chunks"]
        if let partmanSchema, partmanSchema != "public" { excluded.append(partmanSchema) }
        let excludedParameter = SQL.textArray(excluded)

        var database = ExistingDatabase()
        database.today = try connection.query("SELECT current_date::text").scalar ?? ""
        let tableRows = try connection.query(ExistingDatabaseQueries.tables, [excludedParameter, SQL.textArray(schemas)]).named
        var tables: [String: ExistingDatabase.Table] = [:]
        var order: [String] = []
        for row in tableRows {
            let oid = row["oid"] ?? ""
            order.append(oid)
            tables[oid] = ExistingDatabase.Table(schema: row["schema"] ?? "", name: row["name"] ?? "", owner: row["owner"] ?? "", columns: [],
                                                 partitionStrategy: row["strategy"], partitionKey: optionalStrings(row["partition_key"]),
                                                 rowSecurity: row.bool("rls"))
        }
        let oids = "{" + order.joined(separator: ",") + "}"

        for row in try connection.query(ExistingDatabaseQueries.columns, [oids]).named {
            tables[row["oid"] ?? ""]?.columns.append(ExistingDatabase.Column(
                name: row["name"] ?? "", type: row["type"] ?? "", notNull: row.bool("not_null"), defaultExpression: row["default"],
                identity: row.bool("identity"), generated: row.bool("generated")))
        }
        for row in try connection.query(ExistingDatabaseQueries.constraints, [oids]).named {
            let oid = row["oid"] ?? ""
            if row["kind"] == "p" { tables[oid]?.primaryKey = strings(row["columns"]) } else {
                tables[oid]?.foreignKeys.append(ExistingDatabase.ForeignKey(columns: strings(row["columns"]), references: row["references"] ?? "",
                                                                            referencedColumns: strings(row["referenced_columns"])))
            }
        }
        for row in try connection.query(ExistingDatabaseQueries.indexes, [oids]).named {
            let all = optionalStrings(row["columns"]), keyCount = row.int("key_count") ?? all.count
            let descending = (decode(row["descending"]) as [Bool]?) ?? []
            tables[row["oid"] ?? ""]?.indexes.append(ExistingDatabase.Index(
                name: row["name"] ?? "", columns: Array(all.prefix(keyCount)),
                descending: Array((descending + Array(repeating: false, count: keyCount)).prefix(keyCount)),
                include: all.dropFirst(keyCount).compactMap { $0 }, unique: row.bool("unique"), primary: row.bool("primary"),
                predicate: row["predicate"], method: row["method"] ?? "btree"))
        }
        for row in try connection.query(ExistingDatabaseQueries.grants, [oids]).named {
            tables[row["oid"] ?? ""]?.grants.append(ExistingDatabase.Grant(role: row["role"] ?? "", privileges: strings(row["privileges"])))
        }
        for row in try connection.query(ExistingDatabaseQueries.partitions, [oids]).named {
            tables[row["oid"] ?? ""]?.partitions.append(ExistingDatabase.Partition(name: row["name"] ?? "", bound: row["bound"] ?? ""))
        }
        var ordered = order.compactMap { tables[$0] }

        if let partmanSchema {
            let config = try connection.query(ExistingDatabaseQueries.partmanConfig(schema: SQL.ident(partmanSchema))).named
            for row in config {
                if let i = ordered.firstIndex(where: { $0.qualifiedName == row["parent"] ?? "" }) { ordered[i].partmanPremake = row.int("premake") }
            }
        }
        if try connection.query(ExistingDatabaseQueries.timescaleInstalled).flag {
            try readHypertables(connection, into: &ordered)
        }
        database.tables = ordered

        database.policies = try connection.query(ExistingDatabaseQueries.policies, [oids]).named.map {
            ExistingDatabase.Policy(table: $0["table"] ?? "", name: $0["name"] ?? "", using: $0["using"], check: $0["check"])
        }
        database.functions = try connection.query(ExistingDatabaseQueries.functions, [excludedParameter]).named.map {
            ExistingDatabase.Function(signature: $0["signature"] ?? "", owner: $0["owner"] ?? "", body: $0["body"])
        }
        database.materializedViews = try connection.query(ExistingDatabaseQueries.materializedViews, [excludedParameter]).named.map {
            ExistingDatabase.MaterializedView(name: $0["name"] ?? "", owner: $0["owner"] ?? "", reads: strings($0["reads"]))
        }
        database.roles = try connection.query(ExistingDatabaseQueries.roles).named.map {
            ExistingDatabase.Role(name: $0["name"] ?? "", superuser: $0.bool("superuser"), bypassRLS: $0.bool("bypassrls"))
        }
        return database
    }

    /// TimescaleDB's dimensions, chunk schema and retention, for the tables that are hypertables.
    static func readHypertables(_ connection: Connection, into tables: inout [ExistingDatabase.Table]) throws {
        let retention = Dictionary(try connection.query(ExistingDatabaseQueries.retention).named.map { ($0["table"] ?? "", $0.int("seconds")) },
                                   uniquingKeysWith: { a, _ in a })
        for row in try connection.query(ExistingDatabaseQueries.hypertableDimensions).named {
            guard let i = tables.firstIndex(where: { $0.qualifiedName == row["table"] ?? "" }) else { continue }
            let column = row["column"] ?? ""
            // The first dimension is the time one; a second is the hash ("space") dimension.
            if tables[i].hypertable == nil {
                tables[i].hypertable = ExistingDatabase.HypertableInfo(timeColumn: column, chunkSeconds: row.int("seconds"), chunkSchema: row["chunk_schema"],
                                                                       retentionSeconds: retention[tables[i].qualifiedName] ?? nil)
            } else {
                tables[i].hypertable?.spaceColumn = column
                tables[i].hypertable?.spacePartitions = row.int("partitions")
            }
        }
    }

    static func decode<T: Decodable>(_ json: String?) -> T? {
        guard let json else { return nil }
        return try? JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static func strings(_ json: String?) -> [String] { (decode(json) as [String]?) ?? [] }

    static func optionalStrings(_ json: String?) -> [String?] { (decode(json) as [String?]?) ?? [] }
}
