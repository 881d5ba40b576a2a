import Postgres
import Quoting

/// For an UPDATE's WITH CHECK: the tenant column and the reader (`"desk"."current_tenant_id"()`). The witness is
/// the new row; the old one must be the session's own for USING to let the UPDATE reach it, so the run writes
/// the row with the reader's value in that column and the UPDATE moves it to the witness' tenant.
public struct MovingTenant: Sendable, Equatable {
    public var column: String
    public var reader: String

    public init(column: String, reader: String) {
        self.column = column
        self.reader = reader
    }
}

extension WitnessRunner {
    struct NoSessionTenant: Error {
        var reason: String
    }

    /// The plan with the row as the session's own: the context is set in a savepoint (as the run will set it),
    /// the reader read as the role, and everything undone before the row is written.
    func sessionTenant(_ plan: WitnessPlan, _ moving: MovingTenant, on connection: Connection) throws -> Result<WitnessPlan, NoSessionTenant> {
        guard let to = plan.values.first(where: { $0.0 == moving.column })?.1 else {
            return .failure(NoSessionTenant(reason: "the witness gives no \(moving.column) to move the row to"))
        }
        var plan = plan
        var tenant = try read(moving.reader, plan, on: connection)
        if tenant == nil, let bound = try bind(moving, plan, awayFrom: to, on: connection) {
            // The witness leaves the session's tenant open (the solver read the reader as a value it may choose):
            // bind one other than the witness', through the same setter the application calls.
            plan = bound
            tenant = try read(moving.reader, plan, on: connection)
        }
        guard let tenant else {
            return .failure(NoSessionTenant(reason: "in the witness' context the session has no tenant, so no row of its own to move"))
        }
        var moved = plan
        moved.values = plan.values.map { $0.0 == moving.column ? ($0.0, SQL.literal(tenant) + "::text") : $0 }
        moved.move = WitnessPlan.Move(column: moving.column, to: to)
        return .success(moved)
    }

    /// What `reader` returns as the role in the plan's context (nil: NULL, or it could not be read), undone after.
    func read(_ reader: String, _ plan: WitnessPlan, on connection: Connection) throws -> String? {
        try connection.execute("SAVEPOINT tw_reader")
        defer { _ = try? connection.execute("ROLLBACK TO SAVEPOINT tw_reader; RELEASE SAVEPOINT tw_reader") }
        do {
            for sql in plan.recipe.setup + ["SET LOCAL ROLE \(SQL.ident(plan.role))"] + plan.recipe.asRole { try connection.execute(sql) }
            return try connection.query("SELECT (\(reader))::text").scalar
        } catch {
            return nil
        }
    }

    /// The plan with the reader bound to a tenant other than `to` (`1` or `2`, or the uuids ending in 1 or 2),
    /// when the reader is a function the recipe knows how to set; nil otherwise.
    func bind(_ moving: MovingTenant, _ plan: WitnessPlan, awayFrom to: String, on connection: Connection) throws -> WitnessPlan? {
        let key = moving.reader.replacingOccurrences(of: "\"", with: "")
        guard key.hasSuffix("()"), let functions = try? ContextFunction.read(connection),
              let reader = try? FunctionReader.resolve(key, functions),
              let column = plan.home.columns.first(where: { $0.name == moving.column }) else { return nil }
        let target = SQLLiteralValue(to)?.text ?? to
        let uuid = column.type.lowercased() == "uuid"
        let candidates = uuid ? ["00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"] : ["1", "2"]
        guard let value = candidates.first(where: { $0 != target }) else { return nil }
        var bound = plan
        var keyAdded = Set<String>()
        do {
            try bound.recipe.function("function:" + key, reader, SQL.literal(value) + "::" + column.type, secret: secret, keyAdded: &keyAdded)
        } catch {
            return nil
        }
        var seen = Set<String>()
        bound.recipe.setup = bound.recipe.setup.filter { seen.insert($0).inserted }  // one signing key, however many tokens
        return bound
    }
}
