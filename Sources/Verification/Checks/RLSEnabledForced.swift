import PolicyGen
import Quoting

/// The catalog flags: without ENABLE nothing applies; without FORCE the owner bypasses every policy. Not on a
/// walled table, whose wall is a view (`WallView`).
struct RLSEnabledForced: TableCheck {
    let info = CheckInfo(id: "rls-enabled-forced", tries: "the catalog flags", passesWhen: "RLS enabled and forced")
    let scope = CheckScope.table

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        // A walled table's name is a view (no RLS there; TimescaleDB refuses it on the storage): `wall-view` judges it.
        guard !probe.table.isWalled else { return [] }
        let sql = "SELECT relrowsecurity AS enabled, relforcerowsecurity AS forced FROM pg_class WHERE oid = \(SQL.literal(probe.name))::regclass"
        let row = (try? probe.connection.query(sql).named.first) ?? nil
        let actual = row.map { "enabled=\($0["enabled"] ?? "?") forced=\($0["forced"] ?? "?")" } ?? "table missing"
        var out = probe.result(info.id, "-", "-", "CATALOG", "row-level security is enabled and forced", sql + ";",
                               expected: "enabled=t forced=t", actual: actual, passed: actual == "enabled=t forced=t")
        out.tap = probe.tapCatalog("(SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = \(SQL.literal(probe.name))::regclass)",
                                   "\(info.id): row-level security is enabled and forced")
        return [out]
    }
}
