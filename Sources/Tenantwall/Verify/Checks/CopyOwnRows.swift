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
        return [probe.result(info.id, target.role, target.actor.label, "COPY", title, session.evidence, expected: "0 rows of other tenants",
                             actual: "\(others) rows of other tenants, \(values.count - others) own", passed: others == 0)]
    }
}
