import PolicyGen
import Tenantwall

/// SQL expressions that make synthetic values for a spec's column types, for loading the benchmark dataset
/// (`g` is the row's number, so text and integer keys are unique) and for the insert workloads (random, so
/// concurrent clients never collide on a key).
///
/// Every expression is built from the column's validated type name; nothing else from the spec reaches the SQL.
enum BenchValues {
    /// An expression for row `g` of a load, or nil when the type has no generator (the column is then left NULL
    /// if it may be, and the table is not loaded if it may not).
    static func load(_ type: String, time window: String) -> String? {
        expression(type, serial: "g", time: "pg_catalog.now() - pg_catalog.random() * (\(window))")
    }

    /// An expression for one inserted row: fresh random keys, the current time.
    static func insert(_ type: String) -> String? {
        expression(type, serial: "(pg_catalog.random() * 2000000000)::bigint", time: "pg_catalog.now()")
    }

    private static func expression(_ raw: String, serial: String, time: String) -> String? {
        guard let type = TypeName.normalize(raw) else { return nil }
        if type.hasSuffix("[]") { return "'{}'::" + type }
        let value: String
        switch TypeCategory(type) {
        case .uuid: value = "pg_catalog.gen_random_uuid()"
        case .smallint: value = "(\(serial) % 32000)"
        case .integer: value = "(\(serial) % 2000000000)"
        case .bigint: value = serial
        case .float: value = "(pg_catalog.random() * 100)"
        case .numeric: value = "pg_catalog.random()"
        case .boolean: value = "(\(serial) % 2 = 0)"
        case .text: value = "pg_catalog.md5(\(serial)::text || pg_catalog.random()::text)"
        case .timestamp: value = time
        case .date: value = "(\(time))::date"
        case .time: value = "pg_catalog.localtime"
        case .interval: value = "interval '1 hour'"
        case .json: value = "pg_catalog.json_build_object('n', \(serial))"
        case .bytea: value = "pg_catalog.decode(pg_catalog.md5(\(serial)::text), 'hex')"
        case .inet: value = "'10.0.0.0/8'"
        case .macaddr: value = "'08:00:2b:01:02:03'"
        case .tsvector: value = "pg_catalog.to_tsvector('simple', pg_catalog.md5(\(serial)::text))"
        case .other: return nil
        }
        return "(\(value))::" + type
    }

    /// The expression for tenant number `k` (0-based) as the spec's tenant type.
    static func tenantExpression(_ k: String, type: TenantType) -> String {
        switch type {
        case .uuid: return "('00000000-0000-4000-8000-' || pg_catalog.lpad(pg_catalog.to_hex(\(k)), 12, '0'))::uuid"
        case .bigint: return "((\(k)) + 1)::bigint"
        case .integer: return "((\(k)) + 1)::integer"
        case .text: return "('tenant-' || (\(k)))"
        }
    }

    /// A skewed tenant number: tenant k's share falls off as a power law (a few large tenants, many small).
    static func skewedTenant(count: Int) -> String {
        "pg_catalog.floor(\(count) * pg_catalog.power(pg_catalog.random(), 2.5))::int"
    }
}
