import Catalog

/// The solver's view of one database for one table and role, and what a predicate's meaning depends on beyond its
/// text: the functions it calls.
enum SolverSides {
    /// A side: `columns` of the table (review passes the head's to both sides, so a column means one value), every
    /// function of `catalog`, the role with its memberships, and the gates (all of the options', or `gates`).
    static func side(columns: [DatabaseCatalog.Column], catalog: DatabaseCatalog, role: String, options: AccessOptions,
                     gates: [String: String]? = nil) -> Side {
        let facts = RoleFacts(role, in: catalog)
        return Side(columns: columns, functions: catalog.functions, role: role, memberships: facts.memberOf, gates: gates ?? options.sideGates)
    }

    /// The gates whose functions are defined the same way in `base` and `head`. A gate is trusted to open only for
    /// its role because of what its body checks; once the body changes that is no longer known, so the head's
    /// side reads the new body as any other function (a body that no longer checks membership then widens).
    static func unchangedGates(_ gates: [String: String], base: DatabaseCatalog, head: DatabaseCatalog) -> [String: String] {
        gates.filter { name, _ in gatePrints(name, base) == gatePrints(name, head) }
    }

    static func gatePrints(_ qualified: String, _ catalog: DatabaseCatalog) -> [String] {
        let name = qualified.split(separator: ".").last.map(String.init) ?? qualified
        return functionPrints(.expression(name + "()"), in: catalog).filter { $0.hasPrefix(qualified + "(") }
    }

    /// Whether what the solver knows of a role besides the predicate (its memberships, the gates) is the same on
    /// both sides: if not, the same predicate text may admit other rows (`GRANT admin TO app_user` opens the gate).
    static func sameContext(_ role: String, base: DatabaseCatalog, head: DatabaseCatalog, baseGates: [String: String], headGates: [String: String]) -> Bool {
        RoleFacts(role, in: base).memberOf == RoleFacts(role, in: head).memberOf && baseGates == headGates
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
