import CZ3

/// The free variables of a check, by the name the witness gives them: a column of the row, or a piece of the
/// context (`setting:…`, `function:…`, `gate:…`, `session_user`, `opaque:…`).
struct Variables {
    struct Entry {
        var name: String
        var type: SQLType
        var term: Z3_ast
        var isNull: Z3_ast
        /// The column's `format_type`, for the witness literal.
        var declaredType: String?
    }

    private(set) var columns: [String: Entry] = [:]
    private(set) var context: [String: Entry] = [:]
    private(set) var columnOrder: [String] = []
    private(set) var contextOrder: [String] = []

    mutating func addColumn(_ entry: Entry) {
        if columns[entry.name] == nil { columnOrder.append(entry.name) }
        columns[entry.name] = entry
    }

    mutating func addContext(_ key: String, _ entry: Entry) {
        if context[key] == nil { contextOrder.append(key) }
        context[key] = entry
    }

    var orderedColumns: [Entry] { columnOrder.compactMap { columns[$0] } }
    var orderedContext: [(key: String, entry: Entry)] { contextOrder.compactMap { key in context[key].map { (key, $0) } } }
}

extension Translator {
    func sort(_ type: SQLType) -> Z3_sort {
        switch type {
        case .int: return z3.intSort
        case .bool: return z3.boolSort
        case .opaque: return z3.opaqueSort
        case .text, .uuid, .unknown: return z3.stringSort
        }
    }

    /// A column of the row: one variable per name (and sort) whichever side reads it. NOT NULL and the uuid
    /// form are asserted with the check.
    func column(_ name: String, _ side: Side) throws -> SQLValue {
        guard let column = side.columns.first(where: { $0.name == name }) else {
            throw Unreadable(construct: "the column \(name), which the table does not have")
        }
        let type = SQLType(column.type)
        if let known = variables.columns[name], known.type == type {
            if column.notNull { constraints.append(z3.not(known.isNull)) }
            return SQLValue(type: type, term: known.term, isNull: known.isNull, isError: z3.bool(false), rowDependent: true, literal: nil)
        }
        let entry = Variables.Entry(name: name, type: type, term: z3.variable("column:\(type):\(name)", sort(type)),
                                    isNull: z3.variable("column-null:\(name)", z3.boolSort), declaredType: column.type)
        variables.addColumn(entry)
        if column.notNull { constraints.append(z3.not(entry.isNull)) }
        if type == .uuid { constraints.append(isUUID(entry.term)) }
        return SQLValue(type: type, term: entry.term, isNull: entry.isNull, isError: z3.bool(false), rowDependent: true, literal: nil)
    }

    /// A context variable (`setting:app.tenant_id`), shared by key; `nullable: false` pins it non-NULL.
    func contextVariable(_ key: String, type: SQLType, nullable: Bool = true) -> SQLValue {
        let entry: Variables.Entry
        if let known = variables.context[key], known.type == type {
            entry = known
        } else {
            let name = variables.context[key] == nil ? key : key + "#" + String(describing: type)
            entry = Variables.Entry(name: name, type: type, term: z3.variable("context:\(name)", sort(type)),
                                    isNull: nullable ? z3.variable("context-null:\(name)", z3.boolSort) : z3.bool(false))
            variables.addContext(name, entry)
            if type == .uuid { constraints.append(z3.implies(z3.not(entry.isNull), isUUID(entry.term))) }
        }
        return SQLValue(type: type, term: entry.term, isNull: entry.isNull, isError: z3.bool(false), rowDependent: false, literal: nil)
    }

    /// A value the solver gives no meaning to, one per canonical tree (it may read the row, so it is not a
    /// context value the witness runner can set, but it is the same on both sides).
    func opaque(_ key: String, what: String, type: SQLType) -> SQLValue {
        var v = contextVariable("opaque:" + what + " " + String(FNV.hash(key), radix: 16), type: type)
        v.rowDependent = true
        return v
    }

    /// "This text is a uuid as PostgreSQL prints it." Z3 4.8's regular expressions (and even a length of 36)
    /// make a check with the exact form (`[0-9a-f]{8}-…`) take tens of milliseconds to seconds, so the form is a
    /// predicate of the solver's choosing that only excludes `''`: the same on both sides (a cast to uuid fails
    /// or not alike), fast, and the witness gives uuids canonical values (`00000000-…-000000000001`). A witness
    /// value the predicate let through that PostgreSQL would reject fails when run, so it is never confirmed.
    func isUUID(_ term: Z3_ast) -> Z3_ast {
        let shaped = z3.apply("is_uuid", [term], domain: [z3.stringSort], range: z3.boolSort)
        constraints.append(z3.implies(shaped, z3.not(z3.eq(term, z3.string("")))))
        return shaped
    }
}

/// FNV-1a: a hash that is the same in every process (Swift's `Hasher` is seeded per run).
enum FNV {
    static func hash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }
}
