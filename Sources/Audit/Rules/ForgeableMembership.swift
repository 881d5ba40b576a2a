/// TW131: a policy's sub-select reads a table without row-level security that an application role can write:
/// the application can insert the membership row the policy looks for, and so grant itself any tenant.
public struct ForgeableMembership: AuditRule {
    public let id = "TW131", name = "forgeable-membership", severity = Severity.error
    public let title = "policy looks up a table the application can write"
    public let explanation = "A policy such as tenant_id IN (SELECT tenant_id FROM memberships WHERE user_id = …) is only as strong as memberships: without RLS on it, an application that can INSERT or UPDATE there can add itself to any tenant."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        var out: [Finding] = []
        for p in input.parsedPolicies {
            let relations = Set([p.using, p.check].compactMap { $0 }.flatMap(\.subselectRelations))
            for relation in relations.sorted() {
                let table = catalog.table(relation) ?? catalog.tables.first { $0.name == relation && $0.schema == p.policy.table.split(separator: ".").first.map(String.init) }
                guard let table, !table.rls else { continue }
                let writers = Set(["INSERT", "UPDATE"].flatMap { catalog.grantees(table, privilege: $0) }).filter { $0 == "PUBLIC" || input.isApp($0) }
                guard !writers.isEmpty else { continue }
                out.append(finding("policy \(p.policy.name) on \(p.policy.table) looks up \(table.qualified), which has no RLS and which \(writers.sorted().joined(separator: ", ")) can write",
                                   at: .object("policy", "\(p.policy.table).\(p.policy.name)"),
                                   fix: "ALTER TABLE \(Fix.table(table.qualified)) ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY; (with its own policies), or REVOKE INSERT, UPDATE ON \(Fix.table(table.qualified)) FROM \(writers.sorted().map { $0 == "PUBLIC" ? $0 : Fix.ident($0) }.joined(separator: ", "));"))
            }
        }
        return out
    }
}
