import Catalog

/// prove's obligations on one database state: for every modeled role other than a table's owner, every relation
/// with the tenant column, and every command the role holds there:
/// 1. `wall`: the effective predicate implies `"<tenant column>" = <reader>`, or an open gate (which the solver
///    makes true only for the gate's role and its members);
/// 2. `no-context`: with the reader NULL and every gate shut, it admits no row;
/// 3. `reaches-around`: no unfiltered reach (RLS off, BYPASSRLS, an owner RLS is not forced on, TRUNCATE,
///    REFERENCES, a materialized view); a view runs with its caller's rights or its owner keeps the wall.
///
/// A table's owner is left out unless the options name it as a role to model: the owner runs migrations and can
/// turn RLS off on its own table, so what binds it is that the application does not connect as it, which the
/// options say. A view that runs with its owner's rights is held to the wall by its own WHERE when its owner reads
/// unfiltered (TimescaleDB walls), only for a simple view (`ViewFilter`); its writes also need a check option.
/// Not proved: views over other views beyond their WHERE, joins and aggregates in a definer view (they fail or
/// stay unknown).
///
/// Usage:
/// ```swift
/// let failed = ProofObligations.check(model: model, catalog: catalog, solver: PredicateSolver()).filter { !$0.holds }
/// ```
public enum ProofObligations {
    public static func check(model: AccessModel, catalog: DatabaseCatalog, options: AccessOptions? = nil,
                             solver: PredicateSolver = PredicateSolver()) -> [Obligation] {
        let options = options ?? model.options
        return model.entries.flatMap { obligations(for: $0, options: options, catalog: catalog, solver: solver) }
    }

    /// The obligations of one entry (none when prove does not judge it: no privilege, not a tenant relation,
    /// the table's owner).
    static func obligations(for entry: AccessEntry, model: AccessModel, catalog: DatabaseCatalog, solver: PredicateSolver) -> [Obligation] {
        obligations(for: entry, options: model.options, catalog: catalog, solver: solver)
    }

    static func obligations(for entry: AccessEntry, options: AccessOptions, catalog: DatabaseCatalog, solver: PredicateSolver) -> [Obligation] {
        guard entry.privilege != .none, entry.reach != .denied, let table = catalog.table(entry.object),
              entry.role != table.owner || options.roles?.contains(entry.role) == true,
              isTenant(table, options: options, catalog: catalog) else { return [] }
        let prover = Prover(entry: entry, table: table, options: options, catalog: catalog, solver: solver)
        switch entry.reach {
        case .denied: return []
        case .unfiltered(let why): return [prover.reachesAround(why)]
        case .filtered(let using, let check):
            let filtered = using.map { prover.predicate($0, clause: "USING") } ?? []
            // UPDATE's WITH CHECK is most often its USING (a policy with USING alone): the same verdicts.
            if let check, check == using { return filtered + filtered.map { var o = $0; o.clause = "WITH CHECK"; return o } }
            return filtered + (check.map { prover.predicate($0, clause: "WITH CHECK") } ?? [])
        case .view(let view): return prover.view(view)
        }
    }

    /// A relation holding tenant rows: it has the tenant column, or (a view) reads a table that has it.
    static func isTenant(_ table: DatabaseCatalog.Table, options: AccessOptions, catalog: DatabaseCatalog) -> Bool {
        if table.columns.contains(options.tenantColumn(for: table.qualified)) { return true }
        guard table.kind == "v" else { return false }
        return catalog.dependencies.contains { dependency in
            dependency.view == table.qualified && (catalog.table(dependency.table)?.columns.contains(options.tenantColumn(for: dependency.table)) ?? false)
        }
    }
}
