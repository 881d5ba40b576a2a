import PolicyGen

/// Only members of the admin role may enable admin mode (EXECUTE on `enable_admin_mode()` is theirs alone).
struct AdminEnableNonmember: TableCheck {
    let info = CheckInfo(id: "admin-enable-nonmember", tries: "`enable_admin_mode()` by the app and read-only roles", passesWhen: "refused (42501)")
    let scope = CheckScope.admin

    func run(_ probe: TableProbe, _ target: ProbeTarget) throws -> [CheckResult] {
        let r = probe.spec.roles, session = probe.session
        return try uniqued([r.app] + r.readonly).map { role in
            let attempt = try session.act(role, .tenant(probe.tenants[0])) { session.attempt(probe.enableAdminMode) }
            var out = probe.result(info.id, role, "A", "ADMIN", "\(role), not a member of \(r.admin), cannot enable admin mode", session.evidence,
                                   expected: "42501", actual: attempt.error?.brief ?? "admin mode enabled", passed: attempt.error?.sqlState == "42501")
            out.tap = probe.tap(role, .tenant(probe.tenants[0]), [.run(probe.enableAdminMode)], pass: "$1 = 'ERR:42501'",
                                "\(info.id): \(role) cannot enable admin mode")
            return out
        }
    }
}
