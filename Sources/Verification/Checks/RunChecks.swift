/// The checks `Verifier` runs once per run rather than per table (their code is there: they read roles,
/// ownership and the session's context, not one table's rows).
enum RunChecks {
    static let all = [
        CheckInfo(id: "role-exists", tries: "each role the spec names, in `pg_roles`", passesWhen: "it exists"),
        CheckInfo(id: "role-no-bypass", tries: "each access role's attributes and memberships",
                  passesWhen: "not superuser, not `BYPASSRLS`, not a member of such a role"),
        CheckInfo(id: "role-owns-table", tries: "the owner of every spec table", passesWhen: "no access role owns one (an owner can turn FORCE off)"),
        CheckInfo(id: "context-transaction-local", tries: "`set_tenant_context()` in one transaction, `current_tenant_id()` in the next",
                  passesWhen: "no context left (the pooled-connection leak); a `scope: session` spec is flagged"),
        CheckInfo(id: "pooler-context-next-client", tries: "`--pooler`: `set_tenant_context()` committed by one client through the pooler, `current_tenant_id()` read by the next client on the same server connection",
                  passesWhen: "no context (a `scope: session` setter fails, with its remedy); skipped when the pooler never hands over the same server connection"),
        CheckInfo(id: "pooler-admin-next-client", tries: "`--pooler`: `enable_admin_mode()` committed by one client, `admin_mode_enabled()` read by the next on the same server connection",
                  passesWhen: "false; skipped when the pooler's user may not enable admin mode"),
        CheckInfo(id: "binding-trusts-application", tries: "the spec's binding", passesWhen: "a note with the `context` binding: any code that can run SQL on the application's connection can choose a tenant"),
        CheckInfo(id: "table-covered", tries: "every table with the tenant column", passesWhen: "the spec covers it (pg_partman's template tables aside)"),
        CheckInfo(id: "worker-direct-login", tries: "Citus: logging in to each worker as each access role, straight from the verifier's host",
                  passesWhen: "refused (only the coordinator may connect as them: pg_hba on the workers)"),
        CheckInfo(id: "leftover-probe-rows", tries: "Citus: before probing, the probe rows a killed or disconnected verify committed (`tenantwall_verify.probe_rows`), removed on every node",
                  passesWhen: "a note saying what was removed, per table and run; none left"),
        CheckInfo(id: "probe-tenants-unused", tries: "Citus: every spec table, for rows of the probe tenant ids, before any probe row is committed",
                  passesWhen: "none (verify commits probe rows there and deletes them by tenant id, so it refuses ids a real tenant has)"),
    ] + Verifier.sessionSettingChecks
}
