/// TW204: several permissive policies for the same role and command are OR-ed and evaluated together.
public struct MultiplePermissivePolicies: AuditRule {
    public let id = "TW204", name = "multiple-permissive-policies", severity = Severity.info
    public let title = "several permissive policies for the same role and command"
    public let explanation = "They are OR-ed: every one is evaluated, the OR can defeat index use, and a loose one widens all the others."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        var groups: [String: [String]] = [:]
        for p in input.catalog?.policies ?? [] where p.permissive {
            let commands = p.command == "*" ? ["r", "a", "w", "d"] : [p.command]
            for role in p.roles { for c in commands { groups["\(p.table)|\(role)|\(c)", default: []].append(p.name) } }
        }
        return groups.keys.sorted().compactMap { key in
            let names = groups[key]!
            guard names.count > 1 else { return nil }
            let parts = key.split(separator: "|").map(String.init)
            // Admin-mode policies are meant to sit beside the tenant policy for the admin role.
            if names.allSatisfy({ $0.hasPrefix("tw_") }) { return nil }
            return finding("\(parts[0]): \(names.count) permissive \(Fix.command(parts[2])) policies for \(parts[1]): \(names.joined(separator: ", "))",
                           at: .object("table", parts[0]))
        }
    }
}
