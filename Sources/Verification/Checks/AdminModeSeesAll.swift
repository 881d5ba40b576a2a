/// The positive control for admin mode: the admin role, after `enable_admin_mode()`, sees every tenant.
struct AdminModeSeesAll: TableCheck {
    let info = CheckInfo(id: "admin-mode-sees-all", tries: "the admin role after `enable_admin_mode()`", passesWhen: "sees every probe tenant")
    let scope = CheckScope.admin

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        let r = probe.spec.roles, session = probe.session
        guard probe.table.commands(for: r.admin).contains(.select) else { return [] }
        let seen = try session.act(r.admin, .tenant(probe.tenants[0])) { () -> String in
            let on = session.attempt(probe.enableAdminMode)
            if let error = on.error { return error.brief }
            return (try? session.read(probe.distinctProbeTenants)) ?? "error"
        }
        var out = probe.result(info.id, r.admin, "A", "ADMIN", "the admin role in admin mode sees every tenant", session.evidence,
                               expected: "\(probe.tenants.count) tenants visible", actual: "\(seen) tenant(s) visible", passed: seen == String(probe.tenants.count))
        out.tap = probe.tap(r.admin, .tenant(probe.tenants[0]), [.run(probe.enableAdminMode), .value(probe.distinctProbeTenants)],
                            pass: "$1 NOT LIKE 'ERR:%' AND $2 = '\(probe.tenants.count)'", "\(info.id): \(r.admin) in admin mode sees every probe tenant")
        return [out]
    }
}
