/// `COPY … TO` is filtered by policies too; a COPY that fails proves nothing either way, and neither does one
/// that returns nothing at all: the session's own rows must come out (the positive control).
///
/// Under row-level security `COPY table TO` reads the table itself only (the server turns it into a query
/// on `ONLY table`), so on a partitioned table, a hypertable or a Citus distributed table, whose rows live in
/// partitions, chunks or shards, it returns nothing whatever the walls: there the check copies `(SELECT …
/// FROM table)`, as such a table is copied out.
struct CopyOwnRows: TableCheck {
    let info = CheckInfo(id: "copy-own-rows",
                         tries: "`COPY table (tenant_id) TO STDOUT` (`COPY (SELECT …)` for a partitioned table, hypertable or Citus distributed table)",
                         passesWhen: "only own rows, own rows copied")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.select) else { return [] }
        let tenancy = probe.spec.tenancy
        let parent = probe.rows.live?.isPartitioned == true || probe.table.hypertable != nil
            || (tenancy.citus && probe.table.citusPlacement(tenancy: tenancy) != .local)
        let copy = parent ? "COPY (SELECT \(probe.scope) FROM \(probe.name)) TO STDOUT" : "COPY \(probe.name) (\(probe.scope)) TO STDOUT"
        let session = probe.session
        let copied = try session.act(target.role, .tenant(target.actor.id)) { session.copyOut(copy) }
        let title = "COPY … TO returns only the session's tenant rows"
        guard let text = copied.result else {
            return [probe.result(info.id, target.role, target.actor.label, "COPY", title, session.evidence,
                                 expected: "0 rows of other tenants", actual: copied.error?.brief ?? "?", passed: false)]
        }
        let values = text.split(separator: "\n").map(String.init)
        let others = values.filter { $0 != target.actor.id }.count
        var out = probe.result(info.id, target.role, target.actor.label, "COPY", title, session.evidence, expected: "0 rows of other tenants, own rows copied",
                               actual: "\(others) rows of other tenants, \(values.count - others) own", passed: others == 0 && values.count > others)
        // COPY … TO STDOUT cannot run inside a test function: the script reads the same rows with COPY's query.
        let from = probe.name
        out.tap = probe.tap(target.role, .tenant(target.actor.id),
                            [.count("SELECT \(probe.scope) FROM \(from) WHERE \(probe.scope) IS DISTINCT FROM \(probe.literal(target.actor.id))"),
                             .count("SELECT \(probe.scope) FROM \(from) WHERE \(probe.scope) = \(probe.literal(target.actor.id))")],
                            pass: "$1 = '0' AND $2 <> '0' AND $2 NOT LIKE 'ERR:%'", "\(info.id) as \(target.role) (tenant \(target.actor.label)): the rows COPY reads are the session's, its own among them")
        return [out]
    }
}
