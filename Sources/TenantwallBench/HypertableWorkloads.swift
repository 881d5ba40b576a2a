import PolicyGen
import Quoting

/// The hypertable workloads (issue #25): a point lookup, a tenant's range and a `time_bucket` aggregate on the
/// time-series hypertable, each asked of the RLS form, of the walled form and of the walled form compressed, with
/// each form's own hand-written baseline, in the same interleaved rounds. Pure: SQL from the spec.
///
/// Every query reads one window: the day before the compression horizon, `[now() − after − chunk − 1 day,
/// now() − after − chunk)`, which lies in chunks the compressed copy has compressed (a chunk is compressed once
/// its whole range is older than `after`), so the compressed form is measured on compressed chunks and the
/// other forms on the same rows uncompressed. The window is well inside the data (rows spread over 30 chunks),
/// and fixed when the dataset is built, so a row never slips out of it between one mode and the next.
public struct HypertableWorkloads {
    public static let names = ["hypertable-point", "hypertable-range", "hypertable-bucket"]

    let spec: Spec
    let series: BenchTargets.Series
    let walled: WalledForm
    let compressed: WalledForm
    /// The window's upper bound, fixed when the dataset is built (`now() − after − chunk` then), so that every
    /// mode and every check reads exactly the same rows however long the run takes; nil: computed per statement.
    var fixedHorizon: String?

    var tenant: String { spec.tenancy.column }
    var table: Table { series.table }
    var hypertable: Hypertable { walled.hypertable }

    /// What identifies one row besides the tenant: the rest of the primary key, else the time alone.
    var keyColumns: [String] {
        let rest = table.primaryKey.filter { $0 != tenant }
        return rest.isEmpty ? [series.time] : rest
    }

    /// The window's upper bound, as SQL.
    var horizon: String {
        if let fixedHorizon { return "TIMESTAMPTZ \(SQL.literal(fixedHorizon))" }
        return "pg_catalog.now() - INTERVAL \(SQL.literal(walled.compression.after)) - INTERVAL \(SQL.literal(hypertable.chunkInterval))"
    }
    var windowStart: String { "\(horizon) - INTERVAL '1 day'" }
    var window: String { "\(SQL.ident(series.time)) >= \(windowStart) AND \(SQL.ident(series.time)) < \(horizon)" }

    /// One statement on `relation`: the baseline's names its tenant (`$1`, and `restrict`), the others leave it
    /// to the policy or the view; `body` gets the relation and the WHERE clause's tail and the next parameter.
    func statements(_ make: (_ relation: String, _ filter: String, _ next: Int) -> String) -> (baseline: String, rls: String, forms: [BenchRunner.Mode: String]) {
        let baselineFilter = "\(SQL.ident(tenant)) = $1" + (table.restrict.map { " AND (\($0))" } ?? "") + " AND "
        func both(_ relation: String) -> (String, String) { (make(relation, baselineFilter, 2), make(relation, "", 1)) }
        let (rlsBase, rls) = both(SQL.qualified(table.schema, table.name))
        let walledBase = make(walled.storageName, baselineFilter, 2), compressedBase = make(compressed.storageName, baselineFilter, 2)
        return (rlsBase, rls, [.baseline: rlsBase, .generated: rls, .walledBaseline: walledBase, .walled: make(walled.viewName, "", 1),
                               .compressedBaseline: compressedBase, .compressed: make(compressed.viewName, "", 1)])
    }

    func workload(_ name: String, _ title: String, arguments: @escaping @Sendable (String, Int) -> [String?],
                  _ make: (String, String, Int) -> String) -> Workload {
        let s = statements(make)
        var w = Workload(name: name, title: title, kind: .read, baselineSQL: s.baseline, rlsSQL: s.rls, arguments: arguments)
        w.modes = BenchRunner.Mode.hypertableForms
        w.formSQL = s.forms
        return w
    }

    public func workloads() -> [Workload] {
        let t = table.qualifiedName, time = SQL.ident(series.time), columns = keyColumns
        let point = workload("hypertable-point", "point lookup by key on \(t) (compressed chunks in the compressed form)",
                             arguments: { key, _ in HypertableWorkloads.split(key, count: columns.count) }) { relation, filter, next in
            let keys = columns.enumerated().map { "\(SQL.ident($0.element)) = $\(next + $0.offset)" }.joined(separator: " AND ")
            return "SELECT * FROM \(relation) WHERE \(filter)\(keys)"
        }
        let range = workload("hypertable-range", "a tenant's day of rows on \(t) (ORDER BY \(series.time) DESC)", arguments: { _, _ in [] }) { relation, filter, _ in
            "SELECT * FROM \(relation) WHERE \(filter)\(window) ORDER BY \(time) DESC"
        }
        let sum = series.measure.map { ", pg_catalog.sum(\(SQL.ident($0))) AS total" } ?? ""
        let bucket = workload("hypertable-bucket", "time_bucket('1 hour') count\(series.measure == nil ? "" : " and sum") over a tenant's day on \(t)",
                              arguments: { _, _ in [] }) { relation, filter, _ in
            "SELECT time_bucket(INTERVAL '1 hour', \(time)) AS bucket, pg_catalog.count(*) AS samples\(sum) FROM \(relation) WHERE \(filter)\(window) GROUP BY 1 ORDER BY 1"
        }
        return [point, range, bucket].map { w in
            var w = w
            w.target = Workload.targets[w.name]
            w.explanation = Workload.perStatementCost
            return w
        }
    }

    /// The separator of a key's values (a row's key columns as text, in `keyColumns` order).
    static let separator: Character = "\u{1F}"

    static func split(_ key: String, count: Int) -> [String?] {
        let values = key.split(separator: separator, omittingEmptySubsequences: false).map { String($0) as String? }
        return values.count == count ? values : Array(repeating: nil, count: count)
    }
}
