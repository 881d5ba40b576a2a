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
        for view in catalog.tables where view.kind == "v" && !Self.securityInvoker(view) {
            let sources = catalog.dependencies.filter { $0.view == view.qualified && protected.contains($0.table) }.map(\.table)
            guard !sources.isEmpty else { continue }
            out.append(finding("view \(view.qualified) reads \(sources.joined(separator: ", ")) with the rights of \(view.owner)", at: .object("view", view.qualified),
                               fix: "ALTER VIEW \(Fix.table(view.qualified)) SET (security_invoker = true);"))
        }
        return out
    }

    /// Whether the view's options turn security_invoker on. reloptions keep the value as written, and PostgreSQL
    /// reads any spelling `parse_bool` takes as true (`yes`, `1`, `ON`, `t`: a prefix of true or yes, on, 1, in
    /// any case), so `security_invoker=yes` is as much invoker's rights as `security_invoker=true`.
    static func securityInvoker(_ view: AuditCatalog.Table) -> Bool {
        view.options.contains { option in
            guard option.hasPrefix("security_invoker=") else { return false }
            let value = option.dropFirst("security_invoker=".count).lowercased()
            return !value.isEmpty && ("true".hasPrefix(value) || "yes".hasPrefix(value) || value == "on" || value == "1")
        }
    }
}
