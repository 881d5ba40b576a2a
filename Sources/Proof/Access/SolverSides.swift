import Catalog

/// The solver's view of one database for one table and role, and what a predicate's meaning depends on beyond its
/// text: the functions it calls.
enum SolverSides {
    /// A side: `columns` of the table (review passes the head's to both sides, so a column means one value), every
    /// function of `catalog`, the role with its memberships, and the gates.
    static func side(columns: [DatabaseCatalog.Column], catalog: DatabaseCatalog, role: String, options: AccessOptions) -> Side {
        let facts = RoleFacts(role, in: catalog)
        return Side(columns: columns, functions: catalog.functions, role: role, memberships: facts.memberOf, gates: options.sideGates)
    }

    /// The columns of a table with their types (the catalog's decoder gives every column one, `""` when unread).
    static func columns(of table: DatabaseCatalog.Table?) -> [DatabaseCatalog.Column] {
        table?.attributes ?? []
    }

    /// What the functions a predicate calls are, directly or through SQL bodies, one string per function
    /// (identity, volatility, security, body or definition), sorted. Two predicates with the same text mean the
    /// same only when these are equal too: a helper whose body now reads a forgeable setting changes access
    /// without changing any policy's text.
    static func functionPrints(_ predicate: Predicate?, in catalog: DatabaseCatalog) -> [String] {
        guard let predicate else { return [] }
        var seen: Set<String> = [], prints: [String] = []
        var pending = predicate.expressions.flatMap(calledNames)
        while let name = pending.popLast() {
            guard seen.insert(name).inserted else { continue }
            for function in catalog.functionsByName[name] ?? [] {
                prints.append([function.identity.isEmpty ? function.qualified + "(" + function.signature + ")" : function.identity,
                               function.volatility, String(function.securityDefiner), String(function.native),
                               function.definition ?? function.body ?? ""].joined(separator: "|"))
                pending += function.body.map(calledNames) ?? []
            }
        }
        return prints.sorted()
    }

    /// Names written right before `(`: `f(`, `s.f (`, `"s"."f"(`. Keywords (`ANY (`, `IN (`) come along and
    /// match no function, which is harmless.
    static func calledNames(_ text: String) -> [String] {
        // Unquoted names fold to lower case, as PostgreSQL folds them; quoted ones are kept as written.
        var names: [String] = [], current = "", quoted = false, wasQuoted = false, afterName = false, inString = false
        for c in text {
            if inString { if c == "'" { inString = false }; continue }
            if quoted {
                if c == "\"" { quoted = false; afterName = true } else { current.append(c) }
                continue
            }
            switch c {
            case "'": inString = true; current = ""; afterName = false
            case "\"": quoted = true; wasQuoted = true; current = ""
            case "(":
                if !current.isEmpty { names.append(wasQuoted ? current : current.lowercased()) }
                current = ""; afterName = false
            case " " where afterName || !current.isEmpty: afterName = true
            case "." : current = ""; afterName = false
            default:
                if c.isLetter || c.isNumber || c == "_" || c == "$" {
                    if afterName || wasQuoted { current = ""; afterName = false; wasQuoted = false }
                    current.append(c)
                } else {
                    current = ""; afterName = false
                }
            }
        }
        return names
    }
}
