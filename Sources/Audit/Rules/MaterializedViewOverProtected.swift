/// TW115: materialized views never apply RLS when read.
public struct MaterializedViewOverProtected: AuditRule {
    public let id = "TW115", name = "materialized-view-over-protected", severity = Severity.error
    public let title = "materialized view over a protected table"
    public let explanation = "A materialized view stores what its owner saw at refresh time; reading it applies no policy, so it holds every tenant's rows."
    public init() {}
    public func check(_ input: AuditInput) -> [Finding] {
        guard let catalog = input.catalog else { return [] }
        let protected = Set(input.protectedTables.map(\.qualified))
        return catalog.tables.filter { $0.kind == "m" }.compactMap { view in
            let sources = catalog.dependencies.filter { $0.view == view.qualified && protected.contains($0.table) }.map(\.table)
            guard !sources.isEmpty else { return nil }
            return finding("materialized view \(view.qualified) holds rows of \(sources.joined(separator: ", ")) without any policy", at: .object("view", view.qualified))
        }
    }
}
