import Catalog
import Foundation
import Proof
import Quoting

/// A witness as SQL anyone can paste into psql as a superuser: `BEGIN`, the row written with foreign keys off,
/// the context set the way the application sets it, `SET LOCAL ROLE`, the command, `ROLLBACK`. Review and prove
/// show it next to each widening and failed obligation; the runner runs exactly these statements.
public enum WitnessScript {
    /// The script for `witness` on a table with `columns`, in a database with `functions` (for the setters);
    /// throws `WitnessScript.Unscriptable` when the context cannot be set by any statement (an `opaque:` value).
    public static func sql(_ witness: Witness, role: String, object: String, command: WitnessCommand,
                           columns: [WitnessTable.Column], functions: [ContextFunction], secret: [UInt8]) throws -> String {
        let (schema, name) = WitnessTable.split(object)
        let table = WitnessTable(schema: schema, name: name, columns: columns)
        return try plan(witness, role: role, table: table, command: command, functions: functions, secret: secret).script
    }

    /// The same from a catalog (review and prove have one): the table's columns and the database's functions.
    public static func sql(_ witness: Witness, role: String, object: String, command: WitnessCommand,
                           catalog: DatabaseCatalog, secret: [UInt8]) throws -> String {
        let table = catalog.tables.first(where: { $0.schema + "." + $0.name == object })
        let columns = (table?.attributes ?? []).map { WitnessTable.Column(name: $0.name, type: $0.type, notNull: $0.notNull) }
        return try sql(witness, role: role, object: object, command: command, columns: columns,
                       functions: catalog.functions.map(ContextFunction.init(catalog:)), secret: secret)
    }

    /// Why a witness has no script.
    public struct Unscriptable: Error, CustomStringConvertible {
        public var description: String
    }

    /// The plan of a run. A value the solver could not write as a literal (an opaque type's model value, such as
    /// jsonb's) is left to the table's default when its column is not `pinned`; for a pinned column it is refused.
    static func plan(_ witness: Witness, role: String, table: WitnessTable, command: WitnessCommand,
                     functions: [ContextFunction], secret: [UInt8], pinned: Set<String>? = nil) throws -> WitnessPlan {
        let recipe: ContextRecipe
        do { recipe = try ContextRecipe.make(witness.context, functions: functions, secret: secret) } catch let error as ContextRecipe.Unsettable {
            throw Unscriptable(description: error.reason)
        }
        var values: [(String, String)] = []
        for column in table.columns where !column.generated {
            guard let entry = witness.row[column.name] else { continue }
            guard let value = entry else { values.append((column.name, "NULL")); continue }
            guard let literal = SQLLiteralValue(value) else {
                if let pinned, !pinned.contains(column.name) { continue }
                throw Unscriptable(description: "the witness' value for \(column.name), \(value), is not a literal")
            }
            values.append((column.name, literal.sql))
        }
        var plan = WitnessPlan(table: table, role: role, command: command, values: values, recipe: recipe)
        plan.pinned = pinned ?? Set(table.columns.map(\.name))
        if role.uppercased() == "PUBLIC" {
            // PUBLIC is every role: a role of the run's own with no membership and no grant stands for it.
            plan.role = publicStandIn
            plan.recipe.setup.insert("DO $tw$ BEGIN CREATE ROLE \(SQL.ident(publicStandIn)) NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $tw$", at: 0)
        }
        if let binding = plan.recipe.tenantRole {
            // The role binding: the run acts as a tenant role of its own, a member of the witness' role.
            plan.recipe.setup += binding.mapping.setup(role: plan.role, tenant: binding.tenant)
            plan.role = TenantRoleMapping.standIn
        }
        return plan
    }

    /// The role that acts as PUBLIC, created inside the run's transaction (so gone with it).
    public static let publicStandIn = "tenantwall_witness_public"

    /// A fresh secret for the tokens a run signs (its key lives only inside the run's transaction).
    public static func newSecret() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

extension ContextFunction {
    /// A catalog function, as the recipe needs it.
    public init(catalog function: DatabaseCatalog.Function) {
        self.init(schema: function.schema, name: function.name, identity: function.identity,
                  language: function.native || function.body == nil ? "c" : "sql", body: function.body ?? "",
                  argumentTypes: function.argumentTypes)
    }
}
