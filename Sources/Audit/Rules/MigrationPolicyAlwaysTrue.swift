/// TW516: a migration creates or alters a policy whose USING or WITH CHECK is always true (TW106 finds it in
/// a live catalog; this finds it before it ships).
///
/// Like TW106, which judges tables that hold the tenant column, it leaves alone a policy on a table the pending
/// migrations create without that column: shared reference data (tenantwall's `isolation: shared`, a
/// `FOR SELECT USING (true)` readable by every tenant) has no tenants to separate. A policy on a table the
/// migrations do not create is judged as if it held tenant rows. Nor a policy for the table's owner alone, when
/// the migrations made it the owner (it could turn RLS off; `roles.owner_access: all`).
public struct MigrationPolicyAlwaysTrue: AuditRule {
    public let id = "TW516", name = "migration-policy-always-true", severity = Severity.error
    public let title = "migration writes a policy that is always true"
    public let explanation = "USING (true), or an OR with a true branch, lets every row through: the policy separates no tenants."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        let all = MigrationStatement.all(input)
        return all.enumerated().compactMap { i, s in
            guard ["CreatePolicyStmt", "AlterPolicyStmt"].contains(s.statement.kind) else { return nil }
            let open = [s.node["qual"], s.node["with_check"]].compactMap { $0 }.contains { node in
                PolicyExpression.isTrue(node) || orHasTrueBranch(node)
            }
            guard open else { return nil }
            let table = s.policyTable
            let sharedTable = table.map { table in
                all[..<i].contains { c in
                    c.statement.kind == "CreateStmt" && c.relation.map { MigrationStatement.sameTable($0, table) } == true
                        && !strings(in: c.node["tableElts"] ?? [], keys: ["colname"]).contains(input.tenantColumn)
                }
            } ?? false
            guard !sharedTable else { return nil }
            // A policy for the table's owner alone (tenantwall's `tw_owner_all`, `roles.owner_access: all`): the
            // owner may turn RLS off on its own table, so a true policy for it opens nothing FORCE had closed;
            // it lets its jobs and refreshes see every row. Only when these migrations made that role the owner.
            let roles = strings(in: s.node["roles"] ?? [], keys: ["rolename"])
            if let table, roles.count == 1, all[..<i].contains(where: { c in
                c.statement.kind == "AlterTableStmt" && c.relation.map { MigrationStatement.sameTable($0, table) } == true
                    && (c.node["cmds"] as? [Any] ?? []).contains { cmd in
                        let command = (cmd as? [String: Any])?["AlterTableCmd"] as? [String: Any]
                        return command?["subtype"] as? String == "AT_ChangeOwner" && strings(in: command?["newowner"] ?? [:], keys: ["rolename"]) == roles
                    }
            }) { return nil }
            return finding("policy \(s.node["policy_name"] as? String ?? "?") on \(table ?? "?") is always true", at: s.location,
                           fix: "USING (tenant_id = (SELECT <helper>.current_tenant_id()))")
        }
    }

    func orHasTrueBranch(_ node: Any) -> Bool {
        guard let expr = (node as? [String: Any])?["BoolExpr"] as? [String: Any], expr["boolop"] as? String == "OR_EXPR" else { return false }
        return (expr["args"] as? [Any] ?? []).contains(where: PolicyExpression.isTrue)
    }
}
