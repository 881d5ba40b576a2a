import PolicyGen

/// Fail closed on writes: without a valid context no row is accepted.
struct NoContextInsert: TableCheck {
    let info = CheckInfo(id: "insert-{none,empty,malformed}-context", tries: "`INSERT` likewise", passesWhen: "rejected (with `missing_context: error`, none and empty: `TW001`, the admin role aside)")
    let scope = CheckScope.noContext

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        guard target.commands.contains(.insert) else { return [] }
        let context = target.context
        let sql = probe.insert(tenant: probe.tenants[0], seed: 902)
        let session = probe.session
        let attempt = try session.act(target.role, context) { session.attempt(sql) }
        if probe.spec.loudWithoutContext(target.role, context.label) {
            let code = MissingContext.sqlState
            var out = probe.result("insert-\(context.label)-context", target.role, context.label, "INSERT", "with \(context.label) context, INSERT fails with \(code) (missing_context: error)",
                                   session.evidence, expected: "error \(code)", actual: attempt.error?.brief ?? "row accepted", passed: attempt.error?.sqlState == code)
            out.tap = probe.tap(target.role, context, [.run(sql)], pass: "$1 = 'ERR:\(code)'", "insert-\(context.label)-context as \(target.role): fails with \(code)")
            return [out]
        }
        var out = probe.result("insert-\(context.label)-context", target.role, context.label, "INSERT", "with \(context.label) context, INSERT is rejected",
                               session.evidence, expected: "rejected", actual: attempt.error?.brief ?? "row accepted", passed: attempt.error != nil)
        out.tap = probe.tap(target.role, context, [.run(sql)], pass: "$1 LIKE 'ERR:%'", "insert-\(context.label)-context as \(target.role): rejected")
        return [out]
    }
}
