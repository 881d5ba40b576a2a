import Catalog
import Quoting

/// The obligations of one entry, with the wall stated for its table and the solver's side for its role.
struct Prover: Sendable {
    let entry: AccessEntry
    let table: DatabaseCatalog.Table
    let options: AccessOptions
    let catalog: DatabaseCatalog
    let solver: PredicateSolver

    var side: Side { side(role: entry.role) }

    func side(role: String) -> Side {
        SolverSides.side(columns: SolverSides.columns(of: table), catalog: catalog, role: role, options: options)
    }

    /// `"<tenant column>" = <reader>`, ORed with `(SELECT <gate>())` for every gate and with every gate
    /// condition; nil without a reader.
    var wall: Predicate? {
        guard let reader = options.reader else { return nil }
        let equal = Predicate.expression(SQL.ident(options.tenantColumn(for: table.qualified)) + " = " + reader)
        let gates = gateCalls.map { Predicate.expression("(SELECT \($0))") } + options.gateConditions.map { Predicate.expression("(\($0))") }
        return gates.isEmpty ? equal : .or([equal] + gates)
    }

    /// `"desk"."admin_mode_enabled"()` for each gate, sorted.
    var gateCalls: [String] {
        options.gates.keys.sorted().map { name in
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            return (parts.count == 2 ? SQL.qualified(parts[0], parts[1]) : SQL.ident(name)) + "()"
        }
    }

    /// No tenant in the session and every gate shut.
    var noContext: Predicate? {
        guard let reader = options.reader else { return nil }
        return .and([.expression("(\(reader)) IS NULL")] + gateCalls.map { .expression("(SELECT \($0)) IS NOT TRUE") }
                    + options.gateConditions.map { .expression("(\($0)) IS NOT TRUE") })
    }

    func obligation(_ kind: Obligation.Kind, clause: String? = nil, _ verdict: Verdict, _ detail: String) -> Obligation {
        Obligation(role: entry.role, object: entry.object, command: entry.command, kind: kind, clause: clause, verdict: verdict, detail: detail)
    }

    /// The wall and no-context obligations of one clause's predicate.
    func predicate(_ predicate: Predicate, clause: String) -> [Obligation] {
        guard let wall, let noContext else {
            let why = "no reader expression given: the tenant wall cannot be stated"
            return [obligation(.wall, clause: clause, .unknown(why), predicate.text), obligation(.noContext, clause: clause, .unknown(why), predicate.text)]
        }
        // No permissive policy (`false`) admits nothing: both hold without asking the solver.
        let inside = predicate == .none ? .holds : solver.entails(predicate, in: side, wall, in: side)
        let closed = predicate == .none ? .holds : solver.entails(predicate, in: side, .none, in: side, assuming: noContext)
        return [obligation(.wall, clause: clause, inside, "\(predicate.text) implies \(wall.text)"),
                obligation(.noContext, clause: clause, closed, "\(predicate.text) admits no row when \(noContext.text)")]
    }

    /// Every row, whatever the policies say: fails, with a row of another tenant as the witness when the solver
    /// finds one.
    func reachesAround(_ why: String) -> Obligation {
        obligation(.reachesAround, .fails(anyRow(role: entry.role)), "\(entry.command.rawValue) on \(entry.object) reaches every row: \(why)")
    }

    /// A row outside the wall (or any row without a reader), empty when the solver gives none.
    func anyRow(role: String) -> Witness {
        let verdict = solver.entails(.all, in: side(role: role), wall ?? .none, in: side(role: role))
        if case .fails(let witness) = verdict { return witness }
        return Witness(row: [:], context: [:])
    }

}
