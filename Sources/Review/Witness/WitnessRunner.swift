import Foundation
import Postgres
import Proof
import Quoting

/// Runs a witness on a real database to see whether PostgreSQL admits it: the solver's counterexample, tried.
///
/// As a superuser, in one transaction that is always rolled back: foreign keys and triggers off
/// (`session_replication_role = replica`), the witness row written (for SELECT, UPDATE, DELETE), the context set
/// the way the application sets it and read back as the role, `SET LOCAL ROLE`, then the command. Nothing it
/// does outlives the run, admitted or not.
///
///     let run = WitnessRunner(conninfo: url).confirm(witness, role: "app_user", object: "public.notes", command: .select)
///     if run.confirmed { … }   // run.script: the SQL that ran, to paste
public struct WitnessRunner: Sendable {
    public var conninfo: String
    /// Signs the tokens of the signed binding; its key exists only inside each run's transaction.
    public var secret: [UInt8]

    public init(conninfo: String, secret: [UInt8] = WitnessScript.newSecret()) {
        self.conninfo = conninfo
        self.secret = secret
    }

    /// The columns a predicate names (as words of its text): the ones a run never changes. The others may be
    /// filled from a row the table holds when the table refuses the witness' own values (a CHECK, an enum).
    public static func columns(namedIn predicates: [Proof.Predicate], of table: [String]) -> Set<String> {
        let texts = predicates.flatMap(expressions).map { $0.lowercased() }
        return Set(table.filter { column in
            let name = column.lowercased()
            return texts.contains { text in text.ranges(of: name).contains { isWord(text, $0) } }
        })
    }

    static func expressions(_ predicate: Proof.Predicate) -> [String] {
        switch predicate {
        case .constant: return []
        case .expression(let text): return [text]
        case .and(let parts), .or(let parts): return parts.flatMap(expressions)
        }
    }

    static func isWord(_ text: String, _ range: Range<String.Index>) -> Bool {
        let isPart = { (c: Character) in c.isLetter || c.isNumber || c == "_" || c == "$" }
        let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
        let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
        return !(before.map(isPart) ?? false) && !(after.map(isPart) ?? false)
    }

    /// One run on `conninfo`, the command as the access model spells it (`SELECT`…); the columns `predicates`
    /// name are written exactly as the witness says, the others may be filled so the table accepts the row.
    /// REFERENCES (a foreign key's check) cannot be run: `couldNotRun`.
    public static func confirm(_ witness: Witness, role: String, object: String, command: String, on conninfo: String,
                               predicates: [Proof.Predicate] = []) -> WitnessRun {
        guard let parsed = WitnessCommand(spelled: command) else {
            return WitnessRun(outcome: .couldNotRun("\(command) is not a statement a witness can run (a foreign key's check)"), script: "")
        }
        let pinned = predicates.isEmpty ? nil : columns(namedIn: predicates, of: Array(witness.row.keys))
        return WitnessRunner(conninfo: conninfo).confirm(witness, role: role, object: object, command: parsed, pinned: pinned)
    }

    /// Runs `witness` as `role` on `object` (`schema.table`) for `command`. `pinned`: the columns the run must
    /// write exactly as the witness says (nil: all of them).
    public func confirm(_ witness: Witness, role: String, object: String, command: WitnessCommand,
                        pinned: Set<String>? = nil, moving: MovingTenant? = nil) -> WitnessRun {
        let connection: Connection
        do { connection = try Connection(conninfo) } catch {
            return WitnessRun(outcome: .couldNotRun("could not connect: \(error)"), script: "")
        }
        do {
            guard try connection.query("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user").flag else {
                return WitnessRun(outcome: .couldNotRun("running a witness needs a superuser (it writes the row with foreign keys off)"), script: "")
            }
            guard let table = try WitnessTable.read(connection, object: object) else {
                return WitnessRun(outcome: .couldNotRun("\(object) is not a table of this database"), script: "")
            }
            let functions = try ContextFunction.read(connection)
            var plan: WitnessPlan
            do {
                plan = try WitnessScript.plan(witness, role: role, table: table, command: command, functions: functions, secret: secret, pinned: pinned)
            } catch {
                return WitnessRun(outcome: .couldNotRun("\(error)"), script: "")
            }
            plan.storage = try WitnessTable.storage(connection, of: table)
            try connection.execute("BEGIN")
            defer { _ = try? connection.execute("ROLLBACK") }
            try connection.execute("SET LOCAL session_replication_role = replica")
            if command == .update, let moving {
                switch try sessionTenant(plan, moving, on: connection) {
                case .failure(let why): return WitnessRun(outcome: .couldNotRun(why.reason), plan: plan)
                case .success(let move): plan = move
                }
            }
            let placed = try RowPlacement(connection: connection, plan: plan, pinned: plan.pinned).place()
            switch placed {
            case .refused(let reason): return WitnessRun(outcome: .couldNotRun(reason), plan: plan)
            case .placed(let values, let adjusted):
                plan.values = values
                return WitnessRun(outcome: run(plan, on: connection), plan: plan, adjusted: adjusted)
            }
        } catch {
            return WitnessRun(outcome: .couldNotRun("\(error)"), script: "")
        }
    }

    /// The context, its read-back, then the command (the row already written when the command needs one).
    func run(_ plan: WitnessPlan, on connection: Connection) -> WitnessOutcome {
        let step = { (sql: String) -> PostgresError? in
            do { try connection.execute(sql); return nil } catch { return error as? PostgresError ?? PostgresError(message: "\(error)") }
        }
        var located: Located? = nil
        if plan.blind != nil {
            _ = step("SAVEPOINT tw_locate")
            if let row = try? connection.query(plan.locate).rows.first, let oid = row[0], let ctid = row[1] {
                located = Located(oid: oid, ctid: ctid, cursor: false)
            }
            _ = step(located == nil ? "ROLLBACK TO SAVEPOINT tw_locate" : "RELEASE SAVEPOINT tw_locate")
            if let row = located, plan.targeted != nil {
                // As the superuser, before the role: the cursor the targeted statement names.
                _ = step("SAVEPOINT tw_cursor")
                let declared = step(plan.declare(oid: row.oid, ctid: row.ctid)) == nil && step("MOVE NEXT IN \(WitnessPlan.cursor)") == nil
                _ = step(declared ? "RELEASE SAVEPOINT tw_cursor" : "ROLLBACK TO SAVEPOINT tw_cursor")
                located?.cursor = declared
            }
        }
        for sql in plan.recipe.setup + ["SET LOCAL ROLE \(SQL.ident(plan.role))"] + plan.recipe.asRole {
            if let error = step(sql) { return .couldNotRun("setting the context failed: \(sql): \(error.brief)") }
        }
        for check in plan.recipe.checks {
            do {
                guard try connection.query("SELECT (\(check.sql))").flag else {
                    return .couldNotRun("the context could not be set as the witness has it: \(check.variable) (\(check.sql) is not true)")
                }
            } catch { return .couldNotRun("reading back \(check.variable) failed: \((error as? PostgresError)?.brief ?? "\(error)")") }
        }
        _ = step("SAVEPOINT tw_witness")
        do {
            let result = try connection.query(plan.statement)
            switch plan.command {
            case .select: return .admitted((Int(result.scalar ?? "0") ?? 0) > 0)
            case .insert, .truncate: return .admitted(true)
            case .update, .delete:
                if result.affectedRows > 0 { return .admitted(true) }
                return try blind(plan, located: located, on: connection)
            }
        } catch let error as PostgresError {
            if ["42501", "44000"].contains(error.sqlState ?? "") {
                guard plan.blind != nil else { return .admitted(false) }
                _ = step("ROLLBACK TO SAVEPOINT tw_witness")
                return (try? blind(plan, located: located, on: connection)) ?? .admitted(false)
            }
            return .couldNotRun("\(plan.command.rawValue) failed for another reason than the policy: \(error.brief)")
        } catch {
            return .couldNotRun("\(error)")
        }
    }

    /// The witness row as the superuser found it before the role acted, and whether a cursor points at it.
    struct Located {
        var oid: String
        var ctid: String
        var cursor: Bool
    }

    /// UPDATE or DELETE that reads no column (on the witness row alone by its cursor, else with no WHERE),
    /// then, as the superuser, whether the witness row is still as written.
    func blind(_ plan: WitnessPlan, located: Located?, on connection: Connection) throws -> WitnessOutcome {
        guard let located, let blind = located.cursor ? plan.targeted : plan.blind else { return .admitted(false) }
        do { try connection.execute(blind) } catch let error as PostgresError {
            if ["42501", "44000"].contains(error.sqlState ?? "") { return .admitted(false) }
            let form = located.cursor ? "WHERE CURRENT OF the witness row" : "with no WHERE"
            return .couldNotRun("\(plan.command.rawValue) \(form) failed for another reason than the policy: \(error.brief)")
        }
        try connection.execute("RESET ROLE")
        return .admitted(!(try connection.query(plan.untouched(oid: located.oid, ctid: located.ctid)).flag))
    }
}
