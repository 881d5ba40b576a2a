/// TW114: a view over a protected table that runs with its owner's rights.
public struct ViewNotSecurityInvoker: AuditRule {
    public let id = "TW114", name = "view-not-security-invoker", severity = Severity.error
    public let title = "view over a protected table without security_invoker"
    public let explanation = "A view runs with its owner's rights unless created WITH (security_invoker = true); owned by a privileged role, it shows every tenant."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        var out: [Finding] = []
        for view in catalog.tables where view.kind == "v" && !view.options.contains("security_invoker=true") && !view.options.contains("security_invoker=on") {
            let sources = catalog.dependencies.filter { $0.view == view.qualified && protected.contains($0.table) }.map(\.table)
            guard !sources.isEmpty else { continue }
            out.append(finding("view \(view.qualified) reads \(sources.joined(separator: ", ")) with the rights of \(view.owner)", at: .object("view", view.qualified),
                               fix: "ALTER VIEW \(Fix.table(view.qualified)) SET (security_invoker = true);"))
        }
        return out
    }
}
