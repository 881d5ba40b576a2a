import PolicyGen
import Quoting
import Tenantwall

/// Which of a spec's tables each workload runs against, and the workloads' SQL: a point-lookup table (a tenant
/// table keyed by the tenant column and one more), a time-series table (time-partitioned, a hypertable, or
/// failing those a tenant table with a non-null time column), and the columns the LIKE, UPDATE and aggregate
/// workloads use. Pure: from the spec alone.
///
/// A workload the spec cannot support (no keyed table, no time column, no write grant for the application)
/// is left out with a note saying why, rather than measured against something the application never runs.
public struct BenchTargets {
    public struct Point {
        public var table: Table
        public var key: String
        public var likeColumn: String?
        public var updateColumn: String?
    }

    public struct Series {
        public var table: Table
        public var time: String
        public var measure: String?
    }

    public let spec: Spec
    public private(set) var point: Point?
    public private(set) var series: Series?
    public private(set) var notes: [String] = []

    public init(spec: Spec) {
        self.spec = spec
        let column = spec.tenancy.column
        let tenantTables = spec.tables.filter { $0.isolation == .tenant }
        let keyed = tenantTables.filter { $0.primaryKey.first == column && $0.primaryKey.count >= 2 }
        if let table = keyed.first(where: { $0.primaryKey.count == 2 && !Self.isTimeSeries($0) }) ?? keyed.first(where: { $0.primaryKey.count == 2 }) ?? keyed.first {
            let key = table.primaryKey[1]
            let indexed = Set(table.indexes.flatMap { $0.columns.map(\.name) } + table.primaryKey)
            let free = table.columns.filter { $0.name != column && !table.primaryKey.contains($0.name) }
            let text = free.filter { Self.isText($0.type) }
            point = Point(table: table, key: key,
                          likeColumn: (text.first { $0.notNull } ?? text.first)?.name,
                          updateColumn: (free.first { Self.isNumber($0.type) && !indexed.contains($0.name) } ?? free.first { !indexed.contains($0.name) } ?? free.first)?.name)
        } else {
            notes.append("no tenant table has a primary key of the tenant column and another: the point, update, LIKE and end-to-end workloads are left out")
        }
        // A time column, by preference: the partitioning or hypertable column; one a tenant-leading index
        // orders; any non-null one.
        func indexedTime(_ table: Table) -> String? {
            table.indexes.first { $0.columns.count >= 2 && $0.columns[0].name == column && table.column($0.columns[1].name).map { TypeName.isTime($0.type) && $0.notNull } == true }?.columns[1].name
        }
        func anyTime(_ table: Table) -> String? { table.columns.first { TypeName.isTime($0.type) && $0.notNull }?.name }
        let choice = tenantTables.lazy.compactMap { t in (t.partitioning?.column ?? t.hypertable?.timeColumn).map { (t, $0) } }.first
            ?? tenantTables.lazy.compactMap { t in indexedTime(t).map { (t, $0) } }.first
            ?? tenantTables.lazy.compactMap { t in anyTime(t).map { (t, $0) } }.first
        if let (table, time) = choice {
            let measure = table.columns.first { Self.isNumber($0.type) && !table.primaryKey.contains($0.name) && $0.name != column }?.name
            series = Series(table: table, time: time, measure: measure)
        } else {
            notes.append("no tenant table has a non-null time column: the range-scan and aggregate workloads are left out")
        }
    }

    /// The table the insert workloads write to: the time-series table, else the point table.
    public var insertTable: Table? { series?.table ?? point?.table }

    static func isTimeSeries(_ table: Table) -> Bool { table.partitioning != nil || table.hypertable != nil }

    static func isText(_ type: String) -> Bool {
        guard let t = TypeName.normalize(type), !t.hasSuffix("[]") else { return false }
        // Fixed-width char pads its values: a prefix search on it is not the workload people run.
        let base = t.split(separator: "(").first.map(String.init) ?? t
        return TypeCategory(t) == .text && !["char", "character"].contains(base)
    }

    static func isNumber(_ type: String) -> Bool {
        guard let t = TypeName.normalize(type), !t.hasSuffix("[]") else { return false }
        return TypeCategory(t).isNumber && t != "money"
    }

    var tenant: String { SQL.ident(spec.tenancy.column) }

    /// The baseline's own filter: the tenant, and the spec's `restrict` condition, which the bypassing baseline
    /// would otherwise not see.
    func baselineFilter(_ table: Table) -> String {
        "\(tenant) = $1" + (table.restrict.map { " AND (\($0))" } ?? "")
    }

    /// The workloads this spec supports, in the order they are reported.
    public func workloads() -> (workloads: [Workload], notes: [String]) {
        var out: [Workload] = []
        var notes = self.notes
        if let p = point { out.append(pointLookup(p)) }
        if let s = series { out += seriesReads(s) }
        if let i = insertTable { out += inserts(i, notes: &notes) }
        if let p = point {
            out += pointWrites(p, notes: &notes)
            var endToEnd = out[0]
            endToEnd.name = "end-to-end"
            endToEnd.title = "set the tenant context and look up a row in one round trip and one transaction (pipeline)"
            endToEnd.kind = .endToEnd
            endToEnd.modes = BenchRunner.Mode.measured(for: spec.tenancy) + [.trivial]
            out.append(endToEnd)
        }
        if spec.tenancy.citus {
            // Citus routes a statement to one shard only when the query names the tenant (a constant or a bound
            // parameter; the policy's qual does not prune): the application sends it in the context and in the
            // query, so the measured statements do both.
            for i in out.indices where !out[i].tenantInRLS {
                out[i].rlsSQL = out[i].baselineSQL
                out[i].tenantInRLS = true
            }
        }
        for i in out.indices {
            out[i].target = Workload.targets[out[i].name]
            if out[i].name == "end-to-end" { out[i].explanation = Workload.contextStatementCost }
            else if out[i].target != nil { out[i].explanation = Workload.perStatementCost }
        }
        return (out, notes)
    }

    /// The primary-key point lookup: the first workload, and the statement the end-to-end one wraps.
    func pointLookup(_ p: Point) -> Workload {
        let t = SQL.qualified(p.table.schema, p.table.name), key = SQL.ident(p.key)
        return Workload(name: "point", title: "primary-key point lookup on \(p.table.qualifiedName)", kind: .read,
                        baselineSQL: "SELECT * FROM \(t) WHERE \(baselineFilter(p.table)) AND \(key) = $2",
                        rlsSQL: "SELECT * FROM \(t) WHERE \(key) = $1",
                        arguments: { k, _ in [k] })
    }

    /// The tenant range scan and the time-range aggregate over the time-series table.
    func seriesReads(_ s: Series) -> [Workload] {
        var out: [Workload] = []
        let t = SQL.qualified(s.table.schema, s.table.name), time = SQL.ident(s.time)
        out.append(Workload(name: "range", title: "tenant range scan on \(s.table.qualifiedName) (ORDER BY \(s.time) DESC LIMIT 50)", kind: .read,
                            baselineSQL: "SELECT * FROM \(t) WHERE \(baselineFilter(s.table)) ORDER BY \(time) DESC LIMIT 50",
                            rlsSQL: "SELECT * FROM \(t) ORDER BY \(time) DESC LIMIT 50",
                            arguments: { _, _ in [] }))
        let sum = s.measure.map { ", pg_catalog.sum(\(SQL.ident($0)))" } ?? ""
        let select = "SELECT pg_catalog.date_trunc('day', \(time)) AS day, pg_catalog.count(*)\(sum) FROM \(t) WHERE "
        let tail = "\(time) >= pg_catalog.now() - interval '7 days' GROUP BY 1 ORDER BY 1"
        out.append(Workload(name: "aggregate", title: "time-range aggregate over \(s.table.qualifiedName) (7 days by day)", kind: .read,
                            baselineSQL: select + baselineFilter(s.table) + " AND " + tail, rlsSQL: select + tail,
                            arguments: { _, _ in [] }))
        return out
    }

    /// Single-row and batched INSERT, when the application may insert and every required column can be generated.
    func inserts(_ i: Table, notes: inout [String]) -> [Workload] {
        let app = spec.roles.app
        var out: [Workload] = []
        if !i.commands(for: app).contains(.insert) {
            notes.append("\(app) may not insert into \(i.qualifiedName): the insert workloads are left out")
        } else if let (columns, values) = insertColumns(i) {
            let t = SQL.qualified(i.schema, i.name)
            let list = ([tenant] + columns).joined(separator: ", ")
            let sql = "INSERT INTO \(t) (\(list)) VALUES ($1, \(values.joined(separator: ", ")))"
            let batch = "INSERT INTO \(t) (\(list)) SELECT $1, \(values.joined(separator: ", ")) FROM pg_catalog.generate_series(1, 100) AS g"
            out.append(Workload(name: "insert", title: "single-row INSERT into \(i.qualifiedName) (the WITH CHECK path)", kind: .write,
                                baselineSQL: sql, rlsSQL: sql, arguments: { _, _ in [] }, tenantInRLS: true))
            out.append(Workload(name: "insert-batch", title: "batched INSERT of 100 rows into \(i.qualifiedName)", kind: .write,
                                baselineSQL: batch, rlsSQL: batch, arguments: { _, _ in [] }, tenantInRLS: true))
        } else {
            notes.append("a non-null column of \(i.qualifiedName) has a type the benchmark cannot generate: the insert workloads are left out")
        }
        return out
    }

    /// The single-row UPDATE and the LIKE search on the point table.
    func pointWrites(_ p: Point, notes: inout [String]) -> [Workload] {
        let app = spec.roles.app
        var out: [Workload] = []
        let t = SQL.qualified(p.table.schema, p.table.name), key = SQL.ident(p.key)
        if let u = p.updateColumn, p.table.commands(for: app).contains(.update) {
            let column = SQL.ident(u)
            let value = p.table.column(u).map { Self.isNumber($0.type) } == true ? "\(column) + 1" : column
            out.append(Workload(name: "update", title: "single-row UPDATE of \(p.table.qualifiedName).\(u)", kind: .write,
                                baselineSQL: "UPDATE \(t) SET \(column) = \(value) WHERE \(baselineFilter(p.table)) AND \(key) = $2",
                                rlsSQL: "UPDATE \(t) SET \(column) = \(value) WHERE \(key) = $1",
                                arguments: { k, _ in [k] }))
        } else {
            notes.append("\(app) may not update \(p.table.qualifiedName) (or it has no column to update): the update workload is left out")
        }
        if let l = p.likeColumn {
            let column = SQL.ident(l)
            let hex = Array("0123456789abcdef")
            out.append(Workload(name: "like", title: "LIKE 'prefix%' search on \(p.table.qualifiedName).\(l) (non-leakproof operator)", kind: .read,
                                baselineSQL: "SELECT \(key), \(column) FROM \(t) WHERE \(baselineFilter(p.table)) AND \(column) LIKE $2 ORDER BY \(column) LIMIT 20",
                                rlsSQL: "SELECT \(key), \(column) FROM \(t) WHERE \(column) LIKE $1 ORDER BY \(column) LIMIT 20",
                                arguments: { _, n in [String(hex[n % 16]) + String(hex[(n / 16) % 16]) + "%"] },
                                limitation: Workload.likeLimitation))
        } else {
            notes.append("\(p.table.qualifiedName) has no text column: the LIKE workload is left out")
        }
        return out
    }

    /// The columns an inserted row names (besides the tenant) and their values; nil when a non-null column
    /// without a default has a type with no generator. Columns with defaults are left to them.
    func insertColumns(_ table: Table) -> ([String], [String])? {
        var columns: [String] = [], values: [String] = []
        for column in table.columns where column.name != spec.tenancy.column && column.defaultValue == nil {
            if let value = BenchValues.insert(column.type) {
                columns.append(SQL.ident(column.name))
                values.append(value)
            } else if column.notNull {
                return nil
            }
        }
        return (columns, values)
    }
}
