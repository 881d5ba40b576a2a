import PolicyGen
import Quoting

/// The walled form of a hypertable (issue #25) as tenantwall generates it, for a copy of the table beside its RLS
/// form: the spec's table renamed to `tw_bench_walled.<copy>` (its own name is taken by the RLS form), given
/// `compression`, and generated with `Generator(spec:)`; the statements for that copy's objects are the walled
/// schema, the storage `<helper_schema>_walled.<copy>` (owner only, no RLS), its hypertable, compression and
/// policies, its grants, the wall view and the indexes. The benchmark measures what tenantwall makes.
struct WalledForm {
    /// Where the benchmark puts the wall views: the table's own name is taken by its RLS form.
    static let viewSchema = "tw_bench_walled"

    let spec: Spec
    /// The table in its RLS form (already applied and loaded).
    let table: Table
    let hypertable: Hypertable
    let compression: Compression
    /// The copy's name: the storage's and the view's.
    let name: String

    var storage: (schema: String, name: String) { (Hypertable.walledSchema(tenancy: spec.tenancy), name) }
    var view: (schema: String, name: String) { (Self.viewSchema, name) }
    var storageName: String { SQL.qualified(storage.schema, storage.name) }
    var viewName: String { SQL.qualified(view.schema, view.name) }

    /// The spec as the generator sees the copy: this table, walled, with no continuous aggregate (the benchmark
    /// measures the table's reads), and the spec's tenants table, which decides the wall's admin-mode form (an
    /// `= ANY` of the caller's tenants where the admin role may read it).
    var copySpec: Spec {
        var copy = table
        copy.schema = view.schema
        copy.name = name
        copy.hypertable?.compression = compression
        copy.hypertable?.continuousAggregates = []
        var spec = spec
        spec.tables = [copy] + spec.tables.filter { $0.isolation == .self }
        return spec
    }

    func generated(_ statements: [Statement]) -> [String] {
        let qualified = "\(view.schema).\(name)"
        return statements.filter { statement in
            switch statement.object {
            case .schema(let s): return s == storage.schema || s == view.schema
            case .table(let t), .timeSeries(let t), .grants(let t), .wall(let t), .index(table: let t, name: _): return t == qualified
            case .helpers: return statement.sql.contains("admin_tenant_ids")  // what the wall calls in admin mode
            default: return false
            }
        }.map(\.sql)
    }

    /// The statements that run in one transaction: schemas, storage, hypertable, compression and its policies,
    /// grants, the wall view.
    func sql() -> [String] { generated(Generator(spec: copySpec).sections().flatMap(\.statements)) }

    /// The index builds, after that transaction commits.
    func indexSQL() -> [String] { generated(Generator(spec: copySpec).indexSection().statements) }
}
