/// `COPY … TO` is filtered by policies too; a COPY that fails proves nothing either way.
struct CopyOwnRows: TableCheck {
    let info = CheckInfo(id: "copy-own-rows", tries: "`COPY table (tenant_id) TO STDOUT`", passesWhen: "only own rows")
    let scope = CheckScope.tenant

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.select) else { return [] }
        let copy = "COPY \(probe.name) (\(probe.scope)) TO STDOUT"
        let session = probe.session
        let copied = try session.act(target.role, .tenant(target.actor.id)) { session.copyOut(copy) }
        let title = "COPY … TO returns only the session's tenant rows"
        guard let text = copied.result else {
            return [probe.result(info.id, target.role, target.actor.label, "COPY", title, session.evidence,
                                 expected: "0 rows of other tenants", actual: copied.error?.brief ?? "?", passed: false)]
        }
        let values = text.split(separator: "\n").map(String.init)
        let others = values.filter { $0 != target.actor.id }.count
        var out = probe.result(info.id, target.role, target.actor.label, "COPY", title, session.evidence, expected: "0 rows of other tenants",
                               actual: "\(others) rows of other tenants, \(values.count - others) own", passed: others == 0)
        // COPY … TO STDOUT cannot run inside a test function: the script reads the same rows with COPY's query.
        out.tap = probe.tap(target.role, .tenant(target.actor.id), [.count("SELECT \(probe.scope) FROM \(probe.name) WHERE \(probe.scope) IS DISTINCT FROM \(probe.literal(target.actor.id))")],
                            pass: "$1 = '0'", "\(info.id) as \(target.role) (tenant \(target.actor.label)): the rows COPY reads are the session's")
        return [out]
    }
}
