import Catalog
import Proof
import Quoting

/// What the runner is given for a failed obligation: the command it runs, the witness (a row of another tenant
/// when the solver gave none: nothing filters a role that reaches around the policies), and the columns it
/// must write exactly as the witness says (the tenant column and every column the role's policies there name).
struct ObligationWitness {
    var command: WitnessCommand
    var witness: Witness
    var pinned: Set<String>
    /// UPDATE's WITH CHECK: the row starts as the session's own and is moved to the witness' tenant.
    var moving: MovingTenant?

    /// Why an obligation's witness is not run, or what to run.
    static func make(_ obligation: Obligation, model: AccessModel, catalog: DatabaseCatalog) -> Result<ObligationWitness, Unrunnable> {
        guard case .fails(var witness) = obligation.verdict else { return .failure(Unrunnable(reason: "no counterexample")) }
        guard let command = WitnessCommand(spelled: obligation.command.rawValue) else {
            return .failure(Unrunnable(reason: "\(obligation.command.rawValue) is a foreign key's check: no statement of the role's own shows it"))
        }
        let tenantColumn = model.options.tenantColumn(for: obligation.object)
        let table = catalog.table(obligation.object)
        if witness.row.isEmpty, let column = table?.attributes.first(where: { $0.name == tenantColumn }) {
            witness.row[tenantColumn] = otherTenant(column.type)
        }
        var predicates: [Predicate] = []
        if let entry = model.entry(role: obligation.role, object: obligation.object, command: obligation.command),
           case .filtered(let using, let check) = entry.reach {
            predicates = [using, check].compactMap { $0 }
        }
        let columns = table?.attributes.map(\.name) ?? Array(witness.row.keys)
        let pinned = WitnessRunner.columns(namedIn: predicates, of: columns).union([tenantColumn])
        var moving: MovingTenant? = nil
        if command == .update, obligation.clause == "WITH CHECK", let reader = model.options.reader {
            moving = MovingTenant(column: tenantColumn, reader: reader)
        }
        return .success(ObligationWitness(command: command, witness: witness, pinned: pinned, moving: moving))
    }

    struct Unrunnable: Error {
        var reason: String
    }

    /// A tenant no session of the run is bound to, as a literal of the tenant column's type.
    static func otherTenant(_ type: String) -> String {
        switch type.lowercased() {
        case "uuid": return "'00000000-0000-0000-0000-0000000000b2'::uuid"
        case "bigint", "integer", "smallint", "numeric": return "2"
        default: return SQL.literal("tenant-b2") + "::text"
        }
    }
}
