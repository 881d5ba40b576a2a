import Citus
import PolicyGen
import Quoting

/// Citus: every shard placement carries the coordinator table's walls (RLS enabled and forced, the same
/// policies, permissive or restrictive as written). A placement edited by hand on a worker, or a policy Citus
/// carried over wrongly, shows here; a worker answers for its shards whatever the coordinator holds.
struct ShardPlacements: TableCheck {
    let info = CheckInfo(id: "shard-placements", tries: "Citus: every shard placement's RLS flags and policies, read on its worker",
                         passesWhen: "each placement matches the coordinator's table")
    let scope = CheckScope.table

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard probe.spec.tenancy.citus, probe.table.citusDistributionColumn(tenancy: probe.spec.tenancy) != nil else { return [] }
        let state = try CitusPlacements.state(probe.connection, table: probe.name)
        return [probe.result(info.id, "-", "-", "CATALOG", "every shard placement carries the table's policies, RLS enabled and forced",
                             "SELECT * FROM run_command_on_placements(\(SQL.literal(probe.name))::regclass, <the table's flags and policies>);",
                             expected: CitusPlacements.consistent, actual: state, passed: state == CitusPlacements.consistent)]
    }
}
