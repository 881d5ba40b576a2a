/// The read wall, with its positive control: no row of another tenant, and the session's own rows visible (a
/// policy that hides everything would pass the first half alone).
struct SelectOwnRows: TableCheck {
    let info = CheckInfo(id: "select-own-rows", tries: "`SELECT`", passesWhen: "no row of another tenant, own rows visible")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.select) else { return [] }
        let own = probe.literal(target.actor.id)
        let foreign = "SELECT \(probe.scope)::text FROM \(probe.name) WHERE \(probe.scope) IS DISTINCT FROM \(own) LIMIT 5"
        let count = "SELECT count(*) FROM \(probe.name) WHERE \(probe.scope) = \(own)"
        let session = probe.session
        let (leaked, mine) = try session.act(target.role, .tenant(target.actor.id)) { (session.attempt(foreign), session.attempt(count)) }
        let leakedRows = leaked.result?.rows.count ?? 0
        let ownRows = Int(mine.result?.scalar ?? "0") ?? 0
        let actual = leaked.error.map(\.brief) ?? mine.error.map(\.brief)
            ?? "\(leakedRows) rows of other tenants (\(leaked.result?.rows.compactMap { $0[0] }.joined(separator: ", ") ?? "")), \(ownRows) own rows"
        var out = probe.result(info.id, target.role, target.actor.label, "SELECT", "SELECT returns only the session's tenant rows", session.evidence,
                               expected: "0 rows of other tenants, own rows visible", actual: actual,
                               passed: leaked.error == nil && leakedRows == 0 && ownRows > 0)
        out.tap = probe.tap(target.role, .tenant(target.actor.id), [.count(foreign), .value(count)], pass: "$1 = '0' AND $2 ~ '^[1-9][0-9]*$'",
                            "\(info.id) as \(target.role) (tenant \(target.actor.label)): only the session's rows, its own visible")
        return [out]
    }
}
