import Foundation

/// A constant as the parse tree holds it, before any type is given to it.
enum Literal: Hashable, Sendable {
    case int(Int)
    case string(String)
    case bool(Bool)
    case null
    /// A decimal the solver does not model (`1.5`): kept as written.
    case number(String)
}

/// The SQL types the solver tells apart. uuid is a string kept in its canonical lowercase form; timestamps and
/// dates are integers; anything else (jsonb, arrays, …) is `opaque`, compared only for equality.
enum SQLType: Hashable, Sendable {
    case int, text, uuid, bool, opaque
    /// An untyped string literal (`'abc'`): takes the type of what it is compared with.
    case unknown

    /// From `format_type` or a cast's type name.
    init(_ name: String) {
        let base = name.lowercased().split(separator: "(").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        let unqualified = base.hasPrefix("pg_catalog.") ? String(base.dropFirst("pg_catalog.".count)) : base
        switch unqualified {
        case "integer", "int", "int4", "bigint", "int8", "smallint", "int2", "numeric", "decimal", "serial", "bigserial",
             "oid", "date", "timestamp", "timestamptz", "timestamp without time zone", "timestamp with time zone":
            self = .int
        case "text", "varchar", "character varying", "char", "character", "bpchar", "name", "citext", "regrole":
            self = .text
        case "uuid": self = .uuid
        case "boolean", "bool": self = .bool
        default:
            // A user enum prints as its (maybe qualified) name: no dots in arrays/json, so anything else
            // that looks like an identifier is taken as an enum, a string.
            let known: Set<String> = ["json", "jsonb", "bytea", "real", "double precision", "float4", "float8", "inet",
                                      "cidr", "interval", "time", "money", "xml", "tsvector", "point"]
            self = unqualified.hasSuffix("[]") || known.contains(unqualified) || unqualified.isEmpty ? .opaque : .text
        }
    }
}

/// A branch of `CASE WHEN condition THEN result`.
struct CaseBranch: Hashable, Sendable {
    var condition: Expr
    var result: Expr
}

/// A policy expression read from PostgreSQL's parse tree: only what the solver gives a meaning to, everything
/// else kept as an `opaque` node keyed by its canonical tree (so the same text on two sides is the same value).
indirect enum Expr: Hashable, Sendable {
    case column(String)
    /// `$1` in an SQL function body.
    case parameter(Int)
    case literal(Literal)
    /// `expr::type`, the type name as the parse tree spells it (`int4`, `uuid`, `public.my_enum`).
    case cast(Expr, String)
    case and([Expr])
    case or([Expr])
    case not(Expr)
    /// `=`, `<>`, `<`, `<=`, `>`, `>=`.
    case compare(String, Expr, Expr)
    /// `IS DISTINCT FROM`; negated: `IS NOT DISTINCT FROM`.
    case distinct(Expr, Expr, negated: Bool)
    /// `IS NULL`; negated: `IS NOT NULL`.
    case isNull(Expr, negated: Bool)
    /// `IS TRUE` (.bool(true)), `IS FALSE`, `IS UNKNOWN` (.null), each maybe negated.
    case isValue(Expr, Literal, negated: Bool)
    /// `x IN (…)`, `x = ANY (ARRAY[…])`: the operator and the list; `all` for `<> ALL`/`NOT IN`.
    case anyOf(String, Expr, [Expr], all: Bool)
    /// `x = ANY (array)`, `x <> ALL (array)` where the array is computed (`(SELECT CASE … THEN ARRAY[r] ELSE
    /// admin_tenant_ids() END)::uuid[]`): the operator, the subject, the array expression; `all` for ALL.
    case anyArray(String, Expr, Expr, all: Bool)
    /// `ARRAY[a, b]`, where it is an array value (not the list of an `= ANY` the reader flattens).
    case array([Expr])
    case between(Expr, Expr, Expr, negated: Bool)
    case like(Expr, Expr, caseInsensitive: Bool, negated: Bool)
    case concat(Expr, Expr)
    case coalesce([Expr])
    case nullIf(Expr, Expr)
    case caseWhen(subject: Expr?, branches: [CaseBranch], otherwise: Expr?)
    /// A function call by its (maybe qualified) name.
    case call([String], [Expr])
    /// `name => value` in a call's arguments.
    case namedArgument(String, Expr)
    /// `current_user`, `current_role`, `session_user`, `user`.
    case contextValue(String)
    /// `(SELECT expr)` with no FROM: the expression itself.
    case scalarSelect(Expr)
    /// `RAISE EXCEPTION` in a PL/pgSQL guard (PlpgsqlGuard): an error, whatever type is expected.
    case raise
    /// A construct the solver gives no meaning to (a sub-select, EXISTS, an unknown operator): one value per
    /// canonical parse tree; `what` says what it is for the witness; `calls` names the functions inside, whose
    /// bodies are part of the key (a helper changed under a sub-select changes the value).
    case opaque(key: String, what: String, isBool: Bool, calls: [[String]])
}
